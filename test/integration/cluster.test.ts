/**
 * The cluster through real processes and a real Redis (docs/scaling.md): a room made on one process is joined
 * through the others, frames and commands flow across them, a kill -9 of the room's owner moves the room to
 * another process with every acknowledged command in its recording, a Redis restart mid-session heals, and a kill -9
 * right after a new round began resumes that round.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import type { CreateSessionResponse } from '../../shared/protocol/schemas.ts';
import type { Delta, JoinResult, Snapshot } from '../../shared/protocol/views.ts';
import { POD_KEYS } from '../../shared/protocol/frames.ts';
import { startFrontDoor, startServerProcess, type FrontDoor, type ServerProcess } from './clusterProcess.ts';
import { call, ok, until, type Client } from './helpers.ts';
import { redisForTests, startRedis, type TestRedis } from './redisHarness.ts';

// Short leases keep the suite fast; CLUSTER_TEST_LEASE_MS=5000 measures the production default's failover.
const LEASE_MS = Number(process.env.CLUSTER_TEST_LEASE_MS ?? 1500);
const run = redisForTests('cluster tests');

describe.skipIf(!run)('a cluster of server processes on Redis', () => {
  let redis: TestRedis;
  let db: Redis;
  let dataDir: string;
  const procs: ServerProcess[] = [];
  const clients: Client[] = [];
  let front: FrontDoor | undefined;

  const start = async () => {
    const p = await startServerProcess({
      REDIS_URL: redis.url,
      DATA_DIR: dataDir,
      CLUSTER_LEASE_MS: String(LEASE_MS),
      MAX_CONNECTIONS_PER_IP: '5000',
    });
    procs.push(p);
    return p;
  };
  const open = async (p: ServerProcess, reconnection = false): Promise<Client> => {
    const c: Client = connect(p.url, { transports: ['websocket'], reconnection, forceNew: true });
    clients.push(c);
    await new Promise<void>((resolve, reject) => {
      c.once('connect', () => resolve());
      c.once('connect_error', reject);
    });
    return c;
  };
  const create = async (p: ServerProcess): Promise<CreateSessionResponse> => {
    const res = await fetch(`${p.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ speed: 4 }),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as CreateSessionResponse;
  };
  const owner = (code: string) => db.get(`oom:lease:${code}`);
  const nodeOf = async (p: ServerProcess) =>
    (await db.keys('oom:node:*'))
      .map((k) => k.slice('oom:node:'.length))
      .find((n) => n.split('/')[1] === String(p.proc.pid));
  /** Frames a client receives from now on (their ticks). */
  const frames = (c: Client) => {
    const ticks: number[] = [];
    c.on('state:delta', (d) => ticks.push(d.t)); // host and presenter
    c.on('state:frame', (f) => ticks.push(f.t)); // students and spectators
    c.on('state:snapshot', (s) => ticks.push(s.tick));
    return ticks;
  };

  beforeAll(async () => {
    redis = await startRedis();
    db = new Redis(redis.url, { retryStrategy: () => 100 });
    db.on('error', () => {});
    dataDir = mkdtempSync(join(tmpdir(), 'oom-cluster-'));
    await Promise.all([start(), start(), start()]);
  });

  afterAll(async () => {
    if (process.env.CLUSTER_TEST_LOGS)
      for (const p of procs)
        console.log(
          p.url,
          p.log
            .filter(
              (l) =>
                process.env.CLUSTER_TEST_LOGS === 'all' || !l.includes('"level":30') || /taken|moved|cluster/.test(l),
            )
            .join('\n'),
        );
    for (const c of clients) c.disconnect();
    await front?.close();
    await Promise.all(procs.map((p) => p.stop()));
    db?.disconnect();
    await redis?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('joins a room made on one process through the others; frames and commands flow; kill -9 of its owner moves it with every acknowledged command', async () => {
    const [a, b, c] = procs as [ServerProcess, ServerProcess, ServerProcess];
    const session = await create(a);
    expect(await owner(session.code)).toBe(await nodeOf(a));

    // Any process answers about any room (HTTP), and any process takes any client (socket.io).
    const look = await fetch(`${c.url}/api/sessions/${session.code}`);
    expect(look.status).toBe(200);
    expect(((await look.json()) as { code: string }).code).toBe(session.code);

    const host = await open(b);
    const hostJoin = ok(
      await call(host, 'host:attach', { v: PROTOCOL_VERSION, code: session.code, hostKey: session.hostKey }),
    );
    const viaC = await open(c);
    const ann = ok(
      await call(viaC, 'student:join', { v: PROTOCOL_VERSION, code: session.code, nickname: 'ann' }),
    );
    // bob comes in through a load balancer that sends him to a, the room's owner; when a dies, his socket reconnects
    // by itself through the same address and, as the student page does on every reconnection, takes his seat back.
    front = await startFrontDoor(() => procs.map((p) => p.url));
    const viaA = connect(front.url, { transports: ['websocket'], reconnectionDelayMax: 1000, forceNew: true });
    clients.push(viaA);
    await new Promise<void>((resolve, reject) => {
      viaA.once('connect', () => resolve());
      viaA.once('connect_error', reject);
    });
    const bob = ok(
      await call(viaA, 'student:join', { v: PROTOCOL_VERSION, code: session.code, nickname: 'bob' }),
    );
    expect(await nodeOf(a)).toBe(await owner(session.code));
    const bobBack = new Promise<JoinResult>((resolve, reject) => {
      viaA.on('connect', () => {
        void call(viaA, 'student:join', { v: PROTOCOL_VERSION, code: session.code, token: bob.token }).then(
          (r) => (r.ok ? resolve(r.data) : reject(new Error(`bob's rejoin: ${r.error.code} ${r.error.message}`))),
          reject,
        );
      });
    });
    expect(ann.role).toBe('student');
    expect(bob.role).toBe('student');

    const annFrames = frames(viaC);
    const hostFrames = frames(host);
    const hostDeltas: Delta[] = [];
    host.on('state:delta', (d) => hostDeltas.push(d));
    ok(await call(host, 'session:start', {}));
    await until('frames on every process', () => annFrames.length >= 3 && hostFrames.length >= 3);

    // Commands from both sides, each acknowledged once it is durable in the recording.
    const acked: { by: string; tick: number; value: number }[] = [];
    let adj = 0;
    const send = async (cl: Client, by: string) => {
      const value = (adj += 10);
      const r = await call(cl, 'pod:command', { command: { type: 'set_oom_score_adj', value } });
      if (r.ok) acked.push({ by, tick: r.data.tick, value });
      return r;
    };
    ok(await send(viaC, ann.participantId));
    ok(await send(viaA, bob.participantId));
    ok(await send(viaC, ann.participantId));
    // The host is on another process than the room: its deltas come the cluster's way, and carry the pods' changes
    // as a student's patches do (protocol 4): the last value ann acknowledged reaches it under the short key.
    // Ann's pod came to the host in full, in the delta of the tick that made it.
    const annPod = hostDeltas.flatMap((d) => Object.values(d.pods ?? {})).find((p) => p.slot === ann.slot)?.name;
    expect(annPod).toBeTruthy();
    await until('the host on another process to see ann’s last command', () =>
      hostDeltas.some((d) => d.p?.[annPod!]?.[POD_KEYS.adjOverride] === 30),
    );
    const recording = hostJoin.snapshot.session.recordingId!;
    expect(recording).toBeTruthy();

    // kill -9 of the owner: its lease runs out, another process resumes the room from the shared recording.
    const aNode = await nodeOf(a);
    const killedAt = performance.now();
    await a.kill9();
    const newOwner = await until('another process to own the room', async () => {
      const o = await owner(session.code);
      return o && o !== aNode ? o : null;
    });
    expect([await nodeOf(b), await nodeOf(c)]).toContain(newOwner);
    // Connections on the live processes are re-attached by themselves: the host and ann see frames again.
    const seen = annFrames.length;
    if (process.env.CLUSTER_TEST_LOGS)
      console.log('pids a b c', a.proc.pid, b.proc.pid, c.proc.pid, 'new owner', newOwner);
    await until('frames again after the takeover', () => annFrames.length > seen + 2);
    const failoverMs = Math.round(performance.now() - killedAt);
    console.log(
      `cluster failover: kill -9 → room running elsewhere, frames flowing: ${failoverMs} ms (lease ${LEASE_MS} ms)`,
    );
    expect(failoverMs).toBeLessThan(10_000);

    // bob's process died with him: his client reconnected by itself and got his pod back with his token, with the
    // command he had acknowledged before the kill applied.
    const back = await bobBack;
    expect(back.slot).toBe(bob.slot);
    expect(back.rejoined).toBe(true);
    const adjOf = (j: JoinResult, slot: string | null) =>
      Object.values(j.snapshot.pods).find((p) => p.slot === slot)?.adjOverride;
    expect(adjOf(back, bob.slot)).toBe(20);
    const bobFrames = frames(viaA);
    await until('frames for bob after his reconnection', () => bobFrames.length >= 2);
    const bobAgain = viaA;
    // The host key still opens the room, and commands flow again.
    const host2 = await open(c);
    const hostAgain = ok(
      await call(host2, 'host:attach', { v: PROTOCOL_VERSION, code: session.code, hostKey: session.hostKey }),
    );
    // Every command acknowledged before the kill is applied in the room that runs on (ann's 10 then 30, bob's 20).
    expect(adjOf(hostAgain, ann.slot)).toBe(30);
    expect(adjOf(hostAgain, bob.slot)).toBe(20);
    ok(await send(viaC, ann.participantId));
    ok(await send(bobAgain, bob.participantId));

    // Nobody can resume it by hand elsewhere while it runs (the file has one writer).
    const other = newOwner === (await nodeOf(b)) ? c : b;
    const resume = await fetch(`${other.url}/api/recordings/${recording}/resume`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hostKey: session.hostKey }),
    });
    expect(resume.status).toBe(409);
    expect(((await resume.json()) as { error: { code: string } }).error.code).toBe('RECORDING_LIVE');

    // Every acknowledged command is in the recording (the dead owner's and the new one's).
    // Flushes it where it is live (the recording is its owner's: a session made without a teacher key, its host key's).
    await fetch(`${b.url}/api/recordings/${recording}`, { headers: { authorization: `Bearer ${session.hostKey}` } });
    const lines = readFileSync(join(dataDir, 'recordings', `${recording}.ndjson`), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { k: string; t?: number; by?: string; cmd?: { type?: string; value?: number } });
    const kept = new Set(
      lines.filter((l) => l.k === 'c' && l.cmd?.type === 'set_oom_score_adj').map((l) => `${l.by}@${l.t}=${l.cmd?.value}`),
    );
    expect(acked.length).toBe(5);
    for (const a of acked) expect(kept).toContain(`${a.by}@${a.tick}=${a.value}`);
    // The takeover is in the file too: the resume marker, and the clock running on.
    expect(lines.some((l) => l.k === 'r')).toBe(true);
  });

  it('recovers from a Redis restart mid-session', async () => {
    const live = procs.filter((p) => p.proc.exitCode === null && p.proc.signalCode === null);
    const [b, c] = live as [ServerProcess, ServerProcess];
    const session = await create(b);
    const student = await open(c);
    const dee = ok(
      await call(student, 'student:join', { v: PROTOCOL_VERSION, code: session.code, nickname: 'dee' }),
    );
    const host = await open(b);
    ok(
      await call(host, 'host:attach', { v: PROTOCOL_VERSION, code: session.code, hostKey: session.hostKey }),
    );
    const seen = frames(student);
    ok(await call(host, 'session:start', {}));
    await until('frames through the adapter', () => seen.length >= 2);

    await redis.restart(); // a new, empty Redis on the same port
    // The owner writes its lease and record again; cross-process frames and commands come back.
    await until('the owner to renew its lease in the new Redis', () => owner(session.code));
    expect(await owner(session.code)).toBe(await nodeOf(b));
    const after = seen.length;
    await until('frames again after the restart', () => seen.length > after + 2);
    const r = await until('a command through the other process', async () => {
      const x = await call(student, 'pod:command', {
        command: { type: 'set_oom_score_adj', value: 5 },
      }).catch(() => null);
      return x?.ok ? x : null;
    });
    expect(r.ok).toBe(true);
    expect(dee.role).toBe('student');
    // New rooms still get cluster-wide codes.
    const again = await create(c);
    expect(await owner(again.code)).toBe(await nodeOf(c));
  });

  it('a kill -9 right after a new round began moves the room with that round and its recording', async () => {
    const live = procs.filter((p) => p.proc.exitCode === null && p.proc.signalCode === null);
    const [b, c] = live as [ServerProcess, ServerProcess];
    const session = await create(b);
    // The teacher and a student are on c; the room runs on b.
    const host = await open(c);
    const attached = ok(
      await call(host, 'host:attach', { v: PROTOCOL_VERSION, code: session.code, hostKey: session.hostKey }),
    );
    const student = await open(c);
    ok(await call(student, 'student:join', { v: PROTOCOL_VERSION, code: session.code, nickname: 'eve' }));
    const snapshots: Snapshot[] = [];
    host.on('state:snapshot', (snap) => snapshots.push(snap));
    const seen = frames(student);
    ok(await call(host, 'session:start', {}));
    await until('frames of round 1', () => seen.length >= 2);
    ok(await call(host, 'round:end', {}));
    // Round 2 is a fresh simulation with its own recording; round 1's recording has ended.
    expect(ok(await call(host, 'round:start', {})).roundNo).toBe(2);
    const bNode = await nodeOf(b);
    await b.kill9();

    // Another process takes the room over from round 2's recording (round 1's cannot be resumed) and it runs on.
    await until('the room running on another process', async () => {
      const o = await owner(session.code);
      return o !== null && o !== bNode;
    });
    const moved = await until('a snapshot from the new owner', () =>
      snapshots.find((snap) => snap.game?.roundNo === 2),
    );
    const round1 = attached.snapshot.session.recordingId;
    expect(moved.session.recordingId).toBeTruthy();
    expect(moved.session.recordingId).not.toBe(round1);
    expect(moved.session.status).toBe('running');
    const after = seen.length;
    await until('frames of round 2 after the takeover', () => seen.length > after + 2);
    const lines = readFileSync(join(dataDir, 'recordings', `${moved.session.recordingId}.ndjson`), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { k: string });
    expect(lines.some((l) => l.k === 'r')).toBe(true);
  });
});
