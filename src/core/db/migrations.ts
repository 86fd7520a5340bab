import { PostgresAdapter, SqliteAdapter, sql, type Kysely, type Migration } from 'kysely';

/**
 * SQLite: rebuilds a table as WITHOUT ROWID, its key then being the table itself (one b-tree
 * fewer to write per row; bench/redeem counts the pages a commit writes). Its own DDL and
 * indexes are read back from the file, so every column, default and index stays as it is
 * (whatever migrations added before), and every row is copied. The table must have a primary
 * key and no table may reference it. PostgreSQL has no rowid: nothing to do.
 */
export async function rebuildWithoutRowid(db: Kysely<unknown>, table: string) {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return;
  const made = (await sql<{ sql: string }>`select sql from sqlite_master where type = 'table' and name = ${table}`.execute(db)).rows[0]?.sql;
  if (!made) throw new Error(`rebuildWithoutRowid: no table ${table}`);
  if (/without\s+rowid\s*$/i.test(made)) return;
  const indexes = (await sql<{ sql: string }>`select sql from sqlite_master where type = 'index' and tbl_name = ${table} and sql is not null`.execute(db)).rows.map((r) => r.sql);
  const prefix = `CREATE TABLE "${table}" (`;
  if (!made.startsWith(prefix)) throw new Error(`rebuildWithoutRowid: unexpected DDL for ${table}`);
  const rebuilt = `${table}_rebuilt`;
  await sql.raw(`CREATE TABLE "${rebuilt}" (${made.slice(prefix.length)} without rowid`).execute(db);
  await sql.raw(`insert into "${rebuilt}" select * from "${table}"`).execute(db);
  await sql.raw(`drop table "${table}"`).execute(db);
  await sql.raw(`alter table "${rebuilt}" rename to "${table}"`).execute(db);
  for (const text of indexes) await sql.raw(text).execute(db);
}

// Core's own tables: the outbox (every module writes messages here; comms delivers them),
// idempotency keys and sign-in throttles (kept in the database so processes share them).
export const coreMigrations: Record<string, Migration> = {
  '20261123_0001_core': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('outbox')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('topic', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('available_at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('outbox_pk', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'available_at']).execute();

      await db.schema
        .createTable('idempotency_keys')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('caller', 'text', (c) => c.notNull())
        .addColumn('route', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('body_hash', 'text', (c) => c.notNull())
        .addColumn('status_code', 'integer')
        .addColumn('response', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['workspace_id', 'caller', 'route', 'key'])
        .execute();
      await db.schema.createIndex('idempotency_keys_created').on('idempotency_keys').column('created_at').execute();

      await db.schema
        .createTable('throttles')
        .addColumn('scope', 'text', (c) => c.primaryKey().notNull())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('window_start', 'bigint', (c) => c.notNull())
        .addColumn('blocked_until', 'bigint')
        .execute();
    },
  },
  // Delivery state of the outbox (comms' worker): a claim sets a lease (lease_until, claimed_by)
  // and moves available_at to the lease's end, so a killed worker's messages fall due again;
  // settled_at is when a message was delivered, dead-lettered or discarded; give_up_at, when set,
  // replaces created_at + 24 h as the end of retries (a dead letter retried by an admin).
  '20261124_0500_outbox_delivery': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('outbox').addColumn('lease_until', 'bigint').execute();
      await db.schema.alterTable('outbox').addColumn('claimed_by', 'text').execute();
      await db.schema.alterTable('outbox').addColumn('last_error', 'text').execute();
      await db.schema.alterTable('outbox').addColumn('settled_at', 'bigint').execute();
      await db.schema.alterTable('outbox').addColumn('give_up_at', 'bigint').execute();
      await db.schema.createIndex('outbox_workspace_status').on('outbox').columns(['workspace_id', 'status', 'id']).execute();
    },
  },
  // Message lists (src/core/outbox.ts): how many of a list row's messages the worker has fanned
  // out, so a list is split a chunk at a time and a crash between chunks resumes after the last
  // one recorded.
  '20261215_0300_outbox_message_lists': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('outbox').addColumn('fanned_out', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      // A list of 2,000 messages is ~0.5 MB of JSON that PostgreSQL compresses out of line; LZ4
      // (built into PostgreSQL 14+ where the server has it) does that in about half pglz's time.
      if (db.getExecutor().adapter instanceof PostgresAdapter) {
        const lz4 = await sql<{ ok: boolean }>`select 'lz4' = any(enumvals) as ok from pg_settings where name = 'default_toast_compression'`.execute(db);
        if (lz4.rows[0]?.ok) await sql`alter table outbox alter column payload set compression lz4`.execute(db);
      }
    },
  },
  // The (workspace_id, status, id) index served only the dead-letter list, yet every row written
  // (a redemption's message, a batch's message list) wrote it. Dead letters alone are indexed
  // now: a pending, delivered or discarded row never enters this index.
  '20261217_0100_outbox_dead_letters': {
    async up(db: Kysely<unknown>) {
      await db.schema.dropIndex('outbox_workspace_status').execute();
      await db.schema.createIndex('outbox_dead').on('outbox').columns(['workspace_id', 'id']).where(sql.ref('status'), '=', 'dead').execute();
    },
  },
};
