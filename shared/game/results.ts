/**
 * The host's results download (docs/game.md, CSV1–CSV3): one CSV row per student. RFC 4180 quoting, and cells that a
 * spreadsheet would run as a formula are defused.
 */
import type { Question } from './questions.ts';
import type { GameStats } from './score.ts';
import { leaderboard } from './standings.ts';
import type { Dict } from '../util/dict.ts';

/** CSV2: cells a spreadsheet treats as formulas start with one of these (OWASP's list, with tab and CR). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** CSV1, CSV2: one CSV field. Numbers are written as numbers; text is defused, then quoted if it needs to be. */
export function csvCell(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = typeof v === 'boolean' ? (v ? 'true' : 'false') : v;
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV1: rows joined with CRLF, ending with CRLF. */
export function toCsv(rows: readonly (readonly (string | number | boolean | null | undefined)[])[]): string {
  return rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export interface ResultsInput {
  stats: GameStats;
  /** slot → the student's nickname (bots too). */
  nicknames: Readonly<Dict<string>>;
  /** Ticks the round lasted. */
  roundTicks: number;
  /** Questions asked, each with its answers by slot. */
  asked: readonly { question: Question; answers: Readonly<Dict<string>> }[];
}

export const RESULTS_COLUMNS = [
  'rank',
  'nickname',
  'slot',
  'score',
  'requests_served',
  'oom_kills_memcg',
  'oom_kills_global',
  'evictions',
  'restarts',
  'uptime_sec',
  'uptime_pct',
  'time_lost_sec',
  'answers_correct',
  'answers_total',
] as const;

/** CSV3: the CSV: fixed columns, then one column per question asked (the choice picked, and whether it was right). */
export function resultsCsv(input: ResultsInput): string {
  const header: string[] = [...RESULTS_COLUMNS, ...input.asked.map((a) => `q:${a.question.id}`)];
  const rows: (string | number)[][] = [header];
  for (const row of leaderboard(input.stats, Object.keys(input.nicknames))) {
    const s = input.stats.slots[row.slot]!;
    const picks = input.asked.map((a) => a.answers[row.slot]);
    const correct = input.asked.filter((a) => a.answers[row.slot] === a.question.answer).length;
    rows.push([
      row.rank,
      input.nicknames[row.slot] ?? row.slot,
      row.slot,
      s.score,
      s.requestsServed,
      s.killsMemcg,
      s.killsGlobal,
      s.evictions,
      s.restarts,
      s.runningTicks / 10,
      input.roundTicks > 0 ? Math.round((100 * s.runningTicks) / input.roundTicks) : 0,
      (s.pendingTicks + s.downTicks) / 10,
      correct,
      input.asked.length,
      ...picks.map((p, i) =>
        p === undefined ? '' : `${p} (${p === input.asked[i]!.question.answer ? 'right' : 'wrong'})`,
      ),
    ]);
  }
  return toCsv(rows);
}
