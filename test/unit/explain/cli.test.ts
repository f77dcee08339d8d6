import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from './helpers.ts';

const exec = promisify(execFile);
const explain = (args: string[], input?: string) => {
  const p = exec(process.execPath, ['--import', 'tsx', 'server/cli/explain.ts', ...args], {
    cwd: process.cwd(),
    maxBuffer: 64 * 1024 * 1024,
  });
  if (input !== undefined) {
    p.child.stdin!.end(input);
  }
  return p;
};

/** Each case starts node with tsx, which takes seconds on a loaded machine. */
const SLOW = 120_000;

describe('npm run explain', () => {
  it(
    '--format json prints exactly one object with the published field names',
    async () => {
      const { stdout } = await explain([join(FIXTURES, 'global-6.1-dmesg.txt'), '--format', 'json']);
      const doc = JSON.parse(stdout);
      expect(Object.keys(doc)).toContain('kills');
      const k = doc.kills[0];
      for (const key of ['constraint', 'scope', 'totalPages', 'victim', 'candidates', 'warnings'])
        expect(k).toHaveProperty(key);
      expect(k.victim).toEqual({ pid: 2288, comm: 'java' });
      expect(Object.keys(k.candidates[0]).slice(0, 8)).toEqual([
        'pid',
        'comm',
        'rssPages',
        'swapPages',
        'pgtablesPages',
        'oomScoreAdj',
        'points',
        'eligible',
      ]);
      expect(k.candidates.find((c: { pid: number }) => c.pid === 2288).points).toBe(
        786432 + 391 + 750 * 1018,
      );
    },
    SLOW,
  );

  it(
    'reads standard input with - and prints the explanation as text',
    async () => {
      const { stdout } = await explain(
        ['-'],
        `garbage first\n${await import('node:fs').then((fs) => fs.readFileSync(join(FIXTURES, 'memcg-v2-5.15-journalctl.txt'), 'utf8'))}`,
      );
      expect(stdout).toMatch(/constraint: CONSTRAINT_MEMCG +scope: container/);
      expect(stdout).toMatch(/killed +7002 +python/);
      expect(stdout).toMatch(/What to do:/);
    },
    SLOW,
  );

  it(
    'exits 1 with a note when nothing is found, 2 on usage errors',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'explain-'));
      const file = join(dir, 'nothing.txt');
      writeFileSync(file, 'hello\n');
      await Promise.all([
        expect(explain([file, '--format', 'json'])).rejects.toMatchObject({
          code: 1,
          stdout: expect.stringContaining('"kills":[]'),
          stderr: expect.stringMatching(/No OOM kill was found/),
        }),
        expect(explain([join(dir, 'missing.txt')])).rejects.toMatchObject({
          code: 2,
          stderr: expect.stringMatching(/cannot read/),
        }),
        expect(explain([file, '--format', 'xml'])).rejects.toMatchObject({
          code: 2,
          stderr: expect.stringMatching(/--format is text or json/),
        }),
        expect(explain([])).rejects.toMatchObject({
          code: 2,
          stderr: expect.stringMatching(/give exactly one file/),
        }),
      ]);
    },
    SLOW,
  );

  it(
    "reads `npm run sim`'s own text output",
    async () => {
      const { stdout: simOut } = await exec(
        process.execPath,
        ['--import', 'tsx', 'server/cli/sim.ts', 'besteffort-surprise'],
        { cwd: process.cwd() },
      );
      const { stdout } = await explain(['-', '--format', 'json'], simOut);
      const doc = JSON.parse(stdout);
      expect(doc.kills.length).toBeGreaterThan(0);
      for (const k of doc.kills) {
        expect(k.recomputedVictim).toEqual(k.victim);
        expect(k.warnings).toEqual([]);
      }
    },
    SLOW,
  );
});
