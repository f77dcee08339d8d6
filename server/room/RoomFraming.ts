import type { Delta, LeaderboardView, PodView, Snapshot } from '../../shared/protocol/views.ts';
import { dict } from '../../shared/util/dict.ts';
import { activePod } from '../../shared/sim/podLifecycle.ts';
import type { SimEvent } from '../../shared/sim/types.ts';
import { FrameDiffer } from './FrameDiffer.ts';
import type { Participant } from './participants.ts';
import type { RoomCore } from './RoomCore.ts';
import { trimForStudent } from './studentEvents.ts';
import { concernsStudent, isNotable, nodeView, podView } from './views.ts';

const RECENT_EVENTS = 50;
const LEADERBOARD_ROWS = 10;

/**
 * What each role receives: full snapshots on join or reset, and after each pump compact deltas (volatile), the
 * events since the last frame and the leaderboard (reliable). Host and presenter see every pod; a student sees
 * their own pod and the node; a spectator sees the node.
 */
export class RoomFraming {
  readonly #c: RoomCore;
  #frames: FrameDiffer;
  #pendingEvents: SimEvent[] = [];
  #recent: SimEvent[] = [];
  #broadcasts = 0;
  /**
   * The standings as last published (G5: one score everywhere). Pod views, the roster, the leaderboard and a student's
   * own line all show these until the next publication, so no two surfaces ever show a slot two scores.
   */
  #published: { tick: number; rows: LeaderboardView['rows'] } | null = null;

  constructor(core: RoomCore) {
    this.#c = core;
    this.#frames = new FrameDiffer(core.state.tick);
  }

  /** A fresh simulation: the next frame carries full views, and old events are forgotten. */
  reset(): void {
    this.#frames.reset(this.#c.state.tick);
    this.#pendingEvents = [];
    this.#recent = [];
    this.#publish();
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

  #sendLeaderboards(): void {
    const c = this.#c;
    for (const p of c.roster.values()) {
      if (p.conns.size === 0) continue;
      const board = this.#leaderboard(p);
      for (const conn of p.conns) c.port.send(conn, 'leaderboard:update', board);
    }
    for (const [conn, info] of c.conns) {
      if (info.role === 'host' || info.role === 'presenter') c.port.send(conn, 'leaderboard:update', this.#leaderboard(null));
    }
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
    const snap: Snapshot = {
      tick: s.tick,
      session: c.meta(),
      node: nodeView(s),
      pods,
      leaderboard: this.#leaderboard(info?.participant ?? null),
      recentEvents,
    };
    if (role === 'host') snap.participants = c.roster.views();
    snap.game = c.game.view(role, c.answerKey(info?.participant ?? null));
    return snap;
  }

  #leaderboard(forWhom: Participant | null): LeaderboardView {
    if (!this.#published) this.#publish();
    const { tick, rows } = this.#published!;
    const mine = forWhom ? rows.find((r) => r.slot === forWhom.slot) : undefined;
    return { tick, rows: rows.slice(0, LEADERBOARD_ROWS), you: mine ? { rank: mine.rank, score: mine.score } : null };
  }

  /** One frame after a pump: deltas per role, the events since the last frame, the leaderboard when due. */
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
    const f = this.#frames.next(s, (slot) => c.roster.bySlot(slot)?.nickname ?? null, (slot) => c.scoreOf(slot));
    const since = f.since;

    const viewerDelta: Delta = { t: s.tick, since };
    if (f.nodePatch) viewerDelta.node = f.nodePatch;
    if (f.patches.size) viewerDelta.pods = dict(f.patches);
    if (f.gone.length) viewerDelta.gone = f.gone;
    port.broadcast(c.channels.viewers, 'state:delta', viewerDelta, true);

    const basic: Delta = f.nodePatch ? { t: s.tick, since, node: f.nodePatch } : { t: s.tick, since };
    port.broadcast(c.channels.spectators, 'state:delta', basic, true);

    const events = this.#pendingEvents;
    this.#pendingEvents = [];
    for (const e of events) {
      this.#recent.push(e);
    }
    if (this.#recent.length > RECENT_EVENTS) this.#recent.splice(0, this.#recent.length - RECENT_EVENTS);
    // Reliable messages go to each viewer socket rather than through a socket.io room: socket.io keeps every
    // reliable room broadcast for the recovery window, and kill events with their candidate tables add up.
    const viewers: string[] = [];
    for (const [conn, info] of c.conns) if (info.role === 'host' || info.role === 'presenter') viewers.push(conn);
    if (events.length) for (const v of viewers) port.send(v, 'sim:events', { tick: s.tick, events });

    for (const p of c.roster.values()) {
      if (p.conns.size === 0) continue;
      if (p.role === 'student' && p.slot) {
        const d: Delta = { ...basic };
        // The frame's slot index, not activePod: that would scan every pod once per student.
        const own = f.podOfSlot.get(p.slot);
        if (own) {
          if (own.name !== p.lastPodName) {
            d.pods = dict([[own.name, this.#frames.view(own.name)!]]);
            if (p.lastPodName) d.gone = [p.lastPodName];
            p.lastPodName = own.name;
          } else {
            const patch = f.patches.get(own.name);
            if (patch) d.pods = dict([[own.name, patch]]);
          }
        }
        for (const conn of p.conns) port.send(conn, 'state:delta', d, true);
      }
      if (events.length) {
        const mine = events.filter((e) => concernsStudent(e, p.slot)).map((e) => trimForStudent(e, p.slot));
        if (mine.length) for (const conn of p.conns) port.send(conn, 'sim:events', { tick: s.tick, events: mine });
      }
      if (leaderboardDue) {
        const board = this.#leaderboard(p);
        for (const conn of p.conns) port.send(conn, 'leaderboard:update', board);
      }
    }
    if (leaderboardDue && viewers.length) {
      const board = this.#leaderboard(null);
      for (const v of viewers) port.send(v, 'leaderboard:update', board);
    }
  }
}
