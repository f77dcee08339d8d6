/**
 * The /explain page in Chromium against the real server (issue #16): from the home page, paste a kernel report, see
 * the candidate table with the kernel's points, move the moment of the kill, download the incident as a scenario
 * file (checked with the server's schema), and start a class session from it. Then a phone: the same page fits a
 * 360 px screen. Screenshots go to test-artifacts/explain-*.png.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../shared/scenario/schema.ts';
import type { App } from '../../server/app.ts';
import { chromiumFor, ROOT, watchErrors } from '../bench/clientShared.ts';
import { startBrowserApp, type BrowserApp } from './browserApp.ts';

const haveChromium = chromiumFor('the explain browser test');

const ARTIFACTS = join(ROOT, 'test-artifacts');
const REPORT = readFileSync(join(ROOT, 'test/fixtures/oom/global-6.1-dmesg.txt'), 'utf8');
let started: BrowserApp | undefined;
let server: App;
let base = '';
let browser: Browser;
const pageErrors: string[] = [];
const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(ARTIFACTS, `explain-${name}.png`), fullPage: true });

describe.skipIf(!haveChromium)('Explain my OOM in Chromium (issue #16)', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    started = await startBrowserApp();
    ({ server, base, browser } = started);
  }, 90_000);

  afterAll(async () => {
    await started?.close();
  });

  it('paste → candidate table → play: download the scenario and start a session from it', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = watchErrors(pageErrors, await ctx.newPage(), 'explain');
    await page.goto(base);
    await page.getByTestId('home-explain').click();
    await page.getByRole('heading', { name: 'Explain my OOM' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/explain');

    await page.getByLabel('Kernel report or kubectl output').fill(REPORT);
    await page.getByRole('button', { name: 'Explain', exact: true }).click();
    await expect.poll(() => page.getByTestId('explain-summary').textContent()).toBe('1 OOM kill explained');
    // Focus moves to the result, for keyboard and screen-reader users.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(
      'explain-summary',
    );

    const table = page.getByTestId('explain-candidates');
    const victimRow = table.locator('tr.victim');
    await expect.poll(() => victimRow.locator('.comm').textContent()).toBe('java');
    expect(await victimRow.locator('td').last().textContent()).toBe('1,550,323');
    expect(await table.locator('caption').textContent()).toContain('every process on the node');
    expect(await table.locator('tbody tr').count()).toBe(7);
    expect(await page.getByTestId('explain-kill').textContent()).toContain('1018815');

    await page.getByTestId('kill-at').fill('25');
    await expect
      .poll(() => page.getByTestId('play-check').textContent())
      .toMatch(/Checked: in the round, java \(pod java\) dies at 25\.0 s/);
    await shot(page, 'desktop');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('play-download').click(),
    ]);
    expect(download.suggestedFilename()).toBe('incident-java.json');
    const file = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    const parsed = parseScenario(file);
    expect(parsed.ok).toBe(true);
    expect(file.timeline[0]).toMatchObject({ atSec: 25, pod: 'stress' });

    await page.getByTestId('play-session').click();
    await page.waitForURL(/\/host\/[A-Z0-9]+$/);
    const code = (await page.getByTestId('join-code').textContent())!.trim();
    const room = server.rooms.get(code)!;
    expect(room.meta()).toMatchObject({ scenario: { name: 'incident-java' } });
    expect(room.state.pods.map((p) => p.slot)).toEqual(
      expect.arrayContaining(['java', 'stress', 'rest-of-node']),
    );
    await ctx.close();
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('on a phone: a kubectl describe paste fits the screen and says what kubectl cannot show', async () => {
    const ctx = await browser.newContext({
      viewport: { width: 360, height: 740 },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
    });
    const page = watchErrors(pageErrors, await ctx.newPage(), 'phone');
    await page.goto(`${base}/explain`);
    await page
      .getByLabel('Kernel report or kubectl output')
      .fill(readFileSync(join(ROOT, 'test/fixtures/oom/describe-pod-oomkilled.txt'), 'utf8'));
    await page.getByRole('button', { name: 'Explain', exact: true }).tap();
    await expect.poll(() => page.getByTestId('explain-summary').textContent()).toBe('1 OOM kill explained');
    const text = (await page.getByTestId('explain-kill').textContent())!;
    expect(text).toContain('api was killed');
    expect(text).toContain('paste the node');
    // Nothing wider than the phone: the page does not scroll sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.getByTestId('explain-example').tap();
    await expect.poll(() => page.locator('tr.victim .comm').textContent()).toBe('node');
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await shot(page, 'phone');
    // Nothing found: a clear message.
    await page.getByLabel('Kernel report or kubectl output').fill('hello world');
    await page.getByRole('button', { name: 'Explain', exact: true }).tap();
    await expect.poll(() => page.getByTestId('explain-summary').textContent()).toBe('No OOM kill found');
    expect(await page.getByRole('alert').first().textContent()).toMatch(/Paste the kernel's report/);
    await ctx.close();
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
