/**
 * A whole recording loaded for the replay view: decoded, verified in one pass, indexed for seeking, with the
 * timeline's markers. The view holds this; the server never does (it streams with ReplayMachine).
 */
import { cloneState } from '../sim/clone.ts';
import { advance } from '../sim/step.ts';
import type { Command, SimState } from '../sim/types.ts';
import type { EndLine, HeaderLine, HostActionLine, RecordingError } from './format.ts';
import { textLines } from './lines.ts';
import { ReplayMachine, type Divergence } from './ReplayMachine.ts';

export type MarkerKind = 'kill' | 'eviction' | 'restart' | 'host' | 'resume' | 'divergence';

/** A point on the replay's timeline worth jumping to. */
export interface Marker {
  tick: number;
  kind: MarkerKind;
  /** A short label for a tooltip: "s12 OOMKilled", "host: pause". */
  label: string;
}

export interface LoadedRecording {
  header: HeaderLine;
  firstTick: number;
  lastTick: number;
  /** Commands by the tick they apply at, in applied order. */
  commands: ReadonlyMap<number, readonly { by: string; cmd: Command }[]>;
  hostActions: readonly HostActionLine[];
  markers: readonly Marker[];
  /** States to seek from, ascending by tick (file keyframes plus snapshots taken during the first pass). Never mutate. */
  snapshots: readonly SimState[];
  divergence: Divergence | null;
  end: EndLine | null;
  torn: boolean;
  commandCount: number;
}

export interface LoadOptions {
  /** For the sliced load: lines per slice. */
  sliceLines?: number;
  /** Keep a snapshot every this many ticks during the first pass (memory for speed); 0 = file keyframes only. */
  snapshotEvery?: number;
}

/** Decode, verify and index a recording's text. A divergence is reported, not an error: the view flags it. */
export function loadRecording(text: string, options: LoadOptions = {}): LoadResult {
  const steps = loadSteps(text, options);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * The same, in slices: `pause` is awaited every ~2,000 lines (the view passes a macrotask so the page stays
 * responsive and can show `onProgress`, the fraction of the file read).
 */
export async function loadRecordingAsync(
  text: string,
  options: LoadOptions & { pause: () => Promise<void>; onProgress?: (fraction: number) => void },
): Promise<LoadResult> {
  const steps = loadSteps(text, options);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    options.onProgress?.(r.value);
    await options.pause();
  }
}

type LoadResult = { ok: true; value: LoadedRecording } | { ok: false; error: RecordingError };

/** The load as a generator: yields the fraction read every 2,000 lines, returns the result. */
function* loadSteps(text: string, options: LoadOptions): Generator<number, LoadResult, void> {
  const every = options.snapshotEvery ?? 300;
  const commands = new Map<number, { by: string; cmd: Command }[]>();
  const hostActions: HostActionLine[] = [];
  const markers: Marker[] = [];
  const snapshots: SimState[] = [];
  const keyframes: SimState[] = [];
  const machine = new ReplayMachine({
    onLine(line) {
      if (line.k === 'c') {
        let list = commands.get(line.t);
        if (!list) commands.set(line.t, (list = []));
        list.push({ by: line.by, cmd: line.cmd });
      } else if (line.k === 'a') {
        hostActions.push(line);
        // An answer is one of many at the same moment: the question's own marker stands for them.
        if (line.action !== 'answer') markers.push({ tick: line.t, kind: 'host', label: `host: ${line.action}` });
      } else if (line.k === 'r') {
        markers.push({ tick: line.t, kind: 'resume', label: 'session resumed after an interruption' });
      } else if (line.k === 'k') {
        keyframes.push(line.state);
      }
    },
    onTick(state) {
      for (const e of state.events) {
        if (e.type === 'oom_kill')
          markers.push({
            tick: e.tick,
            kind: 'kill',
            // A node agent is a systemd service: no OOMKilled reason, its unit fails with result 'oom-kill' (N4).
            label: e.slot === null ? `${e.comm} oom-kill (${e.constraint})` : `${e.slot} OOMKilled (${e.constraint})`,
          });
        else if (e.type === 'evicted')
          markers.push({ tick: e.tick, kind: 'eviction', label: `${e.slot} evicted` });
        else if (e.type === 'restarted')
          markers.push({ tick: e.tick, kind: 'restart', label: `${e.slot} restarted (#${e.restartCount})` });
      }
      if (every > 0 && state.tick % every === 0) snapshots.push(cloneState(state));
    },
  });
  let lines = 0;
  const slice = options.sliceLines ?? 2000;
  for (const { line, last, end } of textLines(text)) {
    if (machine.push(line, last)) break;
    if (++lines % slice === 0) yield end / text.length;
  }
  const r = machine.finish();
  if (!r.ok) return r;
  const divergence = machine.divergence;
  // File keyframes where the pass took no snapshot of its own; after a divergence only the replay's own states are
  // trusted (a tampered keyframe must not be shown as the class), so only the first one is kept then.
  const have = new Set(snapshots.map((s) => s.tick));
  for (const k of divergence ? keyframes.slice(0, 1) : keyframes)
    if (!have.has(k.tick)) snapshots.push(cloneState(k));
  snapshots.sort((a, b) => a.tick - b.tick);
  if (divergence)
    markers.push({
      tick: divergence.tick,
      kind: 'divergence',
      label: 'replay diverges from the recording here',
    });
  markers.sort((a, b) => a.tick - b.tick);
  return {
    ok: true,
    value: {
      header: machine.header!,
      firstTick: machine.firstTick,
      lastTick: machine.lastTick,
      commands,
      hostActions,
      markers,
      snapshots,
      divergence,
      end: machine.end,
      torn: machine.torn,
      commandCount: machine.commandCount,
    },
  };
}

/** The state after tick `tick` (clamped to the recording), from the nearest earlier snapshot. A fresh object. */
export function seek(rec: LoadedRecording, tick: number): SimState {
  const target = Math.max(rec.firstTick, Math.min(rec.lastTick, Math.round(tick)));
  // The nearest snapshot strictly before the target, so the target tick's events are computed (snapshots have none).
  let lo = 0;
  let hi = rec.snapshots.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (rec.snapshots[mid]!.tick < target) lo = mid;
    else hi = mid - 1;
  }
  const state = cloneState(rec.snapshots[lo]!);
  while (state.tick < target) stepReplay(rec, state);
  return state;
}

/** One tick forward with the recorded commands, in place (the replay's play loop). False at the end. */
export function stepReplay(rec: LoadedRecording, state: SimState): boolean {
  if (state.tick >= rec.lastTick) return false;
  const list = rec.commands.get(state.tick + 1);
  advance(state, list ? list.map((c) => c.cmd) : []);
  return true;
}

/** Who did what at a tick, for the replay's ticker. */
export function commandsAt(rec: LoadedRecording, tick: number): readonly { by: string; cmd: Command }[] {
  return rec.commands.get(tick) ?? [];
}

/** The next (dir 1) or previous (dir -1) marker of a kind from a tick, or null. */
export function nextMarker(
  rec: LoadedRecording,
  tick: number,
  dir: 1 | -1,
  kinds: readonly MarkerKind[] = ['kill'],
): Marker | null {
  const ms = rec.markers;
  if (dir === 1) {
    for (const m of ms) if (m.tick > tick && kinds.includes(m.kind)) return m;
  } else {
    for (let i = ms.length - 1; i >= 0; i--)
      if (ms[i]!.tick < tick && kinds.includes(ms[i]!.kind)) return ms[i]!;
  }
  return null;
}
