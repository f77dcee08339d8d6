import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scenarioSchema } from '../../../shared/scenario/schema.ts';
import { cloneState } from '../../../shared/sim/clone.ts';
import { checkCommand } from '../../../shared/sim/commandCheck.ts';
import { applyCommand } from '../../../shared/sim/commands.ts';
import { createSimulation } from '../../../shared/sim/create.ts';
import { stateHash } from '../../../shared/sim/hash.ts';
import { nodeUsedPages, podUsagePages } from '../../../shared/sim/memory.ts';
import { step, advance } from '../../../shared/sim/step.ts';
import type { Command, SimState } from '../../../shared/sim/types.ts';

/** Commands that may set a pod's spec to what it already is (accepted, changing nothing). */
const SPEC_PATCHES = new Set<Command['type']>(['set_workload', 'set_oom_score_adj', 'start_batch']);

const mib = (lo: number, hi: number) => fc.integer({ min: lo, max: hi });

const podArb = (i: number) =>
  fc.record({
    name: fc.constant(`p${i}`),
    requestMiB: fc.option(mib(16, 1500), { nil: undefined }),
    limitMiB: fc.option(mib(16, 3000), { nil: undefined }),
    oomScoreAdj: fc.option(fc.constantFrom(-1000, -999, -500, 0, 500, 1000), { nil: undefined }),
    priority: fc.integer({ min: 0, max: 3 }),
    restartPolicy: fc.constantFrom('Always', 'OnFailure', 'Never'),
    workload: fc.record({
      baselineMiB: mib(10, 600),
      leakMiBps: fc.constantFrom(0, 0, 1, 5, 40, 200),
      requestsPerSec: fc.constantFrom(0, 5, 50),
      mibPerRequest: fc.constantFrom(0.5, 1, 4),
      bufferCapMiB: fc.constantFrom(null, 20),
      fileReadMiBps: fc.constantFrom(0, 30),
      fileSetMiB: fc.constantFrom(0, 200),
      batch: fc.option(
        fc.record({ sizeMiB: mib(50, 2000), mode: fc.constantFrom('load', 'stream'), rateMiBps: mib(20, 400), chunkMiB: mib(8, 64), everySec: fc.constantFrom(0, 5, 20) }),
        { nil: null },
      ),
    }),
  });

const scenarioArb = fc
  .record({
    memoryMiB: fc.constantFrom(1024, 2048, 4096),
    swapMiB: fc.constantFrom(0, 0, 512),
    reservedMiB: fc.constantFrom(0, 0, 256),
    inPlaceResize: fc.boolean(),
    pods: fc.integer({ min: 1, max: 5 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => podArb(i)))),
  })
  .map(({ memoryMiB, swapMiB, reservedMiB, inPlaceResize, pods }) => {
    const fixed = pods.map((p) => ({ ...p, limitMiB: p.limitMiB !== undefined && p.requestMiB !== undefined ? Math.max(p.limitMiB, p.requestMiB) : p.limitMiB }));
    return scenarioSchema.parse({ name: 'prop', durationSec: 60, node: { memoryMiB, swapMiB, reservedMiB, inPlaceResize }, pods: fixed });
  });

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ type: fc.constant('kill' as const), pod: fc.constantFrom('p0', 'p1', 'p9') }),
  fc.record({ type: fc.constant('set_resources' as const), pod: fc.constantFrom('p0', 'p1'), requestMiB: fc.option(mib(16, 800), { nil: null }), limitMiB: fc.option(mib(16, 2000), { nil: null }) }),
  fc.record({ type: fc.constant('set_oom_score_adj' as const), pod: fc.constantFrom('p0', 'p1'), value: fc.option(fc.integer({ min: -1000, max: 1000 }), { nil: null }) }),
  fc.record({ type: fc.constant('set_workload' as const), pod: fc.constantFrom('p0', 'p1'), workload: fc.record({ leakMiBps: fc.constantFrom(0, 10, 100) }) }),
  fc.record({ type: fc.constant('fix_leak' as const), pod: fc.constantFrom('p0', 'p1') }),
  fc.record({ type: fc.constant('start_batch' as const), pod: fc.constantFrom('p0', 'p1'), sizeMiB: mib(100, 3000) }),
  fc.record({ type: fc.constant('traffic_spike' as const), multiplier: fc.constantFrom(2, 5), durationSec: fc.constantFrom(5, 30) }),
);

/**
 * CI runs a fixed seed so a landing cannot flake; elsewhere each run explores new cases. A failure prints its seed
 * and counterexample: pin it as a regression test (see kernel.test.ts N4).
 */
fc.configureGlobal({ seed: process.env.CI ? 20261128 : undefined });

const planArb = fc.array(fc.tuple(fc.integer({ min: 1, max: 400 }), commandArb), { maxLength: 12 });

function checkInvariants(s: SimState): void {
  let swap = 0;
  for (const p of s.pods) {
    for (const v of [p.anonPages, p.fileRssPages, p.cacheInactivePages, p.cacheActivePages, p.swapPages, p.leakedPages, p.batchLoadedPages, ...p.inflightPages]) {
      expect(v).toBeGreaterThanOrEqual(0); // pages never negative
    }
    if (p.spec.limitPages !== null) expect(podUsagePages(p)).toBeLessThanOrEqual(p.spec.limitPages); // never above a limit
    expect(p.backoffSec).toBeLessThanOrEqual(300); // back-off never exceeds 300 s
    swap += p.swapPages;
  }
  expect(nodeUsedPages(s)).toBeLessThanOrEqual(s.node.capacityPages);
  // N6: the pods together never exceed /kubepods.slice's memory.max.
  let kubepods = 0;
  for (const p of s.pods) kubepods += podUsagePages(p);
  if (s.node.kubepodsLimitPages !== null) expect(kubepods).toBeLessThanOrEqual(s.node.kubepodsLimitPages);
  expect(s.node.swapUsedPages).toBe(swap);
  expect(swap).toBeLessThanOrEqual(s.node.swapPages);
  let globalKills = 0;
  for (const e of s.events) {
    if (e.type !== 'oom_kill') continue;
    expect(e.victim.oomScoreAdj).not.toBe(-1000); // a -1000 process is never killed
    expect(e.victim.points).not.toBeNull();
    const best = Math.max(...e.candidates.filter((c) => c.points !== null).map((c) => c.points!));
    expect(e.victim.points).toBe(best); // the victim has the largest points
    const tied = e.candidates.filter((c) => c.points === best);
    expect(e.victim.pid).toBe(tied.at(-1)!.pid); // ties go to the later candidate
    if (e.constraint !== 'memcg') globalKills += 1;
  }
  expect(globalKills).toBeLessThanOrEqual(1); // one victim at a time, node-wide or in /kubepods.slice
}

function runPlan(s: SimState, plan: [number, Command][], ticks: number, onTick?: (s: SimState) => void): string[] {
  const hashes: string[] = [];
  for (let t = 1; t <= ticks; t++) {
    advance(s, plan.filter(([at]) => at === t).map(([, c]) => c));
    onTick?.(s);
    hashes.push(stateHash(s));
  }
  return hashes;
}

describe('invariants hold after every tick of random scenarios and commands', () => {
  it('pages, limits, swap, victims and back-off', () => {
    fc.assert(
      fc.property(scenarioArb, planArb, fc.integer({ min: 1, max: 2 ** 31 }), (sc, plan, seed) => {
        runPlan(createSimulation(sc, { seed }), plan, 400, checkInvariants);
      }),
      { numRuns: 40 },
    );
  }, 300_000); // CPU-bound: on a loaded 2-core machine this takes minutes, not seconds

  it('T2: same seed and same commands give the same hash sequence', () => {
    fc.assert(
      fc.property(scenarioArb, planArb, fc.integer({ min: 1, max: 2 ** 31 }), (sc, plan, seed) => {
        const a = runPlan(createSimulation(sc, { seed }), plan, 200);
        const b = runPlan(createSimulation(structuredClone(sc), { seed }), plan, 200);
        expect(a).toEqual(b);
      }),
      { numRuns: 25 },
    );
  });

  it('T2: step() is pure (input untouched) and agrees with advance()', () => {
    fc.assert(
      fc.property(scenarioArb, planArb, (sc, plan) => {
        const inPlace = createSimulation(sc, { seed: 9 });
        let pure = createSimulation(sc, { seed: 9 });
        for (let t = 1; t <= 150; t++) {
          const cmds = plan.filter(([at]) => at === t).map(([, c]) => c);
          const before = stateHash(pure);
          const snapshot = JSON.stringify(pure);
          const next = step(pure, cmds);
          expect(stateHash(pure)).toBe(before);
          expect(JSON.stringify(pure)).toBe(snapshot);
          advance(inPlace, cmds);
          expect(stateHash(next)).toBe(stateHash(inPlace));
          pure = next;
        }
      }),
      { numRuns: 15 },
    );
  });

  it('checkCommand leaves the state untouched, and applying a command it refuses changes nothing', () => {
    let accepted = 0;
    let refused = 0;
    const studentCommandArb: fc.Arbitrary<Command> = fc.oneof(
      commandArb,
      fc.record({ type: fc.constant('exit' as const), pod: fc.constantFrom('p0', 'p1'), code: fc.constantFrom(0, 1, 137) }),
      fc.record({ type: fc.constant('add_backpressure' as const), pod: fc.constantFrom('p0', 'p1'), bufferCapMiB: mib(1, 64) }),
      fc.record({ type: fc.constant('stream_batch' as const), pod: fc.constantFrom('p0', 'p1'), chunkMiB: mib(1, 64) }),
    );
    fc.assert(
      fc.property(scenarioArb, planArb, fc.array(fc.tuple(fc.integer({ min: 1, max: 120 }), studentCommandArb), { maxLength: 8 }), (sc, plan, tries) => {
        const s = createSimulation(sc, { seed: 3 });
        runPlan(s, plan, 120, (live) => {
          for (const [at, cmd] of tries) {
            if (at !== live.tick) continue;
            const before = JSON.stringify(live);
            const checked = checkCommand(live, cmd);
            expect(JSON.stringify(live)).toBe(before);
            const copy = cloneState(live);
            const untouched = JSON.stringify(copy);
            const applied = applyCommand(copy, cmd);
            expect(applied.ok).toBe(checked.ok);
            if (!applied.ok) expect(JSON.stringify(copy)).toBe(untouched);
            // A spec patch may repeat what the pod has; every other accepted command leaves a mark.
            else if (!SPEC_PATCHES.has(cmd.type)) expect(JSON.stringify(copy)).not.toBe(untouched);
            if (checked.ok) accepted++;
            else refused++;
          }
        });
      }),
      { numRuns: 60 },
    );
    // Both verdicts were exercised, not only one.
    expect(accepted).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(20);
  });

  it('H1: the state survives a JSON round trip with the same hash, and a different seed diverges', () => {
    const sc = scenarioSchema.parse({ name: 'x', durationSec: 10, node: { memoryMiB: 2048 }, pods: [{ name: 'a', workload: { requestsPerSec: 50 } }] });
    const s = createSimulation(sc, { seed: 1 });
    runPlan(s, [], 100);
    expect(stateHash(JSON.parse(JSON.stringify(s)))).toBe(stateHash(s));
    const other = createSimulation(sc, { seed: 2 });
    runPlan(other, [], 100);
    expect(stateHash(other)).not.toBe(stateHash(s));
  });
});
