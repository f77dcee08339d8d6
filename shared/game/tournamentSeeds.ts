/** The tournament's seed lists (docs/game.md, TN10): what `--seeds` accepts, and its bounds. */

/** Seeds are 32-bit: the simulation's PRNG state. */
export const SEED_MAX = 2 ** 32 - 1;
/** TN10: the most seeds one tournament plays. */
export const MAX_SEEDS = 1000;

/** TN10: `7`, `3,17,99`, `1-10`, or a mix of them: distinct seeds in the order given, or an error message. */
export function parseSeeds(text: string): number[] | string {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) return `--seeds: "${part}" is not a seed or a range (like 7 or 1-10)`;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo > SEED_MAX || hi > SEED_MAX) return `--seeds: seeds go from 0 to ${SEED_MAX}`;
    if (hi < lo) return `--seeds: the range ${part.trim()} runs backwards`;
    if (hi - lo + out.length >= MAX_SEEDS) return `--seeds: at most ${MAX_SEEDS} seeds`;
    for (let s = lo; s <= hi; s++) if (!out.includes(s)) out.push(s);
  }
  return out;
}
