import type { Kysely, Migration } from 'kysely';

export const fulfilmentMigrations: Record<string, Migration> = {
  // Fulfilment (issue #6): what the manual queue records (carrier, tracking, delivery time),
  // when the points spent were earned (earn → order, from the lots the spend took), and when the
  // reward managers were told the order is late (set once: the alert never repeats).
  '20261206_0500_redemptions_fulfilment': {
    async up(db: Kysely<unknown>) {
      for (const [name, type] of [['carrier', 'text'], ['tracking_number', 'text'], ['tracking_url', 'text'], ['delivered_at', 'bigint'], ['earned_at', 'bigint'], ['late_alerted_at', 'bigint']] as const)
        await db.schema.alterTable('redemptions').addColumn(name, type).execute();
      // The late check: open orders past their promise, not yet alerted. (The delivery report reads orders by creation: redemptions_created.)
      await db.schema.createIndex('redemptions_promise').on('redemptions').columns(['workspace_id', 'late_alerted_at', 'promised_by']).execute();
    },
  },
};
