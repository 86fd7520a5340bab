import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openDatabase, type Database, type Dialect } from '../../src/core/db/db.js';
import { migrate } from '../../src/app.js';
import { DIALECTS, freshDatabase, type TestDb } from '../support/app.js';

interface TableShape {
  columns: string[];
  primaryKey: string[];
  unique: string[];
  indexes: string[];
}
type Shape = Record<string, TableShape>;

// Tables without a workspace: the tenants themselves, and what belongs to a person across workspaces.
const GLOBAL = new Set(['workspaces', 'users', 'sessions', 'throttles']);

// PostgreSQL reports its internal names for the types the migrations declare.
const PG_TYPE_NAMES: Record<string, string> = { int8: 'bigint', int4: 'integer', float8: 'double precision' };

async function shapeOf(d: Database): Promise<Shape> {
  const out: Shape = {};
  const tables = (await d.db.introspection.getTables()).filter((t) => !t.name.startsWith('kysely_'));
  for (const t of tables) {
    const shape: TableShape = {
      columns: t.columns.map((c) => `${c.name}:${PG_TYPE_NAMES[c.dataType.toLowerCase()] ?? c.dataType.toLowerCase()}:${c.isNullable ? 'null' : 'notnull'}`).sort(),
      primaryKey: [],
      unique: [],
      indexes: [],
    };
    if (d.dialect === 'sqlite') {
      const info = (await sql<{ name: string; pk: number }>`select name, pk from pragma_table_info(${t.name})`.execute(d.db)).rows;
      shape.primaryKey = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
      const idx = (await sql<{ name: string; unique: number; origin: string }>`select name, "unique", origin from pragma_index_list(${t.name})`.execute(d.db)).rows;
      for (const i of idx) {
        if (i.origin === 'pk') continue;
        const cols = (await sql<{ name: string; seqno: number }>`select name, seqno from pragma_index_info(${i.name})`.execute(d.db)).rows.sort((a, b) => a.seqno - b.seqno).map((c) => c.name).join(',');
        (i.unique ? shape.unique : shape.indexes).push(cols);
      }
    } else {
      const idx = (
        await sql<{ indisprimary: boolean; indisunique: boolean; cols: string }>`
          select i.indisprimary, i.indisunique,
                 (select string_agg(a.attname, ',' order by k.ord) from unnest(i.indkey) with ordinality k(attnum, ord)
                  join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum) as cols
          from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
          where c.relname = ${t.name} and n.nspname = 'public'`.execute(d.db)
      ).rows;
      for (const i of idx) {
        if (i.indisprimary) shape.primaryKey = i.cols.split(',');
        else (i.indisunique ? shape.unique : shape.indexes).push(i.cols);
      }
    }
    shape.unique.sort();
    shape.indexes.sort();
    out[t.name] = shape;
  }
  return out;
}

const shapes = new Map<Dialect, Shape>();

describe('schema', () => {
  const dbs: { tdb: TestDb; d: Database }[] = [];
  before(async () => {
    for (const dialect of DIALECTS) {
      const tdb = await freshDatabase(dialect);
      const d = dialect === 'sqlite' ? openDatabase({ dialect, file: tdb.file }) : openDatabase({ dialect, url: tdb.url });
      await migrate(d);
      dbs.push({ tdb, d });
      shapes.set(dialect, await shapeOf(d));
    }
  });
  after(async () => {
    for (const { tdb, d } of dbs) {
      await d.close();
      await tdb.drop();
    }
  });

  for (const dialect of DIALECTS) {
    test(`every per-workspace primary and unique key starts with workspace_id (${dialect})`, () => {
      const shape = shapes.get(dialect)!;
      assert.ok(Object.keys(shape).length >= 10);
      for (const [name, t] of Object.entries(shape)) {
        if (GLOBAL.has(name)) continue;
        assert.ok(t.columns.some((c) => c.startsWith('workspace_id:')), `${name} has workspace_id`);
        assert.equal(t.primaryKey[0], 'workspace_id', `${name} primary key`);
        for (const u of t.unique) assert.match(u, /^workspace_id(,|$)/, `${name} unique ${u}`);
      }
    });

    test(`migrating twice changes nothing (${dialect})`, async () => {
      const { d } = dbs[DIALECTS.indexOf(dialect)]!;
      await migrate(d);
      assert.deepEqual(await shapeOf(d), shapes.get(dialect));
    });
  }

  if (DIALECTS.includes('postgres')) {
    test('SQLite and PostgreSQL end with the same tables, columns, keys and indexes', () => {
      assert.deepEqual(shapes.get('postgres'), shapes.get('sqlite'));
    });
  }
});
