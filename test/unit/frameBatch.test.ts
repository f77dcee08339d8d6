/**
 * A room's frames of a tick go into one FrameBatch buffer, a new one each tick (the last one's slices may still sit in
 * sockets' queues). Its size follows the last tick: a tick of full views (a host attaching, every student's pod new)
 * must not make every later tick allocate as much.
 */
import { describe, expect, it } from 'vitest';
import { FRAME_HEADROOM, FrameBatch } from '../../server/room/FrameBatch.ts';

function fill(batch: FrameBatch, payloads: string[]): void {
  batch.reset();
  payloads.forEach((json, i) => {
    batch.begin();
    batch.out.text(json);
    batch.end([`conn${i}`]);
  });
}

describe('a tick’s frame batch', () => {
  it('keeps each payload whole with room before it, and sizes its next buffer on the last tick, not the largest', () => {
    const batch = new FrameBatch();
    const small = Array.from({ length: 50 }, (_, i) => JSON.stringify({ t: 2, s: 1, p: { r: i } }));
    const big = Array.from({ length: 50 }, (_, i) => JSON.stringify({ t: 1, s: 0, P: { name: `pod-${i}`, pad: 'x'.repeat(600) } }));

    fill(batch, small);
    const steady = batch.out.len;
    expect(batch.texts()).toEqual(small.map((json, i) => [`conn${i}`, json]));
    expect(batch.starts[0]).toBe(FRAME_HEADROOM);

    fill(batch, big);
    expect(batch.texts().map(([, json]) => json)).toEqual(big);
    const before = batch.out.buf;
    fill(batch, small);
    expect(batch.out.buf).not.toBe(before); // a buffer of its own each tick
    // The tick after the big one was sized on the big one; the one after that is back to the steady size.
    fill(batch, small);
    expect(batch.out.buf.length).toBeLessThan(steady * 1.25 + 512);
    expect(batch.texts()).toEqual(small.map((json, i) => [`conn${i}`, json]));
  });

  it('a tick with fewer deliveries than the last holds only its own (its lists are written over, not emptied)', () => {
    const batch = new FrameBatch();
    fill(batch, ['{"t":1}', '{"t":2}', '{"t":3}']);
    expect(batch.size).toBe(3);
    fill(batch, ['{"t":4}']);
    expect(batch.size).toBe(1);
    expect(batch.texts()).toEqual([['conn0', '{"t":4}']]);
    batch.reset();
    expect(batch.size).toBe(0);
    expect(batch.texts()).toEqual([]);
  });
});
