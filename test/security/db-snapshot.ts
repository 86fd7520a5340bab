// A picture of every row of every table, to prove that a refused request changed nothing.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { AnyDb, Dialect } from '../../src/core/db/db.js';

/**
 * Left out because they change on requests that change nothing else: the migrator's own
 * tables, sign-in throttles (a refused sign-in counts), stored idempotency answers (error
 * answers are kept by design), the last use of a key and the sliding end of a session.
 */
const SKIP_TABLE = /^(kysely_migration.*|throttles|idempotency_keys)$/;
const SKIP_COLUMNS = new Set(['api_keys.last_used_at', 'sessions.last_seen_at', 'sessions.expires_at']);

/** table → (hash of a row → the row, for the message when they differ) */
export type Snapshot = Map<string, Map<string, string>>;
export type Row = Record<string, unknown>;

const canonical = (table: string, row: Row) =>
  JSON.stringify(
    Object.fromEntries(
      Object.keys(row)
        .filter((c) => !SKIP_COLUMNS.has(`${table}.${c}`))
        .sort()
        .map((c) => [c, row[c]]),
    ),
    (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v),
  );

// Migrations run before a test file's first request, so the list of tables is read once per
// database handle; introspection costs more than the reads themselves.
const tablesOf = new WeakMap<AnyDb, Promise<{ name: string; from: string; columns: string[] }[]>>();
function tables(db: AnyDb) {
  let found = tablesOf.get(db);
  if (!found) {
    found = db.introspection.getTables().then((ts) =>
      ts
        .filter((t) => !t.isView && !SKIP_TABLE.test(t.name))
        .map((t) => ({ name: t.name, from: t.schema && t.schema !== 'public' && t.schema !== 'main' ? `${t.schema}.${t.name}` : t.name, columns: t.columns.map((c) => c.name) })),
    );
    tablesOf.set(db, found);
  }
  return found;
}

/** Every row of every table (or those `keep` accepts), read through the app's Kysely handle. */
export async function snapshotDb(db: AnyDb, keep?: (table: string, row: Row, columns: string[]) => boolean): Promise<Snapshot> {
  const all = await tables(db);
  const read = await Promise.all(all.map((t) => db.selectFrom(t.from).selectAll().execute() as Promise<Row[]>));
  const out: Snapshot = new Map();
  all.forEach((t, i) => {
    const byHash = new Map<string, string>();
    for (const r of read[i]!) {
      if (keep && !keep(t.name, r, t.columns)) continue;
      const json = canonical(t.name, r);
      byHash.set(createHash('sha256').update(json).digest('hex'), json);
    }
    out.set(t.name, byHash);
  });
  return out;
}

/** What changed, one line per table (empty when nothing did). */
export function diffSnapshots(before: Snapshot, after: Snapshot): string[] {
  const out: string[] = [];
  for (const table of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(table) ?? new Map<string, string>();
    const b = after.get(table) ?? new Map<string, string>();
    const removed = [...a.keys()].filter((h) => !b.has(h)).map((h) => a.get(h)!);
    const added = [...b.keys()].filter((h) => !a.has(h)).map((h) => b.get(h)!);
    if (!removed.length && !added.length) continue;
    const show = (rows: string[]) => rows.slice(0, 3).map((r) => (r.length > 400 ? `${r.slice(0, 400)}…` : r)).join(' | ');
    out.push(`${table}: ${a.size} → ${b.size} rows; gone: ${show(removed) || '-'}; new: ${show(added) || '-'}`);
  }
  return out;
}

/**
 * A cheap sign that something was written: SQLite's own counters of writes; on PostgreSQL,
 * each table's row count and a hash of its rows, in one round trip.
 * Equal prints mean equal data; a moved print (a key's last use…) calls for a real comparison.
 */
async function fingerprint(db: AnyDb, dialect: Dialect): Promise<string> {
  if (dialect === 'sqlite') {
    // total_changes counts this connection's writes, data_version moves on other connections'.
    const own = (await sql<{ n: number }>`select total_changes() as n`.execute(db)).rows[0]!.n;
    const others = (await sql<{ data_version: number }>`pragma data_version`.execute(db)).rows[0]!.data_version;
    return `${own}:${others}`;
  }
  const q = (id: string) => `"${id.replaceAll('"', '""')}"`;
  const parts = (await tables(db)).map((t) => {
    const row = `ROW(${t.columns.filter((c) => !SKIP_COLUMNS.has(`${t.name}.${c}`)).map(q).join(', ')})::text`;
    return `select '${t.name.replaceAll("'", "''")}' as t, count(*) as n, md5(coalesce(string_agg(${row}, '|' order by ${row}), '')) as h from ${t.from.split('.').map(q).join('.')}`;
  });
  const rows = (await sql.raw<{ t: string; n: number; h: string }>(parts.join(' union all ')).execute(db)).rows;
  return rows.map((r) => `${r.t}:${r.n}:${r.h}`).join(',');
}

/** Watches the whole database: `changes()` says what changed since the previous call. */
export function watchDb(db: AnyDb, dialect: Dialect) {
  let last: Snapshot | undefined;
  let lastPrint = '';
  return {
    async reset() {
      lastPrint = await fingerprint(db, dialect);
      last = await snapshotDb(db);
    },
    async changes(): Promise<string[]> {
      const print = await fingerprint(db, dialect);
      if (print === lastPrint && last) return [];
      const now = await snapshotDb(db);
      const diff = last ? diffSnapshots(last, now) : [];
      last = now;
      lastPrint = print;
      return diff;
    },
  };
}
