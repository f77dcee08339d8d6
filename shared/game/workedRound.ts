/** The worked round docs/game.md explains the score with (TN11), and its score line by line. */
import type { GameStats } from './score.ts';
import type { SessionResult, SessionSpec } from './tournamentSession.ts';

/**
 * TN11: the worked round docs/game.md explains the score with: six students, one strategy each, ten minutes on the
 * game's node, seed 7. `npm run tournament -- --worked-round` prints it; a test checks the doc still matches.
 */
export const WORKED_ROUND: SessionSpec = {
  mix: 'worked-round',
  seed: 7,
  durationSec: 600,
  seats: [
    { slot: 'ayesha', strategy: 'careful-guaranteed' },
    { slot: 'ben', strategy: 'fix-leak' },
    { slot: 'chen', strategy: 'raise-limit' },
    { slot: 'dana', strategy: 'max-limit' },
    { slot: 'eli', strategy: 'stream' },
    { slot: 'fatima', strategy: 'idle' },
  ],
};

/** TN11: each student's score line by line, as the post-mortem card adds it up, in rank order. */
export function formatWorkedRound(r: SessionResult, ledger: (s: GameStats['slots'][string]) => { label: string; points: number }[]): string {
  const out: string[] = [];
  for (const row of r.board) {
    const s = r.stats.slots[row.slot]!;
    out.push(`#${row.rank} ${row.slot} (${r.strategyOf[row.slot]}): ${s.score.toLocaleString('en-US')}`);
    for (const l of ledger(s)) {
      const pts = l.points > 0 ? `+${l.points.toLocaleString('en-US')}` : l.points < 0 ? `−${(-l.points).toLocaleString('en-US')}` : '0';
      out.push(`    ${pts.padStart(8)}  ${l.label}`);
    }
  }
  return out.join('\n');
}
