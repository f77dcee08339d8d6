import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Bounded sample of values for percentiles (tick lateness), so memory does not grow with uptime. */
class Reservoir {
  #values: number[] = [];
  #seen = 0;
  constructor(readonly size = 5000) {}
  add(v: number): void {
    this.#seen++;
    if (this.#values.length < this.size) this.#values.push(v);
    else this.#values[this.#seen % this.size] = v;
  }
  percentile(p: number): number {
    if (this.#values.length === 0) return 0;
    const s = [...this.#values].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
  }
  reset(): void {
    this.#values = [];
    this.#seen = 0;
  }
}

/** Counters the benchmark reads through GET /api/metrics: messages handled, tick lateness, event-loop delay. */
export class Metrics {
  messages = 0;
  rejected = 0;
  /** Wall time spent synchronously in the message checkpoint and handlers, µs. */
  handlerMicros = 0;
  readonly lateness = new Reservoir();
  /**
   * The event loop's delay, only while the metrics are served: its timer wakes the process a hundred times a second,
   * which a server nobody measures should not pay.
   */
  readonly #eld: IntervalHistogram | null;

  constructor(o: { loopDelay: boolean }) {
    this.#eld = o.loopDelay ? monitorEventLoopDelay({ resolution: 10 }) : null;
    this.#eld?.enable();
  }

  reset(): void {
    this.messages = 0;
    this.rejected = 0;
    this.handlerMicros = 0;
    this.lateness.reset();
    this.#eld?.reset();
  }

  snapshot(extra: Record<string, unknown>) {
    const cpu = process.cpuUsage();
    const mem = process.memoryUsage();
    return {
      messages: this.messages,
      rejected: this.rejected,
      handlerMicros: Math.round(this.handlerMicros),
      cpuUserMicros: cpu.user,
      cpuSystemMicros: cpu.system,
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      // What RSS holds besides live objects: the heap V8 keeps committed, and memory outside it (socket buffers).
      heapTotalBytes: mem.heapTotal,
      externalBytes: mem.external,
      tickLatenessP50Ms: this.lateness.percentile(50),
      tickLatenessP99Ms: this.lateness.percentile(99),
      eventLoopDelayP99Ms: this.#eld ? this.#eld.percentile(99) / 1e6 : null,
      eventLoopDelayMaxMs: this.#eld ? this.#eld.max / 1e6 : null,
      ...extra,
    };
  }

  close(): void {
    this.#eld?.disable();
  }
}
