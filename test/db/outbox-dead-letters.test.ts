// The outbox's migration of 2026-12-17 (src/core/db/migrations.ts): the dead-letter index made
// partial. Rows written before it, in every state the worker leaves them, come through
// unchanged, the dead letter is still listed, and the worker still delivers the pending ones.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { migrateToLatest, openDatabase, type Database } from '../../src/core/db/db.js';
import { ALL_MIGRATIONS, createServices, migrate, type Services } from '../../src/app.js';
import { systemContext } from '../../src/core/auth.js';
import { DIALECTS, freshDatabase, TEST_SECRET, type TestDb } from '../support/app.js';
import { startReceiver, type Receiver } from '../support/webhook-receiver.js';

const FIRST_NEW = '20261217_0100_outbox_dead_letters';
const BEFORE = Object.fromEntries(Object.entries(ALL_MIGRATIONS).filter(([name]) => name < FIRST_NEW));

for (const dialect of DIALECTS) {
  describe(`the outbox's dead-letter index migration keeps the rows written before it (${dialect})`, () => {
    let tdb: TestDb;
    let database: Database;
    let services: Services;
    let receiver: Receiver;

    before(async () => {
      tdb = await freshDatabase(dialect);
      database = dialect === 'sqlite' ? openDatabase({ dialect, file: tdb.file }) : openDatabase({ dialect, url: tdb.url, poolSize: 2 });
      await migrateToLatest(database.db, BEFORE);
      services = createServices(database, undefined, { secret: TEST_SECRET });
      receiver = await startReceiver();
    });
    after(async () => {
      await receiver.close();
      await database.close();
      await tdb.drop();
    });

    const outboxRows = async () => (await sql<Record<string, unknown>>`select * from outbox order by workspace_id, id`.execute(database.db)).rows;

    test('pending, delivered and dead rows and a message list come through unchanged, and are then delivered', async () => {
      const ws = (await services.workspaces.create({ name: 'Rebuilt Outbox Co' })).id;
      await services.comms.createEndpoint(systemContext(ws), { url: receiver.url, eventTypes: ['points.awarded'], description: '', allowPrivateNetwork: false });
      const worker = services.comms.worker({ random: () => 0.5 });
      // Settled before the migration: one message delivered, one work item of no known channel dead.
      await services.outbox.enqueue(database.db, { workspaceId: ws, topic: 'points.awarded', payload: { n: 1 } });
      await services.outbox.enqueue(database.db, { workspaceId: ws, topic: 'comms.nowhere', payload: {} });
      await worker.drain();
      // Pending at the migration: one message and a message list of three.
      await services.outbox.enqueue(database.db, { workspaceId: ws, topic: 'points.awarded', payload: { n: 2 } });
      await services.outbox.publish(database.db, ws, 'points.awarded', [{ n: 3 }, { n: 4 }, { n: 5 }]);
      const before = await outboxRows();
      assert.deepEqual(before.map((r) => [r.topic, r.status, (r.id as string).slice(0, 4)]).sort(), [
        ['comms.nowhere', 'dead', 'msg_'],
        ['points.awarded', 'delivered', 'msg_'],
        ['points.awarded', 'pending', 'msb_'],
        ['points.awarded', 'pending', 'msg_'],
      ]);
      assert.equal(receiver.received.length, 1);

      assert.deepEqual(await migrate(database), [FIRST_NEW]);
      assert.deepEqual(await outboxRows(), before, 'every row and column as it was');
      const indexes =
        dialect === 'sqlite'
          ? (await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'outbox' and sql is not null order by name`.execute(database.db)).rows
          : (await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = 'outbox' and indexname <> 'outbox_pk' order by indexname`.execute(database.db)).rows;
      assert.deepEqual(indexes.map((r) => r.name), ['outbox_dead', 'outbox_due']);

      const dead = await services.comms.listDeadLetters(systemContext(ws), { limit: 10 });
      assert.deepEqual(dead.data.map((d) => d.type), ['comms.nowhere'], 'the dead letter is listed');
      await worker.drain();
      const bodies = receiver.received.map((r) => (JSON.parse(r.body) as { data: { n: number } }).data.n).sort();
      assert.deepEqual(bodies, [1, 2, 3, 4, 5], 'each message sent once: the pending ones after the migration, none again');
      const after = await outboxRows();
      assert.deepEqual(after.map((r) => [r.id, r.status]), before.map((r) => [r.id, r.topic === 'comms.nowhere' ? 'dead' : 'delivered']));
    });
  });
}
