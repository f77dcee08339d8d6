import { describe, expect, it } from 'vitest';
import { builtinScenario } from '../../../shared/scenario/builtin.ts';
import { runScenario } from '../../../shared/scenario/run.ts';
import { POD_ARRAYS, POD_BOOLEANS, POD_NUMBERS, POD_OBJECTS, POD_STRINGS, stateHash } from '../../../shared/sim/hash.ts';
import type { PodState, SimState } from '../../../shared/sim/types.ts';

/** A state late in the worked example: pods with restarts, back-off, a terminated container and work in flight. */
function busyState(): SimState {
  return runScenario(builtinScenario('worked-example')!, { durationSec: 40 });
}

/** The state with one field of its first pod replaced (a copy: the hash memoises objects by identity). */
function withPodField(s: SimState, key: keyof PodState, value: unknown): SimState {
  const copy = structuredClone(s);
  (copy.pods[0] as unknown as Record<string, unknown>)[key] = value;
  return copy;
}

describe('stateHash walks every field of a pod', () => {
  // The pod walk is written out field by field (fast); a field left out of it would go unnoticed by the golden
  // runs until it diverged. Each field of the lists (which the compiler checks against PodState) must move the hash.
  const s = busyState();
  const base = stateHash(s);
  const p = s.pods[0]!;

  it.each(POD_NUMBERS.map((k) => [k]))('number %s', (k) => {
    expect(stateHash(withPodField(s, k, p[k] + 1))).not.toBe(base);
  });
  it.each(POD_STRINGS.map((k) => [k]))('string %s', (k) => {
    expect(stateHash(withPodField(s, k, `${p[k] ?? ''}x`))).not.toBe(base);
    expect(stateHash(withPodField(s, k, p[k] === null ? '' : null))).not.toBe(base);
  });
  it.each(POD_ARRAYS.map((k) => [k]))('array %s', (k) => {
    expect(stateHash(withPodField(s, k, [...p[k], 7]))).not.toBe(base);
  });
  it.each(POD_OBJECTS.map((k) => [k]))('object %s', (k) => {
    const other = p[k] === null ? { exitCode: 1 } : null;
    expect(stateHash(withPodField(s, k, other))).not.toBe(base);
  });
  it.each(POD_BOOLEANS.map((k) => [k]))('boolean %s', (k) => {
    expect(stateHash(withPodField(s, k, !p[k]))).not.toBe(base);
  });

  it('a copy hashes the same, and the fields are not confused with each other', () => {
    expect(stateHash(structuredClone(s))).toBe(base);
    // Two number fields swapped: a walk that read one field twice would not see it.
    const a = POD_NUMBERS.find((k) => p[k] !== p.uid)!;
    const swapped = withPodField(withPodField(s, 'uid', p[a]), a, p.uid);
    expect(stateHash(swapped)).not.toBe(base);
  });
});
