import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { warmUpRooms } from '../../server/warmUp.ts';

const leftovers = () => readdirSync(tmpdir()).filter((f) => f.startsWith('oom-arena-warm-up-'));

describe('the start-up warm-up (server/warmUp.ts)', () => {
  it('plays its rooms as a class would (they open in turn, students arrive and send commands) and leaves nothing behind', async () => {
    const before = leftovers();
    const report = await warmUpRooms({ rooms: 2, students: 8, ticks: 400, maxMs: 600_000 });
    // The second room opens halfway: 400 ticks of the first and 200 of the second.
    expect(report.roomTicks).toBe(600);
    // Students joined (commands come only from students who arrived) and their commands were answered.
    expect(report.commands).toBeGreaterThan(0);
    // Its recordings went to a directory of its own, removed at the end.
    expect(leftovers()).toEqual(before);
  });

  it('stops at its time budget, so a slow machine is not kept from starting', async () => {
    const report = await warmUpRooms({ rooms: 1, students: 4, ticks: 10_000_000, maxMs: 50 });
    expect(report.roomTicks).toBeGreaterThan(0);
    expect(report.roomTicks).toBeLessThan(10_000_000);
  });
});
