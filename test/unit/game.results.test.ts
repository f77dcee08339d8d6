/** Results CSV (docs/game.md, CSV1–CSV3): RFC 4180 quoting and CSV-injection defusing. */
import { dict } from '../../shared/util/dict.ts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtinQuestion } from '../../shared/game/questions.ts';
import { csvCell, resultsCsv, toCsv, RESULTS_COLUMNS } from '../../shared/game/results.ts';
import { emptyStats, updateStats } from '../../shared/game/score.ts';
import { advance } from '../../shared/sim/step.ts';
import { sim } from './sim/helpers.ts';

/** A strict RFC 4180 reader, to check what we write reads back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else cell += ch;
      i++;
      continue;
    }
    if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
    i++;
  }
  return rows;
}

describe('CSV1/CSV2: cells', () => {
  it.each([
    ['plain', 'ann', 'ann'],
    ['comma', 'a,b', '"a,b"'],
    ['quote', 'say "hi"', '"say ""hi"""'],
    ['newline', 'a\nb', '"a\nb"'],
    ['CRLF', 'a\r\nb', '"a\r\nb"'],
    ['formula =', '=HYPERLINK("http://x")', '"\'=HYPERLINK(""http://x"")"'],
    ['formula +', '+1+1', "'+1+1"],
    ['formula -', '-2+3', "'-2+3"],
    ['formula @', '@SUM(A1)', "'@SUM(A1)"],
    ['leading tab', '\t=1', "'\t=1"],
    ['leading CR', '\r=1', '"\'\r=1"'],
    ['= in the middle is fine', 'a=b', 'a=b'],
    ['empty', '', ''],
  ])('%s', (_n, input, out) => {
    expect(csvCell(input)).toBe(out);
  });
  it('numbers stay numbers (a negative number is ours, not a formula)', () => {
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(12.5)).toBe('12.5');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell(null)).toBe('');
  });

  it('any text round-trips through a strict reader, defused', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.array(
            fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r', '=', '+', '-', '@', ' ', '\t') }),
            { minLength: 1, maxLength: 4 },
          ),
          { minLength: 1, maxLength: 5 },
        ),
        (rows) => {
          const back = parseCsv(toCsv(rows));
          expect(back).toEqual(rows.map((r) => r.map((c) => (/^[=+\-@\t\r]/.test(c) ? `'${c}` : c))));
          for (const r of back) for (const c of r) expect(c).not.toMatch(/^[=+\-@\t\r]/);
        },
      ),
      { numRuns: 300, seed: 4180 },
    );
  });
});

describe('CSV3: the results file', () => {
  it('one row per student in leaderboard order, answers per question, nicknames defused', () => {
    const state = sim({
      pods: [
        { name: 's1', requestMiB: 128, limitMiB: 256, workload: { requestsPerSec: 20 } },
        { name: 's2', requestMiB: 128, limitMiB: 256, workload: { requestsPerSec: 5 } },
      ],
    });
    const stats = emptyStats();
    for (let i = 0; i < 100; i++) {
      advance(state);
      updateStats(stats, state);
    }
    const q1 = builtinQuestion('crashloop-timing')!;
    const q2 = builtinQuestion('stream-the-batch')!;
    const csv = resultsCsv({
      stats,
      nicknames: dict(Object.entries({ s1: '=cmd|calc', s2: 'Bo, "the" bot' })),
      roundTicks: 100,
      asked: [
        { question: q1, answers: dict(Object.entries({ s1: 'a', s2: 'c' })) },
        { question: q2, answers: dict(Object.entries({ s1: 'b' })) },
      ],
    });
    expect(csv.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual([...RESULTS_COLUMNS, 'q:crashloop-timing', 'q:stream-the-batch']);
    expect(rows).toHaveLength(3);
    const [, first, second] = rows;
    expect(first!.slice(0, 3)).toEqual(['1', "'=cmd|calc", 's1']);
    expect(second!.slice(0, 3)).toEqual(['2', 'Bo, "the" bot', 's2']);
    const col = (name: string) => rows[0]!.indexOf(name);
    expect(Number(first![col('score')])).toBe(stats.slots.s1!.score);
    expect(first![col('answers_correct')]).toBe('2');
    expect(second![col('answers_correct')]).toBe('0');
    expect(first![col('q:crashloop-timing')]).toBe('a (right)');
    expect(second![col('q:crashloop-timing')]).toBe('c (wrong)');
    expect(second![col('q:stream-the-batch')]).toBe('');
    expect(first![col('uptime_pct')]).toBe('99'); // scheduled at tick 1, running from tick 2
  });
});
