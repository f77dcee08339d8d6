/**
 * `npm run sim -- <scenario-name-or-file> [--seed N] [--duration S] [--format text|ndjson]`
 * Runs a scenario headless and prints its timeline: text that reads like dmesg and `kubectl get pods -w`, or one
 * JSON event per line.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { builtinScenario, builtinScenarios } from '../../shared/scenario/builtin.ts';
import { parseScenario } from '../../shared/scenario/schema.ts';
import { runScenario } from '../../shared/scenario/run.ts';
import type { Scenario } from '../../shared/scenario/schema.ts';
import type { SimEvent } from '../../shared/sim/types.ts';
import { ticksToSec } from '../../shared/sim/units.ts';
import { getPodsRow, kernelLogLines, kubectlEventLine, explainEvent } from '../../shared/views/index.ts';

const USAGE = `usage: npm run sim -- <scenario-name-or-file.json> [--seed N] [--duration SECONDS] [--format text|ndjson]
built-in scenarios: ${[...builtinScenarios().keys()].join(', ')}`;

function die(message: string): never {
  process.stderr.write(`sim: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function loadScenario(arg: string): Scenario {
  const builtin = builtinScenario(arg);
  if (builtin) return builtin;
  if (!arg.endsWith('.json')) die(`"${arg}" is neither a built-in scenario nor a .json file`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(arg, 'utf8'));
  } catch (err) {
    die(`cannot read ${arg}: ${(err as Error).message}`);
  }
  const parsed = parseScenario(raw);
  if (!parsed.ok) die(`${arg} is not a valid scenario: ${parsed.message}`);
  return parsed.scenario;
}

function numberOption(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) die(`--${name} must be an integer from ${min} to ${max}`);
  return n;
}

/** An event as one NDJSON object: t (sim seconds), type, pod, then the event's own fields. */
export function eventToJson(e: SimEvent): Record<string, unknown> {
  const { tick, type, ...rest } = e;
  return { t: ticksToSec(tick), type, pod: 'pod' in e ? e.pod : null, ...rest };
}

function textLines(e: SimEvent): string[] {
  const t = `t=${ticksToSec(e.tick).toFixed(1)}s`.padEnd(10);
  const out: string[] = [];
  if (e.type === 'oom_kill') out.push(...kernelLogLines(e).map((l) => `${t}dmesg    ${l}`));
  const k = kubectlEventLine(e);
  if (k) out.push(`${t}event    ${k}`);
  if (e.type === 'command_rejected') out.push(`${t}rejected ${e.command}: ${e.code}: ${e.message}`);
  const why = e.type === 'oom_kill' || e.type === 'evicted' ? explainEvent(e) : null;
  if (why) out.push(`${t}why      ${why}`);
  return out;
}

function main(): void {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { seed: { type: 'string' }, duration: { type: 'string' }, format: { type: 'string', default: 'text' }, help: { type: 'boolean' } },
    });
  } catch (err) {
    die((err as Error).message);
  }
  if (parsed.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (parsed.positionals.length !== 1) die('give exactly one scenario');
  const format = parsed.values.format;
  if (format !== 'text' && format !== 'ndjson') die('--format is text or ndjson');
  const scenario = loadScenario(parsed.positionals[0]!);
  const seed = numberOption(parsed.values.seed, 'seed', 0, 4294967295);
  const durationSec = numberOption(parsed.values.duration, 'duration', 1, 24 * 3600);

  const out: string[] = [];
  const flush = () => {
    if (out.length) process.stdout.write(out.join('\n') + '\n');
    out.length = 0;
  };
  if (format === 'text') out.push(`# ${scenario.title ?? scenario.name}  (seed ${seed ?? scenario.seed ?? 'default'})`);
  const lastStatus = new Map<string, string>();
  runScenario(scenario, { seed, durationSec }, (state) => {
    for (const e of state.events) {
      if (format === 'ndjson') out.push(JSON.stringify(eventToJson(e)));
      else out.push(...textLines(e));
    }
    if (format === 'text') {
      // `kubectl get pods -w`: a row whenever a pod's status or restarts change.
      for (const p of state.pods) {
        const row = getPodsRow(p, state.tick);
        const key = `${row.status}|${p.restartCount}`;
        if (lastStatus.get(p.name) === key) continue;
        lastStatus.set(p.name, key);
        const t = `t=${ticksToSec(state.tick).toFixed(1)}s`.padEnd(10);
        out.push(`${t}pods -w  ${row.name.padEnd(24)} ${row.ready.padEnd(5)} ${row.status.padEnd(18)} ${row.restarts.padEnd(14)} ${row.age}`);
      }
    }
    if (out.length > 500) flush();
  });
  flush();
}

main();
