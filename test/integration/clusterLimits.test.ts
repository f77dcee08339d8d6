/**
 * Limits hold across a cluster (issues #10 and #15): two server processes on one Redis draw the per-address budgets
 * from one store, so a room budget spent on one process is refused on the other, and a guessing budget spent on one
 * refuses look-ups on the other (HTTP and socket joins alike); a student banned from a room stays banned whichever
 * process they come through. Real processes (`node server/main.ts` with REDIS_URL) and a real redis-server on a
 * free port; outside CI the file skips, loudly, when redis-server is missing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateSessionResponse } from '../../shared/protocol/schemas.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import { startServerProcess, type ServerProcess } from './clusterProcess.ts';
import { call, ok, type Client } from './helpers.ts';
import { redisForTests, startRedis, type TestRedis } from './redisHarness.ts';

const run = redisForTests('cluster limit tests');

describe.skipIf(!run)('limits across a cluster of server processes', () => {
  let redis: TestRedis;
  let dataDir: string;
  let a: ServerProcess;
  let b: ServerProcess;
  let room: CreateSessionResponse;
  /** A room b runs: look-ups of it are answered by b itself (one of a's would be forwarded to a). */
  let roomOnB: CreateSessionResponse;
  const clients: Client[] = [];

  const start = () =>
    startServerProcess({
      REDIS_URL: redis.url,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      // Three rooms at once per address, then one every 20 s: the tests' three creations spend it.
      CREATE_SESSIONS_PER_MINUTE: '3',
    });
  const create = (p: ServerProcess) =>
    fetch(`${p.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const open = async (p: ServerProcess): Promise<Client> => {
    const c: Client = connect(p.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    clients.push(c);
    await new Promise<void>((resolve, reject) => {
      c.once('connect', () => resolve());
      c.once('connect_error', reject);
    });
    return c;
  };
  const joinVia = async (p: ServerProcess, nickname: string, code = room.code) =>
    call(await open(p), 'student:join', { v: PROTOCOL_VERSION, code, nickname });

  beforeAll(async () => {
    redis = await startRedis();
    dataDir = mkdtempSync(join(tmpdir(), 'oom-cluster-limits-'));
    [a, b] = await Promise.all([start(), start()]);
    const res = await create(a);
    expect(res.status).toBe(201);
    room = (await res.json()) as CreateSessionResponse;
    const onB = await create(b);
    expect(onB.status).toBe(201);
    roomOnB = (await onB.json()) as CreateSessionResponse;
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('a ban made through one process holds through the other, look-alike spellings included', async () => {
    const host = await open(a);
    ok(await call(host, 'host:attach', { v: PROTOCOL_VERSION, code: room.code, hostKey: room.hostKey }));
    // bob comes through b; the room runs in a, which checks his join and keeps the ban.
    const bob = ok(await joinVia(b, 'bob'));
    ok(await call(host, 'participant:ban', { id: bob.participantId }));
    for (const [via, name] of [[b, 'bob'], [b, 'Воb'], [a, 'ＢＯＢ']] as const) {
      expect(await joinVia(via, name), `${name} via ${via === a ? 'a' : 'b'}`).toMatchObject({
        ok: false,
        error: { code: 'BANNED' },
      });
    }
  }, 60_000);

  it('the room budget an address spends on one process is spent on the other', async () => {
    // The rooms made before the tests took two; this takes the third, on a.
    expect((await create(a)).status).toBe(201);
    const refused = await create(b);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('ROOM_BUDGET');
  }, 60_000);

  it('guessing codes on one process spends the budget the other checks: its look-ups and joins are refused', async () => {
    // Unknown codes looked up on a (each a miss), alternating with a look-up on b of a room b runs (never a miss by
    // itself, never forwarded to a): once the address's guessing budget is spent, b refuses it too. Separate budgets would let b answer
    // every time, and the loop would run out.
    let code = 0;
    const miss = async () => {
      const unknown = `ZZZ${(code++).toString(10).padStart(3, '2').replace(/[01]/g, '9')}`;
      return (await fetch(`${a.url}/api/sessions/${unknown}`)).status;
    };
    let httpRefused = false;
    for (let i = 0; i < 200 && !httpRefused; i++) {
      expect([404, 429]).toContain(await miss());
      const look = await fetch(`${b.url}/api/sessions/${roomOnB.code}`);
      expect([200, 429]).toContain(look.status);
      if (look.status === 429) {
        httpRefused = true;
        expect(((await look.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
      }
    }
    expect(httpRefused).toBe(true);
    let joinRefused = false;
    for (let i = 0; i < 200 && !joinRefused; i++) {
      await miss();
      const r = await joinVia(b, `guess${i}`, roomOnB.code);
      if (!r.ok) {
        expect(r.error.code).toBe('RATE_LIMITED');
        joinRefused = true;
      }
    }
    expect(joinRefused).toBe(true);
  }, 120_000);
});
