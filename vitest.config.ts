import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The client's `.svelte.ts` modules (runes) compiled as the client build compiles them, so their logic has unit tests.
  plugins: [svelte({ configFile: false })],
  test: {
    include: ['test/**/*.test.ts'],
    // Browser and integration tests start servers and Chromium: give them room on a 2-core CI machine.
    // Generous limits: they bound a failure, never a pass. Tests wait on conditions, and a loaded machine (two CPU
    // burners beside the suite, a shared CI runner) may be several times slower than a quiet one.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // expect.poll waits on a condition: 1 s (vitest's default) is a sleep in disguise on a busy machine.
    expect: { poll: { timeout: 30_000, interval: 50 } },
    fileParallelism: true,
    maxWorkers: 2,
  },
});
