import type { PodState } from './types.ts';
import { TICKS_PER_SEC } from './units.ts';

// client-go/util/flowcontrol/backoff.go as the kubelet uses it (FIDELITY §6).
export const BACKOFF_INITIAL_SEC = 10;
export const BACKOFF_MAX_SEC = 300;
/** R3: an entry not renewed for 2 × max expires; the next crash counts as a first one. */
const EXPIRY_TICKS = 2 * BACKOFF_MAX_SEC * TICKS_PER_SEC;

/** hasExpired: no entry, or the entry was last renewed more than 600 s before `atTick`. */
function expired(pod: PodState, atTick: number): boolean {
  return pod.backoffSec === 0 || atTick - pod.backoffUpdatedTick > EXPIRY_TICKS;
}

/**
 * R1 (IsInBackOffSince): the tick at which the container may restart, keyed on its last finish; `tick` itself if it
 * may restart now.
 */
export function restartAllowedAt(pod: PodState, finishedTick: number, tick: number): number {
  // client-go measures expiry from the event (the finish), not from now.
  if (expired(pod, finishedTick)) return tick;
  const until = finishedTick + pod.backoffSec * TICKS_PER_SEC;
  return until > tick ? until : tick;
}

/** R2 (Next): renew the entry when a restart goes ahead: first 10 s, then doubled, at most 300 s. */
export function renewBackoff(pod: PodState, tick: number): void {
  pod.backoffSec = expired(pod, tick) ? BACKOFF_INITIAL_SEC : Math.min(pod.backoffSec * 2, BACKOFF_MAX_SEC);
  pod.backoffUpdatedTick = tick;
}
