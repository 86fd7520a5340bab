import { sql, type Kysely } from 'kysely';
import type { AnyDb } from '../../core/db/db.js';
import { createBulkInserter } from '../../core/db/bulk.js';
import type { CommsTables, OutboxTable } from './comms.tables.js';
import type { CadenceSettingsTable, CommPlanEntriesTable, CommPlanRunsTable, PlansTables } from './plans.tables.js';

type Db = Kysely<PlansTables & CommsTables>;
const CHUNK = 500;

/** The queries of communication plans and the cadence monitor. */
export function createPlansRepository(anyDb: AnyDb) {
  const db = anyDb as Db;
  const t = (tx?: AnyDb) => (tx ?? db) as Db;
  const insertRows = createBulkInserter(300);
  return {
    entries: (ws: string, programId: string) => db.selectFrom('comm_plan_entries').selectAll().where('workspace_id', '=', ws).where('program_id', '=', programId).orderBy('id').execute(),
    entry: (ws: string, programId: string, id: string, tx?: AnyDb) =>
      t(tx).selectFrom('comm_plan_entries').selectAll().where('workspace_id', '=', ws).where('program_id', '=', programId).where('id', '=', id).executeTakeFirst(),
    async countEntries(ws: string, programId: string) {
      const r = await db.selectFrom('comm_plan_entries').select((eb) => eb.fn.countAll().as('n')).where('workspace_id', '=', ws).where('program_id', '=', programId).executeTakeFirst();
      return Number(r?.n ?? 0);
    },
    insertEntry: (tx: AnyDb, row: CommPlanEntriesTable) => t(tx).insertInto('comm_plan_entries').values(row).execute(),
    updateEntry: (tx: AnyDb, ws: string, id: string, patch: Partial<CommPlanEntriesTable>) => t(tx).updateTable('comm_plan_entries').set(patch).where('workspace_id', '=', ws).where('id', '=', id).execute(),
    deleteEntry: (tx: AnyDb, ws: string, id: string) => t(tx).deleteFrom('comm_plan_entries').where('workspace_id', '=', ws).where('id', '=', id).executeTakeFirst(),

    /** Scheduled entries (cron or one-off) due by `now`, across workspaces: the scheduler's scan. */
    due: (now: number, limit: number) =>
      db.selectFrom('comm_plan_entries').selectAll().where('next_run_at', '<=', now).where('enabled', '=', 1).orderBy('next_run_at').limit(limit).execute(),
    /** Entries whose time depends on their program: launches sent on activation (not sent yet) and ending reminders. */
    programTimed: (limit: number) =>
      db
        .selectFrom('comm_plan_entries')
        .selectAll()
        .where('enabled', '=', 1)
        .where((eb) => eb.or([eb.and([eb('kind', '=', 'launch'), eb('cron', 'is', null), eb('send_at', 'is', null), eb('last_run_at', 'is', null)]), eb('kind', '=', 'ending_reminder')]))
        .orderBy('workspace_id')
        .orderBy('id')
        .limit(limit)
        .execute(),
    async runExists(ws: string, entryId: string, dueAt: number) {
      return !!(await db.selectFrom('comm_plan_runs').select('id').where('workspace_id', '=', ws).where('entry_id', '=', entryId).where('due_at', '=', dueAt).executeTakeFirst());
    },
    /**
     * Claims a run: the insert meets the unique (entry, due time) key when another worker made
     * the same run first (on PostgreSQL it waits for that worker's transaction, then does
     * nothing). Answers whether this caller owns the run.
     */
    async claimRun(tx: AnyDb, row: CommPlanRunsTable) {
      const r = await t(tx).insertInto('comm_plan_runs').values(row).onConflict((oc) => oc.columns(['workspace_id', 'entry_id', 'due_at']).doNothing()).returning('id').execute();
      return r.length === 1;
    },
    /** Moves an entry on after a run, only if no one moved it first (fenced by the due time it ran for). */
    advance: (tx: AnyDb, ws: string, id: string, from: number | null, patch: Partial<CommPlanEntriesTable>) => {
      let q = t(tx).updateTable('comm_plan_entries').set(patch).where('workspace_id', '=', ws).where('id', '=', id);
      q = from === null ? q.where('next_run_at', 'is', null) : q.where('next_run_at', '=', from);
      return q.executeTakeFirst();
    },
    insertOutbox: (tx: AnyDb, rows: OutboxTable[]) => insertRows(tx, 'outbox', rows as unknown as Record<string, unknown>[]),

    /** Each person's latest message (all time): inbox, or an email sent; for those who have one. */
    async lastMessageAt(ws: string, personIds: string[]) {
      const out = new Map<string, number>();
      for (let i = 0; i < personIds.length; i += CHUNK) {
        const rows = await db
          .selectFrom('inbox_messages')
          .select(['person_id', sql<number>`max(created_at)`.as('last')])
          .where('workspace_id', '=', ws)
          .where('person_id', 'in', personIds.slice(i, i + CHUNK))
          .groupBy('person_id')
          .execute();
        for (const r of rows) out.set(r.person_id, Number(r.last));
        // Someone who turned their inbox off still hears by email: a sent (or stored) email counts too.
        const mails = await db
          .selectFrom('emails')
          .select(['person_id', sql<number>`max(sent_at)`.as('last')])
          .where('workspace_id', '=', ws)
          .where('person_id', 'in', personIds.slice(i, i + CHUNK))
          .where('status', 'in', ['sent', 'stored'])
          .groupBy('person_id')
          .execute();
        for (const r of mails) if (r.last !== null && Number(r.last) > (out.get(r.person_id) ?? -Infinity)) out.set(r.person_id, Number(r.last));
      }
      return out;
    },

    settings: (ws: string, programId: string, tx?: AnyDb) => t(tx).selectFrom('cadence_settings').selectAll().where('workspace_id', '=', ws).where('program_id', '=', programId).executeTakeFirst(),
    ensureSettings: (tx: AnyDb, row: CadenceSettingsTable) =>
      t(tx).insertInto('cadence_settings').values(row).onConflict((oc) => oc.columns(['workspace_id', 'program_id']).doNothing()).execute(),
    updateSettings: (tx: AnyDb, ws: string, programId: string, patch: Partial<CadenceSettingsTable>) =>
      t(tx).updateTable('cadence_settings').set(patch).where('workspace_id', '=', ws).where('program_id', '=', programId).execute(),
    /** Takes the right to alert: only one caller per window wins (a conditional update). */
    async claimAlert(tx: AnyDb, ws: string, programId: string, now: number, notBefore: number) {
      const r = await t(tx)
        .updateTable('cadence_settings')
        .set({ last_alert_at: now })
        .where('workspace_id', '=', ws)
        .where('program_id', '=', programId)
        .where((eb) => eb.or([eb('last_alert_at', 'is', null), eb('last_alert_at', '<=', notBefore)]))
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}
export type PlansRepository = ReturnType<typeof createPlansRepository>;
