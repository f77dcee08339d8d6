/**
 * `npm run bench:server`: the real-time server under classroom load, with the load generated in separate
 * processes on loopback. Prints server CPU per 1,000 client messages, command→broadcast latency, bytes per client
 * per second, tick lateness, event-loop delay and RSS per client, for 20 sessions × 50 students and for 300
 * clients in one session. A run whose generators are CPU-saturated is marked INVALID (it measured the generator).
 *
 * Options: --measure <s> (default 20) --warmup <s> (5) --generators <n> (2) --only fleet|big (20 × 50, or 300 in one)
 *
 * `--workers N` instead compares the capacity of N server processes on Redis with one process (clusterCapacity.ts;
 * --step <rooms> (5), --max-rooms <n> (60)).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { io } from 'socket.io-client';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import type { CreateSessionResponse } from '../../shared/protocol/schemas.ts';
import { compareCapacity } from './clusterCapacity.ts';

const { values } = parseArgs({
  options: {
    measure: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    generators: { type: 'string', default: '2' },
    only: { type: 'string' },
    workers: { type: 'string' },
    step: { type: 'string', default: '5' },
    'max-rooms': { type: 'string', default: '60' },
  },
});
const MEASURE_S = Number(values.measure);
const WARMUP_S = Number(values.warmup);
const WORKERS = Number(values.generators);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Metrics {
  messages: number;
  handlerMicros: number;
  cpuUserMicros: number;
  cpuSystemMicros: number;
  rssBytes: number;
  heapUsedBytes: number;
  tickLatenessP99Ms: number;
  eventLoopDelayP99Ms: number;
  connections: number;
}
interface Report {
  clients: number;
  wallMs: number;
  cpuMicros: number;
  bytes: number;
  frames: number;
  resyncs: number;
  commands: number;
  latencies: number[];
  errors: number;
  errorCodes: Record<string, number>;
}

async function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', METRICS: '1', MAX_CONNECTIONS_PER_IP: '5000', MAX_SESSIONS: '200', CREATE_SESSIONS_PER_MINUTE: '10000', DATA_DIR: dataDir, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('server did not start')), 20_000);
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /Students open: (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    });
  });
  return { child, url };
}

const metrics = async (url: string, gc = false) => (await (await fetch(`${url}/api/metrics${gc ? '?gc=1' : ''}`)).json()) as Metrics;

async function createAndStart(url: string): Promise<string> {
  const res = (await (await fetch(`${url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as CreateSessionResponse;
  const host = io(url, { transports: ['websocket'], reconnection: false });
  await new Promise<void>((r) => host.once('connect', () => r()));
  await host.emitWithAck('host:attach', { v: PROTOCOL_VERSION, code: res.code, hostKey: res.hostKey });
  await host.emitWithAck('session:start', {});
  host.disconnect(); // the room keeps running without its host; the 50 students are the measured clients
  return res.code;
}

function pct(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
}

async function run(label: string, sessions: number, perSession: number): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'oom-bench-'));
  const { child, url } = await startServer(dataDir);
  try {
    const base = await metrics(url, true);
    const codes: string[] = [];
    for (let i = 0; i < sessions; i++) codes.push(await createAndStart(url));
    // Spread each session's students across the workers.
    const assignments = Array.from({ length: WORKERS }, () => ({ url, rooms: [] as { code: string; count: number }[], pauseSec: [3, 10] as [number, number] }));
    for (const code of codes) {
      for (let w = 0; w < WORKERS; w++) {
        const count = Math.floor(perSession / WORKERS) + (w < perSession % WORKERS ? 1 : 0);
        if (count) assignments[w]!.rooms.push({ code, count });
      }
    }
    const workers = assignments.map((a) => fork(join(import.meta.dirname, 'serverLoadWorker.ts'), [JSON.stringify(a)], { execArgv: ['--import', 'tsx'], stdio: 'inherit' }));
    const next = (w: ChildProcess, type: string) => new Promise<Record<string, unknown>>((r) => w.once('message', (m: Record<string, unknown>) => m.type === type && r(m)));
    const ready = await Promise.all(workers.map((w) => next(w, 'ready')));
    const joined = ready.reduce((a, r) => a + (r.joined as number), 0);
    await sleep(WARMUP_S * 1000);

    await fetch(`${url}/api/metrics/reset`, { method: 'POST' });
    const m0 = await metrics(url);
    const t0 = performance.now();
    for (const w of workers) w.send({ type: 'measure' });
    await sleep(MEASURE_S * 1000);
    const reportsP = Promise.all(workers.map((w) => next(w, 'report')));
    for (const w of workers) w.send({ type: 'report' });
    const m1 = await metrics(url);
    const wallS = (performance.now() - t0) / 1000;
    const reports = (await reportsP) as unknown as Report[];
    const mem = await metrics(url, true);
    for (const w of workers) w.send({ type: 'stop' });

    const cpuMs = (m1.cpuUserMicros + m1.cpuSystemMicros - m0.cpuUserMicros - m0.cpuSystemMicros) / 1000;
    const clients = reports.reduce((a, r) => a + r.clients, 0);
    const lat = reports.flatMap((r) => r.latencies).sort((a, b) => a - b);
    const bytes = reports.reduce((a, r) => a + r.bytes, 0);
    const genBusy = reports.map((r) => r.cpuMicros / 1000 / r.wallMs);
    const saturated = genBusy.some((b) => b > 0.9);
    const f = (n: number, d = 1) => n.toFixed(d);
    process.stdout.write(
      [
        `\n## ${label}: ${sessions} session(s) × ${perSession} clients (${joined} joined, ${m1.connections} sockets)${saturated ? '  — INVALID: a generator was CPU-saturated' : ''}`,
        `server CPU                 ${f((cpuMs / (wallS * 1000)) * 100)} % of one core`,
        `client messages            ${m1.messages} in ${f(wallS)} s → ${f(cpuMs / Math.max(1, m1.messages / 1000))} ms server CPU per 1,000 messages (all work, ticks included); ${f(m1.handlerMicros / 1000 / Math.max(1, m1.messages / 1000))} ms in the checkpoint and handlers`,
        `command→broadcast          p50 ${f(pct(lat, 50))} ms, p99 ${f(pct(lat, 99))} ms (${lat.length} commands)`,
        `bytes per client           ${f(bytes / clients / wallS / 1024, 2)} KB/s (${f(reports.reduce((a, r) => a + r.frames, 0) / clients / wallS)} frames/s, ${reports.reduce((a, r) => a + r.resyncs, 0)} resyncs)`,
        `tick lateness p99          ${f(m1.tickLatenessP99Ms)} ms`,
        `event-loop delay p99       ${f(m1.eventLoopDelayP99Ms)} ms`,
        `memory                     RSS ${f(mem.rssBytes / 2 ** 20)} MiB → ${f((mem.rssBytes - base.rssBytes) / clients / 1024)} KB per client over the idle server; live heap after GC ${f(mem.heapUsedBytes / 2 ** 20)} MiB → ${f((mem.heapUsedBytes - base.heapUsedBytes) / clients / 1024)} KB per client`,
        `machine load average       ${loadavg()[0]!.toFixed(2)} (1 min) at the end${loadavg()[0]! > 2.5 ? ' — other processes were busy: figures are pessimistic' : ''}`,
        `generators                 ${genBusy.map((b) => `${f(b * 100, 0)} %`).join(', ')} of a core; errors ${reports.reduce((a, r) => a + r.errors, 0)} ${JSON.stringify(reports.map((r) => r.errorCodes))}`,
      ].join('\n') + '\n',
    );
    await sleep(500);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (values.workers !== undefined) {
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 16) throw new Error('--workers takes a number of server processes from 1 to 16');
  process.stdout.write(`# cluster capacity benchmark — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, loopback\n`);
  await compareCapacity({ workers, step: Number(values.step), maxRooms: Number(values['max-rooms']), perRoom: 50, warmupS: Math.min(WARMUP_S, 4), measureS: Math.min(MEASURE_S, 10), p99LimitMs: 150, minFramesPerSec: 9.5 });
  process.exit(0);
}
process.stdout.write(`# server load benchmark — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, loopback, ${WORKERS} generator processes, measure ${MEASURE_S} s after ${WARMUP_S} s warm-up\n`);
if (values.only !== undefined && values.only !== 'fleet' && values.only !== 'big') throw new Error('--only takes fleet or big');
if (values.only !== 'big') await run('classroom fleet', 20, 50);
if (values.only !== 'fleet') await run('one big class', 1, 300);
process.exit(0);
