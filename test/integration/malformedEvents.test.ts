/**
 * Every client event of the event map, driven through malformed payloads from a connection whose role may send it,
 * in a session where a well-formed payload would change something: each one is refused with BAD_REQUEST and the
 * session is exactly as it was. Removing any one event's schema check lets its malformed payload reach the handler
 * (another code, or a change), and fails this test. (Issue 10, "Tests that can tell".)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Room } from '../../server/room/Room.ts';
import { EVENT_ROLES } from '../../server/socket/handlers.ts';
import { clientEventSchemas, type ClientEventName, type ClientPayload } from '../../shared/protocol/schemas.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import { stateHash } from '../../shared/sim/hash.ts';
import { attachHost, call, callRaw, client, createSession, joinStudent, ok, startServer, tick, type Client, type TestServer } from './helpers.ts';

let s: TestServer;
let room: Room;
let code: string;
let hostKey: string;
let host: Client;
let student: Client;
let guest: Client;

/** A payload each event accepts (typed by the event map: a new event must add one here). */
const VALID: () => { [E in ClientEventName]: ClientPayload<E> } = () => ({
  'host:attach': { v: PROTOCOL_VERSION, code, hostKey },
  'student:join': { v: PROTOCOL_VERSION, code, nickname: 'newcomer' },
  'presenter:attach': { v: PROTOCOL_VERSION, code },
  'name:suggest': { code },
  'state:sync': {},
  'pod:command': { command: { type: 'set_resources', requestMiB: 200, limitMiB: 400 } },
  'session:start': {},
  'session:pause': {},
  'session:resume': {},
  'session:reset': {},
  'session:end': {},
  'session:speed': { speed: 2 },
  'room:lock': { locked: true },
  'room:lateJoin': { allowed: false },
  'participant:kick': { id: '2' },
  'participant:ban': { id: '2' },
  'scenario:inject': { kind: 'traffic_spike' },
  'round:start': { scenario: 'leak' },
  'round:end': {},
  'round:resume': {},
  'question:ask': { builtin: 'crashloop-timing' },
  'question:reveal': {},
  'question:answer': { questionId: 'crashloop-timing', choice: 'a' },
  'bots:fill': { strategy: 'careful-guaranteed' },
  'seats:assign': { slot: 'alice', participant: '2' },
  'seats:release': { mode: 'bots' },
  'bots:remove': {},
});

/** Ways to get a payload wrong: not an object, an unknown field, and each field of the valid one with a wrong type. */
function malformed(valid: object): unknown[] {
  const out: unknown[] = [null, 7, 'text', [], [valid], { ...valid, unexpected: true }];
  for (const [k, v] of Object.entries(valid)) {
    out.push({ ...valid, [k]: typeof v === 'string' ? 12345 : typeof v === 'number' ? 'seven' : typeof v === 'boolean' ? 'yes' : 'not-an-object' });
    out.push({ ...valid, [k]: { nested: [1, 2, 3] } });
  }
  return out;
}

/** What a change would touch: the simulation, the session's settings, the lesson, the people. */
function snapshot(): string {
  return JSON.stringify({
    hash: stateHash(room.state as never),
    tick: room.state.tick,
    meta: room.meta(),
    lesson: room.lesson,
    names: room.nicknames(),
    conns: room.connectionCount,
  });
}

beforeAll(async () => {
  s = await startServer({ config: { messageBurst: 100_000, messagesPerSec: 100_000, offenceBurst: 100_000 } });
  const created = await createSession(s);
  ({ room, code, hostKey } = created);
  host = await attachHost(s, code, hostKey);
  student = (await joinStudent(s, code, 'alice')).c;
  await joinStudent(s, code, 'bob');
  ok(await call(host, 'session:start', {}));
  await tick(room, 30);
  // A question is open, so a well-formed answer would be taken.
  ok(await call(host, 'question:ask', { builtin: 'crashloop-timing' }));
  guest = await client(s);
});
afterAll(() => s?.close());

describe('every client event refuses malformed payloads with BAD_REQUEST and changes nothing', () => {
  const names = Object.keys(clientEventSchemas) as ClientEventName[];
  it('covers the whole event map', () => {
    expect(Object.keys(VALID()).sort()).toEqual([...names].sort());
  });
  it.each(names)('%s', async (event) => {
    const roles = EVENT_ROLES[event];
    const from = roles.includes('guest') ? guest : roles.includes('host') ? host : student;
    for (const payload of malformed(VALID()[event])) {
      const before = snapshot();
      const res = await callRaw(from, event, payload);
      expect(res, `${event} ${JSON.stringify(payload)}`).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      expect(snapshot(), `${event} ${JSON.stringify(payload)} changed the session`).toBe(before);
    }
    expect(room.status).toBe('running');
  });
});
