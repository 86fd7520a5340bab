// Runs every *.test.ts under src/ and test/ with node:test. Node 20 neither finds .ts tests by
// itself nor expands globs, so the list is built here. Extra arguments filter by path.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const roots = ['src', 'test'];
const files = [];
const walk = (dir) => {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.test.ts')) files.push(p);
  }
};
roots.forEach(walk);
const filters = process.argv.slice(2);
const chosen = files.sort().filter((f) => !filters.length || filters.some((x) => f.includes(x)));
if (!chosen.length) {
  console.error('no test files matched');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=600000', ...chosen], { stdio: 'inherit' });
process.exit(r.status ?? 1);
