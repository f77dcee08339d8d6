/**
 * Helpers shared by the client benchmarks: build dist/client when it is missing or older than the sources, serve it
 * with an SPA fallback, and find Debian's Chromium.
 */
import { execFileSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { createReadStream, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, extname, join, resolve } from 'node:path';

/**
 * Collect a page's uncaught errors and console errors (the favicon 404 aside) into `errors`, labelled by who: browser
 * tests assert the list is empty at the end.
 */
export function watchErrors(errors: string[], page: Page, who: string): Page {
  // Patient actions and waits: a loaded machine is slow, and a failure still shows within the test's limit.
  page.setDefaultTimeout(60_000);
  page.on('pageerror', (e) => errors.push(`${who}: ${e.message}`));
  page.on('console', (m) => {
    const text = m.text();
    if (m.type() !== 'error' || text.includes('favicon')) return;
    if ((expected.get(page) ?? []).some((re) => re.test(text))) return;
    errors.push(`${who} console: ${text}`);
  });
  return page;
}

const expected = new WeakMap<Page, RegExp[]>();
/**
 * Console errors a test causes on purpose (taking a page offline logs net::ERR_INTERNET_DISCONNECTED for the
 * requests in flight): they are expected from now on for this page, not counted as the page's own errors.
 */
export function expectErrors(page: Page, ...patterns: RegExp[]): void {
  expected.set(page, [...(expected.get(page) ?? []), ...patterns]);
}

export const ROOT = resolve(import.meta.dirname, '../..');
export const DIST = join(ROOT, 'dist/client');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/**
 * Whether Chromium is here for the browser test of `what`. In CI it must be (the browser tests are required there),
 * so a missing one throws; elsewhere the test is skipped, loudly.
 */
export function chromiumFor(what: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI) throw new Error(`Chromium is required in CI for the browser tests (looked at ${CHROMIUM}; set CHROMIUM_PATH)`);
  console.warn(`\n⚠⚠⚠ SKIPPING ${what}: no Chromium at ${CHROMIUM} (set CHROMIUM_PATH) ⚠⚠⚠\n`);
  return false;
}

function newestMtime(dir: string): number {
  let max = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    max = Math.max(max, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return max;
}

function clientFresh(): boolean {
  const index = join(DIST, 'index.html');
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  return built > Math.max(newestMtime(join(ROOT, 'client')), newestMtime(join(ROOT, 'shared')), newestMtime(join(ROOT, 'scripts')));
}

const BUILD_LOCK = join(ROOT, 'node_modules/.cache/oom-arena-client-build.lock');
const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Build the client unless dist/client is newer than client/, shared/ and scripts/. Test files run in parallel workers: a
 * lock directory makes one of them build while the others wait, so none serves a dist/ being rewritten.
 */
export function ensureClientBuilt(): void {
  if (clientFresh()) return;
  mkdirSync(dirname(BUILD_LOCK), { recursive: true });
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch {
      // A lock left by a killed run is stale after two minutes.
      if (existsSync(BUILD_LOCK) && Date.now() - statSync(BUILD_LOCK).mtimeMs > 120_000) rmSync(BUILD_LOCK, { recursive: true, force: true });
      sleepSync(200);
    }
  }
  try {
    if (!clientFresh())
      execFileSync('npx', ['vite', 'build', '--config', 'client/vite.config.ts', '--logLevel', 'warn'], {
        cwd: ROOT,
        stdio: 'inherit',
      });
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** A static server for dist/client with the SPA fallback the real server has (for pages that need no socket). */
export async function serveDist(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = join(DIST, path);
    if (!file.startsWith(DIST) || !existsSync(file) || statSync(file).isDirectory())
      file = join(DIST, 'index.html');
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}
