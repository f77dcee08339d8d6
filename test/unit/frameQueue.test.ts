import { describe, expect, it } from 'vitest';
import { ClusterPort } from '../../server/cluster/ClusterPort.ts';
import type { FrameBatch } from '../../server/room/FrameBatch.ts';
import type { RoomPort } from '../../server/room/port.ts';
import { FrameQueue } from '../../server/socket/FrameQueue.ts';
import { SocketPort } from '../../server/socket/SocketPort.ts';
import type { IoServer } from '../../server/socket/types.ts';

/** A stand-in batch: the queue only hands batches on. */
const batch = (name: string) => ({ name }) as unknown as FrameBatch;
const nameOf = (b: FrameBatch) => (b as unknown as { name: string }).name;
/** A log for queues whose writes never throw: a report would fail the test. */
const mustNotFail = {
  error: (o: object) => {
    throw (o as { err: unknown }).err;
  },
};
/** The end of this turn of the event loop: every microtask queued so far has run. */
const turnEnds = () => new Promise<void>((r) => setImmediate(r));

describe('FrameQueue: the frames of one turn of the event loop, written together at its end', () => {
  it('writes nothing while the turn runs, then every batch in the order handed over', async () => {
    const written: string[] = [];
    const q = new FrameQueue((b) => written.push(nameOf(b)), mustNotFail);
    q.add(batch('room A'));
    q.add(batch('room B'));
    q.add(batch('room C'));
    expect(written).toEqual([]);
    expect(q.size).toBe(3);
    await turnEnds();
    expect(written).toEqual(['room A', 'room B', 'room C']);
    expect(q.size).toBe(0);
    // The next turn's batches are a run of their own.
    q.add(batch('room A'));
    await turnEnds();
    expect(written).toEqual(['room A', 'room B', 'room C', 'room A']);
  });

  it('flush writes what waits at once, and the end of the turn does not write it again', async () => {
    const written: string[] = [];
    const q = new FrameQueue((b) => written.push(nameOf(b)), mustNotFail);
    q.add(batch('A'));
    q.flush();
    expect(written).toEqual(['A']);
    q.flush();
    await turnEnds();
    expect(written).toEqual(['A']);
  });

  it('a batch handed over twice in one turn is written before it is queued again (its buffers are reused)', async () => {
    const written: string[] = [];
    const q = new FrameQueue((b) => written.push(nameOf(b)), mustNotFail);
    const a = batch('A');
    q.add(a);
    q.add(batch('B'));
    q.add(a);
    expect(written).toEqual(['A', 'B']);
    await turnEnds();
    expect(written).toEqual(['A', 'B', 'A']);
  });

  it('a message sent `after` goes at once when no frames wait, else in its place when they are written', async () => {
    const written: string[] = [];
    const q = new FrameQueue((b) => written.push(nameOf(b)), mustNotFail);
    q.after(() => written.push('message 0'));
    expect(written).toEqual(['message 0']);
    q.add(batch('A'));
    q.after(() => written.push('message 1'));
    q.add(batch('B'));
    q.after(() => written.push('message 2'));
    expect(written).toEqual(['message 0']);
    expect(q.size).toBe(4);
    await turnEnds();
    expect(written).toEqual(['message 0', 'A', 'message 1', 'B', 'message 2']);
    // A flush sends them too, in the same order.
    q.add(batch('C'));
    q.after(() => written.push('message 3'));
    q.flush();
    expect(written.slice(5)).toEqual(['C', 'message 3']);
  });

  it('a message that throws while sent after the frames is reported, and what follows it still goes', async () => {
    const written: string[] = [];
    const errors: unknown[] = [];
    const q = new FrameQueue((b) => written.push(nameOf(b)), { error: (o, msg) => errors.push([msg, (o as { err: Error }).err.message]) });
    q.add(batch('A'));
    q.after(() => {
      throw new Error('socket gone');
    });
    q.add(batch('B'));
    await turnEnds();
    expect(written).toEqual(['A', 'B']);
    expect(errors).toEqual([["sending a message after a tick's frames failed", 'socket gone']]);
  });

  it('a batch whose writing throws is reported, and the batches after it are still written', async () => {
    const written: string[] = [];
    const errors: unknown[] = [];
    const q = new FrameQueue(
      (b) => {
        if (nameOf(b) === 'bad') throw new Error('socket gone');
        written.push(nameOf(b));
      },
      { error: (o) => errors.push((o as { err: unknown }).err) },
    );
    q.add(batch('bad'));
    q.add(batch('good'));
    await turnEnds();
    expect(written).toEqual(['good']);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('socket gone');
  });
});

describe('FrameQueue: the frames someone waits on go as their batch is handed over', () => {
  it('calls `urgent` with each batch at once, and writes every batch in the run at the end of the turn', async () => {
    const log: string[] = [];
    const q = new FrameQueue((b) => log.push(`run ${nameOf(b)}`), mustNotFail, (b) => log.push(`urgent ${nameOf(b)}`));
    q.add(batch('A'));
    expect(log).toEqual(['urgent A']);
    q.after(() => log.push('message'));
    q.add(batch('B'));
    expect(log).toEqual(['urgent A', 'urgent B']);
    await turnEnds();
    expect(log).toEqual(['urgent A', 'urgent B', 'run A', 'message', 'run B']);
  });

  it('a batch handed over again in the turn is written first, then its urgent frames go again', () => {
    const log: string[] = [];
    const q = new FrameQueue((b) => log.push(`run ${nameOf(b)}`), mustNotFail, (b) => log.push(`urgent ${nameOf(b)}`));
    const a = batch('A');
    q.add(a);
    q.add(a);
    expect(log).toEqual(['urgent A', 'run A', 'urgent A']);
    expect(q.size).toBe(1);
  });

  it('an urgent write that throws is reported, and the batch still goes in the run', async () => {
    const written: string[] = [];
    const errors: string[] = [];
    const q = new FrameQueue(
      (b) => written.push(nameOf(b)),
      { error: (o, msg) => errors.push(`${msg}: ${(o as { err: Error }).err.message}`) },
      () => {
        throw new Error('socket gone');
      },
    );
    q.add(batch('A'));
    expect(errors).toEqual(["writing a tick's urgent frames failed: socket gone"]);
    await turnEnds();
    expect(written).toEqual(['A']);
  });
});

/** The two ports over socket.io, each given a frame writer that logs (`log`) and an error logger. */
const ports: [string, (io: IoServer, errors: unknown[], write: (b: FrameBatch) => void) => RoomPort][] = [
  ['SocketPort', (io, errors, write) => new SocketPort(io, { error: (o) => errors.push(o) }, (_io, b) => write(b))],
  [
    'ClusterPort',
    (io, errors, write) =>
      new ClusterPort(io, { error: (o) => errors.push(o) }, (_io, b) => {
        write(b);
        return [];
      }),
  ],
];

describe.each(ports)('%s: any other message goes after the frames handed over before it', (_name, makePort) => {
  /** A socket.io server just big enough for the ports: every send lands in `log`. */
  function fakeIo(log: string[]) {
    const socket = (id: string) => {
      const emit = (event: string) => log.push(`${event} to ${id}`);
      // What a `live` broadcast writes to (liveEmit): the engine.io socket's queue.
      const conn = { readyState: 'open', write: (text: string) => log.push(`live ${(JSON.parse(text.slice(1)) as string[])[0]} to ${id}`) };
      return {
        emit,
        volatile: { emit },
        connected: true,
        conn,
        listenersAnyOutgoing: () => [],
        disconnect: () => log.push(`disconnect ${id}`),
        join: (channel: string) => log.push(`${id} joins ${channel}`),
        leave: (channel: string) => log.push(`${id} leaves ${channel}`),
      };
    };
    const sockets = new Map([['s1', socket('s1')]]);
    const to = (channel: string) => {
      const emit = (event: string) => log.push(`${event} to ${channel}`);
      return { emit, volatile: { emit } };
    };
    const rooms = new Map([['room', new Set(['s1'])]]);
    return { sockets: { sockets, adapter: { rooms } }, to, local: { to } } as unknown as IoServer;
  }

  it('send, broadcast and disconnect each write the waiting frames first; frames alone wait for the turn', async () => {
    const log: string[] = [];
    const port = makePort(fakeIo(log), [], (b) => log.push(`frames ${nameOf(b)}`));
    port.sendFrames(batch('T1'));
    expect(log).toEqual([]);
    port.send('s1', 'state:snapshot', {} as never);
    expect(log).toEqual(['frames T1', 'state:snapshot to s1']);
    port.sendFrames(batch('T2'));
    port.broadcast('room', 'sim:events', { tick: 2, events: [] });
    expect(log.slice(2)).toEqual(['frames T2', 'sim:events to room']);
    port.sendFrames(batch('T3'));
    port.disconnect('s1');
    expect(log.slice(4)).toEqual(['frames T3', 'disconnect s1']);
    port.sendFrames(batch('T4'));
    await turnEnds();
    expect(log.slice(6)).toEqual(['frames T4']);
  });

  it('a `live` broadcast waits behind the frames in its place; any other message, a join or a leave writes both first', async () => {
    const log: string[] = [];
    const port = makePort(fakeIo(log), [], (b) => log.push(`frames ${nameOf(b)}`));
    // Nothing waits: it goes at once.
    port.broadcast('room', 'leaderboard:update', { t: 0, r: [] } as never, 'live');
    expect(log).toEqual(['live leaderboard:update to s1']);
    port.sendFrames(batch('room A'));
    port.broadcast('room', 'sim:events', { tick: 1, events: [] }, 'live');
    port.sendFrames(batch('room B'));
    expect(log).toHaveLength(1);
    await turnEnds();
    expect(log.slice(1)).toEqual(['frames room A', 'live sim:events to s1', 'frames room B']);
    for (const [what, act] of [
      ['state:snapshot to s1', () => port.send('s1', 'state:snapshot', {} as never)],
      ['session:update to room', () => port.broadcast('room', 'session:update', {} as never)],
      ['s1 joins room/viewers', () => port.join('s1', 'room/viewers')],
      ['s1 leaves room/viewers', () => port.leave('s1', 'room/viewers')],
    ] as const) {
      log.length = 0;
      port.sendFrames(batch('T'));
      port.broadcast('room', 'leaderboard:update', { t: 1, r: [] } as never, 'live');
      act();
      expect(log).toEqual(['frames T', 'live leaderboard:update to s1', what]);
    }
  });

  it('a batch that cannot be written is logged, not thrown out of the turn', async () => {
    const errors: unknown[] = [];
    const port = makePort(fakeIo([]), errors, () => {
      throw new Error('boom');
    });
    port.sendFrames(batch('T1'));
    await turnEnds();
    expect(errors).toEqual([{ err: expect.objectContaining({ message: 'boom' }) }]);
  });
});
