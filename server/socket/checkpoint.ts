import { ErrorCode, fail, type Ack, type ErrorCode as Code } from '../../shared/protocol/errors.ts';
import { clientEventSchemas, type ClientEventName } from '../../shared/protocol/schemas.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import { describeIssues } from '../../shared/schemas/commands.ts';
import type { RoomLog } from '../room/port.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';
import { EVENT_ROLES, handlers, type ConnContext } from './handlers.ts';
import type { RefusalLog } from './RefusalLog.ts';
import { hasDangerousKeys } from './safeKeys.ts';

export interface CheckpointDeps {
  rooms: RoomRegistry;
  log: RoomLog;
  /** Refusals are counted and logged once per interval, not a line each. */
  refusals: RefusalLog;
  /**
   * Flood control, keyed by who sends (the participant once joined, the connection before), so a reconnect does
   * not refill it: take one message; take one offence (false: the socket is disconnected).
   */
  takeMessage(): boolean | Promise<boolean>;
  takeOffence(): boolean | Promise<boolean>;
  /** The address's budget for looking room codes up: may it still, and a look-up found nothing. */
  mayLookUp(): Promise<boolean>;
  lookupMissed(): Promise<unknown>;
  onOffender(): void;
  onMessage?(): void;
  onRejected?(): void;
}

const JOIN_EVENTS = new Set<string>(['host:attach', 'student:join', 'presenter:attach']);
/** Events that look a room code up; their misses are charged to the address (guessing codes). */
const LOOKUP_EVENTS = new Set<string>([...JOIN_EVENTS, 'name:suggest']);
/** Answers that mean a guess missed: no such room, or a wrong key for it. */
const MISSES = new Set<string>([ErrorCode.SESSION_NOT_FOUND, ErrorCode.BAD_HOST_KEY, ErrorCode.BAD_PRESENTER_KEY, ErrorCode.BAD_TOKEN]);

/**
 * The one checkpoint every client message passes, in this order: flood control, known event, payload shape
 * (schema, no prototype keys, one argument), protocol version, role; only then the handler. Any refusal is a coded
 * ack with the state unchanged and a log line; a socket that keeps offending is disconnected.
 */
export async function checkpoint(ctx: ConnContext, event: string, args: unknown[], deps: CheckpointDeps): Promise<Ack<unknown>> {
  deps.onMessage?.();
  if (!(await deps.takeMessage())) return refusal(ctx, event, deps, ErrorCode.RATE_LIMITED, 'Too many messages: slow down.');
  const admitted = admit(ctx, event, args);
  if ('refuse' in admitted) return refusal(ctx, event, deps, admitted.refuse, admitted.message);
  const { name, payload } = admitted;
  const lookup = LOOKUP_EVENTS.has(name) && ctx.room === null;
  if (lookup && !(await deps.mayLookUp())) {
    return refusal(ctx, event, deps, ErrorCode.RATE_LIMITED, 'Too many wrong codes from your network: wait a minute and try again.');
  }
  try {
    const handler = handlers[name] as (c: ConnContext, p: unknown, r: RoomRegistry) => Ack<unknown> | Promise<Ack<unknown>>;
    const res = await handler(ctx, payload, deps.rooms);
    if (lookup && !res.ok && MISSES.has(res.error.code)) await deps.lookupMissed();
    // What the handler recorded (a host action, a join's seat, an answer) is on disk before the sender hears it
    // worked, as a command is: a server killed right after the ack must not lose it.
    if (res.ok && ctx.room) await ctx.room.recorded();
    return res;
  } catch (e) {
    // A fault in a room's handler may have left that room half-changed: the room ends alone (its recording kept),
    // the sender is told with a code, and the process and every other room go on.
    deps.log.error({ conn: ctx.id, event: name, err: e }, 'handler failed');
    if (ctx.room) {
      void ctx.room.fail(e);
      return fail(ErrorCode.ROOM_FAILED, 'This session stopped after a problem on the server. Everything up to now is saved: the teacher can resume it.');
    }
    return fail(ErrorCode.INTERNAL, 'Something went wrong on the server; nothing was changed.');
  }
}

type Admission = { name: ClientEventName; payload: unknown } | { refuse: Code; message: string };

const no = (refuse: Code, message: string): Admission => ({ refuse, message });

/**
 * The checks after flood control, in order; the first that fails names the refusal. Refusals are answers, not
 * closures: under tsx every named closure made per message costs a `defineProperty` (its kept name).
 */
function admit(ctx: ConnContext, event: string, args: unknown[]): Admission {
  if (typeof event !== 'string' || !Object.hasOwn(clientEventSchemas, event)) {
    return no(ErrorCode.UNKNOWN_EVENT, `Unknown event "${String(event).slice(0, 40)}".`);
  }
  const name = event as ClientEventName;
  if (args.length !== 1) return no(ErrorCode.BAD_REQUEST, 'Send exactly one payload object.');
  const raw = args[0];
  if (hasDangerousKeys(raw)) return no(ErrorCode.BAD_REQUEST, 'The payload has a forbidden key.');
  const parsed = clientEventSchemas[name].safeParse(raw);
  if (!parsed.success) return no(ErrorCode.BAD_REQUEST, describeIssues(parsed.error));
  const payload = parsed.data as { v?: number };
  if (JOIN_EVENTS.has(name) && payload.v !== PROTOCOL_VERSION) {
    return no(ErrorCode.VERSION_MISMATCH, `This page speaks protocol ${payload.v}, the server ${PROTOCOL_VERSION}: reload the page.`);
  }
  const allowed = EVENT_ROLES[name];
  // The room has the last word on a player's role: a spectator the teacher gives a seat (`seats:assign`) is a student
  // from then on, on the connection they already have (the socket learned its role when it joined).
  if (ctx.room && (ctx.role === 'spectator' || ctx.role === 'student')) ctx.role = ctx.room.roleOf(ctx.id) ?? ctx.role;
  const role = ctx.role ?? 'guest';
  if (!allowed.includes(role)) {
    if (role === 'guest') return no(ErrorCode.NOT_JOINED, 'Join a session first.');
    if (allowed.length === 1 && allowed[0] === 'guest') return no(ErrorCode.ALREADY_JOINED, 'This connection has already joined a session.');
    return no(ErrorCode.FORBIDDEN, `A ${role} may not send ${name}.`);
  }
  return { name, payload };
}

/** A refusal: counted, logged, charged to the sender as an offence (too many and the socket goes), and its coded answer. */
async function refusal(ctx: ConnContext, event: unknown, deps: CheckpointDeps, code: Code, message: string): Promise<Ack<unknown>> {
  deps.onRejected?.();
  deps.refusals.note(code, String(event).slice(0, 40), ctx.room?.code, ctx.id);
  if (!(await deps.takeOffence())) {
    deps.refusals.noteDisconnect();
    deps.onOffender();
  }
  return fail(code, message);
}
