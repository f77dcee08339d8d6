/**
 * What `npm run bench:server` prints: a phase's figures (CPU a delivered frame, latency, bytes, messages, RSS per
 * client, load, the generators' own load), and the soak's lines and summary. Measurement is in server-load.ts.
 */
import { loadavg } from 'node:os';

export function pct(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
}

export interface Phase {
  clients: number;
  wallS: number;
  cpuMs: number;
  frames: number;
  bytes: number;
  messages: number;
  lat: number[];
  resyncs: number;
  errors: number;
  genBusy: number[];
  /** RSS over the idle server, per client, sampled through the measurement (KB). */
  rssPerClientKb: number[];
  /** Every sample as taken: seconds into the measurement, and what the probe read. */
  samples: (Sample & { atS: number })[];
  rssMiB: number;
  load: [number, number];
  extra: string[];
}

export interface Sample {
  cpuMicros: number;
  rssBytes: number;
  heapBytes?: number;
  heapTotalBytes?: number;
  externalBytes?: number;
  recoveryPackets?: number;
}

const kb = (bytes: number, clients: number) => (bytes / clients / 1024).toFixed(1);

export function soakLine(x: Sample & { atS: number }, idleRss: number, clients: number): string {
  return `${(x.atS / 60).toFixed(1).padStart(5)} min  RSS ${(x.rssBytes / 2 ** 20).toFixed(0)} MiB (${kb(x.rssBytes - idleRss, clients)} KB per client)  live heap ${((x.heapBytes ?? 0) / 2 ** 20).toFixed(0)} MiB of ${((x.heapTotalBytes ?? 0) / 2 ** 20).toFixed(0)} committed, external ${((x.externalBytes ?? 0) / 2 ** 20).toFixed(0)} MiB  kept for recovery ${x.recoveryPackets ?? '?'} packets  load ${loadavg()[0]!.toFixed(2)}`;
}

/** RSS and live heap per client after 3 minutes, and how much they grew from there to the end. */
export function soakSummary(samples: Phase['samples'], idleRss: number, idleHeap: number, clients: number): string[] {
  const at3 = samples.find((x) => x.atS >= 175) ?? samples[0]!;
  const last = samples.at(-1)!;
  const minutes = (last.atS - at3.atS) / 60;
  const grow = (a: number, b: number) => `${kb(b - a, clients)} KB per client over ${minutes.toFixed(1)} min (${(((b - a) / Math.max(1, a)) * 100).toFixed(1)} %)`;
  return [
    `after ${(at3.atS / 60).toFixed(1)} min: RSS ${kb(at3.rssBytes - idleRss, clients)} KB per client over the idle server (${kb(at3.rssBytes, clients)} KB all in); live heap ${kb((at3.heapBytes ?? 0) - idleHeap, clients)} KB per client`,
    `growth from there to the end: RSS ${grow(at3.rssBytes, last.rssBytes)}; live heap ${grow(at3.heapBytes ?? 0, last.heapBytes ?? 0)}`,
    `kept for connection-state recovery: ${at3.recoveryPackets ?? '?'} packets after ${(at3.atS / 60).toFixed(1)} min, ${last.recoveryPackets ?? '?'} at the end`,
  ];
}

export function describePhase(name: string, p: Phase): string[] {
  const f = (n: number, d = 1) => n.toFixed(d);
  return [
    `${name}`,
    `  server CPU                ${f((p.cpuMs / (p.wallS * 1000)) * 100)} % of one core over ${f(p.wallS, 0)} s`,
    `  frames delivered          ${p.frames} (${f(p.frames / p.clients / p.wallS)} per client per second)`,
    `  CPU per delivered frame   ${f((p.cpuMs * 1000) / Math.max(1, p.frames))} µs`,
    '  command → ack + frame     ' +
      (p.lat.length ? `p50 ${f(pct(p.lat, 50))} ms, p99 ${f(pct(p.lat, 99))} ms (${p.lat.length} commands)` : 'no commands'),
    `  bytes per client          ${f(p.bytes / p.clients / p.wallS / 1024, 2)} KB/s (${f(p.bytes / Math.max(1, p.frames), 0)} B per frame, all messages included)`,
    `  messages per client       ${f(p.messages / p.clients / p.wallS)} per second (${f(p.messages / Math.max(1, p.frames), 2)} per frame: frames, events, boards, acks, pings)`,
    `  RSS per client            ${p.rssPerClientKb.map((k) => f(k, 0)).join(' → ')} KB (server RSS ${f(p.rssMiB, 0)} MiB at the end)`,
    `  load average (1 min)      ${f(p.load[0], 2)} at the start, ${f(p.load[1], 2)} at the end`,
    `  generators                ${p.genBusy.map((b) => `${f(b * 100, 0)} %`).join(', ')} of a core${p.genBusy.some((b) => b > 0.9) ? ' — INVALID: a generator was CPU-saturated' : ''}; errors ${p.errors}`,
    ...p.extra.map((e) => `  ${e}`),
  ];
}
