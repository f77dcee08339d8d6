import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LoopDriver } from '../../server/room/LoopDriver.ts';
import { TickPulse } from '../../server/room/TickPulse.ts';

/** Fake timers and a fake Date: the pulse's clock is Date.now, so both move together. */
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** One beat a period (every loop on it), unless `slots` says more. */
const pulse = (onError?: (e: unknown) => void, slots = 1) => new TickPulse(100, { slots, now: () => Date.now(), onError });

describe('the tick pulse (one timer for every room loop)', () => {
  it('ticks loops that started at different moments on the same beat, in one timer callback', () => {
    const clock = pulse();
    const calls: { room: string; at: number; n: number; timers: number }[] = [];
    const loops = ['a', 'b', 'c'].map(
      (room) => new LoopDriver({ clock, onTicks: (n) => calls.push({ room, at: Date.now(), n, timers: vi.getTimerCount() }) }),
    );
    loops[0]!.start();
    vi.advanceTimersByTime(13);
    loops[1]!.start();
    vi.advanceTimersByTime(51);
    loops[2]!.start();
    // Three loops, one timer.
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1000);

    const byRoom = (room: string) => calls.filter((c) => c.room === room);
    for (const room of ['a', 'b', 'c']) {
      const mine = byRoom(room);
      expect(mine.length).toBeGreaterThanOrEqual(9);
      // Every pump on the beat, one tick each, 100 ms apart.
      for (const c of mine) expect(c.at % 100).toBe(0);
      expect(mine.every((c) => c.n === 1)).toBe(true);
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.at - mine[i - 1]!.at).toBe(100);
    }
    // The three rooms' pumps of a beat come together, in the same order every beat, while the pulse's timer is spent.
    const beats = new Map<number, string[]>();
    for (const c of calls) beats.set(c.at, [...(beats.get(c.at) ?? []), c.room]);
    const full = [...beats.values()].filter((rooms) => rooms.length === 3);
    expect(full.length).toBeGreaterThanOrEqual(9);
    expect([...full[0]!].sort()).toEqual(['a', 'b', 'c']);
    for (const rooms of full) expect(rooms).toEqual(full[0]);
    expect(calls.every((c) => c.timers === 0)).toBe(true);
  });

  it('runs the first pump on a beat at least one period after the start, and reports no lateness on time', () => {
    const clock = pulse();
    const late: number[] = [];
    const at: number[] = [];
    const loop = new LoopDriver({ clock, onTicks: () => at.push(Date.now()), onLateness: (ms) => late.push(ms) });
    vi.advanceTimersByTime(37); // start between beats
    const started = Date.now();
    loop.start();
    vi.advanceTimersByTime(450);
    expect(at[0]! % 100).toBe(0);
    expect(at[0]! - started).toBeGreaterThanOrEqual(100);
    expect(at[0]! - started).toBeLessThan(200);
    expect(late.length).toBe(at.length);
    expect(Math.max(...late)).toBe(0);
  });

  it('gives every loop one tick a beat, wherever between two beats it started and however late its turn comes', () => {
    // Rooms take turns within a beat: a room's pump is as late as the work of the rooms before it, which varies.
    let work = 0;
    let beat = -1;
    const now = () => {
      if (Date.now() !== beat) {
        beat = Date.now();
        work = 0;
      }
      return Date.now() + work;
    };
    const clock = new TickPulse(100, { slots: 1, now });
    let seed = 7;
    const jitter = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 41); // 0–40 ms, seeded
    const pumps = new Map<string, number[]>();
    const loops = new Map<string, LoopDriver>();
    for (const room of ['first', 'near-a-beat', 'just-after']) {
      pumps.set(room, []);
      loops.set(room, new LoopDriver({
        clock,
        onTicks: (n) => {
          pumps.get(room)!.push(n);
          if (room === 'first') work += jitter(); // the first room's work delays the others by 0–40 ms
        },
      }));
    }
    loops.get('first')!.start();
    vi.advanceTimersByTime(97); // 97 ms past a beat: 3 ms short of the next
    loops.get('near-a-beat')!.start();
    vi.advanceTimersByTime(6);
    loops.get('just-after')!.start();
    vi.advanceTimersByTime(5000);
    for (const [room, ns] of pumps) {
      expect(ns.length, room).toBeGreaterThanOrEqual(48);
      expect(ns.filter((n) => n !== 1), room).toEqual([]);
    }
  });

  it('a stopped loop leaves the beat; the timer goes once nothing waits', () => {
    const clock = pulse();
    let ticks = 0;
    const loop = new LoopDriver({ clock, onTicks: () => ticks++ });
    loop.start();
    vi.advanceTimersByTime(250);
    const before = ticks;
    loop.stop();
    expect(clock.pending).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1000);
    expect(ticks).toBe(before);
  });

  it('a callback that throws does not stop the others due with it; its error is reported', () => {
    const errors: unknown[] = [];
    const clock = pulse((e) => errors.push(e));
    const ran: string[] = [];
    clock.schedule(() => ran.push('first'), 100);
    clock.schedule(() => {
      throw new Error('a room failed');
    }, 100);
    clock.schedule(() => ran.push('third'), 100);
    vi.advanceTimersByTime(100);
    expect(ran).toEqual(['first', 'third']);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('a room failed');
  });

  it('a callback cancelled by one before it on the same beat does not run; later ones wait for their time', () => {
    const clock = pulse();
    const ran: string[] = [];
    let cancelSecond = () => {};
    clock.schedule(() => {
      ran.push('first');
      cancelSecond();
    }, 100);
    cancelSecond = clock.schedule(() => ran.push('second'), 100);
    clock.schedule(() => ran.push('later'), 130);
    vi.advanceTimersByTime(100);
    expect(ran).toEqual(['first']);
    vi.advanceTimersByTime(29);
    expect(ran).toEqual(['first']);
    vi.advanceTimersByTime(1);
    expect(ran).toEqual(['first', 'later']);
  });

  it('a timer that fires early runs nothing not yet due and waits again', () => {
    // After scheduling, the clock falls 10 ms behind the timers: the timer fires when the clock reads 90 ms of 100.
    let lag = 0;
    const clock = new TickPulse(100, { now: () => Date.now() - lag });
    const ran: number[] = [];
    const start = Date.now();
    clock.schedule(() => ran.push(Date.now() - lag - start), 100);
    lag = 10;
    vi.advanceTimersByTime(100);
    expect(ran).toEqual([]);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(10);
    expect(ran).toEqual([100]);
  });

  it('spreads loops evenly over its beats, whenever they start, each pumping on its own beat', () => {
    const clock = pulse(undefined, 4);
    const pumps = new Map<number, number[]>();
    const loops = Array.from({ length: 8 }, (_, i) => new LoopDriver({ clock, onTicks: () => pumps.set(i, [...(pumps.get(i) ?? []), Date.now()]) }));
    // Started in a cluster, 3 ms apart: without a choice they would all land on one or two beats.
    for (const loop of loops) {
      loop.start();
      vi.advanceTimersByTime(3);
    }
    vi.advanceTimersByTime(1000);
    const phaseOf = (i: number) => {
      const at = pumps.get(i)!;
      expect(at.length).toBeGreaterThanOrEqual(9);
      for (let k = 1; k < at.length; k++) expect(at[k]! - at[k - 1]!).toBe(100);
      expect(at[0]! % 25).toBe(0);
      return at[0]! % 100;
    };
    const perPhase = new Map<number, number>();
    for (let i = 0; i < loops.length; i++) perPhase.set(phaseOf(i), (perPhase.get(phaseOf(i)) ?? 0) + 1);
    expect([...perPhase.keys()].sort((a, b) => a - b)).toEqual([0, 25, 50, 75]);
    expect([...perPhase.values()]).toEqual([2, 2, 2, 2]);
  });

  it('has one beat a tick unless told otherwise: loops started at any moment pump together', () => {
    const clock = new TickPulse(100, { now: () => Date.now() });
    const pumps: number[][] = [[], [], []];
    const loops = pumps.map((at) => new LoopDriver({ clock, onTicks: () => at.push(Date.now()) }));
    for (const loop of loops) {
      loop.start();
      vi.advanceTimersByTime(31);
    }
    vi.advanceTimersByTime(500);
    expect(pumps[0]!.length).toBeGreaterThanOrEqual(5);
    // Each later loop pumps at the very moments the first one does (it joins at the first beat after its start).
    for (const at of pumps.slice(1)) expect(at.every((t) => pumps[0]!.includes(t))).toBe(true);
    expect(new Set(pumps.flat().map((t) => t % 100)).size).toBe(1);
  });

  it('refuses a period that is not a positive number, or slots that are not a whole number ≥ 1', () => {
    expect(() => new TickPulse(0)).toThrow(RangeError);
    expect(() => new TickPulse(Number.NaN)).toThrow(RangeError);
    expect(() => new TickPulse(100, { slots: 0 })).toThrow(RangeError);
    expect(() => new TickPulse(100, { slots: 1.5 })).toThrow(RangeError);
  });
});
