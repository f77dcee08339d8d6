/**
 * One score everywhere (docs/game.md G5, PM6): over a recorded round played by students and server bots, the
 * leaderboard, the roster (pod views), a student's own line, the podium, the post-mortem cards and the CSV show each
 * slot the same score at every moment, and the recording, scored again, gives the same CSV and podium.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RecordingStore } from '../../server/recording/RecordingStore.ts';
import { GameRestorer } from '../../server/game/GameRestorer.ts';
import type { RoomPort, ServerEvent, ServerPayload } from '../../server/room/port.ts';
import { podSlotsFor, Room } from '../../server/room/Room.ts';
import { scoreLedger } from '../../shared/game/postmortem.ts';
import { builtinScenario } from '../../shared/scenario/builtin.ts';
import { decodeLeaderboard, type LeaderboardWire, type StudentFrame } from '../../shared/protocol/frames.ts';
import type { LeaderboardView, Snapshot } from '../../shared/protocol/views.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'oom-one-score-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/**
 * An in-memory port that keeps what each connection knows of the standings, as a client would: the board from its
 * snapshot or the room's leaderboard broadcast, its own place from the snapshot or the `y` of its frames.
 */
function memoryPort() {
  const boards = new Map<string, LeaderboardView>();
  const members = new Map<string, Set<string>>();
  const setYou = (conn: string, y: StudentFrame['y']) => {
    if (y === undefined) return;
    const b = boards.get(conn) ?? { tick: 0, rows: [], you: null };
    boards.set(conn, { ...b, you: y === 0 ? null : { rank: y[0], score: y[1] } });
  };
  const setRows = (conn: string, w: LeaderboardWire) => {
    boards.set(conn, { ...decodeLeaderboard(w), you: boards.get(conn)?.you ?? null });
  };
  const port: RoomPort = {
    send<E extends ServerEvent>(conn: string, event: E, payload: ServerPayload<E>) {
      if (event === 'state:snapshot') boards.set(conn, (payload as Snapshot).leaderboard);
      if (event === 'state:frame') setYou(conn, (payload as StudentFrame).y);
      if (event === 'leaderboard:update') setRows(conn, payload as LeaderboardWire);
    },
    sendFrames(frames) {
      for (const [conn, json] of frames.texts()) setYou(conn, (JSON.parse(json) as StudentFrame).y);
    },
    broadcast<E extends ServerEvent>(channel: string, event: E, payload: ServerPayload<E>) {
      for (const conn of members.get(channel) ?? []) {
        if (event === 'leaderboard:update') setRows(conn, payload as LeaderboardWire);
        if (event === 'state:frame') setYou(conn, (payload as StudentFrame).y);
      }
    },
    join(conn, channel) {
      const set = members.get(channel) ?? new Set<string>();
      set.add(conn);
      members.set(channel, set);
    },
    leave(conn, channel) {
      members.get(channel)?.delete(conn);
    },
    disconnect() {},
  };
  return { port, boards };
}

const quiet = { info() {}, warn() {}, error() {} };
const csvScores = (csv: string) =>
  new Map(
    csv
      .trim()
      .split('\r\n')
      .slice(1)
      .map((line) => line.split(','))
      .map((cells) => [cells[2]!, Number(cells[3])] as const),
  );

describe('one score on every surface (G5)', () => {
  it('leaderboard, roster, own line, podium, cards and CSV agree at every moment, and the recording agrees too', async () => {
    const store = new RecordingStore({ dataDir });
    const { port, boards } = memoryPort();
    const scenario = builtinScenario('classroom')!;
    const room = new Room({
      code: 'ONESCR',
      scenario,
      seed: 13,
      speed: 1,
      lateJoin: true,
      podSlots: podSlotsFor(scenario, 6),
      port,
      clock: { now: () => 0, schedule: () => () => {} },
      recorders: { create: (start) => store.create(start) },
      log: quiet,
    });
    expect(room.attachHost('host', room.hostKey).ok).toBe(true);
    const students = ['Ayesha', 'Ben', 'Chen'];
    for (const n of students) expect(room.joinStudent(`conn-${n}`, { nickname: n }).ok).toBe(true);
    expect(room.fillBots('mixed', 3).ok).toBe(true);
    expect(room.startRound(undefined, 90).ok).toBe(true);

    let checked = 0;
    for (let t = 0; t < 900 && room.lesson.phase === 'round'; t++) {
      room.runTicks(1);
      const snap = room.snapshotFor('host');
      const board = new Map(snap.leaderboard.rows.map((r) => [r.slot, r.score]));
      // The roster reads each pod's score: the same as the leaderboard's, tick by tick.
      for (const pod of Object.values(snap.pods)) {
        if (board.has(pod.slot)) expect(pod.score, `${pod.slot} at ${room.state.tick}`).toBe(board.get(pod.slot));
      }
      // What each connection was last sent is the same standings.
      expect(boards.get('host')?.rows).toEqual(snap.leaderboard.rows);
      for (const n of students) {
        const mine = boards.get(`conn-${n}`)!;
        const row = snap.leaderboard.rows.find((r) => r.nickname === n);
        expect(mine.you).toEqual(row ? { rank: row.rank, score: row.score } : null);
      }
      checked++;
    }
    expect(room.lesson.phase).toBe('results');
    expect(checked).toBeGreaterThan(800);

    // At the results: podium, every card, the CSV, the roster and the last leaderboard are one set of numbers.
    const host = room.snapshotFor('host');
    const board = new Map(host.leaderboard.rows.map((r) => [r.slot, r.score]));
    expect(boards.get('host')?.rows).toEqual(host.leaderboard.rows);
    const csv = room.resultsCsv()!;
    const fromCsv = csvScores(csv);
    expect([...fromCsv.keys()].sort()).toEqual([...board.keys()].sort());
    for (const [slot, score] of board) expect(fromCsv.get(slot), slot).toBe(score);
    for (const p of host.game!.podium!) expect(p.score).toBe(board.get(p.slot));
    for (const pod of Object.values(host.pods)) if (board.has(pod.slot)) expect(pod.score).toBe(board.get(pod.slot));
    for (const n of students) {
      const card = room.snapshotFor(`conn-${n}`).game!.card!;
      expect(card.score).toBe(board.get(card.slot));
      expect(boards.get(`conn-${n}`)!.you!.score).toBe(card.score);
      // The card's lines add up to its one score.
      expect(card.ledger.reduce((a, l) => a + l.points, 0)).toBe(card.score);
    }
    // Scores moved with what happened: some slot lost requests to a kill or start-up.
    expect(host.leaderboard.rows.some((r) => r.score !== host.leaderboard.rows[0]!.score)).toBe(true);

    // The recorded round, scored again through the game, gives the same CSV and podium.
    const id = room.meta().recordingId!;
    await room.end('host');
    const restorer = new GameRestorer();
    const { state } = await store.replay(id, restorer.watch);
    const game = restorer.finish(state);
    expect(game.csv(restorer.seats(), state.tick)).toBe(csv);
    expect(game.view('host', null).podium).toEqual(host.game!.podium);
    for (const slot of board.keys()) {
      const s = game.stats.slots[slot]!;
      expect(s.score).toBe(board.get(slot));
      expect(scoreLedger(s).reduce((a, l) => a + l.points, 0)).toBe(s.score);
    }
    await store.closeAll();
  });
});
