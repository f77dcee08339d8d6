/**
 * What a phone downloads (scripts/precompress.ts, server/http/clientRoutes.ts): Chromium loading the join page from the
 * real build gets every script and stylesheet that has one as the build's Brotli copy, decodes it and runs the page,
 * and fetches about a third of the bytes the files have as built.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumFor, DIST, watchErrors } from '../bench/clientShared.ts';
import { startBrowserApp, type BrowserApp } from './browserApp.ts';

const haveChromium = chromiumFor('the delivery browser test');

let app: BrowserApp | undefined;
const pageErrors: string[] = [];

describe.skipIf(!haveChromium)('the client as a phone downloads it', () => {
  beforeAll(async () => {
    app = await startBrowserApp();
  }, 90_000);

  afterAll(async () => {
    await app?.close();
  });

  it('gets the scripts and stylesheets Brotli-compressed, and the join page works', async () => {
    const { browser, base } = app!;
    const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    const page = watchErrors(pageErrors, await ctx.newPage(), 'delivery');
    // Each finished script or stylesheet, noted as it finishes: its headers and sizes are read afterwards, so none
    // is missed for having been looked up after the checks began.
    const finished: Promise<{ path: string; encoding: string | undefined; sent: number }>[] = [];
    page.on('requestfinished', (req) => {
      const path = new URL(req.url()).pathname;
      if (!/\.(js|css)$/.test(path)) return;
      finished.push(
        Promise.all([req.response(), req.sizes()]).then(([res, sizes]) => ({
          path,
          encoding: res?.headers()['content-encoding'],
          sent: sizes.responseBodySize,
        })),
      );
    });
    await page.goto(`${base}/join/ABC123`);
    await page.getByLabel('Your name').waitFor();
    await page.waitForLoadState('networkidle');
    const assets = await Promise.all(finished);
    // The entry script index.html names is among them (the page did not run from somewhere else).
    const entry = readFileSync(join(DIST, 'index.html'), 'utf8').match(/\/assets\/index-[\w-]+\.js/)?.[0];
    expect(entry).toBeDefined();
    expect(assets.map((a) => a.path)).toContain(entry);

    let built = 0;
    let sent = 0;
    for (const a of assets) {
      const file = join(DIST, a.path);
      // A file under 1 KB has no copy (it would save less than its headers): it comes as it is.
      const copy = existsSync(`${file}.br`) ? `${file}.br` : null;
      expect(a.encoding, a.path).toBe(copy ? 'br' : undefined);
      expect(a.sent, a.path).toBe(statSync(copy ?? file).size);
      built += statSync(file).size;
      sent += a.sent;
    }
    expect(assets.filter((a) => a.encoding === 'br').length).toBeGreaterThanOrEqual(2);
    expect(sent).toBeLessThan(built / 2);
    expect(pageErrors).toEqual([]);
    await ctx.close();
  });
});
