/** Someone waiting for their line to be on disk: resolved with the tick it was recorded at. */
export interface Waiter {
  tick: number;
  resolve: (tick: number) => void;
  reject: (e: Error) => void;
}

/** What a GroupSync tells its owner. */
export interface GroupSyncHooks {
  /** A sync landed (after its waiters were acknowledged). */
  synced(): void;
  failed(e: unknown): void;
  /** While true, a finished sync does not start the next one by itself (the owner retries). */
  faulty(): boolean;
}

/**
 * Group commit for lines already written: one sync at a time (the file's `datasync`: the process's journal, see
 * journal/Journal.ts, which groups again across recordings), and every waiter written before it began is
 * acknowledged when it resolves; those written while it ran wait for the next one (one sync for every command
 * that arrived meanwhile). A failed sync keeps its waiters (their lines are in the file) for the retry.
 */
export class GroupSync {
  readonly #datasync: () => Promise<void>;
  readonly #on: GroupSyncHooks;
  /** Written, waiting for a sync that began after their write. */
  #unsynced: Waiter[] = [];
  #syncing: Promise<void> | null = null;

  constructor(datasync: () => Promise<void>, on: GroupSyncHooks) {
    this.#datasync = datasync;
    this.#on = on;
  }

  /** A waiter whose line is in the file now: acknowledged by the first sync that begins after this. */
  add(w: Waiter): void {
    this.#unsynced.push(w);
  }

  sync(): void {
    if (this.#syncing || this.#unsynced.length === 0) return;
    const batch = this.#unsynced;
    this.#unsynced = [];
    this.#syncing = this.#datasync()
      .then(
        () => {
          for (const w of batch) w.resolve(w.tick);
          this.#on.synced();
        },
        (e: unknown) => {
          this.#unsynced = [...batch, ...this.#unsynced];
          this.#on.failed(e);
        },
      )
      .finally(() => {
        this.#syncing = null;
        if (!this.#on.faulty()) this.sync();
      });
  }

  /** Wait until no sync is running and nothing written is left unsynced, or until `canSync` says to stop trying. */
  async settle(canSync: () => boolean): Promise<void> {
    for (;;) {
      if (this.#syncing) await this.#syncing;
      else if (this.#unsynced.length > 0 && canSync()) this.sync();
      else return;
    }
  }

  /** Refuse everyone still waiting (the file is closing). */
  rejectAll(e: Error): void {
    for (const w of this.#unsynced) w.reject(e);
    this.#unsynced = [];
  }
}
