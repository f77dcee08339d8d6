/**
 * The pasted text, cut into lines with the log prefixes removed. Nothing in it is trusted: the whole input and each
 * line have a size limit, and every scan here is a single pass over a bounded line (no backtracking regex), so 10 MB
 * of junk costs one linear walk.
 */

/** The most text one explanation reads (a node's whole `dmesg` buffer is far smaller). */
export const MAX_INPUT_CHARS = 16 * 1024 * 1024;
/** A longer line is cut here: no kernel line comes close (a summary line with long cgroup paths is under 1 KB). */
export const MAX_LINE_CHARS = 4096;

/** One line of the paste with its log prefix removed. */
export interface LogLine {
  /** 1-based line number in the paste, for messages. */
  no: number;
  /** The kernel's text without timestamps, syslog fields or caller ids; leading spaces removed. */
  text: string;
  /** Seconds since boot from a `[ 1234.567890]` stamp, or null. */
  stamp: number | null;
  /** A wall-clock prefix (`dmesg -T`, journalctl, syslog) as printed, or null. */
  wall: string | null;
}

/**
 * The paste's lines (\n, \r\n or \r), over-long ones cut, each with its prefixes stripped; empty lines skipped.
 * A generator, so 10 MB of junk is walked once without holding a line object per line.
 */
export function* logLines(input: string, notes: string[]): Generator<LogLine> {
  let text = input;
  if (text.length > MAX_INPUT_CHARS) {
    notes.push(`The input is ${mb(text.length)} MB; only its first ${mb(MAX_INPUT_CHARS)} MB were read.`);
    text = text.slice(0, MAX_INPUT_CHARS);
  }
  let cut = 0;
  let start = 0;
  let no = 0;
  const n = text.length;
  while (start < n) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    no++;
    if (end > start) {
      if (end - start > MAX_LINE_CHARS) cut++;
      let raw = text.slice(start, Math.min(end, start + MAX_LINE_CHARS));
      if (raw.includes('\t')) raw = raw.replaceAll('\t', ' ');
      // \r\n line ends, and lone \r separators (old tools) as line breaks of their own.
      if (raw.includes('\r')) {
        for (const part of raw.split('\r')) {
          const line = part.length > 0 ? stripPrefixes(part, no) : null;
          if (line && line.text.length > 0) yield line;
        }
      } else {
        const line = stripPrefixes(raw, no);
        if (line.text.length > 0) yield line;
      }
    }
    start = end + 1;
  }
  if (cut > 0)
    notes.push(
      `${cut} line${cut === 1 ? ' was' : 's were'} longer than ${MAX_LINE_CHARS} characters and cut short.`,
    );
}

/** At most this many raw lines are kept for the indentation-based kubectl readers. */
export const MAX_RAW_LINES = 200_000;

/** Raw lines (indentation kept, tabs as spaces, each cut to MAX_LINE_CHARS) for kubectl's layouts; null if too many. */
export function rawLines(input: string): string[] | null {
  const text = input.length > MAX_INPUT_CHARS ? input.slice(0, MAX_INPUT_CHARS) : input;
  const out: string[] = [];
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (out.length >= MAX_RAW_LINES) return null;
    let line = text.slice(start, Math.min(end, start + MAX_LINE_CHARS));
    if (line.endsWith('\r')) line = line.slice(0, -1);
    out.push(line.replaceAll('\t', '    '));
    start = end + 1;
  }
  return out;
}

function mb(chars: number): string {
  return (chars / (1024 * 1024)).toFixed(1);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Skip spaces from i; returns the first non-space index. */
function skipSpaces(s: string, i: number): number {
  while (i < s.length && s.charCodeAt(i) === 32) i++;
  return i;
}

/**
 * Remove what log tools put before the kernel's text, in any order and nesting:
 * `<4>` (syslog priority), `kern  :warn  : ` (`dmesg -x`), `[ 1234.567890]` (dmesg), `[Mon Jan  1 10:00:00 2024]`
 * (`dmesg -T`), `[    T123]` / `[  C3]` (printk caller ids on serial consoles), `Jan 01 10:00:00 host kernel: `
 * (journalctl, syslog), `t=12.3s    dmesg    ` (OOM Arena's `npm run sim`). A bracket holding only digits is a
 * Tasks-table row and stays.
 */
export function stripPrefixes(raw: string, no: number): LogLine {
  let s = raw;
  let stamp: number | null = null;
  let wall: string | null = null;
  for (let round = 0; round < 6; round++) {
    s = s.slice(skipSpaces(s, 0));
    if (s.length === 0) break;
    const c0 = s.charCodeAt(0);
    // <4> syslog priority.
    if (c0 === 60 /* < */) {
      let i = 1;
      while (i < s.length && i < 5 && isDigit(s.charCodeAt(i))) i++;
      if (i > 1 && s.charCodeAt(i) === 62 /* > */) {
        s = s.slice(i + 1);
        continue;
      }
    }
    // [ ... ] prefixes.
    if (c0 === 91 /* [ */) {
      const close = s.indexOf(']', 1);
      if (close > 0 && close < 64) {
        const inner = s.slice(1, close).trim();
        if (inner.length > 0 && !onlyDigits(inner) && inner !== 'pid') {
          const sec = stampSeconds(inner);
          if (sec !== null) stamp = sec;
          else if (!isCallerId(inner)) wall = inner;
          s = s.slice(close + 1);
          continue;
        }
      }
    }
    // OOM Arena's `npm run sim` text: `t=12.3s    dmesg    ...`.
    if (s.startsWith('t=')) {
      const sp = s.indexOf(' ');
      if (sp > 2 && sp < 16) {
        const rest = s.slice(skipSpaces(s, sp));
        if (rest.startsWith('dmesg ')) {
          s = rest.slice(6);
          continue;
        }
      }
    }
    // dmesg -x: `kern  :warn  : `.
    if (s.startsWith('kern ') || s.startsWith('kern:')) {
      const c1 = s.indexOf(':');
      const c2 = c1 >= 0 ? s.indexOf(':', c1 + 1) : -1;
      if (c1 > 0 && c2 > c1 && c2 < 20) {
        s = s.slice(c2 + 1);
        continue;
      }
    }
    // journalctl / syslog: `<date> <host> kernel: `.
    const k = kernelTag(s);
    if (k > 0) {
      const head = s.slice(0, k).trim();
      wall = head.endsWith('kernel:') ? head.slice(0, -7).trim() : head;
      s = s.slice(k);
      continue;
    }
    break;
  }
  return { no, text: s.trimEnd(), stamp, wall };
}

/** The index just after `kernel: ` when it closes a journal/syslog prefix in the first 160 characters, else 0. */
function kernelTag(s: string): number {
  if (s.startsWith('kernel: ')) return 8;
  const i = s.indexOf(' kernel: ');
  if (i <= 0 || i > 160) return 0;
  // The prefix must look like a date (digits and colons) rather than kernel text that mentions "kernel:".
  const head = s.slice(0, i);
  if (head.indexOf(':') < 0 || head.includes('invoked oom-killer')) return 0;
  return i + 9;
}

function onlyDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return s.length > 0;
}

/** `1234.567890` → seconds; anything else → null. */
function stampSeconds(inner: string): number | null {
  const dot = inner.indexOf('.');
  if (dot <= 0 || dot > 12) return null;
  const a = inner.slice(0, dot);
  const b = inner.slice(dot + 1);
  if (!onlyDigits(a) || !onlyDigits(b) || b.length > 9) return null;
  return Number(a) + Number(b) / 10 ** b.length;
}

/** printk caller ids: `T123` (task) or `C3` (CPU). */
function isCallerId(inner: string): boolean {
  const c = inner.charCodeAt(0);
  return (c === 84 || c === 67) && onlyDigits(inner.slice(1));
}

/** Whitespace-separated tokens of a bounded line. */
export function tokens(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    i = skipSpaces(s, i);
    if (i >= s.length) break;
    let j = i;
    while (j < s.length && s.charCodeAt(j) !== 32) j++;
    out.push(s.slice(i, j));
    i = j;
  }
  return out;
}

/** A non-negative decimal integer, or null (leading `+` or anything but digits refused; at most 19 digits). */
export function parseUInt(s: string | undefined): number | null {
  if (s === undefined || !onlyDigits(s) || s.length > 19) return null;
  return Number(s);
}

/** A decimal integer with an optional minus sign, or null. */
export function parseInt10(s: string | undefined): number | null {
  if (s === undefined) return null;
  if (s.startsWith('-')) {
    const v = parseUInt(s.slice(1));
    return v === null ? null : -v;
  }
  return parseUInt(s);
}

/** `1234kB` → 1234, or null. */
export function parseKb(s: string | undefined): number | null {
  if (s === undefined || !s.endsWith('kB')) return null;
  return parseUInt(s.slice(0, -2));
}
