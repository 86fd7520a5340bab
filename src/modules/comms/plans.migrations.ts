import type { Kysely, Migration } from 'kysely';

/** Communication plans and the cadence monitor (comms' own tables, apart from the delivery ones). */
export const plansMigrations: Record<string, Migration> = {
  '20261205_0100_comm_plans': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('comm_plan_entries')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('program_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('cron', 'text')
        .addColumn('send_at', 'bigint')
        .addColumn('days_before_end', 'integer')
        .addColumn('subject', 'text')
        .addColumn('text', 'text')
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('next_run_at', 'bigint')
        .addColumn('last_run_at', 'bigint')
        .addColumn('last_recipients', 'integer')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('comm_plan_entries_pk', ['workspace_id', 'id'])
        .addForeignKeyConstraint('comm_plan_entries_program_fk', ['workspace_id', 'program_id'], 'programs', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('comm_plan_entries_program').on('comm_plan_entries').columns(['workspace_id', 'program_id', 'id']).execute();
      // The scheduler's scan across workspaces: entries due by now.
      await db.schema.createIndex('comm_plan_entries_due').on('comm_plan_entries').columns(['next_run_at']).execute();
      await db.schema
        .createTable('comm_plan_runs')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('entry_id', 'text', (c) => c.notNull())
        .addColumn('program_id', 'text', (c) => c.notNull())
        .addColumn('due_at', 'bigint', (c) => c.notNull())
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('recipients', 'integer', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('comm_plan_runs_pk', ['workspace_id', 'id'])
        .addUniqueConstraint('comm_plan_runs_due', ['workspace_id', 'entry_id', 'due_at'])
        .execute();
      await db.schema
        .createTable('cadence_settings')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('program_id', 'text', (c) => c.notNull())
        .addColumn('window_days', 'integer', (c) => c.notNull())
        .addColumn('target_bp', 'integer', (c) => c.notNull())
        .addColumn('alert_person_ids', 'text', (c) => c.notNull())
        .addColumn('below_since', 'bigint')
        .addColumn('last_alert_at', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('cadence_settings_pk', ['workspace_id', 'program_id'])
        .addForeignKeyConstraint('cadence_settings_program_fk', ['workspace_id', 'program_id'], 'programs', ['workspace_id', 'id'])
        .execute();
    },
  },
};
