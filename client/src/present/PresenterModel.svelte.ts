import type uPlot from 'uplot';
import { dict, withKey, type Dict } from '../../../shared/util/dict.ts';
import type { HistoryView, NodeView, PodView } from '../../../shared/protocol/views.ts';
import type { NodeState, OomKillEvent, PodState, SimEvent } from '../../../shared/sim/types.ts';
import { nodeViewFromState, podViewFromState } from '../lib/podView.ts';
import { NodeHistory, type BandInfo, type ChartMark } from '../charts/NodeHistory.ts';
import { appendCapped, feedLines, type FeedLine } from '../lib/feed.ts';

/** One snapshot of the room as the presenter draws it (a live broadcast, or a replay's state at a tick). */
export interface StageFrame {
  tick: number;
  node: NodeView;
  pods: readonly PodView[];
  /** Events since the previous frame. */
  events: readonly SimEvent[];
}

/** A frame straight from the simulation (a replay or the demo): converted to views on the way in. */
export interface SimStageFrame {
  tick: number;
  node: NodeState;
  pods: readonly PodState[];
  events: readonly SimEvent[];
}

/** How long the kill overlay stays up, in sim ticks (8 s), unless a newer kill replaces it. */
const KILL_OVERLAY_TICKS = 80;
/**
 * A room of 50 leaking pods has a cgroup OOM kill every few seconds: after one is explained, further cgroup kills
 * only flash their tile and print their log lines for this long (20 s). A global OOM is always explained.
 */
const MEMCG_QUIET_TICKS = 200;
/** At 10× a kill's 8 sim-seconds pass in 0.8 s: the overlay also stays at least this long in wall time. */
const KILL_OVERLAY_MIN_MS = 6000;
/**
 * The legend's numbers refresh every half sim-second: eight numbers changing ten times a second cannot be read,
 * only re-laid out. A change of which pods are named shows at once.
 */
const LEGEND_TICKS = 5;
/** The ticker's newest line is lit when printed and fades out over this long, in steps of the frames. */
const FEED_LIT_MS = 400;
const FEED_LIT_STEPS = 4;
/** How many events the model remembers having taken (a snapshot brings the last 50 again). */
const SEEN_EVENTS = 500;

/**
 * What the presenter shows, derived from a stream of frames: the memory history for the stacked chart, the
 * ticker's log lines and the kill being explained. Live and replay views both feed it; it owns no socket.
 */
export class PresenterModel {
  #history = new NodeHistory(600);
  #names: (slot: string) => string;

  tick = $state(0);
  node = $state.raw<NodeView | null>(null);
  pods = $state.raw<readonly PodView[]>([]);
  /** Stacked chart columns: fixed-length buffers, replaced as a whole per frame. */
  chart = $state.raw<uPlot.AlignedData>([new Float64Array(0)]);
  bands = $state.raw<BandInfo[]>([]);
  /** Kills and evictions on the chart's time axis. */
  marks = $state.raw<readonly ChartMark[]>([]);
  feed = $state.raw<FeedLine[]>([]);
  /** How lit the ticker's newest line is (1 when printed, then down a step a frame, at 10 Hz, to 0 after 0.4 s). */
  feedLit = $state(0);
  #feedAt = -Infinity;
  /** The events taken, as their JSON text, oldest first (see addEvents). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- private bookkeeping; the feed is the reactive part
  #seen = new Set<string>();
  #seenOrder: string[] = [];
  kill = $state.raw<OomKillEvent | null>(null);
  killCount = $state(0);
  /** The tick of each slot's latest OOM kill, so its tile can flash. */
  killTicks = $state.raw<Readonly<Dict<number>>>(dict());
  #killUntil = -1;
  #quietUntil = -1;
  #killShownAt = 0;
  #legendTick = -Infinity;
  #legendNamed: readonly string[] = [];

  constructor(names: (slot: string) => string = (s) => s) {
    this.#names = names;
    this.chart = this.#history.stacked();
  }

  capacityMiB = $state(0);
  evictionLineMiB = $state(0);

  /** Take a frame from the simulation itself; `owner` names a slot's student, if any. */
  pushSim(f: SimStageFrame, owner: (slot: string) => string | null = () => null): void {
    const sim = { tick: f.tick, node: f.node, pods: f.pods as PodState[] };
    this.push({
      tick: f.tick,
      node: nodeViewFromState(sim),
      pods: f.pods.map((p) => podViewFromState(sim, p, owner(p.slot))),
      events: f.events,
    });
  }

  /** Take one frame (views, as the server sends them; simulation frames are converted for older callers). */
  push(frame: StageFrame | SimStageFrame): void {
    if ('daemons' in frame.node) {
      this.pushSim(frame as SimStageFrame);
      return;
    }
    const f = frame as StageFrame;
    if (f.tick < this.tick) this.reset();
    this.tick = f.tick;
    this.node = f.node;
    this.pods = f.pods;
    this.#history.push(f);
    this.#fadeFeed();
    this.addEvents(f.events);
    this.chart = this.#history.stacked();
    if (
      f.tick - this.#legendTick >= LEGEND_TICKS ||
      f.tick < this.#legendTick ||
      this.#history.named !== this.#legendNamed
    ) {
      this.#legendTick = f.tick;
      this.#legendNamed = this.#history.named;
      this.bands = this.#history.bands(this.#names);
    }
    this.#takeMarks();
    this.capacityMiB = this.#history.capacityMiB;
    this.evictionLineMiB = this.#history.evictionLineMiB;
    if (this.kill && f.tick > this.#killUntil && performance.now() - this.#killShownAt > KILL_OVERLAY_MIN_MS)
      this.kill = null;
  }

  /**
   * The server's last minute of memory (a reloaded or late projector): the chart starts full, kills included,
   * rather than empty. Only into an empty chart; the live frames follow on.
   */
  pushHistory(h: HistoryView, capacityPages: number): void {
    if (this.#history.length > 0) return;
    const slots = Object.keys(h.usage);
    for (let j = 0; j < h.ticks.length; j++)
      this.#history.pushSample({
        tick: h.ticks[j]!,
        usedPages: h.usedPages[j]!,
        capacityPages,
        evictionThresholdPages: h.thresholdPages[j]!,
        pods: slots.map((k) => [k, h.usage[k]![j]!] as const),
      });
  }

  /**
   * Events that arrive on their own (the live server sends them apart from the state deltas). One already taken is
   * skipped: a projector that reconnects attaches again and its snapshot brings the last 50 events, most of them
   * already in the ticker (they would print twice, and the last kill would be explained again as if new).
   */
  addEvents(incoming: readonly SimEvent[]): void {
    const events = this.#unseen(incoming);
    if (events.length) {
      this.feed = appendCapped(this.feed, feedLines(events), 40);
      this.#feedAt = performance.now();
      this.feedLit = 1;
      for (const e of events) {
        if (e.type === 'evicted')
          this.#history.mark({ x: e.tick / 10, kind: 'evicted', label: this.#names(e.slot) });
        if (e.type !== 'oom_kill') continue;
        this.#history.mark({
          x: e.tick / 10,
          kind: e.constraint === 'global' ? 'global' : 'memcg',
          label: e.slot ? this.#names(e.slot) : e.comm,
        });
        if (this.#refilling) continue;
        if (e.slot) this.killTicks = withKey(this.killTicks, e.slot, e.tick);
        const quiet =
          e.constraint === 'memcg' &&
          ((this.kill != null && this.kill.constraint !== 'memcg') || e.tick < this.#quietUntil);
        if (quiet) continue;
        this.kill = e;
        this.killCount++;
        this.#killUntil = e.tick + KILL_OVERLAY_TICKS;
        this.#killShownAt = performance.now();
        this.#quietUntil = e.tick + MEMCG_QUIET_TICKS;
      }
      // Kills and evictions are marked on the chart as they come (live events arrive apart from frames).
      this.#takeMarks();
    }
  }

  /** The events not taken before (by content: a snapshot brings the same event again as a new object). */
  #unseen(events: readonly SimEvent[]): readonly SimEvent[] {
    if (events.length === 0) return events;
    const fresh: SimEvent[] = [];
    for (const e of events) {
      const key = JSON.stringify(e);
      if (this.#seen.has(key)) continue;
      this.#seen.add(key);
      this.#seenOrder.push(key);
      fresh.push(e);
    }
    // Remembered well past the snapshot's 50 events, then forgotten oldest first.
    const over = this.#seenOrder.length - SEEN_EVENTS;
    if (over > 0) for (const old of this.#seenOrder.splice(0, over)) this.#seen.delete(old);
    return fresh;
  }

  /** The newest line's light, a step lower for the time since it was printed (nothing else redraws the ticker). */
  #fadeFeed(): void {
    const left = 1 - (performance.now() - this.#feedAt) / FEED_LIT_MS;
    const lit = left > 0 ? Math.ceil(left * FEED_LIT_STEPS) / FEED_LIT_STEPS : 0;
    if (lit !== this.feedLit) this.feedLit = lit;
  }

  /** The marks in the chart's window; the same array while they are the same marks (nothing downstream reruns). */
  #takeMarks(): void {
    const next = this.#history.marks;
    const prev = this.marks;
    if (next.length !== prev.length || next.some((m, i) => m !== prev[i])) this.marks = next;
  }

  dismissKill(): void {
    this.kill = null;
  }

  /** The band colour of the k-th largest named slot (stable per student). */
  bandColour = (k: number): string => this.#history.bandColour(k);

  #refilling = false;
  /**
   * Frames that rebuild the chart's history (a replay's seek): their kills go on the chart and in the ticker, but
   * the overlay shows only what happens at the moment sought (`showKill`), not a kill from a minute before.
   */
  refill(fn: () => void): void {
    this.#refilling = true;
    try {
      fn();
    } finally {
      this.#refilling = false;
    }
  }

  /** Explain this kill now (a replay's "jump to kill"), whatever was shown before. */
  showKill(e: OomKillEvent): void {
    this.kill = e;
    this.killCount++;
    this.#killUntil = e.tick + KILL_OVERLAY_TICKS;
    this.#killShownAt = performance.now();
    this.#quietUntil = e.tick + MEMCG_QUIET_TICKS;
  }

  reset(): void {
    this.#history.clear();
    this.#seen.clear();
    this.#seenOrder = [];
    this.feed = [];
    this.feedLit = 0;
    this.kill = null;
    this.killTicks = dict();
    this.#quietUntil = -1;
    this.#legendTick = -Infinity;
    this.tick = 0;
  }
}
