/**
 * The room's last minute of memory (server/room/RecentHistory.ts), kept as typed columns in a ring. Checked against
 * the plainest model of it, a list of the last 120 samples as objects, over a run long enough to wrap the ring
 * twice, with kills and restarts (two pods in a slot at once), a pod removed (its slot forgotten a minute later)
 * and a pod added late.
 */
import { describe, expect, it } from 'vitest';
import { HISTORY_EVERY_TICKS, HISTORY_SAMPLES, RecentHistory } from '../../server/room/RecentHistory.ts';
import { builtinScenario } from '../../shared/scenario/builtin.ts';
import { runScenario } from '../../shared/scenario/run.ts';
import { nodeAvailablePages, nodeUsedPages, podRssPages, podUsagePages } from '../../shared/sim/memory.ts';
import type { Command, SimState } from '../../shared/sim/types.ts';

interface ModelSample {
  tick: number;
  available: number;
  threshold: number;
  used: number;
  pods: Map<string, [number, number, number, number]>;
}

function modelSample(s: SimState): ModelSample {
  const pods = new Map<string, [number, number, number, number]>();
  for (const p of s.pods) {
    const prev = pods.get(p.slot);
    pods.set(p.slot, [(prev?.[0] ?? 0) + podUsagePages(p), (prev?.[1] ?? 0) + podRssPages(p), p.spec.limitPages ?? -1, p.spec.requestPages ?? -1]);
  }
  return { tick: s.tick, available: nodeAvailablePages(s), threshold: s.node.evictionThresholdPages, used: nodeUsedPages(s), pods };
}

function modelView(ss: ModelSample[], mySlot: string | null, everyone: boolean) {
  const usage: Record<string, number[]> = {};
  if (everyone) {
    const slots = new Set<string>();
    for (const x of ss) for (const k of x.pods.keys()) slots.add(k);
    for (const k of slots) usage[k] = ss.map((x) => x.pods.get(k)?.[0] ?? 0);
  }
  const out: Record<string, unknown> = {
    ticks: ss.map((x) => x.tick),
    availablePages: ss.map((x) => x.available),
    thresholdPages: ss.map((x) => x.threshold),
    usedPages: ss.map((x) => x.used),
    usage,
  };
  if (mySlot !== null) {
    const col = (i: 0 | 1) => ss.map((x) => x.pods.get(mySlot)?.[i] ?? 0);
    const opt = (i: 2 | 3) => ss.map((x) => { const v = x.pods.get(mySlot)?.[i]; return v === undefined || v < 0 ? null : v; });
    usage[mySlot] = col(0);
    out.mine = { slot: mySlot, rssPages: col(1), limitPages: opt(2), requestPages: opt(3) };
  }
  return out;
}

describe('the recent memory history', () => {
  it('says what the plain list of samples says, through two wraps of the ring, kills, removals and late pods', () => {
    const sc = builtinScenario('noisy-neighbour')!;
    const history = new RecentHistory();
    const model: ModelSample[] = [];
    const firstSlot = sc.pods[0]!.name;
    const late: Command = { type: 'add_pod', pod: { slot: 'late-one', name: 'late-one', requestPages: 1024, limitPages: 4096, workload: { baselinePages: 2048 } } as never };
    const extra = new Map<number, Command[]>([
      [200, [{ type: 'remove_pod', pod: firstSlot }]],
      [900, [late]],
    ]);
    const slotsSeen = new Set<string>();
    let checks = 0;
    runScenario(sc, { durationSec: 2.5 * 60, extra }, (s) => {
      history.sample(s);
      const last = model.at(-1);
      if (!last || s.tick - last.tick >= HISTORY_EVERY_TICKS) {
        model.push(modelSample(s));
        if (model.length > HISTORY_SAMPLES) model.shift();
      }
      for (const p of s.pods) slotsSeen.add(p.slot);
      if (s.tick % 37 === 0) {
        expect(history.view(null, true)).toEqual(modelView(model, null, true));
        for (const slot of [firstSlot, 'late-one', sc.pods.at(-1)!.name]) expect(history.view(slot, false)).toEqual(modelView(model, slot, false));
        checks++;
      }
    });
    expect(checks).toBeGreaterThan(30);
    // The run did what the test is about: the ring wrapped, the removed slot was forgotten, the late one arrived.
    expect(model[0]!.tick).toBeGreaterThan(HISTORY_SAMPLES * HISTORY_EVERY_TICKS);
    expect(Object.keys(history.view(null, true).usage)).not.toContain(firstSlot);
    expect(Object.keys(history.view(null, true).usage)).toContain('late-one');
    expect(slotsSeen.has(firstSlot)).toBe(true);
  });

  it('starts again when the simulation goes back in time (a reset)', () => {
    const sc = builtinScenario('noisy-neighbour')!;
    const history = new RecentHistory();
    runScenario(sc, { durationSec: 20 }, (s) => history.sample(s));
    expect(history.view(null, true).ticks.length).toBe(20 * 2 + 1);
    runScenario(sc, { durationSec: 3 }, (s) => history.sample(s));
    expect(history.view(null, true).ticks).toEqual([0, 5, 10, 15, 20, 25, 30]);
  });
});
