import type { SimEvent } from '../../shared/sim/types.ts';

/**
 * Pure view builders: what each role sees of the simulation (shared/protocol/viewBuilders.ts builds each view). The
 * room computes each pod's view once per broadcast and diffs it against the last one, so per-client work is only
 * picking which diffs to send.
 */
export { nodeView, podView, refreshPodView } from '../../shared/protocol/viewBuilders.ts';

/**
 * The fields of `next` that differ from `prev` (all of them when there is no `prev`), or null when nothing
 * changed. Object-valued fields (pending, workload) are replaced whole in the simulation, so identity suffices.
 */
export function diff<T extends object>(prev: T | undefined, next: T): Partial<T> | null {
  if (!prev) return { ...next };
  let out: Partial<T> | null = null;
  for (const k in next) {
    if (prev[k] !== next[k]) {
      out ??= {};
      out[k] = next[k];
    }
  }
  return out;
}

/** Events worth a reliable message (everything but per-command rejections, which the sender's ack reports). */
export function isNotable(e: SimEvent): boolean {
  return e.type !== 'command_rejected';
}

/**
 * Whether a student with pod slot `slot` (null: spectator) should get an event: their own pod's events, and the
 * node-wide ones (pressure, traffic, node agents and readiness, a global or kubepods OOM kill, in which their pod was
 * a candidate).
 */
export function concernsStudent(e: SimEvent, slot: string | null): boolean {
  if (e.type === 'command_rejected') return false;
  if (e.type === 'memory_pressure' || e.type === 'traffic') return true;
  if (e.type === 'oom_kill' && e.constraint !== 'memcg') return true; // whole node or /kubepods.slice: every pod was a candidate
  if (e.type === 'node_ready' || e.type === 'daemon_down' || e.type === 'daemon_restarted') return true;
  return 'slot' in e && e.slot !== null && e.slot === slot;
}
