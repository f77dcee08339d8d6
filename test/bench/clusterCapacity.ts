/**
 * `npm run bench:server -- --workers N`: capacity of N server processes behind `npm run cluster`'s launcher (on its
 * own redis-server) against one plain process, measured in the same run. Each configuration is loaded in steps of
 * `--step` rooms × 50 students (the same bot students as the rest of the benchmark, commands every 3–10 s); a step
 * holds when every client gets ≥ 9.5 frames/s (10 Hz) and the p99 of command → ack + reflecting frame is ≤ 150 ms.
 * Capacity is the largest load that held; the ratio compares the two. Prints the load average: on a shared
 * machine the ratio is the figure to quote, not the absolute counts.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import type { CreateSessionResponse } from '../../shared/protocol/schemas.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';

export interface CapacityOptions {
  workers: number;
  /** Rooms added per step, and the most rooms tried. */
  step: number;
  maxRooms: number;
  perRoom: number;
  warmupS: number;
  measureS: number;
  p99LimitMs: number;
  minFramesPerSec: number;
}

interface StepResult {
  rooms: number;
  clients: number;
  joined: number;
  p99: number;
  p50: number;
  framesPerSec: number;
  errors: number;
  generatorBusy: number;
  load: number;
  held: boolean;
  /** Bytes the clients received per frame (all messages included): the baseline sends frames of this size. */
  bytesPerFrame: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** One plain process (`npm start`), or the launcher with `workers` processes on its own redis-server. */
async function startServer(workers: number, dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const entry =
    workers > 0 ? ['server/cluster/launcher.ts', '--workers', String(workers)] : ['server/main.ts'];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    MAX_CONNECTIONS_PER_IP: '100000',
    MAX_SESSIONS: '500',
    CREATE_SESSIONS_PER_MINUTE: '100000',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'error',
  };
  delete env.REDIS_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', ...entry], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 120_000);
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (/Students open:/.test(out)) {
        clearTimeout(t);
        resolve();
      }
    });
  });
  child.stdout!.resume();
  return { child, url: `http://127.0.0.1:${port}` };
}

async function createAndStart(url: string): Promise<string> {
  const res = (await (
    await fetch(`${url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
  ).json()) as CreateSessionResponse;
  const host = io(url, { transports: ['websocket'], reconnection: false, query: { room: res.code } });
  await new Promise<void>((r) => host.once('connect', () => r()));
  await host.emitWithAck('host:attach', { v: PROTOCOL_VERSION, code: res.code, hostKey: res.hostKey });
  await host.emitWithAck('session:start', {});
  host.disconnect();
  return res.code;
}

type Msg = Record<string, unknown>;
const nextMessage = (w: ChildProcess, type: string) =>
  new Promise<Msg>((r) =>
    w.once('message', function on(m: Msg) {
      if (m.type === type) r(m);
      else w.once('message', on);
    }),
  );

/** What a ramp loads: the real server (one process or a cluster) or the bare socket.io baseline. */
interface Target {
  url: string;
  /** Rooms for the next step, ready for clients. */
  newRooms(n: number): Promise<string[]>;
  /** The load generator's script and its assignment for those rooms. */
  generator: string;
  assignment(codes: string[], perRoom: number): unknown;
  stop(): Promise<void>;
}

/** The real server: one process (`workers` 0) or the launcher with `workers` processes on its own redis-server. */
async function realServer(workers: number): Promise<Target> {
  const dataDir = mkdtempSync(join(tmpdir(), 'oom-capacity-'));
  const { child, url } = await startServer(workers, dataDir);
  return {
    url,
    newRooms: async (n) => {
      const codes: string[] = [];
      for (let i = 0; i < n; i++) codes.push(await createAndStart(url));
      return codes;
    },
    generator: 'serverLoadWorker.ts',
    assignment: (codes, perRoom) => ({ url, rooms: codes.map((code) => ({ code, count: perRoom })), pauseSec: [3, 10] }),
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The bare socket.io 4.8 baseline (baselineServer.ts): one broadcast per room per tick of frames the size the real
 * server's students received, an ack per command; every client sends commands as the bot students do.
 */
async function bareSocketIo(frameBytes: number): Promise<Target> {
  const child = fork(join(import.meta.dirname, 'baselineServer.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, FRAME_BYTES: String(frameBytes) },
    stdio: 'inherit',
  });
  const { port } = (await nextMessage(child, 'listening')) as { port: number };
  const url = `http://127.0.0.1:${port}`;
  let made = 0;
  return {
    url,
    newRooms: async (n) => Array.from({ length: n }, () => `room${made++}`),
    generator: 'baselineWorker.ts',
    assignment: (codes, perRoom) => ({
      url,
      rooms: codes.map((code) => ({ code, count: perRoom, actors: perRoom })),
      pauseSec: [3, 10],
    }),
    stop: async () => {
      child.send({ type: 'stop' });
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** One measuring window over every generator of the ramp so far. */
async function measureStep(generators: ChildProcess[], rooms: number, o: CapacityOptions): Promise<StepResult & { commands: number }> {
  for (const w of generators) w.send({ type: 'measure' });
  await sleep(o.measureS * 1000);
  const reportsP = Promise.all(generators.map((w) => nextMessage(w, 'report')));
  for (const w of generators) w.send({ type: 'report' });
  const reports = (await reportsP) as unknown as {
    clients: number;
    wallMs: number;
    cpuMicros: number;
    frames: number;
    bytes: number;
    latencies: number[];
    errors: number;
  }[];
  const clients = reports.reduce((a, r) => a + r.clients, 0);
  const lat = reports.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const wallS = Math.max(...reports.map((r) => r.wallMs)) / 1000;
  const framesPerSec = reports.reduce((a, r) => a + r.frames, 0) / clients / wallS;
  const p99 = pct(lat, 99);
  return {
    rooms,
    clients: rooms * o.perRoom,
    joined: clients,
    p99,
    p50: pct(lat, 50),
    framesPerSec,
    errors: reports.reduce((a, x) => a + x.errors, 0),
    generatorBusy: Math.max(...reports.map((x) => x.cpuMicros / 1000 / x.wallMs)),
    load: loadavg()[0]!,
    held: p99 <= o.p99LimitMs && framesPerSec >= o.minFramesPerSec,
    bytesPerFrame: reports.reduce((a, x) => a + x.bytes, 0) / Math.max(1, reports.reduce((a, x) => a + x.frames, 0)),
    commands: lat.length,
  };
}

function print(label: string, r: StepResult & { commands: number }): void {
  process.stdout.write(
    `${label.padEnd(30)} ${String(r.clients).padStart(5)} clients (${r.rooms} rooms): ${r.framesPerSec.toFixed(2)} frames/s, command→ack+frame p50 ${r.p50.toFixed(0)} ms p99 ${r.p99.toFixed(0)} ms (${r.commands} commands), errors ${r.errors}, busiest generator ${(r.generatorBusy * 100).toFixed(0)} %, load ${r.load.toFixed(1)} → ${r.held ? 'holds' : 'FAILS'}\n`,
  );
}

/** Load one configuration step by step until a step fails; returns every step measured. */
async function ramp(label: string, target: Target, o: CapacityOptions): Promise<StepResult[]> {
  const generators: ChildProcess[] = [];
  const steps: StepResult[] = [];
  try {
    for (let rooms = o.step; rooms <= o.maxRooms; rooms += o.step) {
      // One more generator process per step, with this step's new rooms.
      const codes = await target.newRooms(o.step);
      const g = fork(
        join(import.meta.dirname, target.generator),
        [JSON.stringify(target.assignment(codes, o.perRoom))],
        { execArgv: ['--import', 'tsx'], stdio: 'inherit' },
      );
      generators.push(g);
      await nextMessage(g, 'ready');
      await sleep(o.warmupS * 1000);
      // A shared machine has bursts from its neighbours: a step that fails is measured once more, and fails only
      // if that window fails too (both are printed; every configuration gets the same second chance).
      let r = await measureStep(generators, rooms, o);
      print(label, r);
      if (!r.held) {
        r = await measureStep(generators, rooms, o);
        print(`${label} (again)`, r);
      }
      steps.push(r);
      if (!r.held) break;
    }
  } finally {
    for (const w of generators) w.send({ type: 'stop' });
    await sleep(500);
    await target.stop();
  }
  return steps;
}

/** The comparison: one process first, then the cluster, then capacities and their ratio. */
export async function compareCapacity(o: CapacityOptions): Promise<void> {
  process.stdout.write(
    `\n## capacity: 1 process vs ${o.workers} worker processes (launcher + redis-server) vs a bare socket.io server, steps of ${o.step} rooms × ${o.perRoom} students at 10 Hz; a step holds at ≥ ${o.minFramesPerSec} frames/s and p99 ≤ ${o.p99LimitMs} ms; load average at start ${loadavg()[0]!.toFixed(2)}\n`,
  );
  const single = await ramp('1 process', await realServer(0), o);
  const cluster = await ramp(`${o.workers} workers + Redis`, await realServer(o.workers), o);
  // The same ramp on a bare socket.io server sending frames of the size the real one's clients received.
  const frameBytes = Math.round(single[0]?.bytesPerFrame ?? 100);
  const bare = await ramp('bare socket.io (1 proc)', await bareSocketIo(frameBytes), o);
  const capacity = (steps: StepResult[]) => Math.max(0, ...steps.filter((s) => s.held).map((s) => s.clients));
  const a = capacity(single);
  const b = capacity(cluster);
  const c = capacity(bare);
  const target = o.perRoom * 40;
  const at = cluster.find((s) => s.clients === target);
  process.stdout.write(
    [
      `capacity                   1 process ${a} clients; ${o.workers} workers ${b} clients${b >= o.maxRooms * o.perRoom ? ' (the most tried: at least this)' : ''}`,
      `ratio                      ${a ? (b / a).toFixed(2) : 'n/a'}× (target ≥ 1.7×)`,
      `bare socket.io baseline    ${c} clients in one process (frames of ${frameBytes} B, one broadcast per room per tick): one OOM Arena process holds ${c ? ((a / c) * 100).toFixed(0) : 'n/a'} % of it`,
      `target load (${target})     ${at ? `${at.framesPerSec.toFixed(2)} frames/s, p99 ${at.p99.toFixed(0)} ms → ${at.held ? 'holds' : 'fails'}` : 'not reached'}`,
      `machine load average       ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' / ')} (1/5/15 min) at the end — generators share the same cores as the servers`,
    ].join('\n') + '\n',
  );
}
