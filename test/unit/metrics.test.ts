/**
 * The server's own metrics (GET /api/metrics, for the benchmark): the event loop's delay is watched only when the
 * metrics are served, since its timer wakes the process a hundred times a second.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Metrics } from '../../server/metrics.ts';

describe('metrics', () => {
  const made: Metrics[] = [];
  const metrics = (loopDelay: boolean) => {
    const m = new Metrics({ loopDelay });
    made.push(m);
    return m;
  };
  afterEach(() => {
    for (const m of made.splice(0)) m.close();
  });

  it('watch the event loop only when asked, and say so rather than report a delay nobody measured', () => {
    expect(metrics(false).snapshot({})).toMatchObject({ eventLoopDelayP99Ms: null, eventLoopDelayMaxMs: null });
    const watched = metrics(true).snapshot({});
    expect(typeof watched.eventLoopDelayP99Ms).toBe('number');
    expect(typeof watched.eventLoopDelayMaxMs).toBe('number');
  });

  it('count messages and keep tick lateness until reset', () => {
    const m = metrics(false);
    m.messages += 3;
    for (let i = 1; i <= 100; i++) m.lateness.add(i);
    expect(m.snapshot({ sessions: 2 })).toMatchObject({ messages: 3, tickLatenessP50Ms: 51, tickLatenessP99Ms: 100, sessions: 2 });
    m.reset();
    expect(m.snapshot({})).toMatchObject({ messages: 0, tickLatenessP50Ms: 0, tickLatenessP99Ms: 0 });
  });
});
