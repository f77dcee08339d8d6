import { POD_KEYS, type StudentFrame } from '../../shared/protocol/frames.ts';
import type { PodView } from '../../shared/protocol/views.ts';
import { bytesOf, type JsonBytes } from './JsonBytes.ts';

/** Each wire field's `"key":` as bytes, so a patch is written without building its object first. */
const POD_WIRE_HEAD = new Map<string, Uint8Array>(Object.entries(POD_KEYS).map(([long, short]) => [long, bytesOf(JSON.stringify(short) + ':')]));

const OPEN = 0x7b; // {
const COMMA = 0x2c;
const CLOSE = 0x7d; // }

/**
 * A pod patch as the student's frame carries it (`{"r":…,"c":…}`, short keys, POD_KEYS), straight from a view and
 * the names of its fields that changed (the first `count` of `changed`). Returns the bytes written: 0 when none of
 * the fields is on the wire (a change of only derived fields needs no frame field).
 */
export function writePodPatch(
  out: JsonBytes,
  view: PodView,
  changed: readonly (keyof PodView)[],
  count: number = changed.length,
): number {
  const start = out.len;
  for (let i = 0; i < count; i++) {
    const k = changed[i]!;
    const head = POD_WIRE_HEAD.get(k);
    if (head === undefined) continue;
    out.byte(out.len === start ? OPEN : COMMA);
    out.raw(head);
    out.value(view[k]);
  }
  if (out.len === start) return 0;
  out.byte(CLOSE);
  return out.len - start;
}

/**
 * A pod new to the viewers' delta, in full under the view's own keys: `,"<name>":{…}` (`key` is `"<name>":`). A new
 * pod is rare (a join, a restart under new resources), so it is simply its view's JSON.
 */
export function writeViewerPod(out: JsonBytes, key: Uint8Array, view: PodView): void {
  out.byte(COMMA);
  out.raw(key);
  out.text(JSON.stringify(view));
}

/** The head of a changed pod's member of the viewers' delta `p`, `,"<name>":`; writePodPatch writes the rest. */
export function viewerPodKey(out: JsonBytes, key: Uint8Array): void {
  out.byte(COMMA);
  out.raw(key);
}

/** The part of a tick's frame every student of a room shares, as JSON bytes left open for their own part. */
export function writeSharedFrame(out: JsonBytes, shared: StudentFrame): void {
  const json = JSON.stringify(shared);
  out.text(json.slice(0, -1));
}

/**
 * A student's own part of a frame: their pod's change (bytes from writePodPatch) or replacement, and their place.
 * One object of one shape, filled again for each student of a tick (see ownFrameBytes).
 */
export interface OwnFrameBytes {
  /** Their pod's patch: `patchLen` bytes of `patch` from `patchAt` (null: no change on the wire). */
  patch: Uint8Array | null;
  patchAt: number;
  patchLen: number;
  /** Their pod was replaced: the new pod in full, and the old one's name. */
  P: PodView | null;
  g: string | null;
  /** Their leaderboard place moved. */
  y: [number, number] | 0 | null;
  /**
   * The events of this frame that are theirs (their pod's, their rows of a global OOM, the node's readiness and
   * daemons; pressure and traffic go to every phone in one broadcast), as the JSON text of an array.
   */
  e: string | null;
}

/** An own part with nothing in it (a spectator's frame), or to fill. */
export function ownFrameBytes(): OwnFrameBytes {
  return { patch: null, patchAt: 0, patchLen: 0, P: null, g: null, y: null, e: null };
}

const P_KEY = bytesOf(',"p":');
const FULL_KEY = bytesOf(',"P":');
const GONE_KEY = bytesOf(',"g":');
const PLACE_KEY = bytesOf(',"y":');
const EVENTS_KEY = bytesOf(',"e":');

/** A student's whole frame: the shared part (from writeShared) closed with their own; the same JSON as the object form. */
export function writeStudentFrame(out: JsonBytes, shared: JsonBytes, own: OwnFrameBytes): void {
  out.copy(shared.buf, 0, shared.len);
  if (own.patch !== null) {
    out.raw(P_KEY);
    out.copy(own.patch, own.patchAt, own.patchLen);
  }
  if (own.P !== null) {
    out.raw(FULL_KEY);
    out.text(JSON.stringify(own.P));
  }
  if (own.g !== null) {
    out.raw(GONE_KEY);
    out.text(JSON.stringify(own.g));
  }
  if (own.y !== null) {
    out.raw(PLACE_KEY);
    out.text(JSON.stringify(own.y));
  }
  if (own.e !== null) {
    out.raw(EVENTS_KEY);
    out.text(own.e);
  }
  out.byte(CLOSE);
}

const DELTA_HEAD = bytesOf('{"t":');
const SINCE_KEY = bytesOf(',"since":');
const NODE_KEY = bytesOf(',"node":');
const PODS_KEY = bytesOf(',"pods":{');
const PATCHES_KEY = bytesOf(',"p":{');
const GONE_PODS_KEY = bytesOf(',"gone":');

/**
 * The viewers' Delta (host and projector) as JSON bytes: the frame's node patch, the pods new to it and the changed
 * pods' patches (members written by writeViewerPod, or viewerPodKey then writePodPatch, each starting with a comma
 * to drop; an object with none is left out), the names gone.
 */
export function writeViewerDelta(
  out: JsonBytes,
  f: { t: number; since: number; nodePatch: object | null; gone: readonly string[] },
  pods: JsonBytes,
  patches: JsonBytes,
): void {
  out.raw(DELTA_HEAD);
  out.value(f.t);
  out.raw(SINCE_KEY);
  out.value(f.since);
  if (f.nodePatch) {
    out.raw(NODE_KEY);
    out.text(JSON.stringify(f.nodePatch));
  }
  writeMembers(out, PODS_KEY, pods);
  writeMembers(out, PATCHES_KEY, patches);
  if (f.gone.length > 0) {
    out.raw(GONE_PODS_KEY);
    out.text(JSON.stringify(f.gone));
  }
  out.byte(CLOSE);
}

/** `,"<key>":{` and the members, their first comma dropped, then `}`; nothing when there are none. */
function writeMembers(out: JsonBytes, head: Uint8Array, members: JsonBytes): void {
  if (members.len === 0) return;
  out.raw(head);
  out.copy(members.buf, 1, members.len - 1);
  out.byte(CLOSE);
}
