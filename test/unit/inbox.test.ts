/**
 * The projector's inbox (client/src/lib/inbox.ts): a tick's messages, which the server sends one after another,
 * are applied together, in the order they came, once the window after the first has passed.
 */
import { describe, expect, it } from 'vitest';
import { Inbox } from '../../client/src/lib/inbox.ts';

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
