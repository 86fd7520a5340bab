import type { Kysely, Migration } from 'kysely';

export const providersMigrations: Record<string, Migration> = {
  // The automated fulfilment providers (issue #6): code pools (sealed codes, a keyed hash
  // unique per workspace, one order per code), their low-stock settings and alerts; fulfilment
  // vendors, the orders sent to each, and the callbacks they sent (replays are refused).
  '20261206_0500_fulfilment_providers': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('reward_codes')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('reward_id', 'text', (c) => c.notNull())
        .addColumn('variant_id', 'text')
        .addColumn('code_sealed', 'text', (c) => c.notNull())
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('expires_on', 'text')
        .addColumn('redemption_id', 'text')
        .addColumn('assigned_at', 'bigint')
        .addColumn('uploaded_by', 'text', (c) => c.notNull())
        .addColumn('uploaded_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('reward_codes_pk', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('reward_codes_hash').on('reward_codes').columns(['workspace_id', 'code_hash']).unique().execute();
      // The pool's free codes (assignment, counts), and an order's code (its owner reads it).
      await db.schema.createIndex('reward_codes_pool').on('reward_codes').columns(['workspace_id', 'reward_id', 'redemption_id', 'variant_id']).execute();
      await db.schema.createIndex('reward_codes_order').on('reward_codes').columns(['workspace_id', 'redemption_id']).execute();
      await db.schema
        .createTable('reward_code_settings')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('reward_id', 'text', (c) => c.notNull())
        .addColumn('low_threshold', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('reward_code_settings_pk', ['workspace_id', 'reward_id'])
        .execute();
      await db.schema
        .createTable('reward_code_alerts')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('reward_id', 'text', (c) => c.notNull())
        .addColumn('pool', 'text', (c) => c.notNull())
        .addColumn('alerted_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('reward_code_alerts_pk', ['workspace_id', 'reward_id', 'pool'])
        .execute();
      await db.schema.alterTable('rewards').addColumn('vendor_id', 'text').execute();
      await db.schema
        .createTable('fulfilment_vendors')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('allow_private_network', 'integer', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('fulfilment_vendors_pk', ['workspace_id', 'id'])
        .execute();
      // A callback names only the vendor (its URL has no workspace): found by id (not unique, so shardable).
      await db.schema.createIndex('fulfilment_vendors_id').on('fulfilment_vendors').columns(['id']).execute();
      await db.schema
        .createTable('vendor_orders')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('redemption_id', 'text', (c) => c.notNull())
        .addColumn('vendor_id', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('vendor_orders_pk', ['workspace_id', 'redemption_id'])
        .execute();
      await db.schema
        .createTable('fulfilment_callbacks')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('vendor_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('redemption_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('carrier', 'text')
        .addColumn('tracking_number', 'text')
        .addColumn('tracking_url', 'text')
        .addColumn('reason', 'text')
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('fulfilment_callbacks_pk', ['workspace_id', 'vendor_id', 'id'])
        .execute();
      await db.schema.createIndex('fulfilment_callbacks_order').on('fulfilment_callbacks').columns(['workspace_id', 'redemption_id']).execute();
    },
  },
};
