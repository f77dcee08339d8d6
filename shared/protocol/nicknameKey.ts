/**
 * What two nicknames are compared by, for uniqueness and bans: a name that looks like another is the same name.
 * NFKC (full-width "Ｂｏｂ" → "Bob"), accents off, then Unicode's confusables skeleton (UTS #39, the `unhomoglyph`
 * package: Cyrillic "Воb" → "Bob", "ℬob" → "Bob", "m" → "rn") on the upper- and then the lower-case form. Never
 * shown to anyone. Server side only (its table is 100 KB).
 */
import unhomoglyph from 'unhomoglyph';
import { normaliseNickname } from './nickname.ts';

export function nicknameKey(nickname: string): string {
  const plain = normaliseNickname(nickname).normalize('NFKC').normalize('NFKD').replace(/\p{M}/gu, '');
  // Upper case first, so both cases of a letter meet the same skeleton ("I" and "i" alike; Cyrillic "в" as "В",
  // which looks like "B"); then lower case and the skeleton again, for the look-alikes of lower-case letters
  // ("m" and "rn").
  return unhomoglyph(unhomoglyph(plain.toUpperCase()).toLowerCase());
}
