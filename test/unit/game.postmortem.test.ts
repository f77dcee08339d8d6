/** Post-mortem cards and memory traces (docs/game.md, PM1–PM5). */
import { describe, expect, it } from 'vitest';
import { postMortem, incidentCause } from '../../shared/game/postmortem.ts';
import { builtinQuestion } from '../../shared/game/questions.ts';
import { blankIncident } from '../../shared/game/incidents.ts';
import { emptyStats, updateStats } from '../../shared/game/score.ts';
import { downsample, emptyTrace, sampleTrace, TraceColumns, type SlotTrace } from '../../shared/game/trace.ts';
import { RoomGame } from '../../server/game/RoomGame.ts';
import { builtinScenario } from '../../shared/scenario/builtin.ts';
import { timelineByTick } from '../../shared/scenario/run.ts';
import { createSimulation } from '../../shared/sim/create.ts';
import { advance } from '../../shared/sim/step.ts';
import { activePod } from '../../shared/sim/podLifecycle.ts';
import { podUsagePages } from '../../shared/sim/memory.ts';
import { pagesToMiB, ticksToSec } from '../../shared/sim/units.ts';
import type { Command } from '../../shared/sim/types.ts';

function playScenario(name: string, ticks: number, seed?: number) {
  const sc = builtinScenario(name)!;
  const state = createSimulation(sc, { seed });
  const timeline = timelineByTick(sc);
  const stats = emptyStats();
  const trace = emptyTrace(5);
  for (let t = 1; t <= ticks; t++) {
    advance(state, timeline.get(t) ?? []);
    updateStats(stats, state);
    sampleTrace(trace, state);
  }
  return { state, stats, trace };
}

describe('PM2: downsampling keeps the peaks', () => {
  it('each bucket keeps its highest sample, so a spike to the limit survives', () => {
    const n = 1000;
    const s: SlotTrace = { t: [], usageMiB: [], limitMiB: [], requestMiB: [] };
    for (let i = 0; i < n; i++) {
      s.t.push(i / 10);
      s.usageMiB.push(i === 777 ? 512 : i % 2 === 0 ? 100 : null);
      s.limitMiB.push(512);
      s.requestMiB.push(256);
    }
    const d = downsample(s, 50);
    expect(d.t).toHaveLength(50);
    expect(Math.max(...d.usageMiB.map((u) => u ?? 0))).toBe(512);
    expect(d.t).toContain(77.7);
    expect([...d.t].sort((a, b) => a - b)).toEqual(d.t);
  });
  it('short traces are copied, not shared', () => {
    const s: SlotTrace = { t: [0, 1], usageMiB: [1, 2], limitMiB: [null, null], requestMiB: [null, null] };
    const d = downsample(s, 10);
    expect(d).toEqual(s);
    expect(d.t).not.toBe(s.t);
  });
});

describe('PM1: a trace stays bounded however long the round', () => {
  it('past its cap the samples merge pairwise (peaks kept) and the stride doubles', () => {
    const sc = builtinScenario('worked-example')!;
    const state = createSimulation(sc);
    const timeline = timelineByTick(sc);
    const capped = emptyTrace(1);
    const full = emptyTrace(1);
    for (let t = 1; t <= 1500; t++) {
      advance(state, timeline.get(t) ?? []);
      sampleTrace(capped, state, 40);
      sampleTrace(full, state, Infinity);
    }
    const slots = Object.keys(full.slots);
    expect(slots.length).toBeGreaterThan(0);
    // 1500 samples would have been kept; the capped trace holds at most 40 per slot, sampled ever less often.
    expect(capped.everyTicks).toBeGreaterThanOrEqual(32);
    for (const slot of slots) {
      const all = full.slots[slot]!.toSlotTrace();
      const kept = capped.slots[slot]!.toSlotTrace();
      expect(all.t.length).toBeGreaterThan(1000);
      expect(kept.t.length).toBeLessThanOrEqual(40);
      expect(kept.t.length).toBeGreaterThanOrEqual(15);
      expect([...kept.t].sort((a, b) => a - b)).toEqual(kept.t);
      // The highest point of the whole round (a kill happens at a peak) is still on the card.
      const peak = (xs: (number | null)[]) => Math.max(...xs.map((u) => u ?? 0));
      const fromStride = all.usageMiB.filter((_, i) => Math.round(all.t[i]! * 10) % capped.everyTicks === 0);
      expect(peak(kept.usageMiB)).toBeGreaterThanOrEqual(peak(fromStride));
      expect(peak(kept.usageMiB)).toBeLessThanOrEqual(peak(all.usageMiB));
    }
  });
});

/**
 * A student who keeps changing their pod's memory: every `every` ticks a new request and limit (the limit sometimes
 * lifted, the request sometimes left to follow it), so a trace's limit and request change many times, through every
 * halving.
 */
function resizer(slot: string, every: number): (tick: number) => Command[] {
  return (tick) => {
    if (tick % every !== 0) return [];
    const k = tick / every;
    const limitMiB = k % 5 === 0 ? null : 300 + ((k * 37) % 400) + (k % 3) / 10;
    const requestMiB = k % 4 === 0 ? null : 100 + ((k * 13) % 150);
    return [{ type: 'set_resources', pod: slot, requestMiB, limitMiB }];
  };
}

describe('PM1: the trace as typed columns', () => {
  it.each([
    { name: 'noisy-neighbour', seed: 4, resizeEvery: 0 },
    // The first pod's slot resized every 7 ticks: limit and request change ~200 times in the run.
    { name: 'noisy-neighbour', seed: 9, resizeEvery: 7 },
  ])('holds what plain arrays of the same samples hold, merged by downsample past the cap, to the last digit ($name, seed $seed, resized every $resizeEvery ticks)', ({ name, seed, resizeEvery }) => {
    const sc = builtinScenario(name)!;
    const state = createSimulation(sc, { seed });
    const timeline = timelineByTick(sc);
    const more = resizeEvery ? resizer(state.pods[0]!.slot, resizeEvery) : (): Command[] => [];
    const trace = emptyTrace(1);
    // The plainest trace: arrays of the card's figures, halved with downsample when a slot passes the cap.
    const plain = new Map<string, SlotTrace>();
    let every = 1;
    const cap = 40;
    const limitsSeen = new Set<number | null>();
    for (let t = 1; t <= 1500; t++) {
      advance(state, [...(timeline.get(t) ?? []), ...more(t)]);
      sampleTrace(trace, state, cap);
      if (state.tick % every !== 0) continue;
      let full = false;
      for (const slot of new Set(state.pods.map((p) => p.slot))) {
        const live = activePod(state, slot);
        if (!live) continue;
        const s = plain.get(slot) ?? { t: [], usageMiB: [], limitMiB: [], requestMiB: [] };
        plain.set(slot, s);
        const r1 = (pages: number) => Math.round(pagesToMiB(pages) * 10) / 10;
        s.t.push(ticksToSec(state.tick));
        s.usageMiB.push(live.cState === 'Running' ? r1(podUsagePages(live)) : null);
        s.limitMiB.push(live.spec.limitPages === null ? null : r1(live.spec.limitPages));
        limitsSeen.add(s.limitMiB.at(-1)!);
        s.requestMiB.push(live.spec.requestPages === null ? null : r1(live.spec.requestPages));
        if (s.t.length > cap) full = true;
      }
      if (full) {
        every *= 2;
        for (const [slot, s] of plain) plain.set(slot, downsample(s, Math.ceil(s.t.length / 2)));
      }
    }
    expect(trace.everyTicks).toBe(every);
    expect(every).toBeGreaterThanOrEqual(32);
    expect(plain.size).toBeGreaterThan(1);
    if (resizeEvery) expect(limitsSeen.size).toBeGreaterThan(40);
    for (const [slot, s] of plain) expect(trace.slots[slot]!.toSlotTrace()).toEqual(s);
  });
});

describe('PM1: limit and request as runs', () => {
  it('a slot whose limit changes at every sample keeps every change (its runs outgrow their first room), and merges them as downsample does', () => {
    const cols = new TraceColumns(16);
    const plain: SlotTrace = { t: [], usageMiB: [], limitMiB: [], requestMiB: [] };
    for (let i = 0; i < 300; i++) {
      // Three samples in a row share a limit now and then, so runs are both long and short; no limit every 7th.
      const limit = i % 7 === 0 ? null : 200 + Math.floor(i / 3) / 10 + (i % 2);
      const request = i % 5 === 0 ? null : 100 + (i % 4);
      const usage = i % 11 === 0 ? null : 150 + ((i * 37) % 90) / 10;
      cols.push(i * 10, usage, limit, request);
      plain.t.push(ticksToSec(i * 10));
      plain.usageMiB.push(usage);
      plain.limitMiB.push(limit);
      plain.requestMiB.push(request);
    }
    expect(new Set(plain.limitMiB).size).toBeGreaterThan(64);
    expect(cols.runCount).toBeGreaterThan(64);
    expect(cols.toSlotTrace()).toEqual(plain);
    cols.keep(50);
    expect(cols.toSlotTrace()).toEqual(downsample(plain, 50));
  });

  it('a limit and request that do not change take one run through every halving; each change starts one', () => {
    const cols = new TraceColumns(41);
    for (let i = 0; i < 1000; i++) {
      cols.push(i, 100 + (i % 13), 512, null);
      if (cols.length > 40) cols.keep(20);
    }
    expect(cols.runCount).toBe(1);
    expect(new Set(cols.toSlotTrace().limitMiB)).toEqual(new Set([512]));
    // Three changes (one back to an earlier value): four runs, whatever the usage does.
    const changing = new TraceColumns(41);
    for (let i = 0; i < 40; i++) changing.push(i, 100, i < 10 ? 512 : i < 20 ? 256 : i < 30 ? null : 512, 128);
    expect(changing.runCount).toBe(4);
  });
});

describe('PM1: only a round is traced', () => {
  it('free play in the lobby keeps no trace (it would grow as long as the lobby runs); a round does', () => {
    const state = createSimulation(builtinScenario('worked-example')!);
    const game = new RoomGame();
    for (let t = 1; t <= 300; t++) {
      advance(state, []);
      game.afterTick(state);
    }
    expect(game.lesson.phase).toBe('lobby');
    expect(Object.keys(game.trace.slots)).toHaveLength(0);
    expect(game.startRound('worked-example', 60, state.tick, 1).ok).toBe(true);
    for (let t = 1; t <= 100; t++) {
      advance(state, []);
      game.afterTick(state);
    }
    expect(Object.values(game.trace.slots).every((s) => s.length === 10)).toBe(true);
    expect(Object.keys(game.trace.slots).length).toBeGreaterThan(0);
  });
});

describe('PM3: the card', () => {
  it('the worked example: repeated cgroup kills at 512 MiB, their causes, restarts, answers and the takeaway', () => {
    const { state, stats, trace } = playScenario('worked-example', 1200);
    const q = builtinQuestion('seed-exit-137-oomkilled')!;
    const card = postMortem({
      slot: 'api',
      nickname: 'Ann',
      stats,
      state,
      trace,
      asked: [
        { question: q, answer: 'a' },
        { question: builtinQuestion('crashloop-timing')!, answer: undefined },
      ],
      roundTicks: 1200,
      maxPoints: 100,
    });
    expect(card).toMatchObject({
      slot: 'api',
      nickname: 'Ann',
      rank: 1,
      of: 1,
      limitMiB: 512,
      requestMiB: 256,
      qosClass: 'Burstable',
    });
    expect(card.killsMemcg).toBeGreaterThanOrEqual(3);
    expect(card.kills[0]!.kind).toBe('oom_memcg');
    expect(card.kills[0]!.cause).toMatch(/cgroup.*512 MiB limit.*137/);
    expect(card.kills[0]!.t).toBeGreaterThan(7);
    expect(card.kills[0]!.t).toBeLessThan(11); // the seed: it crosses 512 MB at about t = 8 s
    expect(card.restarts).toBeGreaterThanOrEqual(card.killsMemcg - 1);
    expect(card.timeLostSec).toBeGreaterThan(30); // back-offs of 10, 20, 40 s…
    expect(card.uptimePct).toBeLessThan(100);
    expect(card.curve.t.length).toBeLessThanOrEqual(100);
    expect(Math.max(...card.curve.usageMiB.map((u) => u ?? 0))).toBeGreaterThan(500);
    expect(card.answers).toEqual([
      expect.objectContaining({ questionId: q.id, correct: true }),
      expect.objectContaining({ questionId: 'crashloop-timing', chosen: null, correct: false }),
    ]);
    expect(card.takeaway).toMatch(/moves the line/);
  });

  it('the noisy neighbour: a global kill under the pod\u2019s own limit, invoked by the neighbour', () => {
    const { state, stats, trace } = playScenario('noisy-neighbour', 500);
    const card = postMortem({
      slot: 'web',
      nickname: 'Web',
      stats,
      state,
      trace,
      asked: [],
      roundTicks: 500,
    });
    expect(card.killsGlobal).toBeGreaterThanOrEqual(1);
    const k = card.kills.find((x) => x.kind === 'oom_global')!;
    expect(k.cause).toMatch(/whole node/);
    expect(k.cause).toMatch(/java/);
    expect(k.cause).toMatch(/ranked #1/);
    expect(k.usageMiB).toBeLessThan(k.limitMiB!);
    expect(card.takeaway).toMatch(/kernel picked you/);
  });

  it('PM4: every incident kind has words', () => {
    for (const kind of ['oom_memcg', 'oom_global', 'evicted', 'sigkill', 'exit', 'caused'] as const) {
      const incident = { ...blankIncident(1, kind, 'p'), usageMiB: 10, limitMiB: 20, requestMiB: 5, open: false };
      expect(incidentCause(incident).length).toBeGreaterThan(10);
    }
  });
});
