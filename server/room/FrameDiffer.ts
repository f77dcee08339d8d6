import type { NodeView, PodView } from '../../shared/protocol/views.ts';
import type { PodState, SimState } from '../../shared/sim/types.ts';
import { diff, nodeView, podView } from './views.ts';

/** What changed between two broadcasts, computed once per room and shared by every recipient. */
export interface Frame {
  t: number;
  since: number;
  nodePatch: Partial<NodeView> | null;
  /** Changed fields per pod name (all fields for a pod new to the view). */
  patches: Map<string, Partial<PodView>>;
  gone: string[];
  /** Each slot's pod as activePod would pick it (first live pod, else the last one). */
  podOfSlot: Map<string, PodState>;
}

/**
 * Remembers the views the last frame described and turns the next state into a Frame: each pod's view is built
 * and diffed once per broadcast, so per-client work is only choosing which patches to send.
 */
export class FrameDiffer {
  #prevNode: NodeView | undefined;
  #prevPods = new Map<string, PodView>();
  #lastTick: number;

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
    return this.#prevPods.get(name);
  }

  /** `scoreOf` is the game's score for a slot (shared/game), the one source the leaderboard also uses. */
  next(s: SimState, ownerOf: (slot: string) => string | null, scoreOf: (slot: string) => number): Frame {
    const since = this.#lastTick;
    this.#lastTick = s.tick;
    const node = nodeView(s);
    const nodePatch = diff(this.#prevNode, node);
    this.#prevNode = node;

    const patches = new Map<string, Partial<PodView>>();
    const podOfSlot = new Map<string, PodState>();
    const seen = new Set<string>();
    for (const p of s.pods) {
      seen.add(p.name);
      const v = podView(s, p, ownerOf(p.slot), scoreOf(p.slot));
      const d = diff(this.#prevPods.get(p.name), v);
      this.#prevPods.set(p.name, v);
      if (d) patches.set(p.name, d);
      const cur = podOfSlot.get(p.slot);
      if (!cur || cur.phase === 'Failed' || cur.phase === 'Succeeded') podOfSlot.set(p.slot, p);
    }
    const gone: string[] = [];
    for (const name of this.#prevPods.keys()) if (!seen.has(name)) gone.push(name);
    for (const name of gone) this.#prevPods.delete(name);
    return { t: s.tick, since, nodePatch, patches, gone, podOfSlot };
  }
}
