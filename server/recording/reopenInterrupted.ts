import { createHash, timingSafeEqual } from 'node:crypto';
import { fsyncSync, ftruncateSync, openSync } from 'node:fs';
import { truncate } from 'node:fs/promises';
import type { HeaderLine } from '../../shared/recording/format.ts';
import type { Divergence } from '../../shared/recording/ReplayMachine.ts';
import { RecordingWriter } from '../../shared/recording/writer.ts';
import type { SimState } from '../../shared/sim/types.ts';
import { RecorderErrorCode } from './RecorderError.ts';
import { closeQuietly, writeAll } from './RecordingFile.ts';
import { watchHooks, type ReplayWatch } from './readRecording.ts';
import { replayFile } from './replayFile.ts';
import { StoreError } from './StoreError.ts';

/** Who asks to resume: the owner (checked by the route), or whoever offers the session's host key. */
export interface ResumeAuth {
  hostKey?: string;
  owner?: boolean;
}

/** An interrupted recording made ready to append to again. */
export interface Reopened {
  header: HeaderLine;
  /** Where the file stopped (the replay's own state: copy it before handing it out). */
  state: SimState;
  /** Open for appending, the resume marker written and synced. */
  fd: number;
  writer: RecordingWriter;
  firstTick: number;
  commandCount: number;
  divergence: Divergence | null;
}

/**
 * Replay an interrupted session's file to where it stopped (verifying it, telling `watch` on the way), cut a torn
 * last line, and write and sync the resume marker: whole lines or nothing, so a refused resume leaves the file as
 * the crash left it.
 */
export async function reopenInterrupted(
  file: string,
  id: string,
  auth: ResumeAuth,
  watch: ReplayWatch,
  now: () => Date,
): Promise<Reopened> {
  const { machine, goodBytes, unterminated } = await replayFile(file, watchHooks(watch));
  const r = machine.finish();
  if (!r.ok) throw StoreError.from(r.error);
  if (machine.end?.reason === 'ended') {
    throw new StoreError('NOT_INTERRUPTED', `session ${id} ended normally: start a new one from its replay instead`, 409);
  }
  const header = machine.header!;
  if (header.id !== id) throw new StoreError('NOT_INTERRUPTED', `recording ${id} was uploaded, not interrupted`, 409);
  checkHostKey(header, auth);
  await truncate(file, goodBytes);
  const state = r.value;
  const writer = new RecordingWriter({ ...header, initialState: state });
  const fd = openSync(file, 'a');
  try {
    writeAll(fd, (unterminated ? '\n' : '') + writer.resume(state, now().toISOString()));
    fsyncSync(fd);
  } catch (e) {
    // Whole lines or nothing: the file stays as the crash left it, resumable once there is space.
    try {
      ftruncateSync(fd, goodBytes);
    } catch {
      // left as it was; the torn tail is cut on the next resume
    }
    closeQuietly(fd);
    throw new StoreError(
      RecorderErrorCode.RECORDING_UNAVAILABLE,
      `The recording cannot be written (${(e as NodeJS.ErrnoException).code ?? 'error'}): free some disk space on the server and resume again.`,
      507,
    );
  }
  return {
    header,
    state,
    fd,
    writer,
    firstTick: machine.firstTick,
    commandCount: machine.commandCount,
    divergence: machine.divergence,
  };
}

/**
 * A room that records the hash of its host key can only be resumed by the browser holding that key. The route has
 * already checked ownership (`owner`); a host key offered instead must match the recorded hash.
 */
function checkHostKey(header: HeaderLine, auth: ResumeAuth): void {
  const want = header.options['hostKeySha256'];
  if (auth.owner || (typeof want !== 'string' && auth.hostKey === undefined)) return;
  const got = auth.hostKey ? createHash('sha256').update(auth.hostKey).digest('hex') : '';
  if (typeof want !== 'string' || got.length !== want.length || !timingSafeEqual(Buffer.from(got), Buffer.from(want))) {
    throw new StoreError('BAD_HOST_KEY', 'Only the teacher who ran this session can resume it (from the same browser).', 403);
  }
}
