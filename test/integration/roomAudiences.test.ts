/**
 * What a room sends each tick depends on who is there (docs/performance.md, "What a frame costs now"): the viewers'
 * delta only while a host or projector is attached, and the spectators' frame as one text written with the students'
 * frames. A port that records every call shows it, without sockets.
 */
import { describe, expect, it } from 'vitest';
import type { RoomPort } from '../../server/room/port.ts';
import { podSlotsFor, Room } from '../../server/room/Room.ts';
import type { StudentFrame } from '../../shared/protocol/frames.ts';
import type { Delta } from '../../shared/protocol/views.ts';
import { builtinScenario } from '../../shared/scenario/builtin.ts';
import { keepRecordings, type KeptRecording } from './helpers.ts';

function recordingPort() {
  const broadcasts: { channel: string; event: string }[] = [];
  const frames: { conn: string; frame: StudentFrame }[] = [];
  const deltas: { conn: string; delta: Delta }[] = [];
  const port: RoomPort = {
    send() {},
    sendFrames(list) {
      for (const [conn, json] of list.texts()) frames.push({ conn, frame: JSON.parse(json) as StudentFrame });
      for (const [conn, json] of list.texts('state:delta')) deltas.push({ conn, delta: JSON.parse(json) as Delta });
    },
    broadcast(channel, event) {
      broadcasts.push({ channel, event });
    },
    join() {},
    leave() {},
    disconnect() {},
  };
  return { port, broadcasts, frames, deltas };
}

/** A room of the classroom scenario with two pod slots, on a clock that never fires (the test runs its ticks). */
function classroomRoom(code: string, port: RoomPort, kept: KeptRecording[] = []): Room {
  const scenario = builtinScenario('classroom')!;
  return new Room({
    code,
    scenario,
    seed: 5,
    speed: 1,
    lateJoin: true,
    podSlots: podSlotsFor(scenario, 2),
    port,
    clock: { now: () => 0, schedule: () => () => {} },
    recorders: keepRecordings(kept),
    log: { info() {}, warn() {}, error() {} },
  });
}

describe('what a room sends, by who is in it', () => {
  it('no viewers’ delta while no host or projector is attached; spectators get the shared frame with the students’', () => {
    const { port, broadcasts, frames, deltas } = recordingPort();
    const kept: KeptRecording[] = [];
    const room = classroomRoom('AUDNCE', port, kept);
    expect(room.attachHost('host', room.hostKey).ok).toBe(true);
    for (const name of ['ana', 'ben', 'cy']) expect(room.joinStudent(name, { nickname: name }).ok).toBe(true);
    expect(room.roleOf('cy')).toBe('spectator'); // two pods, three names
    expect(room.start().ok).toBe(true);

    room.runTicks(1);
    expect(deltas.map((d) => d.conn)).toEqual(['host']); // the host is there
    expect(Object.keys(deltas[0]!.delta.pods ?? {})).toHaveLength(2); // both pods, new to the view

    room.detach('host');
    broadcasts.length = 0;
    frames.length = 0;
    deltas.length = 0;
    for (let i = 0; i < 5; i++) room.runTicks(1);
    expect(deltas).toEqual([]);
    // Every tick: one frame each for the two students and the spectator; the spectator's carries no pod and no place.
    expect(frames.map((f) => f.conn).sort()).toEqual(
      [...Array(5).fill('ana'), ...Array(5).fill('ben'), ...Array(5).fill('cy')].sort(),
    );
    const spectator = frames.filter((f) => f.conn === 'cy').map((f) => f.frame);
    for (const f of spectator) expect(f.p ?? f.P ?? f.y).toBeUndefined();
    // Each frame follows the one before (`s` is the last `t`), so a spectator's chain holds.
    expect(spectator.slice(1).map((f) => f.s)).toEqual(spectator.slice(0, -1).map((f) => f.t));
    // Nothing reaches the spectators by a broadcast of frames.
    expect(broadcasts.filter((b) => b.event === 'state:frame')).toEqual([]);

    expect(room.attachHost('host2', room.hostKey).ok).toBe(true);
    room.runTicks(1);
    expect(deltas.map((d) => d.conn)).toEqual(['host2']);
    // Nothing reaches the viewers by a broadcast of deltas either: theirs goes with the frames.
    expect(broadcasts.filter((b) => b.event === 'state:delta')).toEqual([]);

    // A spectator who leaves gets no more frames.
    room.detach('cy');
    frames.length = 0;
    room.runTicks(1);
    expect(frames.map((f) => f.conn).sort()).toEqual(['ana', 'ben']);
  });

  it('a global OOM rides in every phone\'s frame: each student with their own place, the spectators without one', async () => {
    const { port, frames } = recordingPort();
    const room = classroomRoom('GLOBAL', port);
    for (const name of ['ana', 'ben', 'cy']) expect(room.joinStudent(name, { nickname: name }).ok).toBe(true);
    expect(room.roleOf('cy')).toBe('spectator');
    expect(room.start().ok).toBe(true);
    room.runTicks(20);
    // No limits and a fast leak each: the node itself runs out of memory.
    for (const name of ['ana', 'ben']) {
      expect((await room.podCommand(name, { type: 'set_resources', requestMiB: null, limitMiB: null })).ok).toBe(true);
      expect((await room.podCommand(name, { type: 'set_workload', workload: { leakMiBps: 400 } })).ok).toBe(true);
    }
    const killIn = (conn: string) =>
      frames.filter((f) => f.conn === conn).flatMap((f) => f.frame.e ?? []).find((e) => e.type === 'oom_kill' && e.constraint === 'global');
    for (let i = 0; i < 3000 && !killIn('cy'); i++) room.runTicks(1);
    const seen = killIn('cy');
    expect(seen).toMatchObject({ type: 'oom_kill', constraint: 'global' });
    // The spectator has no pod, so no place in the ranking; each student has theirs.
    expect(seen && 'studentRank' in seen).toBe(false);
    for (const name of ['ana', 'ben']) expect(killIn(name)).toMatchObject({ type: 'oom_kill', constraint: 'global', studentRank: { of: expect.any(Number) } });
    // What is one student's alone (their container's start and end) never reaches the spectator.
    const studentEvents = frames.filter((f) => f.conn !== 'cy').flatMap((f) => f.frame.e ?? []);
    expect(studentEvents.some((e) => e.type === 'terminated')).toBe(true);
    const spectatorEvents = frames.filter((f) => f.conn === 'cy').flatMap((f) => f.frame.e ?? []);
    expect(spectatorEvents.filter((e) => e.type === 'terminated' || e.type === 'started')).toEqual([]);
  });
});
