import { open, rename, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { RecordingErrorCode } from '../../shared/recording/format.ts';
import { ReplayMachine } from '../../shared/recording/ReplayMachine.ts';
import type { RecordingSummary } from '../../shared/recording/summary.ts';
import { writeOwnerFile } from './ownership.ts';
import type { RecordingDir } from './RecordingDir.ts';
import { metaFrom, type RecordingIndex } from './RecordingIndex.ts';
import { feed } from './replayFile.ts';
import { StoreError } from './StoreError.ts';

/** A host action's detail in an uploaded recording is at most this long as JSON: the room never writes more. */
export const MAX_ACTION_DETAIL_BYTES = 16 * 1024;

export interface UploadLimits {
  /** Uploads larger than this are refused (bytes). */
  maxBytes: number;
  /** What one owner's uploads may hold in all (bytes). */
  quotaBytes: number;
  /** What the owner's uploads hold already (bytes). */
  usedBytes: number;
}

/**
 * Store an uploaded recording: streamed to a temporary file while the replay checks every line and hash.
 * A bad, tampered, too new or too large file is refused with a coded error and leaves nothing behind.
 */
export async function storeUpload(
  body: Readable,
  owner: string,
  o: { dir: RecordingDir; index: RecordingIndex; now: () => Date; limits: UploadLimits },
): Promise<RecordingSummary> {
  const { dir, limits } = o;
  // The owner's uploads so far count against their quota; this one may use what is left.
  const room = limits.quotaBytes - limits.usedBytes;
  if (room <= 0) throw quotaError(limits.quotaBytes);
  const id = dir.newId(o.now(), 'upload-');
  const tmp = dir.uploadingFile(id);
  const out = await open(tmp, 'w');
  let bytes = 0;
  // A host action's detail is small in every recording the room writes: a padded one is refused, not stored.
  let bloated: { line: number } | null = null;
  const machine = new ReplayMachine({
    onLine: (l) => {
      if (l.k === 'a' && l.detail !== undefined && Buffer.byteLength(JSON.stringify(l.detail)) > MAX_ACTION_DETAIL_BYTES) {
        bloated ??= { line: machine.lineCount };
      }
    },
  });
  try {
    const sized = async function* (src: Readable, max: number) {
      for await (const chunk of src) {
        bytes += (chunk as Buffer).length;
        if (bytes > room) throw quotaError(limits.quotaBytes);
        if (bytes > max)
          throw new StoreError(
            RecordingErrorCode.TOO_LARGE,
            `the file is larger than ${Math.round(max / 1024 / 1024)} MB`,
            413,
          );
        await out.write(chunk as Buffer);
        yield chunk as Buffer;
      }
    };
    await feed(sized(body, limits.maxBytes), machine, () => bloated !== null);
    if (bloated) {
      throw new StoreError(
        'DETAIL_TOO_LARGE',
        `a host action's detail is larger than ${MAX_ACTION_DETAIL_BYTES / 1024} KB: this is not a recording the server wrote`,
        413,
        (bloated as { line: number }).line,
      );
    }
    await out.close();
    const r = machine.finish();
    if (!r.ok) throw StoreError.from(r.error);
    const d = machine.divergence;
    if (d) {
      throw new StoreError(
        RecordingErrorCode.DIVERGED,
        `The recording does not replay as recorded: at tick ${d.tick} (line ${d.line}) it holds ${d.kind === 'keyframe_content' ? 'a keyframe whose state does not match its hash' : `hash ${d.expected} but the replay computes ${d.actual}`}. It was changed after it was recorded.`,
        422,
        d.line,
      );
    }
    // The owner first (synced), then the file: a listed upload always has its owner.
    writeOwnerFile(dir.ownerFile(id), owner);
    await rename(tmp, dir.file(id));
    const meta = metaFrom(machine.header!, machine.firstTick, machine.lastTick, 'ended', 'upload', machine.commandCount);
    meta.id = id;
    meta.owner = owner;
    await o.index.write(meta);
    const { owner: _o, ...summary } = meta;
    return { ...summary, state: 'ended', bytes };
  } catch (e) {
    await out.close().catch(() => {});
    await rm(tmp, { force: true });
    await rm(dir.ownerFile(id), { force: true });
    throw e;
  }
}

function quotaError(quota: number): StoreError {
  return new StoreError(
    'QUOTA_EXCEEDED',
    `your uploads would pass ${Math.round(quota / 1024 / 1024)} MB: delete some recordings first`,
    413,
  );
}
