import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { explainText } from '../../../shared/explain/index.ts';
import type { Kill } from '../../../shared/explain/index.ts';

export const FIXTURES = join(import.meta.dirname, '../../fixtures/oom');

export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

/** The only kill of a paste (fails the test when there is not exactly one). */
export function onlyKill(text: string): Kill {
  const e = explainText(text);
  if (e.kills.length !== 1)
    throw new Error(`expected one kill, found ${e.kills.length}: ${e.notes.join(' ')}`);
  return e.kills[0]!;
}

/** Points by pid, for compact expectations. */
export function pointsByPid(k: Kill): Record<number, number | null> {
  return Object.fromEntries(k.candidates.map((c) => [c.pid, c.points]));
}
