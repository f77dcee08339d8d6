import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreError } from './StoreError.ts';

export const RECORDING_ID = /^[A-Za-z0-9][-A-Za-z0-9_]{0,99}$/;

/**
 * The folder DATA_DIR/recordings and what each recording keeps in it: `<id>.ndjson` (the truth), `<id>.meta.json`
 * (its index, a cache) and, for an upload, `<id>.owner`. Every path goes through `file(id)`'s id check first.
 */
export class RecordingDir {
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'recordings');
    mkdirSync(this.path, { recursive: true });
  }

  file(id: string): string {
    if (!RECORDING_ID.test(id)) throw new StoreError('BAD_ID', `"${id}" is not a recording id`, 400);
    return join(this.path, `${id}.ndjson`);
  }

  /** The file of a recording that must exist (NOT_FOUND otherwise). */
  existing(id: string): string {
    const file = this.file(id);
    if (!existsSync(file)) throw new StoreError('NOT_FOUND', `no recording ${id}`, 404);
    return file;
  }

  metaFile(id: string): string {
    return join(this.path, `${id}.meta.json`);
  }

  ownerFile(id: string): string {
    return join(this.path, `${id}.owner`);
  }

  /** Where an upload is written while it is checked: a dot file, so it is never listed. */
  uploadingFile(id: string): string {
    return join(this.path, `.${id}.uploading`);
  }

  /** The share links' secret (server/recording/ShareLinks.ts). */
  get shareSecretFile(): string {
    return join(this.path, '.share-secret');
  }

  /** Every recording's id (files whose names are not ids are skipped). */
  async ids(): Promise<string[]> {
    const names = (await readdir(this.path)).filter((n) => n.endsWith('.ndjson'));
    return names.map((n) => n.slice(0, -'.ndjson'.length)).filter((id) => RECORDING_ID.test(id));
  }

  /**
   * A new id: the time to the second and 4 random bytes, numbered on if taken. Not the room code: ids are listed
   * (to the owner) and shown to everyone in the room, a live code must not be.
   */
  newId(now: Date, prefix = ''): string {
    const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    const base = `${prefix}${stamp}-${randomBytes(4).toString('hex')}`;
    let id = base;
    for (let n = 2; existsSync(this.file(id)); n++) id = `${base}-${n}`;
    return id;
  }
}
