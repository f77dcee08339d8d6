/**
 * `npm run tournament -- [--seeds N] [--mix NAME ...] [--duration S] [--format text|json]`
 * Bots play seeded sessions headless (no sockets) and the table shows which strategies pay (docs/game.md).
 * Exits 1 if a claim of issue #6 does not hold for the sessions played.
 */
import { parseArgs } from 'node:util';
import {
  checkClaims,
  formatTable,
  MIX_NAMES,
  runTournament,
  type MixName,
} from '../../shared/game/tournament.ts';
import { STRATEGY_LABELS, STRATEGIES } from '../../shared/game/strategies.ts';

const USAGE = `usage: npm run tournament -- [--seeds N] [--first-seed N] [--mix NAME]... [--duration SECONDS] [--format text|json]
mixes: ${MIX_NAMES.join(', ')}`;

function die(message: string): never {
  process.stderr.write(`tournament: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function intOption(v: string | undefined, name: string, min: number, max: number, def: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) die(`--${name} must be an integer from ${min} to ${max}`);
  return n;
}

function main(): void {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        seeds: { type: 'string' },
        'first-seed': { type: 'string' },
        mix: { type: 'string', multiple: true },
        duration: { type: 'string' },
        format: { type: 'string', default: 'text' },
        help: { type: 'boolean' },
      },
    });
  } catch (err) {
    die((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const count = intOption(v.seeds, 'seeds', 1, 1000, 5);
  const first = intOption(v['first-seed'], 'first-seed', 0, 2 ** 31, 1);
  const duration = v.duration === undefined ? undefined : intOption(v.duration, 'duration', 10, 7200, 0);
  const mixes = (v.mix ?? MIX_NAMES) as string[];
  for (const m of mixes) if (!(MIX_NAMES as string[]).includes(m)) die(`unknown mix "${m}"`);
  if (v.format !== 'text' && v.format !== 'json') die('--format is text or json');

  const seeds = Array.from({ length: count }, (_, i) => first + i);
  const t0 = process.hrtime.bigint();
  const result = runTournament({ seeds, mixes: mixes as MixName[], durationSec: duration });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const claims = checkClaims(result);

  if (v.format === 'json') {
    process.stdout.write(`${JSON.stringify({ seeds, mixes, rows: result.rows, claims }, null, 2)}\n`);
  } else {
    const out: string[] = [];
    out.push(
      `OOM Arena tournament: ${mixes.length} mixes × ${count} seeds (${seeds[0]}–${seeds[seeds.length - 1]}), ${result.sessions.length} sessions in ${(ms / 1000).toFixed(1)} s`,
    );
    out.push('');
    out.push(formatTable(result.rows));
    out.push('');
    out.push(
      'score/seat = mean score (1 per request served, 200 per batch); place 0 = always first, 1 = always last;',
    );
    out.push('memcg/global/evicted = per seat; uptime/pending = share of the round.');
    out.push('');
    for (const c of claims)
      out.push(`${c.holds ? 'PASS' : 'FAIL'}  ${c.id.padEnd(14)} ${c.claim}\n      ${c.evidence}`);
    out.push('');
    out.push('strategies:');
    for (const s of STRATEGIES) out.push(`  ${s.padEnd(19)} ${STRATEGY_LABELS[s]}`);
    process.stdout.write(`${out.join('\n')}\n`);
  }
  if (claims.some((c) => !c.holds)) process.exitCode = 1;
}

main();
