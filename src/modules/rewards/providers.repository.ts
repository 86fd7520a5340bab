import { sql, type Kysely } from 'kysely';
import type { AnyDb, Dialect } from '../../core/db/db.js';
import type { FulfilmentCallbacksTable, FulfilmentTables, FulfilmentVendorsTable, RewardCodesTable } from './providers.tables.js';
import type { RewardsTables } from './rewards.tables.js';

type Db = Kysely<FulfilmentTables & RewardsTables>;

/** A pool: a reward's codes, or one variant's. */
export interface Pool {
  rewardId: string;
  variantId: string | null;
}

/** The queries of the automated providers: code pools, vendors, the orders sent and their callbacks. */
export function createProvidersRepository(anyDb: AnyDb) {
  const db = anyDb as Db;
  const t = (tx?: AnyDb) => (tx ?? db) as Db;
  const inPool = (ws: string, p: Pool, tx?: AnyDb) => {
    const q = t(tx).selectFrom('reward_codes').where('workspace_id', '=', ws).where('reward_id', '=', p.rewardId);
    return p.variantId === null ? q.where('variant_id', 'is', null) : q.where('variant_id', '=', p.variantId);
  };
  return {
    /** Inserts the codes whose hash the workspace does not hold yet; answers the hashes stored. */
    async insertCodes(tx: AnyDb, rows: RewardCodesTable[]): Promise<Set<string>> {
      const stored = new Set<string>();
      for (let i = 0; i < rows.length; i += 500) {
        const got = await t(tx)
          .insertInto('reward_codes')
          .values(rows.slice(i, i + 500))
          .onConflict((oc) => oc.columns(['workspace_id', 'code_hash']).doNothing())
          .returning('code_hash')
          .execute();
        for (const r of got) stored.add(r.code_hash);
      }
      return stored;
    },
    /**
     * Gives the pool's next free code (soonest to expire first, expired ones never) to an order.
     * PostgreSQL: the candidate row is locked, and rows other transactions hold are skipped, so
     * concurrent orders take different codes; SQLite has one writer. The update is conditional
     * anyway: a code already given is never given again.
     */
    async assignCode(tx: AnyDb, dialect: Dialect, ws: string, p: Pool, redemptionId: string, today: string, now: number): Promise<boolean> {
      for (let tries = 0; tries < 5; tries++) {
        let q = inPool(ws, p, tx)
          .select('id')
          .where('redemption_id', 'is', null)
          .where((eb) => eb.or([eb('expires_on', 'is', null), eb('expires_on', '>=', today)]))
          .orderBy(sql`coalesce(expires_on, '9999-12-31')`)
          .orderBy('id')
          .limit(1);
        if (dialect === 'postgres') q = q.forUpdate().skipLocked();
        const free = await q.executeTakeFirst();
        if (!free) return false;
        const r = await t(tx).updateTable('reward_codes').set({ redemption_id: redemptionId, assigned_at: now }).where('workspace_id', '=', ws).where('id', '=', free.id).where('redemption_id', 'is', null).executeTakeFirst();
        if (Number(r.numUpdatedRows) === 1) return true;
      }
      return false;
    },
    /** Codes uploaded, still free (not expired), given, and expired unused: per pool of a reward. */
    async counts(ws: string, rewardId: string, today: string, tx?: AnyDb) {
      const rows = await t(tx)
        .selectFrom('reward_codes')
        .select((eb) => [
          'variant_id',
          eb.fn.countAll<number>().as('uploaded'),
          eb.fn.count<number>('redemption_id').as('assigned'),
          eb.fn.sum<number>(sql`case when redemption_id is null and expires_on is not null and expires_on < ${today} then 1 else 0 end`).as('expired'),
        ])
        .where('workspace_id', '=', ws)
        .where('reward_id', '=', rewardId)
        .groupBy('variant_id')
        .execute();
      return rows.map((r) => {
        const uploaded = Number(r.uploaded);
        const assigned = Number(r.assigned);
        const expired = Number(r.expired ?? 0);
        return { variantId: r.variant_id, uploaded, assigned, expired, available: uploaded - assigned - expired };
      });
    },
    async available(tx: AnyDb, ws: string, p: Pool, today: string) {
      const r = await inPool(ws, p, tx)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('redemption_id', 'is', null)
        .where((eb) => eb.or([eb('expires_on', 'is', null), eb('expires_on', '>=', today)]))
        .executeTakeFirst();
      return Number(r?.n ?? 0);
    },
    /** The sealed codes of orders (to open for their owner). */
    codesOfOrders: (ws: string, orderIds: string[]) =>
      orderIds.length
        ? db.selectFrom('reward_codes').select(['id', 'redemption_id', 'code_sealed']).where('workspace_id', '=', ws).where('redemption_id', 'in', orderIds).execute()
        : Promise.resolve([]),
    threshold: async (ws: string, rewardId: string, tx?: AnyDb) =>
      (await t(tx).selectFrom('reward_code_settings').select('low_threshold').where('workspace_id', '=', ws).where('reward_id', '=', rewardId).executeTakeFirst())?.low_threshold,
    setThreshold: (tx: AnyDb, ws: string, rewardId: string, n: number) =>
      t(tx)
        .insertInto('reward_code_settings')
        .values({ workspace_id: ws, reward_id: rewardId, low_threshold: n })
        .onConflict((oc) => oc.columns(['workspace_id', 'reward_id']).doUpdateSet({ low_threshold: n }))
        .execute(),
    /** Marks a pool alerted; false when it already was (one alert per crossing, even under concurrency). */
    async claimAlert(tx: AnyDb, ws: string, rewardId: string, pool: string, now: number) {
      const r = await t(tx).insertInto('reward_code_alerts').values({ workspace_id: ws, reward_id: rewardId, pool, alerted_at: now }).onConflict((oc) => oc.columns(['workspace_id', 'reward_id', 'pool']).doNothing()).executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    },
    rearmAlert: (tx: AnyDb, ws: string, rewardId: string, pool: string) => t(tx).deleteFrom('reward_code_alerts').where('workspace_id', '=', ws).where('reward_id', '=', rewardId).where('pool', '=', pool).execute(),
    /** Adds codes to the stock of a reward or variant (an unlimited stock becomes a count). */
    addStock: (tx: AnyDb, ws: string, table: 'rewards' | 'reward_variants', id: string, n: number) =>
      t(tx).updateTable(table).set({ stock: sql<number>`coalesce(stock, 0) + ${n}` }).where('workspace_id', '=', ws).where('id', '=', id).execute(),

    insertVendor: (tx: AnyDb, row: FulfilmentVendorsTable) => t(tx).insertInto('fulfilment_vendors').values(row).execute(),
    updateVendor: (tx: AnyDb, ws: string, id: string, patch: Partial<FulfilmentVendorsTable>) => t(tx).updateTable('fulfilment_vendors').set(patch).where('workspace_id', '=', ws).where('id', '=', id).execute(),
    deleteVendor: (tx: AnyDb, ws: string, id: string) => t(tx).deleteFrom('fulfilment_vendors').where('workspace_id', '=', ws).where('id', '=', id).execute(),
    vendor: (ws: string, id: string, tx?: AnyDb) => t(tx).selectFrom('fulfilment_vendors').selectAll().where('workspace_id', '=', ws).where('id', '=', id).executeTakeFirst(),
    /** A vendor by id alone: a callback's URL names no workspace. */
    vendorById: (id: string) => db.selectFrom('fulfilment_vendors').selectAll().where('id', '=', id).executeTakeFirst(),
    listVendors(ws: string, before: string | undefined, limit: number) {
      let q = db.selectFrom('fulfilment_vendors').selectAll().where('workspace_id', '=', ws);
      if (before) q = q.where('id', '<', before);
      return q.orderBy('id', 'desc').limit(limit).execute();
    },
    rewardsOfVendor: (ws: string, vendorId: string, tx?: AnyDb) => t(tx).selectFrom('rewards').select(['id', 'title']).where('workspace_id', '=', ws).where('vendor_id', '=', vendorId).execute(),
    rewardVendor: async (ws: string, rewardId: string, tx?: AnyDb) =>
      (await t(tx).selectFrom('rewards').select('vendor_id').where('workspace_id', '=', ws).where('id', '=', rewardId).executeTakeFirst())?.vendor_id ?? null,
    setRewardVendor: (tx: AnyDb, ws: string, rewardId: string, vendorId: string | null) => t(tx).updateTable('rewards').set({ vendor_id: vendorId }).where('workspace_id', '=', ws).where('id', '=', rewardId).execute(),
    insertVendorOrder: (tx: AnyDb, ws: string, redemptionId: string, vendorId: string, now: number) => t(tx).insertInto('vendor_orders').values({ workspace_id: ws, redemption_id: redemptionId, vendor_id: vendorId, sent_at: now }).execute(),
    vendorOrder: (ws: string, redemptionId: string, tx?: AnyDb) => t(tx).selectFrom('vendor_orders').selectAll().where('workspace_id', '=', ws).where('redemption_id', '=', redemptionId).executeTakeFirst(),
    callbackSeen: async (ws: string, vendorId: string, id: string) =>
      !!(await db.selectFrom('fulfilment_callbacks').select('id').where('workspace_id', '=', ws).where('vendor_id', '=', vendorId).where('id', '=', id).executeTakeFirst()),
    /** Stores a callback's id; false when it was already there (a replay). */
    async insertCallback(tx: AnyDb, row: FulfilmentCallbacksTable) {
      const r = await t(tx).insertInto('fulfilment_callbacks').values(row).onConflict((oc) => oc.columns(['workspace_id', 'vendor_id', 'id']).doNothing()).executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    },
  };
}
export type ProvidersRepository = ReturnType<typeof createProvidersRepository>;
