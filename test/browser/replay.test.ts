/**
 * The replay view in Chromium: open a recording at a shared moment, play, seek (scrubber and next kill), continue
 * from here, a tampered recording flagged, a bad upload refused. The page is served by a fastify app with the real
 * recording routes and the built client.
 */
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRecording, nextMarker } from '../../shared/recording/index.ts';
import { recordingRoutes, RecordingStore } from '../../server/recording/index.ts';
import { CHROMIUM, CHROMIUM_ARGS, chromiumFor, DIST, ensureClientBuilt } from '../bench/clientShared.ts';
import { recordSession } from '../unit/recordingHelpers.ts';
import { axeSerious } from './screenChecks.ts';
import { secretHash } from '../../server/util/secrets.ts';

/** The teacher whose recordings these are: the pages run with this key in localStorage, as their browser would. */
const TEACHER = 'replay-browser-teacher-key';

const haveChromium = chromiumFor('the replay browser tests');

const session = recordSession({ students: 8, ticks: 1800, everyTicks: 120, id: 'browser-rec' });
const dataDir = mkdtempSync(join(tmpdir(), 'oom-rec-browser-'));
const continued: number[] = [];
let app: FastifyInstance;
let base = '';
let browser: Browser;

interface PlayerHandle {
  tick: number;
  hash: string;
  playing: boolean;
}
const player = (page: Page) =>
  page.evaluate(() => {
    const p = (window as unknown as { __replay: PlayerHandle }).__replay;
    return { tick: p.tick, hash: p.hash, playing: p.playing };
  });

/** A page in a browser that holds the teacher's key (as theirs does after hosting once). */
async function teacherPage(o: Parameters<Browser['newPage']>[0] = {}): Promise<Page> {
  const page = await browser.newPage(o);
  await page.addInitScript((key) => localStorage.setItem('oom-arena:teacher-key', key), TEACHER);
  return page;
}

describe.skipIf(!haveChromium)('replay view in Chromium (RB1)', () => {
  beforeAll(async () => {
    ensureClientBuilt();
    mkdirSync(join(dataDir, 'recordings'), { recursive: true });
    writeFileSync(join(dataDir, 'recordings', 'browser-rec.ndjson'), session.text);
    const lines = session.text.trimEnd().split('\n');
    const i = lines.findIndex((l) => l.includes('"k":"h","t":900,'));
    lines[i] = '{"k":"h","t":900,"hash":"00000000deadbeef"}';
    writeFileSync(join(dataDir, 'recordings', 'tampered.ndjson'), lines.join('\n') + '\n');
    // Files put in the folder by hand are the operator's unless an `.owner` file names their teacher.
    for (const id of ['browser-rec', 'tampered']) writeFileSync(join(dataDir, 'recordings', `${id}.owner`), secretHash(TEACHER));
    const store = new RecordingStore({ dataDir });
    app = Fastify();
    await app.register(recordingRoutes, {
      store,
      continueSession: async ({ state }) => {
        continued.push(state.tick);
        return { code: 'CONT', hostKey: 'secret-key-cont', hostPath: '/host/CONT' };
      },
    });
    await app.register(fastifyStatic, { root: DIST, wildcard: false });
    app.setNotFoundHandler((_req, reply) =>
      reply.type('text/html').send(readFileSync(join(DIST, 'index.html'))),
    );
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('opens at the ?t= moment, plays, seeks, jumps to the next kill, and continues from here', async () => {
    const page = await teacherPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(60_000);
    await page.goto(`${base}/replay/browser-rec?t=60`);
    await page.getByTestId('replay-view').waitFor();
    expect(await player(page)).toMatchObject({ tick: 600, hash: session.hashes[600] });
    expect(await page.getByTestId('replay-time').textContent()).toBe('1:00 / 3:00');
    expect(await page.getByTestId('pod-tile').count()).toBeGreaterThanOrEqual(8);
    expect(await page.getByTestId('replay-divergence').count()).toBe(0);

    // Play at 16×: time moves, and the state is the live run's at whatever tick it reached.
    await page.getByTestId('replay-speed').selectOption('16');
    await page.getByTestId('replay-play').click();
    await page.waitForFunction(() => (window as unknown as { __replay: PlayerHandle }).__replay.tick > 700);
    await page.keyboard.press('Space');
    const played = await player(page);
    expect(played.playing).toBe(false);
    expect(played.hash).toBe(session.hashes[played.tick]);

    // Seek with the scrubber, to a moment shortly before a kill.
    const rec = loadRecording(session.text);
    if (!rec.ok) throw new Error(rec.error.message);
    const kill = rec.value.markers.find((m) => m.kind === 'kill' && m.tick > 900)!;
    expect(kill).toBeDefined();
    const at = kill.tick - 37;
    await page.getByTestId('replay-scrubber').evaluate((el: HTMLInputElement, v) => {
      el.value = String(v);
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }, at);
    expect(await player(page)).toMatchObject({ tick: at, hash: session.hashes[at] });
    expect(new URL(page.url()).searchParams.get('t')).toBe(String(at / 10));

    // Next kill (keyboard), then one tick back with ','.
    const next = nextMarker(rec.value, at, 1)!;
    expect(next.tick).toBe(kill.tick);
    await page.keyboard.press(']');
    expect(await player(page)).toMatchObject({ tick: next.tick, hash: session.hashes[next.tick] });
    // Issue #12 item 6: the overlay explains the kill jumped to, not an earlier one from the refilled minute.
    const slot = /^(\S+) OOMKilled/.exec(next.label)![1]!;
    await page.getByTestId('kill-overlay').waitFor();
    expect(await page.getByTestId('kill-overlay').locator('h2').textContent()).toContain(slot);
    expect(await axeSerious(page)).toEqual([]);
    await page.keyboard.press(',');
    expect((await player(page)).tick).toBe(next.tick - 1);

    // Continue from here: the server gets this tick, the page goes to the new session's host page.
    await page.getByTestId('replay-continue').click();
    await page.waitForURL(`${base}/host/CONT`);
    expect(continued).toEqual([next.tick - 1]);
    expect(await page.evaluate(() => localStorage.getItem('oom-arena:host:CONT'))).toBe('secret-key-cont');
    await page.close();
  });

  it('opens the shortcut help with ? and closes it with Escape', async () => {
    const page = await teacherPage();
    page.setDefaultTimeout(60_000);
    await page.goto(`${base}/replay/browser-rec`);
    await page.getByTestId('replay-view').waitFor();
    // The help has no role or name of its own: it is a definition list under the "Replay controls" region, and
    // its "?" button says whether it is open.
    const controls = page.getByRole('region', { name: 'Replay controls' });
    const toggle = controls.getByRole('button', { name: '?', exact: true });
    const help = controls.getByTestId('replay-help');
    expect(await help.count()).toBe(0);
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');

    await page.keyboard.press('?');
    await help.waitFor({ state: 'visible' });
    expect(await help.evaluate((el) => el.tagName)).toBe('DL');
    expect(await help.textContent()).toContain('previous, next OOM kill');
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');

    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await page.close();
  });

  it('flags a tampered recording', async () => {
    const page = await teacherPage();
    page.setDefaultTimeout(60_000);
    await page.goto(`${base}/replay/tampered`);
    const banner = page.getByTestId('replay-divergence');
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(/does not replay as recorded.*1:30 \(tick 900\)/s);
    expect(await axeSerious(page)).toEqual([]);
    await page.close();
  });

  it('refuses a bad upload with a clear message, and accepts a good one', async () => {
    const page = await teacherPage();
    page.setDefaultTimeout(60_000);
    await page.goto(`${base}/replay/nope`);
    expect(await page.getByTestId('replay-error').textContent()).toMatch(/no recording "nope".*NOT_FOUND/s);
    expect(await axeSerious(page)).toEqual([]);
    const input = page.locator('input[type=file]');
    const header = JSON.parse(session.text.slice(0, session.text.indexOf('\n')));
    await input.setInputFiles({
      name: 'future.ndjson',
      mimeType: 'application/x-ndjson',
      buffer: Buffer.from(JSON.stringify({ ...header, formatVersion: 99 }) + '\n'),
    });
    expect(await page.getByTestId('replay-upload-error').textContent()).toMatch(
      /format version 99.*FORMAT_TOO_NEW/s,
    );
    await input.setInputFiles({
      name: 'good.ndjson',
      mimeType: 'application/x-ndjson',
      buffer: Buffer.from(session.text),
    });
    await page.waitForURL(/\/replay\/upload-/);
    await page.getByTestId('replay-view').waitFor();
    expect((await player(page)).tick).toBe(0);
    await page.close();
  });
});
