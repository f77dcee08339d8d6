import type { Socket } from 'socket.io-client';
import type {
  ClientEventResults,
  ClientToServerEvents,
  ServerToClientEvents,
} from '../../../shared/protocol/events.ts';
import type { ClientEventName, ClientPayload } from '../../../shared/protocol/schemas.ts';
import type { Ack } from '../../../shared/protocol/errors.ts';
import type { Snapshot } from '../../../shared/protocol/views.ts';

/** The socket typed with the shared event map. */
export type AppSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** How long to wait for an ack before telling the person something is wrong (school Wi-Fi can be slow). */
const ACK_TIMEOUT_MS = 8000;

/**
 * Emit a client event and wait for its ack; a timeout or a dropped connection becomes a coded error like any other,
 * so callers handle one shape.
 */
export function request<E extends ClientEventName>(
  socket: AppSocket,
  event: E,
  payload: ClientPayload<E>,
): Promise<Ack<ClientEventResults[E]>> {
  return new Promise((resolve) => {
    // With a timeout, socket.io passes (err, ack) to the callback; the event map types the ack-only form.
    const timed = socket.timeout(ACK_TIMEOUT_MS) as unknown as {
      emit(
        ev: E,
        p: ClientPayload<E>,
        cb: (err: Error | null, res: Ack<ClientEventResults[E]>) => void,
      ): void;
    };
    timed.emit(event, payload, (err, res) => {
      if (err)
        resolve({
          ok: false,
          error: {
            code: 'INTERNAL',
            message: 'The server did not answer. Check your connection and try again.',
          },
        });
      else resolve(res);
    });
  });
}

/**
 * A resync that runs once at a time: ask for a full snapshot (after a gap in the delta chain or a recovered
 * connection) and apply it; calls while one is in flight do nothing. `socket` is read at call time.
 */
export function resyncer(socket: () => AppSocket, apply: (snapshot: Snapshot) => void): () => Promise<void> {
  let syncing = false;
  return async () => {
    if (syncing) return;
    syncing = true;
    const r = await request(socket(), 'state:sync', {});
    syncing = false;
    if (r.ok) apply(r.data);
  };
}
