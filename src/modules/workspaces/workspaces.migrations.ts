import type { Kysely, Migration } from 'kysely';

export const workspacesMigrations: Record<string, Migration> = {
  '20261123_0100_workspaces': {
    async up(db: Kysely<unknown>) {
      // The tenant root: its id is the workspace_id every other table starts its keys with.
      await db.schema
        .createTable('workspaces')
        .addColumn('workspace_id', 'text', (c) => c.primaryKey().notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('slug', 'text', (c) => c.notNull().unique())
        .addColumn('timezone', 'text', (c) => c.notNull())
        .addColumn('points_label', 'text', (c) => c.notNull())
        .addColumn('anonymity_threshold', 'integer', (c) => c.notNull())
        .addColumn('points_expire_months', 'integer')
        .addColumn('locale', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '20261124_0610_workspace_brand': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('workspaces').addColumn('brand_color', 'text').execute();
      await db.schema.alterTable('workspaces').addColumn('logo_url', 'text').execute();
    },
  },
  // Quiet hours for the whole workspace ("HH:MM-HH:MM", local time): participants who set none
  // get these; null: none.
  '20261205_0100_workspace_quiet_hours': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('workspaces').addColumn('quiet_hours', 'text').execute();
    },
  },
};
