import type { SimState } from '../../shared/sim/types.ts';
import type { RecordedCommand, RecordedHostAction, SessionRecorder } from './SessionRecorder.ts';

/**
 * The recorder a room uses when the server is built without recordings (tests, benchmarks). It keeps what it is
 * told in memory, bounded, so tests can assert that the room records faithfully.
 */
export class NullRecorder implements SessionRecorder {
  readonly id = null;
  readonly commands: RecordedCommand[] = [];
  readonly hostActions: RecordedHostAction[] = [];
  ticks = 0;
  lastTick = -1;
  ended: 'ended' | 'shutdown' | null = null;
  readonly #keep: number;

  /** Tests set this to false to play a recorder that cannot write (a full disk). */
  writable = true;

  /** `startTick`: the tick of the state the recording starts from (commands are stamped after it). */
  constructor(keep = 1000, startTick = -1) {
    this.#keep = keep;
    this.lastTick = startTick;
  }

  async command(entry: Omit<RecordedCommand, 'tick'> & { tick?: number }): Promise<number> {
    const tick = entry.tick ?? this.lastTick + 1;
    if (this.commands.length < this.#keep) this.commands.push({ tick, by: entry.by, command: entry.command });
    return tick;
  }

  commit(): boolean {
    return this.writable;
  }

  watch(): void {}

  async hostAction(entry: RecordedHostAction): Promise<void> {
    if (this.hostActions.length < this.#keep) this.hostActions.push(entry);
  }

  afterTick(state: SimState): void {
    this.ticks += 1;
    this.lastTick = state.tick;
  }

  async end(reason: 'ended' | 'shutdown'): Promise<void> {
    this.ended = reason;
  }

  /** Like the file recorder: dropped when no tick ran. */
  discarded = false;
  async discardIfUnused(): Promise<boolean> {
    if (this.ticks > 0) {
      await this.end('ended');
      return false;
    }
    this.discarded = true;
    return true;
  }
}
