import type { AnyDb } from '../../core/db/db.js';
import type { Ids } from '../../core/ids.js';
import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import type { AuthContext } from '../../core/auth.js';
import { AppError, notFound, type FieldError } from '../../core/errors.js';
import type { AuditService } from '../audit/index.js';
import type { LedgerService } from '../ledger/index.js';
import type { PeopleService } from '../people/index.js';
import type { WorkspacesService } from '../workspaces/index.js';
import { compileMetric, fromLocal, periodOf, type CompiledMetric, type EngineService, type Facts, type MetricSpec, type Vocabulary } from '../engine/index.js';
import { createGoalsRepository, type GoalsTable } from './goals.repository.js';
import type { ProgramsRepository } from './programs.repository.js';
import { ZCreateGoal, type TTargets } from './goals.schema.js';
import type { TOutcome } from './programs.schema.js';
import type { Bank } from './programs.bank.js';
import type { z } from 'zod';

interface Tier {
  percent: number;
  points: number;
}
const DAY = 86_400_000;

type GoalKey = { goalId: string; subjectId: string; periodStart: number };
type GoalEvent = { id: string; occurredAt: number; personId: string; teamId: string | null };
type GoalEnv = { vocab: Vocabulary; timezone: string; programVersion: number; bank: Bank };

/**
 * Where a goal's progress and paid tiers are kept: the goal tables inside the ingestion
 * transaction, or memory in a simulation. The goal logic itself (`trackEvent`) is one.
 */
export interface GoalStore {
  /** false in a simulation: a what-if over history treats every event as arriving on time */
  honoursClose: boolean;
  addProgress(k: GoalKey, delta: number): Promise<number>;
  addContribution(eventId: string, k: GoalKey, delta: number): Promise<void>;
  /** the target for the subject and period (NaN when none is set) */
  target(k: GoalKey): Promise<number>;
  paidTiers(k: GoalKey): Promise<Set<number>>;
  markPaid(k: GoalKey, percent: number, transferIds: string[]): Promise<void>;
  /** the people a team goal pays */
  members(teamId: string): Promise<string[]>;
}

/**
 * Goals: a metric over a period, a target per person or team, tiers paid once when crossed
 * (they add up) and taken back when a reversal drops the attainment below them.
 */
export function createGoalsService(deps: {
  db: AnyDb;
  ids: Ids;
  clock: Clock;
  audit: AuditService;
  engine: EngineService;
  ledger: LedgerService;
  people: PeopleService;
  workspaces: WorkspacesService;
  programs: ProgramsRepository;
}) {
  const repo = createGoalsRepository(deps.db);
  const compiled = new Map<string, CompiledMetric>();
  const metricOf = (g: GoalsTable, vocab: Vocabulary) => {
    const key = `${g.workspace_id}:${g.id}:${g.updated_at}`;
    let m = compiled.get(key);
    if (!m) compiled.set(key, (m = compileMetric(JSON.parse(g.metric) as MetricSpec, vocab, 'metric', [])));
    return m;
  };
  const toGoal = (g: GoalsTable) => ({
    id: g.id,
    programId: g.program_id,
    name: g.name,
    metric: JSON.parse(g.metric) as Record<string, unknown>,
    period: g.period,
    scope: g.scope,
    target: g.default_target == null ? null : Number(g.default_target),
    tiers: JSON.parse(g.tiers) as Tier[],
    closeAfterDays: g.close_after_days,
    createdAt: toIso(g.created_at)!,
  });
  const periodFor = (g: GoalsTable, at: number, tz: string) => (g.period === 'program' ? { from: 0, to: Number.MAX_SAFE_INTEGER } : periodOf(at, g.period, tz));

  /** A label (YYYY-MM, YYYY-Qn, YYYY, all) to the start of the goal's period in the workspace time zone. */
  function periodStartOf(g: GoalsTable, label: string, tz: string, path: string): number | FieldError {
    if (label === 'all') return 0;
    const m = /^(\d{4})(?:-(\d{2})|-Q([1-4]))?$/.exec(label)!;
    const want = { month: 'YYYY-MM', quarter: 'YYYY-Qn', year: 'YYYY', program: 'all' }[g.period];
    const kind = m[2] ? 'month' : m[3] ? 'quarter' : 'year';
    if (kind !== g.period) return { path, message: `this goal runs by ${g.period}: give ${want}` };
    const month = m[2] ? Number(m[2]) : m[3] ? (Number(m[3]) - 1) * 3 + 1 : 1;
    if (month < 1 || month > 12) return { path, message: 'no such month' };
    return periodOf(fromLocal(tz, Number(m[1]), month, 2), g.period, tz).from;
  }

  function liveStore(tx: AnyDb, ws: string): GoalStore {
    const now = deps.clock.now();
    return {
      honoursClose: true,
      addProgress: (k, delta) => repo.addProgress(tx, ws, k, delta, now),
      async addContribution(eventId, k, delta) {
        await repo.insertContribution(tx, { workspace_id: ws, event_id: eventId, goal_id: k.goalId, subject_id: k.subjectId, period_start: k.periodStart, delta });
      },
      target: (k) => repo.target(tx, ws, k),
      paidTiers: async (k) => new Set((await repo.payouts(tx, ws, k)).map((x) => x.percent)),
      async markPaid(k, percent, transferIds) {
        await repo.insertPayout(tx, ws, k, percent, transferIds, now);
      },
      members: (teamId) => deps.people.teamMembers(tx, ws, teamId),
    };
  }

  /** One event on one goal: progress for its period, then each tier newly crossed is paid from the bank. */
  async function trackEvent(store: GoalStore, g: GoalsTable, e: GoalEvent, facts: Facts, env: GoalEnv, record: (o: Omit<TOutcome, 'programId' | 'programVersion'>) => void) {
    const m = metricOf(g, env.vocab);
    if (m.on !== facts.type || !m.matches(facts)) return;
    const delta = m.value(facts);
    if (!delta) return;
    const p = periodFor(g, e.occurredAt, env.timezone);
    // A period closes some days after it ends: later events are kept but change no payout.
    if (store.honoursClose && p.to !== Number.MAX_SAFE_INTEGER && deps.clock.now() > p.to + g.close_after_days * DAY) return;
    const subject = g.scope === 'person' ? e.personId : e.teamId;
    if (!subject) return;
    const key = { goalId: g.id, subjectId: subject, periodStart: p.from };
    const value = await store.addProgress(key, delta);
    await store.addContribution(e.id, key, delta);
    const target = (await store.target(key)) || Number(g.default_target ?? NaN);
    if (!Number.isFinite(target) || target <= 0) return;
    const paid = await store.paidTiers(key);
    const recipients = g.scope === 'person' ? [e.personId] : await store.members(subject);
    for (const tier of JSON.parse(g.tiers) as Tier[]) {
      if (paid.has(tier.percent) || value * 100 < tier.percent * target) continue;
      const ruleId = `goal:${g.id}:${tier.percent}`;
      const transferIds: string[] = [];
      let paidAny = false;
      for (const r of recipients) {
        if (tier.points <= 0) continue;
        if ((await env.bank.budgetLeft(g.program_id)) < tier.points) {
          record({ ruleId, outcome: 'budget_exhausted', recipientId: r, pointsDue: tier.points, points: 0, transferId: null });
          continue;
        }
        const transferId = await env.bank.pay({ programId: g.program_id, version: env.programVersion, ruleId: `tier:${tier.percent}`, recipientId: r, amount: tier.points, eventId: e.id, occurredAt: e.occurredAt, cause: 'goal_tier', goalId: g.id, reason: `${g.name}: ${tier.percent}% reached` });
        paidAny = true;
        if (transferId) transferIds.push(transferId);
        record({ ruleId, outcome: 'awarded', recipientId: r, pointsDue: tier.points, points: tier.points, transferId });
      }
      // A tier the budget could not cover stays unpaid, so a later event (after a top-up) pays it.
      if (paidAny || tier.points <= 0) await store.markPaid(key, tier.percent, transferIds);
    }
  }

  return {
    async create(ctx: AuthContext, raw: z.input<typeof ZCreateGoal>) {
      ctx.require('programs.manage');
      const input = ZCreateGoal.parse(raw);
      const errors: FieldError[] = [];
      compileMetric(input.metric, await deps.engine.vocabulary(ctx.workspaceId), 'metric', errors);
      if (errors.length) throw new AppError('validation_failed', { detail: errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors });
      if (!(await deps.programs.get(undefined, ctx.workspaceId, input.programId))) throw new AppError('not_found', { detail: 'No such program', path: 'programId' });
      const now = deps.clock.now();
      const row: GoalsTable = {
        workspace_id: ctx.workspaceId,
        id: deps.ids.next('gol'),
        program_id: input.programId,
        name: input.name,
        metric: JSON.stringify(input.metric),
        period: input.period,
        scope: input.scope,
        default_target: input.target,
        tiers: JSON.stringify(input.tiers),
        close_after_days: input.closeAfterDays,
        created_at: now,
        updated_at: now,
      };
      await deps.db.transaction().execute(async (tx) => {
        await repo.insert(tx, row);
        await deps.audit.record(tx, ctx, { action: 'goal.created', targetType: 'goal', targetId: row.id, after: toGoal(row) });
      });
      return toGoal(row);
    },
    async list(ctx: AuthContext, programId?: string) {
      ctx.require('programs.read');
      return { data: (await repo.list(ctx.workspaceId, programId)).map(toGoal) };
    },
    async get(ctx: AuthContext, id: string) {
      ctx.require('programs.read');
      const g = await repo.get(undefined, ctx.workspaceId, id);
      if (!g) throw notFound('Goal');
      return toGoal(g);
    },

    /** Quotas: a target per person or team, for one period or all; all or nothing. */
    async setTargets(ctx: AuthContext, id: string, input: TTargets) {
      ctx.require('programs.manage');
      const g = await repo.get(undefined, ctx.workspaceId, id);
      if (!g) throw notFound('Goal');
      const tz = (await deps.workspaces.get(ctx.workspaceId)).timezone;
      const found = await deps.people.eventContext(undefined, ctx.workspaceId, {
        personIds: input.targets.flatMap((x) => (x.personId ? [x.personId] : [])),
        personExternalIds: input.targets.flatMap((x) => (x.personExternalId ? [x.personExternalId] : [])),
        accountIds: [],
        accountExternalIds: [],
      });
      const teams = new Map(found.teams.map((t) => [t.id, t]));
      const teamByExt = await deps.people.teamIdsByExternalId(ctx.workspaceId, input.targets.flatMap((x) => (x.teamExternalId ? [x.teamExternalId] : [])));
      const errors: FieldError[] = [];
      const rows = input.targets.map((x, i) => {
        let subject: string | undefined;
        if (g.scope === 'person') {
          if (x.teamId || x.teamExternalId) errors.push({ path: `targets[${i}].teamId`, message: 'this goal is per person' });
          subject = (x.personId ? found.people.find((p) => p.id === x.personId) : found.people.find((p) => p.externalId === x.personExternalId))?.id;
          if (!subject) errors.push({ path: `targets[${i}].${x.personId ? 'personId' : 'personExternalId'}`, message: 'no such person' });
        } else {
          subject = x.teamId ? (teams.has(x.teamId) ? x.teamId : undefined) : x.teamExternalId ? teamByExt.get(x.teamExternalId) : undefined;
          if (!subject) errors.push({ path: `targets[${i}].${x.teamId ? 'teamId' : 'teamExternalId'}`, message: 'no such team (this goal is per team)' });
        }
        const start = periodStartOf(g, x.period, tz, `targets[${i}].period`);
        if (typeof start !== 'number') errors.push(start);
        return { subject: subject ?? '', start: typeof start === 'number' ? start : 0, target: x.target };
      });
      if (errors.length) throw new AppError('validation_failed', { detail: `${errors.length} target(s) are wrong; none was set`, errors });
      await deps.db.transaction().execute(async (tx) => {
        for (const r of rows) await repo.upsertTarget(tx, { workspace_id: ctx.workspaceId, goal_id: id, subject_id: r.subject, period_start: r.start, target: r.target });
        await deps.audit.record(tx, ctx, { action: 'goal.targets_set', targetType: 'goal', targetId: id, after: { count: rows.length } });
      });
      return { goalId: id, set: rows.length };
    },

    /** Progress per person or team in the period holding `at` (default now). */
    async progress(ctx: AuthContext, id: string, q: { at?: string; subjectId?: string }) {
      ctx.require('programs.read');
      const g = await repo.get(undefined, ctx.workspaceId, id);
      if (!g) throw notFound('Goal');
      const tz = (await deps.workspaces.get(ctx.workspaceId)).timezone;
      const all = await this.progressOf(g, tz, q);
      // A manager sees the people (or teams) of the teams they manage, and no one else's progress.
      const visible = await deps.people.visiblePeople(ctx);
      const mine = visible ? (g.scope === 'person' ? visible.people : visible.teams) : null;
      const subjects = mine ? all.subjects.filter((s) => mine.has(s.subjectId)) : all.subjects;
      const withTarget = subjects.filter((s) => s.attainment != null);
      const summary = {
        subjects: subjects.length,
        withTarget: withTarget.length,
        reachedTarget: withTarget.filter((s) => s.attainment! >= 100).length,
        reachedAnyTier: subjects.filter((s) => s.tiersReached.length > 0).length,
        averageAttainment: withTarget.length ? Math.round((withTarget.reduce((a, s) => a + s.attainment!, 0) / withTarget.length) * 100) / 100 : null,
      };
      // A role that does not read people (an analyst: aggregates only) gets the summary of a
      // per-person goal, not each person's progress.
      const hidden = g.scope === 'person' && !ctx.can('people.read');
      return { ...all, summary, hidden, subjects: hidden ? [] : subjects };
    },

    /** Progress of one goal in the period holding `at` (for staff reports and a participant's own page). */
    async progressOf(g: GoalsTable, tz: string, q: { at?: string; subjectId?: string }) {
      const ws = g.workspace_id;
      const id = g.id;
      const p = periodFor(g, q.at ? Date.parse(q.at) : deps.clock.now(), tz);
      const tiers = JSON.parse(g.tiers) as Tier[];
      const progress = await repo.progressFor(ws, id, p.from, q.subjectId);
      const targets = await repo.targetsFor(ws, id, p.from);
      const subjects = new Set([...progress.map((r) => r.subject_id), ...targets.map((t) => t.subject_id)].filter((s) => !q.subjectId || s === q.subjectId));
      const closesAt = Math.min(p.to + g.close_after_days * DAY, 8.64e15);
      const closed = g.period !== 'program' && p.from !== 0 ? await repo.closeOf(ws, id, p.from) : undefined;
      return {
        goalId: id,
        period: { start: toIso(p.from)!, end: toIso(Math.min(p.to, 8.64e15))!, closesAt: toIso(closesAt)!, closed: deps.clock.now() > closesAt, closedAt: closed ? toIso(Number(closed.closed_at)) : null },
        subjects: [...subjects].sort().map((s) => {
          const value = Number(progress.find((r) => r.subject_id === s)?.value ?? 0);
          const own = targets.filter((t) => t.subject_id === s);
          const target = Number((own.find((t) => Number(t.period_start) === p.from && p.from !== 0) ?? own.find((t) => Number(t.period_start) === 0))?.target ?? g.default_target ?? NaN);
          const attainment = Number.isFinite(target) && target > 0 ? Math.round((value / target) * 10_000) / 100 : null;
          return { subjectId: s, value, target: Number.isFinite(target) ? target : null, attainment, tiersReached: attainment == null ? [] : tiers.filter((t) => t.percent <= attainment).map((t) => t.percent) };
        }),
      };
    },

    /**
     * Closes the goal periods that are due (their end plus closeAfterDays has passed) and records
     * each once, with its final figures. Payouts are already final by then (late events and
     * reversals after the close change nothing); the close makes that visible and audited.
     * `tandem goals close` and the daily job of `serve` run it.
     */
    async closeDue(ctx: AuthContext) {
      ctx.require('programs.manage');
      const ws = ctx.workspaceId;
      const tz = (await deps.workspaces.get(ws)).timezone;
      const now = deps.clock.now();
      const closed: { goalId: string; periodStart: string; periodEnd: string; subjects: number; reachedTarget: number }[] = [];
      for (const g of await repo.periodic(ws)) {
        for (const start of await repo.openPeriods(ws, g.id)) {
          const p = periodFor(g, start, tz);
          if (now <= p.to + g.close_after_days * DAY) continue;
          const final = await this.progressOf(g, tz, { at: toIso(start)! });
          const reached = final.subjects.filter((x) => x.attainment != null && x.attainment >= 100).length;
          const row = { workspace_id: ws, goal_id: g.id, period_start: p.from, period_end: p.to, subjects: final.subjects.length, reached_target: reached, closed_at: now };
          const summary = { goalId: g.id, periodStart: toIso(p.from)!, periodEnd: toIso(p.to)!, subjects: row.subjects, reachedTarget: reached };
          await deps.db.transaction().execute(async (tx) => {
            const r = await repo.insertClose(tx, row);
            // A concurrent run closed it first: record nothing twice.
            if (!Number(r?.numInsertedOrUpdatedRows ?? 0)) return;
            await deps.audit.record(tx, ctx, { action: 'goal.period_closed', targetType: 'goal', targetId: g.id, after: summary });
            closed.push(summary);
          });
        }
      }
      return { closed };
    },

    /** Goals of the active programs, loaded once per batch. */
    loadFor: (tx: AnyDb | undefined, ws: string, programIds: string[]) => repo.ofPrograms(tx, ws, programIds),
    toGoal,

    /**
     * One event's effect on one goal, in the ingestion transaction: add to the progress of the
     * person (or their team) for the period it occurred in, then pay each tier newly crossed.
     */
    onEvent(tx: AnyDb, g: GoalsTable, e: GoalEvent, facts: Facts, env: GoalEnv, record: (o: Omit<TOutcome, 'programId' | 'programVersion'>) => void) {
      return trackEvent(liveStore(tx, g.workspace_id), g, e, facts, env, record);
    },
    /** The same step over another store (a simulation's). */
    onEventWith: trackEvent,

    /**
     * The same step for a simulation: progress, targets and tiers paid are kept in memory
     * (targets and team members are read, nothing is written). `reached()` answers, per goal
     * and tier, the people or teams whose progress crossed it, and in how many periods.
     */
    simulationStore(ws: string): GoalStore & { reached(g: GoalsTable): Promise<Map<number, { subjects: number; periods: number }>> } {
      const progress = new Map<string, { key: GoalKey; value: number }>();
      const paid = new Map<string, Set<number>>();
      const targets = new Map<string, number>();
      const members = new Map<string, string[]>();
      const id = (k: GoalKey) => `${k.goalId}|${k.subjectId}|${k.periodStart}`;
      const store: GoalStore = {
        honoursClose: false,
        async addProgress(k, delta) {
          const row = progress.get(id(k)) ?? { key: k, value: 0 };
          row.value += delta;
          progress.set(id(k), row);
          return row.value;
        },
        async addContribution() {},
        async target(k) {
          let v = targets.get(id(k));
          if (v === undefined) targets.set(id(k), (v = await repo.target(undefined, ws, k)));
          return v;
        },
        paidTiers: async (k) => paid.get(id(k)) ?? new Set(),
        async markPaid(k, percent) {
          paid.set(id(k), (paid.get(id(k)) ?? new Set()).add(percent));
        },
        async members(teamId) {
          let list = members.get(teamId);
          if (!list) members.set(teamId, (list = await deps.people.teamMembers(undefined, ws, teamId)));
          return list;
        },
      };
      return {
        ...store,
        async reached(g) {
          const out = new Map<number, { subjects: Set<string>; periods: number }>();
          const tiers = JSON.parse(g.tiers) as Tier[];
          for (const t of tiers) out.set(t.percent, { subjects: new Set(), periods: 0 });
          for (const { key, value } of progress.values()) {
            if (key.goalId !== g.id) continue;
            const target = (await store.target(key)) || Number(g.default_target ?? NaN);
            if (!Number.isFinite(target) || target <= 0) continue;
            for (const t of tiers) {
              if (value * 100 < t.percent * target) continue;
              const r = out.get(t.percent)!;
              r.subjects.add(key.subjectId);
              r.periods++;
            }
          }
          return new Map([...out].map(([p, r]) => [p, { subjects: r.subjects.size, periods: r.periods }]));
        },
      };
    },

    /**
     * A reversed event takes back what it added to goals; tiers no longer reached are taken back
     * too (their transfers reversed), so they can be paid again if crossed again.
     */
    async onReversal(tx: AnyDb, ws: string, eventId: string, why: { reason: string; actorId: string; timezone: string }) {
      for (const c of await repo.contributionsOf(tx, ws, eventId)) {
        const key = { goalId: c.goal_id, subjectId: c.subject_id, periodStart: Number(c.period_start) };
        const g = await repo.get(tx, ws, c.goal_id);
        if (!g) continue;
        // A closed period is final: a reversal after the close changes no progress and no payout.
        const p = periodFor(g, key.periodStart, why.timezone);
        if (p.to !== Number.MAX_SAFE_INTEGER && deps.clock.now() > p.to + g.close_after_days * DAY) continue;
        const value = await repo.addProgress(tx, ws, key, -Number(c.delta), deps.clock.now());
        const target = (await repo.target(tx, ws, key)) || Number(g.default_target ?? NaN);
        for (const payout of await repo.payouts(tx, ws, key)) {
          if (Number.isFinite(target) && value * 100 >= payout.percent * target) continue;
          const originals = [];
          for (const id of payout.transferIds) {
            const trf = await deps.ledger.transfer(tx, ws, id);
            if (trf) originals.push(trf);
          }
          await deps.ledger.reverse(tx, ws, originals, { reason: `${g.name}: back under ${payout.percent}% (${why.reason})`, actorId: why.actorId });
          await repo.deletePayout(tx, ws, key, payout.percent);
        }
      }
      await repo.deleteContributions(tx, ws, eventId);
    },
  };
}
export type GoalsService = ReturnType<typeof createGoalsService>;
