import type { Kysely, Migration } from 'kysely';

export const moneyMigrations: Record<string, Migration> = {
  // The money reports (issue #6) read orders by when they were created: redeemed value by
  // period and the accounting export both ask for a window of a workspace's orders.
  '20261206_0200_redemptions_created': {
    async up(db: Kysely<unknown>) {
      await db.schema.createIndex('redemptions_created').on('redemptions').columns(['workspace_id', 'created_at', 'id']).execute();
    },
  },
};
