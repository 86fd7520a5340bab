// Builds the web app when web/dist is missing or older than its sources; otherwise silent.
// Used by `npm start` and `npm test` so a fresh clone serves (and tests) the current UI.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const web = path.join(root, 'web');
const built = path.join(web, 'dist', 'index.html');

/** The newest modification time under `p` (a file or a folder), 0 when it does not exist. */
function newest(p) {
  let st;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs; // a deleted file changes its folder's time
  for (const e of fs.readdirSync(p, { withFileTypes: true })) max = Math.max(max, newest(path.join(p, e.name)));
  return max;
}

const sources = [path.join(web, 'src'), path.join(web, 'public'), path.join(web, 'index.html'), path.join(web, 'vite.config.ts')];
const builtAt = fs.existsSync(built) ? fs.statSync(built).mtimeMs : 0;
const stale = builtAt === 0 || sources.some((s) => newest(s) > builtAt);

if (stale) {
  console.log(builtAt === 0 ? 'ensure-web: web/dist is missing; building the web app' : 'ensure-web: web sources changed; rebuilding the web app');
  const r = spawnSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.error) {
    console.error(`ensure-web: could not run vite: ${r.error.message}`);
    process.exit(1);
  }
  if (r.status !== 0) process.exit(r.status ?? 1);
  if (!fs.existsSync(built)) {
    console.error('ensure-web: the build finished but web/dist/index.html is missing');
    process.exit(1);
  }
}
