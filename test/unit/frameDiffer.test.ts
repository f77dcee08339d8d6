/**
 * The frame differ (server/room/FrameDiffer.ts) keeps each pod's view between frames and asks for its owner and score
 * again only when the room's look-ups version moves. A teacher giving a seat to someone else while the clock runs
 * changes a pod's owner under a view it already has: the next frame must say so, to the viewers and in the view.
 */
import { describe, expect, it } from 'vitest';
import { FrameDiffer, type FrameLookups } from '../../server/room/FrameDiffer.ts';
import { POD_KEYS } from '../../shared/protocol/frames.ts';
import { builtinScenarios } from '../../shared/scenario/builtin.ts';
import { createSimulation } from '../../shared/sim/create.ts';
import { advance } from '../../shared/sim/step.ts';

describe('the frame differ’s look-ups', () => {
  it('a pod’s new owner and score reach its view and the viewers’ delta once the version moves, not before', () => {
    const name = [...builtinScenarios()].find(([, sc]) => sc.pods.length > 0)![0];
    const s = createSimulation(builtinScenarios().get(name)!, { seed: 3 });
    advance(s, []);
    const slot = s.pods[0]!.slot;
    const lookups: FrameLookups = { version: 1, ownerOf: (sl) => (sl === slot ? 'Ada' : null), scoreOf: () => 5 };
    const differ = new FrameDiffer(s.tick);
    differ.next(s, lookups);
    expect(differ.podOf(slot)!.view).toMatchObject({ owner: 'Ada', score: 5 });

    // The answers change but the version does not: the differ does not ask (that is what saves the look-ups).
    lookups.ownerOf = (sl) => (sl === slot ? 'Ben' : null);
    lookups.scoreOf = () => 9;
    advance(s, []);
    differ.next(s, lookups);
    expect(differ.podOf(slot)!.view).toMatchObject({ owner: 'Ada', score: 5 });

    lookups.version = 2;
    advance(s, []);
    differ.next(s, lookups);
    expect(differ.podOf(slot)!.view).toMatchObject({ owner: 'Ben', score: 9 });
    // The viewers' delta carries the change as a student's frame does (short keys).
    const patches = JSON.parse(`{${differ.viewerPatches.toString(1)}}`) as Record<string, Record<string, unknown>>;
    expect(patches[differ.podOf(slot)!.pod.name]).toMatchObject({ [POD_KEYS.owner]: 'Ben', [POD_KEYS.score]: 9 });
  });
});
