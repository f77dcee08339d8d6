/**
 * HTTP edges (issue 10, defect 10): socket.io's own replies carry the security headers, HEAD answers like GET, and
 * a 500 carries a code, never the internal message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './helpers.ts';

const SECRET = 'db password is hunter2 at /srv/internal/path.ts:42';
let s: TestServer;
beforeAll(async () => {
  s = await startServer({
    plugins: [
      (app) =>
        app.get('/api/test-explodes', async () => {
          throw new Error(SECRET);
        }),
    ],
  });
});
afterAll(async () => {
  await s?.close();
});

function expectSecurityHeaders(res: Response): void {
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
  expect(res.headers.get('x-frame-options')).toBe('DENY');
}

describe('socket.io replies carry security headers', () => {
  it('on a polling handshake', async () => {
    const res = await fetch(`${s.url}/socket.io/?EIO=4&transport=polling`);
    expect(res.status).toBe(200);
    expectSecurityHeaders(res);
  });
  it('on its error replies (an unknown transport, a bad session id)', async () => {
    for (const q of ['EIO=4&transport=bogus', 'EIO=4&transport=polling&sid=nope']) {
      const res = await fetch(`${s.url}/socket.io/?${q}`);
      expect(res.status).toBe(400);
      expectSecurityHeaders(res);
    }
  });
});

describe('HEAD answers like GET', () => {
  it.each(['/', '/host', '/join/ABCDEF', '/replay', '/api/sessions/ZZZZZZ', '/nothing-here'])('%s', async (path) => {
    const get = await fetch(`${s.url}${path}`);
    const head = await fetch(`${s.url}${path}`, { method: 'HEAD' });
    expect(head.status).toBe(get.status);
    expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
    expect(await head.text()).toBe('');
  });
});

describe('a 500 carries a code and no internals', () => {
  it('answers { error: { code: INTERNAL } } without the thrown message', async () => {
    const res = await fetch(`${s.url}/api/test-explodes`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'INTERNAL' } });
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('internal/path');
  });
  it('leaves 4xx answers their own code', async () => {
    const res = await fetch(`${s.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    expect(res.status).toBe(400);
  });
});
