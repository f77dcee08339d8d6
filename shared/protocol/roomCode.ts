/**
 * Room codes: six characters a student can read off a projector and type on a phone. The alphabet leaves out
 * characters people confuse (0/O, 1/I/L), and codes are case-insensitive.
 */
export const ROOM_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const ROOM_CODE_LENGTH = 6;
export const ROOM_CODE_PATTERN = /^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}$/;

/** Upper-case and strip spaces/dashes, so "abc 234" and "ABC-234" both find room ABC234. */
export function normaliseRoomCode(raw: string): string {
  return raw.replace(/[\s-]/g, '').toUpperCase();
}

/** A room code from six random integers (the server draws them from crypto; tests pass fixed ones). */
export function roomCodeFrom(randomInts: readonly number[]): string {
  let code = '';
  for (let i = 0; i < ROOM_CODE_LENGTH; i++) code += ROOM_CODE_ALPHABET[(randomInts[i] ?? 0) % ROOM_CODE_ALPHABET.length];
  return code;
}
