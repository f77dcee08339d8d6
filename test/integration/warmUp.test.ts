import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { warmUpRooms } from '../../server/warmUp.ts';

describe('the start-up warm-up (server/warmUp.ts)', () => {
  it('plays its rooms as a class would (they open in turn, students arrive and send commands) and leaves nothing behind', async () => {
    const report = await warmUpRooms({ rooms: 2, students: 8, ticks: 400, maxMs: 600_000 });
    // The second room opens halfway: its simulation ran 200 ticks, the first's 400 (read from the rooms' states).
    expect(report.roomTicks).toBe(600);
    // Students joined (commands come only from students who arrived) and the rooms accepted their commands (a room
    // never started refuses them all).
    expect(report.commands).toBeGreaterThan(0);
    // Its recordings went to a directory of its own under the system's temporary one, removed at the end (checked by
    // its path: a server started by another test file warms up in the same temporary directory meanwhile).
    expect(report.dir.startsWith(tmpdir())).toBe(true);
    expect(existsSync(report.dir)).toBe(false);
  });

  it('stops at its time budget, so a slow machine is not kept from starting', async () => {
    const report = await warmUpRooms({ rooms: 1, students: 4, ticks: 10_000_000, maxMs: 50 });
    expect(report.roomTicks).toBeGreaterThan(0);
    expect(report.roomTicks).toBeLessThan(10_000_000);
  });
});
