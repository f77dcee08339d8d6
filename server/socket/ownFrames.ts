import { FRAME_HEADROOM, type FrameBatch, type FrameEvent } from '../room/FrameBatch.ts';
import type { IoServer } from './types.ts';

/** The `ws` WebSocket under engine.io's websocket transport, as engine.io itself uses it (`_sender.sendFrame`). */
interface WsSocket {
  readyState: number;
  /** Bytes handed to the socket that the kernel has not taken yet (ws's public API). */
  bufferedAmount: number;
  _sender?: { sendFrame(list: Buffer[]): void };
  _socket?: NetSocket;
}

/**
 * The TCP socket under it, as node's own `Writable._write` drives it: `_writeGeneric` hands bytes to the handle (the
 * kernel takes them at once and the callback runs before it returns, or libuv queues the rest, in order, and calls
 * back once the kernel has them).
 */
interface NetSocket {
  _writeGeneric?(writev: false, data: Buffer, encoding: 'buffer', cb: (err?: Error | null) => void): void;
  /** libuv's stream, null once the socket is destroyed (a TCP handle counts its queue: `writeQueueSize`). */
  _handle: { readonly writeQueueSize?: number } | null;
  /** Bytes written through the Writable (engine.io's messages, by ws) that libuv has not called back yet. */
  readonly writableLength: number;
  destroy(err?: Error): void;
}

/** An engine.io socket as this module uses it (socket.io's `socket.conn`). */
interface EngineSocket {
  readyState: string;
  writeBuffer: unknown[];
  transport: EngineTransport;
  write(data: string, options: object): void;
}
interface EngineTransport {
  name: string;
  writable: boolean;
  socket?: WsSocket;
  opts?: { perMessageDeflate?: unknown };
}

/** A socket.io socket as this module uses it. */
interface IoSocketLike {
  connected: boolean;
  conn: unknown;
}

/**
 * How frames reach one socket.io socket, worked out once per transport (an upgrade from long-polling makes a new
 * one) rather than every frame: ten frames a second to each of a thousand sockets, each look-up through socket.io's,
 * engine.io's and ws's objects a cache miss of its own. A batch keeps each delivery's link from tick to tick
 * (`FrameBatch.links`), so a frame finds its way without a look-up of its connection.
 */
interface FrameLink {
  /** The connection (socket id) and the socket.io socket this link was made for. */
  readonly conn: string;
  readonly socket: IoSocketLike;
  readonly eio: EngineSocket;
  /** The engine.io transport this link was made for. */
  readonly transport: EngineTransport;
  /** The WebSocket to frame for, or null: engine.io encodes and queues the packet (long-polling, compression on). */
  readonly ws: WsSocket | null;
  /** Its TCP socket when node offers its own write, else null: the frame goes to the WebSocket's sender. */
  readonly net: NetSocket | null;
  /**
   * Our frames handed to the TCP socket whose write has not called back (libuv still holds their bytes). A write
   * the kernel takes at once calls back before `_writeGeneric` returns, so this is 0 between frames unless one waits.
   */
  inFlight: number;
  /** The write's callback, one per link rather than one per frame. */
  readonly written: (err?: Error | null) => void;
  /** Acks waiting to go out in the same write as this connection's next frame (see holdAck), or null. */
  held: HeldAck[] | null;
}

/** A command's ack kept for the frame that shows the command: its WebSocket frame, and the way to send it alone. */
interface HeldAck {
  readonly bytes: Buffer;
  readonly since: number;
  readonly sendAlone: () => void;
}
const LINK = Symbol('oom-arena.frameLink');
type Linked = { [LINK]?: FrameLink };

/** The socket.io packet of an event on the main namespace ('2' = event), its payload to follow as JSON text. */
const packetHead = (event: FrameEvent) => `2["${event}",`;
/** engine.io's message type, then the packet's head: the first bytes of every frame's payload. */
const PAYLOAD_HEAD: Record<FrameEvent, Buffer> = {
  'state:frame': Buffer.from('4' + packetHead('state:frame')),
  'state:delta': Buffer.from('4' + packetHead('state:delta')),
};
const FRAME_HEAD = PAYLOAD_HEAD['state:frame'];
const DELTA_HEAD = PAYLOAD_HEAD['state:delta'];
for (const head of Object.values(PAYLOAD_HEAD)) if (head.length + 10 > FRAME_HEADROOM) throw new Error('FRAME_HEADROOM is too small');
/** FIN + text opcode: a whole text message in one WebSocket frame (server frames are not masked). */
const WS_TEXT_FIN = 0x81;
const WS_OPEN = 1;

/**
 * Each connection's own volatile `state:frame` (or the viewers' `state:delta`): ten a second to every student, the
 * hottest path of the server.
 * socket.io would encode each one, pass it through its adapter and build its WebSocket frame one by one; here the
 * room has written every payload of a tick into one buffer with room around each (FrameBatch), the WebSocket header
 * and socket.io's packet head are written in place before it, and each slice goes straight to its TCP socket's write
 * (see linkFor; where node offers none, to the WebSocket's sender, the call engine.io makes for a pre-encoded frame),
 * without engine.io's per-packet queue, events and write callbacks. Nothing is copied. A socket on long-polling gets
 * the same packet through engine.io.
 *
 * Volatile: a frame is skipped for a socket that is not connected, whose engine.io queue holds a message not yet
 * written (the frame must not overtake it), or whose earlier bytes the kernel has not taken yet (ours: the link's
 * writes not called back; engine.io's: the Writable's length, which holds them until libuv calls back; ws's
 * `bufferedAmount` where there is no TCP handle: a slow network, frames would pile up). Its next frame's chain tells
 * the client to resync.
 *
 * Returns the deliveries whose connection is not a socket of this process (a cluster reaches those another way).
 */
export function writeOwnFrames(io: IoServer, batch: FrameBatch): number[] {
  const notHere: number[] = [];
  const early = batch.early;
  let e = 0;
  for (let i = 0, n = batch.size; i < n; i++) {
    if (e < early.length && early[e] === i) {
      e++; // written when the room handed the batch over (writeHeldFrames)
      continue;
    }
    if (!writeAt(io, batch, i)) notHere.push(i);
  }
  early.length = 0;
  const links = batch.links as (FrameLink | undefined)[];
  // Acks held for a frame this tick skipped go alone now rather than wait for the next.
  if (holding.size > 0) for (let i = 0, n = batch.size; i < n; i++) if (links[i]?.held) sendHeldAlone(links[i]!);
  // A room that shrank: its places past the last delivery let go of their sockets.
  if (links.length > batch.size) links.length = batch.size;
  return notHere;
}

/**
 * The frames of `batch` that carry a command's ack (holdAck), written now, ahead of the rest of the batch and of the
 * other rooms' batches of the beat; writeOwnFrames passes over them when the batch's turn comes. The student who
 * acted waits for this frame, and for no other: a beat's run of writes (every room's frames, written after the last
 * room has ticked) takes milliseconds, and the frames nobody waits on lose nothing by going after these. Only places
 * whose socket the batch found last tick (`links`): a place looked up again goes in the run as before.
 */
export function writeHeldFrames(io: IoServer, batch: FrameBatch): void {
  if (holding.size === 0) return;
  const links = batch.links as (FrameLink | undefined)[];
  const early = batch.early;
  for (let i = 0, n = batch.size; i < n; i++) {
    const link = links[i];
    if (link === undefined || link.held === null || link.conn !== batch.conns[i]) continue;
    // A place is written once: where it is not a socket here after all, the run hands it on as before.
    if (writeAt(io, batch, i)) early.push(i);
  }
}

/**
 * The urgent writer (FrameQueue's) that goes with a port's frame writer: writeHeldFrames when the frames are ours
 * (it writes through the same links, and the run passes over what it wrote), none for any other writer (a test's).
 */
export function heldFramesWriter(io: IoServer, writeFrames: unknown): ((batch: FrameBatch) => void) | undefined {
  return writeFrames === writeOwnFrames ? (batch) => writeHeldFrames(io, batch) : undefined;
}

/** Delivery `i` of `batch` to its socket (or skipped: volatile); false when its connection is not a socket here. */
function writeAt(io: IoServer, batch: FrameBatch, i: number): boolean {
  const links = batch.links as (FrameLink | undefined)[];
  const conn = batch.conns[i]!;
  // The link this place had last tick, while it is still this connection's and its socket is still connected
  // (a recovered connection keeps its id on a new socket object); else found again.
  let link = links[i];
  if (link === undefined || link.conn !== conn || !link.socket.connected || link.eio.transport !== link.transport) {
    link = resolveLink(io, conn);
    links[i] = link;
    if (link === undefined) return false;
    if (!link.socket.connected) return true;
  }
  const eio = link.eio;
  if (eio.readyState !== 'open' || eio.writeBuffer.length > 0) return true;
  const transport = link.transport;
  if (!transport.writable) return true;
  const event = batch.events[i]!;
  const ws = link.ws;
  if (ws === null) {
    // Long-polling (or a WebSocket we cannot hand a frame to): engine.io encodes and queues the packet itself.
    eio.write(packetHead(event) + batch.text(i) + ']', {});
    return true;
  }
  if (ws.readyState !== WS_OPEN) return true;
  const net = link.net !== null && link.net._handle !== null ? link.net : null;
  // Bytes not taken yet: ours (the link's count) and engine.io's (the Writable's). Both are fields of objects this
  // loop reads anyway, where libuv's `writeQueueSize` is a call into C++ per frame.
  if (net !== null ? link.inFlight > 0 || net.writableLength > 0 : ws.bufferedAmount > 0) return true;
  const buf = batch.out.buf;
  const start = batch.starts[i]!;
  const end = batch.ends[i]!;
  // The payload's head and the header go in the room before it (FRAME_HEADROOM), the closing bracket after it; a
  // second delivery of the same payload (a second tab) writes the same bytes again.
  const payloadHead = event === 'state:frame' ? FRAME_HEAD : DELTA_HEAD;
  const bytes = payloadHead.length + (end - start) + 1;
  const head = headerLength(bytes);
  const from = start - payloadHead.length - head;
  writeHeader(buf, from, bytes);
  for (let k = 0, at = start - payloadHead.length; k < payloadHead.length; k++) buf[at + k] = payloadHead[k]!;
  buf[end] = 0x5d; // ']'
  const frame = buf.subarray(from, end + 1);
  if (net !== null) {
    // 'buffer': the slice itself goes to libuv (any other encoding makes node copy it first, a buffer a frame). It
    // is never written over while libuv may hold it: each tick's batch has a buffer of its own (FrameBatch.reset).
    // Acks held for this frame go first, in the same write (a new buffer: a few a second).
    const out = link.held === null ? frame : withHeldAcks(link, frame);
    link.inFlight++;
    net._writeGeneric!(false, out, 'buffer', link.written);
  } else {
    ws._sender!.sendFrame([frame]);
  }
  return true;
}

/** Links holding acks, and the timer that sends any held too long (a room that stopped framing). */
const holding = new Set<FrameLink>();
let sweep: ReturnType<typeof setTimeout> | null = null;
/** A held ack older than this goes alone: frames come every 100 ms while a room runs. */
export const HELD_ACK_MAX_MS = 250;

/**
 * Keep a command's ack (socket.io's ACK packet `3<id>[…]`, as text) to go out with the connection's next frame in
 * one write instead of a write of its own: the frame that shows the command follows at the room's next tick, and
 * the student needs both. False when this socket's frames do not go through a link of ours (long-polling, TLS,
 * another process's connection, no frame written yet): the caller sends it the usual way. `sendAlone` sends it the
 * usual way if the frame does not come (skipped, the room stopped, the connection changed transport).
 */
export function holdAck(socket: unknown, ackPacket: string, sendAlone: () => void): boolean {
  const link = (socket as Linked)[LINK];
  if (link === undefined || link.net === null || !link.socket.connected || link.eio.transport !== link.transport) return false;
  // engine.io's message type, then the packet, written after its WebSocket header: one buffer, no copy.
  const text = '4' + ackPacket;
  const length = Buffer.byteLength(text);
  const bytes = Buffer.allocUnsafe(headerLength(length) + length);
  bytes.write(text, writeHeader(bytes, 0, length));
  (link.held ??= []).push({ bytes, since: performance.now(), sendAlone });
  holding.add(link);
  sweep ??= setTimeout(sweepHeld, HELD_ACK_MAX_MS).unref();
  return true;
}

/** The held acks' frames, then the state frame, in one buffer; the link holds nothing after. */
function withHeldAcks(link: FrameLink, frame: Buffer): Buffer {
  const parts = link.held!.map((h) => h.bytes);
  parts.push(frame);
  letGo(link);
  return Buffer.concat(parts);
}

function sendHeldAlone(link: FrameLink): void {
  const held = link.held!;
  letGo(link);
  for (const h of held) h.sendAlone();
}

/** The link holds nothing now; with nothing held anywhere, no sweep waits. */
function letGo(link: FrameLink): void {
  link.held = null;
  holding.delete(link);
  if (holding.size === 0 && sweep !== null) {
    clearTimeout(sweep);
    sweep = null;
  }
}

/** Held acks past their time go alone; the sweep then waits for the oldest one left. */
function sweepHeld(): void {
  sweep = null;
  const now = performance.now();
  let oldest = Infinity;
  for (const link of holding) {
    const since = link.held![0]!.since;
    if (now - since >= HELD_ACK_MAX_MS - 1 || !link.socket.connected) sendHeldAlone(link);
    else if (since < oldest) oldest = since;
  }
  if (holding.size > 0) sweep ??= setTimeout(sweepHeld, Math.max(1, oldest + HELD_ACK_MAX_MS - now)).unref();
}

/** The link to connection `conn`'s socket (undefined: no socket of this process), made again for a new transport. */
function resolveLink(io: IoServer, conn: string): FrameLink | undefined {
  const socket = io.sockets.sockets.get(conn) as unknown as (IoSocketLike & Linked) | undefined;
  if (socket === undefined) return undefined;
  const eio = socket.conn as EngineSocket;
  let link = socket[LINK];
  if (link === undefined || link.transport !== eio.transport) link = socket[LINK] = linkFor(conn, socket, eio);
  return link;
}

/**
 * How frames reach a transport: a WebSocket frame straight to its TCP handle, as `Writable._write` would pass it on.
 * Nothing is queued in the Writable when a frame goes (its length is 0 and none of our writes is pending, checked
 * before), so its bookkeeping per write (a length, a callback a tick later) buys nothing here, and order holds:
 * libuv queues whatever the kernel did not take before any later write. While libuv holds a frame's bytes, the
 * link's `inFlight` says so, and the next frame is skipped.
 */
function linkFor(conn: string, socket: IoSocketLike, eio: EngineSocket): FrameLink {
  const transport = eio.transport;
  const ws = directWebSocket(transport);
  const tcp = ws?._socket;
  // A TCP stream of libuv's (not TLS's, say): see writeOwnFrames.
  const net = tcp !== undefined && typeof tcp._writeGeneric === 'function' && typeof tcp._handle?.writeQueueSize === 'number' ? tcp : null;
  const link: FrameLink = {
    conn,
    socket,
    eio,
    transport,
    ws,
    net,
    inFlight: 0,
    held: null,
    written: (err) => {
      link.inFlight--;
      if (err) net?.destroy(err);
    },
  };
  return link;
}

/** The WebSocket a frame can be handed to directly, or null (long-polling, compression on, another ws). */
function directWebSocket(t: EngineTransport): WsSocket | null {
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
