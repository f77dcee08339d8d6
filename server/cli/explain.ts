/**
 * `npm run explain -- <file|-> [--format text|json]`
 * Reads a kernel OOM report (dmesg, dmesg -T, journalctl -k, a serial console) or kubectl's view of an OOM-killed
 * container, and explains every kill: the constraint, totalpages, each candidate's points, the victim and why.
 * Exit status: 0 when at least one kill was explained, 1 when none was found, 2 for a usage or input error.
 */
import { readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  explainText,
  explanationJson,
  formatExplanation,
  MAX_INPUT_CHARS,
} from '../../shared/explain/index.ts';

const USAGE = 'usage: npm run explain -- <report-file | -> [--format text|json]   (- reads standard input)';

function die(message: string): never {
  process.stderr.write(`explain: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function readInput(arg: string): string {
  try {
    if (arg !== '-' && statSync(arg).size > MAX_INPUT_CHARS * 4)
      die(`${arg} is larger than ${MAX_INPUT_CHARS / 1048576} MB`);
    const buf = readFileSync(arg === '-' ? 0 : arg);
    return buf.subarray(0, MAX_INPUT_CHARS * 4).toString('utf8');
  } catch (err) {
    die(`cannot read ${arg === '-' ? 'standard input' : arg}: ${(err as Error).message}`);
  }
}

function main(): void {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { format: { type: 'string', default: 'text' }, help: { type: 'boolean' } },
    });
  } catch (err) {
    die((err as Error).message);
  }
  if (parsed.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (parsed.positionals.length !== 1) die('give exactly one file, or - for standard input');
  const format = parsed.values.format;
  if (format !== 'text' && format !== 'json') die('--format is text or json');
  const explanation = explainText(readInput(parsed.positionals[0]!));
  if (format === 'json') process.stdout.write(`${JSON.stringify(explanationJson(explanation))}\n`);
  else process.stdout.write(formatExplanation(explanation));
  if (explanation.kills.length === 0) {
    if (format === 'json') process.stderr.write(`explain: ${explanation.notes.join(' ')}\n`);
    process.exitCode = 1;
  }
}

main();
