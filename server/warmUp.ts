import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nextCommand, STRATEGIES } from './cli/botHabits.ts';
import { RecordingStore } from './recording/RecordingStore.ts';
import { RngCursor, seedRng } from '../shared/game/rng.ts';
import type { PodView } from '../shared/protocol/views.ts';
import { builtinScenario } from '../shared/scenario/builtin.ts';
import type { PodCommandBody } from '../shared/schemas/commands.ts';
import { TICKS_PER_SEC } from '../shared/sim/units.ts';
import type { RoomPort } from './room/port.ts';
import { podSlotsFor, Room } from './room/Room.ts';

/**
 * Before the first class: a few classroom rooms played in process, by student bots, for a few simulated minutes,
 * with nobody connected and nothing kept (their recordings go to a temporary directory, removed after). About a
 * second of CPU on the standard machine; `WARM_UP=0` skips it (server/main.ts).
 *
 * Why: V8 compiles the room's code (simulation, scores, frames, recording) for what it has seen, and a fresh server
 * sees a class's situations one by one as the class goes (an empty room, the students arriving, the first OOM kill,
 * the first CrashLoopBackOff, the first eviction); each throws away code compiled without it and compiles again.
 * Measured at 1,000 clients (2026-12-02, docs/performance.md), a fresh server spent 1.6× the bare socket.io server's
 * CPU in the first 20 s of load and 1.3× in the next 20 s, against 1.15–1.2× from the second minute on; most of the
 * first 20 s went to the compiler's threads. Played here first, those situations are known when the students come.
 * What it cannot reach: the code only real sockets run, and code V8 specialised to the warm-up's own objects, which
 * it drops once they are gone.
 */
export interface WarmUpOptions {
  rooms: number;
  students: number;
  /** Ticks played: the first room plays them all, each next room opens a share of them later. */
  ticks: number;
  /** Stop sooner than that (a slow machine should not delay the start for long). */
  maxMs: number;
}

export const DEFAULT_WARM_UP: WarmUpOptions = { rooms: 3, students: 50, ticks: 3000, maxMs: 4000 };

export interface WarmUpReport {
  ms: number;
  /** Ticks the rooms' simulations ran, all rooms together (read from their states, not counted by the loop). */
  roomTicks: number;
  /** Students' commands the rooms accepted and acknowledged by the end. */
  commands: number;
  /** Where its recordings went (removed by the time it returns). */
  dir: string;
}

/** A student bot's command about every 6.5 s, as the load benchmark's students send them. */
const COMMAND_CHANCE_PER_TICK = 1 / (6.5 * TICKS_PER_SEC);
/** A bot looks at its pod again at most this often (a snapshot per command would be garbage a live room never makes). */
const LOOK_AGAIN_TICKS = 5 * TICKS_PER_SEC;

const nobody: RoomPort = { send() {}, sendFrames() {}, broadcast() {}, join() {}, leave() {}, disconnect() {} };

/** A student joins a warm-up room every this many ticks (50 in 10 s): a class arrives after the teacher starts. */
const JOIN_EVERY_TICKS = 2;

/** The room as a teacher opens it: created and started, empty; the students join as it runs (see `arrive`). */
function openRoom(r: number, o: WarmUpOptions, store: RecordingStore): Room {
  const scenario = builtinScenario('classroom')!;
  const room = new Room({
    code: `WARMUP${r}`,
    scenario,
    seed: 1 + r,
    speed: 1,
    lateJoin: true,
    podSlots: podSlotsFor(scenario, o.students),
    port: nobody,
    clock: { now: () => 0, schedule: () => () => {} },
    recorders: { create: (s) => store.create(s) },
    log: { info() {}, warn() {}, error() {} },
  });
  room.attachHost(`h${r}`, room.hostKey);
  room.start();
  return room;
}

/**
 * Who arrives in room `r` at its tick `age`: the students one by one, then (every other room) a few spectators, a
 * big class's phones; in the other rooms the host leaves once everyone is in (no viewers' delta is built).
 */
function arrive(room: Room, r: number, age: number, o: WarmUpOptions): void {
  if (age % JOIN_EVERY_TICKS !== 0) return;
  const n = age / JOIN_EVERY_TICKS;
  if (n < o.students) room.joinStudent(`s${r}_${n}`, { nickname: `warm-up ${n}` });
  else if (r % 2 === 0 && n < o.students + 5) room.joinStudent(`v${r}_${n}`, { nickname: `spectator ${n}` });
  else if (r % 2 === 1 && n === o.students) room.detach(`h${r}`);
}

/**
 * Plays `o.rooms` rooms, the next one opening each time a share of the ticks has passed: code compiled while the
 * first room was in its middle minutes also meets a room's first ticks, as it will when the teachers arrive.
 */
export async function warmUpRooms(o: WarmUpOptions = DEFAULT_WARM_UP): Promise<WarmUpReport> {
  const t0 = performance.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'oom-arena-warm-up-'));
  const store = new RecordingStore({ dataDir });
  const rand = new RngCursor(seedRng(20261202));
  const rooms: Room[] = [];
  const opensEvery = Math.ceil(o.ticks / o.rooms);
  const opened: number[] = [];
  let roomTicks = 0;
  let commands = 0;
  try {
    const seen = new Map<string, { tick: number; pod: PodView | null }>();
    for (let t = 0; t < o.ticks && performance.now() - t0 < o.maxMs; t++) {
      if (t % opensEvery === 0) {
        rooms.push(openRoom(rooms.length, o, store));
        opened.push(t);
      }
      for (let r = 0; r < rooms.length; r++) {
        const room = rooms[r]!;
        arrive(room, r, t - opened[r]!, o);
        for (let i = 0; i < o.students; i++) {
          if (rand.next() >= COMMAND_CHANCE_PER_TICK) continue;
          const conn = `s${r}_${i}`;
          if (room.roleOf(conn) === null) continue; // not arrived yet
          let look = seen.get(conn);
          if (look === undefined || room.state.tick - look.tick >= LOOK_AGAIN_TICKS) {
            const pods = Object.values(room.snapshotFor(conn).pods) as PodView[];
            look = { tick: room.state.tick, pod: pods[0] ?? null };
            seen.set(conn, look);
          }
          const body = nextCommand(STRATEGIES[i % STRATEGIES.length]!, look.pod, () => rand.next(), true);
          // Through JSON, as the wire carries it (a bot's Math.round can give -0, which JSON makes 0).
          if (body) void room.podCommand(conn, JSON.parse(JSON.stringify(body)) as PodCommandBody).then((a) => (commands += a.ok ? 1 : 0));
        }
        room.runTicks(1);
      }
      // The recordings' syncs land, and their acks with them, as in a live room.
      if (t % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    for (const room of rooms) roomTicks += room.state.tick;
    for (const room of rooms) await room.end('shutdown');
    await store.closeAll();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { ms: Math.round(performance.now() - t0), roomTicks, commands, dir: dataDir };
}
