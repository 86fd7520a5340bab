import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, sql, type Driver, type Migration, Migrator, type SqliteStatement } from 'kysely';
import { startCheckpointer, type Checkpointer } from './checkpointer.js';
import { withTxHooks } from './tx-hooks.js';
import { markSqliteTransactions } from './prepared.js';

// int8 values (counts, epoch ms) stay below 2^53: answer numbers on both dialects.
pg.types.setTypeParser(20, (v) => Number(v));

export type Dialect = 'sqlite' | 'postgres';
// Each module types its own tables over this handle (see <module>.tables.ts).
 
export type AnyDb = Kysely<any>;

export interface Database {
  db: AnyDb;
  dialect: Dialect;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface DbOptions {
  dialect: Dialect;
  /** SQLite file path (or ':memory:'), ignored for PostgreSQL */
  file?: string;
  url?: string;
  poolSize?: number;
}

/**
 * Every SQLite connection's settings (benchmarks' raw peers open their files with the same):
 * one process owns the file, so it keeps 16 MB of pages in memory rather than SQLite's 2 MB.
 * Not more: when a b-tree page split in a write transaction renumbers pages (it moves one
 * through the lock-byte page's number), SQLite walks its whole page cache at the commit, so
 * each such commit pays for every page kept. Redemptions touch many indexes and paid it in
 * most commits: at 64 MB the walk was 8.6 % of their time (perf; docs/performance.md). Pages
 * beyond these come from the operating system's cache.
 */
export const SQLITE_PRAGMAS = ['journal_mode = WAL', 'foreign_keys = ON', 'busy_timeout = 5000', 'synchronous = NORMAL', 'cache_size = -16000'] as const;

/**
 * 64 MB of WAL: reached when the background checkpointer falls behind or has stopped, and under
 * writes that never pause long enough for its passive checkpoints to let the log start over
 * (then this checkpoint runs inside a commit: checkpointer.ts).
 */
const SAFETY_CHECKPOINT_PAGES = 16_000;

/**
 * A better-sqlite3 connection as Tandem opens one: its pragmas and, for a file, checkpoints
 * run beside it (see checkpointer.ts) with the connection's own automatic checkpoint kept as
 * a safety net for a WAL the checkpointer left to grow. Benchmarks open their raw peers so too.
 */
export function openSqliteFile(file: string): { sqlite: SQLite.Database; close: () => Promise<void> } {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  for (const p of SQLITE_PRAGMAS) sqlite.pragma(p);
  if (file === ':memory:') return { sqlite, close: async () => { if (sqlite.open) sqlite.close(); } };
  sqlite.pragma(`wal_autocheckpoint = ${SAFETY_CHECKPOINT_PAGES}`);
  const checkpointer: Checkpointer = startCheckpointer(file);
  return {
    sqlite,
    close: async () => {
      await checkpointer.stop();
      if (sqlite.open) sqlite.close();
    },
  };
}

/**
 * SQLite transactions begin IMMEDIATE: the write lock first, waiting (busy_timeout) while another
 * process (a `tandem` command beside the server) holds it. A deferred BEGIN reads first and, on
 * its first write, fails at once with SQLITE_BUSY if another process is writing: SQLite never
 * waits to turn a read into a write. In the process there is one connection, so nothing changes.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  }
}

export function openDatabase(opts: DbOptions): Database {
  let db: AnyDb;
  let stopSqlite: (() => Promise<void>) | undefined;
  if (opts.dialect === 'sqlite') {
    const opened = openSqliteFile(opts.file ?? ':memory:');
    stopSqlite = opened.close;
    const sqlite = opened.sqlite;
    db = markSqliteTransactions(new Kysely({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(sqlite) }) }), sqlite);
  } else {
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 10 });
    // An idle client losing its connection must not crash the process.
    pool.on('error', () => {});
    db = new Kysely({ dialect: new PostgresDialect({ pool }) });
  }
  db = withTxHooks(db);
  return {
    db,
    dialect: opts.dialect,
    async ping() {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await db.destroy();
      await stopSqlite?.();
    },
  };
}

/**
 * SQLite: a statement whose text starts with this marker is a one-row INSERT run once per row,
 * its parameters being one array of values per row (see bulk.ts). SQLite writes a multi-row
 * VALUES list through a temporary co-routine: the same rows cost about a third more that way
 * than through one prepared single-row statement run in a loop.
 */
export const EACH_ROW = '/* each row */ ';

/**
 * Kysely prepares every query anew on SQLite; preparing costs more than running a small query.
 * Statements are kept by their SQL text (the text holds no values) and reused: Kysely runs them
 * to completion synchronously (all/run), so one statement is never in use twice at once.
 * Bounded, so bulk inserts of many shapes do not grow it without end.
 */
function withStatementCache(sqlite: SQLite.Database, max = 500) {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      let stmt = cache.get(text);
      if (stmt) {
        cache.delete(text);
        cache.set(text, stmt);
        return stmt;
      }
      stmt = text.startsWith(EACH_ROW) ? eachRow(sqlite, sqlite.prepare(text.slice(EACH_ROW.length))) : sqlite.prepare(text);
      cache.set(text, stmt);
      if (cache.size > max) cache.delete(cache.keys().next().value!);
      return stmt;
    },
  };
}

/**
 * A one-row statement run for each row of a list. Inside a transaction a failed row fails the
 * caller's transaction, which rolls back (no savepoint: with one open, SQLite copies every page
 * it touches into a statement journal, which cost more than the loop saves); outside one, the
 * list is its own transaction, all or nothing as one statement would be.
 */
function eachRow(sqlite: SQLite.Database, one: SQLite.Statement): SqliteStatement {
  const loop = (rows: unknown[][]) => {
    let changes = 0;
    for (const r of rows) changes += one.run(r).changes;
    return changes;
  };
  const alone = sqlite.transaction(loop);
  return {
    reader: false,
    all: () => {
      throw new Error('a statement run once per row answers no rows');
    },
    iterate: () => {
      throw new Error('a statement run once per row answers no rows');
    },
    run: (rows) => ({ changes: (sqlite.inTransaction ? loop : alone)(rows as unknown[][]), lastInsertRowid: 0 }),
  };
}

/** Runs every module's migrations in name order; names start with a date so modules interleave. */
export async function migrateToLatest(db: AnyDb, migrations: Record<string, Migration>) {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** True when the error is a unique-key violation on either dialect. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** True when the database cannot be reached (connection refused or lost, pool closed, server shutting down). */
export function isUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08003', '08006', 'SQLITE_CANTOPEN'].includes(e?.code ?? '')) return true;
  return /driver has already been destroyed|Connection terminated|Cannot use a pool after calling end|database connection is not open/i.test(e?.message ?? '');
}

export function isRetryableTxError(err: unknown): boolean {
  const e = err as { code?: string };
  return e?.code === '40001' || e?.code === '40P01' || e?.code === 'SQLITE_BUSY';
}
