/** The tournament (docs/game.md, TN1–TN10): the claims the table must show, checked through the tournament's code. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scoreLedger } from '../../shared/game/postmortem.ts';
import { SCORING } from '../../shared/game/score.ts';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkClaims,
  formatTable,
  formatWorkedRound,
  LESSON_LOSERS,
  LESSON_MARGIN,
  LESSON_WINNERS,
  margin,
  MIX_NAMES,
  parseSeeds,
  runSession,
  mixSession,
  runTournament,
  tournamentJson,
  type TournamentJson,
  type TournamentResult,
  WORKED_ROUND,
} from '../../shared/game/tournament.ts';

const exec = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));

const SEEDS = [1, 2];
let result: TournamentResult;

beforeAll(() => {
  result = runTournament({ seeds: SEEDS });
});

const sessionsOf = (mix: string) => result.sessions.filter((s) => s.spec.mix === mix);
const seatsOf = (mix: string, strategy: string) =>
  sessionsOf(mix).flatMap((s) =>
    s.spec.seats
      .filter((x) => x.strategy === strategy)
      .map((x) => ({ session: s, stats: s.stats.slots[x.slot]! })),
  );
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('tournament (fixed seeds)', () => {
  it('TN3: "just raise the limit" loses to fixing the leak over a long round, in every seed', () => {
    for (const s of sessionsOf('leak-duel')) {
      const score = (strategy: string) =>
        mean(s.spec.seats.filter((x) => x.strategy === strategy).map((x) => s.stats.slots[x.slot]!.score));
      expect(score('raise-limit')).toBeLessThan(score('fix-leak'));
    }
    // It keeps being killed at its own limit; fixing the leak costs one kill at most.
    expect(mean(seatsOf('leak-duel', 'raise-limit').map((x) => x.stats.killsMemcg))).toBeGreaterThan(1.5);
    expect(Math.max(...seatsOf('leak-duel', 'fix-leak').map((x) => x.stats.killsMemcg))).toBeLessThanOrEqual(
      1,
    );
  });

  it('TN4: a huge request ends up Pending (Insufficient memory) and serves nothing', () => {
    for (const { session, stats } of [
      ...seatsOf('huge', 'huge-request'),
      ...seatsOf('everyone', 'huge-request'),
    ]) {
      const ticks = session.spec.durationSec * 10;
      expect(stats.pendingTicks / ticks).toBeGreaterThan(0.9);
      // FailedScheduling: Insufficient memory (under MemoryPressure the scheduler reports the taint instead).
      expect(session.insufficientTicks[stats.slot]).toBeGreaterThan(0.3 * ticks);
      expect(stats.score).toBeLessThan(1000);
    }
  });

  it('TN4: a huge request that does fit starves the pods that come after it', () => {
    // Alone on a node at first, the huge pod fits; the careful pods' later rollouts (512 MiB requests) do not.
    const spec = mixSession('huge', 1);
    spec.seats = [
      { slot: 'huge-request-1', strategy: 'huge-request' },
      ...Array.from({ length: 9 }, (_, i) => ({
        slot: `careful-${i}`,
        strategy: 'careful-guaranteed' as const,
      })),
    ];
    spec.durationSec = 300;
    spec.memoryMiB = 8192;
    const r = runSession(spec);
    expect(r.stats.slots['huge-request-1']!.pendingTicks).toBeLessThan(600);
    const starved = spec.seats.filter(
      (s) => s.strategy === 'careful-guaranteed' && (r.insufficientTicks[s.slot] ?? 0) > 600,
    );
    expect(starved.length).toBeGreaterThan(0);
  });

  it('TN5: everyone maxing their limit triggers global OOMs that hit the greediest', () => {
    for (const s of sessionsOf('all-greedy')) {
      expect(s.globalKills.length).toBeGreaterThan(0);
      for (const k of s.globalKills) {
        expect(k.victimStrategy).toBe('max-limit');
        expect(k.victimIsBiggest).toBe(true); // the most memory on the node (ties go to the later pid)
        expect(k.victimRssMiB).toBe(k.maxRssMiB);
      }
    }
    expect(
      mean(seatsOf('all-greedy', 'max-limit').map((x) => x.stats.killsGlobal + x.stats.evictions)),
    ).toBeGreaterThan(0.5);
  });

  it('TN6: a careful Guaranteed pod survives: no OOM kill and no eviction, in any mix', () => {
    const careful = result.sessions.flatMap((s) =>
      s.spec.seats.filter((x) => x.strategy === 'careful-guaranteed').map((x) => s.stats.slots[x.slot]!),
    );
    expect(careful.length).toBeGreaterThan(50);
    for (const c of careful) expect(c.killsMemcg + c.killsGlobal + c.evictions).toBe(0);
  });

  it('TN7: every claim holds, and no single strategy wins every mix', () => {
    const claims = checkClaims(result);
    expect(claims.map((c) => c.id).sort()).toEqual([
      'TN3:everyone',
      'TN3:leak-duel',
      'TN4',
      'TN5',
      'TN6',
      'TN7',
      'TN8:all-greedy',
      'TN8:everyone',
      'TN8:huge',
      'TN8:leak-duel',
      'TN9:everyone',
    ]);
    for (const c of claims) expect(c.holds, `${c.id}: ${c.evidence}\n${formatTable(result.rows)}`).toBe(true);
  });

  it('TN8: in every mix, careful and fix-the-leak beat max-the-limit, raise-the-limit and idle by 15 % per seat', () => {
    const mixes = new Set(result.rows.map((r) => r.mix));
    let pairs = 0;
    for (const mix of mixes) {
      const mean = (st: string) => result.rows.find((r) => r.mix === mix && r.strategy === st)?.meanScore;
      for (const w of LESSON_WINNERS) {
        for (const l of LESSON_LOSERS) {
          const [good, bad] = [mean(w), mean(l)];
          if (good === undefined || bad === undefined) continue;
          pairs++;
          expect(margin(good, bad), `${mix}: ${w} ${good} vs ${l} ${bad}`).toBeGreaterThanOrEqual(LESSON_MARGIN);
        }
      }
    }
    // everyone (6 pairs), leak-duel (2), all-greedy (1), huge (2).
    expect(pairs).toBe(11);
  });

  it('TN9: streaming the batch and backpressure beat idle with the same leak', () => {
    const mean = (st: string) => result.rows.find((r) => r.mix === 'everyone' && r.strategy === st)!.meanScore;
    expect(mean('stream')).toBeGreaterThan(mean('idle'));
    expect(mean('backpressure')).toBeGreaterThan(mean('idle'));
  });

  it('TN8: a kill costs: every strategy that was killed or evicted trails careful, which never was', () => {
    const rows = result.rows.filter((r) => r.mix === 'everyone');
    const careful = rows.find((r) => r.strategy === 'careful-guaranteed')!;
    for (const r of rows.filter((x) => x.killsMemcg + x.killsGlobal + x.evictions > 0.5)) {
      expect(r.meanScore, r.strategy).toBeLessThan(careful.meanScore);
    }
  });

  it('TN10: the JSON holds mixes → strategies → mean, min, max per seat, kills, evictions, and the claims', () => {
    const json: TournamentJson = JSON.parse(JSON.stringify(tournamentJson(result, SEEDS)));
    expect(json.seeds).toEqual(SEEDS);
    expect(Object.keys(json.mixes).sort()).toEqual([...MIX_NAMES].sort());
    for (const r of result.rows) {
      const j = json.mixes[r.mix]!.strategies[r.strategy]!;
      expect(j).toMatchObject({ seats: r.seats, mean: r.meanScore, min: r.minScore, max: r.maxScore });
      expect(j.min).toBeLessThanOrEqual(j.mean);
      expect(j.max).toBeGreaterThanOrEqual(j.mean);
      expect(j.kills).toBeCloseTo(r.killsMemcg + r.killsGlobal, 2);
      expect(j.evictions).toBeCloseTo(r.evictions, 2);
    }
    // Min and max are real seats' scores.
    const everyoneIdle = result.sessions
      .filter((x) => x.spec.mix === 'everyone')
      .flatMap((x) => x.spec.seats.filter((s) => s.strategy === 'idle').map((s) => x.stats.slots[s.slot]!.score));
    expect(json.mixes['everyone']!.strategies['idle']!.min).toBe(Math.min(...everyoneIdle));
    expect(json.claims.every((c) => c.holds)).toBe(true);
  });

  it('TN10: the claims hold on seeds nobody tuned for', () => {
    const other = runTournament({ seeds: [90210], mixes: ['everyone', 'leak-duel'] });
    // TN7 needs every mix (careful may win both of these two); the rest hold mix by mix.
    const claims = checkClaims(other).filter((c) => c.id !== 'TN7');
    expect(claims.map((c) => c.id)).toEqual(expect.arrayContaining(['TN8:everyone', 'TN8:leak-duel', 'TN9:everyone', 'TN6']));
    for (const c of claims) expect(c.holds, `${c.id}: ${c.evidence}\n${formatTable(other.rows)}`).toBe(true);
  });

  it('TN10: --seeds takes a seed, a list or a range; bad input is refused with a message', () => {
    expect(parseSeeds('7')).toEqual([7]);
    expect(parseSeeds('3,17, 99')).toEqual([3, 17, 99]);
    expect(parseSeeds('1-3,2,10')).toEqual([1, 2, 3, 10]);
    expect(parseSeeds('5-1')).toMatch(/backwards/);
    expect(parseSeeds('x')).toMatch(/not a seed/);
    expect(parseSeeds('-1')).toMatch(/not a seed/);
    expect(parseSeeds('0-5000')).toMatch(/at most/);
    expect(parseSeeds('99999999999')).toMatch(/from 0 to/);
  });

  it('TN10: npm run tournament -- --format json --seeds prints one object a program can check', async () => {
    const cli = (...args: string[]) =>
      exec(process.execPath, ['--import', 'tsx', 'server/cli/tournament.ts', ...args], { cwd: process.cwd() });
    const { stdout } = await cli('--format', 'json', '--seeds', '40', '--mix', 'huge');
    const json = JSON.parse(stdout) as TournamentJson;
    expect(json.seeds).toEqual([40]);
    expect(json.mixes['huge']!.sessions).toBe(1);
    expect(json.mixes['huge']!.strategies['careful-guaranteed']).toMatchObject({ seats: 6, kills: 0, evictions: 0 });
    expect(json.claims.find((c) => c.id === 'TN8:huge')?.holds).toBe(true);
    await expect(cli('--seeds', 'abc')).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/not a seed/) });
    await expect(cli('--seeds', '1', '--count', '2')).rejects.toMatchObject({ code: 2 });
  });

  it('TN11: docs/game.md\u2019s worked round is the code\u2019s output, and each ledger adds up to the score', () => {
    const r = runSession(WORKED_ROUND);
    const doc = readFileSync(join(here, '../../docs/game.md'), 'utf8');
    expect(doc).toContain(formatWorkedRound(r, (s) => scoreLedger(s)));
    for (const s of Object.values(r.stats.slots)) {
      expect(scoreLedger(s).reduce((a, l) => a + l.points, 0)).toBe(s.score);
    }
    // The figures the page quotes are the rules'.
    expect(doc).toContain(`**${SCORING.startupSec} s**`);
    expect(doc).toContain(`**+${SCORING.rescheduleSec} s**`);
    expect(doc).toContain(`**−${SCORING.pointsPerBorrowedGiBMin} per GiB·minute**`);
  });

  it('TN1: the same seeds give the same table', () => {
    const again = runTournament({ seeds: [1], mixes: ['all-greedy'] });
    const first = result.rows.filter((r) => r.mix === 'all-greedy');
    const mine = runTournament({ seeds: SEEDS, mixes: ['all-greedy'] }).rows;
    expect(mine).toEqual(first);
    expect(again.sessions[0]!.board).toEqual(sessionsOf('all-greedy')[0]!.board);
  });
});
