/**
 * Nicknames (issue 10, defect 10): compared and banned on a confusable-folded form, never invisible, and emoji built
 * with joiners accepted whole.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkNickname, NICKNAME_MESSAGES } from '../../shared/protocol/nickname.ts';
import { nicknameKey } from '../../shared/protocol/nicknameKey.ts';

describe('nicknameKey: names that look alike are the same name', () => {
  it.each([
    ['bob', 'Воb'], // Cyrillic В and о
    ['bob', 'ВОВ'],
    ['bob', 'ℬob'], // script capital B
    ['bob', 'Ｂｏｂ'], // full-width
    ['bob', 'BOB'],
    ['paypal', 'pаypal'], // Cyrillic а
    ['zoe', 'Zoë'],
    ['alice', 'аlice'],
    ['emma', 'ernrna'], // m looks like rn
  ])('%j and %j', (a, b) => {
    expect(nicknameKey(b)).toBe(nicknameKey(a));
  });
  it('keeps different names apart', () => {
    for (const [a, b] of [
      ['bob', 'rob'],
      ['ann', 'anne'],
      ['bo b', 'bob'],
    ] as const)
      expect(nicknameKey(a)).not.toBe(nicknameKey(b));
  });
});

describe('checkNickname: something visible, emoji whole', () => {
  it.each([
    ['\u3164', 'Hangul filler'],
    ['\u3164\u3164\u3164', 'Hangul fillers'],
    ['\u2800', 'blank braille cell'],
    ['\u115F\u1160', 'Hangul choseong/jungseong fillers'],
    ['\uFFA0', 'half-width Hangul filler'],
    ['\u200B\u200B', 'zero-width spaces'],
    ['\u0301', 'a lone combining accent'],
    ['bo\u200Db', 'a joiner between letters'],
    ['bob\u3164', 'a visible name padded with a filler'],
    ['\u202Eevil', 'a bidi override'],
  ])('refuses %j (%s)', (raw) => {
    const r = checkNickname(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(['invisible', 'bad_chars', 'empty']).toContain(r.reason);
  });
  it.each(['👩‍💻', '🏳️‍🌈', '👨‍👩‍👧', '❤️‍🔥', 'Ada 👩🏽‍🚀', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', '1️⃣', '🇫🇷 Zoé', '🏳️‍⚧️', 'Bo 👍🏽'])('accepts %j', (name) => {
    expect(checkNickname(name)).toEqual({ ok: true, nickname: name });
  });
  it('every refusal has a sentence for the student', () => {
    expect(NICKNAME_MESSAGES.invisible).toMatch(/visible/);
  });
  it('never accepts a name made only of invisible or format characters (fast-check)', () => {
    const invisible = fc.constantFrom('\u3164', '\u2800', '\u115F', '\u1160', '\uFFA0', '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u034F', '\u180E', ' ', '\u00AD', '\uFE0F');
    fc.assert(
      fc.property(fc.array(invisible, { minLength: 1, maxLength: 10 }), (chars) => {
        expect(checkNickname(chars.join('')).ok).toBe(false);
      }),
    );
  });
});
