import { cloneState } from '../sim/clone.ts';
import { stateHash } from '../sim/hash.ts';
import { advance } from '../sim/step.ts';
import type { Command, SimState } from '../sim/types.ts';
import {
  RecordingErrorCode,
  recordingError,
  type BodyLine,
  type EndLine,
  type HeaderLine,
  type KeyframeLine,
  type RecordingError,
  type RecordingResult,
} from './format.ts';
import { decodeBody, decodeHeader, textLines } from './lines.ts';

/** The first tick where replaying the commands did not reproduce what the recording says. */
export interface Divergence {
  tick: number;
  /** What the recording holds, and what the replay computed. */
  expected: string;
  actual: string;
  /** 'hash': a hash line; 'keyframe': a keyframe's hash; 'keyframe_content': a keyframe's state does not match its own hash. */
  kind: 'hash' | 'keyframe' | 'keyframe_content';
  line: number;
}

export interface ReplayHooks {
  /** After every replayed tick (the state is the machine's: copy what you keep). */
  onTick?: (state: SimState) => void;
  /** Every decoded line after the header, in file order. */
  onLine?: (line: BodyLine, lineNo: number) => void;
}

/**
 * A streaming replay: push the lines of a recording one at a time; it decodes and validates each, re-runs the
 * simulation from the first keyframe with the recorded commands, and checks every hash and keyframe on the way.
 * Memory is one state plus one tick's commands, whatever the length of the recording: the server resumes and
 * validates uploads with it line by line, and the replay view runs its first pass (verify, markers) through it.
 */
export class ReplayMachine {
  #header: HeaderLine | null = null;
  #state: SimState | null = null;
  #pendingTick = -1;
  #pending: Command[] = [];
  #lineNo = 0;
  #lastTick = 0;
  #firstTick = -1;
  #commands = 0;
  #end: EndLine | null = null;
  #torn = false;
  #error: RecordingError | null = null;
  #divergence: Divergence | null = null;
  #lastKeyframe: KeyframeLine | null = null;
  readonly #hooks: ReplayHooks;

  constructor(hooks: ReplayHooks = {}) {
    this.#hooks = hooks;
  }

  get header(): HeaderLine | null {
    return this.#header;
  }
  /** The first error that stopped the replay (a divergence is not an error: see `divergence`). */
  get error(): RecordingError | null {
    return this.#error;
  }
  get divergence(): Divergence | null {
    return this.#divergence;
  }
  /** The largest tick any line names: where the session had got to. */
  get lastTick(): number {
    return this.#lastTick;
  }
  /** The tick of the first keyframe (where the session started), -1 before it. */
  get firstTick(): number {
    return this.#firstTick;
  }
  get commandCount(): number {
    return this.#commands;
  }
  get end(): EndLine | null {
    return this.#end;
  }
  /** True when the file's last line was torn (a crash mid-write) and was ignored. */
  get torn(): boolean {
    return this.#torn;
  }
  get lineCount(): number {
    return this.#lineNo;
  }
  get lastKeyframe(): KeyframeLine | null {
    return this.#lastKeyframe;
  }

  /**
   * One line, without its newline. `last` marks a final piece that had no newline: if it does not decode, it is a
   * line torn by a crash and is dropped (nothing in it was acknowledged, since acks wait for the whole line).
   */
  push(text: string, last = false): RecordingError | null {
    if (this.#error) return this.#error;
    if (last && text === '') return null;
    this.#lineNo++;
    const lineNo = this.#lineNo;
    if (lineNo === 1) {
      const h = decodeHeader(text);
      if (!h.ok) return this.#fail(h.error);
      this.#header = h.value;
      return null;
    }
    if (text.trim() === '') return null;
    const r = decodeBody(text, lineNo, this.#header!.formatVersion);
    if (!r.ok) {
      if (last) {
        this.#torn = true;
        this.#lineNo--;
        return null;
      }
      return this.#fail(r.error);
    }
    // A fault while replaying (the simulation or a hook throwing on a line it cannot handle) is this file's
    // coded error, never the caller's crash: the lines before it stay readable.
    try {
      return this.#line(r.value, lineNo);
    } catch (e) {
      return this.#fail({
        code: RecordingErrorCode.REPLAY_FAILED,
        message: `Line ${lineNo}: the replay failed here (${e instanceof Error ? e.name : 'error'}).`,
        line: lineNo,
      });
    }
  }

  /** Replay to the last tick any line names and report: the state where the recording stops. */
  finish(): RecordingResult<SimState> {
    if (this.#error) return { ok: false, error: this.#error };
    if (!this.#header) return recordingError(RecordingErrorCode.NOT_A_RECORDING, 'The file is empty.');
    if (!this.#state)
      return recordingError(RecordingErrorCode.NO_KEYFRAME, 'The recording has no keyframe to start from.');
    try {
      this.#advanceTo(this.#lastTick);
    } catch (e) {
      this.#fail({
        code: RecordingErrorCode.REPLAY_FAILED,
        message: `The replay failed at tick ${this.#state.tick + 1} (${e instanceof Error ? e.name : 'error'}).`,
      });
      return { ok: false, error: this.#error! };
    }
    return { ok: true, value: this.#state };
  }

  #fail(e: RecordingError): RecordingError {
    this.#error = e;
    return e;
  }

  #line(line: BodyLine, lineNo: number): RecordingError | null {
    if (line.k !== 'k' && !this.#state) {
      return this.#fail({
        code: RecordingErrorCode.NO_KEYFRAME,
        message: `Line ${lineNo}: a recording must start with a keyframe after its header.`,
        line: lineNo,
      });
    }
    // After an end line only a resume may follow (a session stopped by a server shutdown and resumed later).
    if (this.#end && line.k !== 'r') {
      return this.#fail({
        code: RecordingErrorCode.INVALID_LINE,
        message: `Line ${lineNo}: a line after the recording's end.`,
        line: lineNo,
      });
    }
    const simulated = this.#state ? this.#state.tick : -1;
    const atLeast = Math.max(simulated, this.#pendingTick);
    // Commands must name a tick not simulated yet; states a tick not before anything already seen.
    if (
      line.k === 'c' ? line.t <= simulated || line.t < this.#pendingTick : line.k !== 'a' && line.t < atLeast
    ) {
      return this.#fail({
        code: RecordingErrorCode.OUT_OF_ORDER,
        message: `Line ${lineNo}: tick ${line.t} comes after tick ${atLeast}.`,
        line: lineNo,
      });
    }
    this.#hooks.onLine?.(line, lineNo);
    this.#lastTick = Math.max(this.#lastTick, line.t);
    switch (line.k) {
      case 'k':
        return this.#keyframe(line, lineNo);
      case 'c':
        if (line.t !== this.#pendingTick) {
          this.#advanceTo(line.t - 1);
          this.#pendingTick = line.t;
          this.#pending = [];
        }
        this.#pending.push(line.cmd);
        this.#commands++;
        return null;
      case 'h':
        this.#advanceTo(line.t);
        this.#check(line.hash, 'hash', lineNo);
        return null;
      case 'e':
        this.#end = line;
        this.#advanceTo(line.t);
        return null;
      case 'r':
        this.#end = null;
        this.#advanceTo(line.t);
        return null;
      case 'a':
        return null;
    }
  }

  #keyframe(line: KeyframeLine, lineNo: number): RecordingError | null {
    const own = stateHash(line.state);
    if (!this.#state) {
      if (line.state.tick !== line.t) {
        return this.#fail({
          code: RecordingErrorCode.INVALID_LINE,
          message: `Line ${lineNo}: keyframe tick ${line.t} holds a state at tick ${line.state.tick}.`,
          line: lineNo,
        });
      }
      if (own !== line.hash)
        this.#diverge({
          tick: line.t,
          expected: line.hash,
          actual: own,
          kind: 'keyframe_content',
          line: lineNo,
        });
      this.#state = cloneState(line.state);
      this.#firstTick = line.t;
      this.#lastKeyframe = line;
      return null;
    }
    this.#advanceTo(line.t);
    if (own !== line.hash || line.state.tick !== line.t) {
      this.#diverge({
        tick: line.t,
        expected: line.hash,
        actual: own,
        kind: 'keyframe_content',
        line: lineNo,
      });
    }
    this.#check(line.hash, 'keyframe', lineNo);
    this.#lastKeyframe = line;
    return null;
  }

  #check(expected: string, kind: Divergence['kind'], line: number): void {
    const state = this.#state!;
    if (this.#divergence) return;
    const actual = stateHash(state);
    if (actual !== expected) this.#diverge({ tick: state.tick, expected, actual, kind, line });
  }

  #diverge(d: Divergence): void {
    this.#divergence ??= d;
  }

  #advanceTo(tick: number): void {
    const state = this.#state!;
    while (state.tick < tick) {
      const next = state.tick + 1;
      advance(state, next === this.#pendingTick ? this.#pending : []);
      this.#hooks.onTick?.(state);
    }
  }
}

/**
 * Split a whole file into lines for `push`: the final piece without a newline is flagged `last` so a torn line
 * is tolerated. Returns the machine, finished.
 */
export function replayText(
  text: string,
  hooks: ReplayHooks = {},
): { machine: ReplayMachine; result: RecordingResult<SimState> } {
  const machine = new ReplayMachine(hooks);
  for (const { line, last } of textLines(text)) if (machine.push(line, last)) break;
  return { machine, result: machine.finish() };
}
