/**
 * The compact per-tick frames students and spectators receive (docs/protocol.md, "Frames"). A classroom sends ten
 * of these a second to every phone, so they carry only what changed, under short keys, without the fields a client
 * can rebuild (usage = rss + cache, working set = rss + active cache) or already knows (its pod's name and slot).
 * Host and presenter get a `Delta`: pods new to them in full, readable keys; changes as the same short patches.
 * Encoders run on the server, decoders in the client; both are pure and shared so they cannot drift, and
 * `studentFrameSchema` pins the shape in tests.
 */
import { z } from 'zod';
import { dict, type Dict } from '../util/dict.ts';
import type { LeaderboardRow, NodeView, PodView } from './views.ts';
import type { SimEvent } from '../sim/types.ts';

/** Node fields by their short wire key. */
export const NODE_KEYS = {
  name: 'nm',
  capacityPages: 'cp',
  reservedPages: 'rv',
  allocatablePages: 'al',
  requestedPages: 'rq',
  usedPages: 'u',
  availablePages: 'a',
  evictionThresholdPages: 'et',
  swapPages: 'sp',
  swapUsedPages: 'su',
  memoryPressure: 'mp',
  trafficMilli: 'tm',
  podCount: 'pc',
} as const satisfies Record<keyof NodeView, string>;

/**
 * Pod fields a patch may carry, by short key: a student's frame (`p`) and the viewers' delta (`p`) alike. Absent on
 * purpose: name and slot (a pod never changes them), usage and working set (derived).
 */
export const POD_KEYS = {
  owner: 'ow',
  phase: 'ph',
  phaseReason: 'pr',
  state: 'st',
  reason: 'rs',
  restarts: 'rc',
  qos: 'q',
  requestPages: 'rq',
  limitPages: 'lm',
  adj: 'a',
  adjOverride: 'ao',
  oomScore: 'os',
  rssPages: 'r',
  cachePages: 'c',
  cacheActivePages: 'ca',
  swapPages: 'sw',
  lastReason: 'lr',
  lastExitCode: 'lx',
  lastFinishedTick: 'lf',
  backoffSec: 'b',
  restartAtTick: 'ra',
  pending: 'pd',
  served: 'sv',
  dropped: 'dr',
  score: 's',
  dying: 'd',
  workload: 'w',
} as const satisfies Partial<Record<keyof PodView, string>>;

type NodeKey = (typeof NODE_KEYS)[keyof typeof NODE_KEYS];
type PodKey = (typeof POD_KEYS)[keyof typeof POD_KEYS];
/** A node patch on the wire: short keys, changed fields only. */
export type NodePatchWire = Partial<Record<NodeKey, unknown>>;
/** A pod patch on the wire: short keys, changed fields only. */
export type PodPatchWire = Partial<Record<PodKey, unknown>>;

/**
 * One tick for a student or spectator. `t` and `s` (since) chain frames as in a Delta: a frame whose `s` is not the
 * client's last `t` means a frame was missed, and the client asks `state:sync`. Everything else is optional.
 */
export interface StudentFrame {
  t: number;
  s: number;
  /** What changed on the node. */
  n?: NodePatchWire;
  /** What changed on the student's own pod. */
  p?: PodPatchWire;
  /** The student's pod was replaced: its new pod in full (readable keys), and the old one's name in `g`. */
  P?: PodView;
  g?: string;
  /** The student's leaderboard place changed: [rank, score] (0 = no place yet). */
  y?: [number, number] | 0;
  /**
   * The events of this frame's ticks that are the student's own (their pod's; their rows of a global OOM; the node's
   * conditions). In the frame rather than a message of their own: a lost frame breaks the chain, and the resync's
   * snapshot brings them back (`recentEvents`), so nothing is kept per student for connection-state recovery.
   */
  e?: SimEvent[];
}

/** A leaderboard row on the wire: [nickname, score, restarts] plus the slot when it differs from the nickname. */
export type LeaderboardRowWire = [string, number, number] | [string, number, number, string];

/** The room's top rows, the same for everyone in it (one broadcast); rank is the row's place. */
export interface LeaderboardWire {
  t: number;
  r: LeaderboardRowWire[];
}

const NODE_SHORT = new Map<string, string>(Object.entries(NODE_KEYS));
const POD_SHORT = new Map<string, string>(Object.entries(POD_KEYS));
const NODE_LONG = invert(NODE_SHORT);
const POD_LONG = invert(POD_SHORT);

function invert(m: ReadonlyMap<string, string>): Map<string, string> {
  return new Map([...m].map(([long, short]) => [short, long]));
}

function shorten(patch: object, keys: ReadonlyMap<string, string>): Dict<unknown> {
  const out = dict<unknown>();
  for (const [k, v] of Object.entries(patch)) {
    const short = keys.get(k);
    if (short !== undefined) out[short] = v;
  }
  return out;
}

function lengthen(wire: object, longOf: ReadonlyMap<string, string>): Dict<unknown> {
  const out = dict<unknown>();
  for (const [k, v] of Object.entries(wire)) {
    const long = longOf.get(k);
    if (long !== undefined) out[long] = v;
  }
  return out;
}

export function encodeNodePatch(patch: Partial<NodeView>): NodePatchWire {
  return shorten(patch, NODE_SHORT) as NodePatchWire;
}

export function decodeNodePatch(wire: NodePatchWire): Partial<NodeView> {
  return lengthen(wire, NODE_LONG) as Partial<NodeView>;
}

/**
 * A pod with a patch merged in (readable keys), its derived fields rebuilt: no patch carries them (only the full view
 * of a pod new to a client does), usage = rss + cache, working set = rss + active cache.
 */
export function mergePodPatch(pod: PodView, patch: Partial<PodView>): PodView {
  const next = { ...pod, ...patch };
  next.usagePages = next.rssPages + next.cachePages;
  next.workingSetPages = next.rssPages + next.cacheActivePages;
  return next;
}

/** A pod patch as frames and deltas carry it (short keys) merged into the pod it applies to, derived fields rebuilt. */
export function applyPodPatch(pod: PodView, wire: PodPatchWire): PodView {
  return mergePodPatch(pod, lengthen(wire, POD_LONG) as Partial<PodView>);
}

export function encodeLeaderboard(tick: number, rows: readonly LeaderboardRow[]): LeaderboardWire {
  return { t: tick, r: rows.map((r) => (r.slot === r.nickname ? [r.nickname, r.score, r.restarts] : [r.nickname, r.score, r.restarts, r.slot])) };
}

export function decodeLeaderboard(w: LeaderboardWire): { tick: number; rows: LeaderboardRow[] } {
  return { tick: w.t, rows: w.r.map((r, i) => ({ rank: i + 1, nickname: r[0], score: r[1], restarts: r[2], slot: r[3] ?? r[0] })) };
}

const patchOf = (keys: object) => z.strictObject(dict(Object.values(keys).map((k: string) => [k, z.unknown().optional()] as const)));

/** The frame's shape (tests check what each role receives against it; clients trust the server's types). */
export const studentFrameSchema = z.strictObject({
  t: z.number().int(),
  s: z.number().int(),
  n: patchOf(NODE_KEYS).optional(),
  p: patchOf(POD_KEYS).optional(),
  P: z.record(z.string(), z.unknown()).optional(),
  g: z.string().optional(),
  y: z.union([z.tuple([z.number().int(), z.number()]), z.literal(0)]).optional(),
  e: z.array(z.looseObject({ tick: z.number().int(), type: z.string() })).min(1).optional(),
});

export const leaderboardWireSchema = z.strictObject({
  t: z.number().int(),
  r: z.array(z.union([z.tuple([z.string(), z.number(), z.number()]), z.tuple([z.string(), z.number(), z.number(), z.string()])])),
});
