// Crash: `tandem worker` (a child process) is killed with SIGKILL while it is delivering
// webhooks; a second worker started afterwards delivers everything. Delivery is at least once
// with a stable id: the receiver may see a delivery again (the killed worker's lease ran out
// before it could record the answer) but never a new id for the same event, and it processes
// each delivery id once.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase, type Database } from '../../src/core/db/db.js';
import { createServices, migrate, type Services } from '../../src/app.js';
import { systemContext } from '../../src/core/auth.js';
import { DIALECTS, freshDatabase, TEST_SECRET, type TestDb } from '../support/app.js';
import { startReceiver, type Receiver } from '../support/webhook-receiver.js';

const MAIN = path.join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');
const MESSAGES = 400;
const LEASE_MS = 1500;
/** A worker that has not delivered everything by then is stuck: the run fails. */
const DEADLINE_MS = 90_000;

function startWorker(db: TestDb) {
  // The worker opens the endpoint's sealed secret with the same TANDEM_SECRET as the test's services.
  const env: NodeJS.ProcessEnv = { ...process.env, TANDEM_DEMO: '0', LOG_LEVEL: 'silent', NODE_ENV: 'test', TANDEM_SECRET: TEST_SECRET };
  if (db.dialect === 'sqlite') {
    env.TANDEM_DATA_DIR = path.dirname(db.file!);
    delete env.DATABASE_URL;
  } else env.DATABASE_URL = db.url;
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'worker', '--json', '--lease-ms', String(LEASE_MS)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { child, exited, stderr: () => stderr };
}

for (const dialect of DIALECTS) {
  describe(`outbox worker killed with SIGKILL mid-delivery, then restarted (${dialect}, ${MESSAGES} messages)`, () => {
    let tdb: TestDb;
    let database: Database;
    let services: Services;
    let receiver: Receiver;
    let ws: string;
    const children = new Set<ChildProcess>();

    before(async () => {
      tdb = await freshDatabase(dialect);
      database = dialect === 'sqlite' ? openDatabase({ dialect, file: tdb.file }) : openDatabase({ dialect, url: tdb.url, poolSize: 2 });
      await migrate(database);
      services = createServices(database, undefined, { secret: TEST_SECRET });
      // Each answer takes a while, so the kill lands with requests in flight.
      receiver = await startReceiver({ delayMs: 15 });
      ws = (await services.workspaces.create({ name: 'Crash Hooks Co' })).id;
      await services.comms.createEndpoint(systemContext(ws), { url: receiver.url, eventTypes: ['points.awarded'], description: '', allowPrivateNetwork: false });
      for (let i = 0; i < MESSAGES; i++) await services.outbox.enqueue(database.db, { workspaceId: ws, topic: 'points.awarded', payload: { i } });
    });
    after(async () => {
      for (const c of children) c.kill('SIGKILL');
      await receiver.close();
      await database.close();
      await tdb.drop();
    });

    const count = async (table: string, where: [string, string]) =>
      Number((await database.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where('workspace_id', '=', ws).where(where[0], '=', where[1]).executeTakeFirstOrThrow()).n);

    test('every message is delivered after the restart, and no delivery id is processed twice', async (t) => {
      const first = startWorker(tdb);
      children.add(first.child);
      const started = Date.now();
      while (receiver.received.length < MESSAGES / 3 && Date.now() - started < DEADLINE_MS) await sleep(5);
      first.child.kill('SIGKILL');
      const killed = await first.exited;
      children.delete(first.child);
      assert.equal(killed.signal, 'SIGKILL', `the worker ended by itself (${killed.code}): ${first.stderr()}`);
      const seenBeforeKill = receiver.received.length;
      const leased = Number((await database.db.selectFrom('outbox').select((eb) => eb.fn.countAll().as('n')).where('workspace_id', '=', ws).where('status', '=', 'pending').where('claimed_by', 'is not', null).executeTakeFirstOrThrow()).n);
      assert.ok(leased > 0, 'the kill left claimed messages behind (it came mid-batch)');
      assert.ok((await count('webhook_deliveries', ['status', 'delivered'])) < MESSAGES, 'work was left for the restart');

      const second = startWorker(tdb);
      children.add(second.child);
      while ((await count('webhook_deliveries', ['status', 'delivered'])) < MESSAGES && Date.now() - started < DEADLINE_MS) await sleep(100);
      second.child.kill('SIGTERM');
      const stopped = await second.exited;
      children.delete(second.child);
      assert.equal(stopped.code, 0, second.stderr());

      assert.equal(await count('webhook_deliveries', ['status', 'delivered']), MESSAGES);
      assert.equal(await count('outbox', ['status', 'pending']), 0);
      const ids = new Set(receiver.received.map((r) => r.deliveryId));
      const events = new Map<string, Set<string>>();
      for (const r of receiver.received) {
        const id = (JSON.parse(r.body) as { id: string }).id;
        events.set(id, (events.get(id) ?? new Set()).add(r.deliveryId));
      }
      assert.equal(receiver.accepted.size, MESSAGES, 'each delivery processed once by the deduping receiver');
      assert.equal(ids.size, MESSAGES, 'a redelivery keeps its delivery id');
      assert.equal(events.size, MESSAGES);
      assert.ok([...events.values()].every((s) => s.size === 1), 'one delivery id per event');
      const redelivered = [...receiver.answeredOk.values()].filter((n) => n > 1).length;
      t.diagnostic(`killed after ${seenBeforeKill} requests with ${leased} messages leased; ${receiver.received.length} requests in all, ${redelivered} deliveries sent again after the restart`);
    });
  });
}
