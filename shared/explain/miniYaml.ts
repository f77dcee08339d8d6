/**
 * Just enough YAML to read what `kubectl get pod -o yaml` prints: block mappings and block sequences (which kubectl
 * indents at their key's level), plain and quoted scalars. Flow collections and multi-line scalars are kept as text
 * or skipped. One pass over the lines; every object is null-prototype, so keys like `__proto__` are only data.
 */

export type YamlValue = string | null | YamlMap | YamlValue[];
/** Always built with Object.create(null) (below): a key is only data. */
export interface YamlMap {
  // eslint-disable-next-line no-restricted-syntax -- a prototype-free object, recursive (a Dict cannot name itself)
  [key: string]: YamlValue;
}

const MAX_DEPTH = 64;

interface Frame {
  kind: 'map' | 'seq';
  indent: number;
  map: YamlMap | null;
  seq: YamlValue[] | null;
}

function scalar(v: string): string | null {
  const s = v.trim();
  if (s === '' || s === 'null' || s === '~') return null;
  if (
    (s.startsWith('"') && s.endsWith('"') && s.length >= 2) ||
    (s.startsWith("'") && s.endsWith("'") && s.length >= 2)
  )
    return s.slice(1, -1);
  return s;
}

/** The key and the rest after `key:`; null when the line is not a mapping entry. */
function splitEntry(content: string): { key: string; value: string } | null {
  let i = content.indexOf(': ');
  if (i < 0 && content.endsWith(':')) i = content.length - 1;
  if (i <= 0) return null;
  const key = scalar(content.slice(0, i));
  return key === null ? null : { key, value: content.slice(i + 1) };
}

export function parseMiniYaml(lines: readonly string[]): YamlMap {
  const root: YamlMap = Object.create(null);
  const stack: Frame[] = [{ kind: 'map', indent: 0, map: root, seq: null }];
  let pending: { map: YamlMap; key: string; indent: number } | null = null;
  let skipAbove = -1; // inside a block scalar: skip lines indented deeper than this

  for (const raw of lines) {
    let n = 0;
    while (n < raw.length && raw.charCodeAt(n) === 32) n++;
    const content = raw.slice(n).trimEnd();
    if (content === '' || content.startsWith('#') || content === '---') continue;
    if (skipAbove >= 0) {
      if (n > skipAbove) continue;
      skipAbove = -1;
    }
    const isItem = content === '-' || content.startsWith('- ');

    if (pending) {
      const p = pending;
      pending = null;
      if (isItem && n >= p.indent && stack.length < MAX_DEPTH) {
        const seq: YamlValue[] = [];
        p.map[p.key] = seq;
        stack.push({ kind: 'seq', indent: n, map: null, seq });
      } else if (n > p.indent && stack.length < MAX_DEPTH) {
        const map: YamlMap = Object.create(null);
        p.map[p.key] = map;
        stack.push({ kind: 'map', indent: n, map, seq: null });
      }
    }
    while (stack.length > 1) {
      const top = stack[stack.length - 1]!;
      if (top.indent > n || (top.kind === 'seq' && top.indent === n && !isItem)) stack.pop();
      else break;
    }
    const top = stack[stack.length - 1]!;
    let map: YamlMap;
    let entryText: string;
    let entryIndent: number;
    if (top.kind === 'seq') {
      if (!isItem || top.indent !== n) continue;
      const rest = content === '-' ? '' : content.slice(2);
      const entry = splitEntry(rest);
      if (!entry) {
        top.seq!.push(scalar(rest));
        continue;
      }
      if (stack.length >= MAX_DEPTH) continue;
      map = Object.create(null);
      top.seq!.push(map);
      stack.push({ kind: 'map', indent: n + 2, map, seq: null });
      entryText = rest;
      entryIndent = n + 2;
    } else {
      if (top.indent !== n && !(stack.length === 1 && top.indent === 0 && n === 0)) continue;
      map = top.map!;
      entryText = content;
      entryIndent = n;
    }
    const entry = splitEntry(entryText);
    if (!entry) continue;
    const v = entry.value.trim();
    if (v === '') pending = { map, key: entry.key, indent: entryIndent };
    else if (v === '|' || v === '>' || v.startsWith('|') || v.startsWith('>')) {
      map[entry.key] = '';
      skipAbove = entryIndent;
    } else map[entry.key] = scalar(v);
  }
  if (pending) pending.map[pending.key] = null;
  return root;
}
