/**
 * The built client's caching: Vite names assets by their content, so they are cached for good; index.html and the
 * single-page routes are revalidated, so a new build reaches every phone on its next load. (The header is set through
 * @fastify/static's `setHeaders`, whose argument changed shape between its major versions.)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './helpers.ts';

let dir: string;
let s: TestServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'oom-client-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>OOM Arena</title><script src="/assets/index-3f9a1c.js"></script>');
  writeFileSync(join(dir, 'assets', 'index-3f9a1c.js'), 'console.log("built");');
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  s = await startServer({ clientDir: dir });
});
afterAll(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the built client', () => {
  it('serves hashed assets as immutable for a year', async () => {
    const res = await fetch(`${s.url}/assets/index-3f9a1c.js`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('console.log("built");');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('revalidates files outside assets/ and every page route', async () => {
    const icon = await fetch(`${s.url}/favicon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('cache-control')).toBe('no-cache');
    for (const path of ['/', '/join/ABCDEF', '/host']) {
      const page = await fetch(`${s.url}${path}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('/assets/index-3f9a1c.js');
      expect(page.headers.get('cache-control')).toBe('no-cache');
    }
  });

  it('answers an unknown asset with a 404, not the page', async () => {
    const res = await fetch(`${s.url}/assets/missing-000000.js`);
    expect(res.status).toBe(404);
  });
});
