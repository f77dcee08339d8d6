import type { IoServer } from './types.ts';

/** An engine.io socket as this module uses it (socket.io's `socket.conn`). */
interface EngineSocket {
  readyState: string;
  transport: { writable: boolean };
  write(data: string, options: { wsPreEncodedFrame?: Buffer[] }): void;
}

/** The socket.io packet of a `state:frame` event on the main namespace ('2' = event), payload given as JSON text. */
const PACKET_HEAD = '2["state:frame",';
/** engine.io's message type, the first byte of a WebSocket frame's payload. */
const ENGINE_MESSAGE = 0x34;
/** FIN + text opcode: a whole text message in one WebSocket frame (server frames are not masked). */
const WS_TEXT_FIN = 0x81;

/**
 * Each connection's own volatile `state:frame`: ten a second to every student, the hottest path of the server.
 * socket.io would encode each one, pass it through its adapter and build its WebSocket frame one by one; here every
 * frame of a tick is framed into one buffer, as socket.io's adapter frames a broadcast once, and each socket is
 * handed its slice. A socket on long-polling gets the same packet as text. Volatile as before: a socket whose last
 * write is still in flight (or that is not connected) skips this frame; its next frame's chain tells the client.
 *
 * Returns the connections that are not sockets of this process (a cluster reaches those another way).
 */
export function writeOwnFrames(io: IoServer, frames: ReadonlyArray<readonly [conn: string, json: string]>): string[] {
  const notHere: string[] = [];
  const out: { eio: EngineSocket; packet: string; bytes: number }[] = [];
  let total = 0;
  for (const [conn, json] of frames) {
    const socket = io.sockets.sockets.get(conn);
    if (!socket) {
      notHere.push(conn);
      continue;
    }
    const eio = socket.conn as unknown as EngineSocket;
    if (!socket.connected || eio.readyState !== 'open' || !eio.transport.writable) continue;
    const packet = PACKET_HEAD + json + ']';
    const bytes = Buffer.byteLength(packet) + 1;
    total += headerLength(bytes) + bytes;
    out.push({ eio, packet, bytes });
  }
  if (out.length === 0) return notHere;
  const buf = Buffer.allocUnsafe(total);
  let at = 0;
  for (const { eio, packet, bytes } of out) {
    const start = at;
    at = writeHeader(buf, at, bytes);
    buf[at++] = ENGINE_MESSAGE;
    at += buf.write(packet, at);
    eio.write(packet, { wsPreEncodedFrame: [buf.subarray(start, at)] });
  }
  return notHere;
}

function headerLength(payload: number): number {
  return payload < 126 ? 2 : payload < 65536 ? 4 : 10;
}

/** RFC 6455 §5.2: the 7-bit length, or 126 + 16 bits, or 127 + 64 bits. */
function writeHeader(buf: Buffer, at: number, payload: number): number {
  buf[at++] = WS_TEXT_FIN;
  if (payload < 126) {
    buf[at++] = payload;
  } else if (payload < 65536) {
    buf[at++] = 126;
    buf.writeUInt16BE(payload, at);
    at += 2;
  } else {
    buf[at++] = 127;
    buf.writeBigUInt64BE(BigInt(payload), at);
    at += 8;
  }
  return at;
}
