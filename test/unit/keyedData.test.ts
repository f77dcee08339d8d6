/**
 * Data keyed by names never lives in a plain object (issue 10, defects 1 and 2): the Dict helpers, the lint rule
 * that keeps plain keyed objects out of product code, and the DNS-1123 rule pod and slot names follow.
 */
import { ESLint } from 'eslint';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyStats, updateStats } from '../../shared/game/score.ts';
import { emptyTrace, sampleTrace } from '../../shared/game/trace.ts';
import { slotForNickname } from '../../shared/protocol/nickname.ts';
import { isDnsLabel, slotSchema, SLOT_MAX } from '../../shared/schemas/commands.ts';
import { scenarioSchema } from '../../shared/scenario/schema.ts';
import { roundScenario } from '../../shared/game/roundScenario.ts';
import { createSimulation } from '../../shared/sim/create.ts';
import { advance } from '../../shared/sim/step.ts';
import { dict, dictFrom, withKey } from '../../shared/util/dict.ts';

const PROTO_NAMES = [...Object.getOwnPropertyNames(Object.prototype), 'prototype'];

describe('Dict: a table with no prototype', () => {
  it('reads no inherited key and stores every name as a plain entry', () => {
    const d = dict<number>();
    for (const n of PROTO_NAMES) expect(d[n]).toBeUndefined();
    for (const [i, n] of PROTO_NAMES.entries()) d[n] = i;
    expect(Object.keys(d).sort()).toEqual([...PROTO_NAMES].sort());
    expect(Object.getPrototypeOf(d)).toBeNull();
    expect(JSON.parse(JSON.stringify(d))).toHaveProperty(['constructor'], PROTO_NAMES.indexOf('constructor'));
    expect(({} as Record<string, unknown>)['toString']).toBe(Object.prototype.toString);
  });
  it('withKey and dictFrom copy own keys only, even `__proto__` from JSON', () => {
    const parsed = JSON.parse('{"__proto__": 5, "a": 1}') as object;
    const d = dictFrom<number>(parsed);
    expect(d['__proto__']).toBe(5);
    expect(d['constructor']).toBeUndefined();
    const e = withKey(d, 'constructor', 9);
    expect(e['constructor']).toBe(9);
    expect(d['constructor']).toBeUndefined();
    expect(Object.getPrototypeOf(e)).toBeNull();
  });
  it('scores and traces a slot named after every Object.prototype name', () => {
    // The pure game core, fed a slot per name (the sim does not check names: the entries do).
    for (const name of [...PROTO_NAMES, 'constructor']) {
      // The reducer refuses a slot that is not a label; a state from a file could still hold one.
      const state = createSimulation(roundScenario({ seats: 1, durationSec: 10, seed: 3, slots: ['x'] }));
      state.pods[0]!.slot = name;
      state.pods[0]!.name = `${name}-abcde`;
      const stats = emptyStats();
      const trace = emptyTrace(1);
      for (let t = 0; t < 30; t++) {
        updateStats(stats, state);
        sampleTrace(trace, state);
        advance(state);
      }
      expect(stats.slots[name]?.slot).toBe(name);
      expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('score');
    }
  });
});

describe('the lint rule that keeps keyed data out of plain objects', () => {
  const eslint = new ESLint();
  const lint = async (code: string, filePath = 'server/room/example.ts') => {
    const [r] = await eslint.lintText(code, { filePath });
    return r!.messages.map((m) => m.message);
  };
  it.each([
    ['a Record keyed by strings', 'export const byName: Record<string, number> = {};'],
    ['a string index signature', 'export interface ByName { [name: string]: number }'],
    ['Object.fromEntries', "export const t = Object.fromEntries([['a', 1]]);"],
  ])('refuses %s in product code', async (_what, code) => {
    for (const file of ['server/x.ts', 'shared/game/x.ts', 'client/src/lib/x.ts']) {
      expect((await lint(code, file)).join('\n')).toMatch(/Map|dict\(/);
    }
  });
  it('allows Dict, Map and Record<string, unknown> (a JSON object read at fixed keys)', async () => {
    const code = [
      "import { dict, type Dict } from '../../shared/util/dict.ts';",
      'export const a: Dict<number> = dict();',
      'export const b = new Map<string, number>();',
      'export const c: Record<string, unknown> = { x: 1 };',
    ].join('\n');
    expect(await lint(code)).toEqual([]);
  });
});

describe('pod and slot names are DNS-1123 labels wherever they enter', () => {
  it('a nickname always becomes a slot that is a label (fast-check)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom(...PROTO_NAMES), fc.string({ unit: 'binary' })), fc.boolean(), (nick, busy) => {
        const slot = slotForNickname(nick, (s) => busy && !s.endsWith('-3'));
        expect(isDnsLabel(slot, SLOT_MAX)).toBe(true);
      }),
    );
  });
  it.each(['__proto__', 'toString', 'hasOwnProperty', 'Bob', '-a', 'a-', 'a_b', 'a'.repeat(41), ''])('refuses %j as a slot', (name) => {
    expect(slotSchema.safeParse(name).success).toBe(false);
    const base = roundScenario({ seats: 1, durationSec: 10, seed: 1, slots: ['ok'] });
    const r = scenarioSchema.safeParse({ ...base, pods: [{ ...base.pods[0]!, name }] });
    expect(r.success).toBe(false);
  });
  it.each(['constructor', 'valueof', 'a', 'pod-1', '0', 'a'.repeat(40)])('accepts %j', (name) => {
    expect(slotSchema.safeParse(name).success).toBe(true);
  });
});
