import { describe, expect, it } from 'vitest';
import { parseLauncherArgs, routeOf } from '../../server/cluster/launcherRouting.ts';

const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;

describe('the cluster launcher routes a connection by its first request', () => {
  it.each([
    [
      'a socket.io request of a session made by worker 1',
      get('/socket.io/?EIO=4&transport=polling&sid=w1-abc'),
      { worker: 1 },
    ],
    [
      'a handshake naming its room (case and dashes normalised)',
      get('/socket.io/?EIO=4&transport=websocket&room=abc-234'),
      { room: 'ABC234' },
    ],
    ['a look-up of a session', get('/api/sessions/ABC234'), { room: 'ABC234' }],
    ['a session route below the code', get('/api/sessions/ABC234/qr.svg'), { room: 'ABC234' }],
    ['the sid wins over the room', get('/socket.io/?sid=w0-x&room=ABC234'), { worker: 0 }],
    ['a page', get('/join/ABC234'), {}],
    ['creating a session', 'POST /api/sessions HTTP/1.1\r\n\r\n', {}],
    ['a code that cannot be one', get('/api/sessions/__proto__'), {}],
    ['a sid not made by a worker', get('/socket.io/?sid=abc'), {}],
    ['bytes that are not HTTP', '\x16\x03\x01garbage', {}],
    // decodeURIComponent throws on it: the launcher must not (it would crash with every connection it routes).
    ['a malformed escape in the path', get('/api/sessions/%E0%A4%A'), {}],
  ])('%s', (_, head, route) => {
    expect(routeOf(head)).toEqual(route);
  });
});

describe('npm run cluster arguments', () => {
  it('takes --workers and --port, defaulting to the cores and PORT', () => {
    expect(parseLauncherArgs(['--workers', '3'], { PORT: '4000' }, 2)).toEqual({
      ok: true,
      workers: 3,
      port: 4000,
      host: '0.0.0.0',
    });
    expect(parseLauncherArgs(['--workers=2', '--port=5000'], {}, 8)).toEqual({
      ok: true,
      workers: 2,
      port: 5000,
      host: '0.0.0.0',
    });
    expect(parseLauncherArgs([], {}, 4)).toEqual({ ok: true, workers: 4, port: 3000, host: '0.0.0.0' });
  });

  it.each([
    [['--workers', '0']],
    [['--workers', 'many']],
    [['--workers']],
    [['--port', '70000']],
    [['--frobnicate']],
  ])('refuses %j with a reason', (argv) => {
    const r = parseLauncherArgs(argv, {}, 2);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/--workers|--port|unknown option/);
  });
});
