/**
 * The projector after a Wi-Fi blip: it attaches again and its snapshot brings the room's last 50 events, most of them
 * already shown. They must not print twice in the ticker, and the last kill must not be explained again as new;
 * what happened while it was away is shown once. Driven by the real simulation's events.
 */
import { describe, expect, it } from 'vitest';
import { feedLines } from '../../client/src/lib/feed.ts';
import { PresenterModel } from '../../client/src/present/PresenterModel.svelte.ts';
import { builtinScenario } from '../../shared/scenario/builtin.ts';
import { timelineByTick } from '../../shared/scenario/run.ts';
import { createSimulation } from '../../shared/sim/create.ts';
import { advance } from '../../shared/sim/step.ts';
import type { SimEvent } from '../../shared/sim/types.ts';

/** The worked example until `ticks`, each tick pushed to `model` with its events; returns every event, in order. */
function play(model: PresenterModel | null, ticks: number): SimEvent[] {
  const sc = builtinScenario('worked-example')!;
  const state = createSimulation(sc, { seed: 7 });
  const timeline = timelineByTick(sc);
  const all: SimEvent[] = [];
  for (let t = 1; t <= ticks; t++) {
    advance(state, timeline.get(t) ?? []);
    const events = state.events.filter((e) => e.type !== 'command_rejected');
    all.push(...events);
    model?.pushSim({ tick: state.tick, node: state.node, pods: state.pods, events });
  }
  return all;
}

/** The first tick by which the run has had an OOM kill and printed a dozen lines, and a later one with more events. */
function ticksWithKills(): { seen: number; later: number } {
  const all = play(null, 3000);
  const kills = all.filter((e) => e.type === 'oom_kill');
  expect(kills.length).toBeGreaterThan(1);
  const seen = Math.max(kills[0]!.tick, all[11]!.tick);
  const later = all.find((e) => e.tick > seen + 50)?.tick;
  expect(later).toBeDefined();
  return { seen, later: later! };
}

describe('the projector attaching again', () => {
  it('prints nothing twice and does not explain the last kill again; what it missed is printed once', () => {
    const { seen, later } = ticksWithKills();
    const model = new PresenterModel();
    const shown = play(model, seen);
    const feed = model.feed.map((l) => l.text);
    const kills = model.killCount;
    expect(kills).toBeGreaterThan(0);
    expect(feed.length).toBeGreaterThan(0);

    // The reconnect's snapshot: the room's last 50 events, all of them shown already.
    model.kill = null;
    model.addEvents(shown.slice(-50));
    expect(model.feed.map((l) => l.text)).toEqual(feed);
    expect(model.killCount).toBe(kills);
    expect(model.kill).toBeNull();

    // Later: the snapshot holds events the projector missed while away, after the ones it saw.
    const all = play(null, later);
    const missed = all.filter((e) => e.tick > seen);
    expect(missed.length).toBeGreaterThan(0);
    model.addEvents([...shown.slice(-10), ...missed].slice(-50));
    // As if it had never been away: every line once, in order (the ticker keeps the newest 40).
    const once = feedLines([...shown, ...missed]).map((l) => l.text);
    expect(model.feed.map((l) => l.text)).toEqual(once.slice(-40));
  });
});
