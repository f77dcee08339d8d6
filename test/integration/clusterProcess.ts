/** Server processes of a test cluster: `node server/main.ts` with REDIS_URL, a shared DATA_DIR and short leases. */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect as connectTcp, createServer, type AddressInfo, type Socket } from 'node:net';
import { createInterface } from 'node:readline';

export interface ServerProcess {
  url: string;
  proc: ChildProcess;
  /** Log lines so far (JSON from pino), for a failing test's message. */
  log: string[];
  exited: Promise<void>;
  /** SIGKILL: no shutdown, no end lines, no lease released. */
  kill9(): Promise<void>;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
}

export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', WARM_UP: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.stderr!.on('data', (d) => log.push(String(d)));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      log.push(line);
      const m = /Students open: (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (m) resolve(m[1]!);
    });
    void exited.then(() => reject(new Error(`server exited before listening:\n${log.join('\n')}`)));
  });
  const stopWith = async (signal: NodeJS.Signals) => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    await exited;
  };
  return { url, proc, log, exited, kill9: () => stopWith('SIGKILL'), stop: () => stopWith('SIGTERM') };
}

export interface FrontDoor {
  url: string;
  close(): Promise<void>;
}

/**
 * A plain TCP load balancer in front of the processes, as a school's or a cloud's would be (not sticky): each new
 * connection goes to the first of `targets` that accepts it, so a client of a process that died reconnects to the
 * next one by itself, through the same URL.
 */
export async function startFrontDoor(targets: () => string[]): Promise<FrontDoor> {
  const open = new Set<Socket>();
  const server = createServer((conn) => {
    conn.pause();
    open.add(conn);
    conn.on('close', () => open.delete(conn));
    conn.on('error', () => {});
    const urls = targets();
    const attempt = (i: number) => {
      const u = urls[i];
      if (!u || conn.destroyed) return void conn.destroy();
      const { hostname, port } = new URL(u);
      const up = connectTcp({ host: hostname, port: Number(port) });
      open.add(up);
      up.once('error', () => {
        open.delete(up);
        attempt(i + 1);
      });
      up.once('connect', () => {
        up.removeAllListeners('error');
        up.on('error', () => conn.destroy());
        up.on('close', () => {
          open.delete(up);
          conn.destroy();
        });
        conn.on('close', () => up.destroy());
        conn.pipe(up);
        up.pipe(conn);
        conn.resume();
      });
    };
    attempt(0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${addr.port}`,
    close: async () => {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
