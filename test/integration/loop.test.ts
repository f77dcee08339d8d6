import { describe, expect, it } from 'vitest';
import { LoopDriver, type LoopClock } from '../../server/room/LoopDriver.ts';

/** A clock the test moves by hand, with timers that fire when time passes them. */
function fakeClock() {
  let now = 0;
  let timers: { at: number; fn: () => void }[] = [];
  const clock: LoopClock = {
    now: () => now,
    schedule: (fn, ms) => {
      const t = { at: now + ms, fn };
      timers.push(t);
      return () => (timers = timers.filter((x) => x !== t));
    },
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const due = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      timers = timers.filter((t) => t !== due);
      now = due.at;
      due.fn();
    }
    now = end;
  };
  return { clock, advance, pending: () => timers.length };
}

describe('the fixed-step loop', () => {
  it('runs one 100 ms tick per 100 ms at 1×, ten per pump at 10×, one per two pumps at 0.5×', () => {
    const f = fakeClock();
    const runs: number[] = [];
    const loop = new LoopDriver({ clock: f.clock, onTicks: (n) => runs.push(n) });
    loop.start();
    f.advance(1000);
    expect(runs.reduce((a, b) => a + b, 0)).toBe(10);
    loop.setSpeed(10);
    runs.length = 0;
    f.advance(1000);
    expect(runs).toEqual(Array(10).fill(10));
    loop.setSpeed(0.5);
    runs.length = 0;
    f.advance(1000);
    expect(runs.reduce((a, b) => a + b, 0)).toBe(5);
  });

  it('catches up after a stall, clamped to one second of ticks', () => {
    const f = fakeClock();
    const runs: number[] = [];
    const loop = new LoopDriver({ clock: f.clock, onTicks: (n) => runs.push(n) });
    loop.start();
    f.advance(100);
    expect(runs).toEqual([1]);
    // The process stalls for 5 s, then the pump runs once.
    const stalled = new LoopDriver({ clock: f.clock, onTicks: (n) => runs.push(n) });
    stalled.start();
    loop.stop();
    runs.length = 0;
    const t0 = f.clock.now();
    (f.clock as { now: () => number }).now = () => t0 + 5000;
    expect(stalled.pump()).toBe(10);
    expect(runs).toEqual([10]);
  });

  it('schedules nothing while stopped', () => {
    const f = fakeClock();
    const loop = new LoopDriver({ clock: f.clock, onTicks: () => {} });
    loop.start();
    expect(f.pending()).toBe(1);
    loop.stop();
    expect(f.pending()).toBe(0);
    expect(loop.running).toBe(false);
  });

  it('says it pumps only while its timer does: not before the first pump, nor once stopped or stalled', () => {
    const f = fakeClock();
    const loop = new LoopDriver({ clock: f.clock, onTicks: () => {} });
    loop.start();
    expect(loop.running).toBe(true);
    expect(loop.pumping).toBe(false); // started, no pump yet (a clock whose timers never fire stays here)
    f.advance(100);
    expect(loop.pumping).toBe(true);
    // A clock that jumps past two periods without a pump: the next pump is not known to come soon.
    const t0 = f.clock.now();
    (f.clock as { now: () => number }).now = () => t0 + 250;
    expect(loop.pumping).toBe(false);
    (f.clock as { now: () => number }).now = () => t0;
    expect(loop.pumping).toBe(true);
    loop.stop();
    expect(loop.pumping).toBe(false);
  });
});
