import { OOM_SCORE_ADJ_MIN } from './qos.ts';

/**
 * K2: page-table pages. Each 4 KiB page of PTEs maps 512 pages, so a process needs about one page-table page per
 * 512 pages it maps (resident or swapped), plus the upper levels (one page).
 */
export function pgtablePages(rssPages: number, swapPages: number): number {
  return Math.floor((rssPages + swapPages) / 512) + 1;
}

/**
 * K1: oom_badness (mm/oom_kill.c). null = never a candidate (adj -1000). Integer arithmetic as in C:
 * points = rss + swap + pgtables, then adj × (totalpages / 1000) with the division first. May be negative.
 */
export function oomBadness(
  rssPages: number,
  swapPages: number,
  pgtables: number,
  oomScoreAdj: number,
  totalPages: number,
): number | null {
  if (oomScoreAdj === OOM_SCORE_ADJ_MIN) return null;
  return rssPages + swapPages + pgtables + oomScoreAdj * Math.floor(totalPages / 1000);
}

/** K3: /proc/PID/oom_score (fs/proc/base.c): (1000 + badness × 1000 / totalpages) × 2 / 3, C division, 0 if exempt. */
export function procOomScore(badness: number | null, globalTotalPages: number): number {
  if (badness === null) return 0;
  const scaled = 1000 + Math.trunc((badness * 1000) / globalTotalPages);
  return Math.trunc((scaled * 2) / 3);
}
