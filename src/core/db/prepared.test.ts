import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import readline from 'node:readline';
import { createTestApp, DIALECTS } from '../../../test/support/app.js';
import { createTupleInserter } from './bulk.js';
import { NeedsAsync, prepared, runSync, sqliteIn } from './prepared.js';
import { txHooks } from './tx-hooks.js';
import { sql } from 'kysely';

for (const dialect of DIALECTS) {
  describe(`statements prepared once, run inside a transaction (${dialect})`, () => {
    let t: Awaited<ReturnType<typeof createTestApp>>;
    before(async () => {
      t = await createTestApp(dialect);
      await t.workspace('Prepared Co');
    });
    after(() => t.close());
    const db = () => t.services.db;
    const count = async (h = db()) => Number((await h.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', 'prepared.test').executeTakeFirstOrThrow()).n);
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

    /** Another process (a `tandem` command beside the server) holding the write lock for 300 ms, having written a row. */
    async function otherProcessWriting(id: string) {
      const holder = spawn(
        process.execPath,
        [
          '-e',
          `const db = new (require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))}))(${JSON.stringify(t.db.file)});
           db.exec('begin immediate');
           db.prepare(${JSON.stringify(INSERT)}).run(${JSON.stringify(row(id))});
           console.log('locked');
           Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
           db.exec('commit');
           db.close();`,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const exited = new Promise<number | null>((resolve) => holder.once('exit', resolve));
      for await (const line of readline.createInterface({ input: holder.stdout })) if (line === 'locked') break;
      // An object, not the promise itself: awaiting this function must not wait for the exit.
      return { exited };
    }
    const COUNT = "select count(*) as n from audit_log where action = 'prepared.test'";

    // SQLite only: on PostgreSQL a transaction waits for the rows it writes whatever it read first.
    if (dialect === 'sqlite') {
      test('a synchronous body that reads before it writes waits for another process holding the write lock, then sees its rows', async () => {
        const before = await count();
        const { exited } = await otherProcessWriting('aud_other_process');
        const seen = runSync(db(), (sqlite) => {
          const n = Number((prepared(sqlite, COUNT).get() as { n: number }).n);
          prepared(sqlite, INSERT).run(row('aud_after_the_other'));
          return n;
        });
        assert.equal(await exited, 0);
        assert.deepEqual(seen, { value: before + 1 }, 'it began after the other process committed, and saw its row');
        assert.equal(await count(), before + 2);
      });

      test('so does a Kysely transaction that reads before it writes', async () => {
        const before = await count();
        const { exited } = await otherProcessWriting('aud_other_process_2');
        const seen = await db().transaction().execute(async (tx) => {
          const n = await count(tx);
          await sql`insert into audit_log (workspace_id, id, actor_type, actor_id, action, target_type, created_at) values ('x', 'aud_after_the_other_2', 'system', 'test', 'prepared.test', 'workspace', 0)`.execute(tx);
          return n;
        });
        assert.equal(await exited, 0);
        assert.equal(seen, before + 1, 'it began after the other process committed, and saw its row');
        assert.equal(await count(), before + 2);
      });
    }
  });
}
