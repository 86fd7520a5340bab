import type { Kysely, Migration } from 'kysely';
import { rebuildWithoutRowid } from '../../core/db/migrations.js';

export const rewardsMigrations: Record<string, Migration> = {
  // The catalog (issue #6): rewards, their variants with their own stock, images kept in the
  // database, and participants' wish lists. Orders and redemptions come with the ledger's side.
  '20261205_0300_rewards_catalog': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('rewards')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('category', 'text')
        .addColumn('cost', 'bigint', (c) => c.notNull())
        .addColumn('stock', 'bigint')
        .addColumn('limit_rule', 'text')
        .addColumn('available_from', 'bigint')
        .addColumn('available_until', 'bigint')
        .addColumn('audience', 'text', (c) => c.notNull())
        .addColumn('requires_approval', 'integer', (c) => c.notNull())
        .addColumn('ships', 'integer', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('promised_minutes', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('rewards_pk', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('rewards_status').on('rewards').columns(['workspace_id', 'status', 'id']).execute();
      await db.schema
        .createTable('reward_variants')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('reward_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('options', 'text', (c) => c.notNull())
        .addColumn('stock', 'bigint')
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('active', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('reward_variants_pk', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('reward_variants_reward').on('reward_variants').columns(['workspace_id', 'reward_id', 'position']).execute();
      await db.schema
        .createTable('reward_images')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('reward_id', 'text', (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('bytes', 'integer', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('reward_images_pk', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('reward_images_reward').on('reward_images').columns(['workspace_id', 'reward_id', 'position']).execute();
      await db.schema
        .createTable('wishlist')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('person_id', 'text', (c) => c.notNull())
        .addColumn('reward_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('wishlist_pk', ['workspace_id', 'person_id', 'reward_id'])
        .execute();
    },
  },
  // Orders (issue #6): one per redemption, with the ledger transfer that paid it and, after a
  // cancellation, the one that refunded it; and each order's timeline.
  '20261205_0400_redemptions': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('redemptions')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('person_id', 'text', (c) => c.notNull())
        .addColumn('reward_id', 'text', (c) => c.notNull())
        .addColumn('variant_id', 'text')
        .addColumn('quantity', 'integer', (c) => c.notNull())
        .addColumn('points', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('shipping', 'text')
        .addColumn('transfer_id', 'text', (c) => c.notNull())
        .addColumn('refund_transfer_id', 'text')
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('promised_by', 'bigint', (c) => c.notNull())
        .addColumn('placed_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('redemptions_pk', ['workspace_id', 'id'])
        .execute();
      // A person's orders of a reward (limits), and everyone's by status (the admin's queues).
      await db.schema.createIndex('redemptions_person').on('redemptions').columns(['workspace_id', 'person_id', 'reward_id', 'created_at']).execute();
      await db.schema.createIndex('redemptions_status').on('redemptions').columns(['workspace_id', 'status', 'id']).execute();
      await db.schema
        .createTable('redemption_events')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('redemption_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('redemption_events_pk', ['workspace_id', 'redemption_id', 'seq'])
        .execute();
    },
  },
  // Each order step writes one row: as a WITHOUT ROWID table on SQLite its key is the table,
  // one b-tree fewer written per step (bench/redeem).
  '20261216_0110_redemption_events_without_rowid': {
    async up(db: Kysely<unknown>) {
      await rebuildWithoutRowid(db, 'redemption_events');
    },
  },
};
