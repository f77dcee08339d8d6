import { describe, expect, it } from 'vitest';
import { nodeUsedPages, podUsagePages } from '../../../shared/sim/memory.ts';
import { mibToPages } from '../../../shared/sim/units.ts';
import { ofType, pod, run, sim } from './helpers.ts';

const batch = (sizeMiB: number, rateMiBps = 100) => ({ sizeMiB, mode: 'load' as const, rateMiBps, chunkMiB: 32, everySec: 0 });

describe('K9 the charge path: limit → reclaim → memcg OOM', () => {
  it('kills a container at its limit, with usage never above the limit', () => {
    const s = sim({ pods: [{ name: 'a', requestMiB: 128, limitMiB: 256, workload: { baselineMiB: 32, requestsPerSec: 0, batch: batch(400) } }] });
    const events = run(s, 60);
    const kill = ofType(events, 'oom_kill')[0]!;
    expect(kill.constraint).toBe('memcg');
    expect(kill.exitCode).toBe(137);
    expect(kill.reason).toBe('OOMKilled');
    expect(kill.usagePages).toBe(mibToPages(256));
    expect(kill.totalPages).toBe(mibToPages(256)); // memcg totalpages = the cgroup's limit
    expect(kill.candidates.map((c) => c.slot)).toEqual(['a']); // only the cgroup's tasks are scanned
    expect(pod(s, 'a').eventsOomKill).toBeGreaterThanOrEqual(1);
  });

  it('M3: reclaims page cache before killing anyone (a big cache is not danger)', () => {
    const s = sim({
      pods: [{ name: 'a', limitMiB: 300, requestMiB: 300, workload: { baselineMiB: 100, requestsPerSec: 0, fileReadMiBps: 100, fileSetMiB: 180 } }],
    });
    run(s, 30); // cache fills to 180 MiB: usage 100 + 180 + file-rss < 300
    const p = pod(s, 'a');
    expect(p.cacheInactivePages + p.cacheActivePages).toBeGreaterThan(mibToPages(150));
    const events = run(s, 20, { [s.tick + 1]: [{ type: 'set_workload', pod: 'a', workload: { leakMiBps: 50 } }] });
    expect(ofType(events, 'oom_kill')).toHaveLength(0);
    expect(pod(s, 'a').eventsMax).toBeGreaterThan(0); // it hit memory.max and reclaimed
    expect(podUsagePages(pod(s, 'a'))).toBeLessThanOrEqual(mibToPages(300));
    expect(pod(s, 'a').cacheInactivePages + pod(s, 'a').cacheActivePages).toBeLessThan(mibToPages(150));
  });

  it('M2: inactive cache is not in the working set, active cache is', () => {
    const s = sim({ pods: [{ name: 'a', workload: { baselineMiB: 10, requestsPerSec: 0, fileReadMiBps: 100, fileSetMiB: 50 } }] });
    run(s, 40);
    const p = pod(s, 'a');
    expect(p.cacheActivePages).toBeGreaterThan(0); // re-reads promoted pages
    expect(p.cacheActivePages).toBeLessThanOrEqual(p.cacheInactivePages + 1);
  });
});

describe('K5–K7 global OOM', () => {
  const hog = { comm: 'hog', baselineMiB: 50, requestsPerSec: 0, batch: batch(8000, 400) };

  it('kills the highest points over every process on the node, not the one that asked (misconception 7)', () => {
    // "big" holds 2.5 GiB with adj 3 (request ~ all memory); "hog" allocates last but has a large request too.
    // No reserve (the kubelet's default): /kubepods.slice may take the whole machine, so the node itself runs out.
    const s = sim({
      node: { memoryMiB: 4096 },
      pods: [
        { name: 'small', workload: { comm: 'small', baselineMiB: 20, requestsPerSec: 0 } },
        { name: 'big', requestMiB: 3000, workload: { comm: 'big', baselineMiB: 2600, requestsPerSec: 0 } },
      ],
    });
    run(s, 30);
    const events = run(s, 50, { [s.tick + 1]: [{ type: 'add_pod', pod: { slot: 'hog', requestMiB: 100, workload: hog } }] });
    const kill = ofType(events, 'oom_kill')[0]!;
    expect(kill.constraint).toBe('global');
    expect(kill.totalPages).toBe(mibToPages(4096));
    const top = [...kill.candidates].filter((c) => c.points !== null).sort((a, b) => b.points! - a.points!)[0]!;
    expect(kill.victim.pid).toBe(top.pid); // the victim has the most points
    expect(kill.candidates.some((c) => c.comm === 'kubelet' && c.oomScoreAdj === -999)).toBe(true);
    expect(kill.candidates.map((c) => c.pid)).toEqual([...kill.candidates.map((c) => c.pid)].sort((a, b) => a - b));
  });

  it('never kills an adj -1000 process; kills another instead', () => {
    const s = sim({
      pods: [
        { name: 'shielded', oomScoreAdj: -1000, workload: { comm: 'shielded', baselineMiB: 50, requestsPerSec: 0, batch: batch(8000, 400) } },
        { name: 'other', workload: { comm: 'other', baselineMiB: 100, requestsPerSec: 0 } },
      ],
    });
    const events = run(s, 200);
    const kills = ofType(events, 'oom_kill');
    expect(kills.length).toBeGreaterThan(0);
    for (const k of kills) expect(k.slot).not.toBe('shielded');
    expect(kills[0]!.candidates.find((c) => c.slot === 'shielded')?.points).toBeNull();
  });

  it('K7: one victim at a time: no second kill while the first victim is still being reaped', () => {
    const s = sim({
      pods: [
        { name: 'a', workload: { baselineMiB: 50, requestsPerSec: 0, batch: batch(8000, 500) } },
        { name: 'b', workload: { baselineMiB: 50, requestsPerSec: 0, batch: batch(8000, 500) } },
      ],
    });
    const events = run(s, 150);
    const ticks = ofType(events, 'oom_kill').map((k) => k.tick);
    expect(ticks.length).toBeGreaterThan(1);
    expect(new Set(ticks).size).toBe(ticks.length); // never two kills in one tick
  });

  it('reports no killable process when everything is exempt, and kills nobody', () => {
    const s = sim({
      node: { memoryMiB: 1024, reservedMiB: 256 },
      pods: [{ name: 'a', oomScoreAdj: -1000, workload: { baselineMiB: 50, requestsPerSec: 0, batch: batch(4000, 500) } }],
    });
    const events = run(s, 60);
    // With a 256 MiB reserve the pod reaches /kubepods.slice's limit (768 MiB) first: the node agents live outside
    // it and are never candidates, and the only pod is exempt. K11: the kernel's line is reported once, not per tick.
    expect(ofType(events, 'oom_kill')).toHaveLength(0);
    const none = ofType(events, 'oom_no_victim');
    expect(none).toHaveLength(1);
    expect(none[0]!.constraint).toBe('kubepods');
  });

  it('M4: with swap, anonymous pages are swapped out before anyone is killed', () => {
    const s = sim({
      node: { memoryMiB: 2048, swapMiB: 1024 },
      // Fast enough to fill RAM between two of the kubelet's 10-second eviction checks.
      pods: [{ name: 'a', workload: { baselineMiB: 50, requestsPerSec: 0, leakMiBps: 400 } }],
    });
    const events = run(s, 55);
    expect(ofType(events, 'oom_kill')).toHaveLength(0);
    expect(s.node.swapUsedPages).toBeGreaterThan(0);
    expect(pod(s, 'a').swapPages).toBe(s.node.swapUsedPages);
    // Swapped pages still count in oom_badness once swap is full too.
    const more = run(s, 60);
    const kill = ofType(more, 'oom_kill')[0]!;
    expect(kill.victim.swapPages).toBeGreaterThan(0);
    expect(kill.totalPages).toBe(mibToPages(2048 + 1024)); // totalpages = RAM + swap
  });
});

describe('N4 node daemons', () => {
  it('a restarted daemon never pushes the node past its RAM (fast-check counterexample, pinned)', () => {
    // Every pod is exempt or small, so the global OOM killer takes the daemons; their restart must fit in free RAM.
    const s = sim({
      node: { memoryMiB: 1024 },
      pods: [
        { name: 'p0', limitMiB: 16, workload: { baselineMiB: 10, requestsPerSec: 0, batch: batch(50, 20) } },
        { name: 'p1', requestMiB: 653, workload: { baselineMiB: 10, requestsPerSec: 0 } },
        { name: 'p2', requestMiB: 653, workload: { baselineMiB: 10, requestsPerSec: 0 } },
        { name: 'p3', requestMiB: 16, limitMiB: 977, oomScoreAdj: -1000, workload: { baselineMiB: 10, requestsPerSec: 5, mibPerRequest: 0.5, batch: { sizeMiB: 965, mode: 'load', rateMiBps: 209, chunkMiB: 8, everySec: 5 } } },
      ],
    });
    const daemonKills: number[] = [];
    for (let t = 0; t < 400; t++) {
      const events = run(s, 1, {});
      for (const k of ofType(events, 'oom_kill')) if (k.pod === null) daemonKills.push(k.tick);
      expect(nodeUsedPages(s)).toBeLessThanOrEqual(s.node.capacityPages);
    }
    expect(daemonKills.length).toBeGreaterThan(0); // the daemons were killed, so the restart path ran
  });
});
