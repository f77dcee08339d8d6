/** For `npm run bench:server`: the idle server's RSS, the base that "RSS per client over the idle server" is taken from. */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The idle server's memory, once it has settled: a process just started holds start-up memory that it gives back
 * some seconds later (V8's memory reducer, run once the process is idle: 142 → 106 MiB about 10 s after the real
 * server started, 2026-12-01). Taken at once, that would count as the idle server's and make "RSS per client over
 * the idle server" read 35 KB lower at 1,000 clients (negative at 300). Sampled every second for at least 15 s, until
 * the lowest RSS has not moved by 1 MiB for 8 s (at most 45 s); the sample with the lowest RSS.
 */
export async function settledIdle<T extends { rssBytes: number }>(sample: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  let low = await sample();
  let lowAt = t0;
  for (;;) {
    await sleep(1000);
    const s = await sample();
    const now = performance.now();
    if (s.rssBytes < low.rssBytes - 2 ** 20) lowAt = now;
    if (s.rssBytes < low.rssBytes) low = s;
    if ((now - t0 >= 15_000 && now - lowAt >= 8_000) || now - t0 >= 45_000) return low;
  }
}
