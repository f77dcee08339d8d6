/**
 * Nicknames: what a student is called on the projector. The rules live here so that the client can check as the
 * student types and the server enforces the same thing. Nicknames are only ever rendered as text.
 */
export const NICKNAME_MAX = 24;

export type NicknameCheck =
  | { ok: true; nickname: string }
  | { ok: false; reason: 'empty' | 'too_long' | 'bad_chars' | 'invisible' | 'profane' };

/** Trim, collapse runs of spaces and normalise Unicode so look-alike spellings compare equal. */
export function normaliseNickname(raw: string): string {
  return raw.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

/**
 * Case- and accent-folded: "Zoë B." → "zoe b.". What pod slots and the profanity check start from. Uniqueness and
 * bans compare the stricter, confusable-folded `nicknameKey` (shared/protocol/nicknameKey.ts).
 */
export function foldNickname(nickname: string): string {
  return normaliseNickname(nickname)
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase();
}

/**
 * One emoji as people type it, joiners and all: a pictograph (or a flag's regional indicators, or a keycap) with
 * its variation selector, skin tone, tag characters (subdivision flags) and zero-width-joined parts ("👩‍💻", "🏳️‍🌈",
 * "👨‍👩‍👧", "❤️‍🔥", "1️⃣"). Its joiners and selectors are what make it one picture, so they are allowed here only.
 */
const EMOJI_SEQUENCE =
  /(?:\p{Extended_Pictographic}|\p{Regional_Indicator}|[#*0-9]\uFE0F?\u20E3)(?:[\uFE0E\uFE0F\u20E3\u{E0020}-\u{E007F}]|\p{Emoji_Modifier}|\p{Regional_Indicator}|\u200D(?:\p{Extended_Pictographic}|\p{Regional_Indicator}))*/gu;

// Outside an emoji: control, format (zero-width, bidi overrides, joiners), private-use and unpaired surrogate
// characters, and the default-ignorable ones a font draws as nothing (Hangul fillers U+3164, U+115F …), could hide
// or reorder text on screen, or make two names that look the same compare different. U+2800 is a braille cell
// with no dots: a blank.
const FORBIDDEN_CHARS = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Default_Ignorable_Code_Point}\u2800]/u;
/** What a person can see: a letter, digit, punctuation or symbol (an emoji counts too). */
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;

/** Validate a nickname; on success the normalised form to keep. */
export function checkNickname(raw: string): NicknameCheck {
  const nickname = normaliseNickname(raw);
  if (nickname.length === 0) return { ok: false, reason: 'empty' };
  if ([...nickname].length > NICKNAME_MAX) return { ok: false, reason: 'too_long' };
  let emoji = false;
  const rest = nickname.replace(EMOJI_SEQUENCE, () => ((emoji = true), ' '));
  if (FORBIDDEN_CHARS.test(rest)) return { ok: false, reason: 'bad_chars' };
  if (!emoji && !VISIBLE.test(rest)) return { ok: false, reason: 'invisible' };
  if (isProfane(nickname)) return { ok: false, reason: 'profane' };
  return { ok: true, nickname };
}

export const NICKNAME_MESSAGES: Record<Exclude<NicknameCheck, { ok: true }>['reason'], string> = {
  empty: 'Pick a nickname.',
  too_long: `A nickname is at most ${NICKNAME_MAX} characters.`,
  bad_chars: 'That nickname has invisible or control characters.',
  invisible: 'A nickname needs at least one visible letter, digit or emoji.',
  profane: 'Please pick a different nickname.',
};

// A deliberately short list: it catches the obvious, classroom-typical words (and their l33t spellings) without
// the false positives of substring matching on innocent names. Words shorter than 5 letters must be whole words.
const BLOCKED_WORDS = [
  'fuck', 'shit', 'cunt', 'dick', 'cock', 'piss', 'twat', 'wank', 'slut', 'whore', 'bitch', 'bastard', 'nigger',
  'nigga', 'faggot', 'retard', 'penis', 'vagina', 'porn', 'rape', 'nazi', 'hitler', 'asshole', 'arsehole', 'dildo',
  'boobs', 'tits', 'pussy', 'merde', 'putain', 'scheisse', 'puta', 'mierda', 'cazzo', 'kurwa',
];
const LEET = new Map(Object.entries({ '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i' }));

/** True when the nickname contains a blocked word, ignoring case, accents, l33t digits and separators. */
export function isProfane(nickname: string): boolean {
  const folded = [...foldNickname(nickname)].map((c) => LEET.get(c) ?? c).join('');
  const squashed = folded.replace(/[^a-z]/g, '');
  const words = folded.split(/[^a-z]+/).filter(Boolean);
  return BLOCKED_WORDS.some((w) => (w.length >= 5 ? squashed.includes(w) : words.includes(w) || squashed === w || squashed.startsWith(w + w)));
}

const ADJECTIVES = [
  'Brave', 'Calm', 'Clever', 'Cosmic', 'Curious', 'Daring', 'Eager', 'Fuzzy', 'Gentle', 'Happy', 'Jolly', 'Lucky',
  'Mighty', 'Nimble', 'Quick', 'Quiet', 'Rapid', 'Shiny', 'Snappy', 'Sunny', 'Swift', 'Tidy', 'Witty', 'Zesty',
];
const ANIMALS = [
  'Otter', 'Panda', 'Falcon', 'Koala', 'Lynx', 'Marmot', 'Narwhal', 'Ocelot', 'Penguin', 'Quokka', 'Raven', 'Seal',
  'Tapir', 'Walrus', 'Yak', 'Zebra', 'Badger', 'Beaver', 'Bison', 'Gecko', 'Heron', 'Ibis', 'Lemur', 'Puffin',
];

/**
 * "Pick a name for me": an adjective and an animal not already taken in the room (`taken` is asked about each
 * candidate name). `random` returns [0, 1) (the server's Math.random; tests pass a seeded one). Falls back to a
 * numbered name when the room is very full.
 */
export function suggestNickname(random: () => number, taken: (nickname: string) => boolean): string {
  for (let i = 0; i < 20; i++) {
    const name = `${ADJECTIVES[Math.floor(random() * ADJECTIVES.length)]} ${ANIMALS[Math.floor(random() * ANIMALS.length)]}`;
    if (!taken(name)) return name;
  }
  for (let n = 2; ; n++) {
    const name = `${ANIMALS[Math.floor(random() * ANIMALS.length)]} ${n}`;
    if (!taken(name)) return name;
  }
}

/**
 * The pod's stable name (its slot) for a nickname: a DNS label, as Kubernetes requires. "Zoë B." → "zoe-b".
 * `taken` reports a slot in use; a number is appended until one is free ("alice-2").
 */
export function slotForNickname(nickname: string, taken: (slot: string) => boolean): string {
  const base =
    foldNickname(nickname)
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 30)
      .replace(/-+$/, '') || 'pod';
  if (!taken(base)) return base;
  for (let n = 2; ; n++) {
    const slot = `${base}-${n}`;
    if (!taken(slot)) return slot;
  }
}
