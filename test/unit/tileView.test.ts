/**
 * The projector's pod tiles (issue 14): a tile is handed a new object only when something it shows changed, so 50
 * pods at 10 Hz re-render only the tiles that moved. Driven by the real simulation's pod views.
 */
import { describe, expect, it } from 'vitest';
import { podViewFromState, podViewStatus } from '../../client/src/lib/podView.ts';
import type { PodView } from '../../shared/protocol/views.ts';
import { TileCache, tileView, type TileView } from '../../client/src/present/tileView.ts';
import { builtinScenario } from '../../shared/scenario/builtin.ts';
import { timelineByTick } from '../../shared/scenario/run.ts';
import { createSimulation } from '../../shared/sim/create.ts';
import { advance } from '../../shared/sim/step.ts';

function play(ticks: number, onTick: (views: ReturnType<typeof podViewFromState>[], tick: number) => void) {
  const sc = builtinScenario('worked-example')!;
  const state = createSimulation(sc, { seed: 7 });
  const timeline = timelineByTick(sc);
  for (let t = 1; t <= ticks; t++) {
    advance(state, timeline.get(t) ?? []);
    onTick(state.pods.map((p) => podViewFromState(state, p, null)), state.tick);
  }
  return state;
}

describe('projector tiles', () => {
  it('through a real run, each tile shows its pod as it is, and a new object always shows something new', () => {
    const cache = new TileCache();
    let prev = new Map<string, TileView>();
    let changes = 0;
    play(600, (views, tick) => {
      const tiles = cache.update(views.map((v) => tileView(v, tick, null, 4096 * 256, true, -1)));
      for (const [i, t] of tiles.entries()) {
        const v = views[i]!;
        // What it shows is the pod's own status and its bar in steps of 2 %, even when the object was kept.
        expect(t).toEqual(tileView(v, tick, null, 4096 * 256, true, -1));
        expect(t.status).toBe(podViewStatus(v));
        const old = prev.get(t.name);
        if (old && old !== t) {
          changes++;
          expect(old).not.toEqual(t);
        }
      }
      prev = new Map(tiles.map((t) => [t.name, t]));
    });
    expect(changes).toBeGreaterThan(0);
  });

  it('50 leaking pods at 10 Hz: their views change every tick, a tile only when its bar crosses a 2 % step', () => {
    let base: PodView | undefined;
    play(1, (views) => (base = views[0]));
    const cache = new TileCache();
    const last = new Map<string, TileView>();
    let podChanges = 0;
    let tileChanges = 0;
    const limit = 262_144; // 1 GiB in 4 KiB pages
    for (let tick = 1; tick <= 600; tick++) {
      const views: PodView[] = Array.from({ length: 50 }, (_, i) => {
        const leakPagesPerTick = ((i % 8) * 4 * 256) / 10; // (i % 8) × 4 MiB/s, as bench:client's bots
        if (leakPagesPerTick > 0) podChanges++;
        const used = 20_000 + Math.round(leakPagesPerTick * tick);
        return { ...base!, name: `pod-${i}`, slot: `s${i}`, limitPages: limit, usagePages: used, rssPages: used, cachePages: 0 };
      });
      for (const t of cache.update(views.map((v) => tileView(v, tick, null, limit, true, -1)))) {
        if (last.has(t.name) && last.get(t.name) !== t) tileChanges++;
        last.set(t.name, t);
      }
    }
    expect(podChanges).toBeGreaterThan(20_000);
    // Bars move in steps of 2 %: 20.5 MiB of a 1 GiB limit; the fastest pod (28 MiB/s) moves ~1.4 times a second.
    expect(tileChanges).toBeGreaterThan(100);
    expect(tileChanges).toBeLessThan(podChanges / 5);
  });

  it('labels, the kill flash window, MiB only on full tiles, and no tile kept for a pod that is gone', () => {
    let views: ReturnType<typeof podViewFromState>[] = [];
    let tick = 0;
    play(50, (v, t) => {
      views = v;
      tick = t;
    });
    const pod = views[0]!;
    expect(tileView(pod, tick, 'Ayesha', 1, true, -1).label).toBe('Ayesha');
    expect(tileView(pod, tick, null, 1, true, -1).label).toBe(pod.slot);
    // Three blinks in the 3 s after a kill: lit, dark, lit, dark, lit, dark (half a second each), then dark.
    const lit = Array.from({ length: 35 }, (_, since) => tileView(pod, tick, null, 1, true, tick - since).flash);
    expect(lit.map((on) => (on ? 1 : 0)).join('')).toBe('11111000001111100000111110000000000');
    expect(tileView(pod, tick, null, 1, true, -1).flash).toBe(false);
    expect(tileView(pod, tick, null, 1, true, -1).usedMiB).toBe(0);
    expect(tileView(pod, tick, null, 1, false, -1).usedMiB).toBeGreaterThan(0);

    const cache = new TileCache();
    const first = cache.update(views.map((v) => tileView(v, tick, null, 1, true, -1)));
    const again = cache.update(views.slice(1).map((v) => tileView(v, tick, null, 1, true, -1)));
    expect(again).toHaveLength(views.length - 1);
    expect(again.every((t, i) => t === first[i + 1])).toBe(true);
    // The dropped pod comes back as a fresh object (nothing of it was kept).
    const back = cache.update(views.map((v) => tileView(v, tick, null, 1, true, -1)));
    expect(back[0]).not.toBe(first[0]);
    expect(back[0]).toEqual(first[0]);
  });
  it('a pod waiting in CrashLoopBackOff changes its tile once a second (whole seconds on the ring and the number)', () => {
    let base: PodView | undefined;
    play(1, (views) => (base = views[0]));
    const cache = new TileCache();
    const seen = new Set<TileView>();
    for (let tick = 1000; tick <= 1100; tick++) {
      const view: PodView = { ...base!, reason: 'CrashLoopBackOff', restartAtTick: 1100, backoffSec: 10 };
      const [tile] = cache.update([tileView(view, tick, null, 262_144, true, -1)]);
      seen.add(tile!);
      expect(tile!.remainingSec).toBe(Math.ceil((1100 - tick) / 10));
    }
    // 10 s of waiting, 101 frames: 11 different tiles (10 s … 0 s).
    expect(seen.size).toBe(11);
  });
});
