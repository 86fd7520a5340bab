// The process the crash test kills: migrates, finds the workspace the parent set up, then
// ingests the fixture's batches in order from the first, one JSON line per batch on stdout.
// Run as `node --import tsx test/crash/ingest-child.ts` with
//   CRASH_DIALECT=sqlite|postgres  CRASH_DB=<SQLite file or PostgreSQL URL>
//   CRASH_EVENTS=<how many events>  CRASH_SEED=<the fixture's seed>
import { openDatabase, type Dialect } from '../../src/core/db/db.js';
import { createServices, migrate } from '../../src/app.js';
import { systemContext } from '../../src/core/auth.js';
import { CRASH, batchesOf, crashEvents } from './fixture.js';

const dialect = process.env.CRASH_DIALECT as Dialect;
const target = process.env.CRASH_DB!;
const count = Number(process.env.CRASH_EVENTS);
const seed = Number(process.env.CRASH_SEED);
// Dies with its parent (the test runner kills a file that runs over time), so no orphan goes
// on writing to a database about to be dropped. Checked between batches: a batch on SQLite runs
// in microtasks only, so an event such as the IPC channel closing would not be seen before the end.
const parent = process.ppid;
const parentAlive = () => {
  try {
    process.kill(parent, 0);
    return true;
  } catch {
    return false;
  }
};
const say = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

const database = dialect === 'postgres' ? openDatabase({ dialect, url: target, poolSize: 2 }) : openDatabase({ dialect, file: target });
await migrate(database);
const services = createServices(database);
const ws = (await services.workspaces.list()).find((w) => w.slug === CRASH.slug);
if (!ws) throw new Error(`no workspace ${CRASH.slug}: the parent sets it up before starting the child`);
const ctx = systemContext(ws.id);
const batches = batchesOf(crashEvents(count, seed));
say({ ready: true, pid: process.pid, batches: batches.length });
for (const [batch, events] of batches.entries()) {
  if (!parentAlive()) process.exit(1);
  const started = performance.now();
  const { summary } = await services.events.ingest(ctx, events);
  say({ batch, ...summary, ms: Math.round(performance.now() - started) });
}
await database.close();
say({ done: true });
