import type { Kysely, Migration } from 'kysely';

export const programsMigrations: Record<string, Migration> = {
  '20261123_0600_programs': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('programs')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('budget', 'bigint', (c) => c.notNull())
        .addColumn('funded', 'bigint', (c) => c.notNull())
        .addColumn('point_value_cents', 'integer', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('funding_source', 'text', (c) => c.notNull())
        .addColumn('holdout_percent', 'integer', (c) => c.notNull())
        .addColumn('starts_at', 'bigint')
        .addColumn('ends_at', 'bigint')
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('programs_pk', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('programs_status').on('programs').columns(['workspace_id', 'status']).execute();
      // Each version keeps its rules, audience and cap, and the time from which it applies.
      await db.schema
        .createTable('program_versions')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('program_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('rules', 'text', (c) => c.notNull())
        .addColumn('audience', 'text', (c) => c.notNull())
        .addColumn('cap', 'text')
        .addColumn('effective_from', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('program_versions_pk', ['workspace_id', 'program_id', 'version'])
        .execute();
      // What the engine decided for each event and program: paid, capped, out of budget, held out.
      await db.schema
        .createTable('award_outcomes')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('program_id', 'text', (c) => c.notNull())
        .addColumn('program_version', 'integer', (c) => c.notNull())
        .addColumn('rule_id', 'text')
        .addColumn('recipient_id', 'text')
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('points_due', 'bigint', (c) => c.notNull())
        .addColumn('points_paid', 'bigint', (c) => c.notNull())
        .addColumn('transfer_id', 'text')
        .addColumn('occurred_at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('award_outcomes_pk', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('award_outcomes_event').on('award_outcomes').columns(['workspace_id', 'event_id']).execute();
      await db.schema.createIndex('award_outcomes_program').on('award_outcomes').columns(['workspace_id', 'program_id', 'outcome']).execute();
    },
  },
  '20261123_0610_goals': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('goals')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('program_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('metric', 'text', (c) => c.notNull())
        .addColumn('period', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('default_target', 'bigint')
        .addColumn('tiers', 'text', (c) => c.notNull())
        .addColumn('close_after_days', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('goals_pk', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('goals_program').on('goals').columns(['workspace_id', 'program_id']).execute();
      // Targets (quotas) per person or team, for one period (period_start) or every period (0).
      await db.schema
        .createTable('goal_targets')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('goal_id', 'text', (c) => c.notNull())
        .addColumn('subject_id', 'text', (c) => c.notNull())
        .addColumn('period_start', 'bigint', (c) => c.notNull())
        .addColumn('target', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('goal_targets_pk', ['workspace_id', 'goal_id', 'subject_id', 'period_start'])
        .execute();
      // Projections written with the event: progress per subject and period, what each event
      // added (so a reversal can take it back), and the tiers paid.
      await db.schema
        .createTable('goal_progress')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('goal_id', 'text', (c) => c.notNull())
        .addColumn('subject_id', 'text', (c) => c.notNull())
        .addColumn('period_start', 'bigint', (c) => c.notNull())
        .addColumn('value', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('goal_progress_pk', ['workspace_id', 'goal_id', 'subject_id', 'period_start'])
        .execute();
      await db.schema
        .createTable('goal_contributions')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('goal_id', 'text', (c) => c.notNull())
        .addColumn('subject_id', 'text', (c) => c.notNull())
        .addColumn('period_start', 'bigint', (c) => c.notNull())
        .addColumn('delta', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('goal_contributions_pk', ['workspace_id', 'event_id', 'goal_id', 'subject_id'])
        .execute();
      await db.schema
        .createTable('goal_payouts')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('goal_id', 'text', (c) => c.notNull())
        .addColumn('subject_id', 'text', (c) => c.notNull())
        .addColumn('period_start', 'bigint', (c) => c.notNull())
        .addColumn('tier_percent', 'integer', (c) => c.notNull())
        .addColumn('transfer_ids', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('goal_payouts_pk', ['workspace_id', 'goal_id', 'subject_id', 'period_start', 'tier_percent'])
        .execute();
    },
  },
  '20261123_0620_outcomes_lighter': {
    async up(db: Kysely<unknown>) {
      // Written twice per event on the hot path and read by nothing yet: reports add it back when they need it.
      await db.schema.dropIndex('award_outcomes_program').execute();
    },
  },
  '20261205_0300_goal_period_closes': {
    async up(db: Kysely<unknown>) {
      // A goal's period once it closed (some days after it ended): when, and its final figures.
      await db.schema
        .createTable('goal_period_closes')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('goal_id', 'text', (c) => c.notNull())
        .addColumn('period_start', 'bigint', (c) => c.notNull())
        .addColumn('period_end', 'bigint', (c) => c.notNull())
        .addColumn('subjects', 'integer', (c) => c.notNull())
        .addColumn('reached_target', 'integer', (c) => c.notNull())
        .addColumn('closed_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('goal_period_closes_pk', ['workspace_id', 'goal_id', 'period_start'])
        .execute();
    },
  },
};
