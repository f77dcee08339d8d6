// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

/** The pure core must stay deterministic: each ban names what to use instead. */
const sharedBans = {
  'no-restricted-properties': [
    'error',
    { object: 'Math', property: 'random', message: 'shared/ is deterministic: draw from the seeded PRNG in the state (shared/sim/random.ts).' },
    { object: 'Date', property: 'now', message: 'shared/ has no clock: use the tick count in the state (ticks × TICK_MS).' },
    { object: 'performance', property: 'now', message: 'shared/ has no clock: the server passes time in; the core counts ticks.' },
  ],
  'no-restricted-globals': [
    'error',
    { name: 'setTimeout', message: 'shared/ has no timers: model delays as a tick count in the state, advanced by step().' },
    { name: 'setInterval', message: 'shared/ has no timers: the server loop calls step() on a fixed tick.' },
    { name: 'performance', message: 'shared/ has no clock: the server passes time in; the core counts ticks.' },
    { name: 'process', message: 'shared/ has no I/O or environment: take values as arguments.' },
  ],
  'no-restricted-syntax': [
    'error',
    { selector: "NewExpression[callee.name='Date']", message: 'shared/ has no clock: format sim time from ticks (shared/views/time.ts).' },
  ],
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        { group: ['node:*', 'fs', 'path', 'os', 'http', 'net', 'crypto', 'child_process'], message: 'shared/ does no I/O: do it in server/ and pass data in.' },
        { group: ['fastify', '@fastify/*', 'socket.io', 'socket.io-client'], message: 'shared/ knows no transport: the server adapts it.' },
        { group: ['svelte', 'svelte/*', 'uplot'], message: 'shared/ knows no UI: only client/ imports Svelte or uPlot.' },
        { group: ['**/server/**', '**/client/**'], message: 'shared/ depends on nothing else in the project.' },
      ],
    },
  ],
};

/**
 * Data keyed by what people chose (nicknames, pod and slot names, ids, codes) never lives in a plain object: its
 * inherited keys (`constructor`, `__proto__`, `toString` …) are names students type. `Record<string, unknown>` stays
 * allowed: a decoded JSON object read at fixed keys; so does `satisfies Record<string, T>` on a constant table.
 */
const keyedDataBans = {
  'no-restricted-syntax': [
    'error',
    {
      selector:
        "TSTypeReference[typeName.name='Record'][typeArguments.params.0.type='TSStringKeyword']:not([typeArguments.params.1.type='TSUnknownKeyword']):not([typeArguments.params.1.type='TSNeverKeyword']):not(TSSatisfiesExpression > TSTypeReference)",
      message: 'A table keyed by strings is a Map, or a Dict<T> built with dict() (shared/util/dict.ts): plain objects inherit keys like "constructor".',
    },
    {
      selector: "TSIndexSignature[parameters.0.typeAnnotation.typeAnnotation.type='TSStringKeyword']",
      message: 'A table keyed by strings is a Map, or a Dict<T> built with dict() (shared/util/dict.ts): plain objects inherit keys like "constructor".',
    },
    {
      selector: "CallExpression[callee.object.name='Object'][callee.property.name='fromEntries']",
      message: 'Object.fromEntries builds a plain object (its keys may be "__proto__"): use dict(entries) from shared/util/dict.ts.',
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  { files: ['shared/**/*.ts', 'server/**/*.ts', 'client/**/*.ts', 'client/**/*.svelte'], rules: keyedDataBans },
  // shared/ has its own no-restricted-syntax list: both apply there.
  { files: ['shared/**/*.ts'], rules: { ...sharedBans, 'no-restricted-syntax': [...sharedBans['no-restricted-syntax'], ...keyedDataBans['no-restricted-syntax'].slice(1)] } },
  {
    // Ports both ways: the room owns its RoomRecorder port, the recording its own; server/sessions/ joins them.
    files: ['server/recording/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/room/**', '**/game/**', '**/sessions/**', '**/shared/schemas/**'], message: 'server/recording/ knows neither rooms nor the game: take what you need through a port (server/sessions/ wires them).' }] },
      ],
    },
  },
  {
    files: ['server/room/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/recording/**', '!**/shared/recording/**'], message: 'A room talks to its recording through its own port (server/room/recorderPort.ts).' }] },
      ],
    },
  },
);
