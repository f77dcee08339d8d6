/**
 * The baseline for `npm run bench:server`: a bare socket.io 4.8 server doing only what any real-time room server
 * must — one broadcast per room per tick at 10 Hz, of frames the size the real server's students received, a
 * leaderboard-sized broadcast once a second, and an ack for each command with the next frame reflecting it. Same
 * socket.io options as the real server (no compression, connection-state recovery on). Driven over IPC.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const frameBytes = Number(process.env.FRAME_BYTES ?? 100);
const boardBytes = Number(process.env.BOARD_BYTES ?? 0);
const http = createServer();
const io = new Server(http, {
  perMessageDeflate: false,
  httpCompression: false,
  serveClient: false,
  connectionStateRecovery: { maxDisconnectionDuration: 2 * 60 * 1000, skipMiddlewares: true },
  pingInterval: 20_000,
  pingTimeout: 20_000,
});
const rooms = new Set<string>();
let tick = 0;
// A frame as JSON of about `frameBytes` on the wire: `42["state:frame",{"t":…,"s":…,"x":"…"}]`.
const pad = (n: number) => 'x'.repeat(Math.max(0, n));
const framePad = pad(frameBytes - 44);
const board = boardBytes ? { t: 0, r: pad(boardBytes - 40) } : null;

io.on('connection', (socket) => {
  socket.on('join', (room: string, ack: (r: unknown) => void) => {
    rooms.add(room);
    void socket.join(room);
    ack({ ok: true, data: { tick } });
  });
  socket.on('pod:command', (_cmd: unknown, ack: (r: unknown) => void) => ack({ ok: true, data: { tick: tick + 1 } }));
});

setInterval(() => {
  tick++;
  for (const room of rooms) io.to(room).volatile.emit('state:frame', { t: tick, s: tick - 1, x: framePad });
  if (board && tick % 10 === 0) for (const room of rooms) io.to(room).emit('leaderboard:update', { ...board, t: tick });
}, 100);

http.listen(0, '127.0.0.1', () => {
  const a = http.address();
  process.send!({ type: 'listening', port: typeof a === 'object' && a ? a.port : 0 });
});

process.on('message', (m: { type: string }) => {
  if (m.type === 'metrics') {
    const cpu = process.cpuUsage();
    process.send!({ type: 'metrics', cpuMicros: cpu.user + cpu.system, rssBytes: process.memoryUsage().rss, connections: io.engine.clientsCount });
  } else if (m.type === 'stop') process.exit(0);
});

// The benchmark that forked this process is gone: so is this process.
process.on('disconnect', () => process.exit(0));
