import { describe, expect, it } from 'vitest';
import { explainText, MAX_INPUT_CHARS } from '../../../shared/explain/index.ts';
import { parseMiniYaml } from '../../../shared/explain/miniYaml.ts';

/**
 * Untrusted input: large, long-lined, repetitive or crafted to look like a report. Every scan is linear, so each case
 * finishes well inside the test timeout; the figures are measured in `npm run bench:explain`, not here.
 */
function junk(bytes: number, seed: number): string {
  const chars = 'abcdefghijklmnopqrstuvwxyz0123456789 []:=,.()-_\n';
  let x = seed;
  let out = '';
  const chunk: string[] = [];
  for (let i = 0; i < 4096; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    chunk.push(chars[x % chars.length]!);
  }
  const block = chunk.join('');
  while (out.length < bytes) out += block;
  return out.slice(0, bytes);
}

describe('hostile input', { timeout: 60_000 }, () => {
  it('10 MB of junk: no kill, a clear note', () => {
    const e = explainText(junk(10 * 1024 * 1024, 7));
    expect(e.kills).toEqual([]);
    expect(e.notes.join(' ')).toMatch(/No OOM kill was found\. Paste the kernel's report/);
  });

  it('one 1 MB line: cut and noted', () => {
    const e = explainText('x'.repeat(1024 * 1024));
    expect(e.kills).toEqual([]);
    expect(e.notes.join(' ')).toMatch(/1 line was longer than 4096 characters and cut short/);
  });

  it('input over the size limit is cut to it and says so', () => {
    const e = explainText(`${'z'.repeat(1023)}\n`.repeat(MAX_INPUT_CHARS / 1024 + 10));
    expect(e.notes.join(' ')).toMatch(/only its first 16\.0 MB were read/);
  });

  it.each([
    ['brackets', '['.repeat(1024 * 1024)],
    ['summary commas', `oom-kill:${','.repeat(1024 * 1024)}`],
    ['equals', `oom-kill:constraint=${'='.repeat(1024 * 1024)}`],
    ['Killed process pids', `Out of memory: Killed process ${'1'.repeat(1024 * 1024)} (x)`],
    ['parens', `Killed process 1 (${'('.repeat(500_000)}${')'.repeat(500_000)}`],
    ['spaces', `[ 1]${' '.repeat(1024 * 1024)}1`],
    ['kernel tags', ' kernel: '.repeat(200_000)],
  ])('pathological %s on one line are read in one pass', (_name, text) => {
    const e = explainText(text);
    expect(e.kills.length).toBeLessThanOrEqual(1);
    for (const k of e.kills) expect(k.candidates).toEqual([]);
  });

  it('a report repeated 50 000 times is cut at 200 reports, with a note', () => {
    const one = [
      '[ 1.000000] a invoked oom-killer: gfp_mask=0x0(), order=0, oom_score_adj=0',
      '[ 1.000001] Out of memory: Killed process 1 (a) total-vm:4kB, anon-rss:4kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0',
    ].join('\n');
    const e = explainText(`${one}\n`.repeat(50_000));
    expect(e.kills).toHaveLength(200);
    expect(e.notes.join(' ')).toMatch(/holds 50000 OOM reports; only the first 200 are explained/);
  });

  it('a table of 60 000 rows keeps 20 000 and counts the rest as unread', () => {
    const header = '[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name';
    const rows = Array.from(
      { length: 60_000 },
      (_, i) =>
        `[${String(i + 2).padStart(7)}]     0     1        1        1     4096        0             0 p`,
    );
    const e = explainText(['Tasks state (memory values in pages):', header, ...rows].join('\n'));
    expect(e.kills[0]!.candidates).toHaveLength(20_000);
    expect(e.kills[0]!.warnings.join(' ')).toMatch(/40000 lines of the table could not be read/);
  });

  it('YAML keys like __proto__ and constructor are only data, and deep nesting stops at the depth limit', () => {
    const y = parseMiniYaml([
      '__proto__:',
      '  polluted: yes',
      'constructor: x',
      ...Array.from({ length: 200 }, (_, i) => `${' '.repeat(2 * i)}k${i}:`),
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(y)).toBeNull();
    expect((y['__proto__'] as Record<string, unknown>)['polluted']).toBe('yes');
  });

  it('a pod status with a hostile container name still explains, with the name as plain text', () => {
    const e = explainText(
      JSON.stringify({
        kind: 'Pod',
        metadata: { name: 'p' },
        status: {
          containerStatuses: [
            {
              name: '<img src=x onerror=alert(1)>',
              lastState: { terminated: { reason: 'OOMKilled', exitCode: 137 } },
            },
          ],
        },
      }),
    );
    expect(e.kills[0]!.victim?.comm).toBe('<img src=x onerror=alert(1)>');
  });
});
