import type { PodState } from '../../shared/sim/types.ts';

/**
 * A pod's score on the leaderboard. The one place scoring is decided, so the game rules (shared/game/) can
 * replace it: for now, requests served (a pod that stays up and serves wins).
 */
export function podScore(pod: PodState): number {
  return pod.requestsServed;
}
