import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';

const INBOX = 'oom:bus:';
const MOVED = 'oom:moved';

interface CallMessage {
  t: 'call';
  id: string;
  from: string;
  body: unknown;
}
interface ReplyMessage {
  t: 'reply';
  id: string;
  ok: boolean;
  value?: unknown;
  error?: string;
}

/** A call's outcome: the owner answered, or nobody listens on its inbox any more (it died). */
export type CallResult = { delivered: true; value: unknown } | { delivered: false };

/**
 * Point-to-point calls between server processes over Redis pub/sub: each process listens on its own inbox, a call
 * is published to the owner's inbox and answered on the caller's. PUBLISH says how many listeners got the message,
 * so a call to a dead process is known undelivered at once instead of timing out. Also carries the cluster-wide
 * "room moved" notice a process sends after taking a room over.
 */
export class NodeBus {
  readonly #pub: Redis;
  readonly #sub: Redis;
  readonly node: string;
  readonly #pending = new Map<
    string,
    { resolve: (r: CallResult) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
  #onCall: (body: unknown) => Promise<unknown> = async () => null;
  #onMoved: (code: string, node: string) => void = () => {};

  constructor(pub: Redis, sub: Redis, node: string) {
    this.#pub = pub;
    this.#sub = sub;
    this.node = node;
  }

  async start(): Promise<void> {
    this.#sub.on('message', (channel: string, raw: string) => this.#message(channel, raw));
    // A SUBSCRIBE sent before the connection's ready check has passed can be lost (seen with ioredis 5.11).
    if (this.#sub.status !== 'ready') await once(this.#sub, 'ready');
    await this.#sub.subscribe(INBOX + this.node, MOVED);
    // …and again after every reconnection (a Redis restart), in case the automatic re-subscription was lost too.
    this.#sub.on('ready', () => void this.#sub.subscribe(INBOX + this.node, MOVED).catch(() => {}));
  }

  /** What this process answers to calls (the owner side of forwarded connections and requests). */
  onCall(handler: (body: unknown) => Promise<unknown>): void {
    this.#onCall = handler;
  }

  onMoved(handler: (code: string, node: string) => void): void {
    this.#onMoved = handler;
  }

  /** Call `node` and wait for its answer (rejects after `timeoutMs`, or when Redis refuses the message). */
  async call(node: string, body: unknown, timeoutMs = 10_000): Promise<CallResult> {
    const id = randomUUID();
    const msg: CallMessage = { t: 'call', id, from: this.node, body };
    const answered = new Promise<CallResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`no answer from ${node} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
    });
    let receivers: number;
    try {
      receivers = await this.#pub.publish(INBOX + node, JSON.stringify(msg));
    } catch (e) {
      this.#settle(id)?.reject(e as Error);
      return answered;
    }
    if (receivers === 0) {
      this.#settle(id)?.resolve({ delivered: false });
    }
    return answered;
  }

  /** Fire and forget (a connection closed): delivered or not, nobody waits. */
  tell(node: string, body: unknown): void {
    const msg: CallMessage = { t: 'call', id: '', from: this.node, body };
    this.#pub.publish(INBOX + node, JSON.stringify(msg)).catch(() => {});
  }

  /** Tell every process that `code` is now run by `node`. */
  async announceMoved(code: string, node: string): Promise<void> {
    await this.#pub.publish(MOVED, JSON.stringify({ code, node }));
  }

  #settle(id: string) {
    const p = this.#pending.get(id);
    if (!p) return undefined;
    clearTimeout(p.timer);
    this.#pending.delete(id);
    return p;
  }

  #message(channel: string, raw: string): void {
    let msg: CallMessage | ReplyMessage | { code: string; node: string };
    try {
      msg = JSON.parse(raw) as typeof msg;
    } catch {
      return;
    }
    if (channel === MOVED) {
      const m = msg as { code?: unknown; node?: unknown };
      if (typeof m.code === 'string' && typeof m.node === 'string') this.#onMoved(m.code, m.node);
      return;
    }
    if ((msg as ReplyMessage).t === 'reply') {
      const r = msg as ReplyMessage;
      const p = this.#settle(r.id);
      if (!p) return;
      if (r.ok) p.resolve({ delivered: true, value: r.value });
      else p.reject(new Error(r.error ?? 'remote call failed'));
      return;
    }
    const call = msg as CallMessage;
    if (call.t !== 'call') return;
    void this.#onCall(call.body).then(
      (value) => this.#reply(call, { t: 'reply', id: call.id, ok: true, value }),
      (e: unknown) =>
        this.#reply(call, {
          t: 'reply',
          id: call.id,
          ok: false,
          error: e instanceof Error ? e.message : String(e),
        }),
    );
  }

  #reply(call: CallMessage, reply: ReplyMessage): void {
    if (!call.id) return;
    this.#pub.publish(INBOX + call.from, JSON.stringify(reply)).catch(() => {});
  }

  /** Stop listening; pending calls fail. */
  close(): void {
    for (const [id, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(new Error('the cluster connection closed'));
      this.#pending.delete(id);
    }
  }
}
