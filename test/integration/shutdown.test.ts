import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connect } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import type { CreateSessionResponse } from '../../shared/protocol/schemas.ts';

describe('graceful shutdown', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'oom-arena-shutdown-'));
  // A failed assertion must not leave the server running after the suite.
  let running: ReturnType<typeof spawn> | null = null;
  afterAll(() => {
    if (running && running.exitCode === null && running.signalCode === null) running.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('on SIGTERM the server tells clients, closes recordings and exits 0', async () => {
    const child = (running = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', WARM_UP: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    }));
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /Students open: (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(t);
          resolve(m[1]!);
        }
      });
    });
    // `npm start` warms the room's code up before it listens (server/warmUp.ts), and says so before the URL.
    expect(out.slice(0, out.indexOf('Students open'))).toMatch(/"roomTicks":[1-9]\d*,.*"msg":"warmed up"/);
    const created = (await (await fetch(`${url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as CreateSessionResponse;
    const c = connect(url, { transports: ['websocket'], reconnection: false });
    await new Promise<void>((r) => c.once('connect', () => r()));
    const joined = (await c.emitWithAck('student:join', { v: PROTOCOL_VERSION, code: created.code, nickname: 'alice' })) as { ok: boolean };
    expect(joined.ok).toBe(true);
    const ended = new Promise<{ reason: string }>((r) => c.once('session:ended', r));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect((await ended).reason).toBe('shutdown');
    expect(await exited).toBe(0);
    c.close();
    expect(readdirSync(join(dataDir, 'recordings')).some((f) => f.endsWith('.ndjson'))).toBe(true);
  });
});
