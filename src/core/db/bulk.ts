import type SQLite from 'better-sqlite3';
import { CompiledQuery, PostgresAdapter } from 'kysely';
import { EACH_ROW, type AnyDb } from './db.js';
import { sqliteIn, prepared } from './prepared.js';

/**
 * Bulk INSERTs whose SQL is written once per shape (table, columns) and then run with fresh
 * values: Kysely builds a bulk insert value by value, which costs more than the insert itself.
 * On SQLite the rows go, as one array of values per row, to a prepared one-row statement run
 * once per row inside one call (EACH_ROW in db.ts): cheaper than a multi-row VALUES list. On
 * PostgreSQL they go as one array per column through `unnest`, in one statement of fixed text
 * whatever the count (PostgreSQL would otherwise parse and plan a new 4,000-parameter statement
 * per chunk). Rows of mixed shapes or non-scalar values go through Kysely as usual.
 */
export function createBulkInserter(chunk = 300) {
  const compiled = new Map<string, string>();
  return async function insertRows(db: AnyDb, table: string, rows: Record<string, unknown>[]) {
    if (!rows.length) return;
    const columns = sameColumns(rows);
    if (!columns) {
      for (let i = 0; i < rows.length; i += chunk) await db.insertInto(table).values(rows.slice(i, i + chunk)).execute();
      return;
    }
    if (db.getExecutor().adapter instanceof PostgresAdapter) return insertUnnest(db, table, columns, rows);
    const key = `${table}:${columns.join(',')}`;
    let text = compiled.get(key);
    if (text === undefined) compiled.set(key, (text = eachRowSql(table, columns)));
    const params = new Array<unknown[]>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const values = new Array<unknown>(columns.length);
      for (let j = 0; j < columns.length; j++) values[j] = r[columns[j]!];
      params[i] = values;
    }
    if (runInTransaction(db, text, params)) return;
    await db.executeQuery(CompiledQuery.raw(text, params));
  };
}

/** SQLite: the one-row INSERT that db.ts runs once per row (the EACH_ROW marker). */
function eachRowSql(table: string, columns: readonly string[]) {
  return `${EACH_ROW}insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values (${columns.map(() => '?').join(', ')})`;
}

// PostgreSQL: each table's column types, read once, for the casts of the unnest arrays.
const columnTypes = new Map<string, Promise<Map<string, string>>>();
function typesOf(db: AnyDb, table: string) {
  let types = columnTypes.get(table);
  if (!types) {
    types = db
      .executeQuery<{ column_name: string; udt_name: string }>(
        CompiledQuery.raw('select column_name, udt_name from information_schema.columns where table_schema = current_schema() and table_name = $1', [table]),
      )
      .then((r) => new Map(r.rows.map((c) => [c.column_name, c.udt_name])));
    // A failed read is not remembered: the next insert asks again.
    types.catch(() => columnTypes.delete(table));
    columnTypes.set(table, types);
  }
  return types;
}

async function insertUnnest(db: AnyDb, table: string, columns: string[], rows: Record<string, unknown>[]) {
  const q = await unnestInsert(db, table, columns, rows);
  await db.executeQuery(CompiledQuery.raw(q.text, q.params));
}

/**
 * PostgreSQL: the INSERT of `rows` (objects with the same scalar columns) as insertColumnArrays
 * writes it, compiled but not run, for a caller that joins it with another statement of its own
 * (a data-modifying WITH: one round trip for both).
 */
export async function unnestInsert(db: AnyDb, table: string, columns: string[], rows: Record<string, unknown>[]) {
  const arrays = columns.map(() => new Array<unknown>(rows.length));
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    for (let j = 0; j < columns.length; j++) arrays[j]![i] = r[columns[j]!];
  }
  return compileColumnArrays(db, table, columns, arrays);
}

/**
 * One INSERT … SELECT FROM unnest(…) of one array per column, each cast to its column's type.
 * What the statement sends is kept small, since the whole batch crosses the socket and is parsed
 * by the server: a column whose value is the same in every row (the workspace, a batch's time, a
 * null) goes as one scalar parameter instead of an array, a single row as plain VALUES (a 0.5 MB
 * message list as an array element would be escaped by the driver and unescaped by the server),
 * and arrays are written as array literals here (arrayLiteral) rather than by the driver.
 */
async function insertColumnArrays(db: AnyDb, table: string, columns: readonly string[], arrays: unknown[][], suffix = '') {
  const q = await compileColumnArrays(db, table, columns, arrays, suffix);
  await db.executeQuery(CompiledQuery.raw(q.text, q.params));
}

async function compileColumnArrays(db: AnyDb, table: string, columns: readonly string[], arrays: unknown[][], suffix = ''): Promise<{ text: string; params: unknown[] }> {
  const types = await typesOf(db, table);
  const typeOf = (c: string) => {
    const t = types.get(c);
    if (!t) throw new Error(`bulk insert: no column ${c} in ${table}`);
    return t;
  };
  const list = columns.map((c) => `"${c}"`).join(', ');
  const count = arrays[0]!.length;
  if (count === 1) {
    return { text: `insert into "${table}" (${list}) values (${columns.map((c, j) => `$${j + 1}::${typeOf(c)}`).join(', ')})${suffix}`, params: arrays.map((a) => a[0]) };
  }
  const params: unknown[] = [];
  const selected: string[] = [];
  const unnested: string[] = [];
  for (let j = 0; j < columns.length; j++) {
    const a = arrays[j]!;
    // At least one array, so that the statement has as many rows as the batch.
    const lastChance = j === columns.length - 1 && !unnested.length;
    if (!lastChance && allSame(a)) {
      params.push(a[0]);
      selected.push(`$${params.length}::${typeOf(columns[j]!)}`);
    } else {
      params.push(arrayLiteral(a));
      unnested.push(`$${params.length}::${typeOf(columns[j]!)}[]`);
      selected.push(`u.c${unnested.length}`);
    }
  }
  const names = unnested.map((_, k) => `c${k + 1}`).join(', ');
  return { text: `insert into "${table}" (${list}) select ${selected.join(', ')} from unnest(${unnested.join(', ')}) as u(${names})${suffix}`, params };
}

function allSame(a: unknown[]) {
  const first = a[0];
  for (let i = 1; i < a.length; i++) if (a[i] !== first) return false;
  return true;
}

/**
 * A PostgreSQL array literal (`{…}`) of scalar values (strings, numbers, null). JSON writes a list
 * of them natively and much faster than the driver's element-by-element escaping, and its quoting
 * is the array literal's: strings in double quotes with `\"` and `\\`, null unquoted (NULL to
 * PostgreSQL). JSON's other escapes (`\n`, `\u0001`, a lone surrogate) mean something else in an
 * array literal; a list that has any is quoted element by element instead.
 */
export function arrayLiteral(values: readonly unknown[]): string {
  const json = JSON.stringify(values);
  if (!OTHER_ESCAPE.test(json)) return `{${json.slice(1, -1)}}`;
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i) out += ',';
    out += v === null || v === undefined ? 'NULL' : typeof v === 'number' ? String(v) : `"${String(v).replace(/[\\"]/g, '\\$&')}"`;
  }
  return `${out}}`;
}
/** A backslash that starts an escape other than `\"` or `\\` (an odd run of backslashes before another character). */
const OTHER_ESCAPE = /(?<!\\)(?:\\\\)*\\[^"\\]/;

/**
 * The same for rows already laid out as value arrays in the order of `columns` (all scalar):
 * for writers of many rows of one shape, which need not build an object per row. With
 * `ignoreDuplicates`, a row whose key is taken is skipped (ON CONFLICT DO NOTHING).
 */
export function createTupleInserter(table: string, columns: readonly string[], opts: { ignoreDuplicates?: boolean } = {}) {
  const suffix = opts.ignoreDuplicates ? ' on conflict do nothing' : '';
  const text = eachRowSql(table, columns) + suffix;
  async function insertTuples(db: AnyDb, rows: readonly unknown[][]) {
    if (!rows.length) return;
    // PostgreSQL: one unnest statement, as for createBulkInserter.
    if (db.getExecutor().adapter instanceof PostgresAdapter) {
      return insertColumnArrays(db, table, columns, columns.map((_, j) => rows.map((r) => r[j])), suffix);
    }
    if (runInTransaction(db, text, rows)) return;
    await db.executeQuery(CompiledQuery.raw(text, rows as unknown[][]));
  }
  /** The same, synchronously, on a SQLite connection inside its transaction (prepared.ts's runSync). */
  insertTuples.sync = (sqlite: SQLite.Database, rows: readonly unknown[][]) => {
    const one = prepared(sqlite, text.slice(EACH_ROW.length));
    for (const r of rows) one.run(r);
  };
  return insertTuples;
}

/**
 * Rows (all of the same columns, scalar values) inserted synchronously on a SQLite connection
 * inside its transaction, by the one-row statement createBulkInserter would run.
 */
export function insertRowsSync(sqlite: SQLite.Database, table: string, rows: readonly object[]) {
  if (!rows.length) return;
  const columns = Object.keys(rows[0]!);
  const one = oneRowInsert(sqlite, table, columns);
  for (const r of rows) {
    const values = new Array<unknown>(columns.length);
    for (let j = 0; j < columns.length; j++) values[j] = (r as Record<string, unknown>)[columns[j]!];
    one.run(values);
  }
}

/**
 * The one-row INSERT of these columns, prepared once per connection and table: the hot writers
 * insert rows of the same shape every time, so the last shape of each table is kept and its
 * columns compared, instead of writing the statement's text anew and looking it up by it.
 */
const lastShapes = new WeakMap<SQLite.Database, Map<string, { columns: string[]; stmt: SQLite.Statement }>>();
function oneRowInsert(sqlite: SQLite.Database, table: string, columns: string[]): SQLite.Statement {
  let shapes = lastShapes.get(sqlite);
  if (!shapes) lastShapes.set(sqlite, (shapes = new Map()));
  const last = shapes.get(table);
  if (last && sameList(last.columns, columns)) return last.stmt;
  const stmt = prepared(sqlite, eachRowSql(table, columns).slice(EACH_ROW.length));
  shapes.set(table, { columns, stmt });
  return stmt;
}

function sameList(a: readonly string[], b: readonly string[]) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * In a SQLite transaction, the one-row statement runs straight on the connection, once per row
 * (prepared.ts), as db.ts's EACH_ROW loop would run it: no Kysely call at all.
 */
function runInTransaction(db: AnyDb, text: string, rows: readonly unknown[][]) {
  const sqlite = sqliteIn(db);
  if (!sqlite) return false;
  const one = prepared(sqlite, text.slice(EACH_ROW.length));
  for (const r of rows) one.run(r);
  return true;
}

/** The rows' columns when all share them, in the same order, with scalar values; otherwise null. */
function sameColumns(rows: Record<string, unknown>[]): string[] | null {
  const columns = Object.keys(rows[0]!);
  for (const r of rows) {
    const keys = Object.keys(r);
    if (keys.length !== columns.length) return null;
    for (let j = 0; j < keys.length; j++) {
      const v = r[keys[j]!];
      if (keys[j] !== columns[j] || !(v === null || typeof v === 'string' || typeof v === 'number')) return null;
    }
  }
  return columns;
}
