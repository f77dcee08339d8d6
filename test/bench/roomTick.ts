/**
 * `npm run bench:tick`: what one room's tick costs in process (simulation, scores, recording, frame diff and the
 * students' frame texts; sockets replaced by a port that only counts), with the CPU caches warm and cold.
 *
 * Why cold: in the live server a room ticks once every 100 ms, and between two of its ticks a thousand sockets'
 * writes and the other rooms' ticks pass through the caches. Its pods, views and scores are fetched from memory
 * again each time. Here a large buffer is walked before each room's tick ("cold") or not ("warm"). The live
 * server's tick is near the cold figure; the ratio of the two says how much of a tick is waiting on memory rather
 * than computing, which is what a change to the state's layout would win.
 *
 * Rooms: the classroom scenario, 50 students each, started by the host; a student's command about every 6.5 s (as the
 * load benchmark's generators send them), chosen by the same habits as the bots (a random move when the habit has
 * none) from what the student last saw of their pod (looked at again every 5 s), and passed through JSON as the
 * wire carries it. Prints figures; asserts nothing.
 *
 * Options: --rooms <n> (20) --students <n> (50) --ticks <n> per measured rep (300) --reps <n> per mode (3)
 * --pollute-mb <n> (16) --command-every <s> (6.5: seconds between a student's commands on average; 0: none, to see
 * what the commands' effects cost a tick) --host-leaves (each host leaves once the session runs, as in the load
 * benchmark's fleet: no viewers' delta is built) --parts (also times the tick's frames alone, and the frame differ within them: a timer
 * around each, so the whole tick reads a little higher).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { nextCommand, STRATEGIES } from '../../server/cli/botHabits.ts';
import { RecordingStore } from '../../server/recording/RecordingStore.ts';
import { FrameDiffer } from '../../server/room/FrameDiffer.ts';
import { RoomFraming } from '../../server/room/RoomFraming.ts';
import type { RoomPort } from '../../server/room/port.ts';
import { podSlotsFor, Room } from '../../server/room/Room.ts';
import type { PodView } from '../../shared/protocol/views.ts';
import type { PodCommandBody } from '../../shared/schemas/commands.ts';
import { RngCursor, seedRng } from '../../shared/game/rng.ts';
import { builtinScenario } from '../../shared/scenario/builtin.ts';
import { TICKS_PER_SEC } from '../../shared/sim/units.ts';

const { values } = parseArgs({
  options: {
    rooms: { type: 'string', default: '20' },
    students: { type: 'string', default: '50' },
    ticks: { type: 'string', default: '300' },
    reps: { type: 'string', default: '3' },
    'pollute-mb': { type: 'string', default: '16' },
    'command-every': { type: 'string', default: '6.5' },
    'host-leaves': { type: 'boolean', default: false },
    parts: { type: 'boolean', default: false },
  },
});
const ROOMS = Number(values.rooms);
const STUDENTS = Number(values.students);
const TICKS = Number(values.ticks);
const REPS = Number(values.reps);
const POLLUTE_MB = Number(values['pollute-mb']);
for (const [name, v] of Object.entries({ ROOMS, STUDENTS, TICKS, REPS, POLLUTE_MB }))
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name.toLowerCase()} takes a whole number ≥ 1`);

/** Each student sends a command about every 6.5 s (the generators send one every 3–10 s): the chance per tick. */
const COMMAND_EVERY_SEC = Number(values['command-every']);
if (!(COMMAND_EVERY_SEC >= 0)) throw new Error('--command-every takes a number of seconds ≥ 0');
const COMMAND_CHANCE_PER_TICK = COMMAND_EVERY_SEC === 0 ? 0 : 1 / (COMMAND_EVERY_SEC * TICKS_PER_SEC);

let frames = 0;
const port: RoomPort = {
  send() {},
  sendFrames(f) {
    frames += f.size;
  },
  broadcast() {},
  join() {},
  leave() {},
  disconnect() {},
};

// The game layer's seeded generator, so every run (and both sides of an A/B) sees the same commands.
const rng = new RngCursor(seedRng(12345));
const rand = (): number => rng.next();

const dataDir = mkdtempSync(join(tmpdir(), 'oom-tick-'));
const store = new RecordingStore({ dataDir });
const scenario = builtinScenario('classroom')!;
const rooms: Room[] = [];
for (let r = 0; r < ROOMS; r++) {
  const room = new Room({
    code: `BENCH${r}`,
    scenario,
    seed: 7 + r,
    speed: 1,
    lateJoin: true,
    podSlots: podSlotsFor(scenario, STUDENTS),
    port,
    clock: { now: () => 0, schedule: () => () => {} },
    recorders: { create: (s) => store.create(s) },
    log: { info() {}, warn() {}, error() {} },
  });
  room.attachHost(`host${r}`, room.hostKey);
  for (let i = 0; i < STUDENTS; i++) room.joinStudent(`c${r}_${i}`, { nickname: `s${i}` });
  const started = room.start();
  if (!started.ok) throw new Error(`room ${r} did not start: ${started.error.message}`);
  if (values['host-leaves']) room.detach(`host${r}`);
  rooms.push(room);
}

// Writing one word in 16 touches every cache line of the buffer once: the room's lines are evicted.
const junk = new Int32Array((POLLUTE_MB * 1024 * 1024) / 4);
function pollute(): void {
  for (let i = 0; i < junk.length; i += 16) junk[i]!++;
}

/**
 * What each student last saw of their pod, looked at again at most every 5 s: a whole snapshot per command (a room's
 * every view, its board, its history) made garbage the live server never makes (about 250 MB in a run of two reps),
 * and the collections and cache misses it caused were charged to the ticks measured after it.
 */
const seenPods = new Map<string, { tick: number; pod: PodView | undefined }>();
const LOOK_AGAIN_TICKS = 5 * TICKS_PER_SEC;

/**
 * The students' commands this tick, each chosen from the student's pod as a bot would (outside the timed tick), and
 * sent as the wire carries them, through JSON: a bot's `Math.round` can give -0, which JSON turns into 0 and which,
 * given to the room directly, made every pod view's `adj` a boxed number (a heap object read on every refresh).
 */
function commands(room: Room, r: number): void {
  for (let i = 0; i < STUDENTS; i++) {
    if (rand() >= COMMAND_CHANCE_PER_TICK) continue;
    const conn = `c${r}_${i}`;
    let seen = seenPods.get(conn);
    if (seen === undefined || room.state.tick - seen.tick >= LOOK_AGAIN_TICKS) {
      seen = { tick: room.state.tick, pod: Object.values(room.snapshotFor(conn).pods)[0] as PodView | undefined };
      seenPods.set(conn, seen);
    }
    const body = nextCommand(STRATEGIES[i % STRATEGIES.length]!, seen.pod ?? null, rand, true);
    if (body) void room.podCommand(conn, JSON.parse(JSON.stringify(body)) as PodCommandBody);
  }
}

/** With --parts: ms spent in the frames (RoomFraming.broadcast) and in the frame differ, since the last reset. */
const parts = { framing: 0, differ: 0 };
if (values.parts) {
  const broadcast = RoomFraming.prototype.broadcast;
  RoomFraming.prototype.broadcast = function (this: RoomFraming) {
    const t0 = performance.now();
    broadcast.call(this);
    parts.framing += performance.now() - t0;
  };
  const next = FrameDiffer.prototype.next;
  FrameDiffer.prototype.next = function (this: FrameDiffer, ...args: Parameters<FrameDiffer['next']>) {
    const t0 = performance.now();
    const frame = next.apply(this, args);
    parts.differ += performance.now() - t0;
    return frame;
  };
}
const partsBy = { warm: [] as (typeof parts)[], cold: [] as (typeof parts)[] };

/** Runs `ticks` rounds of every room; returns µs per room tick (only the ticks are timed). */
async function run(ticks: number, cold: boolean): Promise<number> {
  let total = 0;
  parts.framing = parts.differ = 0;
  for (let t = 0; t < ticks; t++) {
    for (let r = 0; r < ROOMS; r++) {
      const room = rooms[r]!;
      commands(room, r);
      if (cold) pollute();
      const t0 = performance.now();
      room.runTicks(1);
      total += performance.now() - t0;
    }
    // Lets the recordings' syncs land, so commands are acknowledged as they are live.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const perTick = (ms: number) => (ms / (ticks * ROOMS)) * 1000;
  partsBy[cold ? 'cold' : 'warm'].push({ framing: perTick(parts.framing), differ: perTick(parts.differ) });
  return perTick(total);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load = (): string => loadavg()[0]!.toFixed(2);

console.log(
  `# room tick benchmark — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}; ${ROOMS} rooms × ` +
    `${STUDENTS} students, ${REPS} reps of ${TICKS} ticks per mode, caches polluted with ${POLLUTE_MB} MB` +
    (values['host-leaves'] ? '; hosts left' : '; hosts attached') +
    (COMMAND_CHANCE_PER_TICK > 0 ? `; a command from each student every ${COMMAND_EVERY_SEC} s` : '; no commands'),
);
const loadStart = load();
await run(Math.max(100, TICKS), false); // warm-up: the compiler settles, rooms fill up
partsBy.warm.length = 0;
const warm: number[] = [];
const cold: number[] = [];
for (let rep = 0; rep < REPS; rep++) {
  warm.push(await run(TICKS, false));
  cold.push(await run(TICKS, true));
}
const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
console.log(
  `  warm caches   µs per room tick: ${fmt(warm)} (median ${median(warm).toFixed(0)}; ${(median(warm) / STUDENTS).toFixed(2)} µs per student frame)`,
);
console.log(
  `  cold caches   µs per room tick: ${fmt(cold)} (median ${median(cold).toFixed(0)}; ${(median(cold) / STUDENTS).toFixed(2)} µs per student frame)`,
);
// Each rep's cold run follows its warm one on the same rooms (they grow busier as the session goes on): ratios by pair.
const ratios = cold.map((c, i) => c / warm[i]!);
console.log(
  `  cold / warm   ${ratios.map((r) => r.toFixed(2)).join(', ')} by rep (median ${median(ratios).toFixed(2)}×)`,
);
if (values.parts) {
  for (const mode of ['warm', 'cold'] as const) {
    const f = partsBy[mode].map((p) => p.framing);
    const d = partsBy[mode].map((p) => p.differ);
    console.log(`  ${mode} parts    µs per room tick in the frames: ${fmt(f)} (median ${median(f).toFixed(0)}), of which the frame differ: ${fmt(d)} (median ${median(d).toFixed(0)})`);
  }
}
console.log(
  `  frames built  ${frames} (checks the rooms ran); load average (1 min) ${loadStart} at the start, ${load()} at the end`,
);
rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
