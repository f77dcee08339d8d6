import type { SimState } from './types.ts';

/**
 * H1: a 64-bit (two 32-bit lanes) hash of the whole state but its per-tick events, cheap enough for every tick.
 * It walks values in insertion order, mixing a type tag and each value, so equal states built by the same code
 * hash equal and any changed number, string, null or shape changes the hash.
 */
export function stateHash(state: SimState): string {
  const h = { a: 0x811c9dc5, b: 0x9e3779b1 };
  for (const key in state) {
    if (key === 'events') continue;
    mixString(h, key);
    mixValue(h, (state as unknown as Record<string, unknown>)[key]);
  }
  return (h.a >>> 0).toString(16).padStart(8, '0') + (h.b >>> 0).toString(16).padStart(8, '0');
}

interface Lanes {
  a: number;
  b: number;
}

function mix(h: Lanes, x: number): void {
  h.a = Math.imul(h.a ^ x, 0x01000193);
  h.b = Math.imul(h.b ^ x, 0x5bd1e995);
  h.b ^= h.b >>> 15;
}

function mixNumber(h: Lanes, n: number): void {
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 31) {
    mix(h, 1);
    mix(h, n | 0);
    return;
  }
  // Non-integers and large integers: mix the high and low 32 bits of the value.
  mix(h, 2);
  mix(h, Math.floor(n / 4294967296) | 0);
  mix(h, n >>> 0);
  mixString(h, String(n));
}

function mixString(h: Lanes, s: string): void {
  mix(h, 3);
  mix(h, s.length);
  for (let i = 0; i < s.length; i++) mix(h, s.charCodeAt(i));
}

function mixValue(h: Lanes, v: unknown): void {
  if (v === null || v === undefined) return mix(h, v === null ? 4 : 5);
  switch (typeof v) {
    case 'number':
      return mixNumber(h, v);
    case 'string':
      return mixString(h, v);
    case 'boolean':
      return mix(h, v ? 6 : 7);
    default:
      break;
  }
  if (Array.isArray(v)) {
    mix(h, 8);
    mix(h, v.length);
    for (const x of v) mixValue(h, x);
    return;
  }
  mix(h, 9);
  const o = v as Record<string, unknown>;
  for (const key in o) {
    mix(h, key.length);
    mix(h, key.charCodeAt(0));
    mixValue(h, o[key]);
  }
}
