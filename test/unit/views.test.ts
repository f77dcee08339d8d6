import { describe, expect, it } from 'vitest';
import { builtinScenario } from '../../shared/scenario/builtin.ts';
import { runScenario } from '../../shared/scenario/run.ts';
import type { OomKillEvent, SimEvent } from '../../shared/sim/types.ts';
import {
  describePod,
  explainKill,
  formatSimTime,
  getPodsRow,
  humanDuration,
  kernelLogLines,
  kubectlEventLine,
  pointsFormula,
  rankedCandidates,
} from '../../shared/views/index.ts';

describe('humanDuration (kubectl ages)', () => {
  it.each([
    [0, '0s'],
    [25, '25s'],
    [119, '119s'],
    [120, '2m'],
    [185, '3m5s'],
    [599, '9m59s'],
    [600, '10m'],
    [3 * 3600 - 1, '179m'],
    [3 * 3600, '3h'],
    [4 * 3600 + 20 * 60, '4h20m'],
    [9 * 3600, '9h'],
    [50 * 3600, '2d2h'],
  ])('%i s → %s', (s, text) => {
    expect(humanDuration(s)).toBe(text);
  });
});

describe('formatSimTime', () => {
  it('prints RFC 1123 with a numeric zone, from the sim epoch', () => {
    expect(formatSimTime(0)).toBe('Mon, 01 Jan 2024 10:00:00 +0000');
    expect(formatSimTime(50)).toBe('Mon, 01 Jan 2024 10:00:05 +0000');
    expect(formatSimTime(10 * 86400 * 50)).toBe('Tue, 20 Feb 2024 10:00:00 +0000');
    expect(formatSimTime(10 * 86400 * 363)).toBe('Sun, 29 Dec 2024 10:00:00 +0000'); // 2024 is a leap year
    expect(formatSimTime(10 * 86400 * 366)).toBe('Wed, 01 Jan 2025 10:00:00 +0000');
  });
});

function run(name: string, seconds: number) {
  const events: SimEvent[] = [];
  const final = runScenario(builtinScenario(name)!, { durationSec: seconds }, (s) => events.push(...s.events));
  return { events, final };
}

describe('kernel log lines (FIDELITY §2)', () => {
  it('K12 memcg OOM: invoked, memory and swap usage, summary, killed, then the oom.group line', () => {
    const { events } = run('worked-example', 10);
    const kill = events.find((e): e is OomKillEvent => e.type === 'oom_kill')!;
    const lines = kernelLogLines(kill);
    expect(lines[0]).toMatch(/^\[ *\d+\.\d{6}\] python invoked oom-killer: gfp_mask=0x140dca\(GFP_HIGHUSER_MOVABLE\|__GFP_COMP\|__GFP_ZERO\), order=0, oom_score_adj=938$/);
    expect(lines[1]).toMatch(/memory: usage 524288kB, limit 524288kB, failcnt \d+$/);
    expect(lines[2]).toMatch(/\] swap: usage 0kB, limit 9007199254740988kB, failcnt 0$/);
    expect(lines[3]).toMatch(/oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=\(null\),cpuset=cri-containerd-[0-9a-f]{64}\.scope,mems_allowed=0,oom_memcg=\/kubepods\.slice\/kubepods-burstable\.slice\/kubepods-burstable-pod[0-9a-f_]{36}\.slice\/cri-containerd-[0-9a-f]{64}\.scope,task_memcg=\S+,task=python,pid=\d+,uid=0$/);
    // oom_kill_process(): the victim is killed first, then its group is announced.
    expect(lines[4]).toMatch(/Memory cgroup out of memory: Killed process \d+ \(python\) total-vm:\d+kB, anon-rss:\d+kB, file-rss:624kB, shmem-rss:0kB, UID:0 pgtables:\d+kB oom_score_adj:938$/);
    expect(lines[5]).toMatch(/Tasks in \S+ are going to be killed due to memory\.oom\.group set$/);
    expect(lines).toHaveLength(6);
  });

  it('global OOM: CONSTRAINT_NONE, global_oom, "Out of memory" and a SystemOOM event', () => {
    const { events } = run('besteffort-surprise', 20);
    const kill = events.find((e): e is OomKillEvent => e.type === 'oom_kill')!;
    const lines = kernelLogLines(kill);
    expect(lines.some((l) => l.includes('memory: usage'))).toBe(false);
    expect(lines[1]).toContain('oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/kubepods.slice/kubepods-burstable.slice/');
    expect(lines.at(-2)).toMatch(/\] Out of memory: Killed process \d+ \(stress\)/);
    expect(lines.at(-1)).toMatch(/\] Tasks in \/kubepods\.slice\/\S+ are going to be killed due to memory\.oom\.group set$/);
    expect(kubectlEventLine(kill)).toMatch(/^Warning +SystemOOM +node\/node-1 +System OOM encountered, victim process: stress, pid: \d+$/);
  });
});

describe('kubectl views (FIDELITY §6)', () => {
  it('get pods: OOMKilled while terminated, CrashLoopBackOff while waiting, RESTARTS with "(Ns ago)"', () => {
    const seen = new Map<string, string>();
    runScenario(builtinScenario('worked-example')!, { durationSec: 40 }, (s) => {
      const r = getPodsRow(s.pods[0]!, s.tick);
      seen.set(r.status, `${r.ready} ${r.restarts}`);
    });
    expect([...seen.keys()]).toEqual(expect.arrayContaining(['Pending', 'ContainerCreating', 'Running', 'OOMKilled', 'CrashLoopBackOff']));
    expect(seen.get('CrashLoopBackOff')).toMatch(/^0\/1 \d+ \(\d+s ago\)$/);
  });

  it('describe pod: State Waiting/CrashLoopBackOff, Last State Terminated/OOMKilled/137', () => {
    let text = '';
    runScenario(builtinScenario('worked-example')!, { durationSec: 20 }, (s) => {
      if (s.pods[0]!.cWaitingReason === 'CrashLoopBackOff') text = describePod(s.pods[0]!, s);
    });
    expect(text).toContain(['    State:          Waiting', '      Reason:       CrashLoopBackOff'].join('\n'));
    expect(text).toContain(['    Last State:     Terminated', '      Reason:       OOMKilled', '      Exit Code:    137'].join('\n'));
    expect(text).toMatch(/Started: +Mon, 01 Jan 2024 10:00:\d\d \+0000/);
    expect(text).toContain('Restart Count:  1');
    expect(text).toContain('QoS Class:        Burstable');
  });

  it('BackOff event text', () => {
    const { events } = run('worked-example', 20);
    const b = events.find((e) => e.type === 'backoff')!;
    expect(kubectlEventLine(b)).toMatch(/^Warning +BackOff +pod\/api-\w{5} +Back-off restarting failed container app in pod api-\w{5}_default\([0-9a-f-]{36}\)$/);
  });
});

describe('explanations in plain words', () => {
  it('memcg kill: usage, limit, SIGKILL, 137', () => {
    const { events } = run('worked-example', 10);
    const kill = events.find((e): e is OomKillEvent => e.type === 'oom_kill')!;
    const text = explainKill(kill, 'api');
    expect(text).toContain('Your container used 512 MiB, reaching its 512 MiB limit');
    expect(text).toContain('SIGKILL');
    expect(text).toContain('137');
  });

  it('global kill: the formula with numbers and where I stood', () => {
    const { events } = run('besteffort-surprise', 20);
    const kill = events.find((e): e is OomKillEvent => e.type === 'oom_kill')!;
    const ranked = rankedCandidates(kill);
    expect(ranked[0]!.pid).toBe(kill.victim.pid);
    expect(pointsFormula(kill, kill.victim.pid)).toMatch(/^\d+ \+ 750 × 1048 = \d+$/);
    expect(explainKill(kill, 'besteffort')).toContain('Your pod ranked #2 of 4');
  });
});

describe('who asked for the memory', () => {
  it('names the process whose allocation failed, which need not be the victim (misconception 7)', () => {
    const events: SimEvent[] = [];
    runScenario(builtinScenario('noisy-neighbour')!, { durationSec: 45 }, (s) => events.push(...s.events));
    const kill = events.find((e): e is OomKillEvent => e.type === 'oom_kill')!;
    expect(kill.slot).toBe('web');
    expect(explainKill(kill, 'web')).toMatch(/^Whole node out of memory \(global OOM\): The node ran out of memory when java in neighbour-\w{5} asked for more\./);
  });
});
