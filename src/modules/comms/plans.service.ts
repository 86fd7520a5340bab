import { toIso } from '../../core/clock.js';
import type { AuthContext } from '../../core/auth.js';
import { AppError, invalid, notFound } from '../../core/errors.js';
import type { LedgerService } from '../ledger/index.js';
import type { ProgramsService } from '../programs/index.js';
import type { OutboxTable } from './comms.tables.js';
import { fill, PLAN_VARIABLES, type MessageType } from './messages.templates.js';
import { createPlansRepository } from './plans.repository.js';
import { cronInWords, cronProblem, localLabel, nextRun, nextRuns } from './plans.schedule.js';
import type { PlanKind, TCreatePlanEntry, TPlanEntry, TUpdatePlanEntry } from './plans.schema.js';
import type { CommPlanEntriesTable } from './plans.tables.js';
import { createCadence, type CadenceDeps } from './cadence.service.js';

const DAY = 24 * 3600_000;
/** Entries of one program at most (a plan, not a mailing list). */
export const MAX_ENTRIES = 50;

export const TOPIC_OF: Record<PlanKind, MessageType> = {
  launch: 'program.launch',
  progress: 'program.progress',
  ending_reminder: 'program.ending_reminder',
  custom: 'program.announcement',
};
const DEFAULT_NAME: Record<PlanKind, string> = {
  launch: 'Launch announcement',
  progress: 'Progress statement',
  ending_reminder: 'Reminder before the end',
  custom: 'Announcement',
};

export interface PlansDeps extends CadenceDeps {
  ledger: LedgerService;
}

type Audience = NonNullable<Awaited<ReturnType<ProgramsService['audienceOf']>>>;
type ProgramInfo = Audience['program'];

const num = (n: number) => n.toLocaleString('en-US');

/**
 * Communication plans: what each program sends its audience and when (launch, progress
 * statements, a reminder before the end, announcements), and the scheduler that sends each
 * run once through the outbox, whatever the number of workers.
 */
export function createPlansService(deps: PlansDeps) {
  const repo = createPlansRepository(deps.db);
  const cadence = createCadence({ ...deps, repo });

  async function programOf(ctx: AuthContext, programId: string) {
    // programs.get checks programs.read and answers 404 for another workspace's program.
    const p = await deps.programs.get(ctx, programId);
    return p;
  }

  /** When a program-timed entry is due, or why not (null due). */
  function programTimedDue(e: CommPlanEntriesTable, p: { status: string; endsAt: number | null }): { due: number | null; waiting: string | null } {
    if (e.kind === 'launch') {
      if (e.last_run_at !== null) return { due: null, waiting: 'sent' };
      return p.status === 'active' ? { due: 0, waiting: null } : { due: null, waiting: 'sent when the program goes live' };
    }
    if (p.endsAt === null) return { due: null, waiting: 'the program has no end date' };
    return { due: p.endsAt - (e.days_before_end ?? 7) * DAY, waiting: null };
  }

  /** The next due time of a scheduled (cron or one-off) entry after `after`, not past the program's end. */
  function scheduledNext(e: Pick<CommPlanEntriesTable, 'cron' | 'send_at' | 'enabled'>, tz: string, after: number, endsAt: number | null, alreadyRan: boolean): number | null {
    if (!e.enabled) return null;
    let next: number | null = null;
    if (e.cron) next = nextRun(e.cron, tz, after);
    else if (e.send_at !== null && !alreadyRan) next = e.send_at;
    if (next !== null && endsAt !== null && next >= endsAt) return null;
    return next;
  }

  function describe(e: CommPlanEntriesTable, tz: string): string {
    if (e.kind === 'launch' && !e.send_at) return 'When the program goes live';
    if (e.kind === 'ending_reminder') return `${e.days_before_end} day${e.days_before_end === 1 ? '' : 's'} before the program ends`;
    if (e.cron) return `${cronInWords(e.cron) ?? `On the schedule ${e.cron}`} (${tz})`;
    if (e.send_at !== null) return `Once, ${localLabel(e.send_at, tz)} (${tz})`;
    return 'Not scheduled';
  }

  function toEntry(e: CommPlanEntriesTable, p: { status: string; endsAt: number | null }, tz: string, now: number): TPlanEntry {
    const runs: number[] = [];
    let waiting: string | null = null;
    if (!e.enabled) waiting = 'disabled';
    else if (p.status === 'ended') waiting = 'the program has ended';
    else if (e.kind === 'launch' && !e.send_at) {
      const t = programTimedDue(e, p);
      waiting = t.waiting === 'sent' ? 'sent' : t.waiting;
      if (t.due !== null) runs.push(now);
    } else if (e.kind === 'ending_reminder') {
      const t = programTimedDue(e, p);
      waiting = t.waiting;
      if (t.due !== null && p.endsAt !== null && now < p.endsAt) runs.push(Math.max(t.due, now));
      else if (t.due !== null) waiting = 'the program has ended';
      if (e.last_run_at !== null && t.due !== null && e.last_run_at >= t.due) {
        runs.length = 0;
        waiting = 'sent';
      }
    } else if (e.cron) {
      if (e.next_run_at !== null) runs.push(e.next_run_at, ...nextRuns(e.cron, tz, e.next_run_at, 2).filter((r) => p.endsAt === null || r < p.endsAt));
      else waiting = 'no run before the program ends';
    } else if (e.send_at !== null) {
      if (e.next_run_at !== null) runs.push(e.next_run_at);
      else waiting = e.last_run_at !== null ? 'sent' : 'the moment has passed';
    }
    if (!waiting && runs.length && p.status !== 'active') waiting = `the program is ${p.status}: runs due before it goes live are skipped`;
    return {
      id: e.id,
      programId: e.program_id,
      kind: e.kind,
      messageType: TOPIC_OF[e.kind],
      name: e.name,
      cron: e.cron,
      sendAt: toIso(e.send_at),
      daysBeforeEnd: e.days_before_end,
      subject: e.subject,
      text: e.text,
      enabled: !!e.enabled,
      timing: describe(e, tz),
      nextRuns: runs.slice(0, 3).map((r) => ({ at: toIso(r)!, local: localLabel(r, tz) })),
      waiting,
      lastRunAt: toIso(e.last_run_at),
      lastRecipients: e.last_recipients,
      createdAt: toIso(e.created_at)!,
      updatedAt: toIso(e.updated_at)!,
    };
  }

  /** The rules of an entry as a whole (after a create, or a patch merged into the entry). */
  function check(kind: PlanKind, e: { cron: string | null; send_at: number | null; days_before_end: number | null; subject: string | null; text: string | null }, tz: string, now: number, sendAtChanged: boolean, endsAt: number | null) {
    const once = kind === 'launch' ? 'a launch is sent once: when the program goes live, or at sendAt' : 'an ending reminder is timed by daysBeforeEnd';
    if (kind === 'launch' || kind === 'ending_reminder') {
      if (e.cron !== null) throw invalid('cron', `${once}; it takes no cron schedule`);
      if (kind === 'ending_reminder' && e.send_at !== null) throw invalid('sendAt', once);
    } else {
      if (e.cron === null && e.send_at === null) throw invalid('cron', 'give a cron schedule, or a one-off sendAt');
      if (e.cron !== null && e.send_at !== null) throw invalid('sendAt', 'give a cron schedule or a one-off sendAt, not both');
    }
    if (kind !== 'ending_reminder' && e.days_before_end !== null) throw invalid('daysBeforeEnd', 'only an ending_reminder is timed by daysBeforeEnd');
    if (e.cron !== null) {
      const problem = cronProblem(e.cron, tz);
      if (problem) throw invalid('cron', problem);
    }
    if (e.send_at !== null && sendAtChanged && e.send_at <= now) throw invalid('sendAt', 'must be in the future');
    if (e.send_at !== null && sendAtChanged && endsAt !== null && e.send_at >= endsAt) throw invalid('sendAt', `must be before the program ends (${localLabel(endsAt, tz)}, ${tz})`);
    if (kind === 'custom') {
      if (e.subject === null) throw invalid('subject', 'a custom announcement needs a subject');
      if (e.text === null) throw invalid('text', 'a custom announcement needs a text');
    } else {
      if (e.subject !== null) throw invalid('subject', `only a custom announcement has its own subject; the ${kind} message's wording is its template (templates page, type ${TOPIC_OF[kind]})`);
      if (e.text !== null) throw invalid('text', `only a custom announcement has its own text; the ${kind} message's wording is its template (templates page, type ${TOPIC_OF[kind]})`);
    }
    for (const field of ['subject', 'text'] as const) {
      const unknown = [...(e[field] ?? '').matchAll(/\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g)].map((m) => m[1]!).filter((v) => !(v in PLAN_VARIABLES));
      if (unknown.length) throw invalid(field, `unknown variable {{${unknown[0]}}}; an announcement offers ${Object.keys(PLAN_VARIABLES).join(', ')}`);
    }
  }

  const timezoneOf = async (ws: string) => (await deps.workspaces.get(ws)).timezone;

  // ---------------------------------------------------------------- sending

  /** The values each participant's message is filled with: names, balance, program points, goals. */
  async function valuesFor(ws: string, aud: Audience, tz: string, now: number) {
    const workspace = await deps.workspaces.get(ws);
    const p = aud.program;
    const balances = await deps.ledger.walletBalances(ws, aud.personIds);
    const flows = await deps.ledger.budgetFlows(ws, p.id, 0, now + 1);
    const earned = new Map<string, number>();
    for (const f of flows.paidTo) earned.set(f.account, (earned.get(f.account) ?? 0) + f.points);
    for (const f of flows.backFrom) earned.set(f.account, (earned.get(f.account) ?? 0) - f.points);
    const goalRows = await deps.programs.goals.loadFor(undefined, ws, [p.id]);
    const progress = await Promise.all(goalRows.map(async (g) => ({ g, prog: await deps.programs.goals.progressOf(g, tz, {}) })));
    const names = await deps.people.namesOf(ws, aud.personIds);
    const daysLeft = p.endsAt === null ? null : Math.max(0, Math.ceil((p.endsAt - now) / DAY));
    const common = {
      workspaceName: workspace.name,
      pointsLabel: workspace.pointsLabel,
      programName: p.name,
      programDescription: p.description ?? '',
      // The last day is the day before the end instant when the program ends at midnight.
      endsOn: p.endsAt === null ? 'no end date' : localLabel(p.endsAt - 1, tz, false),
      daysLeft: daysLeft === null ? '' : `${daysLeft} day${daysLeft === 1 ? '' : 's'}`,
      homeUrl: `${deps.publicUrl}/`,
    };
    return (personId: string): Record<string, string> => {
      const lines = progress.map(({ g, prog }) => {
        const subject = g.scope === 'person' ? personId : aud.teams.get(personId);
        const mine = prog.subjects.find((s) => s.subjectId === subject);
        const label = g.scope === 'team' ? `${g.name} (your team)` : g.name;
        if (!mine) return `- ${label}: not started`;
        if (mine.attainment === null) return `- ${label}: ${num(mine.value)} so far`;
        return `- ${label}: ${mine.attainment}% of ${num(mine.target ?? 0)}${mine.tiersReached.length ? ` (tier ${Math.max(...mine.tiersReached)}% reached)` : ''}`;
      });
      return {
        ...common,
        personName: names.get(personId) ?? 'there',
        balance: num(balances.get(personId) ?? 0),
        programPoints: num(earned.get(`wallet:${personId}`) ?? 0),
        goalSummary: lines.join('\n'),
      };
    };
  }

  /**
   * One run of an entry for the due time: resolves the audience, then in one transaction claims
   * the run (unique per entry and due time), writes one outbox message per participant and moves
   * the entry on. A second worker on the same run finds it claimed and writes nothing.
   */
  async function run(e: CommPlanEntriesTable, dueAt: number, trigger: 'schedule' | 'activation' | 'manual'): Promise<{ status: 'sent' | 'skipped' | 'taken'; runId: string | null; recipients: number }> {
    const ws = e.workspace_id;
    const now = deps.clock.now();
    const tz = await timezoneOf(ws);
    const aud = await deps.programs.audienceOf(ws, e.program_id);
    if (!aud) return { status: 'skipped', runId: null, recipients: 0 };
    const p = aud.program;
    const live = p.status === 'active' && (p.endsAt === null || now < p.endsAt);
    const scheduled = e.kind === 'progress' || e.kind === 'custom' || (e.kind === 'launch' && e.send_at !== null);
    // An ended program plans nothing more (a paused or draft one keeps its schedule, its runs skipped).
    const next = trigger === 'schedule' && scheduled && p.status !== 'ended' ? scheduledNext(e, tz, Math.max(now, dueAt), p.endsAt, true) : trigger === 'schedule' && scheduled ? null : e.next_run_at;
    const runId = deps.ids.next('cpr');
    let reason: string | null = null;
    if (!live) reason = `the program is ${p.status === 'active' ? 'over' : p.status}`;
    else if (!aud.personIds.length) reason = 'the audience is empty';
    const rows: OutboxTable[] = [];
    if (!reason) {
      const values = await valuesFor(ws, aud, tz, now);
      const topic = TOPIC_OF[e.kind];
      for (const personId of aud.personIds) {
        const vars = values(personId);
        if (e.kind === 'custom') {
          vars.subject = fill(e.subject ?? '', vars, false);
          vars.message = fill(e.text ?? '', vars, false);
        }
        const payload = { personId, programId: p.id, planEntryId: e.id, planRunId: runId, vars };
        rows.push({ workspace_id: ws, id: deps.ids.next('msg'), topic, payload: JSON.stringify(payload), status: 'pending', attempts: 0, available_at: now, created_at: now, lease_until: null, claimed_by: null, last_error: null, settled_at: null, give_up_at: null });
      }
    }
    return deps.db.transaction().execute(async (tx) => {
      const claimed = await repo.claimRun(tx, { workspace_id: ws, id: runId, entry_id: e.id, program_id: p.id, due_at: dueAt, trigger, status: reason ? 'skipped' : 'sent', recipients: rows.length, reason, created_at: now });
      if (!claimed) return { status: 'taken' as const, runId: null, recipients: 0 };
      await repo.insertOutbox(tx, rows);
      // A skipped run counts as a run with no recipients: the entry shows it, and a launch is not retried.
      const patch: Partial<CommPlanEntriesTable> = { last_run_at: now, last_recipients: rows.length };
      if (trigger === 'schedule' && scheduled) await repo.advance(tx, ws, e.id, e.next_run_at, { ...patch, next_run_at: next });
      else await repo.updateEntry(tx, ws, e.id, patch);
      return { status: reason ? ('skipped' as const) : ('sent' as const), runId, recipients: rows.length };
    });
  }

  /**
   * The scheduler's step (the delivery worker calls it): every scheduled entry due by now, the
   * launches of programs gone live, the ending reminders whose moment came. A run missed while no
   * worker ran is sent once when one comes back, not once per missed time.
   */
  async function runDue(limit = 50) {
    const now = deps.clock.now();
    const stats = { sent: 0, skipped: 0, taken: 0, recipients: 0 };
    const failures: unknown[] = [];
    // One entry's failure does not hold up the others; the worker's onError hears of it after.
    const count = async (f: () => Promise<Awaited<ReturnType<typeof run>>>) => {
      try {
        const r = await f();
        stats[r.status]++;
        stats.recipients += r.recipients;
      } catch (err) {
        failures.push(err);
      }
    };
    for (const e of await repo.due(now, limit)) await count(() => run(e, e.next_run_at!, 'schedule'));
    const programs = new Map<string, Map<string, { status: string; endsAt: number | null }>>();
    for (const e of await repo.programTimed(500)) {
      let active = programs.get(e.workspace_id);
      if (!active) programs.set(e.workspace_id, (active = new Map((await deps.programs.activeOf(e.workspace_id)).map((p) => [p.id, { status: 'active', endsAt: p.endsAt }]))));
      const p = active.get(e.program_id);
      if (!p) continue; // not live: nothing is due
      const { due } = programTimedDue(e, p);
      if (due === null || due > now || (p.endsAt !== null && now >= p.endsAt)) continue;
      if (await repo.runExists(e.workspace_id, e.id, due)) continue;
      await count(() => run(e, due, e.kind === 'launch' ? 'activation' : 'schedule'));
    }
    if (failures.length) throw new AggregateError(failures, `communication plans: ${failures.length} run(s) failed: ${String((failures[0] as Error)?.message ?? failures[0])}`);
    return stats;
  }

  let lastCadenceCheck = -Infinity;
  return {
    runDue,
    cadence,
    /** The worker's hook: plan runs every call, the cadence check at most hourly per process. */
    async tick() {
      const errors: unknown[] = [];
      const sent = await runDue().catch((err: unknown) => void errors.push(err));
      const now = deps.clock.now();
      if (now - lastCadenceCheck >= 3600_000) {
        lastCadenceCheck = now;
        await cadence.checkAll().catch((err: unknown) => void errors.push(err));
      }
      if (errors.length) throw errors[0];
      return sent;
    },

    async list(ctx: AuthContext, programId: string) {
      const p = await programOf(ctx, programId);
      const tz = await timezoneOf(ctx.workspaceId);
      const now = deps.clock.now();
      const info = { status: p.status, endsAt: p.endsAt ? Date.parse(p.endsAt) : null };
      return { timezone: tz, data: (await repo.entries(ctx.workspaceId, programId)).map((e) => toEntry(e, info, tz, now)) };
    },

    async get(ctx: AuthContext, programId: string, id: string) {
      const p = await programOf(ctx, programId);
      const e = await repo.entry(ctx.workspaceId, programId, id);
      if (!e) throw notFound('Plan entry');
      return toEntry(e, { status: p.status, endsAt: p.endsAt ? Date.parse(p.endsAt) : null }, await timezoneOf(ctx.workspaceId), deps.clock.now());
    },

    async create(ctx: AuthContext, programId: string, input: TCreatePlanEntry) {
      ctx.require('programs.manage');
      const p = await programOf(ctx, programId);
      if (p.status === 'ended') throw new AppError('conflict', { detail: 'The program has ended' });
      if ((await repo.countEntries(ctx.workspaceId, programId)) >= MAX_ENTRIES) throw new AppError('conflict', { detail: `A plan holds at most ${MAX_ENTRIES} entries` });
      const tz = await timezoneOf(ctx.workspaceId);
      const now = deps.clock.now();
      const endsAt = p.endsAt ? Date.parse(p.endsAt) : null;
      const fields = {
        cron: input.cron ?? null,
        send_at: input.sendAt ? Date.parse(input.sendAt) : null,
        days_before_end: input.kind === 'ending_reminder' ? (input.daysBeforeEnd ?? 7) : (input.daysBeforeEnd ?? null),
        subject: input.subject ?? null,
        text: input.text ?? null,
      };
      check(input.kind, fields, tz, now, true, endsAt);
      const enabled = input.enabled ?? true;
      const row: CommPlanEntriesTable = {
        workspace_id: ctx.workspaceId,
        id: deps.ids.next('cpe'),
        program_id: programId,
        kind: input.kind,
        name: input.name ?? DEFAULT_NAME[input.kind],
        ...fields,
        enabled: enabled ? 1 : 0,
        next_run_at: null,
        last_run_at: null,
        last_recipients: null,
        created_by: `${ctx.actor.type}:${ctx.actor.id}`,
        created_at: now,
        updated_at: now,
      };
      if (row.cron || (row.send_at !== null && row.kind !== 'ending_reminder')) row.next_run_at = scheduledNext(row, tz, now, endsAt, false);
      await deps.db.transaction().execute(async (tx) => {
        await repo.insertEntry(tx, row);
        await deps.audit.record(tx, ctx, { action: 'comm_plan_entry.created', targetType: 'program', targetId: programId, after: { id: row.id, kind: row.kind, name: row.name, cron: row.cron, sendAt: toIso(row.send_at), daysBeforeEnd: row.days_before_end, enabled } });
      });
      return toEntry(row, { status: p.status, endsAt }, tz, now);
    },

    async update(ctx: AuthContext, programId: string, id: string, patch: TUpdatePlanEntry) {
      ctx.require('programs.manage');
      const p = await programOf(ctx, programId);
      const e = await repo.entry(ctx.workspaceId, programId, id);
      if (!e) throw notFound('Plan entry');
      const tz = await timezoneOf(ctx.workspaceId);
      const now = deps.clock.now();
      const endsAt = p.endsAt ? Date.parse(p.endsAt) : null;
      const next: CommPlanEntriesTable = {
        ...e,
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.cron !== undefined ? { cron: patch.cron } : {}),
        ...(patch.sendAt !== undefined ? { send_at: patch.sendAt ? Date.parse(patch.sendAt) : null } : {}),
        ...(patch.daysBeforeEnd !== undefined ? { days_before_end: patch.daysBeforeEnd } : {}),
        ...(patch.subject !== undefined ? { subject: patch.subject } : {}),
        ...(patch.text !== undefined ? { text: patch.text } : {}),
        ...(patch.enabled !== undefined ? { enabled: patch.enabled ? 1 : 0 } : {}),
        updated_at: now,
      };
      if (next.kind === 'ending_reminder' && next.days_before_end === null) throw invalid('daysBeforeEnd', 'an ending reminder needs daysBeforeEnd');
      check(next.kind, next, tz, now, next.send_at !== e.send_at, endsAt);
      const timingChanged = next.cron !== e.cron || next.send_at !== e.send_at || next.enabled !== e.enabled;
      if (timingChanged && (next.cron || (next.send_at !== null && next.kind !== 'ending_reminder'))) next.next_run_at = scheduledNext(next, tz, now, endsAt, next.send_at === e.send_at && e.last_run_at !== null);
      else if (timingChanged) next.next_run_at = null;
      await deps.db.transaction().execute(async (tx) => {
        await repo.updateEntry(tx, ctx.workspaceId, id, next);
        await deps.audit.record(tx, ctx, { action: 'comm_plan_entry.updated', targetType: 'program', targetId: programId, before: { id, name: e.name, cron: e.cron, sendAt: toIso(e.send_at), daysBeforeEnd: e.days_before_end, enabled: !!e.enabled }, after: { id, name: next.name, cron: next.cron, sendAt: toIso(next.send_at), daysBeforeEnd: next.days_before_end, enabled: !!next.enabled } });
      });
      return toEntry(next, { status: p.status, endsAt }, tz, now);
    },

    async remove(ctx: AuthContext, programId: string, id: string) {
      ctx.require('programs.manage');
      await programOf(ctx, programId);
      const e = await repo.entry(ctx.workspaceId, programId, id);
      if (!e) throw notFound('Plan entry');
      await deps.db.transaction().execute(async (tx) => {
        await repo.deleteEntry(tx, ctx.workspaceId, id);
        await deps.audit.record(tx, ctx, { action: 'comm_plan_entry.deleted', targetType: 'program', targetId: programId, before: { id, kind: e.kind, name: e.name } });
      });
    },

    /** Sends an entry's message to the audience now, apart from its schedule (which does not move). */
    async sendNow(ctx: AuthContext, programId: string, id: string) {
      ctx.require('programs.manage');
      const p = await programOf(ctx, programId);
      const e = await repo.entry(ctx.workspaceId, programId, id);
      if (!e) throw notFound('Plan entry');
      if (p.status !== 'active') throw new AppError('conflict', { detail: `The program is ${p.status}: messages go only to a live program's audience` });
      const r = await run(e, deps.clock.now(), 'manual');
      if (r.status !== 'sent') throw new AppError('conflict', { detail: r.status === 'skipped' ? 'Nothing was sent: the program is over or its audience is empty' : 'This entry was just sent; try again' });
      await deps.db.transaction().execute((tx) => deps.audit.record(tx, ctx, { action: 'comm_plan_entry.sent', targetType: 'program', targetId: programId, after: { id, runId: r.runId, recipients: r.recipients } }));
      return { runId: r.runId!, entryId: id, recipients: r.recipients };
    },

    /** The next runs of a cron expression in the workspace's time zone (the editor's helper). */
    async nextRunsOf(ctx: AuthContext, programId: string, cron: string, count: number) {
      await programOf(ctx, programId);
      const tz = await timezoneOf(ctx.workspaceId);
      const problem = cronProblem(cron, tz);
      if (problem) throw invalid('cron', problem);
      return { cron, timezone: tz, runs: nextRuns(cron, tz, deps.clock.now(), count).map((r) => ({ at: toIso(r)!, local: localLabel(r, tz) })) };
    },
  };
}
export type PlansService = ReturnType<typeof createPlansService>;
export type { ProgramInfo };
