/**
 * The projector's inbox (client/src/lib/inbox.ts): a tick's messages, which the server sends one after another,
 * are applied together, in the order they came, once the window after the first has passed and a frame has been
 * drawn (just after it, so the update renders in the next frame, not in the one it ran in).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Inbox, afterWindowAndFrame } from '../../client/src/lib/inbox.ts';

/** A hand-run timer: the test says when the window has passed. */
function manualTimer() {
  const waiting: (() => void)[] = [];
  let cancelled = 0;
  return {
    schedule: (run: () => void) => {
      waiting.push(run);
      return () => {
        cancelled++;
        waiting.splice(waiting.indexOf(run), 1);
      };
    },
    fire: () => waiting.shift()?.(),
    get pending() {
      return waiting.length;
    },
    get cancelled() {
      return cancelled;
    },
  };
}

describe('Inbox', () => {
  it('applies what arrives within the window in one go, in arrival order', () => {
    const timer = manualTimer();
    const inbox = new Inbox(10, timer.schedule);
    const applied: string[] = [];
    const add = (m: string) => inbox.add(() => applied.push(m));
    add('state:delta 1');
    add('sim:events 1');
    add('leaderboard:update');
    expect(applied).toEqual([]);
    expect(timer.pending).toBe(1);
    timer.fire();
    expect(applied).toEqual(['state:delta 1', 'sim:events 1', 'leaderboard:update']);
    // The next tick opens a new window.
    add('state:delta 2');
    expect(timer.pending).toBe(1);
    timer.fire();
    expect(applied.at(-1)).toBe('state:delta 2');
    expect(timer.pending).toBe(0);
  });

  it('flushes at once before a snapshot, and forgets what waits when closed', () => {
    const timer = manualTimer();
    const inbox = new Inbox(10, timer.schedule);
    const applied: number[] = [];
    inbox.add(() => applied.push(1));
    inbox.flush();
    expect(applied).toEqual([1]);
    expect(timer.pending).toBe(0);
    expect(timer.cancelled).toBe(1);
    inbox.add(() => applied.push(2));
    inbox.clear();
    timer.fire();
    inbox.flush();
    expect(applied).toEqual([1]);
  });

  it('applies the rest of a batch when one message throws, and still reports the error', async () => {
    const timer = manualTimer();
    const inbox = new Inbox(10, timer.schedule);
    const applied: number[] = [];
    const reported: unknown[] = [];
    const onError = (e: unknown) => reported.push(e);
    process.on('uncaughtException', onError);
    try {
      inbox.add(() => applied.push(1));
      inbox.add(() => {
        throw new Error('bad message');
      });
      inbox.add(() => applied.push(3));
      timer.fire();
      expect(applied).toEqual([1, 3]);
      await expect.poll(() => reported.length).toBe(1);
      expect((reported[0] as Error).message).toBe('bad message');
    } finally {
      process.off('uncaughtException', onError);
    }
  });
});

describe('afterWindowAndFrame', () => {
  /** Animation frames run by hand (fake timers do not drive them). */
  function manualFrames() {
    const callbacks = new Map<number, FrameRequestCallback>();
    let next = 1;
    vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => {
      callbacks.set(next, cb);
      return next++;
    });
    vi.stubGlobal('cancelAnimationFrame', (id: number) => callbacks.delete(id));
    return {
      draw: () => {
        const due = [...callbacks.values()];
        callbacks.clear();
        for (const cb of due) cb(0);
      },
      get requested() {
        return callbacks.size;
      },
    };
  }
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('runs after the window, then a drawn frame, in a task of its own after that frame', () => {
    vi.useFakeTimers();
    const frames = manualFrames();
    const run = vi.fn();
    afterWindowAndFrame(run, 10);
    vi.advanceTimersByTime(9);
    expect(frames.requested).toBe(0);
    vi.advanceTimersByTime(1);
    expect(frames.requested).toBe(1);
    frames.draw();
    // Not inside the frame's callback: its changes would be drawn in that same frame.
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(0);
    expect(run).toHaveBeenCalledTimes(1);
    // The fallback timer was stopped with the frame.
    vi.advanceTimersByTime(1000);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('runs anyway when no frame comes (a hidden page), and not at all once cancelled', () => {
    vi.useFakeTimers();
    const frames = manualFrames();
    const run = vi.fn();
    afterWindowAndFrame(run, 10);
    vi.advanceTimersByTime(10 + 100);
    expect(run).toHaveBeenCalledTimes(1);
    expect(frames.requested).toBe(0);
    const cancelled = vi.fn();
    const cancel = afterWindowAndFrame(cancelled, 10);
    vi.advanceTimersByTime(10);
    cancel();
    frames.draw();
    vi.advanceTimersByTime(1000);
    expect(cancelled).not.toHaveBeenCalled();
  });
});
