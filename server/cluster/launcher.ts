/**
 * `npm run cluster -- --workers N`: N server processes on one machine behind one port, on REDIS_URL or on a
 * redis-server started (and stopped) here. This process only routes connections: it reads the first bytes of each
 * TCP connection, picks the worker (a socket.io sid's maker, else the owner of the room the request names, else
 * round robin), and hands the connection itself over, as @socket.io/sticky does, so no byte is proxied after that.
 * A worker that dies is started again; its rooms are taken over by the others meanwhile.
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { lanUrls } from '../net/lanUrls.ts';
import { parseLauncherArgs, routeOf } from './launcherRouting.ts';

const args = parseLauncherArgs(process.argv.slice(2), process.env);
if (!args.ok) {
  process.stderr.write(`${args.error}\nUsage: npm run cluster -- --workers N [--port P]\n`);
  process.exit(2);
}
const { workers: count, host } = args;
/** The port people use: the one asked for, or the one the system chose for `--port 0` (known once listening). */
let publicPort = args.port;
const root = join(import.meta.dirname, '..', '..');

/** A redis-server of our own when no REDIS_URL is given: a free port, a temporary directory, no persistence. */
async function ownRedis(): Promise<{ url: string; stop: () => void }> {
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const bin = which.stdout.trim();
  if (which.status !== 0 || !bin) {
    process.stderr.write(
      'No REDIS_URL and no redis-server on this machine: install it (apt-get install redis-server) or set REDIS_URL.\n',
    );
    process.exit(1);
  }
  const redisPort = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
  const dir = mkdtempSync(join(tmpdir(), 'oom-arena-redis-'));
  const proc = spawn(
    bin,
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += String(d);
      if (out.includes('Ready to accept connections')) resolve();
    });
    proc.once('exit', (code) => reject(new Error(`redis-server exited ${code}`)));
  });
  proc.stdout!.resume();
  process.stdout.write(`Started redis-server on 127.0.0.1:${redisPort} (stopped with the cluster).\n`);
  return {
    url: `redis://127.0.0.1:${redisPort}`,
    stop: () => {
      proc.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const own = process.env.REDIS_URL ? null : await ownRedis();
const redisUrl = process.env.REDIS_URL ?? own!.url;
const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, retryStrategy: (n) => Math.min(100 * n, 1000) });
redis.on('error', () => {});

interface Worker {
  index: number;
  proc: ChildProcess | null;
  ready: boolean;
}
const pool: Worker[] = Array.from({ length: count }, (_, index) => ({ index, proc: null, ready: false }));
let stopping = false;

function startWorker(w: Worker): Promise<void> {
  const proc = fork(
    join(root, 'server', 'main.ts'),
    process.argv.slice(2).filter((a) => a === '--dev'),
    {
      cwd: root,
      execArgv: ['--import', 'tsx'],
      env: {
        ...process.env,
        REDIS_URL: redisUrl,
        PORT: '0',
        HOST: '127.0.0.1',
        CLUSTER_WORKER: String(w.index),
        PUBLIC_PORT: String(publicPort),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  w.proc = proc;
  w.ready = false;
  proc.on('exit', (code, signal) => {
    w.ready = false;
    w.proc = null;
    if (stopping) return;
    process.stderr.write(`worker ${w.index} exited (${signal ?? code}); starting it again\n`);
    setTimeout(() => void startWorker(w), 500);
  });
  return new Promise((resolve) => {
    proc.on('message', (m: { t?: string }) => {
      if (m?.t === 'oom:ready') {
        w.ready = true;
        resolve();
      }
    });
  });
}

let next = 0;
function roundRobin(): Worker | undefined {
  for (let i = 0; i < pool.length; i++) {
    const w = pool[next++ % pool.length]!;
    if (w.ready) return w;
  }
  return undefined;
}

async function pick(head: string): Promise<Worker | undefined> {
  const route = routeOf(head);
  if (route.worker !== undefined) {
    const w = pool[route.worker];
    if (w?.ready) return w;
  }
  if (route.room) {
    // The room's owner: its lease names host/pid/nonce.
    const owner = await redis.get(`oom:lease:${route.room}`).catch(() => null);
    const pid = owner ? Number(owner.split('/')[1]) : NaN;
    const w = pool.find((x) => x.ready && x.proc?.pid === pid);
    if (w) return w;
  }
  return roundRobin();
}

let workersStarted: () => void = () => {};
/** Resolved once every worker is up: connections that arrive before (the launcher listens first) wait for it. */
const workersUp = new Promise<void>((resolve) => (workersStarted = resolve));

const server = createServer((conn: Socket) => {
  conn.once('data', (buf: Buffer) => {
    conn.pause();
    // Held until the workers are up (the launcher listens first, to learn its port): then routed as usual.
    void workersUp.then(() => pick(buf.toString('latin1', 0, Math.min(buf.length, 2048)))).then((w) => {
      if (!w?.proc) {
        conn.destroy();
        return;
      }
      w.proc.send({ t: 'oom:conn', head: buf.toString('base64') }, conn, { keepOpen: false }, (err) => {
        if (err) conn.destroy();
      });
    });
  });
  conn.on('error', () => {});
});

// Listen first: the workers print and share join links with the port people use, which `--port 0` leaves to the
// system.
try {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(args.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
} catch (e) {
  process.stderr.write(`The launcher cannot listen on ${host}:${args.port}: ${(e as Error).message}\n`);
  own?.stop();
  process.exit(1);
}
publicPort = (server.address() as AddressInfo).port;
await Promise.all(pool.map(startWorker));
workersStarted();
const urls = host === '0.0.0.0' || host === '::' ? lanUrls(publicPort) : [`http://${host}:${publicPort}`];
process.stdout.write(
  `\nOOM Arena is running: ${count} worker processes on ${redisUrl}.\n  Students open: ${urls[0]}\n${urls
    .slice(1)
    .map((u) => `             or: ${u}\n`)
    .join('')}  Teacher: ${urls[0]}/host\n\n`,
);

async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  server.close();
  await Promise.all(
    pool.map(
      (w) =>
        new Promise<void>((resolve) => {
          if (!w.proc) return resolve();
          w.proc.once('exit', () => resolve());
          w.proc.kill('SIGTERM');
        }),
    ),
  );
  redis.disconnect();
  own?.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
