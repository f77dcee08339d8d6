/** Record a session in memory the way a room does: commands at the next tick, afterTick after every tick. */
import { RecordingWriter } from '../../shared/recording/writer.ts';
import { roundScenario, studentPod } from '../../shared/game/roundScenario.ts';
import { createSimulation } from '../../shared/sim/create.ts';
import { stateHash } from '../../shared/sim/hash.ts';
import { advance } from '../../shared/sim/step.ts';
import type { Command, SimState } from '../../shared/sim/types.ts';

export interface Recorded {
  text: string;
  /** stateHash after every tick, index = tick. */
  hashes: string[];
  final: SimState;
  kills: number;
  commands: number;
}

/** A classroom of `students` who join at tick 1 and then change settings now and then (deterministic). */
export function studentCommands(
  students: number,
  everyTicks: number,
): (tick: number) => { by: string; cmd: Command }[] {
  return (tick) => {
    if (tick === 1)
      return Array.from({ length: students }, (_, i) => ({
        by: `s${i}`,
        cmd: { type: 'add_pod', pod: studentPod(`s${i}`) } as Command,
      }));
    const out: { by: string; cmd: Command }[] = [];
    for (let i = 0; i < students; i++) {
      if ((tick + i * 7) % everyTicks !== 0) continue;
      const k = (tick / everyTicks + i) % 4;
      const slot = `s${i}`;
      const cmd: Command =
        k === 0
          ? { type: 'set_workload', pod: slot, workload: { leakMiBps: (tick % 3) * 0.7 } }
          : k === 1
            ? { type: 'set_resources', pod: slot, requestMiB: 192, limitMiB: 384 + (tick % 5) * 32 }
            : k === 2
              ? { type: 'stream_batch', pod: slot, chunkMiB: 32 }
              : { type: 'set_workload', pod: slot, workload: { requestsPerSec: 10 + (tick % 4) * 5 } };
      out.push({ by: slot, cmd });
    }
    return out;
  };
}

export function recordSession(o: {
  students: number;
  ticks: number;
  everyTicks?: number;
  seed?: number;
  id?: string;
  keyframeEvery?: number;
  /** Skip keeping every tick's hash (big runs that only measure the file). */
  noHashes?: boolean;
}): Recorded {
  const scenario = roundScenario({
    seats: o.students,
    durationSec: Math.ceil(o.ticks / 10),
    seed: o.seed ?? 7,
  });
  const state = createSimulation(scenario);
  const writer = new RecordingWriter(
    {
      id: o.id ?? 'test-rec',
      code: 'ABCD',
      startedAt: '2026-11-28T10:00:00.000Z',
      scenario,
      seed: state.seed,
      initialState: state,
    },
    { keyframeEvery: o.keyframeEvery },
  );
  const cmdsAt = studentCommands(o.students, o.everyTicks ?? 150);
  let text = writer.begin();
  const hashes = [stateHash(state)];
  let kills = 0;
  let commands = 0;
  for (let t = 1; t <= o.ticks; t++) {
    const cmds = cmdsAt(t);
    for (const c of cmds) text += writer.command(t, c.by, c.cmd);
    commands += cmds.length;
    advance(
      state,
      cmds.map((c) => c.cmd),
    );
    for (const e of state.events) if (e.type === 'oom_kill') kills++;
    if (!o.noHashes) hashes.push(stateHash(state));
    text += writer.afterTick(state);
  }
  text += writer.end('ended', '2026-11-28T11:00:00.000Z');
  return { text, hashes, final: state, kills, commands };
}
