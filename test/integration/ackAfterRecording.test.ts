/**
 * A host action's, a join's or an answer's ack leaves only once its line is on disk, as a command's does: a server
 * killed right after the ack must not lose what it acknowledged (a cluster's takeover resumes from the recording —
 * test/integration/cluster.test.ts kills an owner right after a new round's ack).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NullRecorder } from '../../server/recording/NullRecorder.ts';
import type { RecordedHostAction } from '../../server/recording/SessionRecorder.ts';
import type { RecorderFactory } from '../../server/room/recorderPort.ts';
import { attachHost, call, client, createSession, ok, startServer, type TestServer } from './helpers.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';

/** A recorder whose action lines reach "the disk" only when the test says so. */
class HeldRecorder extends NullRecorder {
  readonly held: { action: string; release: () => void }[] = [];
  override hostAction(entry: RecordedHostAction): Promise<void> {
    void super.hostAction(entry);
    return new Promise((resolve) => this.held.push({ action: entry.action, release: resolve }));
  }
}

const recorders: HeldRecorder[] = [];
const factory: RecorderFactory = {
  create: (start) => {
    const r = new HeldRecorder(1000, start.initialState.tick);
    recorders.push(r);
    return r;
  },
};

let s: TestServer;
beforeAll(async () => {
  s = await startServer({ recorderFactory: factory });
});
afterAll(async () => {
  for (const r of recorders) for (const h of r.held) h.release();
  await s.close();
});

/** Wait until `check` holds (conditions, not time). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 10));
}

describe('an ack waits for the lines its event recorded', () => {
  it('a join, a start and a pause are acknowledged only once their lines are on disk', async () => {
    const session = await createSession(s);
    const rec = recorders.at(-1)!;
    const release = (action: string) => {
      for (const h of rec.held.filter((x) => x.action === action)) h.release();
    };

    const student = await client(s);
    let joined = false;
    const join = call(student, 'student:join', { v: PROTOCOL_VERSION, code: session.code, nickname: 'ann' }).then((r) => {
      joined = true;
      return r;
    });
    await until(() => rec.held.some((h) => h.action === 'join'));
    // The seat's line is written but not on disk: the student has not been told yet.
    await new Promise((r) => setImmediate(r));
    expect(joined).toBe(false);
    release('join');
    expect(ok(await join).role).toBe('student');

    const host = await attachHost(s, session.code, session.hostKey);
    let started = false;
    const start = call(host, 'session:start', {}).then((r) => {
      started = true;
      return r;
    });
    await until(() => rec.held.some((h) => h.action === 'round_start'));
    await new Promise((r) => setImmediate(r));
    expect(started).toBe(false);
    release('start');
    await new Promise((r) => setImmediate(r));
    expect(started).toBe(false); // round_start still waits
    release('round_start');
    expect(ok(await start).status).toBe('running');

    let paused = false;
    const pause = call(host, 'session:pause', {}).then((r) => {
      paused = true;
      return r;
    });
    await until(() => rec.held.some((h) => h.action === 'pause'));
    await new Promise((r) => setImmediate(r));
    expect(paused).toBe(false);
    release('pause');
    expect(ok(await pause).status).toBe('paused');
  });
});
