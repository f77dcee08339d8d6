/** The build's compressed copies (scripts/precompress.ts): what gets one, and that it decodes to the file. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { precompressDir } from '../../scripts/precompress.ts';

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('precompressDir', () => {
  it('writes Brotli and gzip copies of text files of 1 KB and more, in every folder, that decode to the file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'oom-precompress-'));
    mkdirSync(join(dir, 'assets'));
    const js = 'export const a = "page cache";\n'.repeat(400);
    const html = `<!doctype html>${'<p>kill</p>'.repeat(200)}`;
    writeFileSync(join(dir, 'assets', 'index-abc.js'), js);
    writeFileSync(join(dir, 'index.html'), html);
    writeFileSync(join(dir, 'assets', 'small.css'), 'a{b:c}');
    writeFileSync(join(dir, 'assets', 'index-abc.js.map'), '{"mappings":"' + 'AAAA;'.repeat(1000) + '"}');
    writeFileSync(join(dir, 'assets', 'photo.png'), Buffer.alloc(4096, 7));

    const out = await precompressDir(dir);

    expect(out.map((o) => o.file).sort()).toEqual([join(dir, 'assets', 'index-abc.js'), join(dir, 'index.html')]);
    for (const [file, text] of [
      [join(dir, 'assets', 'index-abc.js'), js],
      [join(dir, 'index.html'), html],
    ] as const) {
      expect(brotliDecompressSync(readFileSync(`${file}.br`)).toString()).toBe(text);
      expect(gunzipSync(readFileSync(`${file}.gz`)).toString()).toBe(text);
      const o = out.find((x) => x.file === file)!;
      expect(o.br).toBeLessThan(o.raw / 4);
      expect(o.gz).toBeLessThan(o.raw / 4);
    }
    for (const skipped of ['small.css', 'index-abc.js.map', 'photo.png']) {
      expect(existsSync(join(dir, 'assets', `${skipped}.br`))).toBe(false);
      expect(existsSync(join(dir, 'assets', `${skipped}.gz`))).toBe(false);
    }
  });

  it('writes no copy that would not be smaller (bytes that do not compress)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'oom-precompress-'));
    // 2 KB from a seeded generator: no compressor shrinks them, so each copy would only add its own header.
    let x = 12345;
    const noise = Buffer.from(Array.from({ length: 2048 }, () => (x = (x * 1103515245 + 12345) >>> 0) >>> 24));
    writeFileSync(join(dir, 'noise.txt'), noise);
    const [o] = await precompressDir(dir);
    expect(o).toEqual({ file: join(dir, 'noise.txt'), raw: 2048, br: null, gz: null });
    expect(existsSync(join(dir, 'noise.txt.br'))).toBe(false);
    expect(existsSync(join(dir, 'noise.txt.gz'))).toBe(false);
  });
});
