import type { SessionInfo } from '../../../shared/protocol/schemas.ts';

/**
 * Where students are sent, as the server knows it (PUBLIC_URL or its LAN address): the projector and the host page
 * ask for it rather than trust `location`, which on the teacher's laptop is often `localhost`.
 */
export class JoinAddress {
  #url = $state('');
  #warning = $state<string | null>(null);
  #known = $state(false);

  constructor(code: string, firstGuess: string | null = null) {
    this.#url = firstGuess ?? `${location.origin}/join/${code}`;
    void this.refresh(code);
  }

  /** The join link (the session's code included). */
  get url(): string {
    return this.#url;
  }
  /** `host:port` of the link, for "open …" lines. */
  get host(): string {
    return /^[a-z]+:\/\/([^/]+)/i.exec(this.#url)?.[1] ?? this.#url;
  }
  /** Set when the server knows only a loopback address (phones cannot open it). */
  get warning(): string | null {
    return this.#warning;
  }
  /** The server has answered (until then the link is this page's own origin). */
  get known(): boolean {
    return this.#known;
  }

  /** Take the address from an answer of GET /api/sessions/:code the page fetched anyway. */
  take(info: Pick<SessionInfo, 'joinUrl' | 'joinWarning'>): void {
    if (!info.joinUrl) return;
    this.#url = info.joinUrl;
    this.#warning = info.joinWarning ?? null;
    this.#known = true;
  }

  async refresh(code: string): Promise<void> {
    try {
      const r = await fetch(`/api/sessions/${encodeURIComponent(code)}`);
      if (r.ok) this.take((await r.json()) as SessionInfo);
    } catch {
      // Offline: the connection badge says so; the first guess stays.
    }
  }
}
