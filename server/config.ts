import { parsePublicUrl } from './net/joinAddress.ts';
import type { LimitRule } from './limits/LimitStore.ts';

/**
 * The server's limits and settings, with defaults sized for a classroom on school Wi-Fi: a whole school may share
 * one NAT address, so the per-IP connection cap is generous and the per-room limits carry the protection
 * (docs/security.md); the benchmark raises the per-IP cap further.
 */
export interface ServerConfig {
  /** Socket.IO connections allowed from one IP address, connections restored by state recovery included. */
  maxConnectionsPerIp: number;
  /** A connection that has not joined a session (host, student, presenter) this long after connecting is closed. */
  joinTimeoutMs: number;
  /** A session nobody ever attached to (no host, no student) ends this long after it was created. */
  unjoinedTtlMs: number;
  /** Per room: spectators (students beyond the pods) at most, and new names joining (a bucket). */
  maxSpectatorsPerRoom: number;
  roomJoins: LimitRule;
  /** Roster changes reach the host as one patch at most this often (ms). */
  rosterFlushMs: number;
  /** Per address, across every route that makes a live room (create, continue from a replay, resume). */
  roomCreations: LimitRule;
  /** Per address: look-ups of a room code that found nothing (HTTP and socket joins): guessing codes. */
  failedLookups: LimitRule;
  /** Per address: every HTTP look-up of a session (GET /api/sessions/:code, its QR code). */
  lookups: LimitRule;
  /** Refused client messages are logged as counts, once per this interval (not a line each). */
  refusalLogMs: number;
  /** The server operator's key (ADMIN_KEY): sees and manages every session and recording. Null: no operator key. */
  adminKey: string | null;
  /** Live (not ended) sessions on this server. */
  maxSessions: number;
  /** Largest socket.io message accepted, bytes. */
  maxHttpBufferSize: number;
  /** Message bucket per participant (per connection before joining): burst and sustained rate. */
  messageBurst: number;
  messagesPerSec: number;
  /** Offence bucket, keyed like messages (rate-limited or invalid messages): when it runs dry the socket is closed. */
  offenceBurst: number;
  offencesPerSec: number;
  /** Socket.IO connection state recovery window (ms): a short drop resumes the same socket, missed packets included. */
  recoveryMs: number;
  /** Ended sessions are forgotten after this long (ms); sessions with nobody connected end after idleMs. */
  endedTtlMs: number;
  idleMs: number;
  /** Extra origins allowed to open sockets (besides the server's own), e.g. a dev server. */
  allowedOrigins: string[];
  /** Expose GET /api/metrics (the benchmark reads it). Off by default. */
  metrics: boolean;
  /**
   * The address students open when the server sits behind a proxy (PUBLIC_URL), e.g. `https://oom.school.example`;
   * null: the server's own LAN address.
   */
  publicUrl: string | null;
}

export const DEFAULT_CONFIG: ServerConfig = {
  maxConnectionsPerIp: 1000,
  joinTimeoutMs: 30_000,
  unjoinedTtlMs: 10 * 60 * 1000,
  maxSpectatorsPerRoom: 300,
  roomJoins: { burst: 300, perSec: 3 },
  rosterFlushMs: 250,
  roomCreations: { burst: 10, perSec: 10 / 60 },
  failedLookups: { burst: 30, perSec: 0.5 },
  lookups: { burst: 600, perSec: 10 },
  refusalLogMs: 60_000,
  adminKey: null,
  maxSessions: 50,
  maxHttpBufferSize: 16 * 1024,
  messageBurst: 20,
  messagesPerSec: 5,
  offenceBurst: 20,
  offencesPerSec: 0.5,
  recoveryMs: 2 * 60 * 1000,
  endedTtlMs: 10 * 60 * 1000,
  idleMs: 2 * 60 * 60 * 1000,
  allowedOrigins: [],
  metrics: false,
  publicUrl: null,
};

/** Settings from the environment (PORT and HOST are read by main.ts). */
export function configFromEnv(env: NodeJS.ProcessEnv): Partial<ServerConfig> {
  const out: Partial<ServerConfig> = {};
  const int = (name: string) => (env[name] !== undefined && /^\d+$/.test(env[name]!) ? Number(env[name]) : undefined);
  const perIp = int('MAX_CONNECTIONS_PER_IP');
  if (perIp !== undefined) out.maxConnectionsPerIp = perIp;
  const sessions = int('MAX_SESSIONS');
  if (sessions !== undefined) out.maxSessions = sessions;
  const create = int('CREATE_SESSIONS_PER_MINUTE');
  if (create !== undefined) out.roomCreations = { burst: create, perSec: create / 60 };
  // The operator's key must be as hard to guess as the keys it overrides.
  if (env.ADMIN_KEY !== undefined) {
    if (!/^[A-Za-z0-9_.-]{16,128}$/.test(env.ADMIN_KEY)) throw new Error('ADMIN_KEY must be 16–128 letters, digits, "-", "_" or "."');
    out.adminKey = env.ADMIN_KEY;
  }
  if (env.ALLOWED_ORIGINS) out.allowedOrigins = env.ALLOWED_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean);
  if (env.METRICS === '1') out.metrics = true;
  const publicUrl = parsePublicUrl(env.PUBLIC_URL);
  if (env.PUBLIC_URL && !publicUrl) throw new Error(`PUBLIC_URL must be an http(s) URL, got "${env.PUBLIC_URL}"`);
  if (publicUrl) out.publicUrl = publicUrl;
  return out;
}
