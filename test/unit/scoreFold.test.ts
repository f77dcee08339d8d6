/**
 * The score fold keeps, per pod object, the counters it has already counted (GameStats.seen), so each tick adds only
 * the difference. What it keeps must follow the pods: a replaced pod is forgotten, a restored copy goes on as well.
 */
import { describe, expect, it } from 'vitest';
import { foldIndex, ownIncident } from '../../shared/game/foldIndex.ts';
import { blankIncident } from '../../shared/game/incidents.ts';
import { emptyStats, updateStats, type GameStats } from '../../shared/game/score.ts';
import { builtinScenario } from '../../shared/scenario/builtin.ts';
import { createSimulation } from '../../shared/sim/create.ts';
import { advance } from '../../shared/sim/step.ts';
import type { Command, SimState } from '../../shared/sim/types.ts';

/** A leak set and then fixed on the first running pod: the fix is a rollout, a new pod object in its slot. */
function rollout(s: SimState): Command[] {
  const first = s.pods.find((p) => p.phase === 'Running');
  return first
    ? [
        { type: 'set_workload', pod: first.slot, workload: { leakMiBps: 5 } },
        { type: 'fix_leak', pod: first.slot },
      ]
    : [];
}

describe('the pod objects the fold remembers', () => {
  it('are exactly the live pods after every tick, through rollouts, evictions and a restored copy of the stats', () => {
    const s = createSimulation(builtinScenario('eviction')!, { seed: 3 });
    let stats = emptyStats();
    const replaced = new Set<number>();
    for (let t = 1; t <= 1200; t++) {
      // A fix is a rollout: the pod object is replaced by a new one.
      const cmds = t % 200 === 0 ? rollout(s) : [];
      const before = new Set(s.pods.map((p) => p.uid));
      advance(s, cmds);
      for (const uid of before) if (!s.pods.some((p) => p.uid === uid)) replaced.add(uid);
      // Half-way the stats come back from a recording (a resumed room), and the fold goes on from the copy.
      if (t === 600) stats = JSON.parse(JSON.stringify(stats)) as GameStats;
      updateStats(stats, s);
      expect(Object.keys(stats.seen).sort()).toEqual(s.pods.map((p) => String(p.uid)).sort());
    }
    expect(replaced.size).toBeGreaterThan(0);
  });
});

describe("the fold's memory of each pod by its place", () => {
  it('changes nothing: the same stats as a fold that starts afresh every tick, through rollouts, evictions and shifts', () => {
    const s = createSimulation(builtinScenario('eviction')!, { seed: 11 });
    const remembering = emptyStats();
    let afresh = emptyStats();
    let shifted = 0;
    for (let t = 1; t <= 1200; t++) {
      // A fix is a rollout: the pod object at a place is replaced, and later pods move up when one is deleted.
      const cmds = t % 150 === 0 ? rollout(s) : [];
      const before = s.pods.slice();
      advance(s, cmds);
      if (s.pods.some((p, i) => before[i] !== undefined && before[i] !== p)) shifted++;
      updateStats(remembering, s);
      // A copy of the stats is a new table: its fold remembers nothing from the tick before.
      afresh = JSON.parse(JSON.stringify(afresh)) as GameStats;
      updateStats(afresh, s);
      expect(JSON.stringify(remembering)).toBe(JSON.stringify(afresh));
    }
    expect(shifted).toBeGreaterThan(0);
  });
});

describe('a restored copy of the stats', () => {
  it('scores every tick as the original does, slots added after the copy included', () => {
    const s = createSimulation(builtinScenario('classroom')!, { seed: 5 });
    const original = emptyStats();
    let copy: GameStats | null = null;
    for (let t = 1; t <= 900; t++) {
      // Students join through the session (new slots), some before the copy is taken and some after.
      const cmds: Command[] =
        t % 100 === 0
          ? [
              {
                type: 'add_pod',
                pod: { slot: `late${t}`, requestMiB: 64, limitMiB: 128, workload: { leakMiBps: 3 } },
              },
            ]
          : [];
      advance(s, cmds);
      updateStats(original, s);
      if (t === 450) copy = JSON.parse(JSON.stringify(original)) as GameStats;
      else if (copy) updateStats(copy, s);
    }
    const slots = Object.keys(original.slots);
    expect(slots.filter((slot) => slot.startsWith('late'))).toHaveLength(9);
    expect(Object.values(original.slots).some((x) => x.score !== 0)).toBe(true);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(original));
  });
});

describe('a class larger than the fold first sized for', () => {
  it('counts every tick of every slot once, as slots keep arriving', () => {
    const s = createSimulation(builtinScenario('classroom')!, { seed: 9 });
    const stats = emptyStats();
    for (let t = 1; t <= 400; t++) {
      // 150 students join, one every other tick: the fold's per-slot scratch grows past its first size twice.
      const cmds: Command[] =
        t <= 300 && t % 2 === 0
          ? [{ type: 'add_pod', pod: { slot: `s${t}`, requestMiB: 32, limitMiB: 64, workload: {} } }]
          : [];
      advance(s, cmds);
      updateStats(stats, s);
    }
    const slots = Object.values(stats.slots);
    expect(slots.filter((x) => x.slot.startsWith('s'))).toHaveLength(150);
    for (const x of slots) {
      const counted = x.runningTicks + x.startingTicks + x.pendingTicks + x.downTicks;
      expect(counted, x.slot).toBe(400 - x.firstTick + 1);
    }
    // The last to arrive (far past the first size) are seen as what they are: scheduled and running, or pending.
    for (const x of slots.slice(-20)) expect(x.runningTicks + x.startingTicks + x.pendingTicks, x.slot).toBeGreaterThan(0);
  });
});

describe("each slot's open incident, remembered by the fold", () => {
  // A protected pod that leaks: the kernel kills its neighbours instead, and it gets a `caused` line for each, after
  // its own incidents; the fold must still find its own newest incident (and charge its down time) past those lines.
  it('is the one a fresh fold finds, past every caused line, and only it counts the down time', () => {
    const s = createSimulation(builtinScenario('eviction')!, { seed: 5 });
    const culprit = s.pods[0]!.slot;
    const remembering = emptyStats();
    let afresh = emptyStats();
    let walkedPast = 0;
    for (let t = 1; t <= 1500; t++) {
      const cmds: Command[] =
        t % 50 === 0
          ? [
              { type: 'set_oom_score_adj', pod: culprit, value: -999 },
              { type: 'set_workload', pod: culprit, workload: { leakMiBps: 40 } },
            ]
          : [];
      advance(s, cmds);
      updateStats(remembering, s);
      afresh = JSON.parse(JSON.stringify(afresh)) as GameStats;
      updateStats(afresh, s);
      expect(JSON.stringify(remembering)).toBe(JSON.stringify(afresh));
      // Ticks at which the culprit's newest own incident stood behind a caused line.
      const incidents = remembering.slots[culprit]?.incidents ?? [];
      if (incidents.at(-1)?.kind === 'caused' && incidents.some((i) => i.kind !== 'caused')) walkedPast++;
    }
    expect(walkedPast).toBeGreaterThan(0);
    const incidents = remembering.slots[culprit]!.incidents;
    expect(incidents.some((i) => i.kind !== 'caused' && i.downTicks > 0)).toBe(true);
    expect(incidents.filter((i) => i.kind === 'caused').map((i) => i.downTicks)).toEqual([0, 0]);
  });
});

describe('ownIncident', () => {
  it("is a slot's newest incident that is not a caused line, as its incidents are appended", () => {
    const stats = emptyStats();
    const s = createSimulation(builtinScenario('eviction')!, { seed: 5 });
    advance(s, []);
    updateStats(stats, s);
    const f = foldIndex(stats);
    const at = 0;
    const slot = f.list[at]!;
    const own = (tick: number) => blankIncident(tick, 'oom_global', 'p');
    const caused = (tick: number) => blankIncident(tick, 'caused', 'q');
    expect(ownIncident(f, at, slot)).toBe(null);
    const first = own(1);
    slot.incidents.push(first);
    expect(ownIncident(f, at, slot)).toBe(first);
    slot.incidents.push(caused(2), caused(3));
    expect(ownIncident(f, at, slot)).toBe(first);
    expect(ownIncident(f, at, slot)).toBe(first);
    const second = own(4);
    slot.incidents.push(second, caused(5));
    expect(ownIncident(f, at, slot)).toBe(second);
    // A fresh index (a restored copy of the stats) walks back over the caused lines to the same one.
    const copy = JSON.parse(JSON.stringify(stats)) as GameStats;
    const g = foldIndex(copy);
    expect(ownIncident(g, at, g.list[at]!)).toEqual(second);
  });
});
