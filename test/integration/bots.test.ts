import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bot } from '../../server/cli/botClient.ts';
import { chooseCommand, nextCommand, STRATEGIES } from '../../server/cli/botHabits.ts';
import { podCommandBodySchema } from '../../shared/schemas/commands.ts';
import { NullRecorder } from '../../server/recording/NullRecorder.ts';
import { attachHost, call, createSession, ok, sleep, startServer, type TestServer } from './helpers.ts';

/** Polls `cond` every 50 ms; gives up after `limitMs` so a broken build fails instead of hanging. */
async function until(cond: () => boolean, limitMs = 20_000): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (!cond() && performance.now() < deadline) await sleep(50);
}

describe('bots', () => {
  let s: TestServer;
  const recorders: NullRecorder[] = [];
  beforeAll(async () => {
    s = await startServer({
      clock: undefined, // the real loop: bots see frames arrive at 10 Hz
      recorderFactory: { create: () => { const r = new NullRecorder(); recorders.push(r); return r; } },
    });
  });
  afterAll(() => s.close());

  it('join as students, follow their pod through deltas and send commands that land in broadcasts', async () => {
    const { code, hostKey, room } = await createSession(s);
    const host = await attachHost(s, code, hostKey);
    ok(await call(host, 'session:start', {}));
    const latencies: number[] = [];
    const errors: string[] = [];
    const bots = STRATEGIES.map(
      (strategy, i) =>
        new Bot({ url: s.url, room: code, nickname: `bot-${i}`, strategy, pauseSec: [0.1, 0.2], onLatency: (ms) => latencies.push(ms), onError: (c) => errors.push(c) }),
    );
    try {
      // Wait on the condition, not a fixed time: on a loaded machine joins and first frames can take seconds.
      await until(() => bots.every((b) => b.join?.role === 'student' && b.pod !== null && b.frames > 5) && latencies.length > 0);
      expect(bots.every((b) => b.join?.role === 'student')).toBe(true);
      expect(bots.every((b) => b.pod !== null && b.frames > 5)).toBe(true);
      // Each bot's view of its pod matches the server's.
      for (const b of bots) {
        const server = room.state.pods.find((p) => p.name === b.pod!.name);
        expect(server?.slot).toBe(b.join!.slot);
      }
      expect(latencies.length).toBeGreaterThan(0);
      expect(Math.max(...latencies)).toBeLessThan(5000);
      expect(recorders.at(-1)!.commands.some((c) => c.by !== 'host' && c.command.type !== 'add_pod')).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      for (const b of bots) b.stop();
    }
  });

  it('strategies choose sensible commands', () => {
    const pod = {
      name: 'p',
      slot: 'p',
      limitPages: 384 * 256,
      requestPages: 192 * 256,
      adjOverride: null,
      lastReason: 'OOMKilled',
      reason: null,
      pending: null,
      workload: { leakMiBps: 1, batch: { mode: 'load' }, bufferCapMiB: null },
    } as never;
    expect(chooseCommand('careful', pod, () => 0.5)).toEqual({ type: 'fix_leak' });
    expect(chooseCommand('greedy', pod, () => 0.5)).toEqual({ type: 'set_oom_score_adj', value: -900 });
    expect(chooseCommand('leaky', pod, () => 0.5)).toEqual({ type: 'set_resources', requestMiB: 192, limitMiB: 512 });
    expect(chooseCommand('random', null, () => 0.5)).toBeNull();
  });

  it('a load-test bot acts after every pause: a random move when its habit has nothing to do', () => {
    // A careful student's pod with every fix done and request = limit: the habit has nothing left to do.
    const done = {
      name: 'p',
      slot: 'p',
      limitPages: 512 * 256,
      requestPages: 512 * 256,
      adjOverride: null,
      lastReason: null,
      reason: null,
      pending: null,
      workload: { leakMiBps: 0, batch: { mode: 'stream' }, bufferCapMiB: 64 },
    } as never;
    expect(chooseCommand('careful', done, () => 0.5)).toBeNull();
    expect(nextCommand('careful', done, () => 0.5, false)).toBeNull();
    for (const r of [0, 0.3, 0.6, 0.99]) {
      const cmd = nextCommand('careful', done, () => r, true);
      expect(podCommandBodySchema.safeParse(cmd).success).toBe(true);
    }
    // A habit with something to do keeps its own move.
    const leaking = { ...(done as object), workload: { leakMiBps: 1, batch: null, bufferCapMiB: null } } as never;
    expect(nextCommand('careful', leaking, () => 0.5, true)).toEqual({ type: 'fix_leak' });
    expect(nextCommand('random', null, () => 0.5, true)).toBeNull();
  });
});
