import { describe, expect, it } from 'vitest';
import { explainText } from '../../../shared/explain/index.ts';
import { fixture, onlyKill, pointsByPid } from './helpers.ts';

/**
 * Reports written from the kernel's printing code (mm/oom_kill.c dump_header, dump_tasks, dump_oom_summary,
 * __oom_kill_process; mm/memcontrol.c mem_cgroup_print_oom_meminfo; lib/show_mem.c) in several kernels' layouts and
 * several tools' prefixes. Every expected number below was worked out by hand from the fixture's lines with the
 * kernel's formula: rss + swapents + pgtables_bytes / 4096 + adj × (totalpages / 1000), division first.
 */
describe('kernel OOM reports, by kernel version and log tool', () => {
  it('6.1 dmesg, global OOM: totalram = pages RAM − pages reserved, the Burstable java dies, not the BestEffort stress', () => {
    const k = onlyKill(fixture('global-6.1-dmesg.txt'));
    expect(k).toMatchObject({
      constraint: 'CONSTRAINT_NONE',
      scope: 'node',
      totalPages: 1048446 - 29631,
      kernelVersion: '6.1.0-18-amd64',
      clampToOne: false,
    });
    expect(k.victim).toEqual({ pid: 2288, comm: 'java' });
    expect(k.recomputedVictim).toEqual({ pid: 2288, comm: 'java' });
    // per = 1018815 / 1000 = 1018
    expect(pointsByPid(k)).toEqual({
      301: 1500 + 30 - 250 * 1018,
      540: 12288 + 104 - 999 * 1018,
      612: 24576 + 144 - 999 * 1018,
      1011: 1 + 7 - 998 * 1018,
      2288: 786432 + 391 + 750 * 1018,
      4481: 25600 + 58 + 1000 * 1018,
      5120: null,
    });
    expect(k.candidates.find((c) => c.pid === 5120)).toMatchObject({ eligible: false, oomScoreAdj: -1000 });
    expect(k.warnings).toEqual([]);
    expect(k.atSec).toBeCloseTo(4521.120233, 6);
    expect(k.invoker).toEqual({ pid: 4481, comm: 'stress' });
  });

  it('5.15 journalctl -k, cgroup v2 container OOM with oom.group: totalpages = memory.max + swap.max (0)', () => {
    const k = onlyKill(fixture('memcg-v2-5.15-journalctl.txt'));
    expect(k).toMatchObject({
      constraint: 'CONSTRAINT_MEMCG',
      scope: 'container',
      totalPages: 131072,
      limitPages: 131072,
    });
    expect(k.cgroup).toMatch(/cri-containerd-ab12\w+\.scope$/);
    expect(k.victim).toEqual({ pid: 7002, comm: 'python' });
    expect(pointsByPid(k)).toEqual({ 7001: 200 + 11 + 938 * 131, 7002: 130500 + 270 + 938 * 131 });
    expect(k.story.join(' ')).toMatch(/memory\.oom\.group is set .* \(1 more\)/);
    expect(k.atText).toBe('Nov 29 10:15:02 node-a');
  });

  it('4.19 dmesg -T, cgroup v1 (cgroupfs): "Kill process … or sacrifice child", memory+swap unlimited, clamp rule of < 5.9', () => {
    const k = onlyKill(fixture('memcg-v1-4.19-dmesg-T.txt'));
    expect(k).toMatchObject({
      constraint: 'CONSTRAINT_MEMCG',
      scope: 'container',
      totalPages: 262144,
      clampToOne: true,
    });
    expect(k.victim).toEqual({ pid: 12001, comm: 'java' });
    expect(pointsByPid(k)).toEqual({ 12001: 262000 + 534 + 969 * 262, 12050: 9000 + 49 + 969 * 262 });
    // The kernel's own "score" is chosen_points × 1000 / totalpages.
    expect(Math.floor(((262000 + 534 + 969 * 262) * 1000) / 262144)).toBe(1969);
    expect(k.warnings.join(' ')).toMatch(/may use swap .* assumes the node has none/);
    expect(k.atText).toBe('Tue Mar  5 14:22:10 2024');
  });

  it('5.4 serial console ([stamp][caller]), global OOM with swap: totalpages adds Total swap; scores below 1 count as 1', () => {
    const k = onlyKill(fixture('global-5.4-swap-serial.txt'));
    const per = Math.floor((2097022 - 67366 + 2097148 / 4) / 1000);
    expect(per).toBe(2553);
    expect(k).toMatchObject({
      constraint: 'CONSTRAINT_NONE',
      scope: 'node',
      totalPages: 2097022 - 67366 + 524287,
      clampToOne: true,
    });
    expect(pointsByPid(k)).toEqual({
      401: 1,
      822: 1,
      1500: 800000 + 300000 + 1610,
      2100: 600000 + 100000 + 1200 + 300 * per,
      2300: null,
    });
    // mysqld uses the most memory; node's adj 300 makes it the victim.
    expect(k.victim).toEqual({ pid: 2100, comm: 'node' });
    expect(k.recomputedVictim?.pid).toBe(2100);
    expect(k.story.join(' ')).toMatch(/biggest user of memory was mysqld/);
    expect(k.invoker).toEqual({ pid: 2100, comm: 'node' });
  });

  it('before 5.9, when every score is below 1 all count as 1 and the last in the scan wins; from 5.9 the least negative wins', () => {
    const old = onlyKill(fixture('global-5.4-all-protected-dmesg.txt'));
    expect(pointsByPid(old)).toEqual({ 900: 1, 901: 1, 902: 1 });
    expect(old.recomputedVictim).toEqual({ pid: 902, comm: 'pause' });
    expect(old.victim?.pid).toBe(902);
    expect(old.warnings.join(' ')).toMatch(/3 processes tie at 1 points/);

    const newer = onlyKill(
      fixture('global-5.4-all-protected-dmesg.txt').replace('5.4.0-150-generic', '6.1.0-18-amd64'),
    );
    expect(newer.clampToOne).toBe(false);
    expect(pointsByPid(newer)).toEqual({
      900: 300000 + 600 - 900 * 500,
      901: 5000 + 25 - 999 * 500,
      902: 100 + 7 - 998 * 500,
    });
    expect(newer.recomputedVictim?.pid).toBe(900);
    // The report (from a 5.4 kernel) says pause died: under 6.1's rule the recomputation disagrees, and says so.
    expect(newer.warnings.join(' ')).toMatch(
      /report's victim pause \(pid 902.*is not the recomputed one: agent \(pid 900\)/,
    );
  });

  it('6.8 journalctl -o short-iso, kubepods cgroup OOM (v2): scope kubepods, BestEffort python beats Guaranteed java', () => {
    const k = onlyKill(fixture('kubepods-v2-6.8-journal-iso.txt'));
    expect(k).toMatchObject({
      constraint: 'CONSTRAINT_MEMCG',
      scope: 'kubepods',
      cgroup: '/kubepods.slice',
      totalPages: 3932160,
    });
    expect(pointsByPid(k)).toEqual({
      3001: 1 + 7 - 998 * 3932,
      3100: 30000 + 64 + 996 * 3932,
      3200: 3500000 + 6835 - 997 * 3932,
      3300: 380000 + 781 + 1000 * 3932,
    });
    expect(k.victim).toEqual({ pid: 3300, comm: 'python' });
    expect(k.qosNotes.join(' ')).toMatch(/1000: BestEffort.*-997: Guaranteed.*-998: pod sandbox/s);
    expect(k.remedies.join(' ')).toMatch(/requests that match real use/i);
  });

  it('pre-4.15 tables (nr_ptes nr_pmds) count page-table pages directly and warn about the old root bonus', () => {
    const text = [
      '[  100.000001] app invoked oom-killer: gfp_mask=0x14280ca(GFP_HIGHUSER_MOVABLE|__GFP_ZERO), nodemask=(null), order=0, oom_score_adj=0',
      '[  100.000002] 262144 pages RAM',
      '[  100.000003] 6144 pages reserved',
      '[  100.000004] [ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds swapents oom_score_adj name',
      '[  100.000005] [  700]     0   700    50000    40000      80       3        0             0 app',
      '[  100.000006] [  701]     0   701    20000    10000      20       3        0           500 web',
      '[  100.000007] Out of memory: Kill process 701 (web) score 534 or sacrifice child',
      '[  100.000008] Killed process 701 (web) total-vm:80000kB, anon-rss:39000kB, file-rss:1000kB, shmem-rss:0kB',
    ].join('\n');
    const k = onlyKill(text);
    expect(k.totalPages).toBe(256000);
    expect(pointsByPid(k)).toEqual({ 700: 40000 + 83, 701: 10000 + 23 + 500 * 256 });
    expect(k.victim?.pid).toBe(701);
    expect(k.warnings.join(' ')).toMatch(/before 4\.15.*3 %/);
    expect(k.clampToOne).toBe(true);
  });
});

describe('several reports, interleaved and cut', () => {
  it('reads every report in one paste, skips unrelated lines between them, and flags one whose start is missing', () => {
    const memcg = fixture('memcg-v2-5.15-journalctl.txt').split('\n');
    const cut = memcg.slice(memcg.findIndex((l) => l.includes('Tasks state'))).join('\n');
    const paste = [
      'Nov 29 10:14:58 node-a systemd[1]: Started cri-containerd-ab12.scope.',
      fixture('global-6.1-dmesg.txt'),
      '[ 4522.000001] eth0: link up, 1000Mbps, full-duplex',
      fixture('kubepods-v2-6.8-journal-iso.txt'),
      cut,
    ].join('\n');
    const e = explainText(paste);
    expect(e.kills.map((k) => [k.victim?.comm, k.scope])).toEqual([
      ['java', 'node'],
      ['python', 'kubepods'],
      ['python', 'container'],
    ]);
    expect(e.kills[2]!.warnings.join(' ')).toMatch(/start of this report .* is not in the paste/);
    // The cut report still has its limit line? No: it was cut above the table, so totalpages is unknown and said so.
    expect(e.kills[2]!.totalPages).toBeNull();
    expect(e.kills[2]!.warnings.join(' ')).toMatch(/limit line is missing/);
  });

  it('a report cut before its Killed line names the victim from the summary and says the end is missing', () => {
    const lines = fixture('global-6.1-dmesg.txt').split('\n');
    const k = onlyKill(
      lines.filter((l) => !l.includes('Killed process') && !l.includes('oom_reaper')).join('\n'),
    );
    expect(k.victim).toEqual({ pid: 2288, comm: 'java' });
    expect(k.warnings.join(' ')).toMatch(/ends before its "Killed process" line/);
  });

  it("a table with rows missing warns that the victim is not in it; without any table the victim is the report's", () => {
    const lines = fixture('global-6.1-dmesg.txt').split('\n');
    const k = onlyKill(lines.filter((l) => !l.includes('] [   2288]')).join('\n'));
    expect(k.victim?.pid).toBe(2288);
    expect(k.recomputedVictim?.pid).toBe(4481);
    expect(k.warnings.join(' ')).toMatch(/victim \(pid 2288\) is not in the table/);

    const none = onlyKill(lines.filter((l) => !/\] \[ +(pid|\d+)/.test(l)).join('\n'));
    expect(none.candidates).toEqual([]);
    expect(none.victim?.pid).toBe(2288);
    expect(none.warnings.join(' ')).toMatch(/no "Tasks state" table/);
  });

  it('a line cut in the middle of the table is counted, not misread', () => {
    const text = fixture('global-6.1-dmesg.txt').replace(
      '[    612]     0   612   480000    24576',
      '[    612]     0   612   48',
    );
    const k = onlyKill(text);
    expect(k.candidates.map((c) => c.pid)).not.toContain(612);
    expect(k.warnings.join(' ')).toMatch(/1 line of the table could not be read/);
  });

  it('with no "pages RAM" in a memcg report, a global report in the same paste lends the node its swap size', () => {
    const swapCg = fixture('memcg-v2-5.15-journalctl.txt').replace(
      'swap: usage 0kB, limit 0kB',
      'swap: usage 0kB, limit 9007199254740988kB',
    );
    const e = explainText(`${fixture('global-5.4-swap-serial.txt')}\n${swapCg}`);
    expect(e.kills[1]!.totalPages).toBe(131072 + 524287);
  });
});

describe('Kubernetes views', () => {
  it('kubectl describe pod: the OOMKilled container, its limit, restarts and QoS; the healthy sidecar is not a kill', () => {
    const k = onlyKill(fixture('describe-pod-oomkilled.txt'));
    expect(k).toMatchObject({ source: 'kubectl', scope: 'container', totalPages: 131072, candidates: [] });
    expect(k.victim).toEqual({ pid: null, comm: 'api' });
    expect(k.pod).toMatchObject({
      name: 'api-7f9c4d8b6-x2k4q',
      namespace: 'shop',
      container: 'api',
      restarts: 4,
      qosClass: 'Burstable',
      limitBytes: 512 * 1048576,
      requestBytes: 256 * 1048576,
    });
    expect(k.atText).toBe('Mon, 01 Jan 2024 10:00:08 +0000');
    expect(k.story.join(' ')).toMatch(/CrashLoopBackOff/);
    expect(k.warnings.join(' ')).toMatch(/paste the node's `dmesg`/);
  });

  it('kubectl get pod -o yaml and -o json give the same container', () => {
    const y = onlyKill(fixture('pod-status.yaml'));
    expect(y.pod).toMatchObject({
      name: 'worker-5d8f7-abcde',
      namespace: 'batch',
      container: 'worker',
      restarts: 2,
      qosClass: 'Guaranteed',
      limitBytes: 1024 ** 3,
    });
    expect(y.atText).toBe('2024-01-01T10:05:00Z');
    expect(y.qosNotes.join(' ')).toMatch(/-997/);
    const json = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'worker-5d8f7-abcde', namespace: 'batch' },
      spec: { containers: [{ name: 'worker', resources: { limits: { memory: '1Gi' } } }] },
      status: {
        qosClass: 'Guaranteed',
        containerStatuses: [
          {
            name: 'worker',
            restartCount: 2,
            lastState: {
              terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: '2024-01-01T10:05:00Z' },
            },
          },
        ],
      },
    });
    expect(onlyKill(json).pod).toEqual(y.pod && { ...y.pod, requestBytes: null });
  });

  it('kubectl get events: SystemOOM names the node-wide victim', () => {
    const k = onlyKill(fixture('get-events.txt'));
    expect(k).toMatchObject({
      constraint: 'CONSTRAINT_NONE',
      scope: 'node',
      victim: { pid: 2288, comm: 'java' },
    });
  });

  it('exit code 137 without OOMKilled is a note, not a kill', () => {
    const e = explainText(
      fixture('describe-pod-oomkilled.txt').replace('Reason:       OOMKilled', 'Reason:       Error'),
    );
    expect(e.kills).toEqual([]);
    expect(e.notes.join(' ')).toMatch(/137 \(SIGKILL\) with reason Error: killed, but not by the OOM killer/);
  });
});

describe('kubectl describe pods, several at once', () => {
  it('each pod keeps its own name, namespace and QoS class', () => {
    const one = fixture('describe-pod-oomkilled.txt');
    const two = one
      .replace('api-7f9c4d8b6-x2k4q', 'api-7f9c4d8b6-zzzzz')
      .replace('QoS Class:                   Burstable', 'QoS Class:                   Guaranteed');
    const e = explainText(`${one}\n\n${two}`);
    expect(e.kills.map((k) => [k.pod?.name, k.pod?.qosClass])).toEqual([
      ['api-7f9c4d8b6-x2k4q', 'Burstable'],
      ['api-7f9c4d8b6-zzzzz', 'Guaranteed'],
    ]);
  });
});
