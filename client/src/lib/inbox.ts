/**
 * Messages that arrive together, applied together. The server sends a tick's state delta, then its events, then
 * (every second) the leaderboard, each as a message of its own; applied as they come, each is a separate update of
 * the page (and, when a display frame falls between them, a separate rendering). The inbox holds what arrives for
 * a few milliseconds after the first message and applies it all, in arrival order, in one go, just after the next
 * frame is drawn (`afterWindowAndFrame`).
 */
export class Inbox {
  #pending: (() => void)[] = [];
  #cancel: (() => void) | null = null;
  readonly #schedule: (run: () => void) => () => void;

  /**
   * `windowMs`: how long after the first message the others may come (a tick's messages leave the server within a
   * few milliseconds of each other). `schedule` is for tests; it returns a cancel function.
   */
  constructor(windowMs: number, schedule?: (run: () => void) => () => void) {
    this.#schedule = schedule ?? ((run) => afterWindowAndFrame(run, windowMs));
  }

  /** Apply `fn` with whatever else arrives within the window. */
  add(fn: () => void): void {
    this.#pending.push(fn);
    this.#cancel ??= this.#schedule(() => {
      this.#cancel = null;
      this.flush();
    });
  }

  /** Apply what is waiting now (before a snapshot replaces the state the waiting messages patch). */
  flush(): void {
    this.#cancel?.();
    this.#cancel = null;
    const batch = this.#pending;
    this.#pending = [];
    for (const fn of batch) {
      try {
        fn();
      } catch (err) {
        // One bad message spoils only itself, as when each was applied on arrival; the error is still reported.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  /** Drop what is waiting (the page is closing). */
  clear(): void {
    this.#cancel?.();
    this.#cancel = null;
    this.#pending = [];
  }
}

/** A hidden page draws no frames: then the inbox waits this long instead. */
const NO_FRAME_MS = 100;

/**
 * Run `fn` once `windowMs` have passed and then a rendering frame has been drawn, just after that frame: its
 * changes are then drawn in the next display frame, so the update's script and its rendering fall in two frames
 * rather than one. The frame waited for usually has nothing to draw (about 0.5 ms of the main thread, ten times a
 * second, for a projector whose busiest frames are 1–3 ms lighter). Returns a cancel function.
 */
export function afterWindowAndFrame(fn: () => void, windowMs: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined = setTimeout(waitForFrame, windowMs);
  let frame = 0;
  function waitForFrame() {
    timer = setTimeout(afterFrame, NO_FRAME_MS);
    frame = requestAnimationFrame(() => {
      frame = 0;
      clearTimeout(timer);
      // A task queued in the frame runs when the frame is done.
      timer = setTimeout(afterFrame, 0);
    });
  }
  function afterFrame() {
    timer = undefined;
    if (frame) cancelAnimationFrame(frame);
    frame = 0;
    fn();
  }
  return () => {
    clearTimeout(timer);
    if (frame) cancelAnimationFrame(frame);
    timer = undefined;
    frame = 0;
  };
}
