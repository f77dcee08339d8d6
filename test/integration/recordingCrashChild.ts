/**
 * A stand-in for a server's room, run as a child process by recordingCrash.test.ts so the test can `kill -9` it:
 * it ticks a simulation fast, records through the real file recorder, and acks each command (a line on stdin)
 * on stdout only once the recorder says it is durable — the room's contract. It also prints every 10th live hash.
 * With RESUME=<id> it resumes that interrupted recording instead of starting one.
 */
import { createInterface } from 'node:readline';
import { roundScenario } from '../../shared/game/roundScenario.ts';
import { createSimulation } from '../../shared/sim/create.ts';
import { stateHash } from '../../shared/sim/hash.ts';
import { advance } from '../../shared/sim/step.ts';
import type { Command } from '../../shared/sim/types.ts';
import { createFileRecorderFactory } from '../../server/recording/index.ts';

const store = createFileRecorderFactory({ dataDir: process.env.DATA_DIR! });
const resumeId = process.env.RESUME;
const { state, recorder } = resumeId
  ? await store.resume(resumeId)
  : (() => {
      const scenario = roundScenario({ seats: 10, seed: 99 });
      const state = createSimulation(scenario);
      return {
        state,
        recorder: store.create({ code: 'CRSH', scenario, seed: state.seed, initialState: state }),
      };
    })();
console.log(`READY ${recorder.id} ${state.tick}`);

let queue: Command[] = [];
const tickMs = Number(process.env.TICK_MS ?? 2);
setInterval(() => {
  advance(state, queue);
  queue = [];
  recorder.afterTick(state);
  if (state.tick % 10 === 0) console.log(`H ${state.tick} ${stateHash(state)}`);
}, tickMs);

createInterface({ input: process.stdin }).on('line', (line) => {
  const { n, by, cmd } = JSON.parse(line) as { n: number; by: string; cmd: Command };
  queue.push(cmd);
  void recorder.command({ tick: state.tick + 1, by, command: cmd }).then(
    () => console.log(`ACK ${n}`),
    (e: Error) => console.log(`NACK ${n} ${e.message}`),
  );
});
process.on('SIGTERM', () => {
  void recorder.end('ended').then(() => process.exit(0));
});
