import { crc32 } from 'node:zlib';
import { RECORDING_ID } from '../RecordingDir.ts';

/**
 * The journal's bytes. A generation file starts with its owner line, then holds entries: each a head line
 * `{"f":"<recording id>","o":<offset>,"n":<length>,"c":<crc32>}\n` followed by exactly `n` bytes, the lines written
 * to that recording at that offset. Text all through (the payload is recording lines), so `less` reads it.
 */

/** Who writes a generation: recovery deletes a generation only when this process is gone. */
export interface JournalOwner {
  journal: 1;
  host: string;
  pid: number;
  /** When the journal was made (ms since the epoch): recovery reads older generations first. */
  started: number;
  /** The journal's own random id: a later process given the same pid is not the owner. */
  id: string;
  gen: number;
}

/** Lines that were written to one recording at one offset. */
export interface JournalEntry {
  file: string;
  at: number;
  data: Buffer;
}

export function ownerLine(o: JournalOwner): string {
  return JSON.stringify(o) + '\n';
}

/** The entry's bytes: its head line and the data. */
export function encodeEntry(file: string, at: number, data: Buffer): Buffer {
  const head = Buffer.from(JSON.stringify({ f: file, o: at, n: data.length, c: crc32(data) }) + '\n', 'utf8');
  return Buffer.concat([head, data], head.length + data.length);
}

/** A generation's owner and where its entries begin, or null when the file does not start with an owner line. */
export function readOwner(buf: Buffer): { owner: JournalOwner; body: number } | null {
  const nl = buf.indexOf(0x0a);
  if (nl < 0) return null;
  const o = parseJson(buf.subarray(0, nl));
  if (!isRecord(o) || o['journal'] !== 1) return null;
  const { host, pid, started, id, gen } = o;
  if (typeof host !== 'string' || typeof id !== 'string' || !isCount(pid) || !isCount(started) || !isCount(gen)) return null;
  return { owner: { journal: 1, host, pid, started, id, gen }, body: nl + 1 };
}

/**
 * The whole entries from `from` on. Stops at the first one that is torn or damaged (what a power cut leaves after
 * the last sync): nothing after it was acknowledged.
 */
export function readEntries(buf: Buffer, from: number): JournalEntry[] {
  const out: JournalEntry[] = [];
  let at = from;
  while (at < buf.length) {
    const nl = buf.indexOf(0x0a, at);
    if (nl < 0) break;
    const h = parseJson(buf.subarray(at, nl));
    if (!isRecord(h)) break;
    const { f, o, n, c } = h;
    if (typeof f !== 'string' || !RECORDING_ID.test(f) || !isCount(o) || !isCount(n) || !isCount(c)) break;
    const data = buf.subarray(nl + 1, nl + 1 + n);
    if (data.length !== n || crc32(data) !== c) break;
    out.push({ file: f, at: o, data });
    at = nl + 1 + n;
  }
  return out;
}

function parseJson(b: Buffer): unknown {
  try {
    return JSON.parse(b.toString('utf8'));
  } catch {
    return null;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
