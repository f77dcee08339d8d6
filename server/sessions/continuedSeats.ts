import { isStrategy } from '../../shared/game/strategies.ts';
import type { HostActionLine } from '../../shared/recording/format.ts';
import { activePod } from '../../shared/sim/podLifecycle.ts';
import type { SimState } from '../../shared/sim/types.ts';

import type { ContinuedSeat } from '../room/participants.ts';

export type { ContinuedSeat };

/**
 * The seats at a replay's moment (docs/recording-format.md, RS3): from the join actions up to it, minus the banned
 * and the removed, keeping only slots whose pod is in the moment's state. Later lines for a participant win (a
 * resumed or continued session records its seats again).
 */
export function continuedSeats(actions: readonly HostActionLine[], state: SimState): ContinuedSeat[] {
  const byParticipant = new Map<string, ContinuedSeat>();
  for (const a of actions) {
    const d = a.detail ?? {};
    const id = d['participant'];
    if (typeof id !== 'string') continue;
    if (a.action === 'ban' || a.action === 'seat_removed') {
      byParticipant.delete(id);
      continue;
    }
    if (a.action !== 'join') continue;
    const slot = d['slot'];
    const name = d['name'];
    if (d['role'] !== 'student' || typeof slot !== 'string' || typeof name !== 'string') continue;
    const strategy = d['bot'] === true && typeof d['strategy'] === 'string' && isStrategy(d['strategy']) ? d['strategy'] : null;
    byParticipant.set(id, { slot, name, strategy });
  }
  const out: ContinuedSeat[] = [];
  const seen = new Set<string>();
  for (const seat of byParticipant.values()) {
    if (seen.has(seat.slot) || !activePod(state, seat.slot)) continue;
    seen.add(seat.slot);
    out.push(seat);
  }
  return out;
}
