import type { LogLine } from './input.ts';
import {
  readChose,
  readCounterLine,
  readCpuLine,
  readGroupLine,
  readInvoked,
  readKilled,
  readPagesLine,
  readReaped,
  readStatsFor,
  readSummary,
  readSwapLine,
  readTableHeader,
  readTaskIn,
  readTaskRow,
} from './kernelLines.ts';
import type { KernelReport } from './types.ts';

/** A table longer than this is cut (a node has far fewer processes); the rest is reported as unread. */
export const MAX_TASK_ROWS = 20_000;
/** More reports than this in one paste are not explained one by one. */
export const MAX_REPORTS = 200;

function emptyReport(first: LogLine, startMissing: boolean): KernelReport {
  return {
    firstLine: first.no,
    lastLine: first.no,
    stamp: first.stamp,
    wall: first.wall,
    invoker: null,
    invokerPid: null,
    kernelVersion: null,
    pagesRam: null,
    pagesReserved: null,
    totalSwapKb: null,
    freeSwapKb: null,
    memory: null,
    swap: null,
    memsw: null,
    statsFor: null,
    limitOf: null,
    columns: null,
    tasks: [],
    badRows: 0,
    summary: null,
    chose: null,
    killed: null,
    groupPath: null,
    groupKilled: [],
    reaped: null,
    noKillable: false,
    startMissing,
  };
}

/** A cheap first look: most lines of a busy log (and all junk) are none of the report's lines. */
function mayBeReportLine(t: string): boolean {
  const c = t.charCodeAt(0);
  if (c === 91 /* [ */ || (c >= 48 && c <= 57)) return true;
  return (
    t.includes('oom') ||
    t.includes('Kill') ||
    t.startsWith('CPU: ') ||
    t.includes(': usage ') ||
    t.startsWith('Memory cgroup') ||
    t.startsWith('Task') ||
    t.includes(' swap') ||
    t.startsWith('Out of memory')
  );
}

/**
 * Group the lines into OOM reports. A report opens at `invoked oom-killer`; a report line seen with no report open
 * (the start was cut from the paste) opens one marked `startMissing`; a line that belongs before what the open report
 * already has (a second table, summary or memory line after its kill) closes it and opens the next. Unrelated lines
 * in between (other subsystems, call traces) are skipped, so interleaved logs still read.
 */
export function groupKernelReports(
  lines: Iterable<LogLine>,
  onLine?: (l: LogLine) => void,
): { reports: KernelReport[]; notes: string[] } {
  const reports: KernelReport[] = [];
  const notes: string[] = [];
  let cur: KernelReport | null = null;
  let inTable = false;
  let dropped = 0;

  const open = (l: LogLine, startMissing: boolean): KernelReport => {
    inTable = false;
    if (reports.length >= MAX_REPORTS) {
      dropped++;
      cur = emptyReport(l, startMissing); // read but not kept
      return cur;
    }
    cur = emptyReport(l, startMissing);
    reports.push(cur);
    return cur;
  };
  /** The open report if it can still take a line of this stage, else a new one. */
  const forStage = (l: LogLine, isBeforeKill: boolean): KernelReport => {
    if (cur === null) return open(l, true);
    if (isBeforeKill && cur.killed !== null) return open(l, true);
    return cur;
  };

  let l: LogLine;
  const touch = (r: KernelReport) => {
    r.lastLine = l.no;
    if (r.stamp === null && l.stamp !== null) r.stamp = l.stamp;
    if (r.wall === null && l.wall !== null) r.wall = l.wall;
  };
  for (l of lines) {
    onLine?.(l);
    const t = l.text;
    if (!inTable && !mayBeReportLine(t)) continue;

    // Table rows first: the commonest line in a report.
    if (inTable && cur !== null) {
      const r: KernelReport = cur;
      if (t.startsWith('[')) {
        const row = readTaskRow(t, r.columns!, l.no);
        if (row) {
          if (r.tasks.length < MAX_TASK_ROWS) r.tasks.push(row);
          else r.badRows++;
          touch(r);
          continue;
        }
        if (readTableHeader(t) === null) {
          r.badRows++;
          continue;
        }
      } else if (t.length > 0 && t.charCodeAt(0) >= 48 && t.charCodeAt(0) <= 57 && t.includes(']')) {
        // A row whose start was lost.
        r.badRows++;
        continue;
      }
      inTable = false;
    }

    const invoked = readInvoked(t);
    if (invoked) {
      const r = open(l, false);
      r.invoker = invoked;
      touch(r);
      continue;
    }
    const cpu = readCpuLine(t);
    if (cpu) {
      if (
        cur !== null &&
        (cur as KernelReport).killed === null &&
        (cur as KernelReport).invokerPid === null
      ) {
        const r: KernelReport = cur;
        r.invokerPid = cpu.pid;
        r.kernelVersion = cpu.version;
      }
      continue;
    }
    const pages = readPagesLine(t);
    if (pages) {
      const r = forStage(l, true);
      if (pages.kind === 'ram') r.pagesRam = pages.pages;
      else r.pagesReserved = pages.pages;
      touch(r);
      continue;
    }
    const swap = readSwapLine(t);
    if (swap) {
      const r = forStage(l, true);
      if (swap.kind === 'total') r.totalSwapKb = swap.kb;
      else r.freeSwapKb = swap.kb;
      touch(r);
      continue;
    }
    const counter = readCounterLine(t);
    if (counter) {
      let r = forStage(l, true);
      if (counter.kind === 'memory' && (r.memory !== null || r.columns !== null)) r = open(l, true);
      if (counter.kind === 'memory') r.memory = counter.counter;
      else if (counter.kind === 'swap') r.swap = counter.counter;
      else if (counter.kind === 'memsw') r.memsw = counter.counter;
      touch(r);
      continue;
    }
    const stats = readStatsFor(t);
    if (stats !== null) {
      const r = forStage(l, true);
      if (r.statsFor === null) r.statsFor = stats;
      continue;
    }
    const taskIn = readTaskIn(t);
    if (taskIn !== null) {
      const r = forStage(l, true);
      r.limitOf = taskIn;
      touch(r);
      continue;
    }
    if (t.startsWith('Tasks state (memory values in pages)')) {
      let r = forStage(l, true);
      if (r.columns !== null) r = open(l, true);
      touch(r);
      continue;
    }
    const header = readTableHeader(t);
    if (header) {
      let r = forStage(l, true);
      if (r.columns !== null && r.tasks.length > 0) r = open(l, true);
      r.columns = header;
      inTable = true;
      touch(r);
      continue;
    }
    const summary = readSummary(t, l.no);
    if (summary) {
      let r = forStage(l, true);
      if (r.summary !== null) r = open(l, true);
      r.summary = summary;
      touch(r);
      continue;
    }
    const chose = readChose(t, l.no);
    if (chose) {
      let r = forStage(l, true);
      if (r.chose !== null) r = open(l, true);
      r.chose = chose;
      touch(r);
      continue;
    }
    const killed = readKilled(t, l.no);
    if (killed) {
      let r: KernelReport = cur ?? open(l, true);
      if (r.killed !== null && r.groupPath !== null) {
        r.groupKilled.push(killed);
        touch(r);
        continue;
      }
      if (r.killed !== null) r = open(l, true);
      r.killed = killed;
      touch(r);
      continue;
    }
    const group = readGroupLine(t);
    if (group !== null) {
      const r: KernelReport = cur ?? open(l, true);
      r.groupPath = group;
      touch(r);
      continue;
    }
    const reaped = readReaped(t);
    if (reaped) {
      // The reaper runs later and may follow other lines; it belongs to the report that killed that pid.
      const owner = [...reports].reverse().find((r) => r.killed?.pid === reaped.pid);
      if (owner) owner.reaped = reaped;
      continue;
    }
    if (t.startsWith('Out of memory and no killable processes')) {
      const r = forStage(l, false);
      r.noKillable = true;
      touch(r);
    }
  }
  if (dropped > 0)
    notes.push(
      `The paste holds ${reports.length + dropped} OOM reports; only the first ${MAX_REPORTS} are explained.`,
    );
  return { reports, notes };
}
