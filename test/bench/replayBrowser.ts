/**
 * The replay view in Chromium with a one-hour, 50-student recording: time to open (download, decode, verify every
 * hash, first frame) and to seek (state plus the chart's last minute refilled). Prints figures; asserts nothing.
 */
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { recordingRoutes, RecordingStore } from '../../server/recording/index.ts';
import { CHROMIUM, CHROMIUM_ARGS, DIST, ensureClientBuilt } from './clientShared.ts';
import { recordSession } from '../unit/recordingHelpers.ts';

if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)`);
ensureClientBuilt();
const hour = recordSession({ students: 50, ticks: 36_000, everyTicks: 100, id: 'hour', noHashes: true });
const dataDir = mkdtempSync(join(tmpdir(), 'oom-bench-replay-'));
mkdirSync(join(dataDir, 'recordings'));
writeFileSync(join(dataDir, 'recordings', 'hour.ndjson'), hour.text);
const app = Fastify();
await app.register(recordingRoutes, { store: new RecordingStore({ dataDir }) });
await app.register(fastifyStatic, { root: DIST, wildcard: false });
app.setNotFoundHandler((_r, reply) => reply.type('text/html').send(readFileSync(join(DIST, 'index.html'))));
const base = await app.listen({ port: 0, host: '127.0.0.1' });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  const opens: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = Date.now();
    await page.goto(`${base}/replay/hour?t=1800`);
    await page.getByTestId('replay-view').waitFor({ timeout: 60_000 });
    opens.push(Date.now() - t0);
  }
  const seeks = await page.evaluate(() => {
    const r = (window as unknown as { __replay: { seek(t: number): void } }).__replay;
    const out: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t = Math.floor(((i * 7919) % 300) * 120 + (i % 120));
      const a = performance.now();
      r.seek(t);
      out.push(performance.now() - a);
    }
    out.sort((x, y) => x - y);
    return {
      mean: out.reduce((x, y) => x + y, 0) / out.length,
      p50: out[150]!,
      p99: out[297]!,
      max: out[299]!,
    };
  });
  console.log(
    `# replay view benchmark — Chromium ${browser.version()}, one hour × 50 students (${(hour.text.length / 1e6).toFixed(2)} MB)`,
  );
  console.log(`open (download + decode + verify + first frame): ${opens.map((x) => `${x} ms`).join(', ')}`);
  console.log(
    `seek (state + chart refill), 300 moments: mean ${seeks.mean.toFixed(1)} ms, p50 ${seeks.p50.toFixed(1)} ms, p99 ${seeks.p99.toFixed(1)} ms, max ${seeks.max.toFixed(1)} ms (target < 200 ms)`,
  );
} finally {
  await browser.close();
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
}
