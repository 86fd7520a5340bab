import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, DIALECTS, type TestApp } from '../../../test/support/app.js';
import { createTupleInserter } from './bulk.js';
import { prepared, sqliteIn } from './prepared.js';

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
  });
}
