/**
 * How writeOwnFrames reaches a socket, on stand-ins for socket.io's, engine.io's, ws's and node's objects (the real
 * ones are exercised end to end in test/integration/ownFrames.test.ts): the way is worked out once per transport,
 * worked out again when the transport changes (an upgrade from long-polling), and a frame libuv still holds makes
 * the next one skip until its write completes.
 */
import { describe, expect, it } from 'vitest';
import { FrameBatch } from '../../server/room/FrameBatch.ts';
import { writeOwnFrames } from '../../server/socket/ownFrames.ts';
import type { IoServer } from '../../server/socket/types.ts';

type Callback = (err?: Error | null) => void;

function stand() {
  const viaEngine: string[] = [];
  const direct: { text: string; done: Callback; bytes: Buffer; encoding: string }[] = [];
  const viaSender: string[] = [];
  const polling = { name: 'polling', writable: true };
  const net = {
    /** libuv's count of bytes the kernel has not taken yet (node's `writeQueueSize`). */
    _handle: { writeQueueSize: 0 } as { writeQueueSize: number } | null,
    destroyed: null as Error | null,
    // As libuv does for a write the kernel did not take at once: its bytes count in the queue until it completes.
    _writeGeneric(_writev: false, data: Buffer, encoding: string, cb: Callback) {
      const handle = net._handle!;
      handle.writeQueueSize += data.length;
      direct.push({
        bytes: data,
        encoding,
        text: data.toString('latin1'),
        done: (err) => {
          handle.writeQueueSize -= data.length;
          cb(err);
        },
      });
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
  const io = { sockets: { sockets: new Map([['s1', socket]]) } } as unknown as IoServer;
  const send = (t: number) => writeOwnFrames(io, FrameBatch.of([['s1', JSON.stringify({ t, s: t - 1 })]]));
  return { io, send, eio, websocket, net, ws, viaEngine, direct, viaSender };
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
    // Bytes libuv still holds (engine.io's last message through the Writable, say): libuv's own count says so.
    s.net._handle!.writeQueueSize = 10;
    s.send(1);
    s.net._handle!.writeQueueSize = 0;
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
});
