/**
 * Tables keyed by what people chose (nicknames, pod and slot names, ids, room codes, answer choices). A plain `{}`
 * inherits `constructor`, `toString`, `__proto__` … from Object.prototype, so `table['constructor']` is a function
 * and `table['__proto__'] = x` replaces the prototype: a student named "constructor" once took the server down.
 * A Dict has no prototype: every key is just a key. Plain data (JSON, hashing, `for…in`) works as with `{}`.
 *
 * Dict is branded, so TypeScript refuses a plain `{}` where a Dict is expected: build one with `dict()`.
 * The lint rule in eslint.config.js refuses `Record<string, T>` and string index signatures elsewhere.
 */
declare const DICT: unique symbol;

// eslint-disable-next-line no-restricted-syntax -- the one place a string index signature is declared
export type Dict<T> = { [key: string]: T } & { readonly [DICT]: true };

/** A new prototype-free table, optionally filled from entries or another table's own keys. */
export function dict<T>(from?: Iterable<readonly [string, T]> | Readonly<Dict<T>>): Dict<T> {
  const d = Object.create(null) as Dict<T>;
  if (!from) return d;
  if (Symbol.iterator in from) for (const [k, v] of from as Iterable<readonly [string, T]>) d[k] = v;
  else for (const k of Object.keys(from)) d[k] = (from as Dict<T>)[k]!;
  return d;
}

/** A copy of `d` with `key` set to `value` (for reducers that never mutate). */
export function withKey<T>(d: Readonly<Dict<T>>, key: string, value: T): Dict<T> {
  const out = dict(d);
  out[key] = value;
  return out;
}

/**
 * A Dict from data that crossed a boundary (JSON from a file or the wire): only its own enumerable keys are
 * copied, so nothing it inherits can be read as an entry.
 */
export function dictFrom<T>(o: object | null | undefined): Dict<T> {
  const d = Object.create(null) as Dict<T>;
  if (!o) return d;
  for (const k of Object.keys(o)) d[k] = (o as Dict<T>)[k]!;
  return d;
}
