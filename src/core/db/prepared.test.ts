import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, DIALECTS, type TestApp } from '../../../test/support/app.js';
import { createTupleInserter } from './bulk.js';
import { NeedsAsync, prepared, runSync, sqliteIn } from './prepared.js';
import { txHooks } from './tx-hooks.js';

for (const dialect of DIALECTS) {
  describe(`statements prepared once, run inside a transaction (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(dialect);
      await t.workspace('Prepared Co');
    });
    after(() => t.close());
    const db = () => t.services.db;
    const count = async () => Number((await db().selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', 'prepared.test').executeTakeFirstOrThrow()).n);
    const row = (id: string) => [id.slice(-8), id, 'system', 'test', 'prepared.test', 'workspace', null, null, null, Date.now()];
    const INSERT = 'insert into audit_log (workspace_id, id, actor_type, actor_id, action, target_type, target_id, before, after, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

    test('only a SQLite transaction hands out its connection; outside one, and on PostgreSQL, Kysely is used', async () => {
      assert.equal(sqliteIn(db()), null, 'not outside a transaction: another request may hold the connection');
      assert.equal(sqliteIn(undefined), null);
      await db().transaction().execute(async (tx) => {
        const sqlite = sqliteIn(tx);
        assert.equal(sqlite !== null, dialect === 'sqlite');
        if (sqlite) assert.equal(prepared(sqlite, INSERT), prepared(sqlite, INSERT), 'prepared once per connection');
      });
    });

    test('a bulk insert in a transaction (on SQLite by its prepared statement) commits or rolls back with it', async () => {
      const insert = createTupleInserter('audit_log', ['workspace_id', 'id', 'actor_type', 'actor_id', 'action', 'target_type', 'target_id', 'before', 'after', 'created_at']);
      const before = await count();
      await assert.rejects(
        db().transaction().execute(async (tx) => {
          await insert(tx, [row('aud_prepared_rolled_back'), row('aud_prepared_rolled_back2')]);
          throw new Error('the transaction fails');
        }),
        /the transaction fails/,
      );
      assert.equal(await count(), before, 'rolled back');
      await db().transaction().execute((tx) => insert(tx, [row('aud_prepared_committed')]));
      assert.equal(await count(), before + 1, 'committed');
    });

    test('a synchronous body runs as its own transaction only on SQLite with no transaction open and no request hook; a throw rolls it back', async () => {
      const insert = (sqlite: Parameters<typeof prepared>[0], id: string) => prepared(sqlite, INSERT).run(row(id));
      const before = await count();
      const done = runSync(db(), (sqlite) => (insert(sqlite, 'aud_sync_committed'), 'answer'));
      assert.deepEqual(done, dialect === 'sqlite' ? { value: 'answer' } : null, 'PostgreSQL: never');
      if (dialect !== 'sqlite') return;
      assert.equal(await count(), before + 1, 'committed');
      for (const err of [new Error('the body fails'), new NeedsAsync('the caller goes asynchronous')]) {
        assert.throws(() => runSync(db(), (sqlite) => { insert(sqlite, 'aud_sync_rolled_back'); throw err; }), (e) => e === err);
        assert.equal(await count(), before + 1, 'rolled back');
      }
      // Another transaction open on the connection (between two of its awaits): not now.
      await db().transaction().execute(async () => {
        assert.equal(runSync(db(), () => 'inside'), null);
      });
      // A request whose hook writes in every transaction: Kysely's transaction, not this.
      assert.equal(txHooks.run({ beforeCommit: async () => undefined }, () => runSync(db(), () => 'hooked')), null);
      assert.equal(await count(), before + 1);
    });
  });
}
