import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../shared/scenario/schema.ts';
import { runScenario } from '../../../shared/scenario/run.ts';
import { builtinScenario } from '../../../shared/scenario/builtin.ts';
import { CONTAINERD_OOM_SCORE_ADJ, kubeletOomScoreAdj, qosClass } from '../../../shared/sim/qos.ts';
import { quantity, quantityBytes } from '../../../shared/sim/eviction.ts';
import { MSG_INSUFFICIENT_MEMORY, MSG_UNREACHABLE_TAINT, allocatablePages } from '../../../shared/sim/kubelet.ts';
import { advance } from '../../../shared/sim/step.ts';
import type { OomKillEvent, SimEvent } from '../../../shared/sim/types.ts';
import {
  containerId,
  describePod,
  explainKill,
  formatGetNodes,
  getPodsRow,
  journalLines,
  kernelLogLines,
  podStatus,
} from '../../../shared/views/index.ts';
import { podViewStatus, podViewFromState } from '../../../client/src/lib/podView.ts';
import { ofType, pod, run, sim } from './helpers.ts';

/**
 * Issue 11, "Fidelity, round two": each rule pinned with numbers worked out by hand from the sources (docs/model.md
 * gives the rule IDs). 1 MiB = 256 pages; a tick is 100 ms.
 */

/** A leak of 56 MiB/s against a 512 MiB limit: from an empty start the charge at k = 79 ticks overflows (R5). */
const leaker = { name: 'a', requestMiB: 256, limitMiB: 512, workload: { comm: 'py', baselineMiB: 64, leakMiBps: 56, requestsPerSec: 0 } };
// file-rss 156 + baseline 16384 + leak floor(14336 × 80 / 10) = 114688 → 131228 > 131072 (the limit), first at k = 79.

describe('R5 (item 1): a restarted container starts empty, from its workload baseline', () => {
  it('after a kill at 2 s the new process is OOM-killed 79 ticks after its start, as the first one was', () => {
    const s = sim({ pods: [leaker] });
    const events = run(s, 130, { 20: [{ type: 'kill', pod: 'a' }] });
    const restart = ofType(events, 'restarted')[0]!;
    expect(restart.tick).toBe(20); // the first crash restarts at once (R1)
    const kill = ofType(events, 'oom_kill')[0]!;
    expect(kill.tick).toBe(20 + 79);
    expect(kill.usagePages).toBe(131072);
  });

  it('the first tick of the new process holds only its mapped files and a tenth of its baseline', () => {
    const s = sim({ pods: [{ ...leaker, workload: { ...leaker.workload, leakMiBps: 0, baselineMiB: 140 } }] });
    run(s, 20);
    expect(pod(s, 'a').anonPages).toBe(35840); // 140 MiB held by the first process
    // Killed and restarted in the same tick; the new process runs its first tick (k = 0) at once.
    run(s, 1, { [s.tick + 1]: [{ type: 'kill', pod: 'a' }] });
    expect(pod(s, 'a').restartCount).toBe(1);
    expect(pod(s, 'a').anonPages).toBe(3584); // ceil(35840 × 1 / 10): the baseline is rebuilt over one second
    expect(pod(s, 'a').fileRssPages).toBe(156);
  });
});

/** A node where a -1000 batch pushes the kubelet (adj -999, 96 MiB, the most points of the agents) out. */
function agentsScenario(node: Record<string, unknown> = {}) {
  return sim({
    node: { memoryMiB: 1024, ...node },
    pods: [
      { name: 'hog', oomScoreAdj: -1000, workload: { comm: 'hog', baselineMiB: 10, requestsPerSec: 0, batch: { sizeMiB: 880, mode: 'load', rateMiBps: 400, chunkMiB: 32, everySec: 0 } } },
      { name: 'other', oomScoreAdj: -1000, workload: { comm: 'other', baselineMiB: 20, requestsPerSec: 0 } },
    ],
  });
}

describe('N3–N5 (items 2 and 8): dead node agents stop working until systemd restarts them', () => {
  it('kubelet down: a crashed container is not restarted until systemd restarts the kubelet after RestartSec=10', () => {
    const s = agentsScenario();
    const events = run(s, 200, { 50: [{ type: 'kill', pod: 'other' }] });
    const down = ofType(events, 'daemon_down')[0]!;
    // kubelet: 24576 + 49 − 999 × 262 = −237113 points; containerd: 12288 + 25 − 999 × 262 = −249425.
    expect(down).toMatchObject({ comm: 'kubelet', result: 'oom-kill', restartAtTick: down.tick + 100 });
    const up = ofType(events, 'daemon_restarted')[0]!;
    expect(up).toMatchObject({ tick: down.tick + 100, comm: 'kubelet', restarts: 1 });
    expect(up.pid).not.toBe(612); // a new process
    const restarts = ofType(events, 'restarted');
    expect(restarts).toHaveLength(1);
    expect(restarts[0]!.tick).toBe(up.tick); // not at 50, when it died: only once the kubelet is back
  });

  it('the journal says the unit failed with result oom-kill (no exit code 137, no OOMKilled)', () => {
    const s = agentsScenario();
    const events = run(s, 130);
    const down = ofType(events, 'daemon_down')[0]!;
    const kill = ofType(events, 'oom_kill').find((k) => k.pod === null)!;
    expect(journalLines(down).map((l) => l.replace(/^\w{3} \d\d \d\d:\d\d:\d\d /, ''))).toEqual([
      'node-1 systemd[1]: kubelet.service: A process of this unit has been killed by the OOM killer.',
      'node-1 systemd[1]: kubelet.service: Main process exited, code=killed, status=9/KILL',
      "node-1 systemd[1]: kubelet.service: Failed with result 'oom-kill'.",
    ]);
    const up = ofType(events, 'daemon_restarted')[0]!;
    expect(journalLines(up).at(0)).toMatch(/kubelet\.service: Scheduled restart job, restart counter is at 1\.$/);
    const why = explainKill(kill);
    expect(why).toContain("Failed with result 'oom-kill'");
    expect(why).not.toMatch(/137|OOMKilled/);
  });

  it('Ready turns Unknown once node-monitor-grace-period passes; the unreachable taint keeps new pods Pending', () => {
    const s = agentsScenario({ kubeletRestartSec: 60, nodeMonitorGracePeriodSec: 40 });
    const events = run(s, 700, { 450: [{ type: 'add_pod', pod: { slot: 'late', workload: {} } }] });
    const down = ofType(events, 'daemon_down')[0]!;
    const ready = ofType(events, 'node_ready');
    expect(ready.map((r) => [r.tick - down.tick, r.status])).toEqual([
      [400, 'Unknown'],
      [600, 'True'],
    ]);
    expect(ofType(events, 'failed_scheduling').find((f) => f.slot === 'late')!.message).toBe(MSG_UNREACHABLE_TAINT);
    expect(ofType(events, 'scheduled').find((f) => f.slot === 'late')!.tick).toBe(down.tick + 600);
  });

  it('kubectl get nodes shows NotReady while Ready is Unknown', () => {
    const s = agentsScenario({ kubeletRestartSec: 60 });
    run(s, 23 + 501);
    expect(s.node.ready).toBe('Unknown'); // 50 s, the upstream default grace period, after the kill at tick 23
    // AGE: the node booted an hour before tick 0; 3652 s is printed as 60m (minutes under 3 h).
    expect(formatGetNodes(s).split('\n')[1]).toMatch(/^node-1 +NotReady +<none> +60m +v1\.33\.0$/);
  });

  it('containerd down: nothing starts; the kubelet (up) reports Ready=False at its next status update', () => {
    const s = sim({ pods: [{ name: 'a', workload: {} }] });
    s.node.daemons = s.node.daemons.map((d) => (d.comm === 'containerd' ? { ...d, downUntilTick: 1000, downSinceTick: 0 } : d));
    const events = run(s, 110);
    expect(pod(s, 'a').cState).toBe('Waiting');
    expect(pod(s, 'a').cWaitingReason).toBe('ContainerCreating');
    expect(ofType(events, 'started')).toHaveLength(0);
    expect(ofType(events, 'node_ready')).toEqual([
      // nodeStatusUpdateFrequency 10 s: the first status update after containerd went away, at tick 100.
      { tick: 100, type: 'node_ready', status: 'False', reason: 'KubeletNotReady', message: 'container runtime is down' },
    ]);
  });

  it('kubelet down: no eviction even far under the threshold', () => {
    const s = sim({ node: { memoryMiB: 1024 }, pods: [{ name: 'big', workload: { baselineMiB: 860, requestsPerSec: 0 } }] });
    run(s, 15);
    s.node.daemons = s.node.daemons.map((d) => (d.comm === 'kubelet' ? { ...d, downUntilTick: 10_000, downSinceTick: s.tick } : d));
    const events = run(s, 60);
    expect(ofType(events, 'evicted')).toHaveLength(0);
  });

  it('containerd runs with OOMScoreAdjust=-999 (upstream containerd.service)', () => {
    expect(CONTAINERD_OOM_SCORE_ADJ).toBe(-999);
    expect(sim({ pods: [] }).node.daemons.find((d) => d.comm === 'containerd')!.oomScoreAdj).toBe(-999);
  });
});

describe('R6 (item 3): during CrashLoopBackOff kubectl shows the newest crash', () => {
  it('worked-example at 16.2 s and 20.0 s: RESTARTS counts from the second kill at 16.1 s', () => {
    const at = (sec: number) => runScenario(builtinScenario('worked-example')!, { durationSec: sec });
    const a = at(16.2);
    const p = a.pods[0]!;
    expect(getPodsRow(p, a.tick)).toMatchObject({ status: 'CrashLoopBackOff', restarts: '1 (0s ago)' });
    expect(p.lastState).toMatchObject({ reason: 'OOMKilled', exitCode: 137, startedTick: 82, finishedTick: 161 });
    const b = at(20);
    expect(getPodsRow(b.pods[0]!, b.tick).restarts).toBe('1 (3s ago)'); // 20.0 − 16.1 = 3.9 s, printed whole
  });

  it('an OOM kill after an earlier kill: Last State is the OOM kill, not the older Error', () => {
    const s = sim({ pods: [leaker] });
    run(s, 101, { 20: [{ type: 'kill', pod: 'a' }] });
    const p = pod(s, 'a');
    expect(p.cWaitingReason).toBe('CrashLoopBackOff');
    expect(p.lastState).toMatchObject({ reason: 'OOMKilled', exitCode: 137, finishedTick: 99 });
    expect(getPodsRow(p, 120).restarts).toBe('1 (2s ago)');
    const text = describePod(p, s);
    expect(text).toContain('    Last State:     Terminated\n      Reason:       OOMKilled\n      Exit Code:    137\n');
  });
});

describe('N6, K10 (item 4): node allocatable is enforced on /kubepods.slice', () => {
  const node = { memoryMiB: 4096, systemReservedMiB: 256, kubeReservedMiB: 256 };
  const pods = [
    { name: 'big', workload: { comm: 'big', baselineMiB: 100, leakMiBps: 300, requestsPerSec: 0 } },
    { name: 'small', requestMiB: 512, workload: { comm: 'small', baselineMiB: 50, requestsPerSec: 0 } },
  ];

  it('pods meet a cgroup OOM in /kubepods.slice at capacity − reserved; the agents are not candidates', () => {
    const s = sim({ node, pods });
    expect(s.node.kubepodsLimitPages).toBe(917504); // (4096 − 512) MiB
    expect(allocatablePages(s)).toBe((4096 - 512 - 100) * 256);
    const kill = ofType(run(s, 200), 'oom_kill')[0]!;
    expect(kill.constraint).toBe('kubepods');
    expect(kill.totalPages).toBe(917504);
    expect(kill.candidates.map((c) => c.comm).sort()).toEqual(['big', 'small']);
    expect(kill.oomCgroup).toMatchObject({ usagePages: 917504, limitPages: 917504 });
    // BestEffort adj 1000 × floor(917504 / 1000) = 917000 on top of its pages.
    expect(kill.victim.points).toBe(kill.victim.rssPages + kill.victim.pgtablePages + 917000);
    const lines = kernelLogLines(kill);
    expect(lines[1]).toMatch(/\] memory: usage 3670016kB, limit 3670016kB, failcnt \d+$/);
    expect(lines[3]).toMatch(/oom-kill:constraint=CONSTRAINT_MEMCG,.*,oom_memcg=\/kubepods\.slice,task_memcg=\/kubepods\.slice\/kubepods-besteffort\.slice\//);
    expect(lines[4]).toMatch(/\] Memory cgroup out of memory: Killed process \d+ \(big\)/);
    expect(explainKill(kill)).toMatch(/^Node allocatable, \/kubepods\.slice \(cgroup OOM\): /);
  });

  it('with enforceNodeAllocatable ["none"] the same pods run the node itself out: a global OOM', () => {
    const s = sim({ node: { ...node, enforceNodeAllocatable: ['none'] }, pods });
    expect(s.node.kubepodsLimitPages).toBeNull();
    const kill = ofType(run(s, 200), 'oom_kill')[0]!;
    expect(kill.constraint).toBe('global');
    expect(kill.totalPages).toBe(1048576);
    expect(kill.candidates.some((c) => c.comm === 'kubelet')).toBe(true);
  });

  it('with no reserve (the kubelet default) /kubepods.slice may hold the whole machine: the node runs out first', () => {
    const s = sim({ node: { memoryMiB: 4096 }, pods });
    expect(s.node.kubepodsLimitPages).toBe(1048576);
    expect(ofType(run(s, 200), 'oom_kill')[0]!.constraint).toBe('global');
  });
});

describe('Q1 (item 5): zero quantities are ignored', () => {
  it.each([
    [0, null, 'BestEffort', 1000],
    [null, null, 'BestEffort', 1000],
    [0, 131072, 'Burstable', 999], // 1000 − 0 = 1000 → 999
    [65536, null, 'Burstable', 938], // 1000 − 1000 × 65536 / 1048576 = 937.5 → 1000 − 62 = 938
    [131072, 131072, 'Guaranteed', -997],
  ] as const)('request %s, limit %s → %s, adj %s', (request, limit, qos, adj) => {
    expect(qosClass(request, limit)).toBe(qos);
    expect(kubeletOomScoreAdj(request, limit, 1048576)).toBe(adj);
  });

  it('a pod with requestMiB: 0 and no limit scores with adj 1000', () => {
    const s = sim({ pods: [{ name: 'z', requestMiB: 0, workload: {} }] });
    run(s, 5);
    expect(describePod(pod(s, 'z'), s)).toContain('QoS Class:        BestEffort');
  });
});

describe('K4, M5 (item 6): a memory cgroup OOM counts the swap the cgroup may use', () => {
  it('totalpages = limit + min(swap.max = max, total swap) = 65536 + 131072', () => {
    const s = sim({
      node: { memoryMiB: 2048, swapMiB: 512 },
      pods: [{ name: 'a', limitMiB: 256, workload: { comm: 'a', baselineMiB: 32, leakMiBps: 200, requestsPerSec: 0 } }],
    });
    const kill = ofType(run(s, 100), 'oom_kill')[0]!;
    expect(kill.constraint).toBe('memcg');
    expect(kill.totalPages).toBe(65536 + 131072);
    expect(kill.victim.swapPages).toBe(131072); // the container swapped until the node's swap was full
    expect(kill.victim.rssPages).toBe(65536);
    // A limit alone makes it Guaranteed (adj −997): 65536 + 131072 + (196608 / 512 + 1) − 997 × floor(196608 / 1000).
    expect(kill.victim.points).toBe(65536 + 131072 + 385 - 997 * 196);
    expect(kernelLogLines(kill)[2]).toMatch(/\] swap: usage 524288kB, limit 9007199254740988kB, failcnt 0$/);
  });
});

describe('S4 (item 10): an unscheduled pod is Pending, not ContainerCreating', () => {
  it('get pods, the wire view and describe agree', () => {
    const s = sim({ node: { memoryMiB: 1024 }, pods: [{ name: 'huge', requestMiB: 2000, workload: {} }] });
    run(s, 20);
    const p = pod(s, 'huge');
    expect(podStatus(p)).toBe('Pending');
    expect(getPodsRow(p, s.tick).status).toBe('Pending');
    expect(podViewStatus(podViewFromState(s, p, null))).toBe('Pending');
    expect(describePod(p, s)).not.toContain('State:');
  });
});

describe('E6, S5, R5, K11 (item 11)', () => {
  it.each([
    [0, '0'],
    [512, '512'],
    [79691776, '76Mi'],
    [1073741824, '1Gi'],
    [1610612736, '1536Mi'],
    [94375936, '92164Ki'],
  ])('quantity of %s bytes is %s', (bytes, text) => {
    expect(quantityBytes(bytes)).toBe(text);
  });

  it('pages as quantities: 19456 → 76Mi, 262144 → 1Gi', () => {
    expect(quantity(19456)).toBe('76Mi');
    expect(quantity(262144)).toBe('1Gi');
  });

  it('FailedScheduling carries the preemption suffix', () => {
    expect(MSG_INSUFFICIENT_MEMORY).toBe(
      '0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    );
  });

  it('every restart is a new container id and scope; failcnt belongs to that cgroup', () => {
    const events: SimEvent[] = [];
    runScenario(builtinScenario('worked-example')!, { durationSec: 20 }, (s) => events.push(...s.events));
    const kills = events.filter((e): e is OomKillEvent => e.type === 'oom_kill');
    expect(kills.map((k) => [k.restartCount, k.failcnt])).toEqual([
      [0, 1],
      [1, 1],
    ]);
    const scope = (k: OomKillEvent) => kernelLogLines(k)[3]!.match(/task_memcg=\S+\/(cri-containerd-[0-9a-f]{64}\.scope),/)![1];
    expect(scope(kills[0]!)).toBe(`cri-containerd-${containerId(kills[0]!.pod!, 0)}.scope`);
    expect(scope(kills[1]!)).toBe(`cri-containerd-${containerId(kills[1]!.pod!, 1)}.scope`);
    expect(scope(kills[0]!)).not.toBe(scope(kills[1]!));
  });
});

describe('C2 (item 12): bad scenario files are refused, naming the field', () => {
  const base = { name: 'x', durationSec: 10, pods: [] };
  it.each([
    [{ ...base, node: { memoryMiB: 1024, evictionThresholdMiB: 2048 } }, 'node.evictionThresholdMiB: must be less than memoryMiB'],
    [{ ...base, node: { memoryMiB: 1024, systemReservedMiB: 1000 } }, 'node.systemReservedMiB: reserved memory (1000 MiB) plus the eviction threshold (100 MiB) must not exceed memoryMiB'],
    [{ ...base, node: { memoryMiB: 1024, reservedMiB: 100, kubeReservedMiB: 100 } }, 'node.reservedMiB: give either'],
    [{ ...base, node: { memoryMiB: 1024, nodeMonitorGracePeriodSec: 0 } }, 'node.nodeMonitorGracePeriodSec'],
    [{ ...base, node: { memoryMiB: 1024, kubeletRestartSec: -1 } }, 'node.kubeletRestartSec'],
    [{ ...base, node: { memoryMiB: 1024 }, pods: [{ name: 'a', limitMiB: 0.001, workload: {} }] }, 'pods[0].limitMiB: must be at least one 4 KiB page'],
  ])('%j', (raw, message) => {
    const r = parseScenario(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(message);
  });

  it('the defaults are upstream: no reserve, pods enforced, grace 50 s, RestartSec 5 and 10', () => {
    const s = sim({ pods: [] });
    expect(s.node.reservedPages).toBe(0);
    expect(s.node.kubepodsLimitPages).toBe(1048576);
    expect(s.node.nodeMonitorGraceSec).toBe(50);
    expect(s.node.daemons.map((d) => [d.comm, d.restartSec])).toEqual([
      ['containerd', 5],
      ['kubelet', 10],
    ]);
  });
});

describe('V1 (item 9): describe prints State before Limits/Requests and no Signal line', () => {
  it('worked-example at 16.2 s, container block as describe.go orders it', () => {
    const s = runScenario(builtinScenario('worked-example')!, { durationSec: 16.2 });
    const p = s.pods[0]!;
    expect(describePod(p, s).split('\n').slice(5)).toEqual([
      'Containers:',
      '  app:',
      `    Container ID:   containerd://${containerId(p.name, 1)}`,
      '    State:          Waiting',
      '      Reason:       CrashLoopBackOff',
      '    Last State:     Terminated',
      '      Reason:       OOMKilled',
      '      Exit Code:    137',
      '      Started:      Mon, 01 Jan 2024 10:00:08 +0000',
      '      Finished:     Mon, 01 Jan 2024 10:00:16 +0000',
      '    Ready:          False',
      '    Restart Count:  1',
      '    Limits:',
      '      memory:  512Mi',
      '    Requests:',
      '      memory:  256Mi',
      'QoS Class:        Burstable',
    ]);
  });

  it('advancing is unaffected by describing (views are pure)', () => {
    const s = sim({ pods: [leaker] });
    run(s, 10);
    describePod(pod(s, 'a'), s, []);
    advance(s);
    expect(s.tick).toBe(11);
  });
});

describe('the new built-ins tell their story', () => {
  const eventsOf = (name: string) => {
    const events: SimEvent[] = [];
    runScenario(builtinScenario(name)!, {}, (s) => events.push(...s.events));
    return events;
  };

  it('node-allocatable: the leaking cache dies in /kubepods.slice (3584 MiB), the agents never scanned', () => {
    const kills = ofType(eventsOf('node-allocatable'), 'oom_kill');
    expect(kills.length).toBeGreaterThan(0);
    for (const k of kills) {
      expect(k.constraint).toBe('kubepods');
      expect(k.totalPages).toBe(3584 * 256);
      expect(k.slot).toBe('cache');
      expect(k.candidates.every((c) => c.pod !== null)).toBe(true);
    }
  });

  it('kubelet-oom: the kubelet is the global OOM victim, the node turns NotReady 50 s later, and comes back at 80.1 s', () => {
    const events = eventsOf('kubelet-oom');
    const first = ofType(events, 'oom_kill')[0]!;
    expect(first).toMatchObject({ constraint: 'global', pod: null, comm: 'kubelet' });
    const downs = ofType(events, 'daemon_down');
    expect(downs.map((d) => d.comm)).toEqual(['kubelet', 'kubelet']);
    expect(ofType(events, 'node_ready').map((r) => [r.tick, r.status])).toEqual([
      [downs[1]!.tick + 500, 'Unknown'],
      [801, 'True'],
    ]);
  });
});
