import type { FrameBatch } from '../room/FrameBatch.ts';
import type { RoomLog } from '../room/port.ts';

/**
 * The frame batches of one turn of the event loop (and the messages queued behind them), written together at its
 * end. The rooms of a beat (TickPulse) tick in one timer callback: their frames go out in one run of writes after the
 * last of them has ticked, rather than a room's writes between one room's tick and the next. On the benchmark's
 * loopback the writer also runs the readers' side of TCP and wakes them, and longer runs of writes cost less kernel
 * time a write (runs at the same time as `main`: 3 % less CPU a frame with three beats a tick; docs/performance.md).
 *
 * Every other message of the port goes after the frames already handed over, so the order on each socket is the one
 * the room sent in: a frame before the tick's reliable messages (a frame is skipped while one is in flight), a
 * snapshot after the frame it follows. Most go at once, after a `flush`; the messages a room sends after nearly
 * every frame (its events to the projector, its board to host and projector) wait in the queue in their place
 * (`after`), so they do not cut the run of writes short. A batch handed over again before the turn ended (the room
 * framed twice) is written out first: a batch's buffers are reused by its next frame.
 *
 * The frames someone waits on go at once (`urgent`, called with each batch as it is handed over): a command's ack
 * rides with the frame that shows it, and that frame should not wait behind every other room's tick and the whole
 * run of writes (with one beat a tick, 20 rooms of 50: milliseconds).
 */
export class FrameQueue {
  readonly #write: (batch: FrameBatch) => void;
  readonly #log: Pick<RoomLog, 'error'>;
  /** Batches, and messages to send after the batches before them. */
  #pending: (FrameBatch | (() => void))[] = [];
  readonly #flush = (): void => this.flush();
  readonly #urgent: ((batch: FrameBatch) => void) | null;

  /**
   * `log`: told of a batch whose writing threw, or of a queued message whose sending threw (either ran outside its
   * room's tick, so it cannot end that room as a fault in the tick does; the frames are volatile, and a client that
   * missed one resyncs from its chain; a `live` message's receivers get it again in their snapshot on reconnect). The
   * rest of the queue is still written. `urgent`: writes a batch's frames that cannot wait for the end of the turn,
   * as it is handed over (the rest of the batch then goes in its place in the run; see writeHeldFrames).
   */
  constructor(write: (batch: FrameBatch) => void, log: Pick<RoomLog, 'error'>, urgent?: (batch: FrameBatch) => void) {
    this.#write = write;
    this.#log = log;
    this.#urgent = urgent ?? null;
  }

  /** Write `batch` at the end of this turn of the event loop (or sooner: `flush`), its urgent frames now. */
  add(batch: FrameBatch): void {
    if (this.#pending.includes(batch)) this.flush();
    if (this.#pending.length === 0) queueMicrotask(this.#flush);
    this.#pending.push(batch);
    if (this.#urgent === null) return;
    try {
      this.#urgent(batch);
    } catch (err) {
      this.#log.error({ err }, "writing a tick's urgent frames failed");
    }
  }

  /**
   * Send a message after the frames handed over so far: at once when none wait, else in its place when they are
   * written. Only for a message whose payload nobody changes meanwhile (it is encoded when sent), and which may go
   * out after the caller returns (a fault while sending it is reported, not thrown to the caller).
   */
  after(send: () => void): void {
    if (this.#pending.length === 0) send();
    else this.#pending.push(send);
  }

  /** Write everything handed over so far, in order. */
  flush(): void {
    const items = this.#pending;
    if (items.length === 0) return;
    this.#pending = [];
    for (const item of items) {
      try {
        if (typeof item === 'function') item();
        else this.#write(item);
      } catch (err) {
        const what =
          typeof item === 'function' ? "sending a message after a tick's frames" : "writing a tick's frames";
        this.#log.error({ err }, `${what} failed`);
      }
    }
  }

  /** Batches and messages waiting (tests). */
  get size(): number {
    return this.#pending.length;
  }
}
