/**
 * Issue #12's server side through the real server: where students are sent (the LAN address, PUBLIC_URL, a
 * loopback warning), one Start that keeps the teacher's node memory and minutes, bots that fill only what the node
 * can schedule, give their seat to a late student and leave with one "Remove bots", and the recent chart history a
 * reloaded page gets in its snapshot.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import { mibToPages, pagesToMiB } from '../../shared/sim/units.ts';
import { attachHost, call, client, createSession, joinStudent, ok, startServer, tick, type TestServer } from './helpers.ts';

const FAKE_LAN = () => ({
  wlan0: [{ address: '198.51.100.7', netmask: '255.255.255.0', family: 'IPv4' as const, mac: '02:00:00:00:00:02', internal: false, cidr: '198.51.100.7/24' }],
});

let servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers) await s.close();
  servers = [];
});
async function serve(o: Parameters<typeof startServer>[0] = {}) {
  const s = await startServer(o);
  servers.push(s);
  return s;
}
const info = async (s: TestServer, code: string) => (await (await fetch(`${s.url}/api/sessions/${code}`)).json()) as { joinUrl: string; joinWarning?: string };

describe('where students are sent (issue #12, item 1)', () => {
  it('listening on every interface: the LAN address, in the create answer, the session info and the QR code', async () => {
    // Listening as `npm start` does (startServer listens on 127.0.0.1 only).
    const built = await buildApp({ networkInterfaces: FAKE_LAN });
    await built.app.listen({ port: 0, host: '0.0.0.0' });
    const port = (built.app.server.address() as { port: number }).port;
    try {
      const url = `http://127.0.0.1:${port}`;
      const res = await fetch(`${url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      const created = (await res.json()) as { code: string; joinUrls: string[]; joinWarning?: string };
      expect(created.joinUrls[0]).toBe(`http://198.51.100.7:${port}/join/${created.code}`);
      expect(created.joinWarning).toBeUndefined();
      const i = (await (await fetch(`${url}/api/sessions/${created.code}`)).json()) as { joinUrl: string; joinWarning?: string };
      expect(i).toMatchObject({ joinUrl: `http://198.51.100.7:${port}/join/${created.code}` });
      expect(i.joinWarning).toBeUndefined();
      const svg = await (await fetch(`${url}/api/sessions/${created.code}/qr.svg`)).text();
      expect(svg).toMatch(/^<svg/);
    } finally {
      await built.app.close();
    }
  });

  it('only loopback known: the address is loopback and every answer carries a warning', async () => {
    const s = await serve({ networkInterfaces: () => ({}) });
    const { code, joinUrls, joinWarning } = await createSession(s);
    expect(joinUrls[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/join\//);
    expect(joinWarning).toMatch(/Only this computer/);
    expect((await info(s, code)).joinWarning).toMatch(/PUBLIC_URL/);
  });

  it('PUBLIC_URL behind a proxy wins over every interface', async () => {
    const s = await serve({ networkInterfaces: FAKE_LAN, config: { publicUrl: 'https://oom.school.example' } });
    const { code, joinUrls } = await createSession(s);
    expect(joinUrls[0]).toBe(`https://oom.school.example/join/${code}`);
    expect(await info(s, code)).toMatchObject({ joinUrl: `https://oom.school.example/join/${code}` });
  });
});

describe('one Start that keeps the teacher’s choices (item 3)', () => {
  it('round 1 of the session’s scenario keeps the node memory chosen at creation, and takes the minutes', async () => {
    const s = await serve();
    const { code, hostKey, room } = await createSession(s, { scenario: 'classroom', nodeMemoryMiB: 3072 });
    const host = await attachHost(s, code, hostKey);
    const g = ok(await call(host, 'round:start', { scenario: 'classroom', durationSec: 420 }));
    expect(g).toMatchObject({ phase: 'round', round: { durationSec: 420 } });
    expect(pagesToMiB(room.state.node.capacityPages)).toBe(3072);
    // The next built-in round keeps the teacher's node too.
    ok(await call(host, 'round:end', {}));
    ok(await call(host, 'round:start', { scenario: 'classroom', durationSec: 300 }));
    expect(pagesToMiB(room.state.node.capacityPages)).toBe(3072);
  });
});

describe('bots (item 8)', () => {
  it('fill only the pods the node can schedule, give a seat to a late student, and go with one Remove bots', async () => {
    const s = await serve();
    const { code, hostKey, room } = await createSession(s, { scenario: 'classroom', nodeMemoryMiB: 3072 });
    const host = await attachHost(s, code, hostKey);
    await joinStudent(s, code, 'ada');
    const { added } = ok(await call(host, 'bots:fill', { strategy: 'careful-guaranteed' }));
    const seated = room.meta().students;
    expect(seated).toBe(added + 1);
    // Far fewer than the scenario's 50 pod slots: what 3 GiB holds at the 192 MiB request.
    expect(seated).toBeLessThan(20);
    const allocatable = room.state.node.capacityPages - room.state.node.reservedPages - room.state.node.evictionThresholdPages;
    expect(seated * mibToPages(192)).toBeLessThanOrEqual(allocatable);
    expect(await call(host, 'bots:fill', { strategy: 'idle' })).toMatchObject({ ok: false, error: { code: 'BAD_STATE' } });

    ok(await call(host, 'round:start', { scenario: 'classroom', durationSec: 300 }));
    await tick(room, 40);
    // Nobody is left Pending for lack of room.
    expect(room.state.pods.filter((p) => p.phase === 'Pending' && p.schedMessage)).toEqual([]);

    // A late student takes a bot's seat: a pod, not "watching".
    const late = await joinStudent(s, code, 'grace');
    expect(late.join.role).toBe('student');
    expect(room.meta().students).toBe(seated);
    await tick(room, 40);
    const grace = room.state.pods.find((p) => p.slot === late.join.slot);
    expect(grace?.phase).toBe('Running');

    // One button removes every bot, pods and all.
    const { removed } = ok(await call(host, 'bots:remove', {}));
    expect(removed).toBe(added - 1);
    expect(room.meta().students).toBe(2);
    await tick(room, 5);
    expect(room.state.pods.filter((p) => p.phase !== 'Failed').map((p) => p.slot).sort()).toEqual(['ada', late.join.slot!].sort());
    // Students may not remove bots.
    expect(await call(late.c, 'bots:remove', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});

describe('a reloaded page gets the recent chart history (item 10)', () => {
  it('a student rejoining by token gets the last minute of their pod and the node; the presenter every pod', async () => {
    const s = await serve();
    const { code, hostKey, presenterKey, room } = await createSession(s, { scenario: 'classroom', nodeMemoryMiB: 4096 });
    const host = await attachHost(s, code, hostKey);
    const ada = await joinStudent(s, code, 'ada');
    await joinStudent(s, code, 'bob');
    ok(await call(host, 'round:start', { scenario: 'classroom', durationSec: 300 }));
    await tick(room, 80);
    ada.c.disconnect();
    const again = await client(s);
    const j = ok(await call(again, 'student:join', { v: PROTOCOL_VERSION, code, token: ada.join.token }));
    const h = j.snapshot.history!;
    expect(h.ticks.length).toBeGreaterThan(10);
    expect(h.ticks.at(-1)!).toBeLessThanOrEqual(j.snapshot.tick);
    expect(h.mine?.slot).toBe(ada.join.slot);
    expect(h.usage[ada.join.slot!]!.some((v) => v > 0)).toBe(true);
    // A student sees only their own pod's columns.
    expect(Object.keys(h.usage)).toEqual([ada.join.slot]);
    expect(h.availablePages).toHaveLength(h.ticks.length);

    const pres = await client(s);
    const p = ok(await call(pres, 'presenter:attach', { v: PROTOCOL_VERSION, code, key: presenterKey }));
    expect(Object.keys(p.snapshot.history!.usage).sort()).toEqual(['ada', 'bob']);
    expect(p.snapshot.history!.mine).toBeUndefined();
  });
});
