import type { Scenario } from '../../shared/scenario/schema.ts';
import type { SimState } from '../../shared/sim/types.ts';
import type { FileRecorder } from '../recording/FileRecorder.ts';
import { StoreError, type RecordingStore } from '../recording/RecordingStore.ts';
import type { RecordingRoutesOptions, StartedSession } from '../recording/routes.ts';
import type { SessionRecorder } from '../recording/SessionRecorder.ts';
import { newRoomCode } from '../util/secrets.ts';
import { GameRestorer } from '../game/GameRestorer.ts';
import { continuedSeats, type ContinuedSeat } from './continuedSeats.ts';
import { ResumedSession } from './ResumedSession.ts';
import type { RoomGame } from '../game/RoomGame.ts';
import type { ResumedSeat } from '../room/participants.ts';

/** The part of the server's room registry the hooks need (structural: the registry fits it). */
export interface SessionRooms {
  open(s: {
    scenario: Scenario;
    seed?: number;
    speed: number;
    lateJoin: boolean;
    maxStudents?: number;
    initialState?: SimState;
    code?: string;
    hostKey?: string;
    ownerHash?: string;
    seats?: readonly ResumedSeat[];
    continuedSeats?: readonly ContinuedSeat[];
    game?: RoomGame;
  }): Promise<{ code: string; hostKey: string } | null>;
}

/** The recorder factory shape rooms are built with (server/room/recorderPort.ts). */
export interface HookedRecorderFactory {
  create(start: Parameters<RecordingStore['create']>[0]): SessionRecorder;
}

/**
 * Glue between recordings, the game and live rooms (so server/recording knows neither the game nor rooms): a recorder factory that hands a resumed session its reopened recording
 * (instead of starting a new file), and the two hooks of the recording routes — continue from a replay's moment,
 * resume an interrupted session under its old code. `rooms` is read lazily because the app builds the registry
 * after the factory.
 */
export function recordingSessionHooks(store: RecordingStore, rooms: () => SessionRooms) {
  const reopened = new Map<string, FileRecorder>();
  const origins = new Map<string, { recording: string; tick: number }>();

  const recorderFactory: HookedRecorderFactory = {
    create(start) {
      const again = reopened.get(start.code);
      if (again) {
        reopened.delete(start.code);
        return again;
      }
      const origin = origins.get(start.code);
      origins.delete(start.code);
      return store.create(origin ? { ...start, origin } : start);
    },
  };

  const optionsOf = (o: Record<string, unknown>) => ({
    speed: typeof o['speed'] === 'number' ? o['speed'] : 1,
    lateJoin: typeof o['lateJoin'] === 'boolean' ? o['lateJoin'] : true,
    maxStudents:
      typeof o['podSlots'] === 'number' && o['podSlots'] >= 1 ? Math.min(300, o['podSlots']) : undefined,
  });

  const continueSession: NonNullable<RecordingRoutesOptions['continueSession']> = async ({
    header,
    state,
    origin,
    actions,
    ownerHash,
  }) => {
    // The new room's code is not known before it exists: record the origin against the code the room will use.
    const code = newRoomCode();
    origins.set(code, origin);
    const room = await rooms().open({
      scenario: header.scenario,
      seed: header.seed,
      ...optionsOf(header.options),
      initialState: state,
      code,
      // Each pod of the moment keeps its seat: its student takes it back by name, a server bot plays on.
      continuedSeats: continuedSeats(actions, state),
      ownerHash,
    });
    if (!room) {
      origins.delete(code);
      throw new StoreError(
        'TOO_MANY_SESSIONS',
        'This server is running as many sessions as it can. End an old one first.',
        503,
      );
    }
    return started(room);
  };

  /** Reopen an interrupted session under its old code; `wasRunning`: it was running when the file stopped. */
  const reopen = async (id: string, auth: { hostKey?: string }) => {
    // The round it was in comes back too: its number, length, clock and scores, and the bots' plans.
    const restorer = new GameRestorer();
    // Who sat where, and whether it ran: the room's own host actions, read back on the way through the file.
    const resumed = new ResumedSession();
    const { header, state, recorder } = await store.resume(id, auth, { ...restorer.watch, onLine: resumed.onLine });
    reopened.set(header.code, recorder);
    const game = restorer.finish(state);
    // Earlier rounds were other recordings: score them again, so every round's CSV is on the dashboard again.
    for (const [round, csv] of await earlierRoundCsvs(id, header)) game.keepRoundCsv(round, csv);
    const room = await rooms().open({
      scenario: header.scenario,
      seed: header.seed,
      ...optionsOf(header.options),
      initialState: state,
      code: header.code,
      // The teacher proved they hold the key; keeping it lets the same browser resume again after another crash.
      hostKey: auth.hostKey,
      // Still the same teacher's session (and recording).
      ownerHash: typeof header.options['ownerSha256'] === 'string' ? header.options['ownerSha256'] : undefined,
      seats: resumed.seats,
      game,
    });
    if (!room) {
      reopened.delete(header.code);
      await recorder.abandon();
      throw new StoreError(
        'CODE_IN_USE',
        `A live session already uses code ${header.code}, or the server is full.`,
        409,
      );
    }
    return { session: started(room), wasRunning: resumed.wasRunning };
  };

  /** The recordings page's Resume: the room comes back paused, so students can return before the teacher resumes. */
  const resumeSession: NonNullable<RecordingRoutesOptions['resumeSession']> = async (id, auth) =>
    (await reopen(id, auth)).session;

  /**
   * A cluster's takeover of a room whose process died: as a resume, but the caller runs on a session that was
   * running when the file stopped (the recording says so, whatever Redis last heard).
   */
  const takeOverSession = async (id: string, hostKey: string): Promise<{ code: string; wasRunning: boolean }> => {
    const r = await reopen(id, { hostKey });
    return { code: r.session.code, wasRunning: r.wasRunning };
  };

  /** A recording's round, scored by replaying it through the game as the live room did (a resume's restorer). */
  const scoreRecording = async (id: string) => {
    const restorer = new GameRestorer();
    const { header, state } = await store.replay(id, restorer.watch);
    const game = restorer.finish(state);
    const round = game.lesson.roundNo;
    if (round === 0) throw new StoreError('NO_ROUND', `recording ${id} has no round to score (it never left the lobby)`, 404);
    return { csv: game.csv(restorer.seats(), state.tick)!, round, header };
  };
  const resultsCsv: NonNullable<RecordingRoutesOptions['resultsCsv']> = async (id) => {
    const { csv, round } = await scoreRecording(id);
    return { csv, round };
  };

  /**
   * The CSVs of the rounds a resumed session played before the one it resumes in: its other recordings (same code,
   * same teacher's key), each scored again; for a round number played twice (a reset), the later recording.
   */
  const earlierRoundCsvs = async (id: string, header: { code: string; options: Record<string, unknown> }) => {
    const out = new Map<number, string>();
    const key = header.options['hostKeySha256'];
    const mine = (await store.list())
      .filter((r) => r.code === header.code && r.id !== id && r.state !== 'live' && r.source === 'live')
      .sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
    for (const r of mine) {
      try {
        const scored = await scoreRecording(r.id);
        if (scored.header.options['hostKeySha256'] !== key) continue;
        out.set(scored.round, scored.csv);
      } catch {
        // A round that cannot be scored (no round, unreadable) is left out; the others still come back.
      }
    }
    return out;
  };

  return { recorderFactory, continueSession, resumeSession, takeOverSession, resultsCsv };
}

function started(room: { code: string; hostKey: string }): StartedSession {
  return { code: room.code, hostKey: room.hostKey, hostPath: `/host/${room.code}` };
}
