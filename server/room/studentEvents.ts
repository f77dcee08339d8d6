import type { SimEvent } from '../../shared/sim/types.ts';
import { rankedCandidates } from '../../shared/views/explain.ts';

/** Rows of a global OOM's table a student receives: the top of the ranking, the victim and their own row. */
const STUDENT_TABLE_TOP = 5;

/**
 * A global OOM kill lists every process on the node (300 rows in a big class): a student gets the top of the
 * ranking, the victim's row and their own, plus their true place in the whole ranking.
 */
export function trimForStudent(e: SimEvent, slot: string | null): SimEvent {
  if (e.type !== 'oom_kill' || e.constraint === 'memcg') return e;
  const ranked = rankedCandidates(e);
  const place = slot === null ? -1 : ranked.findIndex((c) => c.slot === slot);
  const keep = new Set(ranked.slice(0, STUDENT_TABLE_TOP).map((c) => c.pid));
  keep.add(e.victim.pid);
  if (place >= 0) keep.add(ranked[place]!.pid);
  return {
    ...e,
    candidates: e.candidates.filter((c) => keep.has(c.pid)),
    ...(place >= 0 ? { studentRank: { rank: place + 1, of: ranked.length } } : {}),
  };
}
