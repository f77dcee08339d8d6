/**
 * `npm run bench:explain`: how long "Explain my OOM" takes on hostile and real input, beside a baseline in the same
 * process — `String.split('\n')` of the same text, the least any line-based reader must do. Prints the median of
 * five runs, the ratio to the baseline and the load average (the machine is shared: read the ratios).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { explainText } from '../../shared/explain/index.ts';

const ROOT = join(import.meta.dirname, '../..');
const report = readFileSync(join(ROOT, 'test/fixtures/oom/global-6.1-dmesg.txt'), 'utf8');

function junk(bytes: number): string {
  const chars = 'abcdefghijklmnopqrstuvwxyz0123456789 []:=,.()-_\n';
  let x = 7;
  const block: string[] = [];
  for (let i = 0; i < 65536; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    block.push(chars[x % chars.length]!);
  }
  const b = block.join('');
  return b.repeat(Math.ceil(bytes / b.length)).slice(0, bytes);
}

const cases: [string, string][] = [
  ['10 MB of junk', junk(10 * 1024 * 1024)],
  ['one 1 MB line', 'x'.repeat(1024 * 1024)],
  ['1 MB of "[" ', '['.repeat(1024 * 1024)],
  ['10 MB of short lines', 'y\n'.repeat(5 * 1024 * 1024)],
  ['a real report × 1000 (2.7 MB)', `${report}\n`.repeat(1000)],
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(
  'case'.padEnd(34),
  'explain ms'.padStart(11),
  'split ms'.padStart(9),
  'ratio'.padStart(7),
  'kills'.padStart(6),
);
for (const [name, text] of cases) {
  const ex: number[] = [];
  const sp: number[] = [];
  let kills = 0;
  for (let i = 0; i < 5; i++) {
    sp.push(time(() => text.split('\n').length));
    ex.push(time(() => (kills = explainText(text).kills.length)));
  }
  const e = median(ex);
  const s = median(sp);
  console.log(
    name.padEnd(34),
    e.toFixed(1).padStart(11),
    s.toFixed(1).padStart(9),
    (e / Math.max(s, 0.01)).toFixed(1).padStart(7),
    String(kills).padStart(6),
  );
}
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
