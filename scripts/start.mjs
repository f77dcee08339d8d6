// `npm start` (and `npm run cluster`): build the client when dist/client is missing or older than its sources, then run the server.
// Plain JavaScript (no tsx needed to decide whether to build).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'client', 'index.html');

/** Newest modification time under `dir` (skipping node_modules), 0 if it does not exist. */
function newest(dir) {
  if (!existsSync(dir)) return 0;
  let t = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const p = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const sources = Math.max(newest(join(root, 'client')), newest(join(root, 'shared')), newest(join(root, 'scripts')));
if (!existsSync(built) || statSync(built).mtimeMs < sources) {
  process.stdout.write('Building the client (dist/client is missing or out of date)…\n');
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--config', 'client/vite.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write('The client build failed; see above.\n');
    process.exit(r.status ?? 1);
  }
}

// `npm run cluster` (--cluster): the launcher of several server processes behind one port (docs/scaling.md).
const cluster = process.argv.includes('--cluster');
const entry = cluster ? join(root, 'server', 'cluster', 'launcher.ts') : join(root, 'server', 'main.ts');
const args = process.argv.slice(2).filter((a) => a !== '--cluster');
const server = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
