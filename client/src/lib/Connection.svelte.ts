import { io, type Socket } from 'socket.io-client';

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline';

/**
 * One socket.io connection and its state as people should see it: connected, reconnecting (the socket is trying
 * again by itself) or offline (the browser has no network, or the server refused us for good).
 */
export class Connection<S extends Socket = Socket> {
  #status = $state<ConnectionStatus>('connecting');
  #online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);
  #lastError = $state<string | null>(null);
  readonly socket: S;

  constructor() {
    this.socket = io({
      autoConnect: false,
      // WebSocket first; long-polling only if a school proxy blocks it.
      transports: ['websocket', 'polling'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 4000,
    }) as unknown as S;
    const s = this.socket as Socket;
    s.on('connect', () => {
      this.#status = 'connected';
      this.#lastError = null;
    });
    s.on('disconnect', () => {
      this.#status = s.active ? 'reconnecting' : 'offline';
    });
    s.io.on('reconnect_attempt', () => {
      if (this.#status !== 'connected') this.#status = 'reconnecting';
    });
    s.on('connect_error', (err: Error) => {
      this.#lastError = err.message;
      this.#status = s.active ? 'reconnecting' : 'offline';
    });
    window.addEventListener('online', this.#onOnline);
    window.addEventListener('offline', this.#onOffline);
  }

  #onOnline = () => {
    this.#online = true;
    if (!this.socket.connected) this.socket.connect();
  };
  #onOffline = () => {
    this.#online = false;
  };

  /** What to show: the browser's own offline flag wins over the socket's view. */
  get status(): ConnectionStatus {
    return this.#online ? this.#status : 'offline';
  }

  get lastError(): string | null {
    return this.#lastError;
  }

  /**
   * Name the room this connection is for (a `room` query on every handshake): a cluster's launcher sends it
   * straight to the process that runs the room (docs/scaling.md). Call before connecting.
   */
  route(room: string): void {
    this.socket.io.opts.query = {
      ...(this.socket.io.opts.query as object | undefined),
      room,
    };
  }

  connect(): void {
    this.socket.connect();
  }

  /** Mark the connection as finished for good (kicked, session over): shown as offline, no more retries. */
  stop(): void {
    this.socket.disconnect();
    this.#status = 'offline';
  }

  close(): void {
    window.removeEventListener('online', this.#onOnline);
    window.removeEventListener('offline', this.#onOffline);
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }
}
