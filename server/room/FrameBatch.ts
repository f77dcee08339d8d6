import { JsonBytes } from './JsonBytes.ts';

/**
 * Bytes kept free before each payload for the transport to frame it in place: a WebSocket header (at most 10 bytes)
 * and socket.io's packet head (`42["state:frame",`, 17 bytes). One byte is kept after it (the packet's `]`).
 */
export const FRAME_HEADROOM = 32;

/** The events a batch carries: a student's or spectator's own frame, and the host's and projector's full delta. */
export type FrameEvent = 'state:frame' | 'state:delta';

/**
 * A tick's volatile frames (`state:frame` to students and spectators, `state:delta` to host and projector): each
 * payload's JSON bytes in one buffer, with room around it for the transport's framing, and the connections each
 * payload goes to (a student with two tabs gets the same payload twice). The room writes the payloads; the socket
 * layer frames and writes them without copying.
 */
export class FrameBatch {
  readonly out = new JsonBytes(4096);
  /**
   * For each delivery (the first `size` places): the connection, and where its payload starts and ends in
   * `out.buf`. The lists are kept from tick to tick and written over, not emptied: an array cut to length 0 gives
   * up its storage, and growing it again every tick is an allocation per list per tick.
   */
  readonly conns: string[] = [];
  readonly events: FrameEvent[] = [];
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  /**
   * What the transport found for each delivery's connection (opaque here), kept from tick to tick: a room's
   * deliveries come in the same order every tick, so the transport checks the one it found last time rather than
   * looking the connection up again (see writeOwnFrames).
   */
  readonly links: unknown[] = [];
  /**
   * Places the transport wrote ahead of the rest, in increasing order (the frames that carry a command's ack go as
   * soon as the room hands the batch over: see writeHeldFrames); the batch's run of writes passes over them.
   */
  readonly early: number[] = [];
  /** How many deliveries. */
  size = 0;
  #begun = -1;
  #lastBytes = 4096;

  /**
   * Start a tick's batch on a buffer of its own: the last one's bytes may still sit in sockets' queues (a write the
   * kernel did not take at once keeps its buffer until it does).
   */
  reset(): void {
    // Sized on the last tick, not the largest: a tick of full views (a host attaching) must not make every later
    // tick allocate that much (a buffer a tick per room, each one external memory the collector has to account for).
    if (this.out.len > 0) this.#lastBytes = this.out.len;
    this.out.renew(this.#lastBytes + (this.#lastBytes >> 3) + 256);
    this.size = 0;
    this.early.length = 0;
    this.#begun = -1;
  }

  /** Begin a payload: what is written to `out` until `end` is it. */
  begin(): void {
    this.out.ensure(FRAME_HEADROOM);
    this.out.len += FRAME_HEADROOM;
    this.#begun = this.out.len;
  }

  /** End the payload begun last; it goes to each of `conns` as `event`. */
  end(conns: Iterable<string>, event: FrameEvent = 'state:frame'): void {
    const start = this.#begun;
    const end = this.out.len;
    this.out.byte(0); // the transport's closing byte
    for (const conn of conns) {
      const i = this.size++;
      this.conns[i] = conn;
      this.events[i] = event;
      this.starts[i] = start;
      this.ends[i] = end;
    }
    this.#begun = -1;
  }

  /** Delivery `i`'s payload as text (a connection on another process, long-polling, a test). */
  text(i: number): string {
    return this.out.toString(this.starts[i], this.ends[i]);
  }

  /** Every delivery of `event` as [connection, JSON text]. */
  texts(event: FrameEvent = 'state:frame'): [conn: string, json: string][] {
    const out: [conn: string, json: string][] = [];
    for (let i = 0; i < this.size; i++) if (this.events[i] === event) out.push([this.conns[i]!, this.text(i)]);
    return out;
  }

  /** A batch of payloads given as JSON text, one per connection. */
  static of(frames: Iterable<readonly [conn: string, json: string]>): FrameBatch {
    const b = new FrameBatch();
    b.reset();
    for (const [conn, json] of frames) {
      b.begin();
      b.out.text(json);
      b.end([conn]);
    }
    return b;
  }
}
