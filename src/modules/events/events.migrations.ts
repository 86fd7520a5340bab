import { sql, type Kysely, type Migration } from 'kysely';

export const eventsMigrations: Record<string, Migration> = {
  '20261123_0700_events': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('events')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('external_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('occurred_at', 'bigint', (c) => c.notNull())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addColumn('person_id', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text')
        .addColumn('team_id', 'text')
        .addColumn('properties', 'text', (c) => c.notNull())
        .addColumn('reverses', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reversed_at', 'bigint')
        .addColumn('reversal_reason', 'text')
        .addPrimaryKeyConstraint('events_pk', ['workspace_id', 'id'])
        // The idempotency key of ingestion: a replay is reported, never applied again.
        .addUniqueConstraint('events_source_external_id', ['workspace_id', 'source', 'external_id'])
        .execute();
      await db.schema.createIndex('events_person').on('events').columns(['workspace_id', 'person_id', 'occurred_at']).execute();
      await db.schema.createIndex('events_account').on('events').columns(['workspace_id', 'account_id', 'occurred_at']).execute();
      await db.schema.createIndex('events_type').on('events').columns(['workspace_id', 'type', 'occurred_at']).execute();
    },
  },
  '20261124_0710_events_indexes_by_arrival': {
    async up(db: Kysely<unknown>) {
      // The log is read newest first by arrival (id), filtered by person, account or type: the
      // indexes follow that order. They also take each new event at the end of its range, where
      // indexes by occurred_at took late events in the middle (a page written per event).
      for (const [name, column] of [['events_person', 'person_id'], ['events_account', 'account_id'], ['events_type', 'type']] as const) {
        await db.schema.dropIndex(name).execute();
        await db.schema.createIndex(name).on('events').columns(['workspace_id', column, 'id']).execute();
      }
    },
  },
  '20261215_0310_events_account_partial': {
    async up(db: Kysely<unknown>) {
      // Events about people without an account (employees) have nothing to find by account: the
      // index keeps only events with one, so their writes skip it (a search for an account,
      // `account_id = ?`, implies not null and still uses it).
      await db.schema.dropIndex('events_account').execute();
      await db.schema.createIndex('events_account').on('events').columns(['workspace_id', 'account_id', 'id']).where(sql.ref('account_id'), 'is not', null).execute();
    },
  },
};
