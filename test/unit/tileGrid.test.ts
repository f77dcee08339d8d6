/**
 * The projector's pod grid (issue 14): tiles keep their height and the columns grow, so with 50 pods every tile,
 * memory bar included, is whole at 1920×1080 and at 1280×720 (test/browser/projector.test.ts checks the page).
 */
import { describe, expect, it } from 'vitest';
import { FULL_TILES_MAX, tileColumns, tileGrid, tileHeight } from '../../client/src/present/tileGrid.ts';

/** The height `count` tiles take in `columns` columns. */
const used = (count: number, columns: number, h: number, gap: number) => {
  const rows = Math.ceil(count / columns);
  return rows * h + (rows - 1) * gap;
};

describe('pod tile grid', () => {
  it('keeps the roomy columns while the tiles fit, and adds columns rather than squeezing rows', () => {
    // 1460 px wide: seven columns of 182 px; 8 rows of 54 px do not fit in 354 px, 6 rows of 9 do.
    expect(tileColumns(1460, 1000, 50, 54, 6, 182)).toBe(7);
    expect(tileColumns(1460, 354, 50, 54, 6, 182)).toBe(9);
    expect(used(50, 9, 54, 6)).toBeLessThanOrEqual(354);
    // No tiles, or no room measured yet: the roomy columns.
    expect(tileColumns(1460, 354, 0, 54, 6, 182)).toBe(7);
  });

  it('whatever the box, count and font, every tile fits at its full height when one row does', () => {
    for (const fontPx of [24, 32])
      for (const count of [1, 5, 16, 17, 30, 50, 80])
        for (const [width, height] of [
          [1460, 354],
          [960, 215],
          [1880, 600],
          [700, 120],
        ] as const) {
          const g = tileGrid(width, height, count, fontPx);
          expect(g.columns).not.toBeNull();
          if (height >= g.tileHeight)
            expect(used(count, g.columns!, g.tileHeight, g.gap)).toBeLessThanOrEqual(height);
          if (count > FULL_TILES_MAX) expect(g.compact).toBe(true);
        }
  });

  it('few pods get full tiles while they fit, compact ones when they would be squeezed', () => {
    expect(tileGrid(1460, 600, 8, 24).compact).toBe(false);
    expect(tileGrid(960, 150, 16, 24).compact).toBe(true);
    expect(tileGrid(0, 0, 8, 24)).toMatchObject({ compact: false, columns: null });
    expect(tileHeight(true, 24)).toBe(54);
    expect(tileHeight(false, 24)).toBe(150);
  });
});
