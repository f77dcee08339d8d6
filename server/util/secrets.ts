import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
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

/** SHA-256 of a secret, hex: what a recording keeps so a secret can be checked later without being stored. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
