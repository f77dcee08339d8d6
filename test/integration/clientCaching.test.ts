/**
 * How the built client is served. Vite names assets by their content, so they are cached for good; index.html and
 * the single-page routes are revalidated, so a new build reaches every phone on its next load. The build's Brotli and
 * gzip copies (scripts/precompress.ts) go to browsers that accept them, with `Vary: Accept-Encoding`; the others get
 * the file itself. (The headers are set through @fastify/static's `setHeaders`, whose argument changed shape between
 * its major versions.)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { precompressDir } from '../../scripts/precompress.ts';
import { startServer, type TestServer } from './helpers.ts';

/** Text that compresses well and is well over the 1 KB below which no copy is made. */
const SCRIPT = `console.log("built");\n${'export const lines = ["the kernel picks the largest badness"];\n'.repeat(200)}`;
const PAGE = `<!doctype html><title>OOM Arena</title><script src="/assets/index-3f9a1c.js"></script>${'<!-- padding -->'.repeat(100)}`;

let dir: string;
let s: TestServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'oom-client-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), PAGE);
  writeFileSync(join(dir, 'assets', 'index-3f9a1c.js'), SCRIPT);
  writeFileSync(join(dir, 'assets', 'tiny-0a0a0a.css'), 'body{margin:0}');
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await precompressDir(dir);
  s = await startServer({ clientDir: dir });
});
afterAll(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** fetch decodes Brotli and gzip itself: the body is checked as the page would see it, the header as sent. */
const get = (path: string, acceptEncoding = 'identity') => fetch(`${s.url}${path}`, { headers: { 'accept-encoding': acceptEncoding } });

describe('the built client', () => {
  it('serves hashed assets as immutable for a year', async () => {
    const res = await get('/assets/index-3f9a1c.js');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(SCRIPT);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('revalidates files outside assets/ and every page route', async () => {
    const icon = await get('/favicon.svg');
    expect(icon.status).toBe(200);
    expect(icon.headers.get('cache-control')).toBe('no-cache');
    for (const path of ['/', '/join/ABCDEF', '/host']) {
      const page = await get(path);
      expect(page.status).toBe(200);
      expect(await page.text()).toBe(PAGE);
      expect(page.headers.get('cache-control')).toBe('no-cache');
    }
  });

  it('answers an unknown asset with a 404, not the page', async () => {
    const res = await get('/assets/missing-000000.js');
    expect(res.status).toBe(404);
  });
});

describe('compressed when the browser accepts it', () => {
  it('sends the Brotli copy to a browser that prefers it, gzip to one that takes only gzip, the file to the rest', async () => {
    for (const [accept, encoding] of [
      ['gzip, deflate, br', 'br'],
      ['gzip', 'gzip'],
      ['identity', null],
    ] as const) {
      const res = await get('/assets/index-3f9a1c.js', accept);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-encoding')).toBe(encoding);
      expect(res.headers.get('content-type')).toMatch(/^application\/javascript/);
      expect(res.headers.get('vary')).toMatch(/accept-encoding/i);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(await res.text()).toBe(SCRIPT);
    }
  });

  it('compresses the page on its routes too (the single-page fallback), still revalidated', async () => {
    for (const path of ['/', '/join/ABCDEF']) {
      const res = await get(path, 'br');
      expect(res.headers.get('content-encoding')).toBe('br');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toBe(PAGE);
    }
  });

  it('sends a file too small to have a copy as it is, and gives the copies no URL of their own', async () => {
    const css = await get('/assets/tiny-0a0a0a.css', 'br');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-encoding')).toBeNull();
    expect(await css.text()).toBe('body{margin:0}');
    expect((await get('/assets/index-3f9a1c.js.br')).status).toBe(404);
  });
});
