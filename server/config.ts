import { parsePublicUrl } from './net/joinAddress.ts';

/**
 * The server's limits and settings, with defaults sized for a classroom on school Wi-Fi: a whole class may share
 * one NAT address, so the per-IP connection cap is generous; the benchmark raises it further.
 */
export interface ServerConfig {
  /** Socket.IO connections allowed from one IP address. */
  maxConnectionsPerIp: number;
  /** Live (not ended) sessions on this server. */
  maxSessions: number;
  /** Largest socket.io message accepted, bytes. */
  maxHttpBufferSize: number;
  /** Per-socket message bucket: burst and sustained rate. */
  messageBurst: number;
  messagesPerSec: number;
  /** Per-socket offence bucket (rate-limited or invalid messages): when it runs dry the socket is disconnected. */
  offenceBurst: number;
  offencesPerSec: number;
  /** Session creations per IP per minute (HTTP). */
  createSessionsPerMinute: number;
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
  maxConnectionsPerIp: 400,
  maxSessions: 50,
  maxHttpBufferSize: 16 * 1024,
  messageBurst: 20,
  messagesPerSec: 5,
  offenceBurst: 20,
  offencesPerSec: 0.5,
  createSessionsPerMinute: 10,
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
  if (create !== undefined) out.createSessionsPerMinute = create;
  if (env.ALLOWED_ORIGINS) out.allowedOrigins = env.ALLOWED_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean);
  if (env.METRICS === '1') out.metrics = true;
  const publicUrl = parsePublicUrl(env.PUBLIC_URL);
  if (env.PUBLIC_URL && !publicUrl) throw new Error(`PUBLIC_URL must be an http(s) URL, got "${env.PUBLIC_URL}"`);
  if (publicUrl) out.publicUrl = publicUrl;
  return out;
}
