/**
 * A teacher's scenario file as the browser reads it (shared/scenario/file.ts): size, JSON, schema, in that order,
 * each refusal in words that say what to fix; and the example file in docs/examples tells the story it promises.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeScenarioFile, parseScenarioText, SCENARIO_FILE_MAX_BYTES } from '../../shared/scenario/file.ts';
import { parseScenario } from '../../shared/scenario/schema.ts';
import { runScenario } from '../../shared/scenario/run.ts';
import type { SimEvent } from '../../shared/sim/types.ts';

const EXAMPLE_TEXT = readFileSync(join(import.meta.dirname, '../../docs/examples/friday-deploy.json'), 'utf8');
const minimal = (extra: object = {}) => JSON.stringify({ name: 'tiny', durationSec: 30, node: { memoryMiB: 1024 }, pods: [], ...extra });

describe('parseScenarioText', () => {
  it.each([
    ['not JSON', '{ "name": ', /^Not a JSON file: /],
    ['JSON but not a scenario', '[1, 2]', /^Not a valid scenario: /],
    ['a field out of range', minimal({ node: { memoryMiB: 12 } }), /^Not a valid scenario: node\.memoryMiB: /],
    ['a student limit below its request', minimal({ student: { requestMiB: 300, limitMiB: 200, maxPods: 3 } }), /student\.limitMiB: must be at least requestMiB/],
    ['an unknown field', minimal({ nodes: 1 }), /Not a valid scenario: .*nodes/],
    ['too big', minimal({ description: 'x'.repeat(SCENARIO_FILE_MAX_BYTES) }), /^The file is 4\d KB; a live session takes scenario files up to 48 KB\.$/],
  ])('refuses %s', (_what, text, message) => {
    const r = parseScenarioText(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });

  it('counts bytes, not characters: multi-byte text is measured as sent', () => {
    const text = minimal({ description: 'é'.repeat(SCENARIO_FILE_MAX_BYTES / 2) });
    expect(text.length).toBeLessThan(SCENARIO_FILE_MAX_BYTES);
    expect(parseScenarioText(text).ok).toBe(false);
  });

  it('accepts a pod without a workload (the default small service) and keeps the raw object for the wire', () => {
    const r = parseScenarioText(minimal({ pods: [{ name: 'web', limitMiB: 256 }] }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.scenario.pods[0]!.workload).toEqual({});
    expect(r.raw).toEqual(JSON.parse(minimal({ pods: [{ name: 'web', limitMiB: 256 }] })));
  });

  it('describes what a file sets up in one line', () => {
    const r = parseScenarioText(EXAMPLE_TEXT);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(describeScenarioFile(r.scenario)).toBe('8192 MiB node · 1 scenario pod · up to 30 student pods · 2 timed events · 10 min');
    const tiny = parseScenarioText(minimal());
    if (tiny.ok) expect(describeScenarioFile(tiny.scenario)).toBe('1024 MiB node · 0 scenario pods · no student pods (students watch) · 0 timed events · 30 s');
    expect(tiny.ok).toBe(true);
  });
});

describe('docs/examples/friday-deploy.json tells its story', () => {
  it('with 20 students on the node, the global OOM killer takes the BestEffort cache first', () => {
    const raw = JSON.parse(EXAMPLE_TEXT) as { pods: object[]; student: { requestMiB: number; limitMiB: number; workload: object } };
    const st = raw.student;
    for (let i = 0; i < 20; i++) raw.pods.push({ name: `student-${i}`, requestMiB: st.requestMiB, limitMiB: st.limitMiB, workload: st.workload });
    const parsed = parseScenario(raw);
    if (!parsed.ok) throw new Error(parsed.message);
    const events: SimEvent[] = [];
    runScenario(parsed.scenario, {}, (s) => events.push(...s.events));
    const global = events.filter((e) => e.type === 'oom_kill' && e.constraint !== 'memcg');
    expect(global.length).toBeGreaterThan(0);
    expect(global.every((e) => e.type === 'oom_kill' && e.slot === 'cache')).toBe(true);
  });
});
