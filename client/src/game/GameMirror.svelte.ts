import type { Ack } from '../../../shared/protocol/errors.ts';
import type { GameView } from '../../../shared/protocol/gameViews.ts';
import type { ClientEventName, ClientPayload } from '../../../shared/protocol/schemas.ts';
import { errorText } from '../lib/errors.ts';
import { request, type AppSocket } from '../lib/wire.ts';

/**
 * The game as this connection sees it (phase, open question, reveal, podium, post-mortem card): set from each
 * snapshot and every `game:update`. Its methods are the only way the views send game messages.
 */
export class GameMirror {
  #socket: AppSocket;
  #view = $state.raw<GameView | null>(null);
  #busy = $state(false);
  #error = $state<string | null>(null);

  constructor(socket: AppSocket) {
    this.#socket = socket;
    socket.on('game:update', (g) => (this.#view = g));
  }

  get view(): GameView | null {
    return this.#view;
  }
  get busy(): boolean {
    return this.#busy;
  }
  /** The last refusal, in words, until the next success. */
  get error(): string | null {
    return this.#error;
  }

  /** From a snapshot (join, resync, reset): views without a game (demo, replay) leave it as it was. */
  set(view: GameView | undefined): void {
    if (view) this.#view = view;
  }

  /** A student's pick; shown at once, confirmed by the server's ack. */
  async answer(choice: string): Promise<boolean> {
    const q = this.#view?.question;
    if (!q) return false;
    const before = this.#view;
    if (before) this.#view = { ...before, yourAnswer: choice };
    const ok = await this.send('question:answer', { questionId: q.id, choice });
    if (!ok && this.#view === before) this.#view = before;
    return ok;
  }

  /** Send a game message; the ack's GameView (if any) replaces the view. */
  send<E extends ClientEventName>(event: E, payload: ClientPayload<E>): Promise<boolean> {
    return this.track(request(this.#socket, event, payload));
  }

  /** Wait for a game action sent another way (the host's HTTP round start): busy meanwhile, then its view or error. */
  async track(pending: Promise<Ack<unknown>>): Promise<boolean> {
    this.#busy = true;
    const r = await pending;
    this.#busy = false;
    if (!r.ok) {
      this.#error = errorText(r.error);
      return false;
    }
    this.#error = null;
    const d = r.data as unknown;
    if (d && typeof d === 'object' && 'phase' in d) this.#view = d as GameView;
    return true;
  }
}
