import { podPatchText } from '../../shared/protocol/frames.ts';
import type { NodeView, PodView } from '../../shared/protocol/views.ts';
import type { PodState, SimState } from '../../shared/sim/types.ts';
import { diff, nodeView, podView, refreshPodView } from './views.ts';

/** What changed between two broadcasts, computed once per room and shared by every recipient. */
export interface Frame {
  t: number;
  since: number;
  nodePatch: Partial<NodeView> | null;
  /**
   * Changed fields per pod name (all fields for a pod new to the view), for the viewers' delta; null when the frame
   * was built without them (nobody views the room: its host and projector are away).
   */
  patches: Map<string, Partial<PodView>> | null;
  /** The same changes as a student's frame carries them (podPatchText), for pods with a change on the wire. */
  wires: Map<string, string>;
  gone: string[];
  /** Each slot's pod as activePod would pick it (first live pod, else the last one). */
  podOfSlot: Map<string, PodState>;
}

interface Seen {
  view: PodView;
  /** The frame that last saw this pod (a pod no frame saw since is gone). */
  frame: number;
}

/**
 * Remembers the views the last frame described and turns the next state into a Frame. Each pod's view is refreshed
 * in place once per broadcast, naming the fields that changed, so per-client work is only choosing which changes to
 * send, and a frame allocates only for what changed.
 */
export class FrameDiffer {
  #prevNode: NodeView | undefined;
  #prevPods = new Map<string, Seen>();
  #lastTick: number;
  #frame = 0;
  readonly #changed: (keyof PodView)[] = [];

  constructor(tick: number) {
    this.#lastTick = tick;
  }

  /** The tick of the last frame: a snapshot taken now is at this tick. */
  get lastTick(): number {
    return this.#lastTick;
  }

  /** Forget everything (after a reset): the next frame carries full views. */
  reset(tick: number): void {
    this.#prevNode = undefined;
    this.#prevPods.clear();
    this.#lastTick = tick;
  }

  /** The full view the last frame left a pod in (for a student whose pod was replaced). */
  view(name: string): PodView | undefined {
    return this.#prevPods.get(name)?.view;
  }

  /**
   * `scoreOf` is the game's score for a slot (shared/game), the one source the leaderboard also uses. `withPatches`:
   * whether the viewers' patches are wanted (the students' wire texts always are).
   */
  next(s: SimState, ownerOf: (slot: string) => string | null, scoreOf: (slot: string) => number, withPatches = true): Frame {
    const since = this.#lastTick;
    this.#lastTick = s.tick;
    const frame = ++this.#frame;
    const node = nodeView(s);
    const nodePatch = diff(this.#prevNode, node);
    this.#prevNode = node;

    const patches = withPatches ? new Map<string, Partial<PodView>>() : null;
    const wires = new Map<string, string>();
    const podOfSlot = new Map<string, PodState>();
    const changed = this.#changed;
    for (const p of s.pods) {
      const owner = ownerOf(p.slot);
      const score = scoreOf(p.slot);
      const seen = this.#prevPods.get(p.name);
      if (!seen) {
        const view = podView(s, p, owner, score);
        this.#prevPods.set(p.name, { view, frame });
        patches?.set(p.name, { ...view });
        const wire = podPatchText(view, Object.keys(view) as (keyof PodView)[]);
        if (wire) wires.set(p.name, wire);
      } else {
        seen.frame = frame;
        changed.length = 0;
        refreshPodView(seen.view, s, p, owner, score, changed);
        if (changed.length > 0) {
          patches?.set(p.name, pick(seen.view, changed));
          const wire = podPatchText(seen.view, changed);
          if (wire) wires.set(p.name, wire);
        }
      }
      const cur = podOfSlot.get(p.slot);
      if (!cur || cur.phase === 'Failed' || cur.phase === 'Succeeded') podOfSlot.set(p.slot, p);
    }
    const gone: string[] = [];
    if (this.#prevPods.size > s.pods.length) {
      for (const [name, seen] of this.#prevPods) if (seen.frame !== frame) gone.push(name);
      for (const name of gone) this.#prevPods.delete(name);
    }
    return { t: s.tick, since, nodePatch, patches, wires, gone, podOfSlot };
  }
}

/** The named fields of a view, as a patch. */
function pick(view: PodView, keys: readonly (keyof PodView)[]): Partial<PodView> {
  const out: Partial<PodView> = {};
  for (const k of keys) (out as Record<string, unknown>)[k] = view[k];
  return out;
}
