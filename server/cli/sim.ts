/**
 * `npm run sim -- <scenario-name-or-file> [--seed N] [--duration S] [--format text|ndjson]`
 * Runs a scenario headless and prints its timeline: text that reads like dmesg, journalctl and `kubectl get pods -w`,
 * or one JSON event per line.
 * `npm run sim -- <scenario> --at S <kubectl command>` runs to S seconds and prints what that kubectl command would
 * show then: `get pods`, `get nodes`, `get events` or `describe pod <name>`.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { builtinScenario, builtinScenarios } from '../../shared/scenario/builtin.ts';
import { parseScenario } from '../../shared/scenario/schema.ts';
import { runScenario } from '../../shared/scenario/run.ts';
import type { Scenario } from '../../shared/scenario/schema.ts';
import { activePod } from '../../shared/sim/podLifecycle.ts';
import type { SimEvent, SimState } from '../../shared/sim/types.ts';
import { secToTicks, ticksToSec } from '../../shared/sim/units.ts';
import {
  describePod,
  explainEvent,
  formatGetNodes,
  formatGetPods,
  getPodsRow,
  humanDuration,
  journalLines,
  kernelReportLines,
  kubectlEventLine,
} from '../../shared/views/index.ts';

const USAGE = `usage: npm run sim -- <scenario-name-or-file.json> [--seed N] [--duration SECONDS] [--format text|ndjson]
       npm run sim -- <scenario> --at SECONDS get pods | get nodes | get events | describe pod <name>
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

function textLines(e: SimEvent, state: SimState): string[] {
  const t = `t=${ticksToSec(e.tick).toFixed(1)}s`.padEnd(10);
  const out: string[] = [];
  // The whole kernel report (memory summary and Tasks state table), so `npm run explain` can read it back.
  if (e.type === 'oom_kill') out.push(...kernelReportLines(e, state.node).map((l) => `${t}dmesg    ${l}`));
  out.push(...journalLines(e).map((l) => `${t}journal  ${l}`));
  const k = kubectlEventLine(e);
  if (k) out.push(`${t}event    ${k}`);
  if (e.type === 'command_rejected') out.push(`${t}rejected ${e.command}: ${e.code}: ${e.message}`);
  const why = e.type === 'oom_kill' || e.type === 'evicted' || e.type === 'daemon_down' ? explainEvent(e) : null;
  if (why) out.push(`${t}why      ${why}`);
  return out;
}

/** Options that take a number: a negative value such as `--seed -1` is that option's value, not another flag. */
const NUMBER_OPTIONS = new Set(['--seed', '--duration', '--at']);

function joinNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (NUMBER_OPTIONS.has(a) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${a}=${next}`);
      i += 1;
    } else out.push(a);
  }
  return out;
}

type KubectlQuery = { kind: 'get'; what: 'pods' | 'nodes' | 'events' } | { kind: 'describe'; pod: string };

/** The kubectl command after the scenario, if any. */
function parseQuery(words: readonly string[]): KubectlQuery | null {
  if (words.length === 0) return null;
  const [verb, noun, name] = words;
  if (verb === 'get' && words.length === 2 && (noun === 'pods' || noun === 'nodes' || noun === 'events')) return { kind: 'get', what: noun };
  if (verb === 'describe' && (noun === 'pod' || noun === 'pods') && name !== undefined && words.length === 3) return { kind: 'describe', pod: name };
  die(`"${words.join(' ')}" is not one of: get pods, get nodes, get events, describe pod <name>`);
}

/** What the kubectl command prints at this moment of the run. */
function answerQuery(q: KubectlQuery, state: SimState, history: readonly SimEvent[]): string {
  if (q.kind === 'get' && q.what === 'pods') return formatGetPods(state.pods, state.tick);
  if (q.kind === 'get' && q.what === 'nodes') return formatGetNodes(state);
  if (q.kind === 'get') {
    const rows = history.flatMap((e) => {
      const line = kubectlEventLine(e);
      return line ? [`${humanDuration(ticksToSec(state.tick - e.tick)).padEnd(10)}${line}`] : [];
    });
    return [`${'LAST SEEN'.padEnd(10)}${'TYPE'.padEnd(8)} ${'REASON'.padEnd(17)} OBJECT  MESSAGE`, ...rows].join('\n');
  }
  const pod = state.pods.find((p) => p.name === q.pod) ?? activePod(state, q.pod);
  if (!pod) die(`no pod "${q.pod}" at t=${ticksToSec(state.tick)}s (pods: ${state.pods.map((p) => p.name).join(', ') || 'none'})`);
  return describePod(pod, state, history);
}

/** Progress on stderr for runs that take a while (a 500-pod day): one line at most every 2 s of wall time. */
function progressReporter(totalTicks: number): (tick: number) => void {
  const started = performance.now();
  let last = started;
  return (tick) => {
    if ((tick & 1023) !== 0) return;
    const now = performance.now();
    if (now - last < 2000) return;
    last = now;
    const pct = Math.floor((tick * 100) / totalTicks);
    process.stderr.write(`sim: ${pct}% (${humanDuration(ticksToSec(tick))} of ${humanDuration(ticksToSec(totalTicks))} simulated, ${Math.round((now - started) / 1000)} s)\n`);
  };
}

function main(): void {
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(process.argv.slice(2)),
      allowPositionals: true,
      options: {
        seed: { type: 'string' },
        duration: { type: 'string' },
        at: { type: 'string' },
        format: { type: 'string', default: 'text' },
        help: { type: 'boolean' },
      },
    });
  } catch (err) {
    die((err as Error).message);
  }
  if (parsed.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (parsed.positionals.length === 0) die('give exactly one scenario');
  const query = parseQuery(parsed.positionals.slice(1));
  const format = parsed.values.format;
  if (format !== 'text' && format !== 'ndjson') die('--format is text or ndjson');
  const scenario = loadScenario(parsed.positionals[0]!);
  const seed = numberOption(parsed.values.seed, 'seed', 0, 4294967295);
  let durationSec = numberOption(parsed.values.duration, 'duration', 1, 24 * 3600);
  if (parsed.values.at !== undefined) {
    const at = Number(parsed.values.at);
    if (!Number.isFinite(at) || at < 0 || at > 24 * 3600) die('--at must be a number of seconds from 0 to 86400');
    if (!query) die('--at needs a kubectl command after the scenario: get pods, get nodes, get events or describe pod <name>');
    durationSec = at;
  }
  const totalTicks = secToTicks(durationSec ?? scenario.durationSec);
  const progress = progressReporter(totalTicks);

  if (query) {
    const history: SimEvent[] = [];
    const final = runScenario(scenario, { seed, durationSec: durationSec ?? scenario.durationSec }, (state) => {
      history.push(...state.events);
      progress(state.tick);
    });
    process.stdout.write(`${answerQuery(query, final, history)}\n`);
    return;
  }

  const out: string[] = [];
  const flush = () => {
    if (out.length) process.stdout.write(out.join('\n') + '\n');
    out.length = 0;
  };
  if (format === 'text') out.push(`# ${scenario.title ?? scenario.name}  (seed ${seed ?? scenario.seed ?? 'default'})`);
  const lastStatus = new Map<string, string>();
  runScenario(scenario, { seed, durationSec }, (state) => {
    progress(state.tick);
    for (const e of state.events) {
      if (format === 'ndjson') out.push(JSON.stringify(eventToJson(e)));
      else out.push(...textLines(e, state));
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
