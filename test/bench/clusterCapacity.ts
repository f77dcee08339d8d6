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

/** Load one configuration step by step until a step fails; returns every step measured. */
async function ramp(label: string, workers: number, o: CapacityOptions): Promise<StepResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'oom-capacity-'));
  const { child, url } = await startServer(workers, dataDir);
  const generators: ChildProcess[] = [];
  const steps: StepResult[] = [];
  try {
    for (let rooms = o.step; rooms <= o.maxRooms; rooms += o.step) {
      // One more generator process per step, with this step's new rooms.
      const codes: string[] = [];
      for (let i = 0; i < o.step; i++) codes.push(await createAndStart(url));
      const g = fork(
        join(import.meta.dirname, 'serverLoadWorker.ts'),
        [
          JSON.stringify({
            url,
            rooms: codes.map((code) => ({ code, count: o.perRoom })),
            pauseSec: [3, 10],
          }),
        ],
        { execArgv: ['--import', 'tsx'], stdio: 'inherit' },
      );
      generators.push(g);
      await nextMessage(g, 'ready');
      await sleep(o.warmupS * 1000);
      for (const w of generators) w.send({ type: 'measure' });
      await sleep(o.measureS * 1000);
      const reportsP = Promise.all(generators.map((w) => nextMessage(w, 'report')));
      for (const w of generators) w.send({ type: 'report' });
      const reports = (await reportsP) as unknown as {
        clients: number;
        wallMs: number;
        cpuMicros: number;
        frames: number;
        latencies: number[];
        errors: number;
      }[];
      const clients = reports.reduce((a, r) => a + r.clients, 0);
      const lat = reports.flatMap((r) => r.latencies).sort((a, b) => a - b);
      const wallS = Math.max(...reports.map((r) => r.wallMs)) / 1000;
      const framesPerSec = reports.reduce((a, r) => a + r.frames, 0) / clients / wallS;
      const p99 = pct(lat, 99);
      const r: StepResult = {
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
      };
      steps.push(r);
      process.stdout.write(
        `${label.padEnd(22)} ${String(r.clients).padStart(5)} clients (${r.rooms} rooms): ${r.framesPerSec.toFixed(2)} frames/s, command→ack+frame p50 ${r.p50.toFixed(0)} ms p99 ${r.p99.toFixed(0)} ms (${lat.length} commands), errors ${r.errors}, busiest generator ${(r.generatorBusy * 100).toFixed(0)} %, load ${r.load.toFixed(1)} → ${r.held ? 'holds' : 'FAILS'}\n`,
      );
      if (!r.held) break;
    }
  } finally {
    for (const w of generators) w.send({ type: 'stop' });
    await sleep(500);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
  return steps;
}

/** The comparison: one process first, then the cluster, then capacities and their ratio. */
export async function compareCapacity(o: CapacityOptions): Promise<void> {
  process.stdout.write(
    `\n## capacity: 1 process vs ${o.workers} worker processes (launcher + redis-server), steps of ${o.step} rooms × ${o.perRoom} students at 10 Hz; a step holds at ≥ ${o.minFramesPerSec} frames/s and p99 ≤ ${o.p99LimitMs} ms; load average at start ${loadavg()[0]!.toFixed(2)}\n`,
  );
  const single = await ramp('1 process', 0, o);
  const cluster = await ramp(`${o.workers} workers + Redis`, o.workers, o);
  const capacity = (steps: StepResult[]) => Math.max(0, ...steps.filter((s) => s.held).map((s) => s.clients));
  const a = capacity(single);
  const b = capacity(cluster);
  const target = o.perRoom * 40;
  const at = cluster.find((s) => s.clients === target);
  process.stdout.write(
    [
      `capacity                   1 process ${a} clients; ${o.workers} workers ${b} clients${b >= o.maxRooms * o.perRoom ? ' (the most tried: at least this)' : ''}`,
      `ratio                      ${a ? (b / a).toFixed(2) : 'n/a'}× (target ≥ 1.7×)`,
      `target load (${target})     ${at ? `${at.framesPerSec.toFixed(2)} frames/s, p99 ${at.p99.toFixed(0)} ms → ${at.held ? 'holds' : 'fails'}` : 'not reached'}`,
      `machine load average       ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' / ')} (1/5/15 min) at the end — generators share the same cores as the servers`,
    ].join('\n') + '\n',
  );
}
