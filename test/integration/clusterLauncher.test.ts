/**
 * `npm run cluster` as people start it (docs/scaling.md): the launcher on a port the system chooses (`--port 0`),
 * with its own redis-server. It must print the port it got, and its workers must hand out join links with that port
 * (a QR code that says port 0 sends a class nowhere); the app answers there, and a SIGTERM stops everything. A
 * launcher killed outright takes its workers with it: nothing could reach them any more.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CreateSessionResponse } from '../../shared/protocol/schemas.ts';
import { until } from './helpers.ts';
import { redisForTests } from './redisHarness.ts';

const run = redisForTests('cluster launcher test');
const root = join(import.meta.dirname, '..', '..');

interface Launcher {
  proc: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

/** The processes whose parent is `pid`, with their command lines (from /proc: the CI machines run Linux). */
function childrenOf(pid: number): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The fields after the command name (in parentheses, which may hold spaces): state, then the parent's pid.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push({ pid: Number(name), cmd: readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ') });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

describe.skipIf(!run)('the cluster launcher', () => {
  const launchers: Launcher[] = [];
  const strays: number[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'oom-launcher-'));
  afterAll(async () => {
    // A test that failed midway: SIGTERM first, so the launcher stops its workers and its redis-server too.
    for (const l of launchers) {
      if (l.proc.exitCode !== null || l.proc.signalCode !== null) continue;
      l.proc.kill('SIGTERM');
      const late = setTimeout(() => l.proc.kill('SIGKILL'), 15_000);
      await l.exited;
      clearTimeout(late);
    }
    for (const pid of strays) if (alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  /** `npm run cluster -- --workers 2 --port 0` on its own redis-server, once it says where it is. */
  async function launch(): Promise<Launcher> {
    const env: NodeJS.ProcessEnv = { ...process.env, HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'error' };
    delete env.REDIS_URL; // its own redis-server, as `npm run cluster` alone starts one
    delete env.PORT;
    const proc = spawn(process.execPath, ['--import', 'tsx', 'server/cluster/launcher.ts', '--workers', '2', '--port', '0'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => (out += String(d)));
    proc.stderr!.on('data', (d: Buffer) => (out += String(d)));
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    const l: Launcher = { proc, port: 0, output: () => out, exited };
    launchers.push(l);
    // Its own words come once the workers are up.
    const printed = await Promise.race([
      new Promise<RegExpMatchArray>((resolve) => {
        const look = () => {
          const m = out.match(/Students open: http:\/\/127\.0\.0\.1:(\d+)/);
          if (m) resolve(m);
          else proc.stdout!.once('data', look);
        };
        look();
      }),
      exited.then((code) => {
        throw new Error(`the launcher exited (${code}) before it was ready:\n${out}`);
      }),
    ]);
    l.port = Number(printed[1]);
    return l;
  }

  it('on --port 0 prints the port it got, and its join links carry that port', async () => {
    const l = await launch();
    expect(l.port).toBeGreaterThan(0);
    expect(l.output()).toContain(`Teacher: http://127.0.0.1:${l.port}/host`);

    const res = await fetch(`http://127.0.0.1:${l.port}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(201);
    const session = (await res.json()) as CreateSessionResponse;
    expect(session.joinUrls.length).toBeGreaterThan(0);
    for (const u of session.joinUrls) expect(new URL(u).port).toBe(String(l.port));
    expect((await fetch(`http://127.0.0.1:${l.port}/healthz`)).status).toBe(200);

    l.proc.kill('SIGTERM');
    expect(await l.exited).toBe(0);
  }, 90_000);

  it('killed outright (kill -9), it takes its workers with it', async () => {
    const l = await launch();
    const children = childrenOf(l.proc.pid!);
    const workers = children.filter((c) => c.cmd.includes('server/main.ts')).map((c) => c.pid);
    // Its own redis-server outlives it (nothing tells it); the test removes it.
    strays.push(...children.filter((c) => c.cmd.includes('redis-server')).map((c) => c.pid));
    strays.push(...workers); // removed by the test only if they outlive it
    expect(workers).toHaveLength(2);
    l.proc.kill('SIGKILL');
    await l.exited;
    await until('the workers to exit', () => workers.every((pid) => !alive(pid)), 30_000);
    expect(workers.filter(alive)).toEqual([]);
  }, 90_000);
});
