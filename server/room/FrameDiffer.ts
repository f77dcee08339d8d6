import type { NodeView, PodView } from '../../shared/protocol/views.ts';
import type { PodState, SimState } from '../../shared/sim/types.ts';
import { bytesOf, JsonBytes } from './JsonBytes.ts';
import { viewerPodKey, writePodPatch, writeViewerPod } from './frameBytes.ts';
import type { ChangedFields } from '../../shared/protocol/viewBuilders.ts';
import { diff, nodeView, podView, refreshPodView } from './views.ts';

/** One pod as the frames describe it. */
export interface SeenPod {
  /** The pod's object: the server advances its state in place, so a pod keeps its object from tick to tick. */
  pod: PodState;
  /** Its full view as of the last frame. */
  view: PodView;
  /** The frame that last saw this pod (a pod no frame saw since is gone). */
  frame: number;
  /**
   * The last frame's change as a student's frame carries it (writePodPatch): `wireLen` bytes of `wireIn` (the
   * differ's `wires`, or its `viewerPatches` when the viewers' delta carries them) from `wireAt`; 0 when nothing on
   * the wire changed.
   */
  wireIn: JsonBytes;
  wireAt: number;
  wireLen: number;
  /** The look-ups version its owner and score were read at (see `next`). */
  lookups: number;
  /** Its slot's pick, shared by every pod of the slot. */
  readonly pick: SlotPick;
  /** `"<name>":` as bytes, for the viewers' delta. */
  readonly key: Uint8Array;
}

/**
 * How often, in frames, the records are made again in pod order once pods have come and gone (see `#rehome`): every
 * 5 s at 10 Hz, about 50 small objects a room each time.
 */
export const REHOME_EVERY_FRAMES = 50;

/**
 * A record, built here only: both places that make records (a new pod, a re-home) then give it one field order, so
 * every record has one hidden class and the frame's loop reads them through monomorphic loads.
 */
function seenPod(r: SeenPod): SeenPod {
  return {
    pod: r.pod,
    view: r.view,
    frame: r.frame,
    wireIn: r.wireIn,
    wireAt: r.wireAt,
    wireLen: r.wireLen,
    lookups: r.lookups,
    pick: r.pick,
    key: r.key,
  };
}

/** Which pod of a slot a student sees: activePod's choice (first live pod, else the last one) as of `frame`. */
interface SlotPick {
  seen: SeenPod | null;
  frame: number;
}

/** What changed between two broadcasts, computed once per room and shared by every recipient. */
export interface Frame {
  t: number;
  since: number;
  /** This frame's number: `podOf` answers for it. */
  frame: number;
  nodePatch: Partial<NodeView> | null;
  /**
   * Whether the viewers' delta was written: each pod new to the view in full as a member of its `pods` object (the
   * differ's `viewerPods`), each changed pod's patch as a member of its `p` object (`viewerPatches`, the same bytes as
   * a student's `p`). False when nobody views the room (its host and projector are away).
   */
  viewed: boolean;
  gone: string[];
}

/** A room's owner and score of each slot, and a number that changes whenever either answer may have. */
export interface FrameLookups {
  version: number;
  ownerOf(slot: string): string | null;
  scoreOf(slot: string): number;
}

/**
 * Remembers the views the last frame described and turns the next state into a Frame. Each pod's view is refreshed
 * in place once per broadcast, naming the fields that changed, so per-client work is only choosing which changes to
 * send, and a frame allocates only for what changed.
 *
 * Ten times a second per room, with every other room's work passing through the CPU caches in between: each pod's
 * record is found by its place in the state's pod list (a name look-up only when the list changed), its owner and
 * score are asked again only when the room says they may have changed, and what a student's frame needs (the pod's
 * pick for its slot, its wire text) is kept on the records, not in maps built every frame.
 */
export class FrameDiffer {
  #prevNode: NodeView | undefined;
  #prevPods = new Map<string, SeenPod>();
  /** The record of the pod at each place of the state's pod list, as the last frame found it. */
  #at: (SeenPod | undefined)[] = [];
  #picks = new Map<string, SlotPick>();
  #lastTick: number;
  #frame = 0;
  readonly #rehomeEvery: number;
  /** Records made for new pods since the last re-home, and the frame of that re-home. */
  #made = 0;
  #rehomedAt = 0;
  #rehomes = 0;
  readonly #changed: ChangedFields = { keys: [], count: 0 };
  /** The last frame's pod patches that the viewers' delta does not carry, as bytes (see SeenPod.wireAt). */
  readonly wires = new JsonBytes(4096);
  /** The last frame's `,"<name>":{…}` members of the viewers' delta: pods new to it, changes (see Frame.viewed). */
  readonly viewerPods = new JsonBytes(8192);
  readonly viewerPatches = new JsonBytes(4096);

  /** `rehomeEvery`: frames between two re-homes at most (tests pass 1 to re-home at every frame that allows it). */
  constructor(tick: number, rehomeEvery = REHOME_EVERY_FRAMES) {
    this.#lastTick = tick;
    this.#rehomeEvery = rehomeEvery;
  }

  /** How many times the records were made again (tests). */
  get rehomes(): number {
    return this.#rehomes;
  }

  /** The tick of the last frame: a snapshot taken now is at this tick. */
  get lastTick(): number {
    return this.#lastTick;
  }

  /** Forget everything (after a reset): the next frame carries full views. */
  reset(tick: number): void {
    this.#prevNode = undefined;
    this.#prevPods.clear();
    this.#at = [];
    this.#picks.clear();
    this.#lastTick = tick;
  }

  /** The pod a student of `slot` sees in the last frame, or undefined when the slot has none. */
  podOf(slot: string): SeenPod | undefined {
    const pick = this.#picks.get(slot);
    return pick !== undefined && pick.frame === this.#frame && pick.seen !== null ? pick.seen : undefined;
  }

  /**
   * `lookups` gives each slot's owner and the game's score for it (shared/game, the one source the leaderboard also
   * uses); they are asked again for a pod only when `lookups.version` moved. `viewed`: whether the viewers' delta is
   * wanted (the students' patches always are).
   */
  next(s: SimState, lookups: FrameLookups, viewed = true): Frame {
    const since = this.#lastTick;
    this.#lastTick = s.tick;
    const frame = ++this.#frame;
    const node = nodeView(s);
    const nodePatch = diff(this.#prevNode, node);
    this.#prevNode = node;

    const viewerPods = this.viewerPods;
    const viewerPatches = this.viewerPatches;
    viewerPods.len = 0;
    viewerPatches.len = 0;
    const changed = this.#changed;
    const at = this.#at;
    const pods = s.pods;
    const version = lookups.version;
    const wires = this.wires;
    wires.len = 0;
    if (at.length > pods.length) at.length = pods.length;
    for (let i = 0; i < pods.length; i++) {
      const p = pods[i]!;
      let seen = at[i];
      if (seen === undefined || seen.pod !== p) {
        seen = this.#prevPods.get(p.name);
        if (seen !== undefined) seen.pod = p;
        at[i] = seen;
      }
      if (seen === undefined) {
        const view = podView(s, p, lookups.ownerOf(p.slot), lookups.scoreOf(p.slot));
        const key = bytesOf(JSON.stringify(p.name) + ':');
        seen = seenPod({ pod: p, view, frame, wireIn: wires, wireAt: wires.len, wireLen: 0, lookups: version, pick: this.#pickFor(p.slot), key });
        this.#prevPods.set(p.name, seen);
        this.#made++;
        at[i] = seen;
        if (viewed) writeViewerPod(viewerPods, key, view);
        seen.wireLen = writePodPatch(wires, view, Object.keys(view) as (keyof PodView)[]);
      } else {
        seen.frame = frame;
        let owner = seen.view.owner;
        let score = seen.view.score;
        if (seen.lookups !== version) {
          owner = lookups.ownerOf(p.slot);
          score = lookups.scoreOf(p.slot);
          seen.lookups = version;
        }
        refreshPodView(seen.view, s, p, owner, score, changed);
        seen.wireLen = 0;
        if (changed.count > 0) {
          // The viewers get the very bytes a student's frame carries for the pod: written once, in their delta's `p`
          // after the pod's key, and the student's frame copies them from there (a change of no wire field is taken
          // back, key and all).
          const out = viewed ? viewerPatches : wires;
          const mark = out.len;
          if (viewed) viewerPodKey(out, seen.key);
          seen.wireIn = out;
          seen.wireAt = out.len;
          seen.wireLen = writePodPatch(out, seen.view, changed.keys, changed.count);
          if (seen.wireLen === 0) out.len = mark;
        }
      }
      const slotPick = seen.pick;
      const cur = slotPick.frame === frame ? slotPick.seen : null;
      if (cur === null || cur.pod.phase === 'Failed' || cur.pod.phase === 'Succeeded') {
        slotPick.seen = seen;
        slotPick.frame = frame;
      }
    }
    const gone: string[] = [];
    if (this.#prevPods.size > pods.length) {
      for (const [name, seen] of this.#prevPods) if (seen.frame !== frame) gone.push(name);
      for (const name of gone) this.#prevPods.delete(name);
    }
    if (this.#made > 0 && frame - this.#rehomedAt >= this.#rehomeEvery) this.#rehome(s);
    return { t: s.tick, since, frame, nodePatch, viewed, gone };
  }

  /**
   * Make every record again, with its view, key and slot pick, one pod after the other in the state's order. A frame
   * reads each pod's record, view, key and pick from memory that other rooms' work has pushed out of the caches; made
   * together at a room's start they lie side by side and come in together. Pods replaced as the students change
   * their limits and ship their fixes (every pod several times in a class) get records made between everything else
   * the server allocates, and the differ took 2–3 times as long to find them (`npm run bench:tick`, cold caches).
   * Made again here, each pod's objects lie together once more (the differ a third faster with commands). The views
   * are built again from the state they were just refreshed from, so they equal the old ones; a slot without pods
   * loses its pick (podOf answers the same).
   */
  #rehome(s: SimState): void {
    this.#made = 0;
    this.#rehomedAt = this.#frame;
    this.#rehomes++;
    const picks = new Map<string, SlotPick>();
    const prevPods = new Map<string, SeenPod>();
    const at = this.#at as SeenPod[];
    for (let i = 0; i < at.length; i++) {
      const old = at[i]!;
      const slot = old.pod.slot;
      let pick = picks.get(slot);
      if (pick === undefined) {
        pick = { seen: null, frame: old.pick.frame };
        picks.set(slot, pick);
      }
      const view = podView(s, old.pod, old.view.owner, old.view.score);
      const seen = seenPod({ ...old, view, pick, key: old.key.slice() });
      if (old.pick.seen === old) pick.seen = seen;
      prevPods.set(old.pod.name, seen);
      at[i] = seen;
    }
    this.#prevPods = prevPods;
    this.#picks = picks;
  }

  #pickFor(slot: string): SlotPick {
    let pick = this.#picks.get(slot);
    if (pick === undefined) {
      pick = { seen: null, frame: 0 };
      this.#picks.set(slot, pick);
    }
    return pick;
  }
}
