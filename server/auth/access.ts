import { sameSecret, secretHash } from '../util/secrets.ts';

/**
 * Who is asking, from `Authorization: Bearer <key>`: the server's operator (ADMIN_KEY), or whoever holds a key —
 * a teacher key (made in the teacher's browser), a session's host key, or a replay's share token. Keys are never
 * stored: sessions and recordings keep the SHA-256 of their owner's key, and a request is compared by that hash.
 */
export interface Caller {
  /** The raw bearer key, or null when none (or a malformed one) was sent. */
  key: string | null;
  /** SHA-256 of the key: what an owner is recorded as. */
  keyHash: string | null;
  admin: boolean;
}

/** The shape of every key the server accepts (teacher keys, host keys, share tokens, ADMIN_KEY): URL-safe base64. */
export const KEY_PATTERN = /^[A-Za-z0-9_.-]{16,128}$/;

export function callerOf(authorization: string | string[] | undefined, adminKey: string | null): Caller {
  const header = Array.isArray(authorization) ? authorization[0] : authorization;
  const key = /^Bearer ([^\s]+)$/.exec(header ?? '')?.[1] ?? null;
  if (!key || !KEY_PATTERN.test(key)) return { key: null, keyHash: null, admin: false };
  return { key, keyHash: secretHash(key), admin: adminKey !== null && sameSecret(key, adminKey) };
}

/** May the caller act as the owner recorded as `ownerHash`? The operator always may. */
export function owns(caller: Caller, ownerHash: string | null | undefined): boolean {
  if (caller.admin) return true;
  return !!ownerHash && caller.keyHash !== null && sameSecret(caller.keyHash, ownerHash);
}
