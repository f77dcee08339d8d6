import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

/** What a share link opens: the recording with its students' names, or with pseudonyms. */
export type ShareAccess = 'names' | 'anonymous';

/**
 * Read-only share links: a token per recording and mode, derived (HMAC) from a secret kept beside the recordings,
 * so links outlive restarts and nothing per link is stored.
 */
export class ShareLinks {
  readonly #secret: Buffer;

  constructor(secretFile: string) {
    this.#secret = loadOrMakeSecret(secretFile);
  }

  token(id: string, names: boolean): string {
    const mode = names ? 'n' : 'a';
    return `${mode}.${createHmac('sha256', this.#secret).update(`share\n${id}\n${mode}`).digest('base64url')}`;
  }

  /** What `token` opens for this recording, or null when it is not one of its tokens (compared in constant time). */
  access(id: string, token: string | null): ShareAccess | null {
    if (!token) return null;
    for (const names of [true, false]) {
      const want = Buffer.from(this.token(id, names));
      const got = Buffer.from(token);
      if (got.length === want.length && timingSafeEqual(got, want)) return names ? 'names' : 'anonymous';
    }
    return null;
  }
}

/** The secret: made once (32 random bytes, owner-only), then read at every start. */
function loadOrMakeSecret(file: string): Buffer {
  try {
    const b = readFileSync(file);
    if (b.length >= 32) return b;
  } catch {
    // First start: made below.
  }
  const secret = randomBytes(32);
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
