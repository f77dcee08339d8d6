import type { NodeState, PodState, SimState } from './types.ts';

/**
 * H1: a 64-bit (two 32-bit lanes) hash of the whole state but its per-tick events, cheap enough for every tick.
 * Pods are walked field by field from fixed key lists (the compiler checks the lists cover every field, so a new
 * field cannot be left out of the hash); immutable sub-objects (specs) and strings are hashed once and cached.
 */
export function stateHash(state: SimState): string {
  A = 0x811c9dc5;
  B = 0x9e3779b1;
  for (const key of STATE_KEYS) {
    if (key === 'node') mixNode(state.node);
    else if (key === 'pods') {
      mix(state.pods.length);
      for (const p of state.pods) mixPod(p);
    } else if (key === 'events') continue;
    else mixValue(state[key]);
  }
  return (A >>> 0).toString(16).padStart(8, '0') + (B >>> 0).toString(16).padStart(8, '0');
}

const STATE_KEYS = ['simVersion', 'tick', 'seed', 'rng', 'nextUid', 'nextPid', 'node', 'pods', 'events'] as const;

export const POD_NUMBERS = [
  'uid', 'createdTick', 'scheduledTick', 'pid', 'startedTick', 'restartCount', 'backoffSec', 'backoffUpdatedTick',
  'restartAtTick', 'lastWaitSec', 'anonPages', 'fileRssPages', 'cacheInactivePages', 'cacheActivePages', 'swapPages',
  'leakedPages', 'arrivalMilli', 'batchWaitTicks', 'batchLoadedPages', 'batchRemainingPages', 'requestsServed',
  'requestsDropped', 'batchesDone', 'eventsMax', 'eventsOom', 'eventsOomKill', 'failcnt',
] as const;
export const POD_STRINGS = ['slot', 'name', 'phase', 'cState', 'phaseReason', 'phaseMessage', 'cWaitingReason', 'schedMessage'] as const;
export const POD_ARRAYS = ['inflightPages', 'inflightReqs'] as const;
export const POD_OBJECTS = ['spec', 'cTerminated', 'lastState', 'pending'] as const;
export const POD_BOOLEANS = ['dying', 'noVictimReported'] as const;

type Covered<T> = Exclude<keyof T, (typeof POD_NUMBERS | typeof POD_STRINGS | typeof POD_ARRAYS | typeof POD_OBJECTS | typeof POD_BOOLEANS)[number]>;
// Fails to compile if PodState gains a field that the lists above do not name.
const podKeysComplete: [Covered<PodState>] extends [never] ? true : Covered<PodState> = true;
void podKeysComplete;
const stateKeysComplete: [Exclude<keyof SimState, (typeof STATE_KEYS)[number]>] extends [never] ? true : never = true;
void stateKeysComplete;

let A = 0;
let B = 0;

function mix(x: number): void {
  A = Math.imul(A ^ x, 0x01000193);
  B = Math.imul(B ^ x, 0x5bd1e995);
  B ^= B >>> 15;
}

function mixNumber(n: number): void {
  if ((n | 0) === n) {
    mix(n);
    return;
  }
  // Non-integers and integers beyond 32 bits: the high and low words, and the fraction's digits.
  mix(0x7f4a7c15);
  mix(Math.floor(n / 4294967296) | 0);
  mix(n >>> 0);
  mix(stringHash(String(n)));
}

const strings = new Map<string, number>();
/** FNV-1a of a string, memoised: pod names and reasons repeat every tick. */
function stringHash(s: string): number {
  let h = strings.get(s);
  if (h !== undefined) return h;
  h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  if (strings.size > 10_000) strings.clear();
  strings.set(s, h);
  return h;
}

const objects = new WeakMap<object, number>();
/** The hash of an immutable sub-object (spec, terminated info, pending change), memoised by identity. */
function objectHash(o: object): number {
  let h = objects.get(o);
  if (h !== undefined) return h;
  const [a, b] = [A, B];
  A = 0x12345678;
  B = 0x9abcdef0;
  mixValue(o);
  h = A ^ Math.imul(B, 31);
  [A, B] = [a, b];
  objects.set(o, h);
  return h;
}

/**
 * A pod, field by field in the lists' order (POD_NUMBERS, then the strings, arrays, objects and booleans: the order
 * every recording's hashes were made in), written out rather than looped over the lists: a loop reads `p[k]` with a
 * key that changes every step, a slow keyed load on each of 43 fields of every pod (a tenth of a room's tick on a
 * hash tick). `test/unit/sim/hash.test.ts` checks that every listed field moves the hash; the golden runs pin its
 * values.
 */
function mixPod(p: PodState): void {
  mix(p.uid);
  mix(p.createdTick);
  mix(p.scheduledTick);
  mix(p.pid);
  mix(p.startedTick);
  mix(p.restartCount);
  mix(p.backoffSec);
  mix(p.backoffUpdatedTick);
  mix(p.restartAtTick);
  mix(p.lastWaitSec);
  mix(p.anonPages);
  mix(p.fileRssPages);
  mix(p.cacheInactivePages);
  mix(p.cacheActivePages);
  mix(p.swapPages);
  mix(p.leakedPages);
  mix(p.arrivalMilli);
  mix(p.batchWaitTicks);
  mix(p.batchLoadedPages);
  mix(p.batchRemainingPages);
  mix(p.requestsServed);
  mix(p.requestsDropped);
  mix(p.batchesDone);
  mix(p.eventsMax);
  mix(p.eventsOom);
  mix(p.eventsOomKill);
  mix(p.failcnt);
  mixString(p.slot);
  mixString(p.name);
  mixString(p.phase);
  mixString(p.cState);
  mixString(p.phaseReason);
  mixString(p.phaseMessage);
  mixString(p.cWaitingReason);
  mixString(p.schedMessage);
  mixNumbers(p.inflightPages);
  mixNumbers(p.inflightReqs);
  mixObject(p.spec);
  mixObject(p.cTerminated);
  mixObject(p.lastState);
  mixObject(p.pending);
  mix(p.dying ? 1 : 2);
  mix(p.noVictimReported ? 1 : 2);
}

function mixString(v: string | null): void {
  mix(v === null ? 0x4e554c4c : stringHash(v));
}

function mixNumbers(arr: readonly number[]): void {
  mix(arr.length);
  for (let i = 0; i < arr.length; i++) mix(arr[i]!);
}

function mixObject(v: object | null): void {
  mix(v === null ? 0x4e554c4c : objectHash(v));
}

function mixNode(n: NodeState): void {
  mixValue(n);
}

/** The generic walk for small or rare values: type tag, then content, keys in insertion order. */
function mixValue(v: unknown): void {
  if (v === null) return mix(0x4e554c4c);
  if (v === undefined) return mix(0x554e4446);
  switch (typeof v) {
    case 'number':
      mix(1);
      return mixNumber(v);
    case 'string':
      mix(2);
      return mix(stringHash(v));
    case 'boolean':
      return mix(v ? 3 : 4);
    default:
      break;
  }
  if (Array.isArray(v)) {
    mix(5);
    mix(v.length);
    for (const x of v) mixValue(x);
    return;
  }
  mix(6);
  const o = v as Record<string, unknown>;
  for (const key in o) {
    mix(stringHash(key));
    mixValue(o[key]);
  }
}
