import type SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { txHooks } from './tx-hooks.js';

// The same handle type as db.ts's AnyDb (not imported from there: db.ts imports this file).
type AnyDb = Kysely<any>;

/**
 * Statements of fixed text run straight on better-sqlite3 inside a transaction (decisions.md:
 * hot paths may use prepared statements compiled once, behind the repository). On SQLite every
 * Kysely call costs more than the small statement it runs (building, compiling, the
 * connection's mutex, a promise chain); a redemption runs about twenty of them.
 *
 * Only inside a transaction: it holds the one connection, so what runs on the handle is part of
 * it and nobody else's. Outside one, another request's transaction may be open on the same
 * connection between two awaits, so repositories keep Kysely there (and on PostgreSQL always).
 */
const handles = new WeakMap<object, SQLite.Database>();
const statements = new WeakMap<SQLite.Database, Map<string, SQLite.Statement>>();

/** The better-sqlite3 handle of a SQLite transaction (the `tx` its callback was given), else null. */
export function sqliteIn(tx: AnyDb | undefined): SQLite.Database | null {
  return (tx && handles.get(tx)) ?? null;
}

/** A statement of fixed text, prepared once per connection (its text holds no values). */
export function prepared(sqlite: SQLite.Database, text: string): SQLite.Statement {
  let cache = statements.get(sqlite);
  if (!cache) statements.set(sqlite, (cache = new Map()));
  let stmt = cache.get(text);
  if (!stmt) cache.set(text, (stmt = sqlite.prepare(text)));
  return stmt;
}

/** In a SQLite transaction: the statement of this text, ready to run; null elsewhere (use Kysely). */
export function preparedIn(tx: AnyDb | undefined, text: string): SQLite.Statement | null {
  const sqlite = sqliteIn(tx);
  return sqlite ? prepared(sqlite, text) : null;
}

const databases = new WeakMap<object, SQLite.Database>();

/**
 * Thrown by a synchronous body (runSync) when one of its parts has no synchronous answer (a
 * cache not filled, lots kept, a provider that works asynchronously): the transaction rolls
 * back, nothing of it stays, and the caller runs its asynchronous form instead.
 */
export class NeedsAsync extends Error {
  constructor(why: string) {
    super(`needs the asynchronous path: ${why}`);
  }
}

/**
 * Runs `body` as one transaction straight on better-sqlite3, when the database is SQLite and no
 * transaction is open on its one connection (another request's transaction may be between two
 * awaits: then null, and the caller uses Kysely's transaction, which waits its turn). The body is
 * synchronous, so nothing else can run until it has committed or rolled back: no other request's
 * statement can land inside it. A throw (NeedsAsync too) rolls it back and goes to the caller.
 * Null too on PostgreSQL, and in a request whose hook writes in every transaction (tx-hooks.ts:
 * the Idempotency-Key's answer), which is asynchronous. It begins IMMEDIATE (below).
 */
export function runSync<T>(db: AnyDb, body: (sqlite: SQLite.Database) => T): { value: T } | null {
  const sqlite = databases.get(db);
  if (!sqlite || sqlite.inTransaction || txHooks.getStore()) return null;
  // IMMEDIATE, as Kysely's transactions begin (db.ts's ImmediateSqliteDialect says why).
  let run = runners.get(sqlite);
  if (!run) runners.set(sqlite, (run = sqlite.transaction((fn: (s: SQLite.Database) => unknown) => fn(sqlite))));
  return { value: run.immediate(body) as T };
}

/** One better-sqlite3 transaction function per connection, run with each body (not made anew per call). */
const runners = new WeakMap<SQLite.Database, SQLite.Transaction<(fn: (s: SQLite.Database) => unknown) => unknown>>();

type Builder = { execute<T>(fn: (tx: AnyDb) => Promise<T>): Promise<T> };

function marking<B extends object>(builder: B, sqlite: SQLite.Database): B {
  return new Proxy(builder, {
    get(target, prop, receiver) {
      if (prop === 'execute') {
        return <T>(fn: (tx: AnyDb) => Promise<T>) =>
          (target as unknown as Builder).execute((tx) => {
            handles.set(tx, sqlite);
            return fn(tx);
          });
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const out: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        return out && typeof out === 'object' && 'execute' in out ? marking(out, sqlite) : out;
      };
    },
  });
}

/** SQLite: makes every `db.transaction()` hand its callback a `tx` that sqliteIn knows. */
export function markSqliteTransactions(db: AnyDb, sqlite: SQLite.Database): AnyDb {
  databases.set(db, sqlite);
  const original = db.transaction.bind(db);
  (db as { transaction: typeof original }).transaction = () => marking(original(), sqlite);
  return db;
}
