import type { Kysely } from 'kysely';
import type { AnyDb } from '../../core/db/db.js';
import type { RedemptionsTable, RewardsTables } from './rewards.tables.js';

type Db = Kysely<RewardsTables>;

/** The money reports' reads of orders: a window of orders with their reward's kind and title. */
export function createMoneyRepository(anyDb: AnyDb) {
  const db = anyDb as Db;
  return {
    /** Orders created in [from, to), oldest first, optionally of one status. */
    ordersBetween: (ws: string, from: number, to: number, status?: RedemptionsTable['status']) => {
      let q = db
        .selectFrom('redemptions as o')
        .innerJoin('rewards as r', (j) => j.onRef('r.workspace_id', '=', 'o.workspace_id').onRef('r.id', '=', 'o.reward_id'))
        .select(['o.id', 'o.person_id', 'o.reward_id', 'o.variant_id', 'o.quantity', 'o.points', 'o.status', 'o.transfer_id', 'o.refund_transfer_id', 'o.provider', 'o.created_at', 'r.title', 'r.kind'])
        .where('o.workspace_id', '=', ws)
        .where('o.created_at', '>=', from)
        .where('o.created_at', '<', to);
      if (status) q = q.where('o.status', '=', status);
      return q.orderBy('o.created_at').orderBy('o.id').execute();
    },
    /** When each refunded order left the path (its cancelled, rejected or failed step): the refund's date. */
    refundSteps: async (ws: string, orderIds: string[]) => {
      const out = new Map<string, number>();
      for (let i = 0; i < orderIds.length; i += 500) {
        const rows = await db
          .selectFrom('redemption_events')
          .select(['redemption_id', 'at'])
          .where('workspace_id', '=', ws)
          .where('redemption_id', 'in', orderIds.slice(i, i + 500))
          .where('status', 'in', ['cancelled', 'rejected', 'failed'])
          .execute();
        for (const r of rows) out.set(r.redemption_id, Math.max(out.get(r.redemption_id) ?? 0, Number(r.at)));
      }
      return out;
    },
  };
}
