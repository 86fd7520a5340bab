import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kysely, sql } from 'kysely';
import { openDatabase } from '../../src/core/db/db.js';
import { rebuildWithoutRowid } from '../../src/core/db/migrations.js';

// A table rebuilt WITHOUT ROWID by a migration (audit_log, redemption_events) keeps its rows,
// columns, defaults and indexes; the key is then the table itself.
test('rebuilding a table WITHOUT ROWID keeps its rows, columns, defaults and indexes (sqlite)', async () => {
  const d = openDatabase({ dialect: 'sqlite', file: ':memory:' });
  const db = d.db as Kysely<unknown>;
  try {
    await sql`create table "things" ("workspace_id" text not null, "id" text not null, "name" text not null, "n" integer default 7 not null, "note" text, constraint "things_pk" primary key ("workspace_id", "id"))`.execute(db);
    await sql`create index "things_name" on "things" ("workspace_id", "name")`.execute(db);
    await sql`insert into things (workspace_id, id, name, note) values ('w', 'b', 'Bee', null), ('w', 'a', 'Ant', 'first'), ('v', 'a', 'Ape', 'other workspace')`.execute(db);
    await db.transaction().execute((tx) => rebuildWithoutRowid(tx, 'things'));
    const made = (await sql<{ sql: string }>`select sql from sqlite_master where type = 'table' and name = 'things'`.execute(db)).rows[0]!.sql;
    assert.match(made, /without rowid$/i);
    assert.deepEqual((await sql`select * from things order by workspace_id, id`.execute(db)).rows, [
      { workspace_id: 'v', id: 'a', name: 'Ape', n: 7, note: 'other workspace' },
      { workspace_id: 'w', id: 'a', name: 'Ant', n: 7, note: 'first' },
      { workspace_id: 'w', id: 'b', name: 'Bee', n: 7, note: null },
    ]);
    await sql`insert into things (workspace_id, id, name) values ('w', 'c', 'Cat')`.execute(db);
    assert.equal((await sql<{ n: number }>`select n from things where workspace_id = 'w' and id = 'c'`.execute(db)).rows[0]!.n, 7, 'the default kept');
    await assert.rejects(sql`insert into things (workspace_id, id, name) values ('w', 'a', 'Again')`.execute(db), /UNIQUE|PRIMARY KEY/, 'the key kept');
    const plan = (await sql<{ detail: string }>`explain query plan select id from things indexed by things_name where workspace_id = 'w' and name = 'Bee'`.execute(db)).rows.map((r) => r.detail).join('\n');
    assert.match(plan, /USING (COVERING )?INDEX things_name/, 'the index kept');
    await rebuildWithoutRowid(db, 'things');
    assert.equal((await sql<{ n: number }>`select count(*) as n from things`.execute(db)).rows[0]!.n, 4, 'a second run changes nothing');
  } finally {
    await d.close();
  }
});
