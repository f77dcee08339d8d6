import { RecordingErrorCode, type BodyLine, type HeaderLine, type HostActionLine } from '../../shared/recording/format.ts';
import { cloneState } from '../../shared/sim/clone.ts';
import type { SimState } from '../../shared/sim/types.ts';
import { replayFile, type ReplayFileHooks } from './replayFile.ts';
import { StoreError } from './StoreError.ts';

/**
 * Told what a replay of a recording passes on the way through it: the game rebuilds from the host actions and
 * ticks; the room side reads back its own lines (who sat where, whether the session ran) from `onLine`.
 */
export interface ReplayWatch {
  onAction?: (a: HostActionLine) => void;
  onLine?: (l: BodyLine) => void;
  onTick?: (s: SimState) => void;
}

/** The file reader's hooks that tell `watch` every tick, line and host action (a replay and a resume both read so). */
export function watchHooks(watch: ReplayWatch): ReplayFileHooks {
  return {
    onTick: watch.onTick,
    onLine: (l) => {
      if (l.k === 'a') watch.onAction?.(l);
      watch.onLine?.(l);
    },
  };
}

/** A recording's header and a state of it. */
export interface ReadState {
  header: HeaderLine;
  state: SimState;
}

/** Replay a whole recording file, telling `watch` every line, action and tick: its last state. */
export async function replayWhole(file: string, watch: ReplayWatch): Promise<ReadState> {
  const { machine } = await replayFile(file, watchHooks(watch));
  const r = machine.finish();
  if (!r.ok) throw StoreError.from(r.error);
  return { header: machine.header!, state: r.value };
}

/**
 * The state after tick `tick` of recording `id` ("continue from here"), replayed and verified up to there; `watch`
 * hears the action lines up to that tick.
 */
export async function stateAtTick(
  file: string,
  id: string,
  tick: number,
  watch: Pick<ReplayWatch, 'onAction'>,
): Promise<ReadState> {
  let found: SimState | null = null;
  const { machine } = await replayFile(file, {
    onTick: (s) => {
      if (s.tick === tick) found = cloneState(s);
      return found !== null;
    },
    // The actions up to the moment (who was seated where, for the continued session's seats).
    onLine: (l) => {
      if (l.k === 'a' && l.t <= tick) watch.onAction?.(l);
    },
  });
  if (machine.error) throw StoreError.from(machine.error);
  if (!found && machine.firstTick === tick) found = cloneState(machine.lastKeyframe!.state);
  if (!found) {
    const r = machine.finish();
    if (r.ok && r.value.tick === tick) found = cloneState(r.value);
  }
  if (!found)
    throw new StoreError(
      'TICK_OUT_OF_RANGE',
      `recording ${id} runs from tick ${machine.firstTick} to ${machine.lastTick}; tick ${tick} is outside it`,
      400,
    );
  if (machine.divergence && machine.divergence.tick <= tick) {
    throw new StoreError(
      RecordingErrorCode.DIVERGED,
      `recording ${id} diverges at tick ${machine.divergence.tick}: it cannot be continued from a later moment`,
      422,
    );
  }
  return { header: machine.header!, state: found };
}
