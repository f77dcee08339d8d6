/** Decoding one line of a recording: JSON, then the version gate (header) or the line schema (body). */
import { describeIssues } from '../schemas/commands.ts';
import { SIM_VERSION } from '../sim/create.ts';
import {
  FORMAT_VERSION,
  RecordingErrorCode,
  recordingError,
  type BodyLine,
  type HeaderLine,
  type RecordingResult,
} from './format.ts';
import { bodyLineSchema, headerSchema } from './schemas.ts';

function json(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Line 1. The versions are checked before anything else, so a file from a newer build gets "too new", never a
 * confusing schema error, and a file made under other simulation rules is refused rather than replayed wrongly.
 */
export function decodeHeader(text: string): RecordingResult<HeaderLine> {
  const j = json(text);
  if (!j.ok || !isRecord(j.value) || j.value.k !== 'header') {
    return recordingError(
      RecordingErrorCode.NOT_A_RECORDING,
      'This is not an OOM Arena recording: its first line is not a recording header.',
      1,
    );
  }
  const { formatVersion, simVersion } = j.value;
  if (typeof formatVersion !== 'number' || !Number.isInteger(formatVersion) || formatVersion < 1) {
    return recordingError(
      RecordingErrorCode.NOT_A_RECORDING,
      'The recording header has no valid formatVersion.',
      1,
    );
  }
  if (formatVersion > FORMAT_VERSION) {
    return recordingError(
      RecordingErrorCode.FORMAT_TOO_NEW,
      `This recording uses format version ${formatVersion}; this version of OOM Arena reads up to ${FORMAT_VERSION}. Update OOM Arena to replay it.`,
      1,
    );
  }
  if (simVersion !== SIM_VERSION) {
    return recordingError(
      RecordingErrorCode.SIM_VERSION_MISMATCH,
      `This recording was made under simulation rules version ${String(simVersion)}; this build runs version ${SIM_VERSION}, so replaying it would show things that did not happen.`,
      1,
    );
  }
  const r = headerSchema.safeParse(upgradeHeader(j.value, formatVersion));
  if (!r.success)
    return recordingError(
      RecordingErrorCode.INVALID_LINE,
      `Invalid recording header: ${describeIssues(r.error)}`,
      1,
    );
  return { ok: true, value: r.data as HeaderLine };
}

/** Any line after the header, upgraded from the file's format version to the current one. */
export function decodeBody(text: string, lineNo: number, formatVersion: number): RecordingResult<BodyLine> {
  const j = json(text);
  if (!j.ok)
    return recordingError(RecordingErrorCode.INVALID_LINE, `Line ${lineNo} is not valid JSON.`, lineNo);
  const r = bodyLineSchema.safeParse(upgradeBody(j.value, formatVersion));
  if (!r.success)
    return recordingError(
      RecordingErrorCode.INVALID_LINE,
      `Line ${lineNo} is invalid: ${describeIssues(r.error)}`,
      lineNo,
    );
  return { ok: true, value: r.data as BodyLine };
}

/**
 * Format migrations live here: each older version's lines are rewritten into the current shape, so old recordings
 * keep playing. Version 1 is the first; nothing to upgrade yet.
 */
function upgradeHeader(raw: Record<string, unknown>, _from: number): unknown {
  return raw;
}
function upgradeBody(raw: unknown, _from: number): unknown {
  return raw;
}

/**
 * The lines of a recording's text, without their `\n` or `\r\n`; `last` marks a final line with no newline (it
 * may be torn), `end` is the offset just past the line, for progress.
 */
export function* textLines(text: string): Generator<{ line: string; last: boolean; end: number }> {
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const last = nl === -1;
    const line = text.slice(start, last ? text.length : nl);
    start = last ? text.length : nl + 1;
    yield { line: line.endsWith('\r') ? line.slice(0, -1) : line, last, end: start };
  }
}
