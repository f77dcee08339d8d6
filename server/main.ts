import { buildApp } from './app.ts';
import { configFromEnv } from './config.ts';
import { lanUrls } from './net/lanUrls.ts';
import { createFileRecorderFactory, recordingRoutes } from './recording/index.ts';
import { recordingSessionHooks } from './sessions/sessionHooks.ts';
import type { RoomRegistry } from './room/RoomRegistry.ts';

/**
 * `npm start`: one port (PORT, default 3000) for the client, the API and socket.io. Prints the URLs to give
 * students. SIGTERM/SIGINT: stop accepting, tell clients, finish writing recordings, exit 0.
 */
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '0.0.0.0';
const dev = process.argv.includes('--dev');
const dataDir = process.env.DATA_DIR ?? 'data';

let urls: string[] = [];
const config = configFromEnv(process.env);
if (dev) config.allowedOrigins = [...(config.allowedOrigins ?? []), 'http://localhost:5173', 'http://127.0.0.1:5173'];
const store = createFileRecorderFactory({ dataDir });
// Recordings: every session is written to DATA_DIR/recordings; a replay can be continued as a new session and an
// interrupted session resumed under its old code (the hooks need the rooms, which exist once the app is built).
let rooms: RoomRegistry | null = null;
const hooks = recordingSessionHooks(store, () => rooms!);
const built = await buildApp({
  config,
  logger: { level: process.env.LOG_LEVEL ?? 'info' },
  recorderFactory: hooks.recorderFactory,
  publicUrls: () => urls,
  plugins: [(a) => a.register(recordingRoutes, { store, continueSession: hooks.continueSession, resumeSession: hooks.resumeSession, resultsCsv: hooks.resultsCsv })],
});
rooms = built.rooms;
const { app } = built;

await app.listen({ port, host });
const address = app.server.address();
const actualPort = typeof address === 'object' && address ? address.port : port;
urls = host === '0.0.0.0' || host === '::' ? lanUrls(actualPort) : [`http://${host}:${actualPort}`];
process.stdout.write(`\nOOM Arena is running.\n  Students open: ${urls[0]}\n${urls.slice(1).map((u) => `             or: ${u}\n`).join('')}  Teacher: ${urls[0]}/host\n\n`);

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  app.log.info({ signal }, 'shutting down');
  const force = setTimeout(() => {
    app.log.error('shutdown took too long; exiting');
    process.exit(1);
  }, 10_000);
  force.unref();
  try {
    await app.close();
    process.exit(0);
  } catch (e) {
    app.log.error({ err: e }, 'shutdown failed');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
