import type { Scenario } from '../scenario/schema.ts';
import { SIM_VERSION } from '../sim/create.ts';
import { stateHash } from '../sim/hash.ts';
import type { Command, SimState } from '../sim/types.ts';
import {
  encodeLine,
  FORMAT_VERSION,
  HASH_EVERY_TICKS,
  KEYFRAME_EVERY_TICKS,
  type HeaderLine,
  type RecordingParticipant,
} from './format.ts';

/** What a recording needs to know when a session starts (or is continued from a replay). */
export interface RecordingStart {
  id: string;
  code: string;
  /** Wall-clock start, ISO 8601; the server passes it in (shared/ has no clock). */
  startedAt: string;
  scenario: Scenario;
  seed: number;
  options?: Record<string, unknown>;
  participants?: RecordingParticipant[];
  origin?: { recording: string; tick: number } | null;
  /** The state the session starts from: createSimulation's for a new session, a replay's for "continue from here". */
  initialState: SimState;
}

/**
 * The pure half of a recorder: turns a session's happenings into encoded lines and decides when a hash or a
 * keyframe is due. The server's FileRecorder does the I/O; tests and benchmarks build recordings in memory with it.
 */
export class RecordingWriter {
  readonly header: HeaderLine;
  #initial: SimState;
  #tick: number;
  #lastCommandTick = -1;
  readonly hashEvery: number;
  readonly keyframeEvery: number;

  constructor(start: RecordingStart, cadence: { hashEvery?: number; keyframeEvery?: number } = {}) {
    this.header = {
      k: 'header',
      formatVersion: FORMAT_VERSION,
      simVersion: SIM_VERSION,
      id: start.id,
      code: start.code,
      startedAt: start.startedAt,
      scenario: start.scenario,
      seed: start.seed,
      options: start.options ?? {},
      participants: start.participants ?? [],
      origin: start.origin ?? null,
    };
    this.#initial = start.initialState;
    this.#tick = start.initialState.tick;
    this.hashEvery = cadence.hashEvery ?? HASH_EVERY_TICKS;
    this.keyframeEvery = cadence.keyframeEvery ?? KEYFRAME_EVERY_TICKS;
  }

  /** The last tick seen by `afterTick` (or the start). */
  get tick(): number {
    return this.#tick;
  }

  /** The header and the starting keyframe: the first bytes of the file. */
  begin(): string {
    return encodeLine(this.header) + this.keyframe(this.#initial);
  }

  keyframe(state: SimState): string {
    return encodeLine({ k: 'k', t: state.tick, hash: stateHash(state), state });
  }

  command(tick: number, by: string, cmd: Command): string {
    this.#lastCommandTick = Math.max(this.#lastCommandTick, tick);
    return encodeLine({ k: 'c', t: tick, by, cmd });
  }

  hostAction(tick: number, action: string, detail?: Record<string, unknown>): string {
    return encodeLine(
      detail === undefined ? { k: 'a', t: tick, action } : { k: 'a', t: tick, action, detail },
    );
  }

  /** After each tick: a hash line every `hashEvery` ticks, a keyframe every `keyframeEvery` (else ''). */
  afterTick(state: SimState): string {
    this.#tick = state.tick;
    if (state.tick % this.keyframeEvery === 0) return this.keyframe(state);
    if (state.tick % this.hashEvery === 0)
      return encodeLine({ k: 'h', t: state.tick, hash: stateHash(state) });
    return '';
  }

  /** A resumed session continues here: the marker and a keyframe, so the next resume starts close by. */
  resume(state: SimState, at: string): string {
    this.#tick = state.tick;
    return encodeLine({ k: 'r', t: state.tick, at }) + this.keyframe(state);
  }

  end(reason: 'ended' | 'shutdown', at: string): string {
    // A command queued for a tick that never ran still names that tick: the end is not before it.
    return encodeLine({ k: 'e', t: Math.max(this.#tick, this.#lastCommandTick), reason, at });
  }
}
