import type { Kysely } from 'kysely';
import type { AnyDb } from '../../core/db/db.js';
import { sql } from 'kysely';
import type SQLite from 'better-sqlite3';
import { createBulkInserter, insertRowsSync } from '../../core/db/bulk.js';
import { prepared, preparedIn, sqliteIn } from '../../core/db/prepared.js';
import type { RedemptionEventsTable, RedemptionsTable, RewardImagesTable, RewardsTable, RewardsTables, RewardTerms, RewardVariantsTable } from './rewards.tables.js';

type Db = Kysely<RewardsTables>;

// A redemption's statements on SQLite inside its transaction: fixed text, prepared once
// (prepared.ts); every one names the workspace. Elsewhere (and on PostgreSQL) Kysely.
const REWARD_SQL = 'select * from rewards where workspace_id = ? and id = ?';
const REWARD_TERMS_SQL = 'select id, title, cost, stock, limit_rule, available_from, available_until, audience, requires_approval, ships, provider, promised_minutes, status from rewards where workspace_id = ? and id = ?';
const VARIANTS_OF_SQL = 'select * from reward_variants where workspace_id = ? and reward_id = ? order by position';
const ORDERED_SINCE_SQL = "select coalesce(sum(quantity), 0) as n from redemptions where workspace_id = ? and person_id = ? and reward_id = ? and created_at >= ? and status not in ('rejected', 'failed', 'cancelled')";
const TAKE_STOCK_SQL = {
  rewards: 'update rewards set stock = stock - ? where workspace_id = ? and id = ? and (stock is null or stock >= ?)',
  reward_variants: 'update reward_variants set stock = stock - ? where workspace_id = ? and id = ? and (stock is null or stock >= ?)',
};

/** The catalog's queries: rewards, variants, images, wish lists. */
export function createRewardsRepository(anyDb: AnyDb) {
  const db = anyDb as Db;
  const t = (tx?: AnyDb) => (tx ?? db) as Db;
  const insertRows = createBulkInserter();
  /** One row: on SQLite in a transaction by a prepared statement (bulk.ts), elsewhere by Kysely. */
  const insertOne = async (tx: AnyDb, table: 'redemptions' | 'redemption_events', row: RedemptionsTable | RedemptionEventsTable) => {
    if (sqliteIn(tx)) await insertRows(tx, table, [row as unknown as Record<string, unknown>]);
    else await t(tx).insertInto(table).values(row).execute();
  };
  return {
    /** A redemption's statements, synchronously, on a SQLite connection inside its transaction (prepared.ts's runSync). */
    sync: {
      /** The reward's terms (RewardTerms): a description can be long, and a redemption does not read it. */
      reward: (sqlite: SQLite.Database, ws: string, id: string) => prepared(sqlite, REWARD_TERMS_SQL).get(ws, id) as RewardTerms | undefined,
      variantsOf: (sqlite: SQLite.Database, ws: string, rewardId: string) => prepared(sqlite, VARIANTS_OF_SQL).all(ws, rewardId) as RewardVariantsTable[],
      orderedSince: (sqlite: SQLite.Database, ws: string, personId: string, rewardId: string, from: number) => Number((prepared(sqlite, ORDERED_SINCE_SQL).get(ws, personId, rewardId, from) as { n: number }).n),
      takeStock: (sqlite: SQLite.Database, ws: string, table: 'rewards' | 'reward_variants', id: string, n: number) => prepared(sqlite, TAKE_STOCK_SQL[table]).run(n, ws, id, n).changes === 1,
      insertRedemption: (sqlite: SQLite.Database, row: RedemptionsTable) => insertRowsSync(sqlite, 'redemptions', [row]),
      insertRedemptionEvent: (sqlite: SQLite.Database, row: RedemptionEventsTable) => insertRowsSync(sqlite, 'redemption_events', [row]),
    },
    insertReward: (tx: AnyDb, row: RewardsTable) => t(tx).insertInto('rewards').values(row).execute(),
    updateReward: (tx: AnyDb, ws: string, id: string, patch: Partial<RewardsTable>) => t(tx).updateTable('rewards').set(patch).where('workspace_id', '=', ws).where('id', '=', id).execute(),
    reward: async (ws: string, id: string, tx?: AnyDb): Promise<RewardsTable | undefined> => {
      const raw = preparedIn(tx, REWARD_SQL);
      if (raw) return raw.get(ws, id) as RewardsTable | undefined;
      return t(tx).selectFrom('rewards').selectAll().where('workspace_id', '=', ws).where('id', '=', id).executeTakeFirst();
    },
    list(ws: string, q: { before?: string; limit: number; status?: string; kind?: string; q?: string }) {
      let s = db.selectFrom('rewards').selectAll().where('workspace_id', '=', ws);
      if (q.status) s = s.where('status', '=', q.status as RewardsTable['status']);
      if (q.kind) s = s.where('kind', '=', q.kind);
      if (q.q) s = s.where((eb) => eb(eb.fn('lower', ['title']), 'like', `%${q.q!.toLowerCase().replace(/[%_\\]/g, (c) => `\\${c}`)}%`));
      if (q.before) s = s.where('id', '<', q.before);
      return s.orderBy('id', 'desc').limit(q.limit).execute();
    },
    rewardsByIds: (ws: string, ids: string[]) => (ids.length ? db.selectFrom('rewards').selectAll().where('workspace_id', '=', ws).where('id', 'in', ids).execute() : Promise.resolve([] as RewardsTable[])),
    /** Every active reward of a workspace (a catalog is filtered per person in the service). */
    active: (ws: string) => db.selectFrom('rewards').selectAll().where('workspace_id', '=', ws).where('status', '=', 'active').orderBy('id', 'desc').execute(),

    variantsOf: async (ws: string, rewardIds: string[], tx?: AnyDb): Promise<RewardVariantsTable[]> => {
      const raw = rewardIds.length === 1 ? preparedIn(tx, VARIANTS_OF_SQL) : null;
      if (raw) return raw.all(ws, rewardIds[0]) as RewardVariantsTable[];
      return rewardIds.length ? t(tx).selectFrom('reward_variants').selectAll().where('workspace_id', '=', ws).where('reward_id', 'in', rewardIds).orderBy('position').execute() : [];
    },
    /** Variants' names by id (orders name theirs in lists and exports). */
    variantNames: async (ws: string, ids: string[]) =>
      new Map((ids.length ? await db.selectFrom('reward_variants').select(['id', 'name']).where('workspace_id', '=', ws).where('id', 'in', ids).execute() : []).map((v) => [v.id, v.name])),
    insertVariants: (tx: AnyDb, rows: RewardVariantsTable[]) => (rows.length ? t(tx).insertInto('reward_variants').values(rows).execute() : Promise.resolve()),
    updateVariant: (tx: AnyDb, ws: string, id: string, patch: Partial<RewardVariantsTable>) => t(tx).updateTable('reward_variants').set(patch).where('workspace_id', '=', ws).where('id', '=', id).execute(),

    imagesOf: (ws: string, rewardIds: string[]) =>
      rewardIds.length
        ? db.selectFrom('reward_images').select(['workspace_id', 'id', 'reward_id', 'content_type', 'bytes', 'sha256', 'position', 'created_at']).where('workspace_id', '=', ws).where('reward_id', 'in', rewardIds).orderBy('position').execute()
        : Promise.resolve([] as Omit<RewardImagesTable, 'data'>[]),
    image: (ws: string, id: string) => db.selectFrom('reward_images').selectAll().where('workspace_id', '=', ws).where('id', '=', id).executeTakeFirst(),
    insertImage: (tx: AnyDb, row: RewardImagesTable) => t(tx).insertInto('reward_images').values(row).execute(),
    deleteImage: (tx: AnyDb, ws: string, rewardId: string, id: string) => t(tx).deleteFrom('reward_images').where('workspace_id', '=', ws).where('reward_id', '=', rewardId).where('id', '=', id).executeTakeFirst(),

    /** Takes stock: false when less than `n` is left (an unlimited stock always gives). */
    async takeStock(tx: AnyDb, ws: string, table: 'rewards' | 'reward_variants', id: string, n: number) {
      const raw = preparedIn(tx, TAKE_STOCK_SQL[table]);
      if (raw) return raw.run(n, ws, id, n).changes === 1;
      const r = await t(tx)
        .updateTable(table)
        .set({ stock: sql<number>`stock - ${n}` })
        .where('workspace_id', '=', ws)
        .where('id', '=', id)
        .where((eb) => eb.or([eb('stock', 'is', null), eb('stock', '>=', n)]))
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    giveBackStock: (tx: AnyDb, ws: string, table: 'rewards' | 'reward_variants', id: string, n: number) =>
      t(tx).updateTable(table).set({ stock: sql<number>`stock + ${n}` }).where('workspace_id', '=', ws).where('id', '=', id).where('stock', 'is not', null).execute(),
    /** How many of a reward a person holds in orders still standing since `from`. */
    async orderedSince(tx: AnyDb, ws: string, personId: string, rewardId: string, from: number) {
      const raw = preparedIn(tx, ORDERED_SINCE_SQL);
      if (raw) return Number((raw.get(ws, personId, rewardId, from) as { n: number }).n);
      const r = await t(tx)
        .selectFrom('redemptions')
        .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('quantity'), sql<number>`0`).as('n'))
        .where('workspace_id', '=', ws)
        .where('person_id', '=', personId)
        .where('reward_id', '=', rewardId)
        .where('created_at', '>=', from)
        .where('status', 'not in', ['rejected', 'failed', 'cancelled'])
        .executeTakeFirst();
      return Number(r?.n ?? 0);
    },
    insertRedemption: (tx: AnyDb, row: RedemptionsTable) => insertOne(tx, 'redemptions', row),
    updateRedemption: (tx: AnyDb, ws: string, id: string, patch: Partial<RedemptionsTable>) => t(tx).updateTable('redemptions').set(patch).where('workspace_id', '=', ws).where('id', '=', id).execute(),
    redemption: (ws: string, id: string, tx?: AnyDb) => t(tx).selectFrom('redemptions').selectAll().where('workspace_id', '=', ws).where('id', '=', id).executeTakeFirst(),
    listRedemptions(ws: string, q: { before?: string; limit: number; status?: string; personId?: string }) {
      let s = db.selectFrom('redemptions').selectAll().where('workspace_id', '=', ws);
      if (q.status) s = s.where('status', '=', q.status as RedemptionsTable['status']);
      if (q.personId) s = s.where('person_id', '=', q.personId);
      if (q.before) s = s.where('id', '<', q.before);
      return s.orderBy('id', 'desc').limit(q.limit).execute();
    },
    insertRedemptionEvent: (tx: AnyDb, row: RedemptionEventsTable) => insertOne(tx, 'redemption_events', row),
    redemptionEvents: (ws: string, ids: string[], tx?: AnyDb) =>
      ids.length ? t(tx).selectFrom('redemption_events').selectAll().where('workspace_id', '=', ws).where('redemption_id', 'in', ids).orderBy('redemption_id').orderBy('seq').execute() : Promise.resolve([] as RedemptionEventsTable[]),

    wishlist: (ws: string, personId: string) => db.selectFrom('wishlist').selectAll().where('workspace_id', '=', ws).where('person_id', '=', personId).orderBy('created_at').execute(),
    addWish: (ws: string, personId: string, rewardId: string, now: number) =>
      db.insertInto('wishlist').values({ workspace_id: ws, person_id: personId, reward_id: rewardId, created_at: now }).onConflict((oc) => oc.columns(['workspace_id', 'person_id', 'reward_id']).doNothing()).execute(),
    removeWishes: (tx: AnyDb, ws: string, personId: string) => t(tx).deleteFrom('wishlist').where('workspace_id', '=', ws).where('person_id', '=', personId).execute(),
    removeWish: (ws: string, personId: string, rewardId: string) => db.deleteFrom('wishlist').where('workspace_id', '=', ws).where('person_id', '=', personId).where('reward_id', '=', rewardId).executeTakeFirst(),
  };
}
export type RewardsRepository = ReturnType<typeof createRewardsRepository>;
