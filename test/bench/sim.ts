/**
 * Simulation benchmark: how fast the pure core runs a classroom node.
 * Targets (issue #2): re-simulating one hour of a 50-pod session (36,000 ticks) in under 1 s; one 300-pod tick
 * under 150 µs. Prints figures; asserts nothing (targets are checked by reading, never in a timed unit test).
 */
import { cpus } from 'node:os';
import { builtinScenario } from '../../shared/scenario/builtin.ts';
import { scenarioSchema } from '../../shared/scenario/schema.ts';
import { createSimulation } from '../../shared/sim/create.ts';
import { stateHash } from '../../shared/sim/hash.ts';
import { advance, step } from '../../shared/sim/step.ts';
import type { Command, SimState } from '../../shared/sim/types.ts';

function classroom(pods: number, memoryMiB: number): SimState {
  const base = builtinScenario('classroom')!;
  const student = base.student!;
  const sc = scenarioSchema.parse({
    ...base,
    node: { ...base.node, memoryMiB },
    pods: Array.from({ length: pods }, (_, i) => ({
      name: `student-${i}`,
      requestMiB: student.requestMiB,
      limitMiB: student.limitMiB,
      // A mix of behaviours so that kills, restarts and evictions all happen during the run.
      workload: { ...student.workload, leakMiBps: (i % 5) * 0.5, requestsPerSec: 10 + (i % 7) * 5 },
    })),
  });
  return createSimulation(sc, { seed: 12345 });
}

/** Some students act every few seconds, as in class. */
function commandsAt(tick: number, pods: number): Command[] {
  if (tick % 37 !== 0) return [];
  const i = (tick / 37) % pods;
  return [{ type: 'set_workload', pod: `student-${i}`, workload: { leakMiBps: (tick % 3) * 0.7 } }];
}

function hour(pods: number, memoryMiB: number) {
  const s = classroom(pods, memoryMiB);
  let kills = 0;
  let evictions = 0;
  const t0 = process.hrtime.bigint();
  for (let t = 1; t <= 36_000; t++) {
    advance(s, commandsAt(t, pods));
    for (const e of s.events) {
      if (e.type === 'oom_kill') kills++;
      else if (e.type === 'evicted') evictions++;
    }
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, kills, evictions };
}

function perTick(pods: number, memoryMiB: number, ticks: number, mode: 'advance' | 'step' | 'hash') {
  let s = classroom(pods, memoryMiB);
  for (let t = 1; t <= 600; t++) advance(s, commandsAt(t, pods)); // warm up: pods running, JIT hot
  const samples: number[] = [];
  for (let t = 601; t <= 600 + ticks; t++) {
    const cmds = commandsAt(t, pods);
    const a = process.hrtime.bigint();
    if (mode === 'step') s = step(s, cmds);
    else advance(s, cmds);
    if (mode === 'hash') stateHash(s);
    samples.push(Number(process.hrtime.bigint() - a) / 1000);
  }
  samples.sort((x, y) => x - y);
  const mean = samples.reduce((x, y) => x + y, 0) / samples.length;
  return { mean, p50: samples[Math.floor(samples.length * 0.5)]!, p99: samples[Math.floor(samples.length * 0.99)]! };
}

const fmt = (n: number) => n.toFixed(1).padStart(8);
console.log(`# simulation benchmark — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);
hour(50, 16384); // warm-up run
const h = hour(50, 16384);
console.log(`one hour, 50 pods (36,000 ticks): ${h.ms.toFixed(0)} ms  → ${(36_000 / (h.ms / 1000)).toFixed(0)} ticks/s  (target < 1000 ms; ${h.kills} OOM kills, ${h.evictions} evictions)`);
const h300 = hour(300, 98304);
console.log(`one hour, 300 pods (36,000 ticks): ${h300.ms.toFixed(0)} ms  → ${(36_000 / (h300.ms / 1000)).toFixed(0)} ticks/s  (${h300.kills} OOM kills, ${h300.evictions} evictions)`);
console.log('per tick, µs                    mean      p50      p99');
for (const [pods, mem] of [[50, 16384], [300, 98304]] as const) {
  const a = perTick(pods, mem, 5000, 'advance');
  console.log(`${String(pods).padStart(3)} pods advance (server loop) ${fmt(a.mean)} ${fmt(a.p50)} ${fmt(a.p99)}${pods === 300 ? '   (target mean < 150)' : ''}`);
  const st = perTick(pods, mem, 3000, 'step');
  console.log(`${String(pods).padStart(3)} pods step (pure, cloning) ${fmt(st.mean)} ${fmt(st.p50)} ${fmt(st.p99)}`);
  const hh = perTick(pods, mem, 3000, 'hash');
  console.log(`${String(pods).padStart(3)} pods advance + stateHash  ${fmt(hh.mean)} ${fmt(hh.p50)} ${fmt(hh.p99)}`);
}
