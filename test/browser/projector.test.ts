/**
 * Issue #14, the projector with a full class: 50 bot students on the real server, the presenter in Chromium at
 * 1920×1080 and at 1280×720. Every pod's tile is whole on screen with its memory bar (a grid that squeezed its
 * rows cut the bars off every tile), and axe finds nothing serious. Screenshots go to test-artifacts/.
 * What the page does per tick: a tick's messages make one update of the page, and a kill card forces no layout.
 * Everything waits on conditions.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS, chromiumFor, ensureClientBuilt, ROOT, watchErrors } from '../bench/clientShared.ts';
import { liveClassroom } from '../bench/liveClassroom.ts';
import { axeSerious } from './screenChecks.ts';

const haveChromium = chromiumFor('the projector test');

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

/**
 * In the page, before it loads: count the socket.io events that arrive by name (counted before the app's own
 * handler runs). Once armed (the page shown and settled): record each update of the page (one MutationObserver
 * call per update) that printed lines in the ticker, with how many state deltas had arrived since the previous
 * update and the CSS animations then running in the ticker; count each new kill card and put a performance mark
 * at it.
 */
function watchUpdates(): void {
  const w = window as unknown as {
    __msgs: Record<string, number>;
    __tickerUpdates: { deltasSince: number }[];
    __cards: number;
    __armed: boolean;
    __tickerAnimations: number;
  };
  w.__msgs = {};
  w.__tickerAnimations = 0;
  w.__tickerUpdates = [];
  w.__cards = 0;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (e: MessageEvent) => {
        const m = typeof e.data === 'string' ? /^42(?:\/[^,]*,)?\["([^"]+)"/.exec(e.data) : null;
        if (m) w.__msgs[m[1]!] = (w.__msgs[m[1]!] ?? 0) + 1;
      });
    }
  };
  let deltasAtLast = 0;
  new MutationObserver((records) => {
    const deltas = w.__msgs['state:delta'] ?? 0;
    const inTicker = (n: Node) => !!(n instanceof Element ? n : n.parentElement)?.closest('.ticker');
    if (
      w.__armed &&
      records.some((r) => r.type === 'childList' && r.addedNodes.length > 0 && inTicker(r.target))
    ) {
      w.__tickerUpdates.push({ deltasSince: deltas - deltasAtLast });
      // CSS animations running in the ticker (each restyles and repaints it on every display frame).
      w.__tickerAnimations += document
        .getAnimations()
        .filter((a) => inTicker((a.effect as KeyframeEffect | null)?.target ?? document)).length;
    }
    for (const r of records)
      for (const n of r.addedNodes)
        if (
          w.__armed &&
          n instanceof Element &&
          (n.matches('[data-testid="kill-overlay"]') || n.querySelector('[data-testid="kill-overlay"]'))
        ) {
          w.__cards++;
          performance.mark('kill-card');
        }
    deltasAtLast = deltas;
  }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  pid: number;
  tid: number;
  args?: { name?: string };
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

  it("applies a tick's state and its events in one update of the page", async () => {
    const page = watchErrors(
      errors,
      await browser.newPage({ viewport: { width: 1920, height: 1080 } }),
      'updates',
    );
    await page.addInitScript(watchUpdates);
    await page.goto(site.url);
    await expect.poll(() => page.getByTestId('pod-tile').count()).toBe(PODS);
    await page.evaluate(() => ((window as unknown as { __armed: boolean }).__armed = true));
    // Twelve updates that printed log lines (the bots' pods are killed, restarted, backed off all the time).
    const seen = () =>
      page.evaluate(() => {
        const w = window as unknown as {
          __tickerUpdates: { deltasSince: number }[];
          __msgs: Record<string, number>;
          __tickerAnimations: number;
        };
        return {
          updates: w.__tickerUpdates.slice(),
          msgs: { ...w.__msgs },
          animations: w.__tickerAnimations,
        };
      });
    await expect
      .poll(async () => (await seen()).updates.length, { timeout: 90_000 })
      .toBeGreaterThanOrEqual(12);
    const { updates, msgs, animations } = await seen();
    // The server sends a tick's events after its delta, as a message of its own: applied on arrival, the lines
    // were an update of their own, with no delta since the one before (every one of them, before the inbox).
    const alone = updates.filter((u) => u.deltasSince === 0).length;
    expect(msgs['sim:events'] ?? 0).toBeGreaterThan(0);
    expect(alone, JSON.stringify({ updates: updates.length, alone, msgs })).toBeLessThanOrEqual(
      updates.length / 4,
    );
    // The newest line's highlight steps with those updates; a CSS fade ran for 0.4 s after every new line.
    expect(animations).toBe(0);
    await page.close();
    expect(errors).toEqual([]);
  });

  it('shows a kill card without forcing a layout', async () => {
    const page = watchErrors(
      errors,
      await browser.newPage({ viewport: { width: 1920, height: 1080 } }),
      'kill card',
    );
    await page.addInitScript(watchUpdates);
    const frames = (n: number) =>
      page.evaluate(
        (count) =>
          new Promise<void>((done) => {
            let i = 0;
            const next = () => (++i >= count ? done() : requestAnimationFrame(next));
            requestAnimationFrame(next);
          }),
        n,
      );
    await page.goto(site.url);
    await expect.poll(() => page.getByTestId('pod-tile').count()).toBe(PODS);
    await page.locator('[data-testid="pod-grid"].fitted').waitFor();
    await frames(3);
    // Laid out and drawn; from here, what counts is what follows the next kill card (one every 20 s at most).
    await browser.startTracing(page, { categories: ['blink', 'blink.user_timing'] });
    let trace: Buffer;
    try {
      await page.evaluate(() => ((window as unknown as { __armed: boolean }).__armed = true));
      await expect
        .poll(() => page.evaluate(() => (window as unknown as { __cards: number }).__cards), {
          timeout: 90_000,
        })
        .toBeGreaterThanOrEqual(1);
      // Three display frames after the card came (a measurement after it would be in the first).
      await frames(3);
    } finally {
      trace = await browser.stopTracing();
    }
    const events = (JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
    const card = events.find((e) => e.name === 'kill-card');
    expect(card, "the kill card's mark in the trace").toBeDefined();
    // Script that reads a size while the page has changes to lay out makes the browser lay out then and there.
    const forced = events.filter(
      (e) =>
        e.pid === card!.pid &&
        e.ph === 'X' &&
        e.name === 'Blink.ForcedStyleAndLayout.UpdateTime' &&
        e.ts > card!.ts,
    );
    expect(forced.length).toBe(0);
    await page.close();
    expect(errors).toEqual([]);
  });
});
