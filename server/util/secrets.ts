import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { ROOM_CODE_ALPHABET, ROOM_CODE_LENGTH, roomCodeFrom } from '../../shared/protocol/roomCode.ts';

/** An unguessable secret (host key, session token): 128 bits, URL-safe. */
export function newSecret(): string {
  return randomBytes(16).toString('base64url');
}

export function newRoomCode(): string {
  return roomCodeFrom(Array.from({ length: ROOM_CODE_LENGTH }, () => randomInt(ROOM_CODE_ALPHABET.length)));
}

/** Compare secrets in constant time so response timing does not leak a prefix. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
