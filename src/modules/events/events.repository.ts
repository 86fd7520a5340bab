import { CompiledQuery, PostgresAdapter, type Kysely } from 'kysely';
import type { AnyDb } from '../../core/db/db.js';
import { createBulkInserter } from '../../core/db/bulk.js';
import { preparedIn } from '../../core/db/prepared.js';

export interface EventsTable {
  workspace_id: string;
  id: string;
  source: string;
  external_id: string;
  type: string;
  occurred_at: number;
  received_at: number;
  person_id: string;
  account_id: string | null;
  team_id: string | null;
  properties: string;
  reverses: string | null;
  status: 'accepted' | 'reversed';
  reversed_at: number | null;
  reversal_reason: string | null;
}
type Db = Kysely<{ events: EventsTable }>;
const INSERT_EVENT_SQL =
  'insert into "events" ("workspace_id", "id", "source", "external_id", "type", "occurred_at", "received_at", "person_id", "account_id", "team_id", "properties", "reverses", "status", "reversed_at", "reversal_reason") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

export function createEventsRepository(anyDb: AnyDb) {
  const base = anyDb as Db;
  const t = (tx?: AnyDb) => (tx ?? base) as Db;
  const insertRows = createBulkInserter(200);
  return {
    /**
     * Events already stored under these (source, external id) pairs: one statement of fixed text
     * per source, the ids as one JSON (SQLite) or array (PostgreSQL) parameter, instead of IN
     * lists of 500 that Kysely builds value by value.
     */
    async existing(tx: AnyDb, ws: string, keys: { source: string; externalId: string }[]) {
      const out = new Map<string, EventsTable>();
      const bySource = new Map<string, string[]>();
      for (const k of keys) {
        const list = bySource.get(k.source);
        if (list) list.push(k.externalId);
        else bySource.set(k.source, [k.externalId]);
      }
      const pg = tx.getExecutor().adapter instanceof PostgresAdapter;
      for (const [source, ids] of bySource) {
        const q = pg
          ? CompiledQuery.raw('select * from events where workspace_id = $1 and source = $2 and external_id = any($3::text[])', [ws, source, ids])
          : CompiledQuery.raw('select * from events where workspace_id = ? and source = ? and external_id in (select value from json_each(?))', [ws, source, JSON.stringify(ids)]);
        for (const r of (await tx.executeQuery<EventsTable>(q)).rows) out.set(`${r.source}\u0000${r.external_id}`, r);
      }
      return out;
    },
    /**
     * A person's (or an account's) accepted events: the last one's time and how many since
     * `since` (the customer engagement score), on the events_person or events_account index.
     */
    async activity(ws: string, of: { personIds: string[] } | { accountId: string }, since: number) {
      let q = t(undefined)
        .selectFrom('events')
        .select((eb) => [eb.fn.max('occurred_at').as('last'), eb.fn.sum<number>(eb.case().when('occurred_at', '>=', since).then(1).else(0).end()).as('recent')])
        .where('workspace_id', '=', ws)
        .where('status', '=', 'accepted')
        .where('reverses', 'is', null);
      q = 'accountId' in of ? q.where('account_id', '=', of.accountId) : q.where('person_id', 'in', of.personIds.length ? of.personIds : ['-']);
      const r = await q.executeTakeFirst();
      return { lastAt: r?.last == null ? null : Number(r.last), recent: Number(r?.recent ?? 0) };
    },
    get: (tx: AnyDb | undefined, ws: string, id: string) => t(tx).selectFrom('events').selectAll().where('workspace_id', '=', ws).where('id', '=', id).executeTakeFirst(),
    bySourceId: (tx: AnyDb, ws: string, source: string, externalId: string) =>
      t(tx).selectFrom('events').selectAll().where('workspace_id', '=', ws).where('source', '=', source).where('external_id', '=', externalId).executeTakeFirst(),
    insertMany: (tx: AnyDb, rows: EventsTable[]) => {
      // SQLite, in a transaction: the prepared one-row INSERT with each row's values straight from the row.
      const raw = rows.length ? preparedIn(tx, INSERT_EVENT_SQL) : null;
      if (!raw) return insertRows(tx, 'events', rows as unknown as Record<string, unknown>[]);
      for (const r of rows) raw.run(r.workspace_id, r.id, r.source, r.external_id, r.type, r.occurred_at, r.received_at, r.person_id, r.account_id, r.team_id, r.properties, r.reverses, r.status, r.reversed_at, r.reversal_reason);
      return Promise.resolve();
    },
    markReversed: (tx: AnyDb, ws: string, id: string, at: number, reason: string) =>
      t(tx).updateTable('events').set({ status: 'reversed', reversed_at: at, reversal_reason: reason }).where('workspace_id', '=', ws).where('id', '=', id).execute(),
    /** Accepted events of a window in the order they occurred, a page at a time (for simulation). */
    window: (ws: string, from: number, to: number, after: { at: number; id: string } | null, limit: number) => {
      let q = base.selectFrom('events').selectAll().where('workspace_id', '=', ws).where('status', '=', 'accepted').where('reverses', 'is', null).where('occurred_at', '>=', from).where('occurred_at', '<', to);
      if (after) q = q.where((eb) => eb.or([eb('occurred_at', '>', after.at), eb.and([eb('occurred_at', '=', after.at), eb('id', '>', after.id)])]));
      return q.orderBy('occurred_at').orderBy('id').limit(limit).execute();
    },
    list: (ws: string, q: { personId?: string; accountId?: string; type?: string; source?: string; status?: string; from?: number; to?: number; before?: string; limit: number }) => {
      let query = base.selectFrom('events').selectAll().where('workspace_id', '=', ws);
      if (q.personId) query = query.where('person_id', '=', q.personId);
      if (q.accountId) query = query.where('account_id', '=', q.accountId);
      if (q.type) query = query.where('type', '=', q.type);
      if (q.source) query = query.where('source', '=', q.source);
      if (q.status) query = query.where('status', '=', q.status as EventsTable['status']);
      if (q.from !== undefined) query = query.where('occurred_at', '>=', q.from);
      if (q.to !== undefined) query = query.where('occurred_at', '<', q.to);
      if (q.before) query = query.where('id', '<', q.before);
      return query.orderBy('id', 'desc').limit(q.limit).execute();
    },
  };
}
