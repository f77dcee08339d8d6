/** A recording process the tests can kill: recordingCrashChild.ts run as a child, its acks and hashes collected. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { studentPod } from '../../shared/game/roundScenario.ts';
import type { Command } from '../../shared/sim/types.ts';

export interface Child {
  proc: ChildProcessWithoutNullStreams;
  ready: Promise<{ id: string; tick: number }>;
  acked: Set<number>;
  hashes: Map<number, string>;
  waitAcks(n: number): Promise<void>;
  send(n: number, by: string, cmd: Command): void;
  exited: Promise<void>;
}

export function startRecordingChild(dataDir: string, env: Record<string, string> = {}): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/integration/recordingCrashChild.ts'], {
    env: { ...process.env, DATA_DIR: dataDir, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const acked = new Set<number>();
  const hashes = new Map<number, string>();
  const waiters: (() => void)[] = [];
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += String(d)));
  const ready = new Promise<{ id: string; tick: number }>((resolve, reject) => {
    proc.on('exit', (code) => reject(new Error(`child exited ${code}: ${stderr}`)));
    createInterface({ input: proc.stdout }).on('line', (line) => {
      const [kind, a, b] = line.split(' ');
      if (kind === 'READY') resolve({ id: a!, tick: Number(b) });
      else if (kind === 'ACK') acked.add(Number(a));
      else if (kind === 'H') hashes.set(Number(a), b!);
      else if (kind === 'NACK') reject(new Error(line));
      waiters.splice(0).forEach((w) => w());
    });
  });
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  return {
    proc,
    ready,
    acked,
    hashes,
    exited,
    send: (n, by, cmd) => proc.stdin.write(JSON.stringify({ n, by, cmd }) + '\n'),
    waitAcks: (n) =>
      new Promise<void>((resolve) => {
        const check = () => (acked.size >= n ? resolve() : waiters.push(check));
        check();
      }),
  };
}

export const commandFor = (n: number): { by: string; cmd: Command } => {
  const slot = `s${n % 10}`;
  if (n < 10) return { by: slot, cmd: { type: 'add_pod', pod: studentPod(slot) } };
  return { by: slot, cmd: { type: 'set_workload', pod: slot, workload: { requestsPerSec: 10 + (n % 13) } } };
};


/** Keep sending commandFor(0), commandFor(1), … five every 3 ms until stopped; `stop` returns how many were sent. */
export function pumpCommands(child: Child): { stop(): number } {
  let sent = 0;
  const timer = setInterval(() => {
    for (let i = 0; i < 5; i++) {
      const c = commandFor(sent);
      child.send(sent++, c.by, c.cmd);
    }
  }, 3);
  return {
    stop: () => {
      clearInterval(timer);
      return sent;
    },
  };
}
