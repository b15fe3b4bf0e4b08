// Runs before anything else in `npm start` and `npm test`, with no dependencies of its own:
// checks Node and installs (or refreshes) node_modules when they are missing or stale.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const major = Number(process.versions.node.split('.')[0]);
if (major < 20) {
  console.error(`Warren needs Node.js 20 or newer; this is ${process.versions.node}.`);
  process.exit(1);
}

const marker = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
const stale = !existsSync(marker) || statSync(lock).mtimeMs > statSync(marker).mtimeMs;
if (stale) {
  // `npm install`, not `npm ci`: it follows the lock file just the same, and npm 11 set to omit
  // resolved URLs from lock files writes ones its own `npm ci` then refuses.
  console.log('Installing dependencies (npm install)…');
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`npm install failed (exit ${result.status}).`);
    process.exit(result.status ?? 1);
  }
}
