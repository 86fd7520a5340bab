import { sql, type Kysely } from 'kysely';
import type { AnyDb } from '../../core/db/db.js';

export interface GoalsTable {
  workspace_id: string;
  id: string;
  program_id: string;
  name: string;
  metric: string;
  period: 'month' | 'quarter' | 'year' | 'program';
  scope: 'person' | 'team';
  default_target: number | null;
  tiers: string;
  close_after_days: number;
  created_at: number;
  updated_at: number;
}
interface GoalTargetsTable { workspace_id: string; goal_id: string; subject_id: string; period_start: number; target: number }
interface GoalProgressTable { workspace_id: string; goal_id: string; subject_id: string; period_start: number; value: number; updated_at: number }
interface GoalContributionsTable { workspace_id: string; event_id: string; goal_id: string; subject_id: string; period_start: number; delta: number }
interface GoalPayoutsTable { workspace_id: string; goal_id: string; subject_id: string; period_start: number; tier_percent: number; transfer_ids: string; created_at: number }
export interface GoalPeriodClosesTable { workspace_id: string; goal_id: string; period_start: number; period_end: number; subjects: number; reached_target: number; closed_at: number }
interface Tables {
  goal_period_closes: GoalPeriodClosesTable;
  goals: GoalsTable;
  goal_targets: GoalTargetsTable;
  goal_progress: GoalProgressTable;
  goal_contributions: GoalContributionsTable;
  goal_payouts: GoalPayoutsTable;
}
type Key = { goalId: string; subjectId: string; periodStart: number };

export function createGoalsRepository(anyDb: AnyDb) {
  const base = anyDb as Kysely<Tables>;
  const t = (tx?: AnyDb) => (tx ?? base) as Kysely<Tables>;
  return {
    insert: (tx: AnyDb, row: GoalsTable) => t(tx).insertInto('goals').values(row).execute(),
    get: (tx: AnyDb | undefined, ws: string, id: string) => t(tx).selectFrom('goals').selectAll().where('workspace_id', '=', ws).where('id', '=', id).executeTakeFirst(),
    list: (ws: string, programId?: string) => {
      let q = base.selectFrom('goals').selectAll().where('workspace_id', '=', ws);
      if (programId) q = q.where('program_id', '=', programId);
      return q.orderBy('id').execute();
    },
    ofPrograms: (tx: AnyDb | undefined, ws: string, programIds: string[]) =>
      programIds.length ? t(tx).selectFrom('goals').selectAll().where('workspace_id', '=', ws).where('program_id', 'in', programIds).orderBy('id').execute() : Promise.resolve([]),

    upsertTarget: async (tx: AnyDb, row: GoalTargetsTable) => {
      await t(tx).insertInto('goal_targets').values(row).onConflict((oc) => oc.columns(['workspace_id', 'goal_id', 'subject_id', 'period_start']).doUpdateSet({ target: row.target })).execute();
    },
    /** The target for this period, else the one for every period. */
    target: async (tx: AnyDb | undefined, ws: string, k: Key) => {
      const rows = await t(tx).selectFrom('goal_targets').select(['period_start', 'target']).where('workspace_id', '=', ws).where('goal_id', '=', k.goalId).where('subject_id', '=', k.subjectId).where('period_start', 'in', [k.periodStart, 0]).execute();
      const exact = rows.find((r) => Number(r.period_start) === k.periodStart && k.periodStart !== 0);
      return Number((exact ?? rows.find((r) => Number(r.period_start) === 0))?.target ?? NaN);
    },
    targetsFor: (ws: string, goalId: string, periodStart: number) =>
      base.selectFrom('goal_targets').select(['subject_id', 'period_start', 'target']).where('workspace_id', '=', ws).where('goal_id', '=', goalId).where('period_start', 'in', [periodStart, 0]).execute(),

    addProgress: async (tx: AnyDb, ws: string, k: Key, delta: number, now: number) => {
      await t(tx)
        .insertInto('goal_progress')
        .values({ workspace_id: ws, goal_id: k.goalId, subject_id: k.subjectId, period_start: k.periodStart, value: delta, updated_at: now })
        .onConflict((oc) => oc.columns(['workspace_id', 'goal_id', 'subject_id', 'period_start']).doUpdateSet({ value: sql`goal_progress.value + ${delta}`, updated_at: now }))
        .execute();
      const r = await t(tx).selectFrom('goal_progress').select('value').where('workspace_id', '=', ws).where('goal_id', '=', k.goalId).where('subject_id', '=', k.subjectId).where('period_start', '=', k.periodStart).executeTakeFirstOrThrow();
      return Number(r.value);
    },
    progressFor: (ws: string, goalId: string, periodStart: number, subjectId?: string) => {
      let q = base.selectFrom('goal_progress').select(['subject_id', 'value']).where('workspace_id', '=', ws).where('goal_id', '=', goalId).where('period_start', '=', periodStart);
      if (subjectId) q = q.where('subject_id', '=', subjectId);
      return q.orderBy('subject_id').execute();
    },
    insertContribution: (tx: AnyDb, row: GoalContributionsTable) => t(tx).insertInto('goal_contributions').values(row).execute(),
    contributionsOf: (tx: AnyDb, ws: string, eventId: string) => t(tx).selectFrom('goal_contributions').selectAll().where('workspace_id', '=', ws).where('event_id', '=', eventId).execute(),
    deleteContributions: (tx: AnyDb, ws: string, eventId: string) => t(tx).deleteFrom('goal_contributions').where('workspace_id', '=', ws).where('event_id', '=', eventId).execute(),

    payouts: async (tx: AnyDb | undefined, ws: string, k: Key) =>
      (await t(tx).selectFrom('goal_payouts').select(['tier_percent', 'transfer_ids']).where('workspace_id', '=', ws).where('goal_id', '=', k.goalId).where('subject_id', '=', k.subjectId).where('period_start', '=', k.periodStart).execute()).map((r) => ({ percent: r.tier_percent, transferIds: JSON.parse(r.transfer_ids) as string[] })),
    insertPayout: (tx: AnyDb, ws: string, k: Key, percent: number, transferIds: string[], now: number) =>
      t(tx).insertInto('goal_payouts').values({ workspace_id: ws, goal_id: k.goalId, subject_id: k.subjectId, period_start: k.periodStart, tier_percent: percent, transfer_ids: JSON.stringify(transferIds), created_at: now }).execute(),
    /** Goals whose periods close (all but program-long ones). */
    periodic: (ws: string) => base.selectFrom('goals').selectAll().where('workspace_id', '=', ws).where('period', '!=', 'program').orderBy('id').execute(),
    /** Periods with progress that have not been closed yet. */
    openPeriods: async (ws: string, goalId: string) => {
      const rows = await base
        .selectFrom('goal_progress')
        .select('period_start')
        .distinct()
        .where('workspace_id', '=', ws)
        .where('goal_id', '=', goalId)
        .where((eb) => eb.not(eb.exists(eb.selectFrom('goal_period_closes as c').select('c.goal_id').whereRef('c.workspace_id', '=', 'goal_progress.workspace_id').whereRef('c.goal_id', '=', 'goal_progress.goal_id').whereRef('c.period_start', '=', 'goal_progress.period_start'))))
        .orderBy('period_start')
        .execute();
      return rows.map((r) => Number(r.period_start));
    },
    insertClose: (tx: AnyDb, row: GoalPeriodClosesTable) => t(tx).insertInto('goal_period_closes').values(row).onConflict((oc) => oc.columns(['workspace_id', 'goal_id', 'period_start']).doNothing()).executeTakeFirst(),
    closeOf: (ws: string, goalId: string, periodStart: number) => base.selectFrom('goal_period_closes').selectAll().where('workspace_id', '=', ws).where('goal_id', '=', goalId).where('period_start', '=', periodStart).executeTakeFirst(),
    deletePayout: (tx: AnyDb, ws: string, k: Key, percent: number) =>
      t(tx).deleteFrom('goal_payouts').where('workspace_id', '=', ws).where('goal_id', '=', k.goalId).where('subject_id', '=', k.subjectId).where('period_start', '=', k.periodStart).where('tier_percent', '=', percent).execute(),
  };
}
export type GoalsRepository = ReturnType<typeof createGoalsRepository>;
