import type { IoServer } from './types.ts';

/** The `ws` WebSocket under engine.io's websocket transport, as engine.io itself uses it (`_sender.sendFrame`). */
interface WsSocket {
  readyState: number;
  /** Bytes handed to the socket that the kernel has not taken yet (ws's public API). */
  bufferedAmount: number;
  _sender?: { sendFrame(list: Buffer[]): void };
}

/** An engine.io socket as this module uses it (socket.io's `socket.conn`). */
interface EngineSocket {
  readyState: string;
  writeBuffer: unknown[];
  transport: { name: string; writable: boolean; socket?: WsSocket; opts?: { perMessageDeflate?: unknown } };
  write(data: string, options: object): void;
}

/** The socket.io packet of a `state:frame` event on the main namespace ('2' = event), payload given as JSON text. */
const PACKET_HEAD = '2["state:frame",';
/** engine.io's message type, then the packet's head: the first bytes of every frame's payload. */
const PAYLOAD_HEAD = Buffer.from('4' + PACKET_HEAD);
/** FIN + text opcode: a whole text message in one WebSocket frame (server frames are not masked). */
const WS_TEXT_FIN = 0x81;
const WS_OPEN = 1;

/**
 * Each connection's own volatile `state:frame`: ten a second to every student, the hottest path of the server.
 * socket.io would encode each one, pass it through its adapter and build its WebSocket frame one by one; here every
 * frame of a tick is framed into one buffer, as socket.io's adapter frames a broadcast once, and each WebSocket is
 * handed its slice straight to its sender, the call engine.io makes for a pre-encoded frame, without engine.io's
 * per-packet queue, events and write callbacks. A socket on long-polling gets the same packet through engine.io.
 *
 * Volatile: a frame is skipped for a socket that is not connected, whose engine.io queue holds a message not yet
 * written (the frame must not overtake it), or whose earlier bytes the kernel has not taken yet (a slow network:
 * frames would pile up). Its next frame's chain tells the client to resync.
 *
 * Returns the connections that are not sockets of this process (a cluster reaches those another way).
 */
export function writeOwnFrames(io: IoServer, frames: ReadonlyArray<readonly [conn: string, json: string]>): string[] {
  const notHere: string[] = [];
  const out: { ws: WsSocket; json: string; bytes: number }[] = [];
  let total = 0;
  let lastJson = '';
  let lastBytes = 0;
  for (const [conn, json] of frames) {
    const socket = io.sockets.sockets.get(conn);
    if (!socket) {
      notHere.push(conn);
      continue;
    }
    const eio = socket.conn as unknown as EngineSocket;
    if (!socket.connected || eio.readyState !== 'open' || !eio.transport.writable || eio.writeBuffer.length > 0) continue;
    const ws = directWebSocket(eio);
    if (!ws) {
      // Long-polling (or a WebSocket we cannot hand a frame to): engine.io encodes and queues the packet itself.
      eio.write(PACKET_HEAD + json + ']', {});
      continue;
    }
    if (ws.readyState !== WS_OPEN || ws.bufferedAmount > 0) continue;
    // A student with two tabs has the same text twice in a row: measured once.
    if (json !== lastJson) {
      lastJson = json;
      lastBytes = PAYLOAD_HEAD.length + Buffer.byteLength(json) + 1;
    }
    total += headerLength(lastBytes) + lastBytes;
    out.push({ ws, json, bytes: lastBytes });
  }
  if (out.length === 0) return notHere;
  const buf = Buffer.allocUnsafe(total);
  let at = 0;
  for (const { ws, json, bytes } of out) {
    const start = at;
    at = writeHeader(buf, at, bytes);
    at += PAYLOAD_HEAD.copy(buf, at);
    at += buf.write(json, at);
    buf[at++] = 0x5d; // ']'
    ws._sender!.sendFrame([buf.subarray(start, at)]);
  }
  return notHere;
}

/** The WebSocket a frame can be handed to directly, or null (long-polling, compression on, another ws). */
function directWebSocket(eio: EngineSocket): WsSocket | null {
  const t = eio.transport;
  if (t.name !== 'websocket' || t.opts?.perMessageDeflate) return null;
  const ws = t.socket;
  return ws && typeof ws._sender?.sendFrame === 'function' ? ws : null;
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
