/**
 * How the projector lays out its pod tiles so that every tile is whole: a fixed tile height, and as many columns
 * as it takes. A CSS grid of `auto-fill` columns squeezes its rows when there are more tiles than room: with 50
 * pods at 1920×1080 each tile lost its bottom, memory bar included. Here a tile gets narrower (its name
 * ellipsised) but never shorter. The heights must match PodTile.svelte's CSS (fixed line boxes, in em of the
 * projector's font size).
 */
export interface TileGrid {
  /** One line per tile (the status word moves to the summary and the tile's label). */
  compact: boolean;
  /** Columns, or null before the grid has been measured (CSS auto-fill columns meanwhile). */
  columns: number | null;
  /** A tile's height and the gap between tiles, CSS pixels. */
  tileHeight: number;
  gap: number;
}

/** Above this many pods the tiles are compact whatever the room (one line each). */
export const FULL_TILES_MAX = 16;

/**
 * Tile heights in CSS pixels at font size `fontPx`: border 2 × 3 px, padding, fixed line boxes of 1.3 em, the bar.
 * Compact: 1.3 em row + 2 gap + 7 bar + 7 padding + 6 border. Full: header 1.3 em + status 1.9 em + MiB 1.3 em,
 * three 4 px gaps, a 10 px bar, 14 padding, 6 border.
 */
export function tileHeight(compact: boolean, fontPx: number): number {
  return compact ? Math.ceil(1.3 * fontPx + 22) : Math.ceil(4.5 * fontPx + 42);
}

/** The width a tile would like, when there is room (em). */
const PREFERRED_EM = { compact: 7.6, full: 12.5 } as const;
const GAP = { compact: 6, full: 10 } as const;

/** Columns for `count` tiles of `tileHeight` in a width × height box: the roomy layout if it fits, else more. */
export function tileColumns(
  width: number,
  height: number,
  count: number,
  tileHeight: number,
  gap: number,
  preferredWidth: number,
): number {
  const roomy = Math.max(1, Math.floor((width + gap) / (preferredWidth + gap)));
  if (count <= 0) return roomy;
  const rows = Math.max(1, Math.floor((height + gap) / (tileHeight + gap)));
  return Math.max(roomy, Math.ceil(count / rows));
}

/**
 * The layout for `count` tiles in the grid's box (0 × 0 before it is measured). Full tiles while they fit at
 * their preferred width (up to FULL_TILES_MAX pods), compact ones otherwise.
 */
export function tileGrid(width: number, height: number, count: number, fontPx: number): TileGrid {
  const measured = width > 0 && height > 0;
  let compact = count > FULL_TILES_MAX;
  if (!compact && measured) {
    const h = tileHeight(false, fontPx);
    const preferred = PREFERRED_EM.full * fontPx;
    const roomy = Math.max(1, Math.floor((width + GAP.full) / (preferred + GAP.full)));
    compact = tileColumns(width, height, count, h, GAP.full, preferred) > roomy;
  }
  const kind = compact ? 'compact' : 'full';
  const h = tileHeight(compact, fontPx);
  return {
    compact,
    columns: measured ? tileColumns(width, height, count, h, GAP[kind], PREFERRED_EM[kind] * fontPx) : null,
    tileHeight: h,
    gap: GAP[kind],
  };
}
