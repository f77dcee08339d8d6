/**
 * A connection's side of the checkpoint (server/socket/ConnectionHooks.ts): whose bucket a message and an offence are
 * taken from, which address a look-up charges, and an offender closed after its refusal has gone out.
 */
import { describe, expect, it } from 'vitest';
import { MemoryLimitStore } from '../../server/limits/LimitStore.ts';
import { Metrics } from '../../server/metrics.ts';
import type { Room } from '../../server/room/Room.ts';
import { ConnectionHooks, type SharedHooks } from '../../server/socket/ConnectionHooks.ts';
import type { ConnContext } from '../../server/socket/handlers.ts';
import type { IoSocket } from '../../server/socket/types.ts';

function setUp(role: ConnContext['role']) {
  const limits = new MemoryLimitStore();
  const charged: string[] = [];
  let disconnected = 0;
  const shared = {
    rooms: {},
    log: {},
    refusals: {},
    limits,
    guards: {
      mayLookUp: async (ip: string) => (charged.push(`may:${ip}`), true),
      lookupMissed: async (ip: string) => (charged.push(`missed:${ip}`), true),
    },
    metrics: new Metrics({ loopDelay: false }),
    now: () => 0,
    messageRule: { burst: 2, perSec: 0.001 },
    offenceRule: { burst: 1, perSec: 0.001 },
  } as unknown as SharedHooks;
  const socket = { id: 'sock-1', disconnect: () => disconnected++ } as unknown as IoSocket;
  const ctx: ConnContext = { id: 'sock-1', room: null, role: null, participantId: null };
  const hooks = new ConnectionHooks(socket, ctx, '203.0.113.7', shared);
  const join = (participantId: string) => {
    ctx.room = { code: 'ROOM42' } as Room;
    ctx.role = role;
    ctx.participantId = participantId;
  };
  return { hooks, shared, limits, charged, join, disconnected: () => disconnected };
}

/** Another connection, already in ROOM42 as `participantId` with `role`, on the same server's shared parts. */
function joinedConnection(shared: SharedHooks, socketId: string, role: ConnContext['role'], participantId: string): ConnectionHooks {
  const ctx: ConnContext = { id: socketId, room: { code: 'ROOM42' } as Room, role, participantId };
  return new ConnectionHooks({ id: socketId } as unknown as IoSocket, ctx, '203.0.113.7', shared);
}

describe('ConnectionHooks', () => {
  it('charges the connection before it joins, the participant once joined (a reconnect does not refill it)', () => {
    const { hooks, shared, join } = setUp('student');
    expect(hooks.payer()).toBe('conn:sock-1');
    expect([hooks.takeMessage(), hooks.takeMessage(), hooks.takeMessage()]).toEqual([true, true, false]);
    join('p-9');
    expect(hooks.payer()).toBe('ROOM42/p-9');
    expect([hooks.takeMessage(), hooks.takeMessage()]).toEqual([true, true]);
    // The same participant back on a new connection draws on the same, spent bucket; another participant does not.
    expect(joinedConnection(shared, 'sock-2', 'student', 'p-9').takeMessage()).toBe(false);
    expect(joinedConnection(shared, 'sock-3', 'student', 'p-10').takeMessage()).toBe(true);
  });

  it('keeps a host on its own connection’s bucket: each of the teacher’s tabs has its own', () => {
    const { hooks, shared, join } = setUp('host');
    join('host-1');
    expect(hooks.payer()).toBe('conn:sock-1');
    expect([hooks.takeMessage(), hooks.takeMessage(), hooks.takeMessage()]).toEqual([true, true, false]);
    expect(joinedConnection(shared, 'sock-2', 'host', 'host-1').takeMessage()).toBe(true);
  });

  it('takes offences from their own bucket, and messages from theirs', () => {
    const { hooks, join } = setUp('student');
    join('p-1');
    expect(hooks.takeOffence()).toBe(true);
    expect(hooks.takeOffence()).toBe(false);
    expect(hooks.takeMessage()).toBe(true);
  });

  it('charges look-ups to the connection’s address, and counts messages and refusals', async () => {
    const { hooks, charged, shared } = setUp(null);
    expect(await hooks.mayLookUp()).toBe(true);
    await hooks.lookupMissed();
    expect(charged).toEqual(['may:203.0.113.7', 'missed:203.0.113.7']);
    hooks.onMessage();
    hooks.onMessage();
    hooks.onRejected();
    expect([shared.metrics.messages, shared.metrics.rejected]).toEqual([2, 1]);
  });

  it('marks an offender at once and closes it after the refusal has gone out', async () => {
    const { hooks, disconnected } = setUp('student');
    hooks.onOffender();
    expect(hooks.offender).toBe(true);
    expect(disconnected()).toBe(0);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(disconnected()).toBe(1);
  });

  it('hands the checkpoint the server’s registry, log and refusal log', () => {
    const { hooks, shared } = setUp('student');
    expect(hooks.rooms).toBe(shared.rooms);
    expect(hooks.log).toBe(shared.log);
    expect(hooks.refusals).toBe(shared.refusals);
  });
});
