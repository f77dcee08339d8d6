/**
 * `npm run tournament -- [--seeds LIST] [--count N] [--first-seed N] [--mix NAME ...] [--duration S] [--format text|json]`
 * Bots play seeded sessions headless (no sockets) and the table shows which strategies pay (docs/game.md).
 * `--format json` prints one object (mixes → strategies → mean, min, max per seat, kills, evictions, and the claims)
 * so a program can check the claims on seeds it chooses. Exits 1 if a claim does not hold for the sessions played.
 */
import { parseArgs } from 'node:util';
import {
  checkClaims,
  formatTable,
  formatWorkedRound,
  MAX_SEEDS,
  MIX_NAMES,
  parseSeeds,
  runSession,
  runTournament,
  SEED_MAX,
  WORKED_ROUND,
  tournamentJson,
  type MixName,
} from '../../shared/game/tournament.ts';
import { SCORING } from '../../shared/game/score.ts';
import { scoreLedger } from '../../shared/game/postmortem.ts';
import { STRATEGY_LABELS, STRATEGIES } from '../../shared/game/strategies.ts';

const USAGE = `usage: npm run tournament -- [--seeds LIST] [--count N] [--first-seed N] [--mix NAME]... [--duration SECONDS] [--format text|json]
       npm run tournament -- --worked-round   (docs/game.md's worked round, line by line)
  --seeds LIST     the seeds to play: 7  or  3,17,99  or  1-10 (default: --count seeds from --first-seed)
  --count N        how many seeds, from --first-seed (default 3, from 1)
mixes: ${MIX_NAMES.join(', ')}`;


function die(message: string): never {
  process.stderr.write(`tournament: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function intOption(v: string | undefined, name: string, min: number, max: number, def: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isInteger(n) || n < min || n > max) die(`--${name} must be an integer from ${min} to ${max}`);
  return n;
}

function main(): void {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        seeds: { type: 'string' },
        count: { type: 'string' },
        'first-seed': { type: 'string' },
        mix: { type: 'string', multiple: true },
        duration: { type: 'string' },
        format: { type: 'string', default: 'text' },
        'worked-round': { type: 'boolean' },
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
  if (v['worked-round']) {
    // docs/game.md's worked round: the score of six students, line by line.
    process.stdout.write(`${formatWorkedRound(runSession(WORKED_ROUND), (s) => scoreLedger(s))}\n`);
    return;
  }
  let seeds: number[];
  if (v.seeds !== undefined) {
    if (v.count !== undefined || v['first-seed'] !== undefined) die('--seeds lists the seeds: leave out --count and --first-seed');
    const r = parseSeeds(v.seeds);
    if (typeof r === 'string') die(r);
    seeds = r;
  } else {
    const count = intOption(v.count, 'count', 1, MAX_SEEDS, 3);
    const first = intOption(v['first-seed'], 'first-seed', 0, SEED_MAX - count + 1, 1);
    seeds = Array.from({ length: count }, (_, i) => first + i);
  }
  const duration = v.duration === undefined ? undefined : intOption(v.duration, 'duration', 10, 7200, 0);
  const mixes = (v.mix ?? MIX_NAMES) as string[];
  for (const m of mixes) if (!(MIX_NAMES as string[]).includes(m)) die(`unknown mix "${m}"`);
  if (v.format !== 'text' && v.format !== 'json') die('--format is text or json');

  const t0 = process.hrtime.bigint();
  const result = runTournament({ seeds, mixes: mixes as MixName[], durationSec: duration });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;

  if (v.format === 'json') {
    const json = tournamentJson(result, seeds);
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    if (json.claims.some((c) => !c.holds)) process.exitCode = 1;
    return;
  }
  const claims = checkClaims(result);
  const out: string[] = [];
  const seedText = seeds.length > 6 ? `${seeds.slice(0, 5).join(', ')} … ${seeds[seeds.length - 1]}` : seeds.join(', ');
  out.push(
    `OOM Arena tournament: ${mixes.length} mixes × ${seeds.length} seeds (${seedText}), ${result.sessions.length} sessions in ${(ms / 1000).toFixed(1)} s`,
  );
  out.push('');
  out.push(formatTable(result.rows));
  out.push('');
  out.push(
    `score/seat = mean score per seat (min..max): +${SCORING.pointsPerRequest} per request answered while Ready, +${SCORING.pointsPerBatch} per batch,`,
  );
  out.push(
    `−${SCORING.pointsPerLostRequest} per request lost (killed in flight, or sent while not Ready: ${SCORING.startupSec} s start-up after every restart,`,
  );
  out.push(
    `+${SCORING.rescheduleSec} s after an eviction, back-off, Pending), −${SCORING.pointsPerBorrowedGiBMin} per GiB·min above the request; place 0 = always first, 1 = always last;`,
  );
  out.push('memcg/global/evicted = per seat; uptime (Ready) / pending = share of the round.');
  out.push('');
  for (const c of claims) out.push(`${c.holds ? 'PASS' : 'FAIL'}  ${c.id.padEnd(15)} ${c.claim}\n      ${c.evidence}`);
  out.push('');
  out.push('strategies:');
  for (const s of STRATEGIES) out.push(`  ${s.padEnd(19)} ${STRATEGY_LABELS[s]}`);
  process.stdout.write(`${out.join('\n')}\n`);
  if (claims.some((c) => !c.holds)) process.exitCode = 1;
}

main();
