import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Ack } from '../../shared/protocol/errors.ts';
import type { ClientToServerEvents } from '../../shared/protocol/events.ts';
import { checkNickname, isProfane, slotForNickname, suggestNickname } from '../../shared/protocol/nickname.ts';
import { normaliseRoomCode, ROOM_CODE_ALPHABET, ROOM_CODE_PATTERN } from '../../shared/protocol/roomCode.ts';
import { clientEventSchemas } from '../../shared/protocol/schemas.ts';
import { EVENT_ROLES, handlers } from '../../server/socket/handlers.ts';
import { newRoomCode } from '../../server/util/secrets.ts';

describe('protocol rules', () => {
  it('room codes: six characters without look-alikes, typed in any case', () => {
    for (const c of ['0', 'O', '1', 'I', 'L']) expect(ROOM_CODE_ALPHABET).not.toContain(c);
    for (let i = 0; i < 200; i++) expect(newRoomCode()).toMatch(ROOM_CODE_PATTERN);
    expect(normaliseRoomCode(' abc-234 ')).toBe('ABC234');
  });

  it('nicknames and their pod names', () => {
    expect(checkNickname('  Ann   Lee ')).toEqual({ ok: true, nickname: 'Ann Lee' });
    expect(checkNickname('a\u0000b')).toMatchObject({ ok: false, reason: 'bad_chars' });
    expect(checkNickname('😀'.repeat(24)).ok).toBe(true); // counted in characters, not UTF-16 units
    expect(isProfane('F.u.c.k')).toBe(true);
    expect(isProfane('Scunthorpe')).toBe(false);
    expect(isProfane('Dickens')).toBe(false);
    expect(slotForNickname('Zoë B.', () => false)).toBe('zoe-b');
    expect(slotForNickname('!!!', () => false)).toBe('pod');
    expect(slotForNickname('alice', (s) => s === 'alice' || s === 'alice-2')).toBe('alice-3');
    expect(slotForNickname('x'.repeat(60), () => false)).toHaveLength(30);
    let n = 0;
    const seq = () => [0.1, 0.2, 0.1, 0.2, 0.9, 0.9][n++ % 6]!;
    const first = suggestNickname(seq, () => false);
    expect(suggestNickname(seq, (name) => name === first)).not.toBe(first);
  });

  it('every client event has a schema, a role rule and a handler; the event map is typed from the schemas', () => {
    const names = Object.keys(clientEventSchemas).sort();
    expect(Object.keys(EVENT_ROLES).sort()).toEqual(names);
    expect(Object.keys(handlers).sort()).toEqual(names);
    for (const n of names) expect(n).toMatch(/^[a-z]+:[a-zA-Z]+$/);
    expectTypeOf<Parameters<ClientToServerEvents['session:speed']>[0]>().toEqualTypeOf<{ speed: number }>();
    expectTypeOf<Parameters<Parameters<ClientToServerEvents['pod:command']>[1]>[0]>().toEqualTypeOf<Ack<{ tick: number }>>();
  });
});
