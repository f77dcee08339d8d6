/**
 * A real redis-server for the cluster tests: a free port, a temporary directory, no persistence. In CI the tests
 * need it (.ci/run installs Debian's package); elsewhere they skip, loudly, when it is missing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The redis-server binary: REDIS_SERVER, else the one on PATH. Null when there is none. */
export function redisServerBinary(): string | null {
  if (process.env.REDIS_SERVER && existsSync(process.env.REDIS_SERVER)) return process.env.REDIS_SERVER;
  const r = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const path = r.stdout.trim();
  return r.status === 0 && path ? path : null;
}

/** Whether the cluster tests run here; says why not when they skip, and refuses to skip in CI. */
export function redisForTests(suite: string): boolean {
  if (redisServerBinary()) return true;
  if (process.env.CI === 'true')
    throw new Error(`${suite}: redis-server is required in CI (.ci/run installs it with apt-get)`);
  console.warn(`\n!!! ${suite}: SKIPPED — no redis-server on this machine (apt-get install redis-server)\n`);
  return false;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface TestRedis {
  url: string;
  port: number;
  /** Stop it (SIGTERM) and wait for the exit. */
  stop(): Promise<void>;
  /** Stop it and start a new, empty one on the same port (Redis restarted mid-session). */
  restart(): Promise<void>;
  /** Stop it and remove its directory. */
  close(): Promise<void>;
}

async function launch(bin: string, port: number, dir: string): Promise<ChildProcess> {
  const proc = spawn(
    bin,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--protected-mode',
      'no',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += String(d);
      if (out.includes('Ready to accept connections')) {
        proc.stdout!.off('data', onData);
        resolve();
      }
    };
    proc.stdout!.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`redis-server exited ${code}: ${out}`)));
  });
  proc.stdout!.resume();
  proc.stderr!.resume();
  return proc;
}

async function halt(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  await exited;
}

export async function startRedis(): Promise<TestRedis> {
  const bin = redisServerBinary();
  if (!bin) throw new Error('no redis-server');
  const dir = mkdtempSync(join(tmpdir(), 'oom-redis-'));
  const port = await freePort();
  let proc = await launch(bin, port, dir);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () => halt(proc),
    restart: async () => {
      await halt(proc);
      proc = await launch(bin, port, dir);
    },
    close: async () => {
      await halt(proc);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
