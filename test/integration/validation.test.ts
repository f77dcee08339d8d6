import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUND_STUDENT } from '../../shared/game/roundScenario.ts';
import { stateHash } from '../../shared/sim/hash.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import type { Room } from '../../server/room/Room.ts';
import { attachHost, call, callRaw, client, createSession, joinStudent, ok, startServer, tick, type Client, type TestServer } from './helpers.ts';

/** Every kind of bad input gets its stable code and leaves the session exactly as it was. */
describe('the validation checkpoint', () => {
  let s: TestServer;
  let room: Room;
  let code: string;
  let student: Client;
  let guest: Client;
  let host: Client;
  beforeAll(async () => {
    s = await startServer({ config: { messageBurst: 1000, offenceBurst: 1000 } });
    const created = await createSession(s);
    room = created.room;
    code = created.code;
    host = await attachHost(s, code, created.hostKey);
    student = (await joinStudent(s, code, 'alice')).c;
    await joinStudent(s, code, 'bob');
    ok(await call(host, 'session:start', {}));
    await tick(room, 2);
    guest = await client(s);
  });
  afterAll(() => s.close());

  const cases: [string, () => Client, string, unknown[], string][] = [
    ['unknown event', () => student, 'pod:destroyEverything', [{}], 'UNKNOWN_EVENT'],
    ['prototype-named event', () => student, '__proto__', [{}], 'UNKNOWN_EVENT'],
    ['payload not an object', () => student, 'pod:command', ['kill'], 'BAD_REQUEST'],
    ['two payloads', () => student, 'pod:command', [{ command: { type: 'kill' } }, {}], 'BAD_REQUEST'],
    ['unknown command type', () => student, 'pod:command', [{ command: { type: 'format_disk' } }], 'BAD_REQUEST'],
    ['extra field', () => student, 'pod:command', [{ command: { type: 'kill', pod: 'bob' } }], 'BAD_REQUEST'],
    ['out-of-range adj', () => student, 'pod:command', [{ command: { type: 'set_oom_score_adj', value: 5000 } }], 'BAD_REQUEST'],
    ['negative limit', () => student, 'pod:command', [{ command: { type: 'set_resources', requestMiB: 10, limitMiB: -1 } }], 'BAD_REQUEST'],
    ['NaN-ish number', () => student, 'pod:command', [{ command: { type: 'exit', code: 1.5 } }], 'BAD_REQUEST'],
    ['__proto__ key', () => student, 'pod:command', [JSON.parse('{"command":{"type":"kill"},"__proto__":{"admin":true}}')], 'BAD_REQUEST'],
    ['nested constructor key', () => student, 'pod:command', [{ command: { type: 'fix_leak', constructor: { prototype: 1 } } }], 'BAD_REQUEST'],
    ['speed out of range', () => host, 'session:speed', [{ speed: 11 }], 'BAD_REQUEST'],
    ['student sends a host action', () => student, 'session:pause', [{}], 'FORBIDDEN'],
    ['student kicks someone', () => student, 'participant:kick', [{ id: '2' }], 'FORBIDDEN'],
    ['host sends a pod command', () => host, 'pod:command', [{ command: { type: 'kill' } }], 'FORBIDDEN'],
    ['command before joining', () => guest, 'pod:command', [{ command: { type: 'kill' } }], 'NOT_JOINED'],
    ['host action before joining', () => guest, 'session:end', [{}], 'NOT_JOINED'],
    ['joining twice', () => student, 'student:join', [{ v: PROTOCOL_VERSION, code: 'AAAAAA', nickname: 'x' }], 'ALREADY_JOINED'],
    ['old protocol version', () => guest, 'student:join', [{ v: PROTOCOL_VERSION + 1, code: 'AAAAAA', nickname: 'x' }], 'VERSION_MISMATCH'],
    ['unknown room', () => guest, 'student:join', [{ v: PROTOCOL_VERSION, code: 'ZZZZZZ', nickname: 'x' }], 'SESSION_NOT_FOUND'],
    ['student deletes their pod', () => student, 'pod:command', [{ command: { type: 'remove_pod' } }], 'FORBIDDEN'],
    ['limit below request (simulation refuses)', () => student, 'pod:command', [{ command: { type: 'set_resources', requestMiB: 300, limitMiB: 100 } }], 'COMMAND_REJECTED'],
    // Judged on the room's live state as it is now (checkCommand): the pod already has these resources.
    ['resources the pod already has (simulation refuses)', () => student, 'pod:command', [{ command: { type: 'set_resources', requestMiB: ROUND_STUDENT.requestMiB, limitMiB: ROUND_STUDENT.limitMiB } }], 'COMMAND_REJECTED'],
  ];

  it.each(cases)('%s → its code, state unchanged', async (_label, who, event, args, expected) => {
    const before = stateHash(room.state as never);
    const tickBefore = room.state.tick;
    const res = await callRaw(who(), event, ...args);
    expect(res).toMatchObject({ ok: false, error: { code: expected } });
    if (!res.ok) expect(res.error.message.length).toBeGreaterThan(0);
    // Nothing was queued either: the next tick equals a tick with no commands.
    expect(stateHash(room.state as never)).toBe(before);
    expect(room.state.tick).toBe(tickBefore);
    expect(Object.prototype).not.toHaveProperty('admin');
  });

  it('a message without an ack is answered on client:error', async () => {
    const got = new Promise((resolve) => student.once('client:error', resolve));
    (student.emit as (e: string, p: unknown) => void)('nope:nope', {});
    expect(await got).toMatchObject({ event: 'nope:nope', code: 'UNKNOWN_EVENT' });
  });

  it('nicknames: trimmed, 1–24 characters, unique (ignoring case and accents), no profanity, no control characters', async () => {
    const join = (nickname: string) => client(s).then((c) => call(c, 'student:join', { v: PROTOCOL_VERSION, code, nickname }));
    expect(await join('   ')).toMatchObject({ ok: false, error: { code: 'NAME_INVALID' } });
    expect(await join('x'.repeat(25))).toMatchObject({ ok: false, error: { code: 'NAME_INVALID' } });
    expect(await join('ALICE')).toMatchObject({ ok: false, error: { code: 'NAME_TAKEN' } });
    expect(await join('Bób')).toMatchObject({ ok: false, error: { code: 'NAME_TAKEN' } });
    expect(await join('sh1t head')).toMatchObject({ ok: false, error: { code: 'NAME_INVALID' } });
    expect(await join('evil\u202Eman')).toMatchObject({ ok: false, error: { code: 'NAME_INVALID' } });
    expect(ok(await join('  <b>Ann</b>  ')).nickname).toBe('<b>Ann</b>'); // kept as text; the client renders text only
    const suggestion = ok(await call(guest, 'name:suggest', { code }));
    expect(suggestion.nickname).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
    expect(ok(await join(suggestion.nickname)).nickname).toBe(suggestion.nickname);
  });
});
