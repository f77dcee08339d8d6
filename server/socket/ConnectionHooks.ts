import type { LimitRule } from '../limits/LimitStore.ts';
import type { RoomLog } from '../room/port.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';
import type { SocketDeps } from './attachSocket.ts';
import type { CheckpointDeps } from './checkpoint.ts';
import type { ConnContext } from './handlers.ts';
import type { RefusalLog } from './RefusalLog.ts';
import type { IoSocket } from './types.ts';

/** What every connection's hooks share: the server's own parts, and the two buckets' rules (one per server). */
export type SharedHooks = Pick<SocketDeps, 'rooms' | 'log' | 'limits' | 'guards' | 'metrics' | 'now'> & {
  refusals: RefusalLog;
  messageRule: LimitRule;
  offenceRule: LimitRule;
};

/**
 * One connection's side of the checkpoint (CheckpointDeps) and what its messages need on their way back: one object
 * a connection, its behaviour on the prototype. Ten closures a connection did this before, each with its own context
 * and, as `tsx` compiles them (esbuild's `keepNames` names each with `Object.defineProperty`), a 256-byte property
 * store of its own: the heap at 1,000 clients went from 62.9 to 59.3 MiB (docs/performance.md, 2026-12-02).
 */
export class ConnectionHooks implements CheckpointDeps {
  readonly socket: IoSocket;
  readonly ctx: ConnContext;
  readonly ip: string;
  readonly shared: SharedHooks;
  /** The connection offended past its budget: its further messages are ignored while it closes. */
  offender = false;

  constructor(socket: IoSocket, ctx: ConnContext, ip: string, shared: SharedHooks) {
    this.socket = socket;
    this.ctx = ctx;
    this.ip = ip;
    this.shared = shared;
  }

  get rooms(): RoomRegistry {
    return this.shared.rooms;
  }
  get log(): RoomLog {
    return this.shared.log;
  }
  get refusals(): RefusalLog {
    return this.shared.refusals;
  }

  /**
   * Whose buckets pay: the participant's (all their connections, before and after a reconnect), else this
   * connection's. A host's are per connection: the teacher's tabs (dashboard, replay, a second laptop) each click at
   * a person's pace, and a host can only disturb their own room.
   */
  payer(): string {
    const ctx = this.ctx;
    return ctx.room && ctx.participantId && ctx.role !== 'host'
      ? `${ctx.room.code}/${ctx.participantId}`
      : `conn:${this.socket.id}`;
  }

  takeMessage(): boolean | Promise<boolean> {
    const s = this.shared;
    return s.limits.take(`msg:${this.payer()}`, s.messageRule, s.now());
  }

  takeOffence(): boolean | Promise<boolean> {
    const s = this.shared;
    return s.limits.take(`offence:${this.payer()}`, s.offenceRule, s.now());
  }

  mayLookUp(): Promise<boolean> {
    return this.shared.guards.mayLookUp(this.ip);
  }

  lookupMissed(): Promise<unknown> {
    return this.shared.guards.lookupMissed(this.ip);
  }

  onOffender(): void {
    this.offender = true;
    // Let the refusal ack go out first, then close.
    setImmediate(() => this.socket.disconnect(true));
  }

  onMessage(): void {
    this.shared.metrics.messages++;
  }

  onRejected(): void {
    this.shared.metrics.rejected++;
  }
}
