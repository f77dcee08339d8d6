/** The room's participants (server/room/Roster.ts): lookups, bans, and the seats of a resumed session. */
import { describe, expect, it } from 'vitest';
import type { Participant } from '../../server/room/participants.ts';
import { Roster } from '../../server/room/Roster.ts';
import { secretHash } from '../../server/util/secrets.ts';

function student(r: Roster, nickname: string, slot: string | null, token: string): Participant {
  const p: Participant = { id: r.newId(), nickname, key: nickname.toLowerCase(), role: slot ? 'student' : 'spectator', slot, token, bot: false, conns: new Set(), lastPodName: null };
  r.add(p);
  return p;
}

describe('Roster', () => {
  it('finds participants by id, token, name and slot, and counts them', () => {
    const r = new Roster();
    const ada = student(r, 'Ada', 'ada', 'token-ada-0123456789');
    const bob = student(r, 'Bob', null, 'token-bob-0123456789');
    expect([ada.id, bob.id]).toEqual(['1', '2']);
    expect(r.get(bob.id)).toBe(bob);
    expect(r.byToken('token-ada-0123456789')).toBe(ada);
    expect(r.byToken('nobody')).toBeUndefined();
    expect([r.nameInUse('ada'), r.nameInUse('eve')]).toEqual([true, false]);
    expect(r.bySlot('ada')).toBe(ada);
    expect(r.counts()).toEqual({ students: 1, spectators: 1 });
    expect(r.nicknames()).toEqual(['Ada', 'Bob']);
    expect(r.seats()).toEqual([{ slot: 'ada', nickname: 'Ada' }]);
    expect(r.views().map((v) => [v.nickname, v.role, v.connected])).toEqual([['Ada', 'student', false], ['Bob', 'spectator', false]]);
  });

  it('moves its version whenever a slot is given to someone, and only then (the frames ask owners again on it)', () => {
    const r = new Roster();
    const v0 = r.version;
    const ada = student(r, 'Ada', 'ada', 'token-ada-0123456789');
    const v1 = r.version;
    expect(v1).not.toBe(v0);
    const bob = student(r, 'Bob', null, 'token-bob-0123456789'); // a spectator: no slot given
    expect(r.version).toBe(v1);
    r.drop(ada); // the slot stays Ada's
    expect(r.version).toBe(v1);
    r.moveSlot(bob, 'ada');
    expect(r.version).not.toBe(v1);
    expect(r.bySlot('ada')).toBe(bob);
  });

  it('a ban refuses the token and the name for good, and keeps the slot taken so nobody inherits its pod', () => {
    const r = new Roster();
    const ada = student(r, 'Ada', 'ada', 'token-ada-0123456789');
    r.ban(ada);
    expect(r.get(ada.id)).toBeUndefined();
    expect(r.byToken(ada.token)).toBeUndefined();
    expect([r.isBannedToken(ada.token), r.isBannedName('ada'), r.nameInUse('ada')]).toEqual([true, true, false]);
    expect(r.hasSlot('ada')).toBe(true);
    expect([...r.slots()]).toEqual(['ada']);
    expect(r.counts()).toEqual({ students: 0, spectators: 0 });
  });

  it('a resumed seat goes to whoever brings the token whose hash was recorded, once; new ids continue after it', () => {
    const r = new Roster();
    const token = 'token-grace-0123456789';
    r.seatResumed({ id: 'a', slot: 'grace', name: 'Grace', tokenSha256: secretHash(token), detail: { role: 'student' } });
    r.seatResumed({ id: 'b', slot: null, name: null, tokenSha256: null, detail: {} }); // a host action without a seat
    expect(r.nameInUse('grace')).toBe(true);
    expect(r.byToken('token-forged-000000000')).toBeUndefined();
    const back = r.byToken(token);
    expect(back).toMatchObject({ id: 'a', nickname: 'Grace', slot: 'grace', role: 'student', token });
    expect(r.byToken(token)).toBe(back);
    expect(r.newId()).toBe('b'); // 'a' is 10 in base 36: the next is 11
  });
});
