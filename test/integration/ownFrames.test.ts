/**
 * A student's own frame is written below socket.io's emit (server/socket/ownFrames.ts): one buffer per tick holds
 * every student's WebSocket frame, each socket gets its slice. What a client receives must be exactly the event
 * socket.io would have delivered, for every frame length the WebSocket header encodes differently (7-bit, 16-bit
 * and 64-bit lengths), over WebSocket and over long-polling, and a frame never reaches a socket it was not for.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameBatch } from '../../server/room/FrameBatch.ts';
import { writeOwnFrames } from '../../server/socket/ownFrames.ts';
import type { IoServer } from '../../server/socket/types.ts';

/** What a client received, a frame written again before the first one arrived counted once. */
const distinct = (list: unknown[]) => list.filter((f, i) => i === 0 || JSON.stringify(f) !== JSON.stringify(list[i - 1]));
const frameOf = (who: string, size: number) => ({ t: size, s: size - 1, who, pad: 'é'.repeat(Math.floor(size / 4)) + 'x'.repeat(size) });

describe('own frames written below socket.io', () => {
  let io: IoServer;
  let url: string;
  const clients: Socket[] = [];
  beforeAll(async () => {
    const http = createServer();
    io = new Server(http, { perMessageDeflate: false, connectionStateRecovery: {} }) as unknown as IoServer;
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await io.close();
  });

  async function client(transport: 'websocket' | 'polling'): Promise<{ c: Socket; got: unknown[] }> {
    const c = connect(url, { transports: [transport], forceNew: true });
    clients.push(c);
    const got: unknown[] = [];
    c.on('state:frame' as never, (f: unknown) => void got.push(f));
    await new Promise<void>((r) => c.once('connect', () => r()));
    return { c, got };
  }

  it('each socket gets exactly its own frames, whatever their length and transport', async () => {
    const ws = await client('websocket');
    const ws2 = await client('websocket');
    const poll = await client('polling');
    const sizes = [10, 120, 126, 300, 70_000];
    const expected = new Map<Socket, unknown[]>([
      [ws.c, []],
      [ws2.c, []],
      [poll.c, []],
    ]);
    const got = new Map<Socket, unknown[]>([
      [ws.c, ws.got],
      [ws2.c, ws2.got],
      [poll.c, poll.got],
    ]);
    for (const size of sizes) {
      for (const [c, list] of expected) list.push(frameOf(c.id!, size));
      // Volatile: a socket busy with its last write (or, on long-polling, with no request open) skips a frame, so
      // each tick writes again to whoever does not have this one yet, as the room's next tick would.
      await expect
        .poll(
          () => {
            const batch: [string, string][] = [];
            for (const [c, list] of expected) if (distinct(got.get(c)!).length < list.length) batch.push([c.id!, JSON.stringify(list.at(-1))]);
            // A connection that is not a socket here is handed back, not written.
            expect(writeOwnFrames(io, FrameBatch.of([...batch, ['elsewhere', '{"t":1,"s":0}']]))).toEqual([batch.length]);
            return [...got.values()].map((l) => distinct(l).length);
          },
          { timeout: 10_000, interval: 20 },
        )
        .toEqual([...expected.values()].map((l) => l.length));
    }
    for (const [c, list] of expected) expect(distinct(got.get(c)!)).toEqual(list);
  });

  it('a batch carries each delivery as its own event: students’ frames and the viewers’ delta', async () => {
    const viewer = await client('websocket');
    const student = await client('websocket');
    const deltas: unknown[] = [];
    viewer.c.on('state:delta' as never, (d: unknown) => void deltas.push(d));
    const delta = { t: 2, since: 1, pods: { 'ana-x1': { rssPages: 5, owner: 'Ana é' } } };
    await expect
      .poll(
        () => {
          const batch = new FrameBatch();
          batch.reset();
          batch.begin();
          batch.out.text(JSON.stringify(delta));
          batch.end([viewer.c.id!], 'state:delta');
          batch.begin();
          batch.out.text(JSON.stringify({ t: 2, s: 1 }));
          batch.end([student.c.id!]);
          writeOwnFrames(io, batch);
          return deltas.length > 0 && student.got.length > 0;
        },
        { timeout: 10_000, interval: 20 },
      )
      .toBe(true);
    expect(deltas[0]).toEqual(delta);
    expect(viewer.got).toEqual([]); // no state:frame for the viewer
    expect(student.got[0]).toEqual({ t: 2, s: 1 });
  });

  it('a socket whose earlier bytes the kernel has not taken yet skips the frame (volatile), and gets a later one', async () => {
    const a = await client('websocket');
    // 32 MB cannot be taken by a loopback socket in one write: the socket still holds bytes when the next frame comes.
    const big = { t: 1, s: 0, pad: 'x'.repeat(32 * 1024 * 1024) };
    writeOwnFrames(io, FrameBatch.of([[a.c.id!, JSON.stringify(big)]]));
    writeOwnFrames(io, FrameBatch.of([[a.c.id!, JSON.stringify({ t: 2, s: 1 })]]));
    await expect.poll(() => a.got.length, { timeout: 20_000 }).toBe(1);
    expect((a.got[0] as { t: number }).t).toBe(1);
    await expect
      .poll(
        () => {
          writeOwnFrames(io, FrameBatch.of([[a.c.id!, JSON.stringify({ t: 3, s: 2 })]]));
          return a.got.length;
        },
        { timeout: 10_000 },
      )
      .toBeGreaterThan(1);
    expect(a.got[1]).toEqual({ t: 3, s: 2 });
  });

  it('a frame never overtakes a message socket.io has not written yet: it is skipped', async () => {
    const a = await client('websocket');
    const order: string[] = [];
    a.c.on('note' as never, () => void order.push('note'));
    a.c.on('state:frame' as never, (f: { t: number }) => void order.push(`frame ${f.t}`));
    const server = io.sockets.sockets.get(a.c.id!)!;
    // Two reliable messages first, in the same turn: socket.io writes the first and queues the second until the first
    // is done, so a frame written now would arrive between them.
    (server.emit as (e: string, p: unknown) => boolean)('note', 'first');
    (server.emit as (e: string, p: unknown) => boolean)('note', 'second');
    writeOwnFrames(io, FrameBatch.of([[a.c.id!, JSON.stringify({ t: 1, s: 0 })]]));
    await expect
      .poll(
        () => {
          writeOwnFrames(io, FrameBatch.of([[a.c.id!, JSON.stringify({ t: 2, s: 1 })]]));
          return order.length;
        },
        { timeout: 10_000 },
      )
      .toBeGreaterThan(2);
    expect(order.slice(0, 3)).toEqual(['note', 'note', 'frame 2']);
  });
});
