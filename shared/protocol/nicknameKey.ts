/**
 * What two nicknames are compared by, for uniqueness and bans: a name that looks like another is the same name.
 * NFKC (full-width "Ｂｏｂ" → "Bob"), accents off, then Unicode's confusables skeleton (UTS #39, the `unhomoglyph`
 * package: Cyrillic "Воb" → "Bob", "ℬob" → "Bob", "m" → "rn"), lower case, and the skeleton once more for what
 * lower-casing made. Never shown to anyone. Server side only (its table is 100 KB).
 */
import unhomoglyph from 'unhomoglyph';
import { normaliseNickname } from './nickname.ts';

export function nicknameKey(nickname: string): string {
  // The skeleton first: lower-casing first would turn Cyrillic "В" into "в", which looks like no Latin letter.
  const plain = normaliseNickname(nickname).normalize('NFKC').normalize('NFKD').replace(/\p{M}/gu, '');
  return unhomoglyph(unhomoglyph(plain).toLowerCase()).toLowerCase();
}
