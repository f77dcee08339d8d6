import { availableParallelism } from 'node:os';
import { normaliseRoomCode, ROOM_CODE_PATTERN } from '../../shared/protocol/roomCode.ts';

/** Where the launcher sends a connection, from its first request: the worker that made its sid, or its room. */
export interface Route {
  worker?: number;
  room?: string;
}

const REQUEST_LINE = /^[A-Z]+ (\S+) HTTP\/1\.[01]\r?\n/;

/**
 * Read the request line of a connection's first bytes. A socket.io request carries `sid=w<N>-…` once its session
 * exists (made by worker N) and `room=<code>` from the client's handshake query; the session routes carry the code
 * in their path. Anything else (pages, assets, creating a session) may go to any worker.
 */
export function routeOf(head: string): Route {
  const m = REQUEST_LINE.exec(head);
  if (!m) return {};
  let url: URL;
  try {
    url = new URL(m[1]!, 'http://x');
  } catch {
    return {};
  }
  const sid = /^w(\d{1,3})-/.exec(url.searchParams.get('sid') ?? '');
  if (sid) return { worker: Number(sid[1]) };
  const fromQuery = url.searchParams.get('room');
  const fromPath = /^\/api\/sessions\/([^/]+)/.exec(url.pathname)?.[1];
  let raw: string | null;
  try {
    raw = fromQuery ?? (fromPath ? decodeURIComponent(fromPath) : null);
  } catch {
    return {}; // a malformed escape (%E0): no room to route by; the worker answers it
  }
  if (raw === null) return {};
  const code = normaliseRoomCode(raw);
  return ROOM_CODE_PATTERN.test(code) ? { room: code } : {};
}

export type LauncherArgs =
  { ok: true; workers: number; port: number; host: string } | { ok: false; error: string };

/** `--workers N` (1–64; default: the machine's cores) and `--port P` (default PORT, else 3000). */
export function parseLauncherArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  cores = availableParallelism(),
): LauncherArgs {
  let workers = Math.max(1, cores);
  let port = /^\d+$/.test(env.PORT ?? '') ? Number(env.PORT) : 3000;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (name: string) => {
      const eq = a.startsWith(`${name}=`) ? a.slice(name.length + 1) : a === name ? argv[++i] : undefined;
      return eq;
    };
    if (a === '--workers' || a.startsWith('--workers=')) {
      const v = value('--workers');
      if (!v || !/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 64)
        return { ok: false, error: `--workers wants a number from 1 to 64, not "${v ?? ''}"` };
      workers = Number(v);
    } else if (a === '--port' || a.startsWith('--port=')) {
      const v = value('--port');
      if (!v || !/^\d+$/.test(v) || Number(v) > 65535)
        return { ok: false, error: `--port wants a port number, not "${v ?? ''}"` };
      port = Number(v);
    } else if (a !== '--dev') {
      return { ok: false, error: `unknown option "${a}"` };
    }
  }
  return { ok: true, workers, port, host: env.HOST ?? '0.0.0.0' };
}
