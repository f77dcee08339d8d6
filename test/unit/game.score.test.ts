/** Scoring rules G1–G10 (docs/game.md), table-driven; the invariants on random set-ups are in game.scoreProperties.test.ts. */
import { dict } from '../../shared/util/dict.ts';
import { describe, expect, it } from 'vitest';
import { emptySlotStats, emptyStats, SCORING, updateStats, type GameStats, type SlotStats } from '../../shared/game/score.ts';
import { leaderboard, timeLostSec } from '../../shared/game/standings.ts';
import { builtinScenario } from '../../shared/scenario/builtin.ts';
import { timelineByTick } from '../../shared/scenario/run.ts';
import { createSimulation } from '../../shared/sim/create.ts';
import { advance } from '../../shared/sim/step.ts';
import type { Command, SimState } from '../../shared/sim/types.ts';
import { sim } from './sim/helpers.ts';

/** Run `ticks` ticks folding every tick into fresh stats; commands by tick. */
function play(state: SimState, ticks: number, commands: Record<number, Command[]> = {}): GameStats {
  const stats = emptyStats();
  updateStats(stats, state);
  for (let i = 0; i < ticks; i++) {
    advance(state, commands[state.tick + 1] ?? []);
    updateStats(stats, state);
  }
  return stats;
}

const web = { comm: 'web', baselineMiB: 64, requestsPerSec: 20, mibPerRequest: 1, requestSec: 0.5 };

interface Case {
  rule: string;
  name: string;
  build: () => { state: SimState; ticks: number; commands?: Record<number, Command[]> };
  check: (s: SlotStats, all: GameStats) => void;
  slot: string;
}

const cases: Case[] = [
  {
    rule: 'G1',
    name: 'a healthy pod earns one point per request served while running',
    slot: 'web',
    build: () => ({
      state: sim({ pods: [{ name: 'web', requestMiB: 128, limitMiB: 256, workload: web }] }),
      ticks: 300,
    }),
    check: (s) => {
      // 20 rps for ~30 s minus start-up and the last half-second in flight, ±20 % noise per tick averaging out.
      expect(s.requestsServed).toBeGreaterThan(520);
      expect(s.requestsServed).toBeLessThan(620);
      expect(s.earned).toBe(s.requestsServed * SCORING.pointsPerRequest);
      // G3: only the two ticks before the first start (Pending, creating) lose anything.
      expect(s.requestsLost).toBeLessThanOrEqual(4);
      expect(s.score).toBe(s.earned - s.requestsLost * SCORING.pointsPerLostRequest);
      expect(s.killsMemcg + s.killsGlobal + s.evictions + s.restarts).toBe(0);
    },
  },
  {
    rule: 'G2',
    name: 'a finished batch earns its points; requests are still counted',
    slot: 'etl',
    build: () => ({
      state: sim({
        pods: [
          {
            name: 'etl',
            requestMiB: 512,
            limitMiB: 1024,
            workload: {
              ...web,
              batch: { sizeMiB: 100, mode: 'load', rateMiBps: 100, chunkMiB: 16, everySec: 5 },
            },
          },
        ],
      }),
      ticks: 200,
    }),
    check: (s) => {
      expect(s.batchesDone).toBeGreaterThanOrEqual(2);
      expect(s.earned).toBe(s.requestsServed + s.batchesDone * SCORING.pointsPerBatch);
      expect(s.borrowedPoints).toBe(0); // it stays under its 512 MiB request
      expect(s.score).toBe(s.earned - s.requestsLost * SCORING.pointsPerLostRequest);
    },
  },
  {
    rule: 'G3',
    name: 'a memcg OOM kill is counted by kind, and the back-off is down time that earns nothing',
    slot: 'api',
    build: () => ({ state: createSimulation(builtinScenario('worked-example')!, { seed: 7 }), ticks: 600 }),
    check: (s) => {
      expect(s.killsMemcg).toBeGreaterThanOrEqual(3);
      expect(s.killsGlobal).toBe(0);
      // Every kill but possibly the last (still in back-off at the end) has been followed by a restart.
      expect(s.restarts).toBeLessThanOrEqual(s.killsMemcg);
      expect(s.restarts).toBeGreaterThanOrEqual(s.killsMemcg - 1);
      expect(s.downTicks).toBeGreaterThan(100); // back-offs of 10 s and 20 s at least
      expect(s.incidents.every((i) => i.kind === 'oom_memcg' && i.limitMiB === 512)).toBe(true);
      expect(s.runningTicks + s.startingTicks + s.pendingTicks + s.downTicks).toBe(600 + 1);
      // G3, G4: each kill cost its in-flight requests, its back-off and its start-up, as lost requests.
      // A kill that comes before the service is Ready again ends the previous incident's count.
      for (let k = 0; k + 1 < s.incidents.length; k++) {
        const [a, b] = [s.incidents[k]!, s.incidents[k + 1]!];
        expect(a.open).toBe(false);
        const cutShort = b.tick - a.tick <= a.downTicks + 1;
        if (!cutShort) expect(a.downTicks).toBeGreaterThanOrEqual(SCORING.startupSec * 10);
        expect(a.lostRequests).toBeGreaterThanOrEqual(a.lostInFlight);
        expect(a.cost).toBe(a.lostRequests * SCORING.pointsPerLostRequest);
      }
      // The back-off doubles: a later kill is down longer than the first.
      expect(Math.max(...s.incidents.map((i) => i.downTicks))).toBeGreaterThan(s.incidents[0]!.downTicks);
    },
  },
  {
    rule: 'G4',
    name: 'a restarted container earns nothing until it is Ready again, and its users\u2019 requests are lost meanwhile',
    slot: 'web',
    build: () => ({
      state: sim({ pods: [{ name: 'web', requestMiB: 128, limitMiB: 256, workload: web }] }),
      ticks: 400,
      commands: { 100: [{ type: 'kill', pod: 'web' }] },
    }),
    check: (s) => {
      expect(s.sigkills).toBe(1);
      expect(s.restarts).toBe(1);
      // start-up × 20 rps completed while not Ready: counted as served, not scored.
      const startup = SCORING.startupSec * 20;
      expect(s.requestsUnready).toBeGreaterThan(0.8 * startup);
      expect(s.requestsUnready).toBeLessThan(1.2 * startup);
      expect(s.startingTicks).toBe(SCORING.startupSec * 10);
      expect(s.earned).toBe(s.requestsServed - s.requestsUnready);
      expect(s.killsMemcg + s.killsGlobal).toBe(0);
      const kill = s.incidents[0]!;
      expect(kill.kind).toBe('sigkill');
      expect(kill.lostInFlight).toBeGreaterThanOrEqual(5);
      expect(kill.open).toBe(false);
    },
  },
  {
    rule: 'G3',
    name: 'a Pending pod serves nothing and scores nothing',
    slot: 'huge',
    build: () => ({
      state: sim({ pods: [{ name: 'huge', requestMiB: 8000, limitMiB: 8000, workload: web }] }),
      ticks: 200,
    }),
    check: (s) => {
      expect(s.earned).toBe(0);
      // G3: its users' requests all fail: 20 rps for 20.1 s.
      expect(s.requestsLost).toBe(402);
      expect(s.score).toBe(-402 * SCORING.pointsPerLostRequest);
      expect(s.pendingTicks).toBe(201);
      expect(timeLostSec(s)).toBeCloseTo(20.1);
    },
  },
  {
    rule: 'G1',
    name: 'requests dropped by a full bounded buffer earn nothing',
    slot: 'bp',
    build: () => ({
      state: sim({
        pods: [
          {
            name: 'bp',
            requestMiB: 128,
            limitMiB: 256,
            workload: { ...web, requestsPerSec: 100, bufferCapMiB: 10 },
          },
        ],
      }),
      ticks: 200,
    }),
    check: (s) => {
      expect(s.requestsDropped).toBeGreaterThan(500);
      expect(s.earned).toBe(s.requestsServed);
      // G3: a shed request is one its user did not get an answer to.
      expect(s.requestsLost).toBeGreaterThanOrEqual(s.requestsDropped);
      expect(s.score).toBe(s.requestsServed - s.requestsLost);
    },
  },
  {
    rule: 'G3',
    name: 'a global OOM is counted as global, with the neighbour that asked for the memory',
    slot: 'web',
    build: () => {
      const sc = builtinScenario('noisy-neighbour')!;
      return {
        state: createSimulation(sc, { seed: 5 }),
        ticks: 600,
        commands: Object.fromEntries(timelineByTick(sc)),
      };
    },
    check: (s) => {
      expect(s.killsGlobal).toBeGreaterThanOrEqual(1);
      const g = s.incidents.find((i) => i.kind === 'oom_global')!;
      expect(g.invoker?.self).toBe(false);
      expect(g.invoker?.comm).toBe('java');
      expect(g.place).toBe(1);
      expect(g.usageMiB).toBeLessThan(g.limitMiB!);
    },
  },
  {
    rule: 'G6',
    name: 'an eviction is counted, and the replacement pod pays the rescheduling and its start-up',
    slot: 'grower',
    build: () => ({ state: createSimulation(builtinScenario('eviction')!, { seed: 3 }), ticks: 4200 }),
    check: (s) => {
      expect(s.evictions).toBeGreaterThanOrEqual(1);
      expect(s.podsReplaced).toBeGreaterThanOrEqual(1);
      const ev = s.incidents.find((i) => i.kind === 'evicted' && i.requestMiB === 512)!;
      expect(ev).toBeDefined();
      expect(ev.downTicks).toBeGreaterThanOrEqual((SCORING.startupSec + SCORING.rescheduleSec) * 10);
      expect(ev.lostRequests).toBeGreaterThan(ev.lostInFlight);
    },
  },
  {
    rule: 'G1',
    name: 'a rollout (new pod object) keeps counting from where the slot was, without double counting',
    slot: 'web',
    build: () => ({
      state: sim({ pods: [{ name: 'web', requestMiB: 128, limitMiB: 256, workload: web }] }),
      ticks: 400,
      commands: { 150: [{ type: 'set_resources', pod: 'web', requestMiB: 128, limitMiB: 512 }] },
    }),
    check: (s) => {
      expect(s.podsReplaced).toBe(1);
      expect(s.requestsUnready).toBe(0); // G4: rollouts pay no start-up
      expect(s.requestsServed).toBeGreaterThan(700);
      expect(s.requestsServed).toBeLessThan(820);
    },
  },
];

describe('scoring rules (docs/game.md)', () => {
  it.each(cases)('$rule: $name', (c) => {
    const { state, ticks, commands } = c.build();
    const stats = play(state, ticks, commands);
    const s = stats.slots[c.slot];
    expect(s).toBeDefined();
    c.check(s!, stats);
  });

  it('G3, G4: a kill costs at least its lost in-flight requests and the restart delay (against the same run without it)', () => {
    const run = (kill: boolean) =>
      play(sim({ pods: [{ name: 'web', requestMiB: 128, limitMiB: 256, workload: web }] }, 11), 600, kill ? { 200: [{ type: 'kill', pod: 'web' }] } : {})
        .slots['web']!;
    const calm = run(false);
    const killed = run(true);
    const i = killed.incidents[0]!;
    expect(i.lostInFlight).toBeGreaterThanOrEqual(5);
    expect(i.downTicks).toBeGreaterThanOrEqual(SCORING.startupSec * 10);
    // The kill costs its in-flight requests and every request of the start-up twice: not earned, and lost.
    const floor = (i.lostInFlight + 0.8 * SCORING.startupSec * 20) * (SCORING.pointsPerRequest + SCORING.pointsPerLostRequest);
    expect(calm.score - killed.score).toBeGreaterThanOrEqual(floor);
    expect(i.cost).toBeGreaterThanOrEqual((i.lostInFlight + 0.8 * SCORING.startupSec * 20) * SCORING.pointsPerLostRequest);
  });

  it('G9: a node-wide OOM kill of a neighbour is charged to the pod furthest over its request', () => {
    // The greedy pod protects itself with oom_score_adj -999, so the kernel kills the small neighbour instead.
    const state = sim({
      node: { memoryMiB: 1024, evictionThresholdMiB: 0 },
      pods: [
        { name: 'small', requestMiB: 128, limitMiB: 256, workload: web },
        { name: 'greedy', requestMiB: 64, limitMiB: null, oomScoreAdj: -999, workload: { ...web, leakMiBps: 80 } },
      ],
    });
    const stats = play(state, 400);
    const small = stats.slots['small']!;
    const greedy = stats.slots['greedy']!;
    const hit = small.incidents.find((i) => i.kind === 'oom_global');
    expect(hit, JSON.stringify(small.incidents)).toBeDefined();
    expect(hit!.causedBy).toBe('greedy');
    expect(greedy.caused).toBeGreaterThanOrEqual(1);
    const mirror = greedy.incidents.find((i) => i.kind === 'caused')!;
    expect(mirror.causedBy).toBe('small');
    expect(greedy.requestsHarmed).toBeGreaterThanOrEqual(hit!.lostRequests);
    expect(greedy.score).toBe(
      greedy.earned -
        greedy.requestsLost * SCORING.pointsPerLostRequest -
        greedy.requestsHarmed * SCORING.pointsPerHarmedRequest -
        greedy.borrowedPoints,
    );
  });

  it('G10: memory above the request is charged per GiB·minute', () => {
    const big = play(sim({ pods: [{ name: 'big', requestMiB: 64, limitMiB: 2048, workload: { ...web, baselineMiB: 1088 } }] }), 600).slots['big']!;
    // ~1 GiB above the request for ~a minute.
    expect(big.borrowedPoints).toBeGreaterThan(0.9 * SCORING.pointsPerBorrowedGiBMin);
    expect(big.borrowedPoints).toBeLessThan(1.1 * SCORING.pointsPerBorrowedGiBMin);
  });

  it('G5: folding the same tick twice changes nothing', () => {
    const state = sim({ pods: [{ name: 'web', requestMiB: 128, limitMiB: 256, workload: web }] });
    const stats = play(state, 50);
    const before = JSON.stringify(stats);
    updateStats(stats, state);
    expect(JSON.stringify(stats)).toBe(before);
  });

  it('G7: ties are broken by kills, evictions, uptime, then slot name', () => {
    const stats = emptyStats();
    const base = (slot: string, over: Partial<SlotStats>): SlotStats => ({
      ...emptySlotStats(slot, 0),
      score: 100,
      requestsServed: 100,
      runningTicks: 10,
      ...over,
    });
    stats.slots = dict(Object.entries({
      e: base('e', {}),
      d: base('d', {}),
      c: base('c', { runningTicks: 5 }),
      b: base('b', { evictions: 1 }),
      a: base('a', { killsGlobal: 1 }),
      z: base('z', { score: 101, killsMemcg: 9 }),
    }));
    expect(leaderboard(stats).map((r) => r.slot)).toEqual(['z', 'd', 'e', 'c', 'b', 'a']);
    expect(leaderboard(stats).map((r) => r.rank)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
