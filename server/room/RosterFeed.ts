import type { ParticipantView } from '../../shared/protocol/views.ts';

/** What the host is sent when the roster changes: the participants that changed or arrived, and ids that left. */
export interface RosterPatch {
  set: ParticipantView[];
  gone: string[];
}

/**
 * The host's roster as changes, coalesced: joins, leaves and reconnects mark the roster dirty; at most once per
 * interval the feed compares the roster with what it last sent and sends only the difference. A class of 300
 * joining at once costs a few small patches, not 300 copies of a growing list (defect 6: 236 MB of rosters).
 */
export class RosterFeed {
  /** The last sent view of each participant, as JSON, by id. */
  readonly #sent = new Map<string, string>();
  #cancel: (() => void) | null = null;

  constructor(
    private readonly views: () => ParticipantView[],
    private readonly send: (patch: RosterPatch) => void,
    private readonly schedule: (fn: () => void, ms: number) => () => void,
    private readonly everyMs: number,
  ) {}

  /** Something changed: a patch goes out within `everyMs` (one for any number of changes in between). */
  changed(): void {
    this.#cancel ??= this.schedule(() => {
      this.#cancel = null;
      this.flush();
    }, this.everyMs);
  }

  /** Send what changed since the last patch, if anything. */
  flush(): void {
    const set: ParticipantView[] = [];
    const seen = new Set<string>();
    for (const v of this.views()) {
      seen.add(v.id);
      const json = JSON.stringify(v);
      if (this.#sent.get(v.id) !== json) {
        this.#sent.set(v.id, json);
        set.push(v);
      }
    }
    const gone: string[] = [];
    for (const id of this.#sent.keys()) if (!seen.has(id)) gone.push(id);
    for (const id of gone) this.#sent.delete(id);
    if (set.length || gone.length) this.send({ set, gone });
  }

  /** The room ended: nothing more to send. */
  close(): void {
    this.#cancel?.();
    this.#cancel = null;
  }
}
