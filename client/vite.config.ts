import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { precompressDir } from '../scripts/precompress.ts';

const root = fileURLToPath(new URL('.', import.meta.url));
const serverPort = Number(process.env.PORT ?? 3000);
const outDir = fileURLToPath(new URL('../dist/client', import.meta.url));

/** The client is built into dist/client, which the server serves (with an SPA fallback) from one port. */
export default defineConfig({
  root,
  plugins: [
    svelte(),
    // Brotli and gzip copies of the built files, which the server sends to browsers that accept them.
    { name: 'oom-arena-precompress', apply: 'build', closeBundle: () => precompressDir(outDir).then(() => undefined) },
  ],
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    manifest: true,
    // The student page has a 150 KB gzip budget; scripts/bundle size is printed by test/bench/clientBundle.ts.
    chunkSizeWarningLimit: 200,
  },
  server: {
    fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] },
    proxy: {
      '/socket.io': { target: `http://localhost:${serverPort}`, ws: true },
      '/api': { target: `http://localhost:${serverPort}` },
    },
  },
});
