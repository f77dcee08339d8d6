/**
 * What each page downloads, from the Vite manifest: gzip -9 (the budget: the student page must stay under 150 KB of
 * JavaScript), what the server actually sends a browser that accepts Brotli (the build's `.br` copy, else the file),
 * and the files as built. Prints figures and exits non-zero only when the student budget is broken.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DIST, ensureClientBuilt } from './clientShared.ts';

interface Chunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  isDynamicEntry?: boolean;
  imports?: string[];
  css?: string[];
}

export const STUDENT_BUDGET_KB = 150;

/** Every file a page needs: the entry, the route's lazy chunk, and their static imports. */
function closure(manifest: Record<string, Chunk>, keys: string[]): { js: Set<string>; css: Set<string> } {
  const js = new Set<string>();
  const css = new Set<string>();
  const visit = (k: string) => {
    const c = manifest[k];
    if (!c || js.has(c.file)) return;
    js.add(c.file);
    for (const f of c.css ?? []) css.add(f);
    for (const i of c.imports ?? []) visit(i);
  };
  keys.forEach(visit);
  return { js, css };
}

const gz = (file: string) => gzipSync(readFileSync(join(DIST, file)), { level: 9 }).length;
const raw = (file: string) => statSync(join(DIST, file)).size;
/** What goes on the wire to a browser that accepts Brotli: the build's copy when it wrote one (scripts/precompress.ts). */
const wire = (file: string) => (existsSync(join(DIST, `${file}.br`)) ? statSync(join(DIST, `${file}.br`)).size : raw(file));

export interface PageBytes {
  /** JavaScript and CSS, gzip -9, KB: the budget's measure. */
  jsKB: number;
  cssKB: number;
  /** JavaScript and CSS together as sent to a browser that accepts Brotli, and as built, KB. */
  wireKB: number;
  rawKB: number;
}

export function measureBundles(): Record<string, PageBytes> {
  ensureClientBuilt();
  const manifest = JSON.parse(readFileSync(join(DIST, '.vite/manifest.json'), 'utf8')) as Record<
    string,
    Chunk
  >;
  const entry = Object.keys(manifest).find((k) => manifest[k]!.isEntry)!;
  const route = (name: string) => Object.keys(manifest).find((k) => k.endsWith(name))!;
  const pages: Record<string, string[]> = {
    'student (/, /join/CODE)': [entry, route('student/StudentView.svelte')],
    'host (/host)': [entry, route('host/HostView.svelte')],
    'presenter (/present)': [entry, route('present/PresenterView.svelte')],
    'demo (/demo)': [entry, route('present/DemoView.svelte')],
  };
  const out: Record<string, PageBytes> = {};
  for (const [page, keys] of Object.entries(pages)) {
    const { js, css } = closure(manifest, keys);
    const sum = (files: Iterable<string>, size: (f: string) => number) => +([...files].reduce((a, f) => a + size(f), 0) / 1024).toFixed(1);
    const all = [...js, ...css];
    out[page] = { jsKB: sum(js, gz), cssKB: sum(css, gz), wireKB: sum(all, wire), rawKB: sum(all, raw) };
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = measureBundles();
  console.log('# client bundles: gzip -9 (the budget), and JS + CSS as sent with Brotli / as built');
  for (const [page, v] of Object.entries(r))
    console.log(
      `${page.padEnd(24)} JS ${String(v.jsKB).padStart(6)} KB   CSS ${String(v.cssKB).padStart(5)} KB   sent ${String(v.wireKB).padStart(6)} KB of ${v.rawKB} KB`,
    );
  const student = r['student (/, /join/CODE)']!.jsKB;
  console.log(
    `student page JS: ${student} KB (budget ${STUDENT_BUDGET_KB} KB) ${student <= STUDENT_BUDGET_KB ? 'OK' : 'OVER BUDGET'}`,
  );
  if (student > STUDENT_BUDGET_KB) process.exitCode = 1;
}
