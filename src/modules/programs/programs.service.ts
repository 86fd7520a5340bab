import type SQLite from 'better-sqlite3';
import { createHash } from 'node:crypto';
import type { AnyDb } from '../../core/db/db.js';
import type { Ids } from '../../core/ids.js';
import type { Outbox } from '../../core/outbox.js';
import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import type { AuthContext } from '../../core/auth.js';
import { AppError, notFound } from '../../core/errors.js';
import { decodeCursor, toPage } from '../../core/http/pagination.js';
import type { AuditService } from '../audit/index.js';
import { accounts, expiryOf, type LedgerService, type NewTransfer } from '../ledger/index.js';
import type { WorkspacesService } from '../workspaces/index.js';
import { compileRules, periodOf, type CompiledRuleSet, type EngineService, type Facts, type TCap, type TRule, type Vocabulary } from '../engine/index.js';
import { createGoalsService } from './goals.service.js';
import type { Bank } from './programs.bank.js';
import { distribution } from './programs.stats.js';
import { createProgramsRepository, type ProgramsTable, type ProgramVersionsTable } from './programs.repository.js';
import type { PeopleService } from '../people/index.js';
import { ZCreateProgram, ZUpdateProgram, type TAudience, type TBulkAwards, type TOutcome } from './programs.schema.js';
import type { z } from 'zod';

/** An event as the engine sees it: resolved, checked, about to be stored. */
export interface EngineEvent {
  id: string;
  type: string;
  occurredAt: number;
  properties: Record<string, unknown>;
  personId: string;
  accountId: string | null;
}
/** The people context of a batch (from the people module). */
export interface EngineContext {
  timezone: string;
  /** the workspace's expiry policy for earned points (months; null: never) */
  expireMonths: number | null;
  people: Map<string, { id: string; kind: string; teamId: string | null; accountId: string | null; attributes: Record<string, unknown> }>;
  accounts: Map<string, { id: string; tier: string | null; attributes: Record<string, unknown> }>;
  teams: Map<string, { parentId: string | null; managerId: string | null }>;
  /** account id → who serves it */
  assignments: Map<string, { personId: string; role: string }[]>;
  /** the event types, when the caller has read them for this batch already */
  vocab?: Vocabulary;
}

/** The people module's answer for a batch (PeopleService.eventContext), as the engine reads it. */
export function engineContextOf(
  pc: Awaited<ReturnType<PeopleService['eventContext']>>,
  workspace: { timezone: string; pointsExpireMonths: number | null },
  vocab?: Vocabulary,
): EngineContext {
  const assignments = new Map<string, { personId: string; role: string }[]>();
  for (const a of pc.assignments) assignments.set(a.accountId, [...(assignments.get(a.accountId) ?? []), { personId: a.personId, role: a.role }]);
  return {
    timezone: workspace.timezone,
    expireMonths: workspace.pointsExpireMonths,
    people: new Map(pc.people.map((p) => [p.id, p])),
    accounts: new Map(pc.accounts.map((a) => [a.id, a])),
    teams: new Map(pc.teams.map((t) => [t.id, { parentId: t.parentId, managerId: t.managerId }])),
    assignments,
    vocab,
  };
}

interface LoadedVersion {
  version: number;
  effectiveFrom: number;
  compiled: CompiledRuleSet;
  audience: (personId: string, ctx: EngineContext) => boolean;
  cap: TCap | null;
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50) || 'rule';

/** Gives every rule a stable id (kept across versions) so caps and history can name it. */
function withRuleIds(rules: TRule[]): TRule[] {
  const used = new Set(rules.map((r) => r.id).filter(Boolean));
  return rules.map((r) => {
    if (r.id) return r;
    let id = slug(r.name);
    for (let n = 2; used.has(id); n++) id = `${slug(r.name)}-${n}`;
    used.add(id);
    return { ...r, id };
  });
}

export function teamPath(teamId: string | null, teams: EngineContext['teams']): string[] {
  const out: string[] = [];
  for (let t = teamId, n = 0; t && n < 1000; t = teams.get(t)?.parentId ?? null, n++) out.push(t);
  return out;
}

function compileAudience(a: TAudience) {
  const kinds = a.kinds ? new Set<string>(a.kinds) : null;
  const teams = a.teams ? new Set(a.teams) : null;
  const tiers = a.accountTiers ? new Set(a.accountTiers) : null;
  const list = a.people ? new Set(a.people) : null;
  const attrs = a.attributes ? Object.entries(a.attributes).map(([k, vs]) => [k, new Set<unknown>(vs)] as const) : [];
  return (personId: string, ctx: EngineContext) => {
    const p = ctx.people.get(personId);
    if (!p) return false;
    if (list && !list.has(personId)) return false;
    if (kinds && !kinds.has(p.kind)) return false;
    if (teams && !teamPath(p.teamId, ctx.teams).some((t) => teams.has(t))) return false;
    if (tiers && !(p.accountId && tiers.has(ctx.accounts.get(p.accountId)?.tier ?? ''))) return false;
    for (const [k, vs] of attrs) if (!vs.has(p.attributes[k])) return false;
    return true;
  };
}

/** The same person stays held out: a stable hash of program and person. */
export function isHeldOut(programId: string, personId: string, percent: number) {
  if (percent <= 0) return false;
  return createHash('sha256').update(`${programId}:${personId}`).digest().readUInt32BE(0) % 100 < percent;
}

export function createProgramsService(deps: { db: AnyDb; ids: Ids; clock: Clock; audit: AuditService; engine: EngineService; ledger: LedgerService; people: PeopleService; workspaces: WorkspacesService; outbox: Outbox }) {
  const repo = createProgramsRepository(deps.db);
  const goals = createGoalsService({ ...deps, programs: repo });
  // Versions never change once active, so their compiled form is cached for good.
  const compiledCache = new Map<string, LoadedVersion>();
  // Audiences judged one person at a time (a redemption's reward), parsed and compiled once per
  // JSON text; dropped whole past 500 texts.
  const compiledAudiences = new Map<string, { audience: TAudience; judge: ReturnType<typeof compileAudience> }>();

  async function checkRules(ws: string, rules: TRule[], tx?: AnyDb) {
    const { errors } = compileRules(rules, await deps.engine.vocabulary(ws, tx));
    if (errors.length) throw new AppError('validation_failed', { detail: errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors });
  }

  function load(ws: string, v: ProgramVersionsTable, vocab: Parameters<typeof compileRules>[1]): LoadedVersion {
    const key = `${ws}:${v.program_id}:${v.version}:${v.created_at}`;
    let hit = compiledCache.get(key);
    if (!hit) {
      const { compiled } = compileRules(JSON.parse(v.rules) as TRule[], vocab);
      hit = { version: v.version, effectiveFrom: v.effective_from, compiled, audience: compileAudience(JSON.parse(v.audience) as TAudience), cap: v.cap ? (JSON.parse(v.cap) as TCap) : null };
      compiledCache.set(key, hit);
    }
    return hit;
  }

  /**
   * The ledger for one ingestion batch: budgets are locked and read once, cap usage is read once
   * per key, and the batch's transfers are posted together at the end, in one call. Decisions
   * stay exact: what this batch already paid counts against caps and budgets as it goes.
   */
  async function batchBank(tx: AnyDb, ws: string, ctx: EngineContext, programIds: string[]) {
    const budgets = new Map<string, number>();
    const locked = await deps.ledger.lock(tx, ws, programIds.map((id) => accounts.budget(id)));
    for (const id of programIds) budgets.set(id, locked.get(accounts.budget(id)) ?? 0);
    const fromDb = new Map<string, { points: number; times: number }>();
    const paid = new Map<string, { ruleId: string; at: number; amount: number }[]>(); // program|recipient → this batch's awards
    const transfers: NewTransfer[] = [];
    const bank: Bank & { flush(): Promise<void> } = {
      async usage(q) {
        const key = `${q.programId}|${q.ruleId ?? '*'}|${q.recipientId}|${q.from}|${q.to}`;
        let base = fromDb.get(key);
        if (!base) fromDb.set(key, (base = await deps.ledger.ruleUsage(tx, ws, { programId: q.programId, ruleId: q.ruleId, wallet: accounts.wallet(q.recipientId), from: q.from, to: q.to })));
        let points = base.points;
        let times = base.times;
        for (const a of paid.get(`${q.programId}|${q.recipientId}`) ?? []) {
          if ((q.ruleId === null || a.ruleId === q.ruleId) && a.at >= q.from && a.at < q.to) {
            points += a.amount;
            times++;
          }
        }
        return { points, times };
      },
      budgetLeft: async (programId) => budgets.get(programId) ?? 0,
      async pay(a) {
        const id = deps.ids.next('trf');
        budgets.set(a.programId, (budgets.get(a.programId) ?? 0) - a.amount);
        if ((a.cause ?? 'event') === 'event') {
          const k = `${a.programId}|${a.recipientId}`;
          const list = paid.get(k);
          if (list) list.push({ ruleId: a.ruleId, at: a.occurredAt, amount: a.amount });
          else paid.set(k, [{ ruleId: a.ruleId, at: a.occurredAt, amount: a.amount }]);
        }
        transfers.push({ id, from: accounts.budget(a.programId), to: accounts.wallet(a.recipientId), amount: a.amount, cause: a.cause ?? 'event', eventId: a.eventId, programId: a.programId, programVersion: a.version, ruleId: a.ruleId, goalId: a.goalId ?? null, reason: a.reason ?? null, occurredAt: a.occurredAt, expiresAt: expiryOf(a.occurredAt, ctx.expireMonths) });
        return id;
      },
      async flush() {
        // The budgets are locked already: post reads only the wallets (or, on PostgreSQL, none).
        await deps.ledger.post(tx, ws, transfers, { locked });
      },
    };
    return bank;
  }

  async function toProgram(r: ProgramsTable, tx?: AnyDb) {
    const versions = await repo.versions(tx, r.workspace_id, r.id);
    const current = versions[versions.length - 1]!;
    const remaining = await deps.ledger.balance(r.workspace_id, accounts.budget(r.id), tx);
    return {
      id: r.id,
      name: r.name,
      description: r.description,
      status: r.status,
      audience: JSON.parse(current.audience) as Record<string, unknown>,
      budget: Number(r.budget),
      budgetRemaining: r.status === 'draft' ? Number(r.budget) : remaining,
      pointValueCents: r.point_value_cents,
      currency: r.currency,
      fundingSource: r.funding_source,
      holdoutPercent: r.holdout_percent,
      startsAt: toIso(r.starts_at),
      endsAt: toIso(r.ends_at),
      cap: current.cap ? (JSON.parse(current.cap) as unknown) : null,
      rules: JSON.parse(current.rules) as Record<string, unknown>[],
      version: r.version,
      createdAt: toIso(r.created_at)!,
      updatedAt: toIso(r.updated_at)!,
    };
  }

  /** Moves budget from the funding account so that what was funded equals the budget. */
  async function fund(tx: AnyDb, ctx: AuthContext, p: ProgramsTable, budget: number) {
    const delta = budget - Number(p.funded);
    if (delta > 0) await deps.ledger.post(tx, ctx.workspaceId, [{ from: accounts.funding(p.funding_source), to: accounts.budget(p.id), amount: delta, cause: 'funding', programId: p.id, occurredAt: deps.clock.now(), actorId: ctx.actor.id, reason: 'program budget' }]);
    if (delta < 0) {
      const left = await deps.ledger.balance(ctx.workspaceId, accounts.budget(p.id), tx);
      if (left < -delta) throw new AppError('conflict', { detail: `Only ${left} points of the budget are unspent; it cannot shrink by ${-delta}`, path: 'budget' });
      await deps.ledger.post(tx, ctx.workspaceId, [{ from: accounts.budget(p.id), to: accounts.funding(p.funding_source), amount: -delta, cause: 'funding', programId: p.id, occurredAt: deps.clock.now(), actorId: ctx.actor.id, reason: 'budget reduced' }]);
    }
    await repo.update(tx, ctx.workspaceId, p.id, { funded: budget });
  }

  async function transition(ctx: AuthContext, id: string, to: ProgramsTable['status'], from: ProgramsTable['status'][]) {
    ctx.require('programs.manage');
    return deps.db.transaction().execute(async (tx) => {
      const p = await repo.get(tx, ctx.workspaceId, id);
      if (!p) throw notFound('Program');
      if (p.status === to) return toProgram(p, tx);
      if (!from.includes(p.status)) throw new AppError('conflict', { detail: `A ${p.status} program cannot become ${to}` });
      if (to === 'active') {
        const versions = await repo.versions(tx, ctx.workspaceId, id);
        const rules = JSON.parse(versions[versions.length - 1]!.rules) as TRule[];
        if (!rules.length) throw new AppError('validation_failed', { detail: 'A program needs at least one rule to go live', path: 'rules' });
        await checkRules(ctx.workspaceId, rules, tx);
        await fund(tx, ctx, p, Number(p.budget));
      }
      if (to === 'ended') {
        const left = await deps.ledger.balance(ctx.workspaceId, accounts.budget(id), tx);
        if (left > 0) await deps.ledger.post(tx, ctx.workspaceId, [{ from: accounts.budget(id), to: accounts.funding(p.funding_source), amount: left, cause: 'funding', programId: id, occurredAt: deps.clock.now(), actorId: ctx.actor.id, reason: 'program ended: unspent budget returned' }]);
      }
      const now = deps.clock.now();
      await repo.update(tx, ctx.workspaceId, id, { status: to, updated_at: now });
      await deps.audit.record(tx, ctx, { action: `program.${to === 'active' ? 'activated' : to}`, targetType: 'program', targetId: id, before: { status: p.status }, after: { status: to } });
      return toProgram({ ...p, status: to, updated_at: now }, tx);
    });
  }

  return {
    async create(ctx: AuthContext, raw: z.input<typeof ZCreateProgram>) {
      ctx.require('programs.manage');
      const input = ZCreateProgram.parse(raw);
      const rules = withRuleIds(input.rules ?? []);
      await checkRules(ctx.workspaceId, rules);
      const now = deps.clock.now();
      const row: ProgramsTable = {
        workspace_id: ctx.workspaceId,
        id: deps.ids.next('prg'),
        name: input.name,
        description: input.description ?? null,
        status: 'draft',
        budget: input.budget,
        funded: 0,
        point_value_cents: input.pointValueCents ?? 1,
        currency: input.currency ?? 'USD',
        funding_source: input.fundingSource ?? 'default',
        holdout_percent: input.holdoutPercent ?? 0,
        starts_at: input.startsAt ? Date.parse(input.startsAt) : null,
        ends_at: input.endsAt ? Date.parse(input.endsAt) : null,
        version: 1,
        created_at: now,
        updated_at: now,
      };
      if (row.starts_at && row.ends_at && row.ends_at <= row.starts_at) throw new AppError('validation_failed', { detail: 'endsAt is before startsAt', path: 'endsAt' });
      return deps.db.transaction().execute(async (tx) => {
        await repo.insert(tx, row);
        await repo.insertVersion(tx, { workspace_id: ctx.workspaceId, program_id: row.id, version: 1, rules: JSON.stringify(rules), audience: JSON.stringify(input.audience), cap: input.cap ? JSON.stringify(input.cap) : null, effective_from: row.starts_at ?? 0, created_at: now });
        const out = await toProgram(row, tx);
        await deps.audit.record(tx, ctx, { action: 'program.created', targetType: 'program', targetId: row.id, after: out });
        return out;
      });
    },

    async list(ctx: AuthContext, q: { limit: number; cursor?: string; status?: string }) {
      ctx.require('programs.read');
      const rows = await repo.list(ctx.workspaceId, { status: q.status, after: decodeCursor(q.cursor), limit: q.limit + 1 });
      const page = toPage(rows, q.limit, (r) => r);
      return { data: await Promise.all(page.data.map((r) => toProgram(r))), nextCursor: page.nextCursor };
    },

    async get(ctx: AuthContext, id: string) {
      ctx.require('programs.read');
      const r = await repo.get(undefined, ctx.workspaceId, id);
      if (!r) throw notFound('Program');
      return toProgram(r);
    },

    /**
     * A draft changes in place. An active or paused program gets a new version from
     * effectiveFrom (default now): events that occurred before it keep the old rules.
     */
    async update(ctx: AuthContext, id: string, raw: z.input<typeof ZUpdateProgram>) {
      ctx.require('programs.manage');
      const patch = ZUpdateProgram.parse(raw);
      const rules = patch.rules ? withRuleIds(patch.rules) : undefined;
      if (rules) await checkRules(ctx.workspaceId, rules);
      return deps.db.transaction().execute(async (tx) => {
        const p = await repo.get(tx, ctx.workspaceId, id);
        if (!p) throw notFound('Program');
        if (p.status === 'ended') throw new AppError('conflict', { detail: 'An ended program cannot change' });
        const before = await toProgram(p, tx);
        const now = deps.clock.now();
        const next: Partial<ProgramsTable> = { updated_at: now };
        if (patch.name !== undefined) next.name = patch.name;
        if (patch.description !== undefined) next.description = patch.description;
        if (patch.pointValueCents !== undefined) next.point_value_cents = patch.pointValueCents;
        if (patch.currency !== undefined) next.currency = patch.currency;
        if (patch.holdoutPercent !== undefined) next.holdout_percent = patch.holdoutPercent;
        if (patch.startsAt !== undefined) next.starts_at = patch.startsAt ? Date.parse(patch.startsAt) : null;
        if (patch.endsAt !== undefined) next.ends_at = patch.endsAt ? Date.parse(patch.endsAt) : null;
        if (patch.fundingSource !== undefined) {
          if (p.status !== 'draft') throw new AppError('conflict', { detail: 'The funding source is fixed once the program went live', path: 'fundingSource' });
          next.funding_source = patch.fundingSource;
        }
        if (patch.budget !== undefined) {
          next.budget = patch.budget;
          if (p.status !== 'draft') await fund(tx, ctx, p, patch.budget);
        }
        const versionChange = rules !== undefined || patch.audience !== undefined || patch.cap !== undefined;
        if (versionChange) {
          const versions = await repo.versions(tx, ctx.workspaceId, id);
          const cur = versions[versions.length - 1]!;
          const v = {
            rules: rules ? JSON.stringify(rules) : cur.rules,
            audience: patch.audience ? JSON.stringify(patch.audience) : cur.audience,
            cap: patch.cap !== undefined ? (patch.cap ? JSON.stringify(patch.cap) : null) : cur.cap,
          };
          if (p.status === 'draft') await repo.updateVersion(tx, ctx.workspaceId, id, cur.version, { ...v, created_at: now, effective_from: next.starts_at ?? p.starts_at ?? 0 });
          else {
            const from = patch.effectiveFrom ? Date.parse(patch.effectiveFrom) : now;
            if (from < cur.effective_from) throw new AppError('validation_failed', { detail: 'A new version cannot start before the current one', path: 'effectiveFrom' });
            await repo.insertVersion(tx, { workspace_id: ctx.workspaceId, program_id: id, version: cur.version + 1, ...v, effective_from: from, created_at: now });
            next.version = cur.version + 1;
          }
        }
        await repo.update(tx, ctx.workspaceId, id, next);
        const after = await toProgram({ ...p, ...next }, tx);
        await deps.audit.record(tx, ctx, { action: 'program.updated', targetType: 'program', targetId: id, before, after });
        return after;
      });
    },

    /**
     * A bulk award from the program's budget: up to 10,000 recipients, all or nothing, with a
     * reason. A bad row or a budget that cannot cover the total writes nothing.
     */
    async bulkAward(ctx: AuthContext, id: string, input: TBulkAwards) {
      ctx.require('ledger.adjust');
      const ws = ctx.workspaceId;
      const found = await deps.people.eventContext(undefined, ws, {
        personIds: input.awards.flatMap((a) => (a.personId ? [a.personId] : [])),
        personExternalIds: input.awards.flatMap((a) => (a.personExternalId ? [a.personExternalId] : [])),
        accountIds: [],
        accountExternalIds: [],
      });
      const byId = new Map(found.people.map((p) => [p.id, p]));
      const byExt = new Map(found.people.map((p) => [p.externalId, p]));
      const errors = input.awards.flatMap((a, i) => {
        const p = a.personId ? byId.get(a.personId) : byExt.get(a.personExternalId!);
        return p && !p.erased ? [] : [{ path: `awards[${i}].${a.personId ? 'personId' : 'personExternalId'}`, message: 'no such person' }];
      });
      if (errors.length) throw new AppError('validation_failed', { detail: `${errors.length} award(s) name no person; nothing was awarded`, errors });
      // Read before the transaction: on SQLite a query outside it would wait for it forever.
      const expiresAt = expiryOf(deps.clock.now(), (await deps.workspaces.get(ws)).pointsExpireMonths);
      return deps.db.transaction().execute(async (tx) => {
        const p = await repo.get(tx, ws, id);
        if (!p) throw notFound('Program');
        if (p.status !== 'active' && p.status !== 'paused') throw new AppError('conflict', { detail: `A ${p.status} program has no budget to award from` });
        const total = input.awards.reduce((s, a) => s + a.points, 0);
        const left = await deps.ledger.balance(ws, accounts.budget(id), tx);
        if (left < total) throw new AppError('budget_exhausted', { detail: `The budget holds ${left} points; these awards need ${total}` });
        const at = deps.clock.now();
        const rows = await deps.ledger.post(tx, ws, input.awards.map((a) => ({
          from: accounts.budget(id),
          to: accounts.wallet((a.personId ? byId.get(a.personId) : byExt.get(a.personExternalId!))!.id),
          amount: a.points,
          cause: 'bulk_award' as const,
          programId: id,
          programVersion: p.version,
          occurredAt: at,
          expiresAt,
          actorId: ctx.actor.id,
          reason: input.reason,
        })));
        await deps.audit.record(tx, ctx, { action: 'program.bulk_awarded', targetType: 'program', targetId: id, after: { reason: input.reason, recipients: rows.length, points: total } });
        return { programId: id, recipients: rows.length, points: total, transferIds: rows.map((r) => r.id) };
      });
    },

    activate: (ctx: AuthContext, id: string) => transition(ctx, id, 'active', ['draft', 'paused']),
    pause: (ctx: AuthContext, id: string) => transition(ctx, id, 'paused', ['active']),
    end: (ctx: AuthContext, id: string) => transition(ctx, id, 'ended', ['draft', 'active', 'paused']),

    /**
     * The engine's step of the pipeline, inside the ingestion transaction: for each event, the
     * active programs whose audience holds the person → rules of its type → points → caps and
     * budget per recipient → transfers. Answers the outcomes per event, in order.
     */
    async apply(tx: AnyDb, ws: string, events: EngineEvent[], ctx: EngineContext): Promise<Map<string, TOutcome[]>> {
      const out = new Map<string, TOutcome[]>(events.map((e) => [e.id, []]));
      // PostgreSQL: programs, versions and goals in one statement; SQLite: three reads.
      const live = await repo.live(tx, ws);
      const programs = live ? live.programs : await repo.active(tx, ws);
      if (!programs.length) return out;
      const vocab = ctx.vocab ?? (await deps.engine.vocabulary(ws, tx));
      const loaded = new Map<string, LoadedVersion[]>();
      for (const p of programs) loaded.set(p.id, (live ? live.versions.filter((v) => v.program_id === p.id) : await repo.versions(tx, ws, p.id)).map((v) => load(ws, v, vocab)));
      const now = deps.clock.now();
      // Goals of the live programs, with the event type each counts (read once per batch).
      const goalsOf = new Map<string, { goal: Awaited<ReturnType<typeof goals.loadFor>>[number]; on: string }[]>();
      for (const g of live ? live.goals : await goals.loadFor(tx, ws, programs.map((p) => p.id))) {
        goalsOf.set(g.program_id, [...(goalsOf.get(g.program_id) ?? []), { goal: g, on: (JSON.parse(g.metric) as { on: string }).on }]);
      }
      const outcomeRows: Parameters<typeof repo.insertOutcomes>[1] = [];
      const bank = await batchBank(tx, ws, ctx, programs.map((p) => p.id));
      // Per batch, not per event: each program's goals by the event type they count, each
      // person's team path, and one outcome recorder (no closure made per event and program).
      const goalsByType = new Map<string, Map<string, Awaited<ReturnType<typeof goals.loadFor>>[number][]>>();
      for (const [programId, list] of goalsOf) {
        const byType = new Map<string, Awaited<ReturnType<typeof goals.loadFor>>[number][]>();
        for (const g of list) byType.set(g.on, [...(byType.get(g.on) ?? []), g.goal]);
        goalsByType.set(programId, byType);
      }
      const paths = new Map<string, string[]>();
      // What `record` records for: the event and program at hand (the loop awaits each before the next).
      let at: { e: EngineEvent; programId: string; version: number; list: TOutcome[] } = { e: events[0]!, programId: '', version: 0, list: [] };
      const record = (o: Omit<TOutcome, 'programId' | 'programVersion'>) => {
        const { e, programId, version } = at;
        const full: TOutcome = { programId, programVersion: version, ...o };
        at.list.push(full);
        // A full award is its transfer (read back from the ledger); only the others are rows.
        if (o.outcome === 'awarded' && o.transferId) return;
        outcomeRows.push({ workspace_id: ws, id: deps.ids.next('out'), event_id: e.id, program_id: programId, program_version: version, rule_id: o.ruleId, recipient_id: o.recipientId, outcome: o.outcome, points_due: o.pointsDue, points_paid: o.points, transfer_id: o.transferId, occurred_at: e.occurredAt, created_at: now });
      };
      const NO_GOALS: Awaited<ReturnType<typeof goals.loadFor>>[number][] = [];

      for (const e of events) {
        const person = ctx.people.get(e.personId)!;
        const account = e.accountId ? ctx.accounts.get(e.accountId) ?? null : person.accountId ? ctx.accounts.get(person.accountId) ?? null : null;
        let path = paths.get(person.id);
        if (!path) paths.set(person.id, (path = teamPath(person.teamId, ctx.teams)));
        const facts: Facts = {
          type: e.type,
          properties: e.properties,
          occurredAt: e.occurredAt,
          person: { id: person.id, kind: person.kind, attributes: person.attributes, teamId: person.teamId, teamPath: path },
          account,
          timezone: ctx.timezone,
        };
        const list = out.get(e.id)!;
        for (const p of programs) {
          if ((p.starts_at != null && e.occurredAt < p.starts_at) || (p.ends_at != null && e.occurredAt >= p.ends_at)) continue;
          const versions = loaded.get(p.id)!;
          // The latest version in effect when the event occurred (else the first).
          let v = versions[0]!;
          for (let i = versions.length - 1; i >= 0; i--) {
            if (versions[i]!.effectiveFrom <= e.occurredAt) {
              v = versions[i]!;
              break;
            }
          }
          const rules = v.compiled.byType.get(e.type) ?? [];
          const goalsHere = goalsByType.get(p.id)?.get(e.type) ?? NO_GOALS;
          if ((!rules.length && !goalsHere.length) || !v.audience(e.personId, ctx)) continue;
          at = { e, programId: p.id, version: v.version, list };
          const matched = rules.filter((r) => r.matches(facts));
          if (!matched.length && !goalsHere.length) continue;
          if (isHeldOut(p.id, e.personId, p.holdout_percent)) {
            record({ ruleId: null, outcome: 'holdout', recipientId: e.personId, pointsDue: 0, points: 0, transferId: null });
            continue;
          }
          await awardRules(matched, { programId: p.id, version: v.version, cap: v.cap }, e, person, account?.id ?? null, facts, ctx, bank, record);
          for (const g of goalsHere) await goals.onEvent(tx, g, { id: e.id, occurredAt: e.occurredAt, personId: e.personId, teamId: person.teamId }, facts, { vocab, timezone: ctx.timezone, programVersion: v.version, bank }, record);
        }
      }
      await bank.flush();
      await repo.insertOutcomes(tx, outcomeRows);
      // Domain messages (webhooks, later the inbox): what was paid, and the goal tiers reached.
      const awarded: Record<string, unknown>[] = [];
      const tiers: Record<string, unknown>[] = [];
      for (const [eventId, list] of out) {
        for (const o of list) {
          if (!o.transferId || o.points <= 0) continue;
          awarded.push({ eventId, programId: o.programId, programVersion: o.programVersion, ruleId: o.ruleId, personId: o.recipientId, points: o.points, transferId: o.transferId });
          const tier = o.ruleId?.startsWith('goal:') ? /^goal:(.+):(\d+)$/.exec(o.ruleId) : null;
          if (tier) tiers.push({ eventId, programId: o.programId, goalId: tier[1], tierPercent: Number(tier[2]), personId: o.recipientId, points: o.points, transferId: o.transferId });
        }
      }
      await deps.outbox.publish(tx, ws, 'points.awarded', awarded);
      await deps.outbox.publish(tx, ws, 'goal.tier_reached', tiers);
      return out;
    },

    /**
     * Runs a program's compiled rules (its latest version) and its goals over stored events of a
     * window, writing nothing, and reports what it would have cost: points, money, budget burn by
     * week, earners and their distribution, per-rule and per-goal tier totals and the top earners.
     * Rules pay through the same `awardRules` as ingestion and goals through the same
     * `goals.onEvent` logic, over a bank and a goal store kept in memory. A goal period that has
     * closed since is still counted: the question is what the program would have paid.
     */
    async simulate(ctx: AuthContext, id: string, window: { from: number; to: number }, feed: (from: number, to: number) => AsyncIterable<{ events: EngineEvent[]; ctx: EngineContext }>) {
      ctx.require('programs.manage');
      if (!(window.to > window.from)) throw new AppError('validation_failed', { detail: 'to must be after from', path: 'to' });
      if (window.to - window.from > 400 * 86_400_000) throw new AppError('validation_failed', { detail: 'simulate at most about 13 months at a time', path: 'to' });
      const ws = ctx.workspaceId;
      const p = await repo.get(undefined, ws, id);
      if (!p) throw notFound('Program');
      const versions = await repo.versions(undefined, ws, id);
      const vocab = await deps.engine.vocabulary(ws);
      const v = load(ws, versions[versions.length - 1]!, vocab);
      const programGoals = await goals.loadFor(undefined, ws, [id]);
      const goalStore = goals.simulationStore(ws);
      // recipient → rule → the rule's awards to them (what caps count), so a program cap reads one person's awards only
      const awards = new Map<string, Map<string, { at: number; points: number }[]>>();
      let spent = 0;
      const bank: Bank = {
        async usage(q) {
          let points = 0;
          let times = 0;
          const mine = awards.get(q.recipientId);
          const lists = !mine ? [] : q.ruleId ? [mine.get(q.ruleId) ?? []] : [...mine.values()];
          for (const l of lists) for (const a of l) if (a.at >= q.from && a.at < q.to) { points += a.points; times++; }
          return { points, times };
        },
        budgetLeft: async () => Number(p.budget) - spent,
        async pay(a) {
          // Caps count the rules' awards only, as on the ledger (tier payouts are not capped).
          if ((a.cause ?? 'event') === 'event') {
            let mine = awards.get(a.recipientId);
            if (!mine) awards.set(a.recipientId, (mine = new Map()));
            let list = mine.get(a.ruleId);
            if (!list) mine.set(a.ruleId, (list = []));
            list.push({ at: a.occurredAt, points: a.amount });
          }
          spent += a.amount;
          return null;
        },
      };
      const perRule = new Map(v.compiled.rules.map((r) => [r.id, { ruleId: r.id, name: r.name, awards: 0, points: 0, capped: 0, budgetExhausted: 0 }]));
      const perTier = new Map<string, { awards: number; points: number; budgetExhausted: number }>(); // goal:id:percent
      for (const g of programGoals) for (const t of JSON.parse(g.tiers) as { percent: number }[]) perTier.set(`goal:${g.id}:${t.percent}`, { awards: 0, points: 0, budgetExhausted: 0 });
      const goalsByType = new Map<string, typeof programGoals>();
      for (const g of programGoals) {
        const on = (JSON.parse(g.metric) as { on: string }).on;
        goalsByType.set(on, [...(goalsByType.get(on) ?? []), g]);
      }
      const perPerson = new Map<string, number>();
      const perWeek = new Map<number, number>();
      let scanned = 0;
      let heldOut = 0;
      let tz = 'UTC';
      for await (const page of feed(window.from, window.to)) {
        tz = page.ctx.timezone;
        for (const e of page.events) {
          scanned++;
          if ((p.starts_at != null && e.occurredAt < p.starts_at) || (p.ends_at != null && e.occurredAt >= p.ends_at)) continue;
          const rules = v.compiled.byType.get(e.type) ?? [];
          const goalsHere = goalsByType.get(e.type) ?? [];
          if ((!rules.length && !goalsHere.length) || !v.audience(e.personId, page.ctx)) continue;
          const person = page.ctx.people.get(e.personId)!;
          const account = e.accountId ? page.ctx.accounts.get(e.accountId) ?? null : person.accountId ? page.ctx.accounts.get(person.accountId) ?? null : null;
          const facts: Facts = { type: e.type, properties: e.properties, occurredAt: e.occurredAt, person: { id: person.id, kind: person.kind, attributes: person.attributes, teamId: person.teamId, teamPath: teamPath(person.teamId, page.ctx.teams) }, account, timezone: tz };
          const matched = rules.filter((r) => r.matches(facts));
          if (!matched.length && !goalsHere.length) continue;
          if (isHeldOut(p.id, e.personId, p.holdout_percent)) { heldOut++; continue; }
          const record = (o: Omit<TOutcome, 'programId' | 'programVersion'>) => {
            const r: { awards: number; points: number; budgetExhausted: number; capped?: number } | undefined = perRule.get(o.ruleId ?? '') ?? perTier.get(o.ruleId ?? '');
            if (!r) return;
            if (o.points > 0) {
              r.awards++;
              r.points += o.points;
              perPerson.set(o.recipientId!, (perPerson.get(o.recipientId!) ?? 0) + o.points);
              const week = periodOf(e.occurredAt, 'week', tz).from;
              perWeek.set(week, (perWeek.get(week) ?? 0) + o.points);
            }
            if (o.outcome === 'capped' && r.capped !== undefined) r.capped++;
            if (o.outcome === 'budget_exhausted') r.budgetExhausted++;
          };
          await awardRules(matched, { programId: p.id, version: v.version, cap: v.cap }, e, person, account?.id ?? null, facts, page.ctx, bank, record);
          for (const g of goalsHere) await goals.onEventWith(goalStore, g, { id: e.id, occurredAt: e.occurredAt, personId: e.personId, teamId: person.teamId }, facts, { vocab, timezone: tz, programVersion: v.version, bank }, record);
        }
      }
      const rulePoints = [...perRule.values()].reduce((s, r) => s + r.points, 0);
      const perGoal = [];
      for (const g of programGoals) {
        const reached = await goalStore.reached(g);
        const tiers = (JSON.parse(g.tiers) as { percent: number; points: number }[]).map((t) => {
          const paid = perTier.get(`goal:${g.id}:${t.percent}`)!;
          const r = reached.get(t.percent)!;
          return { percent: t.percent, pointsEach: t.points, reached: r.subjects, reachedPeriods: r.periods, awards: paid.awards, points: paid.points, budgetExhausted: paid.budgetExhausted };
        });
        perGoal.push({ goalId: g.id, name: g.name, scope: g.scope, period: g.period, points: tiers.reduce((s, t) => s + t.points, 0), tiers });
      }
      const goalPoints = perGoal.reduce((s, g) => s + g.points, 0);
      const points = rulePoints + goalPoints;
      let cumulative = 0;
      return {
        programId: id,
        window: { from: toIso(window.from)!, to: toIso(window.to)! },
        eventsScanned: scanned,
        heldOutEvents: heldOut,
        points,
        rulePoints,
        goalPoints,
        cost: { amountCents: points * p.point_value_cents, currency: p.currency },
        budget: Number(p.budget),
        budgetUsedPercent: Number(p.budget) ? Math.round((points / Number(p.budget)) * 10_000) / 100 : null,
        earners: perPerson.size,
        distribution: distribution([...perPerson.values()]),
        burnByWeek: [...perWeek.entries()].sort((a, b) => a[0] - b[0]).map(([week, pts]) => {
          cumulative += pts;
          return { weekStart: toIso(week)!, points: pts, cumulative, budgetLeft: Number(p.budget) - cumulative };
        }),
        perRule: [...perRule.values()],
        perGoal,
        topEarners: [...perPerson.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 10).map(([personId, pts]) => ({ personId, points: pts })),
      };
    },

    /**
     * What a participant can earn: the live programs whose audience holds them (unless held out),
     * each rule in short, and their own progress on each goal.
     */
    async forParticipant(ctx: AuthContext) {
      if (!ctx.personId) return { data: [] };
      const ws = ctx.workspaceId;
      const workspace = await deps.workspaces.get(ws);
      const pc = await deps.people.eventContext(undefined, ws, { personIds: [ctx.personId], personExternalIds: [], accountIds: [], accountExternalIds: [] });
      const me = pc.people[0];
      if (!me) return { data: [] };
      const engineCtx = engineContextOf(pc, workspace);
      const vocab = await deps.engine.vocabulary(ws);
      const now = deps.clock.now();
      const data = [];
      for (const p of await repo.active(undefined, ws)) {
        if (p.ends_at != null && p.ends_at <= now) continue;
        const versions = await repo.versions(undefined, ws, p.id);
        const v = load(ws, versions[versions.length - 1]!, vocab);
        if (!v.audience(me.id, engineCtx) || isHeldOut(p.id, me.id, p.holdout_percent)) continue;
        const rules = JSON.parse(versions[versions.length - 1]!.rules) as TRule[];
        const goalsHere = await goals.loadFor(undefined, ws, [p.id]);
        data.push({
          programId: p.id,
          name: p.name,
          description: p.description,
          endsAt: toIso(p.ends_at),
          rules: rules.map((r) => ({ ruleId: r.id ?? '', name: r.name, on: r.on, points: r.award.points ?? null, pointsPer: r.award.pointsPer ? { fact: r.award.pointsPer.fact, every: r.award.pointsPer.every, points: r.award.pointsPer.points } : null, cap: r.cap ?? null })),
          goals: await Promise.all(
            goalsHere.map(async (g) => {
              const subject = g.scope === 'person' ? me.id : me.teamId;
              const prog = subject ? await goals.progressOf(g, workspace.timezone, { subjectId: subject }) : null;
              const mine = prog?.subjects[0];
              return { ...goals.toGoal(g), periodEnd: prog?.period.end ?? null, value: mine?.value ?? 0, myTarget: mine?.target ?? (g.default_target == null ? null : Number(g.default_target)), attainment: mine?.attainment ?? null, tiersReached: mine?.tiersReached ?? [] };
            }),
          ),
        });
      }
      return { data };
    },

    /**
     * Participation (the customer engagement score): the live programs whose audience holds any
     * of these people (not held out), and how many of them paid any of them points since `since`.
     */
    async participation(ws: string, personIds: string[], since: number) {
      if (!personIds.length) return { programs: 0, earned: 0 };
      const pc = await deps.people.eventContext(undefined, ws, { personIds, personExternalIds: [], accountIds: [], accountExternalIds: [] });
      const ctx = engineContextOf(pc, { timezone: 'UTC', pointsExpireMonths: null });
      const now = deps.clock.now();
      const live: string[] = [];
      for (const p of await repo.active(undefined, ws)) {
        if (p.ends_at != null && p.ends_at <= now) continue;
        const versions = await repo.versions(undefined, ws, p.id);
        const current = [...versions].reverse().find((v) => Number(v.effective_from) <= now) ?? versions[0]!;
        const inAudience = compileAudience(JSON.parse(current.audience) as TAudience);
        if (personIds.some((id) => inAudience(id, ctx) && !isHeldOut(p.id, id, p.holdout_percent))) live.push(p.id);
      }
      return { programs: live.length, earned: (await deps.ledger.programsPaying(ws, personIds, live, since)).length };
    },

    /** The active programs of a workspace, in short (comms' schedules and cadence monitor). */
    async activeOf(ws: string) {
      return (await repo.active(undefined, ws)).map((p) => ({ id: p.id, name: p.name, startsAt: p.starts_at, endsAt: p.ends_at, createdAt: p.created_at }));
    },

    /**
     * A person's test for any audience, judged as programs judge theirs (kinds, team subtrees,
     * account tiers, attributes, an explicit list): other modules (the rewards catalog) use the
     * same rule. Null when the person does not exist.
     */
    async audienceMatcher(ws: string, personId: string): Promise<((a: TAudience) => boolean) | null> {
      const pc = await deps.people.eventContext(undefined, ws, { personIds: [personId], personExternalIds: [], accountIds: [], accountExternalIds: [] });
      if (!pc.people.some((x) => x.id === personId)) return null;
      // An audience reads people, accounts and teams only: the workspace's settings (time zone,
      // expiry) are not read, so they are not fetched for every redemption and catalog page.
      const ctx = engineContextOf(pc, { timezone: 'UTC', pointsExpireMonths: null });
      return (a) => compileAudience(a)(personId, ctx);
    },
    /**
     * One person against one audience by the same rule, reading only what the audience names
     * (the teams above the person's for a team audience, the account for a tier audience), in
     * the caller's transaction. Null when the person is not in the workspace; `name` is theirs.
     */
    async judgeOne(tx: AnyDb | undefined, ws: string, personId: string, audience: TAudience): Promise<{ matches: boolean; name: string | null } | null> {
      const pc = await deps.people.audienceContext(tx, ws, personId, { teams: !!audience.teams, account: !!audience.accountTiers });
      if (!pc) return null;
      return { matches: compileAudience(audience)(personId, engineContextOf(pc, { timezone: 'UTC', pointsExpireMonths: null })), name: pc.name };
    },
    /** judgeOne, synchronously, on a SQLite connection inside its transaction (prepared.ts's runSync), the audience given as its JSON text (a reward's column). */
    judgeOneSync(sqlite: SQLite.Database, ws: string, personId: string, audienceJson: string): { matches: boolean; name: string | null } | null {
      let known = compiledAudiences.get(audienceJson);
      if (!known) {
        if (compiledAudiences.size >= 500) compiledAudiences.clear();
        const audience = JSON.parse(audienceJson) as TAudience;
        compiledAudiences.set(audienceJson, (known = { audience, judge: compileAudience(audience) }));
      }
      const { audience, judge } = known;
      const pc = deps.people.audienceContextSync(sqlite, ws, personId, { teams: !!audience.teams, account: !!audience.accountTiers });
      if (!pc) return null;
      return { matches: judge(personId, engineContextOf(pc, { timezone: 'UTC', pointsExpireMonths: null })), name: pc.name };
    },

    /**
     * The active, not erased people an audience holds, judged by the programs' own rule (surveys
     * invite theirs with it), sorted by id.
     */
    async audienceMembers(ws: string, audience: TAudience): Promise<string[]> {
      const inAudience = compileAudience(audience);
      const candidates = audience.people ? (await deps.people.activePersonIds(ws)).filter((id) => audience.people!.includes(id)) : await deps.people.activePersonIds(ws);
      const pc = await deps.people.eventContext(undefined, ws, { personIds: candidates, personExternalIds: [], accountIds: [], accountExternalIds: [] });
      const ctx = engineContextOf(pc, await deps.workspaces.get(ws));
      return pc.people.filter((x) => !x.erased && x.status === 'active' && inAudience(x.id, ctx)).map((x) => x.id).sort();
    },

    /**
     * Whom a program speaks to now: the active, not erased people its current version's audience
     * holds, less its holdout (a held-out person gets nothing from the program, messages included,
     * or the holdout would not measure the program). Null when the program does not exist.
     */
    async audienceOf(ws: string, id: string) {
      const p = await repo.get(undefined, ws, id);
      if (!p) return null;
      const now = deps.clock.now();
      const versions = await repo.versions(undefined, ws, id);
      const current = [...versions].reverse().find((v) => Number(v.effective_from) <= now) ?? versions[0]!;
      const inAudience = compileAudience(JSON.parse(current.audience) as TAudience);
      const workspace = await deps.workspaces.get(ws);
      const candidates = await deps.people.activePersonIds(ws);
      const pc = await deps.people.eventContext(undefined, ws, { personIds: candidates, personExternalIds: [], accountIds: [], accountExternalIds: [] });
      const ctx = engineContextOf(pc, workspace);
      const personIds = pc.people
        .filter((x) => !x.erased && x.status === 'active' && inAudience(x.id, ctx) && !isHeldOut(id, x.id, p.holdout_percent))
        .map((x) => x.id)
        .sort();
      return {
        program: { id: p.id, name: p.name, description: p.description, status: p.status, startsAt: p.starts_at, endsAt: p.ends_at, createdAt: p.created_at },
        personIds,
        /** person id → team id (team goals are judged on the person's team) */
        teams: new Map(pc.people.map((x) => [x.id, x.teamId])),
      };
    },

    goals,
    /** A reversed event: what it added to goals is taken back, with the tiers it no longer reaches. */
    onEventReversed: (tx: AnyDb, ws: string, eventId: string, why: { reason: string; actorId: string; timezone: string }) => goals.onReversal(tx, ws, eventId, why),

    /**
     * What a program has done in a window (default: since it started): points paid out net of
     * reversals, earners, the awards that were capped, not paid for want of budget or held out,
     * the burn by week in the workspace's time zone with the budget left, and the top earners.
     * Read from the ledger's budget flows and the outcome counts, not from the event log.
     */
    async stats(ctx: AuthContext, id: string, q: { from?: string; to?: string }) {
      ctx.require('programs.read');
      const ws = ctx.workspaceId;
      const r = await repo.get(undefined, ws, id);
      if (!r) throw notFound('Program');
      const program = await toProgram(r);
      const { timezone } = await deps.workspaces.get(ws);
      const now = deps.clock.now();
      // By default since the program started: events may have occurred before it was created.
      const from = q.from ? Date.parse(q.from) : (r.starts_at ?? 0);
      const to = q.to ? Date.parse(q.to) : now + 24 * 3600_000;
      if (!(from < to)) throw new AppError('validation_failed', { detail: 'from must be before to', errors: [{ path: 'querystring.from', message: 'must be before to' }] });
      // A manager sees the figures of the people in the teams they manage, and no one else's.
      const visible = await deps.people.visiblePeople(ctx);
      const wallets = visible ? new Set([...visible.people].map((pid) => accounts.wallet(pid))) : undefined;
      const [flows, outcomes] = await Promise.all([deps.ledger.budgetFlows(ws, id, from, to, wallets), repo.outcomeCounts(ws, id, from, to, visible?.people)]);
      const net = new Map<string, number>();
      let awards = 0;
      let reversals = 0;
      for (const f of flows.paidTo) {
        net.set(f.account, (net.get(f.account) ?? 0) + f.points);
        awards += f.n;
      }
      for (const f of flows.backFrom) {
        net.set(f.account, (net.get(f.account) ?? 0) - f.points);
        reversals += f.n;
      }
      const paid = flows.paidTo.reduce((a, f) => a + f.points, 0);
      const returned = flows.backFrom.reduce((a, f) => a + f.points, 0);
      const byWeek = new Map<number, number>();
      const HOUR = 3_600_000;
      for (const h of flows.paidHours) {
        const w = periodOf(h.hour * HOUR, 'week', timezone).from;
        byWeek.set(w, (byWeek.get(w) ?? 0) + h.points);
      }
      for (const h of flows.backHours) {
        const w = periodOf(h.hour * HOUR, 'week', timezone).from;
        byWeek.set(w, (byWeek.get(w) ?? 0) - h.points);
      }
      // Every week of the window, the quiet ones too, so a chart has no gaps.
      const weeks: { weekStart: string; points: number; cumulative: number }[] = [];
      let cumulative = 0;
      const lastWeek = periodOf(Math.min(to - 1, now), 'week', timezone).from;
      const earliest = Math.min(r.created_at, ...flows.paidHours.map((h) => h.hour * HOUR));
      const firstWeek = periodOf(q.from || r.starts_at != null ? from : earliest, 'week', timezone).from;
      for (let w = firstWeek, n = 0; w <= lastWeek && n < 600; w = periodOf(w + 8 * 24 * HOUR, 'week', timezone).from, n++) {
        cumulative += byWeek.get(w) ?? 0;
        weeks.push({ weekStart: toIso(w)!, points: byWeek.get(w) ?? 0, cumulative });
      }
      const earners = [...net.entries()].filter(([a, v]) => a.startsWith('wallet:') && v > 0).map(([a, v]) => ({ personId: a.slice('wallet:'.length), points: v }));
      earners.sort((a, b) => b.points - a.points || (a.personId < b.personId ? -1 : 1));
      const count = (o: string) => outcomes.get(o) ?? { count: 0, pointsDue: 0 };
      return {
        programId: id,
        window: { from: toIso(q.from || r.starts_at != null ? from : earliest)!, to: toIso(to)! },
        points: paid - returned,
        cost: { amountCents: (paid - returned) * program.pointValueCents, currency: program.currency },
        awards,
        reversals,
        reversedPoints: returned,
        earners: earners.length,
        capped: count('capped'),
        budgetExhausted: count('budget_exhausted'),
        heldOut: count('holdout').count,
        noRecipient: count('no_recipient').count,
        budget: program.budget,
        budgetRemaining: program.budgetRemaining,
        burnByWeek: weeks,
        narrowedTo: visible ? { teams: visible.teams.size, people: visible.people.size } : null,
        // Who earned what is a person's data: staff who read wallets see it; an analyst or a
        // manager (aggregates only, or their teams' totals) sees the totals alone.
        topEarners: ctx.can('wallets.read') ? earners.slice(0, 10) : [],
      };
    },

    /**
     * What each event did, in the order it happened: full awards are read from their transfers,
     * the rest (partly capped, capped, budget exhausted, held out, no recipient) from the outcomes.
     */
    async outcomesOfEvents(ws: string, eventIds: string[]) {
      const [rows, awards] = await Promise.all([repo.outcomesOfEvents(ws, eventIds), deps.ledger.awardsOfEvents(ws, eventIds)]);
      const listed = new Set(rows.flatMap((r) => (r.transfer_id ? [r.transfer_id] : [])));
      const all: { at: string; eventId: string; o: TOutcome }[] = [];
      for (const r of rows) {
        all.push({ at: r.id.slice(4), eventId: r.event_id, o: { programId: r.program_id, programVersion: r.program_version, ruleId: r.rule_id, outcome: r.outcome as TOutcome['outcome'], recipientId: r.recipient_id, pointsDue: Number(r.points_due), points: Number(r.points_paid), transferId: r.transfer_id } });
      }
      for (const t of awards) {
        if (listed.has(t.id) || !t.program_id) continue;
        const ruleId = t.cause === 'goal_tier' ? `goal:${t.goal_id}:${String(t.rule_id).replace(/^tier:/, '')}` : t.rule_id;
        const amount = Number(t.amount);
        all.push({ at: t.id.slice(4), eventId: t.event_id!, o: { programId: t.program_id, programVersion: Number(t.program_version), ruleId, outcome: 'awarded', recipientId: t.credit_account.replace(/^wallet:/, ''), pointsDue: amount, points: amount, transferId: t.id } });
      }
      // Ids of both kinds come from one time-ordered generator: their order is the order of events.
      all.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
      const out = new Map<string, TOutcome[]>();
      for (const x of all) {
        const list = out.get(x.eventId) ?? [];
        list.push(x.o);
        out.set(x.eventId, list);
      }
      return out;
    },

    /** Every program of a workspace with what its points are worth and who funds them (the rewards module's money reports). */
    async valuations(ws: string) {
      const rows = await repo.list(ws, { limit: 100_000 });
      return rows.map((r) => ({ id: r.id, name: r.name, status: r.status, pointValueCents: Number(r.point_value_cents), currency: r.currency, fundingSource: r.funding_source }));
    },
  };
}
export type ProgramsService = ReturnType<typeof createProgramsService>;

/** A rule's points for one event: recipients and their shares, caps per period, the budget. */
async function awardRules(
  matched: CompiledRuleSet['rules'],
  p: { programId: string; version: number; cap: TCap | null },
  e: EngineEvent,
  person: { id: string; teamId: string | null },
  accountId: string | null,
  facts: Facts,
  ctx: EngineContext,
  bank: Bank,
  record: (o: Omit<TOutcome, 'programId' | 'programVersion'>) => void,
) {
  for (const rule of matched) {
    const points = rule.points(facts);
    if (points <= 0) continue;
    const shares = splitAmong(rule.recipients, points, e, person, accountId, ctx);
    if (!shares.length) {
      record({ ruleId: rule.id, outcome: 'no_recipient', recipientId: null, pointsDue: points, points: 0, transferId: null });
      continue;
    }
    for (const [recipientId, due] of shares) {
      let pay = due;
      if (rule.cap || p.cap) {
        for (const [cap, ruleId] of [[rule.cap, rule.id], [p.cap, null]] as const) {
          if (!cap || pay <= 0) continue;
          const { from, to } = periodOf(e.occurredAt, cap.per, ctx.timezone);
          const used = await bank.usage({ programId: p.programId, ruleId, recipientId, from, to });
          if (cap.times !== undefined && used.times >= cap.times) pay = 0;
          if (cap.points !== undefined) pay = Math.min(pay, Math.max(0, cap.points - used.points));
        }
      }
      if (pay <= 0) {
        record({ ruleId: rule.id, outcome: 'capped', recipientId, pointsDue: due, points: 0, transferId: null });
        continue;
      }
      // The budget is all or nothing: an award it cannot cover is not paid, and is recorded.
      if ((await bank.budgetLeft(p.programId)) < pay) {
        record({ ruleId: rule.id, outcome: 'budget_exhausted', recipientId, pointsDue: pay, points: 0, transferId: null });
        continue;
      }
      const transferId = await bank.pay({ programId: p.programId, version: p.version, ruleId: rule.id, recipientId, amount: pay, eventId: e.id, occurredAt: e.occurredAt });
      record({ ruleId: rule.id, outcome: pay < due ? 'capped' : 'awarded', recipientId, pointsDue: due, points: pay, transferId });
    }
  }
}

/** Who receives a rule's points, and how many each: the person, their manager, the account team. */
function splitAmong(specs: ReturnType<typeof compileRules>['compiled']['rules'][number]['recipients'], points: number, e: EngineEvent, person: { id: string; teamId: string | null }, accountId: string | null, ctx: EngineContext): [string, number][] {
  // The common rule pays the person alone (points > 0 here).
  if (specs.length === 1 && specs[0] === 'person') return points > 0 ? [[e.personId, points]] : [];
  const shares = new Map<string, number>();
  const add = (id: string, n: number) => n > 0 && shares.set(id, (shares.get(id) ?? 0) + n);
  for (const spec of specs) {
    if (spec === 'person') add(e.personId, points);
    else if (spec === 'manager') {
      // The manager of the person's team, or of the team above when they manage their own.
      let team = person.teamId;
      let manager: string | null = null;
      for (let n = 0; team && n < 1000; n++) {
        const t = ctx.teams.get(team);
        if (t?.managerId && t.managerId !== person.id) { manager = t.managerId; break; }
        team = t?.parentId ?? null;
      }
      if (manager) add(manager, points);
    } else {
      const team = (accountId ? ctx.assignments.get(accountId) ?? [] : []).filter((a) => !spec.accountTeam.roles || spec.accountTeam.roles.includes(a.role as never));
      const ids = [...new Set(team.map((a) => a.personId))].sort();
      if (!ids.length) continue;
      if (spec.accountTeam.split === 'each') for (const id of ids) add(id, points);
      else {
        // Equal shares that add up to the award: the remainder goes one point each to the first.
        const each = Math.floor(points / ids.length);
        const rest = points - each * ids.length;
        ids.forEach((id, i) => add(id, each + (i < rest ? 1 : 0)));
      }
    }
  }
  return [...shares.entries()];
}
