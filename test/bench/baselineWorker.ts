/**
 * Load generator for the baseline server (test/bench/baselineServer.ts): `count` clients per room, each sending a
 * command every few seconds and timing its ack plus the first frame at or after the acked tick, as serverLoadWorker
 * does against the real server. Driven over IPC like it.
 */
import { io, type Socket } from 'socket.io-client';

interface Assignment {
  url: string;
  rooms: { code: string; count: number; actors: number }[];
  pauseSec: [number, number];
}

const assignment = JSON.parse(process.argv[2]!) as Assignment;
const send = (m: unknown) => process.send!(m);
let measuring = false;
let latencies: number[] = [];
let bytes = 0;
let messages = 0;
let frames = 0;
const sockets: Socket[] = [];
const timers: ReturnType<typeof setTimeout>[] = [];

function client(url: string, room: string, acts: boolean): Promise<void> {
  const s = io(url, { transports: ['websocket'], reconnectionDelay: 1000 });
  sockets.push(s);
  let tick = -1;
  let waiting: { tick: number; sentAt: number }[] = [];
  s.io.on('open', () => s.io.engine.on('data', (d: unknown) => {
    messages++;
    bytes += typeof d === 'string' ? Buffer.byteLength(d) : 0;
  }));
  s.on('state:frame', (f: { t: number }) => {
    frames++;
    tick = f.t;
    if (!waiting.length) return;
    const now = performance.now();
    waiting = waiting.filter((w) => {
      if (w.tick > tick) return true;
      if (measuring) latencies.push(now - w.sentAt);
      return false;
    });
  });
  const act = () => {
    const [lo, hi] = assignment.pauseSec;
    timers.push(
      setTimeout(async () => {
        const sentAt = performance.now();
        const r = (await s.timeout(10_000).emitWithAck('pod:command', { command: { type: 'fix_leak' } }).catch(() => null)) as { data: { tick: number } } | null;
        if (r) {
          if (tick >= r.data.tick) {
            if (measuring) latencies.push(performance.now() - sentAt);
          }
          else waiting.push({ tick: r.data.tick, sentAt });
        }
        act();
      }, (lo + Math.random() * (hi - lo)) * 1000),
    );
  };
  return new Promise((resolve) =>
    s.once('connect', async () => {
      await s.emitWithAck('join', room);
      if (acts) act();
      resolve();
    }),
  );
}

let t0 = 0;
let cpu0 = process.cpuUsage();
let bytes0 = 0;
let frames0 = 0;
let messages0 = 0;
process.on('message', (m: { type: string }) => {
  if (m.type === 'measure') {
    measuring = true;
    latencies = [];
    t0 = performance.now();
    cpu0 = process.cpuUsage();
    bytes0 = bytes;
    frames0 = frames;
    messages0 = messages;
  } else if (m.type === 'report') {
    measuring = false;
    const cpu = process.cpuUsage(cpu0);
    send({ type: 'report', clients: sockets.length, wallMs: performance.now() - t0, cpuMicros: cpu.user + cpu.system, bytes: bytes - bytes0, messages: messages - messages0, frames: frames - frames0, resyncs: 0, commands: 0, latencies, errors: 0, errorCodes: {} });
  } else if (m.type === 'stop') {
    for (const t of timers) clearTimeout(t);
    for (const s of sockets) s.disconnect();
    setTimeout(() => process.exit(0), 300);
  }
});

(async () => {
  let i = 0;
  for (const r of assignment.rooms) {
    for (let k = 0; k < r.count; k++, i++) {
      await client(assignment.url, r.code, k < r.actors);
      if (i % 25 === 24) await new Promise((res) => setTimeout(res, 50));
    }
  }
  send({ type: 'ready', joined: sockets.length });
})();

// The benchmark that forked this process is gone: so is this process.
process.on('disconnect', () => process.exit(0));
