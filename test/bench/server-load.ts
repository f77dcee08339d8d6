/**
 * `npm run bench:server`: the real-time server under classroom load, with the load generated in separate
 * processes on loopback, and in the same run a bare socket.io 4.8 server (test/bench/baselineServer.ts) sending
 * frames of the same size to the same number of clients, one broadcast per room. Prints for both: server CPU per
 * delivered frame and their ratio, command → ack + reflecting frame (p50/p99), bytes per client per second, RSS per
 * client sampled across the measurement (to see it settle), and the load average. Cases: 20 sessions × 50 students,
 * and one session of 300 clients (50 students, 250 spectators). A run whose generators are CPU-saturated is marked
 * INVALID (it measured the generator).
 *
 * Options: --measure <s> (default 180: long enough to see memory settle) --baseline <s> (default 30) --warmup <s> (5)
 * --generators <n> (2) --only fleet|big --rounds <n> (1: each case runs both servers in turn n times and prints each
 * round's ratio and their median). For development: --measure 20. --command-pause <lo>,<hi> (3,10: seconds between a
 * student's commands, for both servers' generators) or `off` (no commands: what the rest of a room costs, and how much
 * of the difference the commands and their effects make). --keep-hosts: each session's host stays
 * attached (the room builds and sends the host's delta every tick, as in a class with its projector on); by default
 * the host leaves once the session runs, and the students are the measured clients either way.
 *
 * `--soak <minutes>` instead keeps the real server under the fleet's load (or --only big) that long, sampling every
 * 30 s its RSS, live heap and what connection-state recovery keeps, and prints the RSS per client after 3 minutes
 * and the growth from there to the end (memory that stays flat grows by ~0).
 *
 * `--together` runs the two servers at the same time instead of one after the other, each with its own generators,
 * and measures both over the same `--measure` seconds: the minutes of a shared machine that move one phase's figure
 * by a quarter against the other's move both alike. Both servers and four generators then share the cores, so each
 * figure (and the latency most of all) is higher than alone; the ratio is what to read. The bare server's frames are
 * `--frame-bytes <n>` (by default what the real clients received per frame, every message counted, in the runs of
 * 2026-12-02: 107 in the fleet, 73 in the big room), and the real server's own figure is printed beside it to check.
 *
 * `--workers N` instead compares the capacity of N server processes on Redis with one process (clusterCapacity.ts;
 * --step <rooms> (5), --max-rooms <n> (60)).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { io } from 'socket.io-client';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import { builtinScenario } from '../../shared/scenario/builtin.ts';
import type { CreateSessionResponse } from '../../shared/protocol/schemas.ts';
import { compareCapacity } from './clusterCapacity.ts';
import { settledIdle } from './idleRss.ts';
import { describePhase, pct, soakLine, soakSummary, type Phase, type Sample } from './serverLoadReport.ts';

const { values } = parseArgs({
  options: {
    measure: { type: 'string', default: '180' },
    baseline: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '5' },
    generators: { type: 'string', default: '2' },
    only: { type: 'string' },
    soak: { type: 'string' },
    workers: { type: 'string' },
    step: { type: 'string', default: '5' },
    'max-rooms': { type: 'string', default: '60' },
    'keep-hosts': { type: 'boolean', default: false },
    rounds: { type: 'string', default: '1' },
    'command-pause': { type: 'string', default: '3,10' },
    together: { type: 'boolean', default: false },
    'frame-bytes': { type: 'string' },
  },
});
/** Seconds between a student's commands (--command-pause): `off` waits longer than any run, so none are sent. */
const PAUSE_ARG = values['command-pause']!;
const COMMAND_PAUSE = (PAUSE_ARG === 'off' ? [1e6, 1e6] : PAUSE_ARG.split(',').map(Number)) as [number, number];
const PAUSE_OK = COMMAND_PAUSE.length === 2 && COMMAND_PAUSE[0] > 0 && COMMAND_PAUSE[1] >= COMMAND_PAUSE[0];
if (!PAUSE_OK) throw new Error('--command-pause takes <lo>,<hi> seconds (0 < lo ≤ hi) or off');
/** How many times each case runs both servers in turn (--rounds): the ratio of each round, then their median. */
const ROUNDS = Number(values.rounds);
if (!(Number.isInteger(ROUNDS) && ROUNDS >= 1 && ROUNDS <= 10)) throw new Error('--rounds takes a whole number from 1 to 10');
const KEEP_HOSTS = values['keep-hosts'] === true;
/** Both servers measured at the same time (--together), the bare one's frames `--frame-bytes` long. */
const TOGETHER = values.together === true;
const TOGETHER_FRAME_BYTES = values['frame-bytes'] === undefined ? undefined : Number(values['frame-bytes']);
if (TOGETHER_FRAME_BYTES !== undefined && !(Number.isInteger(TOGETHER_FRAME_BYTES) && TOGETHER_FRAME_BYTES >= 60 && TOGETHER_FRAME_BYTES <= 4096))
  throw new Error('--frame-bytes takes a whole number of bytes from 60 to 4096');
/** Hosts left attached (--keep-hosts), closed when their server's phase ends. */
const keptHosts: { disconnect(): unknown }[] = [];
const MEASURE_S = Number(values.measure);
const BASELINE_S = Number(values.baseline);
const WARMUP_S = Number(values.warmup);
const WORKERS = Number(values.generators);
const SOAK_MIN = values.soak === undefined ? 0 : Number(values.soak);
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
  recoveryPackets?: number;
  heapTotalBytes?: number;
  externalBytes?: number;
}
interface Report {
  clients: number;
  wallMs: number;
  cpuMicros: number;
  bytes: number;
  messages: number;
  frames: number;
  resyncs: number;
  commands: number;
  latencies: number[];
  errors: number;
  errorCodes: Record<string, number>;
}

async function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--expose-gc', ...serverNodeArgs(), '--import', 'tsx', 'server/main.ts'], {
    detached: false,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', METRICS: '1', MAX_CONNECTIONS_PER_IP: '5000', MAX_SESSIONS: '200', CREATE_SESSIONS_PER_MINUTE: '10000', DATA_DIR: dataDir, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('server did not start')), 20_000);
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (process.env.BENCH_SERVER_STDOUT) appendFileSync(process.env.BENCH_SERVER_STDOUT, b);
      const m = /Students open: (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    });
  });
  return { child, url };
}

/** The server's counters; retried, since a busy shared machine can delay a connection past fetch's 10 s. */
async function metrics(url: string, gc = false): Promise<Metrics> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await (await fetch(`${url}/api/metrics${gc ? '?gc=1' : ''}`)).json()) as Metrics;
    } catch (e) {
      if (attempt >= 5) throw e;
    }
  }
}

async function createAndStart(url: string): Promise<string> {
  const res = (await (await fetch(`${url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as CreateSessionResponse;
  const host = io(url, { transports: ['websocket'], reconnection: false });
  await new Promise<void>((r) => host.once('connect', () => r()));
  await host.emitWithAck('host:attach', { v: PROTOCOL_VERSION, code: res.code, hostKey: res.hostKey });
  await host.emitWithAck('session:start', {});
  // The room keeps running without its host; the 50 students are the measured clients either way.
  if (KEEP_HOSTS) keptHosts.push(host);
  else host.disconnect();
  return res.code;
}

/** `actors`: how many of a room's clients send commands (students with a pod; spectators only watch). */
type Assignment = { url: string; rooms: { code: string; count: number; actors: number }[]; pauseSec: [number, number] };
const clientsOf = (assignments: Assignment[]) => assignments.reduce((a, w) => a + w.rooms.reduce((b, r) => b + r.count, 0), 0);

/** The classroom scenario's pod slots: beyond them, clients join as spectators. */
const POD_SLOTS = 50;

function assign(url: string, codes: string[], perSession: number): Assignment[] {
  // Spread each session's clients (and its acting students) across the workers.
  const out = Array.from({ length: WORKERS }, () => ({ url, rooms: [] as Assignment['rooms'], pauseSec: COMMAND_PAUSE }));
  const share = (n: number, w: number) => Math.floor(n / WORKERS) + (w < n % WORKERS ? 1 : 0);
  for (const code of codes) {
    for (let w = 0; w < WORKERS; w++) {
      const count = share(perSession, w);
      if (count) out[w]!.rooms.push({ code, count, actors: share(Math.min(perSession, POD_SLOTS), w) });
    }
  }
  return out;
}

const nextMsg = (w: ChildProcess, type: string) => new Promise<Record<string, unknown>>((r) => w.once('message', (m: Record<string, unknown>) => m.type === type && r(m)));

/** Warm up, then measure `seconds` with the workers, sampling server CPU and RSS through `probe`. */
async function measure(
  workerScript: string,
  assignments: Assignment[],
  seconds: number,
  probe: () => Promise<Sample>,
  idleRss: number,
  sampleEveryS = Math.max(5, Math.min(30, seconds / 6)),
  gate: () => Promise<void> = async () => {},
): Promise<Omit<Phase, 'extra'> & { workers: ChildProcess[] }> {
  const workers = assignments.map((a) => fork(join(import.meta.dirname, workerScript), [JSON.stringify(a)], { execArgv: ['--import', 'tsx'], stdio: 'inherit' }));
  // Whatever happens, the generators do not outlive the benchmark.
  process.once('exit', () => {
    for (const w of workers) if (w.exitCode === null) w.kill();
  });
  await Promise.all(workers.map((w) => nextMsg(w, 'ready')));
  await sleep(WARMUP_S * 1000);
  await gate(); // --together: both servers start measuring at the same moment
  const load0 = loadavg()[0]!;
  const p0 = await probe();
  const t0 = performance.now();
  for (const w of workers) w.send({ type: 'measure' });
  const samples: Phase['samples'] = [];
  for (let left = seconds; left > 0; left -= sampleEveryS) {
    await sleep(Math.min(left, sampleEveryS) * 1000);
    samples.push({ ...(await probe()), atS: (performance.now() - t0) / 1000 });
    if (SOAK_MIN) process.stdout.write(`  ${soakLine(samples.at(-1)!, idleRss, clientsOf(assignments))}\n`);
  }
  const reportsP = Promise.all(workers.map((w) => nextMsg(w, 'report')));
  for (const w of workers) w.send({ type: 'report' });
  const p1 = await probe();
  const wallS = (performance.now() - t0) / 1000;
  const reports = (await reportsP) as unknown as Report[];
  const clients = reports.reduce((a, r) => a + r.clients, 0);
  return {
    workers,
    clients,
    wallS,
    cpuMs: (p1.cpuMicros - p0.cpuMicros) / 1000,
    frames: reports.reduce((a, r) => a + r.frames, 0),
    bytes: reports.reduce((a, r) => a + r.bytes, 0),
    messages: reports.reduce((a, r) => a + r.messages, 0),
    lat: reports.flatMap((r) => r.latencies).sort((a, b) => a - b),
    resyncs: reports.reduce((a, r) => a + r.resyncs, 0),
    errors: reports.reduce((a, r) => a + r.errors, 0),
    genBusy: reports.map((r) => r.cpuMicros / 1000 / r.wallMs),
    rssPerClientKb: samples.map((x) => (x.rssBytes - idleRss) / clients / 1024),
    samples,
    rssMiB: p1.rssBytes / 2 ** 20,
    load: [load0, loadavg()[0]!],
  };
}

async function realServer(sessions: number, perSession: number, gate?: () => Promise<void>): Promise<Phase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'oom-bench-'));
  const { child, url } = await startServer(dataDir);
  try {
    const base = await settledIdle(() => metrics(url, true));
    const codes: string[] = [];
    for (let i = 0; i < sessions; i++) codes.push(await createAndStart(url));
    const probe = async (): Promise<Sample> => {
      // A forced collection stops the loop for a whole-heap GC: only the soak, which reports the live heap, pays it;
      // the latency runs would otherwise measure six stalls of their own making.
      const m = await metrics(url, SOAK_MIN > 0);
      return { cpuMicros: m.cpuUserMicros + m.cpuSystemMicros, rssBytes: m.rssBytes, heapBytes: m.heapUsedBytes, heapTotalBytes: m.heapTotalBytes, externalBytes: m.externalBytes, recoveryPackets: m.recoveryPackets };
    };
    await fetch(`${url}/api/metrics/reset`, { method: 'POST' });
    const seconds = SOAK_MIN ? SOAK_MIN * 60 : MEASURE_S;
    const r = await measure('serverLoadWorker.ts', assign(url, codes, perSession), seconds, probe, base.rssBytes, SOAK_MIN ? 30 : undefined, gate);
    const m1 = await metrics(url);
    for (const w of r.workers) w.send({ type: 'stop' });
    await sleep(500);
    const health = `tick lateness p99 ${m1.tickLatenessP99Ms.toFixed(1)} ms, event-loop delay p99 ${m1.eventLoopDelayP99Ms.toFixed(1)} ms, ${m1.connections} sockets, ${r.resyncs} resyncs; idle server RSS ${(base.rssBytes / 2 ** 20).toFixed(0)} MiB`;
    if (SOAK_MIN) return { ...r, extra: [health, ...soakSummary(r.samples, base.rssBytes, base.heapUsedBytes, r.clients)] };
    return { ...r, extra: [health] };
  } finally {
    for (const h of keptHosts.splice(0)) h.disconnect();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function baselineServer(sessions: number, perSession: number, frameBytes: number, gate?: () => Promise<void>): Promise<Phase> {
  const child = fork(join(import.meta.dirname, 'baselineServer.ts'), [], {
    execArgv: [...serverNodeArgs(), '--import', 'tsx'],
    env: { ...process.env, FRAME_BYTES: String(frameBytes) },
    stdio: 'inherit',
  });
  try {
    const { port } = (await nextMsg(child, 'listening')) as { port: number };
    const url = `http://127.0.0.1:${port}`;
    const probe = async () => {
      const p = nextMsg(child, 'metrics');
      child.send({ type: 'metrics' });
      return (await p) as unknown as { cpuMicros: number; rssBytes: number };
    };
    const idle = await settledIdle(probe);
    const codes = Array.from({ length: sessions }, (_, i) => `room${i}`);
    const seconds = TOGETHER ? MEASURE_S : BASELINE_S; // together: over the real server's very seconds
    const r = await measure('baselineWorker.ts', assign(url, codes, perSession), seconds, probe, idle.rssBytes, undefined, gate);
    for (const w of r.workers) w.send({ type: 'stop' });
    await sleep(500);
    return { ...r, extra: [`frames of ${frameBytes} B on the wire, one volatile broadcast per room per tick; idle server RSS ${(idle.rssBytes / 2 ** 20).toFixed(0)} MiB`] };
  } finally {
    child.send({ type: 'stop' });
    await new Promise((r) => child.once('exit', r));
  }
}

/** A meeting point for `parties` callers: each call resolves once all of them have called. */
function barrier(parties: number): () => Promise<void> {
  let arrived = 0;
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return () => {
    if (++arrived === parties) open();
    return opened;
  };
}

/**
 * One case: the real server, then the bare one, `ROUNDS` times in turn. The bare server's own cost moves by a tenth
 * and more between two runs minutes apart on this shared machine, so each round's ratio is printed, and their median.
 */
async function run(label: string, sessions: number, perSession: number, usualFrameBytes: number): Promise<void> {
  const perFrame = (p: Phase) => (p.cpuMs * 1000) / Math.max(1, p.frames);
  const ratios: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    let real: Phase;
    let base: Phase;
    if (TOGETHER) {
      const gate = barrier(2);
      const frameBytes = TOGETHER_FRAME_BYTES ?? usualFrameBytes;
      [real, base] = await Promise.all([realServer(sessions, perSession, gate), baselineServer(sessions, perSession, frameBytes, gate)]);
    } else {
      real = await realServer(sessions, perSession);
      // Frames of the size the real server's clients received (every message of theirs counted in), to as many clients.
      const frameBytes = Math.max(60, Math.round(real.bytes / Math.max(1, real.frames)));
      base = await baselineServer(sessions, perSession, frameBytes);
    }
    ratios.push(perFrame(real) / perFrame(base));
    process.stdout.write(
      [
        `\n## ${label}: ${sessions} session(s) × ${perSession} clients${ROUNDS > 1 ? `, round ${round} of ${ROUNDS}` : ''}${TOGETHER ? ', both servers at the same time' : ''}`,
        ...describePhase('OOM Arena', real),
        ...describePhase(`bare socket.io 4.8, one broadcast per room (${TOGETHER ? 'at the same time' : 'same run'})`, base),
        `ratio: CPU per delivered frame ${ratios.at(-1)!.toFixed(2)}× the baseline` +
          (real.lat.length && base.lat.length ? `; p99 ${(pct(real.lat, 99) / pct(base.lat, 99)).toFixed(2)}×` : ''),
      ].join('\n') + '\n',
    );
  }
  if (ROUNDS > 1) {
    const sorted = [...ratios].sort((a, b) => a - b);
    const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
    process.stdout.write(`\n${label}: CPU per delivered frame by round ${ratios.map((r) => `${r.toFixed(2)}×`).join(', ')}; median ${median.toFixed(2)}×\n`);
  }
}

if (values.workers !== undefined) {
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 16) throw new Error('--workers takes a number of server processes from 1 to 16');
  process.stdout.write(`# cluster capacity benchmark — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, loopback\n`);
  await compareCapacity({ workers, step: Number(values.step), maxRooms: Number(values['max-rooms']), perRoom: 50, warmupS: Math.min(WARMUP_S, 4), measureS: Math.min(MEASURE_S, 10), p99LimitMs: 150, minFramesPerSec: 9.5 });
  process.exit(0);
}
if (SOAK_MIN) {
  if (!(SOAK_MIN >= 1 && SOAK_MIN <= 120)) throw new Error('--soak takes minutes, from 1 to 120');
  const [label, sessions, per] = values.only === 'big' ? ['one big class', 1, 300] : ['classroom fleet', 20, 50];
  process.stdout.write(`# server soak — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${label}: ${sessions} × ${per} clients for ${SOAK_MIN} min, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  // The classroom round ends after its durationSec: from then on the rooms show their results and send no frames.
  const roundMin = builtinScenario('classroom')!.durationSec / 60;
  if (SOAK_MIN > roundMin) process.stdout.write(`  (the classroom round lasts ${roundMin} min: the samples after it are its results screen, not a running class)\n`);
  const r = await realServer(Number(sessions), Number(per));
  process.stdout.write([...describePhase('OOM Arena (soak)', r)].join('\n') + '\n');
  process.exit(0);
}
process.stdout.write(`# server load benchmark — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, loopback, ${WORKERS} generator processes per server, measure ${MEASURE_S} s${TOGETHER ? ', both servers at the same time' : ` (baseline ${BASELINE_S} s)`} after ${WARMUP_S} s warm-up${KEEP_HOSTS ? '; hosts stay attached (their deltas are not counted as delivered frames; the bare server has none)' : ''}\n`);
if (values.only !== undefined && values.only !== 'fleet' && values.only !== 'big') throw new Error('--only takes fleet or big');
// The usual bytes a frame of each case (--together: the bare server's frames, unless --frame-bytes says otherwise).
if (values.only !== 'big') await run('classroom fleet', 20, 50, 107);
if (values.only !== 'fleet') await run('one big class', 1, 300, 73);
process.exit(0);

/** Extra node flags for both servers (the real one and the baseline), to profile them: BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/p'. */
function serverNodeArgs(): string[] {
  return (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
}
