import { describe, expect, it } from 'vitest';
import { explainText, firstKill, playIncident, reportPidOf } from '../../../shared/explain/index.ts';
import { builtinScenarios } from '../../../shared/scenario/builtin.ts';
import { runScenario } from '../../../shared/scenario/run.ts';
import type { OomKillEvent } from '../../../shared/sim/types.ts';
import { kernelReportLines } from '../../../shared/views/kernelReport.ts';

/** Every OOM kill of a built-in scenario with the full kernel report OOM Arena prints for it. */
function killsOf(name: string): { event: OomKillEvent; report: string }[] {
  const out: { event: OomKillEvent; report: string }[] = [];
  runScenario(builtinScenarios().get(name)!, {}, (s) => {
    for (const e of s.events)
      if (e.type === 'oom_kill') out.push({ event: e, report: kernelReportLines(e, s.node).join('\n') });
  });
  return out;
}

const withKills = [...builtinScenarios().keys()].filter((n) => killsOf(n).length > 0);

describe("OOM Arena's own reports explain themselves", () => {
  it('the built-in scenarios include all three kinds of OOM', () => {
    const kinds = new Set(withKills.flatMap((n) => killsOf(n).map((k) => k.event.constraint)));
    expect(kinds).toEqual(new Set(['memcg', 'kubepods', 'global']));
  });

  it.each(withKills)(
    '%s: every kill is recomputed to the simulated victim, every candidate to its simulated points',
    (name) => {
      for (const { event, report } of killsOf(name)) {
        const e = explainText(report);
        expect(e.kills).toHaveLength(1);
        const k = e.kills[0]!;
        expect(k.constraint).toBe(event.constraint === 'global' ? 'CONSTRAINT_NONE' : 'CONSTRAINT_MEMCG');
        expect(k.scope).toBe({ memcg: 'container', kubepods: 'kubepods', global: 'node' }[event.constraint]);
        expect(k.totalPages).toBe(event.totalPages);
        expect(k.victim).toEqual({ pid: event.pid, comm: event.comm });
        expect(k.recomputedVictim).toEqual({ pid: event.victim.pid, comm: event.victim.comm });
        expect(k.candidates.map((c) => [c.pid, c.points])).toEqual(
          event.candidates.map((c) => [c.pid, c.points]),
        );
        // A cgroup OOM's report cannot say the node's swap size (the kernel does not print it), and says so.
        const expected =
          event.constraint === 'global'
            ? []
            : [expect.stringMatching(/cgroup OOM report does not print the node's swap size/)];
        expect(k.warnings).toEqual(expected);
      }
    },
  );

  it.each(withKills)(
    '%s: report → explain → "Play this incident" → the same victim at the same moment',
    (name) => {
      // The first kill a round can replay: pods need their first second to build their memory.
      const { event, report } = killsOf(name).find((x) => x.event.tick >= 20)!;
      const k = explainText(report).kills[0]!;
      const play = playIncident(k);
      if (!play.ok) throw new Error(play.message);
      expect(play.killAtSec).toBeCloseTo(event.tick / 10, 6);
      const again = firstKill(play.scenario, play.killAtSec + 5);
      expect(again).not.toBeNull();
      expect(again!.tick).toBe(event.tick);
      expect(again!.constraint).toBe(event.constraint);
      expect(reportPidOf(play, again!)).toBe(event.pid);
      // The round's scan gives every process the points the report gave it.
      const reportPoints = new Map(k.candidates.map((c) => [c.pid, c.points]));
      const scanned = again!.candidates.filter((c) => c.slot !== 'rest-of-node');
      expect(scanned.map((c) => [c.comm, c.points])).toEqual(
        scanned.map((c) => [c.comm, reportPoints.get(reportPidOf(play, { slot: c.slot, comm: c.comm })!)]),
      );
    },
  );
});

describe('Play this incident from a real report', () => {
  it('a global OOM: every process a pod with its adj, the node full, the same victim at the chosen moment', async () => {
    const { fixture } = await import('./helpers.ts');
    const k = explainText(fixture('global-6.1-dmesg.txt')).kills[0]!;
    const play = playIncident(k, { killAtSec: 30 });
    if (!play.ok) throw new Error(play.message);
    expect(play.scenario.node).toMatchObject({ memoryMiB: 3980, swapMiB: 0, evictionThresholdMiB: 0 });
    const java = play.scenario.pods.find((p) => p.workload.comm === 'java')!;
    expect(java).toMatchObject({ oomScoreAdj: 750 });
    expect(play.scenario.pods.find((p) => p.name === 'rest-of-node')).toMatchObject({ oomScoreAdj: -1000 });
    // containerd and kubelet are the node's own agents in the round, not pods.
    expect(play.pods.map((p) => p.comm)).not.toContain('kubelet');
    const again = firstKill(play.scenario, 40)!;
    expect(again.tick).toBe(300);
    expect(reportPidOf(play, again)).toBe(2288);
  });

  it('a cgroup OOM from kubectl describe: one pod at its limit, killed by its own cgroup at the moment', async () => {
    const { fixture } = await import('./helpers.ts');
    const k = explainText(fixture('describe-pod-oomkilled.txt')).kills[0]!;
    const play = playIncident(k);
    if (!play.ok) throw new Error(play.message);
    expect(play.scenario.pods).toHaveLength(1);
    expect(play.scenario.pods[0]).toMatchObject({ name: 'api', limitMiB: 512 });
    const again = firstKill(play.scenario, play.killAtSec + 5)!;
    expect(again).toMatchObject({ constraint: 'memcg', tick: play.killAtSec * 10, slot: 'api' });
  });

  it('a kubepods OOM plays inside /kubepods.slice: the node keeps a reserve, only pods are scanned', async () => {
    const { fixture } = await import('./helpers.ts');
    const k = explainText(fixture('kubepods-v2-6.8-journal-iso.txt')).kills[0]!;
    const play = playIncident(k);
    if (!play.ok) throw new Error(play.message);
    expect(play.scenario.node).toMatchObject({ memoryMiB: 15360 + 512, reservedMiB: 512 });
    const again = firstKill(play.scenario, play.killAtSec + 5)!;
    expect(again).toMatchObject({ constraint: 'kubepods', tick: play.killAtSec * 10, totalPages: 3932160 });
    expect(reportPidOf(play, again)).toBe(3300);
    expect(again.candidates.map((c) => c.comm)).not.toContain('kubelet');
  });

  it('refuses what it cannot rebuild, and a moment outside the round', () => {
    const events = explainText(
      '12m  Warning  SystemOOM  node/n1  System OOM encountered, victim process: java, pid: 1',
    ).kills[0]!;
    expect(playIncident(events)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/no candidate table/),
    });
    const k = explainText(killsOf('noisy-neighbour')[0]!.report).kills[0]!;
    expect(playIncident(k, { killAtSec: 1 })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/between 2 s and 3600 s/),
    });
  });
});
