import type { Kysely, Migration } from 'kysely';

// The delivery worker's own schema changes (comms.migrations.ts holds the module's tables).
export const deliveryMigrations: Record<string, Migration> = {
  // A first attempt that succeeds is kept on its delivery's row (status code, time, and now its
  // duration) rather than as an attempt row: most deliveries write one row, not two.
  '20261205_0100_webhook_delivery_duration': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('webhook_deliveries').addColumn('last_duration_ms', 'integer').execute();
    },
  },
};
