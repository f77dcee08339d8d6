import type { SimEvent } from '../../../shared/sim/types.ts';
import { journalLines } from '../../../shared/views/journal.ts';
import { kernelLogLines } from '../../../shared/views/kernelLog.ts';
import { kubectlEventLine } from '../../../shared/views/kubectl.ts';

/** One line of the presenter's ticker, in the real tool's format. */
export interface FeedLine {
  id: number;
  source: 'dmesg' | 'kubectl' | 'journal';
  tone: 'warn' | 'danger' | 'normal';
  text: string;
}

let nextId = 1;

/** The lines a batch of events prints: dmesg for OOM kills, `kubectl get events` for the rest. */
export function feedLines(events: readonly SimEvent[]): FeedLine[] {
  const out: FeedLine[] = [];
  for (const e of events) {
    if (e.type === 'oom_kill') {
      for (const text of kernelLogLines(e)) out.push({ id: nextId++, source: 'dmesg', tone: 'danger', text });
    }
    for (const text of journalLines(e)) out.push({ id: nextId++, source: 'journal', tone: e.type === 'daemon_down' ? 'danger' : 'normal', text });
    const k = kubectlEventLine(e);
    if (k !== null)
      out.push({
        id: nextId++,
        source: 'kubectl',
        tone: k.startsWith('Warning') ? 'warn' : 'normal',
        text: k,
      });
  }
  return out;
}

/** Keep the newest `max` lines (the list is replaced, never mutated, so it can live in $state.raw). */
export function appendCapped<T>(list: readonly T[], more: readonly T[], max: number): T[] {
  if (more.length === 0) return list as T[];
  const all = list.concat(more);
  return all.length > max ? all.slice(all.length - max) : all;
}
