/**
 * How writeOwnFrames reaches a socket, on stand-ins for socket.io's, engine.io's, ws's and node's objects (the real
 * ones are exercised end to end in test/integration/ownFrames.test.ts): the way is worked out once per transport,
 * worked out again when the transport changes (an upgrade from long-polling), and a frame libuv still holds makes
 * the next one skip until its write completes.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClusterPort } from '../../server/cluster/ClusterPort.ts';
import type { RoomPort } from '../../server/room/port.ts';
import { SocketPort } from '../../server/socket/SocketPort.ts';
import { FrameBatch } from '../../server/room/FrameBatch.ts';
import { HELD_ACK_MAX_MS, holdAck, writeHeldFrames, writeOwnFrames } from '../../server/socket/ownFrames.ts';
import type { IoServer } from '../../server/socket/types.ts';

type Callback = (err?: Error | null) => void;

function stand() {
  const viaEngine: string[] = [];
  const direct: { text: string; done: Callback; bytes: Buffer; encoding: string }[] = [];
  const viaSender: string[] = [];
  const polling = { name: 'polling', writable: true };
  const net = {
    /** A TCP handle of libuv's (it counts its queue). */
    _handle: { writeQueueSize: 0 } as { writeQueueSize: number } | null,
    /** Bytes engine.io wrote through the Writable that libuv has not called back yet. */
    writableLength: 0,
    destroyed: null as Error | null,
    // As libuv does for a write the kernel did not take at once: it calls back once the kernel has the bytes.
    _writeGeneric(_writev: false, data: Buffer, encoding: string, cb: Callback) {
      direct.push({ bytes: data, encoding, text: data.toString('latin1'), done: (err) => cb(err) });
    },
    destroy(err: Error) {
      this.destroyed = err;
    },
  };
  const ws = {
    readyState: 1,
    bufferedAmount: 0,
    _sender: { sendFrame: (list: Buffer[]) => void viaSender.push(Buffer.concat(list).toString('latin1')) },
    _socket: net,
  };
  const websocket = { name: 'websocket', writable: true, socket: ws, opts: {} };
  const eio = {
    readyState: 'open',
    writeBuffer: [] as unknown[],
    transport: polling as object,
    write: (data: string) => void viaEngine.push(data),
  };
  const socket = { connected: true, conn: eio };
  const sockets = new Map([['s1', socket]]);
  const io = { sockets: { sockets } } as unknown as IoServer;
  const send = (t: number) => writeOwnFrames(io, FrameBatch.of([['s1', JSON.stringify({ t, s: t - 1 })]]));
  return { io, sockets, socket, send, eio, websocket, net, ws, viaEngine, direct, viaSender };
}

/** The JSON payload of a WebSocket frame written here (a short frame: two bytes of header, then `42[…]` of socket.io). */
const payloadOf = (frame: string) => frame.slice(2);

describe('writeOwnFrames: the way to each socket', () => {
  it('on long-polling goes through engine.io, and straight to the TCP write once the transport is a WebSocket', () => {
    const s = stand();
    s.send(1);
    expect(s.viaEngine).toEqual(['2["state:frame",{"t":1,"s":0}]']);
    s.eio.transport = s.websocket; // the upgrade
    s.send(2);
    expect(s.viaEngine).toHaveLength(1);
    expect(s.direct.map((d) => payloadOf(d.text))).toEqual(['42["state:frame",{"t":2,"s":1}]']);
  });

  it('skips frames while libuv holds the last one, and writes again once its write completes', () => {
    const s = stand();
    s.eio.transport = s.websocket;
    s.send(1);
    s.send(2); // the first write has not called back: skipped
    expect(s.direct).toHaveLength(1);
    s.direct[0]!.done();
    s.send(3);
    expect(s.direct.map((d) => payloadOf(d.text))).toEqual(['42["state:frame",{"t":1,"s":0}]', '42["state:frame",{"t":3,"s":2}]']);
  });

  it("hands libuv the tick's own bytes, not a copy (encoding 'buffer': node copies a buffer written under any other)", () => {
    const s = stand();
    s.eio.transport = s.websocket;
    const batch = FrameBatch.of([['s1', '{"t":1,"s":0}']]);
    writeOwnFrames(s.io, batch);
    expect(s.direct).toHaveLength(1);
    const { bytes, encoding } = s.direct[0]!;
    expect(encoding).toBe('buffer');
    // A view of the batch's buffer, header and all: the frame was framed in place and never copied.
    expect(bytes.buffer).toBe(batch.out.buf.buffer);
    expect(bytes.byteOffset).toBeGreaterThanOrEqual(batch.out.buf.byteOffset);
    expect(payloadOf(bytes.toString('latin1'))).toBe('42["state:frame",{"t":1,"s":0}]');
  });

  it('a write that fails destroys the TCP socket', () => {
    const s = stand();
    s.eio.transport = s.websocket;
    s.send(1);
    const err = new Error('EPIPE');
    s.direct[0]!.done(err);
    expect(s.net.destroyed).toBe(err);
  });

  it('skips a socket whose earlier bytes are not taken, or with a message queued in engine.io; sends by ws once the handle is gone', () => {
    const s = stand();
    s.eio.transport = s.websocket;
    // Bytes libuv still holds of engine.io's last message through the Writable: the Writable's length says so.
    s.net.writableLength = 10;
    s.send(1);
    s.net.writableLength = 0;
    s.eio.writeBuffer.push('a reliable message');
    s.send(2);
    expect(s.direct).toEqual([]);
    s.eio.writeBuffer.length = 0;
    s.send(3);
    expect(s.direct.map((d) => payloadOf(d.text))).toEqual(['42["state:frame",{"t":3,"s":2}]']);
    s.direct[0]!.done();
    // No TCP handle to write to: the frame goes to ws's sender, and ws's own count says whether bytes wait.
    s.net._handle = null;
    s.ws.bufferedAmount = 10;
    s.send(4);
    expect(s.viaSender).toEqual([]);
    s.ws.bufferedAmount = 0;
    s.send(5);
    expect(s.viaSender.map(payloadOf)).toEqual(['42["state:frame",{"t":5,"s":4}]']);
  });

  it('a stream whose queue libuv does not count (TLS, say) gets its frames through ws, skipped by ws\'s own count', () => {
    const s = stand();
    s.net._handle = {} as { writeQueueSize: number }; // a TLS handle has no writeQueueSize
    s.eio.transport = s.websocket;
    s.ws.bufferedAmount = 10;
    s.send(1);
    s.ws.bufferedAmount = 0;
    s.send(2);
    expect(s.direct).toEqual([]);
    expect(s.viaSender.map(payloadOf)).toEqual(['42["state:frame",{"t":2,"s":1}]']);
  });

  it("a batch kept from tick to tick finds each socket without looking its connection up again, and finds it again once it changed", () => {
    const s = stand();
    s.eio.transport = s.websocket;
    let lookups = 0;
    const get = s.sockets.get.bind(s.sockets);
    s.sockets.get = (id: string) => (lookups++, get(id));
    const batch = new FrameBatch();
    const tick = (t: number, conns: string[]) => {
      batch.reset();
      batch.begin();
      batch.out.text(JSON.stringify({ t, s: t - 1 }));
      batch.end(conns);
      return writeOwnFrames(s.io, batch);
    };
    for (let t = 1; t <= 3; t++) {
      tick(t, ['s1']);
      s.direct.at(-1)!.done();
    }
    expect(s.direct).toHaveLength(3);
    expect(lookups).toBe(1);
    // The connection drops and is recovered under the same id on a new socket object: its frames go to the new one.
    s.socket.connected = false;
    const net2 = { ...s.net, _writeGeneric: (_w: false, data: Buffer, _e: string, cb: Callback) => (recovered.push(data.toString('latin1')), cb()) };
    const recovered: string[] = [];
    const eio2 = { ...s.eio, writeBuffer: [], transport: { ...s.websocket, socket: { ...s.ws, _socket: net2 } } };
    s.sockets.set('s1', { connected: true, conn: eio2 });
    tick(4, ['s1']);
    expect(recovered.map(payloadOf)).toEqual(['42["state:frame",{"t":4,"s":3}]']);
    expect(s.direct).toHaveLength(3);
    // A connection that is no socket of this process is reported, whatever the place held before.
    expect(tick(5, ['elsewhere'])).toEqual([0]);
    expect(batch.links).toEqual([undefined]);
  });
});

/** The payloads of the WebSocket frames in one write, in order (server frames: unmasked, FIN + text). */
function wsPayloads(bytes: Buffer): string[] {
  const out: string[] = [];
  for (let at = 0; at < bytes.length; ) {
    expect(bytes[at]).toBe(0x81);
    let len = bytes[at + 1]!;
    let head = 2;
    if (len === 126) {
      len = bytes.readUInt16BE(at + 2);
      head = 4;
    }
    out.push(bytes.subarray(at + head, at + head + len).toString('utf8'));
    at += head + len;
  }
  return out;
}

describe("a command's ack held for the frame that shows it", () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  const ACK = '37[{"ok":true,"data":{"tick":5}}]';

  /** A stand whose socket is on a WebSocket and has had a frame (its link is made). */
  function linked() {
    const s = stand();
    s.eio.transport = s.websocket;
    s.send(1);
    s.direct[0]!.done();
    const alone: string[] = [];
    return { ...s, alone, sendAlone: () => void alone.push(ACK) };
  }

  it('goes out in the same write as the next frame, before it', () => {
    const s = linked();
    expect(holdAck(s.socket, ACK, s.sendAlone)).toBe(true);
    s.send(2);
    expect(s.direct).toHaveLength(2);
    expect(wsPayloads(s.direct[1]!.bytes)).toEqual(['4' + ACK, '42["state:frame",{"t":2,"s":1}]']);
    expect(s.alone).toEqual([]);
    // Held once: the frame after carries nothing more.
    s.direct[1]!.done();
    s.send(3);
    expect(wsPayloads(s.direct[2]!.bytes)).toEqual(['42["state:frame",{"t":3,"s":2}]']);
  });

  it('frames an ack by its bytes, not its characters (a message with accents), and several in the order held', () => {
    const s = linked();
    const accented = '38[{"ok":false,"error":{"code":"X","message":"déjà vu — été"}}]';
    holdAck(s.socket, ACK, s.sendAlone);
    holdAck(s.socket, accented, s.sendAlone);
    s.send(2);
    expect(wsPayloads(s.direct[1]!.bytes)).toEqual(['4' + ACK, '4' + accented, '42["state:frame",{"t":2,"s":1}]']);
  });

  it('is not held where frames do not go through a link of ours: no frame yet, long-polling', () => {
    const fresh = stand();
    fresh.eio.transport = fresh.websocket;
    expect(holdAck(fresh.socket, ACK, () => {})).toBe(false); // no frame written yet: no link
    const polling = stand();
    polling.send(1);
    expect(holdAck(polling.socket, ACK, () => {})).toBe(false);
  });

  it('goes alone at once when the frame is skipped (earlier bytes not taken)', () => {
    const s = linked();
    expect(holdAck(s.socket, ACK, s.sendAlone)).toBe(true);
    s.net.writableLength = 10;
    s.send(2);
    expect(s.direct).toHaveLength(1);
    expect(s.alone).toEqual([ACK]);
  });

  it('goes alone when no frame comes for a while (a room that stopped framing)', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const s = linked();
    expect(holdAck(s.socket, ACK, s.sendAlone)).toBe(true);
    vi.advanceTimersByTime(HELD_ACK_MAX_MS - 1);
    expect(s.alone).toEqual([]);
    vi.advanceTimersByTime(HELD_ACK_MAX_MS);
    expect(s.alone).toEqual([ACK]);
    // Sent once: a frame after it carries nothing.
    s.send(2);
    expect(wsPayloads(s.direct[1]!.bytes)).toEqual(['42["state:frame",{"t":2,"s":1}]']);
  });
});

describe('writeHeldFrames: the frames that carry an ack go as the room hands its batch over', () => {
  const ACK = '37[{"ok":true,"data":{"tick":5}}]';

  /** Two sockets on WebSockets and a batch kept from tick to tick, as a room keeps its own. */
  function room() {
    const a = stand();
    const b = stand();
    a.eio.transport = a.websocket;
    b.eio.transport = b.websocket;
    const sockets = new Map([
      ['s1', a.socket],
      ['s2', b.socket],
    ]);
    const io = { sockets: { sockets } } as unknown as IoServer;
    const batch = new FrameBatch();
    const frame = (t: number) => {
      batch.reset();
      for (const conn of ['s1', 's2']) {
        batch.begin();
        batch.out.text(JSON.stringify({ t, s: t - 1, conn }));
        batch.end([conn]);
      }
      return batch;
    };
    // Tick 1 finds both sockets (and each write completes at once).
    writeOwnFrames(io, frame(1));
    for (const w of [...a.direct, ...b.direct]) w.done();
    return { a, b, io, frame };
  }

  it('writes only the frames of connections holding an ack, and the run does not write them again', () => {
    const { a, b, io, frame } = room();
    const alone: string[] = [];
    expect(holdAck(b.socket, ACK, () => alone.push(ACK))).toBe(true);
    const batch = frame(2);
    writeHeldFrames(io, batch);
    expect(a.direct).toHaveLength(1);
    expect(b.direct).toHaveLength(2);
    expect(wsPayloads(b.direct[1]!.bytes)).toEqual(['4' + ACK, '42["state:frame",{"t":2,"s":1,"conn":"s2"}]']);
    b.direct[1]!.done();
    writeOwnFrames(io, batch);
    expect(a.direct).toHaveLength(2);
    expect(wsPayloads(a.direct[1]!.bytes)).toEqual(['42["state:frame",{"t":2,"s":1,"conn":"s1"}]']);
    expect(b.direct).toHaveLength(2);
    expect(alone).toEqual([]);
    // The next tick's run writes both again.
    a.direct[1]!.done();
    writeOwnFrames(io, frame(3));
    expect([a.direct.length, b.direct.length]).toEqual([3, 3]);
  });

  it.each([
    ['SocketPort', (io: IoServer): RoomPort => new SocketPort(io, { error: () => {} })],
    ['ClusterPort', (io: IoServer): RoomPort => new ClusterPort(io, { error: () => {} })],
  ])('%s with its own frame writer sends the ack\'s frame as the room hands the batch over, the rest at the end of the turn', async (_name, makePort) => {
    const { a, b, io, frame } = room();
    const port = makePort(io);
    holdAck(b.socket, ACK, () => {});
    port.sendFrames(frame(2));
    expect(b.direct).toHaveLength(2);
    expect(wsPayloads(b.direct[1]!.bytes)[0]).toBe('4' + ACK);
    expect(a.direct).toHaveLength(1);
    await new Promise<void>((r) => setImmediate(r));
    expect(a.direct).toHaveLength(2);
    expect(b.direct).toHaveLength(2);
  });

  it('writes nothing when no ack is held, and leaves a place it has not found yet to the run', () => {
    const { a, b, io, frame } = room();
    writeHeldFrames(io, frame(2));
    expect([a.direct.length, b.direct.length]).toEqual([1, 1]);
    // A batch that has not found its sockets yet (its first tick): the ack's frame goes in the run, with the ack.
    const fresh = new FrameBatch();
    fresh.reset();
    fresh.begin();
    fresh.out.text('{"t":2,"s":1}');
    fresh.end(['s2']);
    holdAck(b.socket, ACK, () => {});
    writeHeldFrames(io, fresh);
    expect(b.direct).toHaveLength(1);
    writeOwnFrames(io, fresh);
    expect(b.direct).toHaveLength(2);
    expect(wsPayloads(b.direct[1]!.bytes)).toEqual(['4' + ACK, '42["state:frame",{"t":2,"s":1}]']);
  });
});
