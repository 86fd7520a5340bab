import type { Kysely } from 'kysely';
import type { AnyDb } from '../../core/db/db.js';
import type { RedemptionsTable, RewardsTables } from './rewards.tables.js';
import { OPEN_STATUSES } from './redemptions.service.js';

type Db = Kysely<RewardsTables>;

/** The fulfilment queue's queries: the export, late orders and their one alert, the delivery report's rows. */
export function createFulfilmentRepository(anyDb: AnyDb) {
  const db = anyDb as Db;
  const t = (tx?: AnyDb) => (tx ?? db) as Db;
  return {
    /** Orders for the CSV export, oldest first (the order a queue is worked in). */
    queue(ws: string, q: { status?: string; provider?: string; rewardId?: string; limit: number }) {
      let s = db.selectFrom('redemptions').selectAll().where('workspace_id', '=', ws);
      if (q.status) s = s.where('status', '=', q.status as RedemptionsTable['status']);
      if (q.provider) s = s.where('provider', '=', q.provider);
      if (q.rewardId) s = s.where('reward_id', '=', q.rewardId);
      return s.orderBy('id').limit(q.limit).execute();
    },
    rewardTitle: async (tx: AnyDb, ws: string, id: string) =>
      (await t(tx).selectFrom('rewards').select('title').where('workspace_id', '=', ws).where('id', '=', id).executeTakeFirst())?.title ?? 'your reward',
    /** Open orders past their promise that no alert went out for yet. */
    lateUnalerted: (ws: string, now: number, limit: number) =>
      db
        .selectFrom('redemptions')
        .selectAll()
        .where('workspace_id', '=', ws)
        .where('late_alerted_at', 'is', null)
        .where('promised_by', '<', now)
        .where('status', 'in', [...OPEN_STATUSES])
        .orderBy('promised_by')
        .limit(limit)
        .execute(),
    /** Takes the order's one late alert: true for the one caller whose update found it untaken. */
    async claimLateAlert(tx: AnyDb, ws: string, id: string, now: number) {
      const r = await t(tx).updateTable('redemptions').set({ late_alerted_at: now }).where('workspace_id', '=', ws).where('id', '=', id).where('late_alerted_at', 'is', null).where('status', 'in', [...OPEN_STATUSES]).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    /** The orders created in [from, to), with only what the delivery report needs. */
    reportRows: (ws: string, from: number, to: number) =>
      db
        .selectFrom('redemptions')
        .select(['id', 'reward_id', 'provider', 'status', 'created_at', 'promised_by', 'delivered_at', 'earned_at'])
        .where('workspace_id', '=', ws)
        .where('created_at', '>=', from)
        .where('created_at', '<', to)
        .execute(),
  };
}
export type FulfilmentRepository = ReturnType<typeof createFulfilmentRepository>;
