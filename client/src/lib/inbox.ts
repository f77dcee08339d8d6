/**
 * Messages that arrive together, applied together. The server sends a tick's state delta, then its events, then
 * (every second) the leaderboard, each as a message of its own; applied as they come, each is a separate update of
 * the page (and, when a display frame falls between them, a separate rendering). The inbox holds what arrives for
 * a few milliseconds after the first message and applies it all, in arrival order, in one go.
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
    this.#schedule =
      schedule ??
      ((run) => {
        const t = setTimeout(run, windowMs);
        return () => clearTimeout(t);
      });
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
