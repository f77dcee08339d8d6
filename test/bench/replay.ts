/**
 * Recording and replay benchmark (issue #5). Targets: a one-hour, 50-student session under 5 MB on disk; seeking
 * to any moment of a one-hour recording under 200 ms. Also: the first pass (decode + verify every hash), the
 * server's streaming resume, and the file recorder's ack latency (write, then the journal's group sync: at most one every 25 ms).
 * Prints figures; asserts nothing (targets are read, never checked by a timed unit test).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRecording, replayText, seek } from '../../shared/recording/index.ts';
import { roundScenario } from '../../shared/game/roundScenario.ts';
import { createSimulation } from '../../shared/sim/create.ts';
import { advance } from '../../shared/sim/step.ts';
import { RecordingStore } from '../../server/recording/index.ts';
import { recordSession, studentCommands } from '../unit/recordingHelpers.ts';

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

console.log(`# replay benchmark — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);

// 1. Size: one hour, 50 students, each changing a setting every 10 s (a very busy class).
let t0 = process.hrtime.bigint();
const hour = recordSession({ students: 50, ticks: 36_000, everyTicks: 100, noHashes: true });
const bytes = Buffer.byteLength(hour.text);
const kinds = new Map<string, { n: number; bytes: number }>();
for (const line of hour.text.split('\n')) {
  if (!line) continue;
  const k = line.slice(6, line.indexOf('"', 6));
  const e = kinds.get(k) ?? { n: 0, bytes: 0 };
  e.n++;
  e.bytes += line.length + 1;
  kinds.set(k, e);
}
console.log(
  `one hour, 50 students, ${hour.commands} commands, ${hour.kills} OOM kills: ${(bytes / 1e6).toFixed(2)} MB (target < 5 MB; generated in ${ms(t0).toFixed(0)} ms)`,
);
for (const [k, e] of kinds)
  console.log(
    `  ${k.padEnd(7)} ${String(e.n).padStart(6)} lines  ${(e.bytes / 1e6).toFixed(2).padStart(6)} MB`,
  );

// 2. The replay view's first pass and the server's streaming replay.
t0 = process.hrtime.bigint();
const { machine } = replayText(hour.text);
console.log(
  `streaming replay of the hour (server resume / upload check): ${ms(t0).toFixed(0)} ms, divergence: ${machine.divergence ? 'YES' : 'none'}`,
);
for (const [label, every] of [
  ['file keyframes only', 0],
  ['+ snapshots every 30 s (the view)', 300],
] as const) {
  t0 = process.hrtime.bigint();
  const r = loadRecording(hour.text, { snapshotEvery: every });
  const loadMs = ms(t0);
  if (!r.ok) throw new Error(r.error.message);
  const rec = r.value;
  // Seek to 300 moments spread over the hour, worst case included (the tick just before a keyframe).
  const ticks = Array.from({ length: 300 }, (_, i) => Math.floor(((i + 0.5) / 300) * 36_000));
  ticks.push(1199, 35_999, 36_000, 2399);
  for (const t of ticks.slice(0, 60)) seek(rec, t); // warm-up: JIT
  const samples: number[] = [];
  for (const t of ticks) {
    const a = process.hrtime.bigint();
    seek(rec, t);
    samples.push(ms(a));
  }
  console.log(
    `seek, ${label}: load+verify ${loadMs.toFixed(0)} ms; seek mean ${(samples.reduce((x, y) => x + y) / samples.length).toFixed(1)} ms, p99 ${pct(samples, 99).toFixed(1)} ms, max ${Math.max(...samples).toFixed(1)} ms (target < 200 ms)`,
  );
}

// 3. The file recorder: ack latency with group commit (the journal syncs at most every 25 ms, so run flat out a
// command waits up to that long), 50 students over 5 simulated minutes.
const dir = mkdtempSync(join(tmpdir(), 'oom-bench-rec-'));
try {
  const store = new RecordingStore({ dataDir: dir });
  const scenario = roundScenario({ seats: 50, seed: 7 });
  const state = createSimulation(scenario);
  const rec = store.create({ code: 'BENCH', scenario, seed: state.seed, initialState: state });
  const cmdsAt = studentCommands(50, 20);
  const lat: number[] = [];
  t0 = process.hrtime.bigint();
  for (let t = 1; t <= 3000; t++) {
    const cmds = cmdsAt(t);
    const acks = cmds.map((c) => {
      const a = process.hrtime.bigint();
      return rec.command({ tick: t, by: c.by, command: c.cmd }).then(() => lat.push(ms(a)));
    });
    await Promise.all(acks);
    advance(
      state,
      cmds.map((c) => c.cmd),
    );
    rec.afterTick(state);
  }
  const total = ms(t0);
  await rec.end('ended');
  console.log(
    `file recorder (${dir.startsWith('/tmp') ? '/tmp' : dir}): ${lat.length} acked commands in ${total.toFixed(0)} ms; ack latency p50 ${pct(lat, 50).toFixed(2)} ms, p99 ${pct(lat, 99).toFixed(2)} ms; file ${(statSync(store.file(rec.id)).size / 1e6).toFixed(2)} MB`,
  );
  // A classroom's pace, on a recording of its own: one command at a time, the next 40 ms after the last ack (so no
  // journal sync started in the gap).
  const paced = createSimulation(scenario);
  const pacedRec = store.create({ code: 'PACE', scenario, seed: paced.seed, initialState: paced });
  const joins = cmdsAt(1); // every student's pod first (not timed), as in the flat-out run
  await Promise.all(joins.map((c) => pacedRec.command({ tick: 1, by: c.by, command: c.cmd })));
  advance(
    paced,
    joins.map((c) => c.cmd),
  );
  pacedRec.afterTick(paced);
  const spaced: number[] = [];
  for (let t = 2; t <= 201; t++) {
    let c = cmdsAt(t)[0];
    for (let k = t + 1; c === undefined; k++) c = cmdsAt(k)[0]; // the next student command due
    const a = process.hrtime.bigint();
    await pacedRec.command({ tick: t, by: c.by, command: c.cmd });
    spaced.push(ms(a));
    advance(paced, [c.cmd]);
    pacedRec.afterTick(paced);
    await new Promise((r) => setTimeout(r, 40));
  }
  await pacedRec.end('ended');
  console.log(
    `file recorder, one command at a time 40 ms apart: ack latency p50 ${pct(spaced, 50).toFixed(2)} ms, p99 ${pct(spaced, 99).toFixed(2)} ms (${spaced.length} commands)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
