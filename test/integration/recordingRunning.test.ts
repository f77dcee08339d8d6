/**
 * Whether an interrupted session was running when its file stopped, as its resume reads it from the recording: a
 * cluster's takeover runs on exactly those sessions (docs/scaling.md), whatever Redis last heard of the room.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { roundScenario } from '../../shared/game/roundScenario.ts';
import { createSimulation } from '../../shared/sim/create.ts';
import { advance } from '../../shared/sim/step.ts';
import { RecordingStore } from '../../server/recording/index.ts';
import { ResumedSession } from '../../server/sessions/ResumedSession.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'oom-rec-running-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

let n = 0;
/** A session that took these host actions, a tick apart, then died (no end line, as after a kill -9). */
async function crashedAfter(actions: readonly string[]): Promise<string> {
  const store = new RecordingStore({ dataDir });
  const scenario = roundScenario({ seats: 2, seed: 5 });
  const s = createSimulation(scenario);
  const rec = store.create({ code: `RUN${n++}`, scenario, seed: s.seed, initialState: s });
  for (const action of actions) {
    advance(s, []);
    rec.afterTick(s);
    await rec.hostAction({ tick: s.tick, action });
  }
  await rec.abandon();
  return rec.id;
}

/** What another process finds when it resumes the file (a fresh store, as a process that took the room over). */
async function resumedElsewhere(id: string) {
  const session = new ResumedSession();
  const r = await new RecordingStore({ dataDir }).resume(id, {}, { onLine: session.onLine });
  return { ...r, wasRunning: session.wasRunning };
}

describe('a resume reads from the recording whether the session was running', () => {
  it.each([
    ['still in its lobby', ['join'], false],
    ['started (its first round begun)', ['join', 'start', 'round_start'], true],
    ['paused by the teacher', ['start', 'round_start', 'pause'], false],
    ['paused, then resumed', ['start', 'round_start', 'pause', 'resume'], true],
    ['at its results (the room runs on, the round clock stopped)', ['start', 'round_start', 'round_end'], true],
    ['a next round started', ['start', 'round_start', 'round_end', 'round_start'], true],
    ['reset to the lobby', ['start', 'round_start', 'reset'], false],
    ['failed (ROOM_FAILED)', ['start', 'round_start', 'fault'], false],
    ['other host actions after the start', ['start', 'round_start', 'speed', 'lock', 'kick'], true],
  ] as const)('%s → %s', async (_, actions, running) => {
    const r = await resumedElsewhere(await crashedAfter(actions));
    expect(r.wasRunning).toBe(running);
    await r.recorder.abandon();
  });

  it('a session resumed by hand waits for its teacher: not running until the Resume is recorded', async () => {
    const id = await crashedAfter(['start', 'round_start']);
    const first = await resumedElsewhere(id);
    expect(first.wasRunning).toBe(true);
    // Resumed (the marker is written) but the teacher has not pressed Resume yet when this process dies too.
    await first.recorder.abandon();
    const second = await resumedElsewhere(id);
    expect(second.wasRunning).toBe(false);
    // The teacher's Resume (or a takeover running it on) is a recorded host action.
    await second.recorder.hostAction({ tick: second.state.tick, action: 'resume' });
    await second.recorder.abandon();
    const third = await resumedElsewhere(id);
    expect(third.wasRunning).toBe(true);
    await third.recorder.abandon();
  });

  it('a session stopped by a server shutdown (an end line) was not running', async () => {
    const store = new RecordingStore({ dataDir });
    const scenario = roundScenario({ seats: 2, seed: 5 });
    const s = createSimulation(scenario);
    const rec = store.create({ code: 'SHUTRUN', scenario, seed: s.seed, initialState: s });
    await rec.hostAction({ tick: 0, action: 'start' });
    advance(s, []);
    rec.afterTick(s);
    await rec.end('shutdown');
    const r = await resumedElsewhere(rec.id);
    expect(r.wasRunning).toBe(false);
    await r.recorder.abandon();
  });
});
