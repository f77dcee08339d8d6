/**
 * Issue #12's pure pieces: where students are sent (joinAddress), the projector chart's colours and marks
 * (NodeHistory: a student keeps one colour whatever the ranking; a killed pod keeps its band and legend row), and
 * how many student pods the node can schedule (bots fill only those).
 */
import { describe, expect, it } from 'vitest';
import { NodeHistory } from '../../client/src/charts/NodeHistory.ts';
import { isLoopback, joinAddress, listeningUrls, parsePublicUrl } from '../../server/net/joinAddress.ts';
import { studentSeatsOnNode } from '../../server/game/botSeats.ts';
import { builtinScenario } from '../../shared/scenario/builtin.ts';
import { createSimulation } from '../../shared/sim/create.ts';
import { mibToPages } from '../../shared/sim/units.ts';
import { explainEvent } from '../../shared/views/explain.ts';

describe('joinAddress', () => {
  const lan = ['http://192.168.1.20:3000', 'http://localhost:3000'];
  it.each([
    ['PUBLIC_URL first', { publicUrl: 'https://oom.example', known: lan, requestOrigin: 'http://localhost:3000' }, 'https://oom.example', false, 'public'],
    ['the LAN address over a loopback page', { publicUrl: null, known: lan, requestOrigin: 'http://127.0.0.1:3000' }, 'http://192.168.1.20:3000', false, 'lan'],
    ['the page’s own origin when it is reachable', { publicUrl: null, known: ['http://localhost:3000'], requestOrigin: 'http://10.0.0.5:3000' }, 'http://10.0.0.5:3000', false, 'request'],
    ['loopback only: flagged', { publicUrl: null, known: ['http://127.0.0.1:3000'], requestOrigin: 'http://localhost:3000' }, 'http://localhost:3000', true, 'request'],
  ] as const)('%s', (_name, input, base, loopbackOnly, source) => {
    expect(joinAddress({ ...input, known: [...input.known] })).toEqual({ base, loopbackOnly, source });
  });

  it('knows loopback hosts and refuses a PUBLIC_URL that is not http(s)', () => {
    for (const h of ['http://localhost:1', 'http://127.0.0.1:1', 'http://[::1]:1', 'http://127.8.9.10']) expect(isLoopback(h), h).toBe(true);
    for (const h of ['http://192.168.0.2:1', 'https://oom.example']) expect(isLoopback(h), h).toBe(false);
    expect(parsePublicUrl('https://oom.example/class/')).toBe('https://oom.example/class');
    expect(parsePublicUrl('ftp://oom.example')).toBeNull();
    expect(parsePublicUrl('not a url')).toBeNull();
  });

  it('lists LAN addresses when listening on every interface, the bound one otherwise', () => {
    const ifaces = { eth0: [{ address: '192.0.2.9', netmask: '255.255.255.0', family: 'IPv4' as const, mac: '0', internal: false, cidr: null }] };
    expect(listeningUrls({ address: '0.0.0.0', family: 'IPv4', port: 3000 }, ifaces)).toEqual(['http://192.0.2.9:3000', 'http://localhost:3000']);
    expect(listeningUrls({ address: '127.0.0.1', family: 'IPv4', port: 3000 }, ifaces)).toEqual(['http://127.0.0.1:3000']);
    expect(listeningUrls(null, ifaces)).toEqual([]);
  });
});

describe('NodeHistory colours and marks (the projector chart)', () => {
  const GIB = mibToPages(1024);
  const frame = (tick: number, usage: Record<string, number>) => ({
    tick,
    usedPages: Object.values(usage).reduce((a, b) => a + b, 0) + mibToPages(100),
    capacityPages: 8 * GIB,
    evictionThresholdPages: mibToPages(100),
    pods: Object.entries(usage).map(([slot, mib]) => [slot, mibToPages(mib)] as const),
  });

  it('a student keeps one colour while the ranking changes, and the whole history keeps it', () => {
    const h = new NodeHistory(600);
    for (let t = 0; t <= 40; t++) h.pushSample(frame(t * 10, { ada: 500, bob: 300, cy: 100 }));
    const first = new Map(h.bands((s) => s).map((b) => [b.key, b.color]));
    expect(h.named).toEqual(['ada', 'bob', 'cy']);
    // Cy grows past everyone: the order changes, the colours do not.
    for (let t = 41; t <= 80; t++) h.pushSample(frame(t * 10, { ada: 500, bob: 300, cy: 2000 }));
    expect(h.named[0]).toBe('cy');
    const after = new Map(h.bands((s) => s).map((b) => [b.key, b.color]));
    for (const slot of ['ada', 'bob', 'cy']) expect(after.get(slot), slot).toBe(first.get(slot));
    expect(new Set([...after.values()]).size).toBe(after.size);
    expect(h.bandColour(0)).toBe(first.get('cy'));
  });

  it('a killed pod keeps its band and legend row while its spike is in the window; kills are marked', () => {
    const h = new NodeHistory(600);
    for (let t = 0; t <= 30; t++) h.pushSample(frame(t * 10, { ada: 100 + t * 30, bob: 200 }));
    h.mark({ x: 30, kind: 'memcg', label: 'ada' });
    // Ada's pod is gone for a while (evicted, or between a kill and the restart).
    for (let t = 31; t <= 40; t++) h.pushSample(frame(t * 10, { bob: 200 }));
    expect(h.named).toContain('ada');
    expect(h.bands((s) => s).map((b) => b.key)).toContain('ada');
    expect(h.marks).toEqual([{ x: 30, kind: 'memcg', label: 'ada' }]);
  });

  it('more pods than bands: every pod with memory in the window is counted in the legend', () => {
    const h = new NodeHistory(600);
    const usage: Record<string, number> = {};
    for (let i = 0; i < 9; i++) usage[`p${i}`] = 100 + i * 10;
    for (let t = 0; t <= 5; t++) h.pushSample(frame(t * 10, usage));
    const other = h.bands((s) => s).find((b) => b.key === '~other');
    expect(other?.label).toBe('3 other pods');
  });
});

describe('studentSeatsOnNode (bots fill only what the node schedules)', () => {
  it('the classroom on a 3 GiB node holds what its allocatable memory fits at the 192 MiB request', () => {
    const base = builtinScenario('classroom')!;
    const scenario = { ...base, node: { ...base.node, memoryMiB: 3072 } };
    const state = createSimulation(scenario, { seed: 1 });
    const seats = studentSeatsOnNode(scenario, state, () => true);
    const allocatable = state.node.capacityPages - state.node.reservedPages - state.node.evictionThresholdPages;
    expect(seats).toBe(Math.floor(allocatable / mibToPages(192)));
    expect(seats).toBeLessThan(base.student!.maxPods);
    // Students who request nothing always schedule: the pod slots are the only limit.
    const bestEffort = { ...scenario, student: { ...scenario.student!, requestMiB: 0, limitMiB: null } };
    expect(studentSeatsOnNode(bestEffort, state, () => true)).toBe(Infinity);
  });
});

describe('the eviction in plain words (item 12)', () => {
  it('says MiB, not the kubelet’s Ki quantities, and how far over its request the pod was', () => {
    const text = explainEvent(
      {
        tick: 100,
        type: 'evicted',
        pod: 'ada-x1',
        slot: 'ada',
        message: 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 70844Ki.',
        usagePages: mibToPages(900),
        requestPages: mibToPages(192),
        availablePages: mibToPages(69),
      },
      'ada',
    )!;
    expect(text).toMatch(/fell to 69 MiB/);
    expect(text).toMatch(/used 900 MiB against a request of 192 MiB/);
    expect(text).not.toMatch(/\d+Ki\b/);
  });
});
