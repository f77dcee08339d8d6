import { describe, expect, it } from 'vitest';
import { evictionOrder } from '../../../shared/sim/eviction.ts';
import { createPod, specFromTemplate } from '../../../shared/sim/podLifecycle.ts';
import { mibToPages } from '../../../shared/sim/units.ts';
import { MSG_INSUFFICIENT_MEMORY } from '../../../shared/sim/kubelet.ts';
import { ofType, pod, run, sim } from './helpers.ts';

describe('R1–R3 restarts and CrashLoopBackOff', () => {
  it('restarts the first crash at once, then waits 10, 20, 40, 80, 160, 300, 300 s', () => {
    const s = sim({ pods: [{ name: 'a', limitMiB: 16, requestMiB: 8, workload: { baselineMiB: 64, requestsPerSec: 0 } }] });
    const events = run(s, 10_000);
    const waits = ofType(events, 'restarted').map((e) => e.backoffSec);
    expect(waits.slice(0, 8)).toEqual([0, 10, 20, 40, 80, 160, 300, 300]);
    const backoffs = ofType(events, 'backoff');
    // The wait is measured from the crash (finishedAt), not from the kubelet noticing it.
    for (const b of backoffs) {
      const kill = ofType(events, 'terminated').filter((t) => t.tick < b.tick).at(-1)!;
      expect(b.restartAtTick - kill.tick).toBe(b.backoffSec * 10);
    }
    const restarted = ofType(events, 'restarted');
    expect(restarted.map((r) => r.restartCount)).toEqual(restarted.map((_, i) => i + 1)); // never resets
    expect(pod(s, 'a').phase).toBe('Running'); // CrashLoopBackOff is a waiting reason, not a phase
  });

  it('R3: after 10 minutes without a new back-off, the next crash counts as a first one', () => {
    const s = sim({ pods: [{ name: 'a', workload: { baselineMiB: 32, requestsPerSec: 0 } }] });
    run(s, 5);
    const kill = () => ({ [s.tick + 1]: [{ type: 'kill' as const, pod: 'a' }] });
    let events = run(s, 5, kill()); // crash 1: immediate
    events = events.concat(run(s, 5, kill())); // crash 2: waits 10 s
    events = events.concat(run(s, 150));
    events = events.concat(run(s, 5, kill())); // crash 3: waits 20 s
    events = events.concat(run(s, 250));
    expect(ofType(events, 'restarted').map((e) => e.backoffSec)).toEqual([0, 10, 20]);
    const later = run(s, 6100).concat(run(s, 5, kill()), run(s, 5, kill()), run(s, 150));
    expect(ofType(later, 'restarted').map((e) => e.backoffSec)).toEqual([0, 10]);
  });

  it('misconception 6: a SIGKILL that is not the OOM killer also exits 137, with reason Error', () => {
    const s = sim({ pods: [{ name: 'a', workload: { baselineMiB: 32 } }] });
    run(s, 5);
    const events = run(s, 1, { [s.tick + 1]: [{ type: 'kill', pod: 'a' }] });
    const t = ofType(events, 'terminated')[0]!;
    expect([t.exitCode, t.reason, t.signal]).toEqual([137, 'Error', 9]);
    expect(ofType(events, 'oom_kill')).toHaveLength(0);
  });

  it.each([
    ['Never', 137, 'Failed', 0],
    ['OnFailure', 0, 'Succeeded', 0],
    ['OnFailure', 1, 'Running', 1],
    ['Always', 0, 'Running', 1],
  ] as const)('R4: restartPolicy %s after exit %i → phase %s, %i restart(s)', (policy, code, phase, restarts) => {
    const s = sim({ pods: [{ name: 'a', restartPolicy: policy, workload: { baselineMiB: 32 } }] });
    run(s, 5);
    const cmd = code === 137 ? { type: 'kill' as const, pod: 'a' } : { type: 'exit' as const, pod: 'a', code };
    run(s, 20, { [s.tick + 1]: [cmd] });
    expect(pod(s, 'a').phase).toBe(phase);
    expect(pod(s, 'a').restartCount).toBe(restarts);
  });
});

describe('S1–S3 scheduling on requests', () => {
  it('keeps a pod Pending when requests do not fit allocatable, and says so once', () => {
    // 4 GiB node: allocatable = 4096 − 410 reserved − 100 eviction threshold = 3586 MiB.
    const s = sim({
      node: { memoryMiB: 4096, systemReservedMiB: 410 },
      pods: [
        { name: 'a', requestMiB: 3000, workload: { baselineMiB: 10 } },
        { name: 'b', requestMiB: 600, workload: { baselineMiB: 10 } },
      ],
    });
    const events = run(s, 50);
    expect(pod(s, 'b').phase).toBe('Pending');
    const fs = ofType(events, 'failed_scheduling');
    expect(fs).toHaveLength(1);
    expect(fs[0]!.message).toBe(MSG_INSUFFICIENT_MEMORY);
    expect(pod(s, 'b').requestsServed).toBe(0);
  });

  it('S2: limits are not checked, so the node can be overcommitted', () => {
    const s = sim({
      pods: [
        { name: 'a', requestMiB: 100, limitMiB: 4000, workload: { baselineMiB: 10 } },
        { name: 'b', requestMiB: 100, limitMiB: 4000, workload: { baselineMiB: 10 } },
      ],
    });
    run(s, 5);
    expect(pod(s, 'a').phase).toBe('Running');
    expect(pod(s, 'b').phase).toBe('Running');
  });
});

describe('E1–E5 node-pressure eviction', () => {
  const base = sim({ pods: [] });
  const mk = (slot: string, requestMiB: number | null, usageMiB: number, priority = 0) => {
    const p = createPod(base, slot, specFromTemplate({ slot, requestMiB, priority, workload: {} }), null);
    p.anonPages = mibToPages(usageMiB);
    return p;
  };

  it.each([
    ['over its request before under it', mk('a', 100, 90), mk('b', 100, 200), 'b'],
    ['lower priority first among pods over request', mk('c', 100, 900, 10), mk('d', 100, 150, 0), 'd'],
    ['larger usage − request first', mk('e', 100, 300), mk('f', 500, 1000), 'f'],
    ['BestEffort counts as request 0', mk('g', null, 50), mk('h', 1000, 1020), 'g'],
  ])('E2: %s', (_n, x, y, first) => {
    expect([x, y].sort(evictionOrder)[0]!.slot).toBe(first);
  });

  it('evicts on the 10-second check, one pod per check, and replaces it with a new pod', () => {
    const s = sim({
      pods: [
        { name: 'a', requestMiB: 100, limitMiB: 4000, workload: { baselineMiB: 1650, requestsPerSec: 0 } },
        { name: 'b', requestMiB: 100, limitMiB: 4000, workload: { baselineMiB: 1650, requestsPerSec: 0 } },
        // Slow enough that memory.available sinks under 100 Mi well before the node is full.
        { name: 'c', requestMiB: 100, limitMiB: 4000, workload: { baselineMiB: 100, requestsPerSec: 0, leakMiBps: 5 } },
      ],
    });
    const events = run(s, 1300);
    const ev = ofType(events, 'evicted');
    // The kubelet got there first. (Its Burstable replacement is scheduled at once and may bring the pressure back.)
    expect(ofType(events, 'oom_kill').filter((k) => k.tick < ev[0]!.tick)).toHaveLength(0);
    expect(ev.length).toBeGreaterThan(0);
    for (const e of ev) expect(e.tick % 100).toBe(0);
    expect(new Set(ev.map((e) => e.tick)).size).toBe(ev.length);
    expect(ev[0]!.message).toMatch(/^The node was low on resource: memory\. Threshold quantity: 100Mi, available: \d+Ki\. Container app was using \S+, request is 100Mi, has larger consumption of memory\.$/);
    expect(ofType(events, 'memory_pressure')[0]!.on).toBe(true);
    const evicted = s.pods.find((p) => p.name === ev[0]!.pod)!;
    expect([evicted.phase, evicted.phaseReason]).toEqual(['Failed', 'Evicted']);
    const replacement = ofType(events, 'pod_created').find((c) => c.replaces === ev[0]!.pod)!;
    expect(replacement.slot).toBe(ev[0]!.slot);
    expect(replacement.pod).not.toBe(ev[0]!.pod);
  });

  it('E4/S3: MemoryPressure keeps new BestEffort pods off (not Burstable ones) and clears 5 minutes after', () => {
    const s = sim({
      // A BestEffort hog: evicted, and its BestEffort replacement must wait out the pressure.
      pods: [{ name: 'a', workload: { baselineMiB: 3900, requestsPerSec: 0 } }],
    });
    const joins = {
      150: [
        { type: 'add_pod' as const, pod: { slot: 'besteffort', workload: { baselineMiB: 10 } } },
        { type: 'add_pod' as const, pod: { slot: 'burstable', requestMiB: 10, workload: { baselineMiB: 10 } } },
      ],
    };
    const events = run(s, 3150, joins);
    const pressure = ofType(events, 'memory_pressure');
    expect(pressure.map((p) => p.on)).toEqual([true, false]);
    expect(pressure[1]!.tick - pressure[0]!.tick).toBeGreaterThanOrEqual(3000);
    const fs = ofType(events, 'failed_scheduling');
    expect(fs.map((f) => f.slot)).toEqual(['a', 'besteffort']);
    expect(fs[0]!.message).toContain('node.kubernetes.io/memory-pressure');
    const scheduled = (slot: string) => ofType(events, 'scheduled').find((e) => e.slot === slot)!.tick;
    expect(scheduled('burstable')).toBe(150); // added at tick 150 and scheduled at once: it tolerates the taint
    expect(scheduled('besteffort')).toBeGreaterThanOrEqual(pressure[1]!.tick);
  });
});
