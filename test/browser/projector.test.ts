/**
 * Issue #14, the projector with a full class: 50 bot students on the real server, the presenter in Chromium at
 * 1920×1080 and at 1280×720. Every pod's tile is whole on screen with its memory bar (a grid that squeezed its
 * rows cut the bars off every tile), and axe finds nothing serious. Screenshots go to test-artifacts/.
 * Everything waits on conditions.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS, ROOT, ensureClientBuilt, watchErrors } from '../bench/clientShared.ts';
import { liveClassroom } from '../bench/liveClassroom.ts';
import { axeSerious } from './screenChecks.ts';

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  if (process.env.CI)
    throw new Error(`Chromium is required in CI for the browser tests (looked at ${CHROMIUM})`);
  console.warn(`\n⚠⚠⚠ SKIPPING the projector test: no Chromium at ${CHROMIUM} (set CHROMIUM_PATH) ⚠⚠⚠\n`);
}

const PODS = 50;
const ARTIFACTS = join(ROOT, 'test-artifacts');

/**
 * Tiles that are not whole on screen, described: a memory bar outside its tile, or a tile cut by whatever clips it
 * (the grid, the pods region, the viewport). Empty: every tile and every bar can be seen.
 */
function cutTiles(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const inside = (a: DOMRect, b: DOMRect) =>
      a.left >= b.left - 0.5 &&
      a.right <= b.right + 0.5 &&
      a.top >= b.top - 0.5 &&
      a.bottom <= b.bottom + 0.5;
    for (const tile of document.querySelectorAll<HTMLElement>('[data-testid="pod-tile"]')) {
      const t = tile.getBoundingClientRect();
      const bar = tile.querySelector('.bar')?.getBoundingClientRect();
      const name = tile.dataset.slot;
      if (!bar || bar.height < 4) out.push(`${name}: no memory bar drawn`);
      else if (!inside(bar, t))
        out.push(
          `${name}: bar ${Math.round(bar.top)}–${Math.round(bar.bottom)} outside its tile ${Math.round(t.top)}–${Math.round(t.bottom)}`,
        );
      // What clips the tile: every ancestor that does not let its content overflow, and the viewport.
      let clip = new DOMRect(0, 0, innerWidth, innerHeight);
      for (let a = tile.parentElement; a; a = a.parentElement) {
        const s = getComputedStyle(a);
        if (s.overflowX === 'visible' && s.overflowY === 'visible' && !/paint|strict|content/.test(s.contain))
          continue;
        const b = a.getBoundingClientRect();
        const l = Math.max(clip.left, b.left);
        const top = Math.max(clip.top, b.top);
        clip = new DOMRect(l, top, Math.min(clip.right, b.right) - l, Math.min(clip.bottom, b.bottom) - top);
      }
      if (!inside(t, clip))
        out.push(
          `${name}: tile ${Math.round(t.top)}–${Math.round(t.bottom)} cut at ${Math.round(clip.top)}–${Math.round(clip.bottom)}`,
        );
    }
    return out;
  });
}

describe.skipIf(!haveChromium)('the projector with 50 pods', () => {
  let site: Awaited<ReturnType<typeof liveClassroom>>;
  let browser: Browser;
  const errors: string[] = [];

  beforeAll(async () => {
    ensureClientBuilt();
    mkdirSync(ARTIFACTS, { recursive: true });
    site = await liveClassroom(PODS);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  for (const [width, height] of [
    [1920, 1080],
    [1280, 720],
  ] as const) {
    it(`at ${width}×${height} every tile is whole, memory bar included`, async () => {
      const page = watchErrors(
        errors,
        await browser.newPage({ viewport: { width, height } }),
        `projector ${width}`,
      );
      await page.goto(site.url);
      await expect.poll(() => page.getByTestId('pod-tile').count()).toBe(PODS);
      // Laid out for its measured size (before that, CSS columns stand in).
      await page.locator('[data-testid="pod-grid"].fitted').waitFor();
      await expect.poll(() => cutTiles(page)).toEqual([]);
      // A kill card covers the tiles while it explains; the screenshot shows the tiles.
      await page.keyboard.press('Escape');
      await page.screenshot({
        path: join(ARTIFACTS, `projector-${PODS}-pods-${width}x${height}.png`),
        animations: 'disabled',
      });
      if (width === 1920) expect(await axeSerious(page)).toEqual([]);
      await page.close();
      expect(errors).toEqual([]);
    });
  }
});
