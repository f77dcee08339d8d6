import { ErrorCode, fail, ok, type Ack } from '../../shared/protocol/errors.ts';
import type { ClientEventResults } from '../../shared/protocol/events.ts';
import { normaliseRoomCode } from '../../shared/protocol/roomCode.ts';
import type { ClientEventName, ClientPayload } from '../../shared/protocol/schemas.ts';
import type { Role } from '../../shared/protocol/views.ts';
import type { Room } from '../room/Room.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';

/** What a handler knows about its connection: set by the join handlers, read by the rest. */
export interface ConnContext {
  id: string;
  room: Room | null;
  role: Role | null;
  participantId: string | null;
}

type Handler<E extends ClientEventName> = (ctx: ConnContext, payload: ClientPayload<E>, rooms: RoomRegistry) => Ack<ClientEventResults[E]> | Promise<Ack<ClientEventResults[E]>>;

/** Who may send each event: 'guest' = a connection that has not joined yet. */
export const EVENT_ROLES: Record<ClientEventName, readonly (Role | 'guest')[]> = {
  'host:attach': ['guest'],
  'student:join': ['guest'],
  'presenter:attach': ['guest'],
  'name:suggest': ['guest', 'student', 'spectator', 'host', 'presenter'],
  'state:sync': ['student', 'spectator', 'host', 'presenter'],
  'pod:command': ['student'],
  'session:start': ['host'],
  'session:pause': ['host'],
  'session:resume': ['host'],
  'session:reset': ['host'],
  'session:end': ['host'],
  'session:speed': ['host'],
  'room:lock': ['host'],
  'room:lateJoin': ['host'],
  'participant:kick': ['host'],
  'participant:ban': ['host'],
  'scenario:inject': ['host'],
  'round:start': ['host'],
  'round:end': ['host'],
  'round:resume': ['host'],
  'question:ask': ['host'],
  'question:reveal': ['host'],
  'question:answer': ['student', 'spectator'],
  'bots:fill': ['host'],
  'seats:assign': ['host'],
  'seats:release': ['host'],
  'bots:remove': ['host'],
};

function findRoom(rooms: RoomRegistry, code: string): Room | null {
  return rooms.get(normaliseRoomCode(code)) ?? null;
}

const notFound = () => fail(ErrorCode.SESSION_NOT_FOUND, 'No session with that code. Check the code on the projector.');

function joined<T extends { role: Role; participantId: string }>(ctx: ConnContext, room: Room, r: Ack<T>): Ack<T> {
  if (r.ok) {
    ctx.room = room;
    ctx.role = r.data.role;
    ctx.participantId = r.data.participantId;
  }
  return r;
}

/** The room of a joined connection (the checkpoint guarantees one for every event but the join events). */
const room = (ctx: ConnContext): Room => ctx.room!;

export const handlers: { [E in ClientEventName]: Handler<E> } = {
  'host:attach': (ctx, p, rooms) => {
    const r = findRoom(rooms, p.code);
    return r ? joined(ctx, r, r.attachHost(ctx.id, p.hostKey)) : notFound();
  },
  'student:join': (ctx, p, rooms) => {
    const r = findRoom(rooms, p.code);
    return r ? joined(ctx, r, r.joinStudent(ctx.id, p)) : notFound();
  },
  'presenter:attach': (ctx, p, rooms) => {
    const r = findRoom(rooms, p.code);
    return r ? joined(ctx, r, r.attachPresenter(ctx.id, p.key)) : notFound();
  },
  'name:suggest': (ctx, p, rooms) => {
    const r = ctx.room ?? findRoom(rooms, p.code);
    return r ? ok({ nickname: r.suggestName(Math.random) }) : notFound();
  },
  'state:sync': (ctx) => ok(room(ctx).snapshotFor(ctx.id)),
  'pod:command': (ctx, p) => room(ctx).podCommand(ctx.id, p.command),
  'session:start': (ctx) => room(ctx).start(),
  'session:pause': (ctx) => room(ctx).pause(),
  'session:resume': (ctx) => room(ctx).resume(),
  'session:reset': (ctx) => room(ctx).reset(),
  'session:end': (ctx) => room(ctx).end('host'),
  'session:speed': (ctx, p) => room(ctx).setSpeed(p.speed),
  'room:lock': (ctx, p) => room(ctx).setLocked(p.locked),
  'room:lateJoin': (ctx, p) => room(ctx).setLateJoin(p.allowed),
  'participant:kick': (ctx, p) => room(ctx).kick(p.id),
  'participant:ban': (ctx, p) => room(ctx).ban(p.id),
  'scenario:inject': (ctx, p) => room(ctx).inject(p.kind, p.slot),
  'round:start': (ctx, p) => room(ctx).startRound(p.scenario, p.durationSec),
  'round:end': (ctx) => room(ctx).endRound(),
  'round:resume': (ctx) => room(ctx).resumeRound(),
  'question:ask': (ctx, p) => room(ctx).askQuestion(p),
  'question:reveal': (ctx) => room(ctx).revealQuestion(),
  'question:answer': (ctx, p) => room(ctx).answerQuestion(ctx.id, p.questionId, p.choice),
  'bots:fill': (ctx, p) => room(ctx).fillBots(p.strategy, p.max),
  'seats:assign': (ctx, p) => room(ctx).assignSeat(p.slot, p.participant),
  'seats:release': (ctx, p) => room(ctx).releaseSeats(p.mode, p.strategy),
  'bots:remove': (ctx) => room(ctx).removeBots(),
};
