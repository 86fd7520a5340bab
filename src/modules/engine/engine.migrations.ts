import type { Kysely, Migration } from 'kysely';

export const engineMigrations: Record<string, Migration> = {
  '20261123_0500_event_types': {
    async up(db: Kysely<unknown>) {
      // Only a workspace's own types; the built-in vocabulary lives in code (engine.vocabulary.ts).
      await db.schema
        .createTable('event_types')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('schema', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('event_types_pk', ['workspace_id', 'name'])
        .execute();
    },
  },
};
