/**
 * True when a decoded payload carries a key that could pollute prototypes if some code later merged it
 * (`__proto__`, `constructor`, `prototype`), at any depth. Such messages are refused outright.
 */
export function hasDangerousKeys(value: unknown, depth = 0): boolean {
  if (depth > 8 || value === null || typeof value !== 'object') return false;
  for (const key of Object.keys(value)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') return true;
    if (hasDangerousKeys((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}
