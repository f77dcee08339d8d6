/**
 * The frame differ (server/room/FrameDiffer.ts) keeps each pod's view between frames and asks for its owner and score
 * again only when the room's look-ups version moves. A teacher giving a seat to someone else while the clock runs
 * changes a pod's owner under a view it already has: the next frame must say so, to the viewers and in the view.
 * Its records are made again in pod order from time to time (locality, once pods have been replaced): the frames must
 * not tell.
 */
import { describe, expect, it } from 'vitest';
import { FrameDiffer, type FrameLookups } from '../../server/room/FrameDiffer.ts';
import { POD_KEYS } from '../../shared/protocol/frames.ts';
import { builtinScenarios } from '../../shared/scenario/builtin.ts';
import { createSimulation } from '../../shared/sim/create.ts';
import { advance } from '../../shared/sim/step.ts';
import type { Command } from '../../shared/sim/types.ts';

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

  it('a pod’s patch reads the same to its student whether or not a viewer watches (then it is written once, in the viewers’ delta)', () => {
    const name = [...builtinScenarios()].find(([, sc]) => sc.pods.length > 0)![0];
    const run = (viewed: boolean) => {
      const s = createSimulation(builtinScenarios().get(name)!, { seed: 3 });
      const lookups: FrameLookups = { version: 1, ownerOf: () => 'Ada', scoreOf: () => 5 };
      const differ = new FrameDiffer(s.tick);
      const patches: string[] = [];
      const viewerPs: string[] = [];
      for (let t = 0; t < 30; t++) {
        advance(s, []);
        differ.next(s, lookups, viewed);
        const seen = differ.podOf(s.pods[0]!.slot)!;
        // Watched, a known pod's change lives in the viewers' delta only (written once); alone, in the students' wires.
        if (t > 0 && seen.wireLen > 0) expect(seen.wireIn).toBe(viewed ? differ.viewerPatches : differ.wires);
        patches.push(seen.wireIn.toString(seen.wireAt, seen.wireAt + seen.wireLen));
        viewerPs.push(differ.viewerPatches.toString(1));
      }
      return { patches, viewerPs, pod: s.pods[0]!.name };
    };
    const alone = run(false);
    const watched = run(true);
    expect(watched.patches).toEqual(alone.patches);
    expect(alone.patches.filter((p) => p.length > 0).length).toBeGreaterThan(5);
    // Each tick's changes for the viewers hold the student's very bytes under the pod's name (the first frame's pods
    // are new to the viewers: they get them whole, under `pods`).
    watched.patches.forEach((patch, i) => {
      const p = JSON.parse(`{${watched.viewerPs[i]}}`) as Record<string, unknown>;
      if (patch.length > 0 && i > 0) expect(p[watched.pod]).toEqual(JSON.parse(patch));
      else expect(p[watched.pod]).toBeUndefined();
    });
  });
});

describe('the frame differ’s re-homing', () => {
  it('frames read the same, byte for byte, whether the records are made again at every chance or never', () => {
    const name = [...builtinScenarios()].find(([, sc]) => sc.pods.length >= 3)![0];
    const s = createSimulation(builtinScenarios().get(name)!, { seed: 11 });
    const slots = s.pods.map((p) => p.slot);
    let version = 1;
    const lookups: FrameLookups = {
      get version() {
        return version;
      },
      ownerOf: (sl) => `owner of ${sl}`,
      scoreOf: (sl) => sl.length + version,
    };
    const often = new FrameDiffer(s.tick, 1);
    const never = new FrameDiffer(s.tick, Infinity);
    const seenOf = (d: FrameDiffer, slot: string) => {
      const seen = d.podOf(slot);
      return seen && { name: seen.pod.name, view: { ...seen.view }, wire: seen.wireIn.toString(seen.wireAt, seen.wireAt + seen.wireLen) };
    };
    let replaced = 0;
    // A pod that stays gets a new record at a re-home (what re-homing is for), and keeps its record otherwise.
    const first = slots[0]!;
    let movedOften = 0;
    let movedNever = 0;
    for (let t = 0; t < 200; t++) {
      // Pods replaced (new resources recreate them), killed and restarted; scores published now and then.
      const commands: Command[] = [];
      if (t % 7 === 3) commands.push({ type: 'set_resources', pod: slots[t % slots.length]!, requestMiB: 64 + t, limitMiB: 512 + t });
      if (t % 11 === 5) commands.push({ type: 'kill', pod: slots[(t + 1) % slots.length]! });
      const before = new Set(s.pods.map((p) => p.name));
      advance(s, commands);
      replaced += s.pods.filter((p) => !before.has(p.name)).length;
      if (t % 10 === 0) version++;
      const [wasOften, wasNever] = [often.podOf(first), never.podOf(first)];
      const a = often.next(s, lookups, t % 3 !== 0);
      const b = never.next(s, lookups, t % 3 !== 0);
      expect(a).toEqual(b);
      expect(often.wires.toString(0)).toBe(never.wires.toString(0));
      expect(often.viewerPods.toString(0)).toBe(never.viewerPods.toString(0));
      expect(often.viewerPatches.toString(0)).toBe(never.viewerPatches.toString(0));
      for (const slot of slots) expect(seenOf(often, slot)).toEqual(seenOf(never, slot));
      const samePod = (was: ReturnType<FrameDiffer['podOf']>, d: FrameDiffer) => was !== undefined && was.pod === d.podOf(first)?.pod;
      if (samePod(wasOften, often) && often.podOf(first) !== wasOften) movedOften++;
      if (samePod(wasNever, never) && never.podOf(first) !== wasNever) movedNever++;
    }
    // The case did what it is for: pods were replaced, the records made again many times (and never, for the other).
    expect(replaced).toBeGreaterThan(20);
    expect(often.rehomes).toBeGreaterThan(20);
    expect(never.rehomes).toBe(0);
    expect(movedOften).toBeGreaterThan(10);
    expect(movedNever).toBe(0);
  });
});
