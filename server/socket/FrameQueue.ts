import type { FrameBatch } from '../room/FrameBatch.ts';
import type { RoomLog } from '../room/port.ts';

/**
 * The frame batches of one turn of the event loop, written together at its end. The rooms of a beat (TickPulse)
 * tick in one timer callback: their frames go out in one run of writes after the last of them has ticked, rather
 * than a room's writes between one room's tick and the next. On the benchmark's loopback the writer also runs the
 * readers' side of TCP and wakes them, and longer runs of writes cost less kernel time a write (runs at the same time
 * as `main`: 3 % less CPU a frame with three beats a tick; docs/performance.md).
 *
 * Every other message of the port goes after the frames already handed over (`flush` first), so the order on each
 * socket is the one the room sent in: a frame before the tick's reliable messages (a frame is skipped while one is
 * in flight), a snapshot after the frame it follows. A batch handed over again before the turn ended (the room
 * framed twice) is written out first: a batch's buffers are reused by its next frame.
 */
export class FrameQueue {
  readonly #write: (batch: FrameBatch) => void;
  readonly #log: Pick<RoomLog, 'error'>;
  #pending: FrameBatch[] = [];
  readonly #flush = (): void => this.flush();

  /**
   * `log`: told of a batch whose writing threw (it ran outside its room's tick, so it cannot end that room as a fault
   * in the tick does; the frames are volatile, and a client that missed one resyncs from its chain). The other
   * batches are still written.
   */
  constructor(write: (batch: FrameBatch) => void, log: Pick<RoomLog, 'error'>) {
    this.#write = write;
    this.#log = log;
  }

  /** Write `batch` at the end of this turn of the event loop (or sooner: `flush`). */
  add(batch: FrameBatch): void {
    if (this.#pending.includes(batch)) this.flush();
    if (this.#pending.length === 0) queueMicrotask(this.#flush);
    this.#pending.push(batch);
  }

  /** Write everything handed over so far, in order. */
  flush(): void {
    const batches = this.#pending;
    if (batches.length === 0) return;
    this.#pending = [];
    for (const b of batches) {
      try {
        this.#write(b);
      } catch (err) {
        this.#log.error({ err }, "writing a tick's frames failed");
      }
    }
  }

  /** Batches waiting (tests). */
  get size(): number {
    return this.#pending.length;
  }
}
