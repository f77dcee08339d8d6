/**
 * The host's and projector's copy of the room (client/src/lib/RoomMirror.svelte.ts): deltas apply in order, a
 * known pod's change merges as a patch of short keys, and a delta it cannot apply (it does not follow the last one,
 * or patches a pod it does not have) changes nothing and says so, so the page asks for a snapshot.
 */
import { describe, expect, it } from 'vitest';
import { RoomMirror } from '../../client/src/lib/RoomMirror.svelte.ts';
import { createSimulation } from '../../shared/sim/create.ts';
import { builtinScenario } from '../../shared/scenario/builtin.ts';
import { nodeView, podView } from '../../shared/protocol/viewBuilders.ts';
import type { Delta, PodView, Snapshot } from '../../shared/protocol/views.ts';

function snapshot(): Snapshot {
  const s = createSimulation(builtinScenario('eviction')!, { seed: 3 });
  const pods = Object.create(null) as Record<string, PodView>;
  for (const p of s.pods) pods[p.name] = podView(s, p, null, 0);
  return { tick: 10, node: nodeView(s), pods } as unknown as Snapshot;
}

describe('RoomMirror.applyDelta', () => {
  it('merges a known pod’s patch and adds new pods', () => {
    const m = new RoomMirror();
    const snap = snapshot();
    m.applySnapshot(snap);
    const [first] = Object.keys(snap.pods);
    const fresh = { ...snap.pods[first!]!, name: 'new-pod', slot: 'c' };
    expect(m.applyDelta({ t: 11, since: 10, p: { [first!]: { r: 1234 } }, pods: { 'new-pod': fresh } } as unknown as Delta)).toBe(true);
    expect(m.tick).toBe(11);
    expect(m.pods.find((p) => p.name === first)!.rssPages).toBe(1234);
    expect(m.pods.map((p) => p.name)).toContain('new-pod');
  });

  it('refuses, changing nothing, a patch of a pod it does not have, or a delta that does not follow its last one', () => {
    const m = new RoomMirror();
    m.applySnapshot(snapshot());
    const before = { tick: m.tick, node: m.node, pods: m.pods };
    const [first] = m.pods.map((p) => p.name);
    const unknownPod = { t: 11, since: 10, node: { usedPages: 1 }, p: { [first!]: { r: 1 }, 'not-here': { r: 5 } } };
    expect(m.applyDelta(unknownPod as unknown as Delta)).toBe(false);
    // A name on the object's prototype is not a pod either, even beside a `pods` object (parsed JSON has one).
    expect(m.applyDelta(JSON.parse('{"t":11,"since":10,"pods":{},"p":{"constructor":{"r":5}}}') as Delta)).toBe(false);
    expect(m.applyDelta({ t: 11, since: 10, p: { constructor: { r: 5 } } } as unknown as Delta)).toBe(false);
    expect(m.applyDelta({ t: 12, since: 11, p: { [first!]: { r: 1 } } } as unknown as Delta)).toBe(false);
    expect({ tick: m.tick, node: m.node, pods: m.pods }).toEqual(before);
    expect(m.pods).toBe(before.pods);
  });
});
