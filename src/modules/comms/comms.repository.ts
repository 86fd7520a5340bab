import { CompiledQuery, sql, type Kysely } from 'kysely';
import type SQLite from 'better-sqlite3';
import type { AnyDb, Dialect } from '../../core/db/db.js';
import { prepared } from '../../core/db/prepared.js';
import { createBulkInserter } from '../../core/db/bulk.js';
import type { CommsTables, OutboxTable, WebhookAttemptsTable, WebhookDeliveriesTable, WebhookEndpointsTable } from './comms.tables.js';

type Db = Kysely<CommsTables>;
/** subscribedTypes' query as fixed text, for a synchronous SQLite transaction. */
const SUBSCRIBED_TYPES_SQL = 'select event_types from webhook_endpoints where workspace_id = ? and enabled = 1';

/** The comms module's queries: its webhook tables, and the delivery state of core's outbox. */
export function createCommsRepository(anyDb: AnyDb, dialect: Dialect) {
  const db = anyDb as Db;
  const t = (tx?: AnyDb) => (tx ?? db) as Db;
  const insertRows = createBulkInserter(200);
  const settleDeliveredSql = `update outbox set status = 'delivered', settled_at = ${dialect === 'postgres' ? '$1' : '?'}, lease_until = null, claimed_by = null, last_error = null
    where workspace_id = ${dialect === 'postgres' ? '$2' : '?'} and claimed_by = ${dialect === 'postgres' ? '$3' : '?'}
      and id ${dialect === 'postgres' ? '= any($4::text[])' : 'in (select value from json_each(?))'} returning id`;
  return {
    /**
     * Claims up to `limit` due messages for `token` until `leaseUntil`, in one statement: on
     * PostgreSQL rows another worker holds are skipped (FOR UPDATE SKIP LOCKED), on SQLite the
     * single writer makes the statement atomic. available_at moves to the lease's end, so a
     * message whose worker dies falls due again then.
     */
    async claim(now: number, limit: number, token: string, leaseUntil: number): Promise<OutboxTable[]> {
      const q =
        dialect === 'postgres'
          ? sql<OutboxTable>`with due as (
              select workspace_id, id from outbox where status = 'pending' and available_at <= ${now}
              order by available_at limit ${limit} for update skip locked)
            update outbox o set claimed_by = ${token}, lease_until = ${leaseUntil}, available_at = ${leaseUntil}, attempts = o.attempts + 1
            from due where o.workspace_id = due.workspace_id and o.id = due.id
            returning o.*`
          : sql<OutboxTable>`update outbox set claimed_by = ${token}, lease_until = ${leaseUntil}, available_at = ${leaseUntil}, attempts = attempts + 1
            where rowid in (select rowid from outbox where status = 'pending' and available_at <= ${now} order by available_at limit ${limit})
            returning *`;
      return (await q.execute(db)).rows;
    },
    /**
     * Settles claimed messages as delivered; fenced by the claim token (a lost lease writes
     * nothing). Answers the ids settled. The ids go as one JSON (SQLite) or array (PostgreSQL)
     * parameter, so the statement's text is the same for any batch.
     */
    settleDelivered: async (tx: AnyDb, ws: string, ids: string[], token: string, now: number) =>
      (await tx.executeQuery<{ id: string }>(CompiledQuery.raw(settleDeliveredSql, [now, ws, token, dialect === 'postgres' ? ids : JSON.stringify(ids)]))).rows.map((r) => r.id),
    /**
     * A message list's chunk recorded: `fannedOut` of its messages are out; with its last chunk
     * the list is delivered, else it is due again at once for the next claim. Fenced by the claim
     * like settling; answers whether it was recorded.
     */
    async advanceList(tx: AnyDb, ws: string, id: string, token: string, fannedOut: number, last: boolean, now: number) {
      const r = await t(tx)
        .updateTable('outbox')
        .set({ fanned_out: fannedOut, lease_until: null, claimed_by: null, ...(last ? { status: 'delivered' as const, settled_at: now, last_error: null } : { available_at: now }) })
        .where('workspace_id', '=', ws)
        .where('id', '=', id)
        .where('claimed_by', '=', token)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    /** Gives claimed rows back, due at once (a claim holding more messages than one batch works). */
    release: (ws: string, ids: string[], token: string, now: number) =>
      t()
        .updateTable('outbox')
        .set({ available_at: now, lease_until: null, claimed_by: null })
        .where('workspace_id', '=', ws)
        .where('id', 'in', ids)
        .where('claimed_by', '=', token)
        .execute(),
    /** A failed attempt: due again at `retryAt`, or a dead letter when `retryAt` is null. */
    settleFailed: (tx: AnyDb, ws: string, id: string, token: string, now: number, retryAt: number | null, error: string) =>
      t(tx)
        .updateTable('outbox')
        .set(retryAt === null ? { status: 'dead', settled_at: now, lease_until: null, claimed_by: null, last_error: error } : { available_at: retryAt, lease_until: null, claimed_by: null, last_error: error })
        .where('workspace_id', '=', ws)
        .where('id', '=', id)
        .where('claimed_by', '=', token)
        .executeTakeFirst(),
    settleAs: (tx: AnyDb, ws: string, id: string, token: string, now: number, status: 'dead' | 'discarded', error: string) =>
      t(tx)
        .updateTable('outbox')
        .set({ status, settled_at: now, lease_until: null, claimed_by: null, last_error: error })
        .where('workspace_id', '=', ws)
        .where('id', '=', id)
        .where('claimed_by', '=', token)
        .execute(),
    insertOutbox: (tx: AnyDb, rows: OutboxTable[]) => insertRows(tx, 'outbox', rows as unknown as Record<string, unknown>[]),

    outboxMessage: (ws: string, id: string, tx?: AnyDb) => t(tx).selectFrom('outbox').selectAll().where('workspace_id', '=', ws).where('id', '=', id).executeTakeFirst(),
    listDead: (ws: string, after: string | undefined, limit: number) => {
      let q = db.selectFrom('outbox').selectAll().where('workspace_id', '=', ws).where('status', '=', 'dead');
      if (after) q = q.where('id', '>', after);
      return q.orderBy('id').limit(limit).execute();
    },
    updateOutbox: (tx: AnyDb, ws: string, id: string, patch: Partial<OutboxTable>) =>
      t(tx).updateTable('outbox').set(patch).where('workspace_id', '=', ws).where('id', '=', id).execute(),

    endpoint: (ws: string, id: string, tx?: AnyDb) =>
      t(tx).selectFrom('webhook_endpoints').selectAll().where('workspace_id', '=', ws).where('id', '=', id).executeTakeFirst(),
    endpointsByIds: (ws: string, ids: string[]) =>
      ids.length ? db.selectFrom('webhook_endpoints').selectAll().where('workspace_id', '=', ws).where('id', 'in', ids).execute() : Promise.resolve([]),
    /** The event_types (JSON) of a workspace's enabled endpoints, read with the caller's handle. */
    subscribedTypes: async (tx: AnyDb, ws: string) =>
      (await (tx as typeof db).selectFrom('webhook_endpoints').select('event_types').where('workspace_id', '=', ws).where('enabled', '=', 1).execute()).map((r) => r.event_types),
    /** subscribedTypes, synchronously, on a SQLite connection inside its transaction (prepared.ts's runSync). */
    subscribedTypesSync: (sqlite: SQLite.Database, ws: string) => (prepared(sqlite, SUBSCRIBED_TYPES_SQL).all(ws) as { event_types: string }[]).map((r) => r.event_types),
    enabledEndpoints: (ws: string) => db.selectFrom('webhook_endpoints').selectAll().where('workspace_id', '=', ws).where('enabled', '=', 1).execute(),
    listEndpoints: (ws: string, after: string | undefined, limit: number) => {
      let q = db.selectFrom('webhook_endpoints').selectAll().where('workspace_id', '=', ws);
      if (after) q = q.where('id', '>', after);
      return q.orderBy('id').limit(limit).execute();
    },
    insertEndpoint: (tx: AnyDb, row: WebhookEndpointsTable) => t(tx).insertInto('webhook_endpoints').values(row).execute(),
    updateEndpoint: (tx: AnyDb, ws: string, id: string, patch: Partial<WebhookEndpointsTable>) =>
      t(tx).updateTable('webhook_endpoints').set(patch).where('workspace_id', '=', ws).where('id', '=', id).execute(),
    /** Marks the start of a run of failures (kept when one is under way); answers the endpoint after. */
    markFailing: (tx: AnyDb, ws: string, id: string, now: number) =>
      t(tx).updateTable('webhook_endpoints').set({ failing_since: sql<number>`coalesce(failing_since, ${now})` }).where('workspace_id', '=', ws).where('id', '=', id).returningAll().executeTakeFirst(),
    /** Disables an endpoint still enabled; answers whether this call did it. */
    async disableEndpoint(tx: AnyDb, ws: string, id: string, reason: string, now: number) {
      const r = await t(tx).updateTable('webhook_endpoints').set({ enabled: 0, disabled_reason: reason, updated_at: now }).where('workspace_id', '=', ws).where('id', '=', id).where('enabled', '=', 1).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    clearFailing: (tx: AnyDb, ws: string, ids: string[]) =>
      t(tx).updateTable('webhook_endpoints').set({ failing_since: null }).where('workspace_id', '=', ws).where('id', 'in', ids).where('failing_since', 'is not', null).execute(),
    async deleteEndpoint(tx: AnyDb, ws: string, id: string) {
      const deliveries = t(tx).selectFrom('webhook_deliveries').select('id').where('workspace_id', '=', ws).where('endpoint_id', '=', id);
      await t(tx).deleteFrom('webhook_attempts').where('workspace_id', '=', ws).where('delivery_id', 'in', deliveries).execute();
      await t(tx).deleteFrom('webhook_deliveries').where('workspace_id', '=', ws).where('endpoint_id', '=', id).execute();
      await t(tx).deleteFrom('webhook_endpoints').where('workspace_id', '=', ws).where('id', '=', id).execute();
    },

    insertDeliveries: (tx: AnyDb, rows: WebhookDeliveriesTable[]) => insertRows(tx, 'webhook_deliveries', rows as unknown as Record<string, unknown>[]),
    delivery: (ws: string, id: string, tx?: AnyDb) => t(tx).selectFrom('webhook_deliveries').selectAll().where('workspace_id', '=', ws).where('id', '=', id).executeTakeFirst(),
    deliveriesByIds: (ws: string, ids: string[]) =>
      ids.length ? db.selectFrom('webhook_deliveries').selectAll().where('workspace_id', '=', ws).where('id', 'in', ids).execute() : Promise.resolve([]),
    /** An endpoint's deliveries, newest first. */
    listDeliveries: (ws: string, endpointId: string, before: string | undefined, limit: number) => {
      let q = db.selectFrom('webhook_deliveries').selectAll().where('workspace_id', '=', ws).where('endpoint_id', '=', endpointId);
      if (before) q = q.where('id', '<', before);
      return q.orderBy('id', 'desc').limit(limit).execute();
    },
    attemptsOf: (ws: string, deliveryIds: string[]) =>
      deliveryIds.length
        ? db.selectFrom('webhook_attempts').selectAll().where('workspace_id', '=', ws).where('delivery_id', 'in', deliveryIds).orderBy('id').execute()
        : Promise.resolve([] as WebhookAttemptsTable[]),
    insertAttempts: (tx: AnyDb, rows: WebhookAttemptsTable[]) => insertRows(tx, 'webhook_attempts', rows as unknown as Record<string, unknown>[]),
    /** The outcome of an attempt on a delivery's log row. */
    updateDeliveries: (tx: AnyDb, ws: string, ids: string[], patch: Partial<WebhookDeliveriesTable>, countAttempt: boolean) =>
      t(tx)
        .updateTable('webhook_deliveries')
        .set(countAttempt ? { ...patch, attempts: sql<number>`attempts + 1` } : patch)
        .where('workspace_id', '=', ws)
        .where('id', 'in', ids)
        .execute(),

    /** Endpoints with a secret still stored in plain text (written before secrets were sealed), any workspace. */
    plainSecrets: (limit: number) =>
      db
        .selectFrom('webhook_endpoints')
        .select(['workspace_id', 'id', 'secret', 'previous_secret'])
        .where((eb) => eb.or([eb('secret', 'not like', 'enc1:%'), eb.and([eb('previous_secret', 'is not', null), eb('previous_secret', 'not like', 'enc1:%')])]))
        .limit(limit)
        .execute(),
    /** Replaces an endpoint's stored secrets, only if they are still `from` (a rotation meanwhile wins). */
    async replaceSecrets(ws: string, id: string, from: { secret: string; previous_secret: string | null }, to: { secret: string; previous_secret: string | null }) {
      let q = db.updateTable('webhook_endpoints').set(to).where('workspace_id', '=', ws).where('id', '=', id).where('secret', '=', from.secret);
      q = from.previous_secret === null ? q.where('previous_secret', 'is', null) : q.where('previous_secret', '=', from.previous_secret);
      return Number((await q.executeTakeFirst()).numUpdatedRows) === 1;
    },
    /**
     * Deletes up to `limit` outbox rows delivered or discarded before `before` (dead letters and
     * pending rows stay). Settled rows have available_at at most a lease after settled_at, so the
     * (status, available_at) index finds them.
     */
    async purgeSettled(before: number, limit: number) {
      const r = await sql`delete from outbox where (workspace_id, id) in (
          select workspace_id, id from outbox where status in ('delivered', 'discarded') and available_at < ${before} and settled_at < ${before} limit ${limit})`.execute(db);
      return Number(r.numAffectedRows ?? 0);
    },
    /** The workspaces with webhook endpoints (every delivery belongs to one). */
    endpointWorkspaces: async () => (await db.selectFrom('webhook_endpoints').select('workspace_id').distinct().execute()).map((r) => r.workspace_id),
    /**
     * Up to `limit` of a workspace's deliveries settled (delivered or discarded) with no attempt
     * since `before`; `idBelow` bounds the scan (ids start with their time).
     */
    oldDeliveries: async (ws: string, idBelow: string, before: number, limit: number) =>
      (
        await db
          .selectFrom('webhook_deliveries')
          .select('id')
          .where('workspace_id', '=', ws)
          .where('id', '<', idBelow)
          .where('status', 'in', ['delivered', 'discarded'])
          .where((eb) => eb(eb.fn.coalesce('last_attempt_at', 'created_at'), '<', before))
          .limit(limit)
          .execute()
      ).map((r) => r.id),
    /** Deletes deliveries and their attempts (in the caller's transaction). */
    async deleteDeliveries(tx: AnyDb, ws: string, ids: string[]) {
      if (!ids.length) return;
      await t(tx).deleteFrom('webhook_attempts').where('workspace_id', '=', ws).where('delivery_id', 'in', ids).execute();
      await t(tx).deleteFrom('webhook_deliveries').where('workspace_id', '=', ws).where('id', 'in', ids).execute();
    },
  };
}
export type CommsRepository = ReturnType<typeof createCommsRepository>;
