/**
 * One load-generator process for test/bench/server-load.ts: joins bot students (the same Bot the `bots` command
 * uses) and reports what they measured. Driven over IPC: 'measure' starts the window, 'report' ends it.
 */
import { Bot } from '../../server/cli/botClient.ts';

interface Assignment {
  url: string;
  rooms: { code: string; count: number }[];
  pauseSec: [number, number];
}

const send = (m: unknown) => process.send!(m);
const assignment = JSON.parse(process.argv[2]!) as Assignment;
const bots: Bot[] = [];
let latencies: number[] = [];
let errors = 0;
const errorCodes: Record<string, number> = {};
let measuring = false;
const strategies = ['leaky', 'greedy', 'careful', 'random'] as const;

async function start() {
  let i = 0;
  for (const r of assignment.rooms) {
    for (let k = 0; k < r.count; k++, i++) {
      bots.push(
        new Bot({
          url: assignment.url,
          room: r.code,
          nickname: `b${process.pid % 1000}-${i}`,
          strategy: strategies[i % strategies.length]!,
          pauseSec: assignment.pauseSec,
          alwaysAct: true,
          onLatency: (ms) => measuring && latencies.push(ms),
          onError: (code) => {
            errors++;
            errorCodes[code] = (errorCodes[code] ?? 0) + 1;
          },
        }),
      );
      if (i % 25 === 24) await new Promise((res) => setTimeout(res, 50)); // do not open 500 sockets in one burst
    }
  }
  const deadline = Date.now() + 60_000;
  while (bots.some((b) => !b.join) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 200));
  send({ type: 'ready', joined: bots.filter((b) => b.join).length });
}

let t0 = 0;
let cpu0 = process.cpuUsage();
let bytes0 = 0;
let messages0 = 0;
let frames0 = 0;
let resyncs0 = 0;
const sum = (f: (b: Bot) => number) => bots.reduce((a, b) => a + f(b), 0);

process.on('message', (m: { type: string }) => {
  if (m.type === 'measure') {
    measuring = true;
    latencies = [];
    errors = 0;
    t0 = performance.now();
    cpu0 = process.cpuUsage();
    bytes0 = sum((b) => b.bytesIn);
    messages0 = sum((b) => b.messagesIn);
    frames0 = sum((b) => b.frames);
    resyncs0 = sum((b) => b.resyncs);
  } else if (m.type === 'report') {
    measuring = false;
    const cpu = process.cpuUsage(cpu0);
    send({
      type: 'report',
      clients: bots.length,
      wallMs: performance.now() - t0,
      cpuMicros: cpu.user + cpu.system,
      bytes: sum((b) => b.bytesIn) - bytes0,
      messages: sum((b) => b.messagesIn) - messages0,
      frames: sum((b) => b.frames) - frames0,
      resyncs: sum((b) => b.resyncs) - resyncs0,
      commands: sum((b) => b.commandsSent),
      latencies,
      errors,
      errorCodes,
    });
  } else if (m.type === 'stop') {
    for (const b of bots) b.stop();
    setTimeout(() => process.exit(0), 300);
  }
});

void start();

// The benchmark that forked this process is gone: so is this process.
process.on('disconnect', () => process.exit(0));
