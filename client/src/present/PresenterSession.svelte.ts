import { PROTOCOL_VERSION } from '../../../shared/protocol/version.ts';
import type { Snapshot } from '../../../shared/protocol/views.ts';
import { Connection } from '../lib/Connection.svelte.ts';
import { RoomMirror } from '../lib/RoomMirror.svelte.ts';
import { GameMirror } from '../game/GameMirror.svelte.ts';
import { errorText } from '../lib/errors.ts';
import { Inbox } from '../lib/inbox.ts';
import { request, resyncer, type AppSocket } from '../lib/wire.ts';
import { PresenterModel } from './PresenterModel.svelte.ts';

/**
 * How long the projector waits after a message for the rest of its tick (the delta, then its events, then the
 * leaderboard leave the server within a few milliseconds): they reach the page as one update, not three, applied
 * just after a frame so that the update's script and its rendering fall in two display frames, not one.
 */
const INBOX_MS = 10;

/** The projector's connection: a read-only viewer of the whole room, feeding the presenter's model. */
export class PresenterSession {
  readonly code: string;
  readonly conn = new Connection<AppSocket>();
  readonly room = new RoomMirror();
  /** The open question's spread, the reveal, the podium. */
  readonly game = new GameMirror(this.conn.socket);
  readonly model: PresenterModel;
  error = $state<string | null>(null);
  #resync = resyncer(() => this.conn.socket, (s) => this.#snapshot(s));
  readonly #inbox = new Inbox(INBOX_MS);

  /** The room's presenter key (the host page's "Open presenter" link carries it); null: the server will refuse. */
  key = $state<string | null>(null);
  readonly #findKey: () => Promise<string | null>;

  /** `findKey`: where to get the key when the link had none (the host's own browser can ask the server). */
  constructor(code: string, key: string | null, findKey: () => Promise<string | null> = async () => null) {
    this.code = code;
    this.conn.route(code);
    this.key = key;
    this.#findKey = findKey;
    this.model = new PresenterModel((slot) => this.room.pods.find((p) => p.slot === slot)?.owner ?? slot);
    const s = this.conn.socket;
    s.on('connect', () => void this.#attach());
    s.on('state:snapshot', (snap) => this.#snapshot(snap));
    // A tick's messages go through the inbox, in the order they came.
    const inbox = this.#inbox;
    s.on('state:delta', (d) =>
      inbox.add(() => {
        if (this.room.applyDelta(d)) this.#frame();
        else void this.#resync();
      }),
    );
    s.on('sim:events', (m) => inbox.add(() => this.model.addEvents(m.events)));
    s.on('leaderboard:update', (b) => inbox.add(() => this.room.applyLeaderboard(b)));
    s.on('session:update', (m) => inbox.add(() => this.room.setSession(m)));
    s.on('session:ended', () =>
      inbox.add(() => {
        if (this.room.session) this.room.setSession({ ...this.room.session, status: 'ended' });
      }),
    );
    this.conn.connect();
  }

  async #attach(): Promise<void> {
    this.key ??= await this.#findKey();
    const r = await request(this.conn.socket, 'presenter:attach', {
      v: PROTOCOL_VERSION,
      code: this.code,
      ...(this.key ? { key: this.key } : {}),
    });
    if (!r.ok) {
      this.error = errorText(r.error);
      if (
        r.error.code === 'SESSION_NOT_FOUND' ||
        r.error.code === 'SESSION_ENDED' ||
        r.error.code === 'BAD_PRESENTER_KEY'
      )
        this.conn.stop();
      return;
    }
    this.error = null;
    this.#snapshot(r.data.snapshot, true);
  }

  #snapshot(s: Snapshot, withHistory = false): void {
    // What came before the snapshot is applied first (in order), so nothing older patches the new state after it.
    this.#inbox.flush();
    this.room.applySnapshot(s);
    this.game.set(s.game);
    if (s.history && s.history.ticks.length && s.history.ticks.at(-1)! <= s.tick)
      this.model.pushHistory(s.history, s.node.capacityPages);
    this.#frame();
    // Recent kills explain themselves again after a reload of the projector; their lines fill the ticker.
    if (withHistory) this.model.addEvents(s.recentEvents);
  }

  #frame(): void {
    const node = this.room.node;
    if (node) this.model.push({ tick: this.room.tick, node, pods: this.room.pods, events: [] });
  }

  close(): void {
    this.#inbox.clear();
    this.conn.close();
  }
}
