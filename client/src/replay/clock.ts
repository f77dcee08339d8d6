import { TICKS_PER_SEC } from '../../../shared/sim/units.ts';

/** A tick as the presenter's clock shows it: m:ss of simulated time (h:mm:ss past an hour). */
export function clockOf(tick: number): string {
  const total = Math.floor(tick / TICKS_PER_SEC);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** `?t=` in simulated seconds (one decimal) ↔ ticks: the shareable link to a moment. */
export function tickFromParam(t: string | null): number | undefined {
  if (t === null || t.trim() === '') return undefined;
  const sec = Number(t);
  return Number.isFinite(sec) && sec >= 0 ? Math.round(sec * TICKS_PER_SEC) : undefined;
}

export function paramFromTick(tick: number): string {
  return String(tick / TICKS_PER_SEC);
}

/** The address of a moment of a recording: the page's own path, and (with the origin) the link "Copy link" gives. */
export function momentPath(id: string, tick: number, share: string | null): string {
  const shareParam = share ? `&share=${encodeURIComponent(share)}` : '';
  return `/replay/${encodeURIComponent(id)}?t=${paramFromTick(tick)}${shareParam}`;
}
