/**
 * Recording through the real server process (server/main.ts, socket.io, the file recorder): students send commands,
 * the server is killed with SIGKILL mid-session, restarted on the same DATA_DIR; the recording holds every command
 * that was acknowledged, is listed as interrupted, and replays to every hash the live server wrote.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import { loadRecording } from '../../shared/recording/index.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'oom-rec-server-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** The teacher running the session: their key owns it and its recording. */
const TEACHER = { authorization: 'Bearer recording-server-teacher-key' };

interface Ack<T> {
  ok: boolean;
  data?: T;
  error?: { code: string; message: string };
}

async function startServer(): Promise<{ proc: ChildProcess; base: string; exited: Promise<void> }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', WARM_UP: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  const exited = new Promise<void>((r) => proc.on('exit', () => r()));
  let out = '';
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 20_000);
    const onData = (d: Buffer) => {
      out += String(d);
      const m = /Students open: (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  return { proc, base, exited };
}

function connect(base: string): Promise<Socket> {
  const s = io(base, { transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    s.on('connect', () => resolve(s));
    s.on('connect_error', reject);
  });
}

const emit = <T>(s: Socket, event: string, payload: unknown) =>
  new Promise<Ack<T>>((resolve) =>
    s
      .timeout(5000)
      .emit(event, payload, (err: Error | null, res: Ack<T>) =>
        resolve(err ? { ok: false, error: { code: 'TIMEOUT', message: err.message } } : res),
      ),
  );

describe('recording through the real server (RS1)', () => {
  it('kill -9 mid-session: every acknowledged command is in the recording, which lists as interrupted and replays to the live hashes', async () => {
    const a = await startServer();
    const created = (await (
      await fetch(`${a.base}/api/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...TEACHER },
        body: JSON.stringify({ scenario: 'classroom' }),
      })
    ).json()) as {
      code: string;
      hostKey: string;
    };
    const host = await connect(a.base);
    expect(
      (await emit(host, 'host:attach', { v: PROTOCOL_VERSION, code: created.code, hostKey: created.hostKey }))
        .ok,
    ).toBe(true);
    const students: { s: Socket; id: string; slot: string }[] = [];
    for (let i = 0; i < 8; i++) {
      const s = await connect(a.base);
      const r = await emit<{ participantId: string; slot: string }>(s, 'student:join', {
        v: PROTOCOL_VERSION,
        code: created.code,
        nickname: `Bot ${i}`,
        bot: true,
      });
      expect(r.ok, JSON.stringify(r.error)).toBe(true);
      students.push({ s, id: r.data!.participantId, slot: r.data!.slot });
    }
    expect((await emit(host, 'session:start', {})).ok).toBe(true);

    // Students change their request rate a few times a second each; every ack is remembered with its tick.
    const acked: { tick: number; by: string; rps: number }[] = [];
    let n = 0;
    let stop = false;
    const pumps = students.map(async (st) => {
      while (!stop) {
        const rps = 10 + (n++ % 30);
        const r = await emit<{ tick: number }>(st.s, 'pod:command', {
          command: { type: 'set_workload', workload: { requestsPerSec: rps } },
        });
        if (r.ok) acked.push({ tick: r.data!.tick, by: st.id, rps });
        // Until the first tick has created the pods, commands are rejected (nothing recorded then): keep trying.
        else if (!['TIMEOUT', 'RATE_LIMITED', 'COMMAND_REJECTED'].includes(r.error?.code ?? ''))
          throw new Error(JSON.stringify(r.error));
        await new Promise((res) => setTimeout(res, 220));
      }
    });
    while (acked.length < 120) await new Promise((res) => setTimeout(res, 20));
    a.proc.kill('SIGKILL');
    await a.exited;
    stop = true;
    for (const st of students) st.s.close();
    host.close();
    await Promise.allSettled(pumps);
    const ackedAtKill = acked.length;

    // The file: every acked command at its tick, by its student; and the replay reproduces every live hash.
    const b = await startServer();
    const list = (await (await fetch(`${b.base}/api/recordings`, { headers: TEACHER })).json()) as {
      recordings: { id: string; code: string; state: string; participants: number }[];
    };
    const mine = list.recordings.find((r) => r.code === created.code)!;
    expect(mine).toMatchObject({ state: 'interrupted', participants: 8 });
    const text = readFileSync(join(dataDir, 'recordings', `${mine.id}.ndjson`), 'utf8');
    const download = await (await fetch(`${b.base}/api/recordings/${mine.id}`, { headers: TEACHER })).text();
    expect(download).toBe(text);
    const rec = loadRecording(text);
    if (!rec.ok) throw new Error(`${rec.error.code}: ${rec.error.message}`);
    expect(rec.value.end).toBeNull();
    const hashLines = text.split('\n').filter((l) => l.startsWith('{"k":"h"')).length;
    expect(hashLines).toBeGreaterThan(1);
    expect(ackedAtKill).toBeGreaterThanOrEqual(120);
    for (const a of acked) {
      const atTick = rec.value.commands.get(a.tick) ?? [];
      expect(
        atTick.some(
          (c) => c.by === a.by && c.cmd.type === 'set_workload' && c.cmd.workload.requestsPerSec === a.rps,
        ),
        `acked command by ${a.by} at tick ${a.tick}`,
      ).toBe(true);
    }
    // Replaying the recorded commands reproduces every hash the live server wrote. A divergence here means the
    // room applied a command it did not record (every queued command must go through recorder.command).
    expect(
      rec.value.divergence,
      `replay diverges from the live server: ${JSON.stringify(rec.value.divergence)}`,
    ).toBeNull();
    b.proc.kill('SIGTERM');
    await b.exited;
  }, 60_000);
});
