/**
 * Bans and uniqueness compare the confusable-folded name (issue 10, defect 10): "Воb" in Cyrillic after the teacher
 * banned "bob" is still banned; an invisible name is refused; an emoji built with joiners joins.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import { attachHost, call, client, createSession, joinStudent, ok, startServer, type TestServer } from './helpers.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s?.close());

const join = async (code: string, nickname: string) => call(await client(s), 'student:join', { v: PROTOCOL_VERSION, code, nickname });

describe('nicknames in a live room', () => {
  it('a ban holds against look-alike spellings, and a taken name against its look-alikes', async () => {
    const created = await createSession(s);
    const host = await attachHost(s, created.code, created.hostKey);
    const bob = await joinStudent(s, created.code, 'bob');
    ok(await call(host, 'participant:ban', { id: bob.join.participantId }));
    for (const evasion of ['Воb', 'ВОВ', 'ℬob', 'Ｂｏｂ', 'BOB', 'b0b']) {
      expect(await join(created.code, evasion), evasion).toMatchObject({ ok: false, error: { code: 'BANNED' } });
    }
    await joinStudent(s, created.code, 'alice');
    expect(await join(created.code, 'аlice')).toMatchObject({ ok: false, error: { code: 'NAME_TAKEN' } });
  });
  it('refuses invisible names and seats emoji built with joiners', async () => {
    const created = await createSession(s);
    for (const invisible of ['\u3164', '\u2800\u2800', 'ㅤㅤ']) {
      expect(await join(created.code, invisible)).toMatchObject({ ok: false, error: { code: 'NAME_INVALID' } });
    }
    for (const emoji of ['👩‍💻', '🏳️‍🌈 Sam', '👨‍👩‍👧']) {
      const r = await join(created.code, emoji);
      expect(r.ok, JSON.stringify(r)).toBe(true);
      if (r.ok) expect(r.data.nickname).toBe(emoji);
    }
  });
});
