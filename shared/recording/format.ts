/**
 * The recording format (docs/recording-format.md): NDJSON, one JSON object per line, each line tagged by `k`.
 * The first line is the header; then keyframes, commands, state hashes, host actions, resumes and the end, in the
 * order they happened. Append-only, so a crash can at worst tear the last line. Types only and constants: no I/O.
 */
import type { Scenario } from '../scenario/schema.ts';
import type { Command, SimState } from '../sim/types.ts';

/** Bumped when a line's shape changes. Older versions are upgraded on read (upgrade.ts); newer ones are refused. */
export const FORMAT_VERSION = 1;

/** A state hash line every this many ticks (1 s of sim time): where verification can point at a divergence. */
export const HASH_EVERY_TICKS = 10;
/**
 * A keyframe (full state) every this many ticks (2 min of sim time). One 50-pod keyframe is about 65 KB, so this
 * keeps an hour of a full classroom well under 5 MB while any moment is at most 1,200 ticks (≈ 10 ms) from one.
 */
export const KEYFRAME_EVERY_TICKS = 1200;

/** A person (or bot) in the session, by public id: never a session token. */
export interface RecordingParticipant {
  id: string;
  name: string;
  role: 'student' | 'host' | 'bot';
  /** The pod (slot) the student controls, if any. */
  slot?: string | null;
}

/** Line 1: what the session was, so the replay can rebuild it and refuse what it cannot replay. */
export interface HeaderLine {
  k: 'header';
  formatVersion: number;
  simVersion: number;
  /** The recording's id (file name stem): letters, digits and dashes. */
  id: string;
  /** The session's join code, reused when an interrupted session is resumed. */
  code: string;
  /** Wall-clock start, ISO 8601 (display only: the simulation never reads it). */
  startedAt: string;
  scenario: Scenario;
  seed: number;
  /** Session options as the host chose them (round length, speed …): display and resume only. */
  options: Record<string, unknown>;
  participants: RecordingParticipant[];
  /** For a session continued from a replay: where it came from. */
  origin: { recording: string; tick: number } | null;
}

/** A full state: the replay starts from the first one and seeks from the nearest one. `hash` = stateHash(state). */
export interface KeyframeLine {
  k: 'k';
  t: number;
  hash: string;
  /** The state after tick `t`, without its per-tick `events` (they are recomputed by replay). */
  state: SimState;
}

/** A command applied at the start of tick `t`, in the order the room applied it. */
export interface CommandLine {
  k: 'c';
  t: number;
  by: string;
  cmd: Command;
}

/** stateHash of the state after tick `t`: what verification compares. */
export interface HashLine {
  k: 'h';
  t: number;
  hash: string;
}

/** A host action that is not a simulation command (start, pause, speed, kick, join …). */
export interface HostActionLine {
  k: 'a';
  t: number;
  action: string;
  detail?: Record<string, unknown>;
}

/** The session was resumed after an interruption: the live run continues from the replayed state at tick `t`. */
export interface ResumeLine {
  k: 'r';
  t: number;
  at: string;
}

/** The session ended (a recording without it was interrupted, or is still live). */
export interface EndLine {
  k: 'e';
  t: number;
  reason: 'ended' | 'shutdown';
  at: string;
}

export type BodyLine = KeyframeLine | CommandLine | HashLine | HostActionLine | ResumeLine | EndLine;
export type RecordingLine = HeaderLine | BodyLine;

/** Stable error codes for a recording that cannot be read or replayed: clients branch on the code. */
export const RecordingErrorCode = {
  /** Empty, not NDJSON, or the first line is not a header. */
  NOT_A_RECORDING: 'NOT_A_RECORDING',
  /** Written by a newer version of OOM Arena: refuse rather than misread. */
  FORMAT_TOO_NEW: 'FORMAT_TOO_NEW',
  /** Written under other simulation rules: replaying would show something that did not happen. */
  SIM_VERSION_MISMATCH: 'SIM_VERSION_MISMATCH',
  /** A line (other than a torn last one) is not valid JSON or not a valid line. */
  INVALID_LINE: 'INVALID_LINE',
  /** Ticks go backwards: lines were reordered or spliced. */
  OUT_OF_ORDER: 'OUT_OF_ORDER',
  /** No keyframe to start from. */
  NO_KEYFRAME: 'NO_KEYFRAME',
  /** The file is larger than the limit. */
  TOO_LARGE: 'TOO_LARGE',
  /** Replaying the commands does not reproduce a recorded hash: tampered, or recorded by a faulty server. */
  DIVERGED: 'DIVERGED',
  /** Replaying a line failed inside the simulation or the game (a fault, not the file's shape): the file is readable up to it. */
  REPLAY_FAILED: 'REPLAY_FAILED',
} as const;
export type RecordingErrorCode = (typeof RecordingErrorCode)[keyof typeof RecordingErrorCode];

export interface RecordingError {
  code: RecordingErrorCode;
  message: string;
  /** 1-based line number, when one line is to blame. */
  line?: number;
}

export type RecordingResult<T> = { ok: true; value: T } | { ok: false; error: RecordingError };

export function recordingError(
  code: RecordingErrorCode,
  message: string,
  line?: number,
): { ok: false; error: RecordingError } {
  return { ok: false, error: line === undefined ? { code, message } : { code, message, line } };
}

/** One line of the file, newline included. Keyframes drop the state's per-tick events. */
export function encodeLine(line: RecordingLine): string {
  if (line.k === 'k') return JSON.stringify({ ...line, state: { ...line.state, events: [] } }) + '\n';
  return JSON.stringify(line) + '\n';
}
