import { encodeLeaderboard, encodeNodePatch, type LeaderboardWire, type StudentFrame } from '../../shared/protocol/frames.ts';
import type { LeaderboardView, PodView, Snapshot } from '../../shared/protocol/views.ts';
import { dict } from '../../shared/util/dict.ts';
import { activePod } from '../../shared/sim/podLifecycle.ts';
import type { SimEvent, SimState } from '../../shared/sim/types.ts';
import { RecentHistory } from './RecentHistory.ts';
import { FrameBatch } from './FrameBatch.ts';
import { FrameDiffer, type FrameLookups } from './FrameDiffer.ts';
import { JsonBytes } from './JsonBytes.ts';
import type { Participant } from './participants.ts';
import type { RoomCore } from './RoomCore.ts';
import { trimForStudent } from './studentEvents.ts';
import { ownFrameBytes, writeSharedFrame, writeStudentFrame, writeViewerDelta } from './frameBytes.ts';
import { concernsStudent, isNotable, nodeView, podView } from './views.ts';

const RECENT_EVENTS = 50;
const LEADERBOARD_ROWS = 10;

/**
 * What each role receives: full snapshots on join or reset, and after each pump compact frames (volatile: a missed
 * one is resynced from a snapshot, never kept for connection-state recovery; a student's own events ride in it), and
 * reliably, one broadcast per room where they are the same for everyone: the events since the last frame (all of
 * them to host and projector, not kept for recovery; the node-wide ones to every phone) and the leaderboard. Host
 * and presenter see every pod; a student sees their own pod and the node; a spectator sees the node.
 */
export class RoomFraming {
  readonly #c: RoomCore;
  #frames: FrameDiffer;
  #pendingEvents: SimEvent[] = [];
  #recent: SimEvent[] = [];
  /** The last minute of memory, for pages that reload or come late (their charts start full). */
  #history = new RecentHistory();
  #broadcasts = 0;
  /**
   * The standings as last published (G5: one score everywhere). Pod views, the roster, the leaderboard and a student's
   * own line all show these until the next publication, so no two surfaces ever show a slot two scores.
   */
  #published: { tick: number; rows: LeaderboardView['rows'] } | null = null;
  /** The rows the last leaderboard broadcast carried (encoded), so an unchanged board is not sent again. */
  #lastBoard = '';

  /** The students' and spectators' frames of a tick, and the part they share (made once, refilled each tick). */
  readonly #batch = new FrameBatch();
  readonly #shared = new JsonBytes(256);
  /** A student's own part of their frame, filled again for each student. */
  readonly #own = ownFrameBytes();
  /** The spectators' own part, one for all of them: only the events that concern every pod. */
  readonly #spectators = ownFrameBytes();
  /** Each slot's owner and score, as the frame differ asks for them (made once, not once a frame). */
  readonly #lookups: FrameLookups;

  constructor(core: RoomCore) {
    this.#c = core;
    this.#frames = new FrameDiffer(core.state.tick);
    this.#lookups = {
      // Owners change only with the roster's slots, scores only when they are published.
      get version() {
        return core.roster.version + core.scoresVersion;
      },
      ownerOf: (slot) => core.roster.bySlot(slot)?.nickname ?? null,
      scoreOf: (slot) => core.scoreOf(slot),
    };
  }

  /** A fresh simulation: the next frame carries full views, and old events are forgotten. */
  reset(): void {
    this.#frames.reset(this.#c.state.tick);
    this.#pendingEvents = [];
    this.#recent = [];
    this.#lastBoard = '';
    this.#history.clear();
    this.#publish();
  }

  /** Sample the chart history (every HISTORY_EVERY_TICKS ticks). */
  sampleHistory(s: SimState): void {
    this.#history.sample(s);
  }

  /** Scores or seats changed outside a tick: the leaderboard is computed again. */
  invalidateStandings(): void {
    this.#publish();
  }

  /**
   * Publish the standings now and send the leaderboard to everyone (a round's end, a CSV download): what they see
   * then is what the podium, the cards and the CSV say.
   */
  publishNow(): void {
    this.#publish();
    this.#sendLeaderboards();
  }

  /** G5: compute the standings from the game's stats and make them the scores every view shows. */
  #publish(): void {
    const c = this.#c;
    // G7: game scores, ranks 1..n without shared places.
    const rows = c.game.standings(c.roster.seats());
    this.#published = { tick: c.state.tick, rows };
    c.publishScores(rows);
  }

  /**
   * The board to everyone in one broadcast, and to each student whose place moved their place at once: a frame that
   * changes nothing else (it follows the last frame, so the client's chain holds), sent reliably so it is not lost.
   */
  #sendLeaderboards(): void {
    const c = this.#c;
    const { rows } = this.#published!;
    this.#sendLeaderboard(rows);
    const last = this.#frames.lastTick;
    for (const p of c.roster.values()) {
      if (p.conns.size === 0 || p.role !== 'student') continue;
      const y = this.#placeChange(p, rows);
      if (y !== undefined) for (const conn of p.conns) c.port.send(conn, 'state:frame', { t: last, s: last, y });
    }
  }

  /** A student's [rank, score] (0 = no place) when it differs from what they were last told, else undefined. */
  #placeChange(p: Participant, rows: LeaderboardView['rows']): [number, number] | 0 | undefined {
    const mine = rows.find((r) => r.slot === p.slot);
    const key = placeKey(mine);
    if (key === (p.lastYou ?? '')) return undefined;
    p.lastYou = key;
    return mine ? [mine.rank, mine.score] : 0;
  }

  /** Keep a tick's notable events for the next frame. */
  collect(events: readonly SimEvent[]): void {
    for (const e of events) if (isNotable(e)) this.#pendingEvents.push(e);
  }

  /** Every connection gets a full snapshot (after a reset or a new round). */
  sendSnapshots(): void {
    for (const conn of this.#c.conns.keys()) this.#c.port.send(conn, 'state:snapshot', this.snapshotFor(conn));
  }

  /** The full view for one connection, consistent with the delta chain (its tick is the last frame's). */
  snapshotFor(conn: string): Snapshot {
    const c = this.#c;
    const info = c.conns.get(conn);
    const role = info?.role ?? 'spectator';
    const s = c.state;
    const pods = dict<PodView>();
    let recentEvents: SimEvent[];
    if (role === 'host' || role === 'presenter') {
      for (const p of s.pods) pods[p.name] = podView(s, p, c.roster.bySlot(p.slot)?.nickname ?? null, c.scoreOf(p.slot));
      recentEvents = this.#recent;
    } else {
      const slot = info?.participant?.slot ?? null;
      const own = slot ? activePod(s, slot) : undefined;
      if (own && info?.participant) {
        pods[own.name] = podView(s, own, info.participant.nickname, c.scoreOf(own.slot));
        info.participant.lastPodName = own.name;
      }
      recentEvents = this.#recent.filter((e) => concernsStudent(e, slot)).map((e) => trimForStudent(e, slot));
    }
    const everyone = role === 'host' || role === 'presenter';
    const snap: Snapshot = {
      tick: s.tick,
      session: c.meta(),
      node: nodeView(s),
      pods,
      leaderboard: this.#leaderboard(info?.participant ?? null),
      recentEvents,
      history: this.#history.view(everyone ? null : (info?.participant?.slot ?? null), everyone),
    };
    if (role === 'host') snap.participants = c.roster.views();
    snap.game = c.game.view(role, c.answerKey(info?.participant ?? null));
    return snap;
  }

  #leaderboard(forWhom: Participant | null): LeaderboardView {
    if (!this.#published) this.#publish();
    const { tick, rows } = this.#published!;
    const mine = forWhom ? rows.find((r) => r.slot === forWhom.slot) : undefined;
    // The frames that follow this snapshot say the place again only when it moves.
    if (forWhom) forWhom.lastYou = placeKey(mine);
    return { tick, rows: rows.slice(0, LEADERBOARD_ROWS), you: mine ? { rank: mine.rank, score: mine.score } : null };
  }

  /**
   * One frame after a pump. Everything the same for a room is written once: the viewers' full delta and the
   * spectators' frame (bytes, in the tick's batch), node-wide events and the leaderboard (one broadcast each). A
   * student gets one small volatile frame of their own in the batch: the node's changes and their pod's, under short
   * keys, and the events that are theirs.
   */
  broadcast(): void {
    const c = this.#c;
    const s = c.state;
    const port = c.port;
    this.#broadcasts++;
    // Every Nth frame, or when the simulation ran N seconds since (big steps: a fast speed, a test's runTicks).
    const every = c.o.leaderboardEvery ?? 10;
    const leaderboardDue =
      this.#broadcasts % every === 0 || !this.#published || s.tick - this.#published.tick >= every * 10;
    // Published before the frame is built, so this frame's pod scores and this leaderboard are the same numbers.
    if (leaderboardDue) this.#publish();
    // The viewers' delta only while a host or projector is attached: one who attaches later starts from a snapshot
    // at this frame's tick, and the next delta follows it.
    const viewed = c.viewerConns.size > 0;
    const f = this.#frames.next(s, this.#lookups, viewed);
    const since = f.since;

    // Built once: every student's frame shares these objects, so only the pod part is per student.
    const basic: StudentFrame = f.nodePatch ? { t: s.tick, s: since, n: encodeNodePatch(f.nodePatch) } : { t: s.tick, s: since };

    const events = this.#pendingEvents;
    this.#pendingEvents = [];
    for (const e of events) this.#recent.push(e);
    if (this.#recent.length > RECENT_EVENTS) this.#recent.splice(0, this.#recent.length - RECENT_EVENTS);
    const personal = events.filter((e) => !isNodeWide(e));
    const rows = leaderboardDue ? this.#published!.rows : null;

    // Volatile frames first: socket.io drops a volatile packet while an earlier write to the socket is in flight.
    // The shared part is encoded once; each student's bytes only add their own pod and place.
    const shared = this.#shared;
    shared.len = 0;
    writeSharedFrame(shared, basic);
    const batch = this.#batch;
    batch.reset();
    const out = batch.out;
    if (f.viewed) {
      batch.begin();
      writeViewerDelta(out, f, this.#frames.viewerPods, this.#frames.viewerPatches);
      batch.end(c.viewerConns, 'state:delta');
    }
    for (const p of c.roster.values()) {
      if (p.conns.size === 0 || p.role !== 'student' || !p.slot) continue;
      const own = this.#own;
      own.patch = null;
      own.P = null;
      own.g = null;
      // The frame's pick for the slot, not activePod: that would scan every pod once per student.
      const seen = this.#frames.podOf(p.slot);
      if (seen !== undefined) {
        const name = seen.pod.name;
        if (name !== p.lastPodName) {
          own.P = seen.view;
          if (p.lastPodName) own.g = p.lastPodName;
          p.lastPodName = name;
        } else if (seen.wireLen > 0) {
          own.patch = seen.wireIn.buf;
          own.patchAt = seen.wireAt;
          own.patchLen = seen.wireLen;
        }
      }
      own.y = rows ? (this.#placeChange(p, rows) ?? null) : null;
      own.e = personal.length > 0 ? eventsFor(personal, p.slot) : null;
      batch.begin();
      writeStudentFrame(out, shared, own);
      batch.end(p.conns);
    }
    // Spectators (up to 250 in a big room) get the shared part alone, one payload for all of them, by the same path:
    // a socket.io broadcast would run each of them through its adapter and engine.io's queue.
    if (c.spectatorConns.size > 0) {
      const theirs = this.#spectators;
      // What concerns every pod (the node's conditions, a global OOM's top rows) concerns a spectator too.
      theirs.e = personal.length > 0 ? eventsFor(personal, null) : null;
      batch.begin();
      writeStudentFrame(out, shared, theirs);
      batch.end(c.spectatorConns);
    }
    if (batch.size > 0) port.sendFrames(batch);

    // The board as it changes, to host and projector only: a phone shows its own place (`y`, in its frame), never
    // the rows, so they would be a message a second to every phone for nothing. Host and projector attach again on
    // every connect and get the board and the recent events in their snapshot: what goes to them is not kept for
    // connection-state recovery (`live`).
    const board = leaderboardDue ? this.#changedBoard(this.#published!.rows) : null;
    if (board) port.broadcast(c.channels.viewers, 'leaderboard:update', board, 'live');

    if (events.length) {
      // To the projector, not the host: the host's page shows no events (the projector's ticker and kill overlay do),
      // and a message of its own after nearly every frame, kept or not, is a write of its own.
      port.broadcast(c.channels.presenters, 'sim:events', { tick: s.tick, events }, 'live');
      const nodeWide = events.filter(isNodeWide);
      if (nodeWide.length) port.broadcast(c.channels.players, 'sim:events', { tick: s.tick, events: nodeWide });
    }
  }

  /** The top rows to everyone in one reliable broadcast (a round's end, a CSV download: moments that must not be missed). */
  #sendLeaderboard(rows: LeaderboardView['rows']): void {
    const board = this.#encodeBoard(rows);
    this.#lastBoard = JSON.stringify(board.r);
    this.#c.port.broadcast(this.#c.channels.all, 'leaderboard:update', board);
  }

  /** The top rows when they differ from the last board sent, else null. */
  #changedBoard(rows: LeaderboardView['rows']): LeaderboardWire | null {
    const board = this.#encodeBoard(rows);
    const key = JSON.stringify(board.r);
    if (key === this.#lastBoard) return null;
    this.#lastBoard = key;
    return board;
  }

  #encodeBoard(rows: LeaderboardView['rows']): LeaderboardWire {
    return encodeLeaderboard(this.#published?.tick ?? this.#c.state.tick, rows.slice(0, LEADERBOARD_ROWS));
  }
}

/** What a student was last told of their place, to send it again only when it moves. */
function placeKey(row: { rank: number; score: number } | undefined): string {
  return row ? `${row.rank}:${row.score}` : '';
}

/**
 * The events among `personal` that concern `slot` (null: a spectator), as the JSON text of a frame's `e`, or null
 * when there are none. They ride in the student's frame: a frame lost is a chain broken, and the resync's snapshot
 * carries them again (`recentEvents`), so no message is kept per student for connection-state recovery.
 */
function eventsFor(personal: readonly SimEvent[], slot: string | null): string | null {
  let mine: SimEvent[] | null = null;
  for (const e of personal) if (concernsStudent(e, slot)) (mine ??= []).push(trimForStudent(e, slot));
  return mine === null ? null : JSON.stringify(mine);
}

/** Events every student and spectator receives alike (a global OOM is not: each student sees their own row). */
function isNodeWide(e: SimEvent): boolean {
  return e.type === 'memory_pressure' || e.type === 'traffic';
}
