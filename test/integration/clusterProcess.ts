/** Server processes of a test cluster: `node server/main.ts` with REDIS_URL, a shared DATA_DIR and short leases. */
import { spawn, type ChildProcess } from 'node:child_process';
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
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
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
