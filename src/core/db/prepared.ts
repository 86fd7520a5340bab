import type SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';

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
  const original = db.transaction.bind(db);
  (db as { transaction: typeof original }).transaction = () => marking(original(), sqlite);
  return db;
}
