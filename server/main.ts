import type { Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { buildApp } from './app.ts';
import { Cluster } from './cluster/Cluster.ts';
import { configFromEnv, DEFAULT_CONFIG } from './config.ts';
import { isLoopback, LOOPBACK_WARNING } from './net/joinAddress.ts';
import { lanUrls } from './net/lanUrls.ts';
import { createFileRecorderFactory, recordingRoutes } from './recording/index.ts';
import { recordingSessionHooks } from './sessions/sessionHooks.ts';
import type { RoomRegistry } from './room/RoomRegistry.ts';
import { warmUpRooms } from './warmUp.ts';

/**
 * `npm start`: one port (PORT, default 3000) for the client, the API and socket.io. Prints the URLs to give
 * students. SIGTERM/SIGINT: stop accepting, tell clients, finish writing recordings, exit 0.
 */
// V8 collects the old generation in full once it has grown ~10 % past what the last full collection kept: under a
// class's load (the game state that outlives a few seconds) a mark-compact every ~12 s. Letting it grow 50 % makes
// that about once a minute, for ~4 % less CPU a frame and ~17 KB more RSS a client (docs/performance.md, "Measured
// 2026-12-02 15:45–17:10 UTC"). Set here so every way of starting the server (npm start, a cluster's workers) has it.
setFlagsFromString('--heap-growing-percent=50');

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '0.0.0.0';
const dev = process.argv.includes('--dev');
const dataDir = process.env.DATA_DIR ?? 'data';

let urls: string[] = [];
const config = configFromEnv(process.env);
if (dev)
  config.allowedOrigins = [
    ...(config.allowedOrigins ?? []),
    'http://localhost:5173',
    'http://127.0.0.1:5173',
  ];
const store = createFileRecorderFactory({ dataDir });
// Recordings: every session is written to DATA_DIR/recordings; a replay can be continued as a new session and an
// interrupted session resumed under its old code (the hooks need the rooms, which exist once the app is built).
let rooms: RoomRegistry | null = null;
const hooks = recordingSessionHooks(store, () => rooms!);
// REDIS_URL: join a cluster of processes sharing Redis and DATA_DIR (docs/scaling.md). Without it: one process.
const cluster = process.env.REDIS_URL
  ? new Cluster({
      redisUrl: process.env.REDIS_URL,
      leaseMs: /^\d+$/.test(process.env.CLUSTER_LEASE_MS ?? '')
        ? Number(process.env.CLUSTER_LEASE_MS)
        : undefined,
      config: { ...DEFAULT_CONFIG, ...config },
      log: {
        info: (o, m) => built.app.log.info(o, m),
        warn: (o, m) => built.app.log.warn(o, m),
        error: (o, m) => built.app.log.error(o, m),
      },
      resume: (recording, hostKey) => hooks.takeOverSession(recording, hostKey),
    })
  : undefined;
const built = await buildApp({
  config,
  cluster,
  logger: { level: process.env.LOG_LEVEL ?? 'info' },
  recorderFactory: hooks.recorderFactory,
  publicUrls: () => urls,
  plugins: [
    (a, ctx) =>
      a.register(recordingRoutes, {
        store,
        continueSession: hooks.continueSession,
        resumeSession: cluster ? cluster.guardResume((id) => store.summary(id), hooks.resumeSession) : hooks.resumeSession,
        resultsCsv: hooks.resultsCsv,
        // The same caller checks (ADMIN_KEY) and room budget as the session routes.
        guards: ctx.guards,
      }),
  ],
});
rooms = built.rooms;
const { app } = built;
// After an unclean stop (a power cut): what the journal wrote back into the recordings, and what it could not.
const { restored, recordings, failed, trimmed } = store.recovered;
if (restored > 0) app.log.warn({ restored, recordings, trimmed }, 'recordings made whole again from the journal after an unclean stop');
if (failed > 0) app.log.error({ failed, dir: dataDir }, 'some of the journal could not be written back into the recordings (kept for the next start)');
// Before the first class, and before joining a cluster (no room is handed to this process while it warms up): the
// room's code compiled for a class's situations (server/warmUp.ts). WARM_UP=0 skips it; a warm-up that fails (no
// writable temporary directory) only costs the first class some speed.
if (process.env.WARM_UP !== '0') {
  try {
    app.log.info(await warmUpRooms(), 'warmed up');
  } catch (e) {
    app.log.warn({ err: e }, 'the start-up warm-up failed; starting without it');
  }
}
if (cluster) {
  // Joins forwarded to this process are charged to their client's address on the cluster's shared budgets.
  await cluster.start({ rooms: built.rooms, app, lookups: built.guards });
  app.addHook('onClose', async () => cluster.close());
  app.log.info({ node: cluster.node, leaseMs: cluster.dir.timings.leaseMs }, 'joined the cluster');
}

await app.listen({ port, host });
const address = app.server.address();
const actualPort = typeof address === 'object' && address ? address.port : port;
// A worker of `npm run cluster` listens on a private port; people use the launcher's (PUBLIC_PORT).
const worker = process.env.CLUSTER_WORKER !== undefined && process.send !== undefined;
if (worker) {
  const shown = Number(process.env.PUBLIC_PORT ?? actualPort);
  urls = lanUrls(shown);
  // The launcher hands over each connection with the bytes it read to route it.
  process.on('message', (m: { t?: string; head?: string }, handle: unknown) => {
    if (m?.t !== 'oom:conn' || !handle) return;
    const conn = handle as Socket;
    app.server.emit('connection', conn);
    conn.emit('data', Buffer.from(m.head ?? '', 'base64'));
    conn.resume();
  });
  process.send!({ t: 'oom:ready', port: actualPort });
} else {
  urls = host === '0.0.0.0' || host === '::' ? lanUrls(actualPort) : [`http://${host}:${actualPort}`];
  // Students get an address their phones can reach (PUBLIC_URL, else a LAN address); loopback only is warned.
  const reachable = config.publicUrl ? [config.publicUrl] : urls.filter((u) => !isLoopback(u));
  const students = reachable.length ? reachable : urls;
  const teacher = urls.find(isLoopback) ?? urls[0];
  process.stdout.write(
    `\nOOM Arena is running.\n  Students open: ${students[0]}\n${students
      .slice(1)
      .map((u) => `             or: ${u}\n`)
      .join('')}` +
      (reachable.length ? '' : `  ⚠ ${LOOPBACK_WARNING}\n`) +
      `  Teacher: ${teacher}/host\n\n`,
  );
}

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  app.log.info({ signal }, 'shutting down');
  const force = setTimeout(() => {
    app.log.error('shutdown took too long; exiting');
    process.exit(1);
  }, 10_000);
  force.unref();
  try {
    // A process leaving a cluster hands its rooms over (another process resumes them) rather than ending them.
    await cluster?.handOver();
    await app.close();
    process.exit(0);
  } catch (e) {
    app.log.error({ err: e }, 'shutdown failed');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
// A worker whose launcher is gone (even by kill -9) gets no more connections: it hands its rooms over and exits,
// rather than holding them where nobody can reach them.
if (worker) process.once('disconnect', () => void shutdown('the launcher is gone'));
