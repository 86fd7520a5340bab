import { CompiledQuery, PostgresAdapter, sql, type Kysely } from 'kysely';
import type { AnyDb } from '../../core/db/db.js';
import { createBulkInserter } from '../../core/db/bulk.js';
import type { GoalsTable } from './goals.repository.js';

export interface ProgramsTable {
  workspace_id: string;
  id: string;
  name: string;
  description: string | null;
  status: 'draft' | 'active' | 'paused' | 'ended';
  budget: number;
  funded: number;
  point_value_cents: number;
  currency: string;
  funding_source: string;
  holdout_percent: number;
  starts_at: number | null;
  ends_at: number | null;
  version: number;
  created_at: number;
  updated_at: number;
}
export interface ProgramVersionsTable {
  workspace_id: string;
  program_id: string;
  version: number;
  rules: string;
  audience: string;
  cap: string | null;
  effective_from: number;
  created_at: number;
}
export interface AwardOutcomesTable {
  workspace_id: string;
  id: string;
  event_id: string;
  program_id: string;
  program_version: number;
  rule_id: string | null;
  recipient_id: string | null;
  outcome: string;
  points_due: number;
  points_paid: number;
  transfer_id: string | null;
  occurred_at: number;
  created_at: number;
}
interface Tables {
  programs: ProgramsTable;
  program_versions: ProgramVersionsTable;
  award_outcomes: AwardOutcomesTable;
}

const LIVE_PG = `with p as (select * from programs where workspace_id = $1 and status = 'active')
  select
    (select coalesce(json_agg(p order by p.id), '[]') from p) as programs,
    (select coalesce(json_agg(v order by v.program_id, v.version), '[]') from program_versions v where v.workspace_id = $1 and v.program_id in (select id from p)) as versions,
    (select coalesce(json_agg(g order by g.id), '[]') from goals g where g.workspace_id = $1 and g.program_id in (select id from p)) as goals`;

export function createProgramsRepository(anyDb: AnyDb) {
  const base = anyDb as Kysely<Tables>;
  const t = (tx?: AnyDb) => (tx ?? base) as Kysely<Tables>;
  const insertRows = createBulkInserter(300);
  return {
    get: (tx: AnyDb | undefined, ws: string, id: string) => t(tx).selectFrom('programs').selectAll().where('workspace_id', '=', ws).where('id', '=', id).executeTakeFirst(),
    list: (ws: string, q: { status?: string; after?: string; limit: number }) => {
      let query = base.selectFrom('programs').selectAll().where('workspace_id', '=', ws);
      if (q.status) query = query.where('status', '=', q.status as ProgramsTable['status']);
      if (q.after) query = query.where('id', '>', q.after);
      return query.orderBy('id').limit(q.limit).execute();
    },
    active: (tx: AnyDb | undefined, ws: string) => t(tx).selectFrom('programs').selectAll().where('workspace_id', '=', ws).where('status', '=', 'active').orderBy('id').execute(),
    /**
     * PostgreSQL: the active programs, their versions and their goals in one statement (one round
     * trip where three reads took three), each list as a JSON array in the order the separate
     * reads answer. Null on SQLite, where the reads run in process.
     */
    async live(tx: AnyDb, ws: string) {
      if (!(tx.getExecutor().adapter instanceof PostgresAdapter)) return null;
      const { rows } = await tx.executeQuery<{ programs: ProgramsTable[]; versions: ProgramVersionsTable[]; goals: GoalsTable[] }>(CompiledQuery.raw(LIVE_PG, [ws]));
      return rows[0]!;
    },
    insert: (tx: AnyDb, row: ProgramsTable) => t(tx).insertInto('programs').values(row).execute(),
    update: (tx: AnyDb, ws: string, id: string, patch: Partial<ProgramsTable>) => t(tx).updateTable('programs').set(patch).where('workspace_id', '=', ws).where('id', '=', id).execute(),
    versions: (tx: AnyDb | undefined, ws: string, programId: string) =>
      t(tx).selectFrom('program_versions').selectAll().where('workspace_id', '=', ws).where('program_id', '=', programId).orderBy('version').execute(),
    insertVersion: (tx: AnyDb, row: ProgramVersionsTable) => t(tx).insertInto('program_versions').values(row).execute(),
    updateVersion: (tx: AnyDb, ws: string, programId: string, version: number, patch: Partial<ProgramVersionsTable>) =>
      t(tx).updateTable('program_versions').set(patch).where('workspace_id', '=', ws).where('program_id', '=', programId).where('version', '=', version).execute(),
    insertOutcomes: (tx: AnyDb, rows: AwardOutcomesTable[]) => insertRows(tx, 'award_outcomes', rows as unknown as Record<string, unknown>[]),
    /** How many awards of a program in a window ended other than paid in full, by outcome. */
    /** Outcomes in a window by kind; with `recipients`, only theirs (counted here, per recipient). */
    outcomeCounts: async (ws: string, programId: string, from: number, to: number, recipients?: Set<string>) => {
      const q = base
        .selectFrom('award_outcomes')
        .where('workspace_id', '=', ws)
        .where('program_id', '=', programId)
        .where('occurred_at', '>=', from)
        .where('occurred_at', '<', to);
      const out = new Map<string, { count: number; pointsDue: number }>();
      if (!recipients) {
        for (const r of await q.select(['outcome', sql<number>`count(*)`.as('n'), sql<number>`sum(points_due)`.as('due')]).groupBy('outcome').execute()) out.set(r.outcome, { count: Number(r.n), pointsDue: Number(r.due) });
        return out;
      }
      const rows = await q.select(['outcome', 'recipient_id', sql<number>`count(*)`.as('n'), sql<number>`sum(points_due)`.as('due')]).groupBy(['outcome', 'recipient_id']).execute();
      for (const r of rows) {
        if (!r.recipient_id || !recipients.has(r.recipient_id)) continue;
        const o = out.get(r.outcome) ?? { count: 0, pointsDue: 0 };
        o.count += Number(r.n);
        o.pointsDue += Number(r.due);
        out.set(r.outcome, o);
      }
      return out;
    },
    outcomesOfEvents: (ws: string, eventIds: string[]) =>
      eventIds.length ? base.selectFrom('award_outcomes').selectAll().where('workspace_id', '=', ws).where('event_id', 'in', eventIds).orderBy('id').execute() : Promise.resolve([]),
  };
}
export type ProgramsRepository = ReturnType<typeof createProgramsRepository>;
