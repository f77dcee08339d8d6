import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { HeaderLine } from '../../shared/recording/format.ts';

/** An owner is the SHA-256 (hex) of the key that owns a recording: the teacher key, or a session's host key. */
const OWNER_HASH = /^[0-9a-f]{64}$/;

/** The owner a live session recorded in its header, or null (only the operator). */
export function ownerInHeader(h: HeaderLine): string | null {
  const owner = h.options['ownerSha256'];
  return typeof owner === 'string' && OWNER_HASH.test(owner) ? owner : null;
}

/** The owner hash an upload's `<id>.owner` file holds, or null (an uploaded header proves nothing). */
export async function readOwnerFile(file: string): Promise<string | null> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return OWNER_HASH.test(text.trim()) ? text.trim() : null;
}

/** Write an upload's owner and sync it: done before the upload is listed, so a listed upload always has its owner. */
export function writeOwnerFile(file: string, owner: string): void {
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, owner);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
