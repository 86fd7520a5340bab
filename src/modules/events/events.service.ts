import type { AnyDb } from '../../core/db/db.js';
import { isRetryableTxError, isUniqueViolation } from '../../core/db/db.js';
import { txHooks } from '../../core/db/tx-hooks.js';
import type { Ids } from '../../core/ids.js';
import type { Outbox } from '../../core/outbox.js';
import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import type { AuthContext } from '../../core/auth.js';
import { AppError, notFound, type ErrorCode, type FieldError } from '../../core/errors.js';
import { decodeCursor, toPage } from '../../core/http/pagination.js';
import type { AuditService } from '../audit/index.js';
import type { WorkspacesService } from '../workspaces/index.js';
import type { PeopleService } from '../people/index.js';
import type { LedgerService } from '../ledger/index.js';
import { checkProperties, type EngineService } from '../engine/index.js';
import { engineContextOf, type EngineContext, type EngineEvent, type ProgramsService, type TOutcome } from '../programs/index.js';
import { createEventsRepository, type EventsTable } from './events.repository.js';
import { parseEventIn, type TEventIn, type TEventQuery, type TEventResult } from './events.schema.js';

interface Deps {
  db: AnyDb;
  ids: Ids;
  clock: Clock;
  audit: AuditService;
  workspaces: WorkspacesService;
  people: PeopleService;
  engine: EngineService;
  programs: ProgramsService;
  ledger: LedgerService;
  outbox: Outbox;
}

const keyOf = (source: string, id: string) => `${source}\u0000${id}`;

/** Ingestion and the event log: idempotent by (source, id), one transaction per batch. */
export function createEventsService(deps: Deps) {
  const repo = createEventsRepository(deps.db);

  const toEvent = (r: EventsTable, effects: TOutcome[]) => ({
    eventId: r.id,
    id: r.external_id,
    source: r.source,
    type: r.type,
    occurredAt: toIso(r.occurred_at)!,
    receivedAt: toIso(r.received_at)!,
    personId: r.person_id,
    accountId: r.account_id,
    teamId: r.team_id,
    properties: JSON.parse(r.properties) as Record<string, unknown>,
    reverses: r.reverses,
    status: r.status,
    reversedAt: toIso(r.reversed_at),
    reversalReason: r.reversal_reason,
    effects,
  });

  /** Cancels an event: every transfer it caused is reversed by a new transfer. */
  async function reverseStored(tx: AnyDb, ctx: AuthContext, target: EventsTable, reason: string, timezone: string) {
    // The event's own awards are reversed here; goal tiers only if the attainment drops below them.
    const transfers = (await deps.ledger.transfersOfEvent(tx, ctx.workspaceId, target.id)).filter((t) => t.cause === 'event');
    const reversals = await deps.ledger.reverse(tx, ctx.workspaceId, transfers, { reason, actorId: ctx.actor.id });
    await deps.programs.onEventReversed(tx, ctx.workspaceId, target.id, { reason, actorId: ctx.actor.id, timezone });
    await repo.markReversed(tx, ctx.workspaceId, target.id, deps.clock.now(), reason);
    return reversals;
  }

  /** Retries a transaction that lost a race (serialization, deadlock, or a concurrent twin's insert). */
  async function withRetry<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (attempt >= 5 || !(isRetryableTxError(err) || isUniqueViolation(err))) throw err;
        await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
      }
    }
  }

  /** The context the engine needs for a set of stored events. */
  async function contextFor(ws: string, rows: EventsTable[], timezone: string, expireMonths: number | null): Promise<EngineContext> {
    const pc = await deps.people.eventContext(undefined, ws, { personIds: [...new Set(rows.map((r) => r.person_id))], personExternalIds: [], accountIds: [...new Set(rows.flatMap((r) => (r.account_id ? [r.account_id] : [])))], accountExternalIds: [] });
    return engineContextOf(pc, { timezone, pointsExpireMonths: expireMonths });
  }

  /**
   * Group commit for events sent one per request (decisions.md: SQLite has one writer). A
   * caller's single events that arrive while its previous group is being written wait, and then
   * go through `ingest` together: one set of reads, one transaction, one commit. Each request
   * still gets its own result, in arrival order, exactly as if they had come one by one (a
   * twin later in the group is a duplicate of the first). Groups are per workspace and caller,
   * so the context (permissions, the actor in the audit log) is the same for all.
   */
  const groups = new Map<string, { ctx: AuthContext; pending: { raw: unknown; resolve: (r: TEventResult) => void; reject: (e: unknown) => void }[] }>();
  // The sizes of a caller's last groups. Callers that send one event per request and wait for
  // the answer split into cohorts (one arrives while another's group is written), each paying
  // the group's fixed cost (its reads and its commit); waiting briefly for as many as a recent
  // group held merges them again.
  const recent = new Map<string, number[]>();
  const turn = () => new Promise((r) => setImmediate(r));
  const GATHER_MS = 0.5;
  async function drain(key: string) {
    const g = groups.get(key)!;
    // Let the requests that are already parsed join the first group.
    await turn();
    const sizes = recent.get(key) ?? [];
    const expect = sizes.length ? Math.max(...sizes) : 1;
    // Turns of the event loop whose polls do not block, for at most GATHER_MS: a lone caller
    // (expect 1) never waits.
    const until = performance.now() + GATHER_MS;
    while (g.pending.length < expect && performance.now() < until) await turn();
    sizes.push(g.pending.length);
    if (sizes.length > 16) sizes.shift();
    if (recent.size > 10_000) recent.clear();
    recent.set(key, sizes);
    while (g.pending.length) {
      const batch = g.pending.splice(0, 1000);
      try {
        const { results } = await service.ingest(g.ctx, batch.map((b) => b.raw));
        batch.forEach((b, i) => b.resolve(results[i]!));
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    groups.delete(key);
  }

  /** Listeners to accepted events (survey triggers), run in the ingestion transaction. */
  const acceptedListeners: ((tx: AnyDb, ws: string, events: readonly EngineEvent[]) => Promise<void>)[] = [];

  const service = {
    /**
     * Another module hears of the events accepted for the engine (not duplicates, not
     * reversals) in the transaction that stores them; it must stay cheap (the hot path).
     */
    onAccepted(listener: (tx: AnyDb, ws: string, events: readonly EngineEvent[]) => Promise<void>) {
      acceptedListeners.push(listener);
    },

    /** One event, written with the others of its caller that arrive meanwhile (group commit). */
    ingestOne(ctx: AuthContext, raw: unknown): Promise<TEventResult> {
      ctx.require('events.write');
      const key = `${ctx.workspaceId}|${ctx.actor.type}|${ctx.actor.id}`;
      let g = groups.get(key);
      const start = !g;
      if (!g) groups.set(key, (g = { ctx, pending: [] }));
      const done = new Promise<TEventResult>((resolve, reject) => g.pending.push({ raw, resolve, reject }));
      // The group is several callers' work: it must not carry this request's transaction hook.
      if (start) void txHooks.exit(() => drain(key));
      return done;
    },

    /** Simulates a program over the stored events of a window (writes nothing). */
    async simulate(ctx: AuthContext, programId: string, window: { from: string; to: string }) {
      ctx.require('programs.manage');
      const ws = ctx.workspaceId;
      const workspace = await deps.workspaces.get(ws);
      async function* feed(from: number, to: number) {
        let after: { at: number; id: string } | null = null;
        for (;;) {
          const rows = await repo.window(ws, from, to, after, 2000);
          if (!rows.length) return;
          const engineCtx = await contextFor(ws, rows, workspace.timezone, workspace.pointsExpireMonths);
          const events = rows.filter((r) => engineCtx.people.has(r.person_id)).map((r) => ({ id: r.id, type: r.type, occurredAt: Number(r.occurred_at), properties: JSON.parse(r.properties) as Record<string, unknown>, personId: r.person_id, accountId: r.account_id }));
          yield { events, ctx: engineCtx };
          const last = rows[rows.length - 1]!;
          after = { at: Number(last.occurred_at), id: last.id };
        }
      }
      return deps.programs.simulate(ctx, programId, { from: Date.parse(window.from), to: Date.parse(window.to) }, feed);
    },

    async ingest(ctx: AuthContext, raw: unknown[]): Promise<{ summary: { accepted: number; duplicate: number; rejected: number }; results: TEventResult[] }> {
      ctx.require('events.write');
      const ws = ctx.workspaceId;
      const results: TEventResult[] = raw.map(() => ({ id: null, source: null, eventId: null, status: 'rejected', effects: [] }));
      const reject = (i: number, code: ErrorCode, errors: FieldError[]) => Object.assign(results[i]!, { status: 'rejected' as const, code, errors });
      const parsed: (TEventIn | null)[] = raw.map((r, i) => {
        const p = parseEventIn(r);
        if (p.success) {
          Object.assign(results[i]!, { id: p.data.id, source: p.data.source });
          return p.data;
        }
        const rec = r as { id?: unknown; source?: unknown };
        Object.assign(results[i]!, { id: typeof rec?.id === 'string' ? rec.id : null, source: typeof rec?.source === 'string' ? rec.source : 'api' });
        reject(i, 'validation_failed', p.error.issues.map((x) => ({ path: x.path.join('.') || '(event)', message: x.code === 'unrecognized_keys' ? `unknown field(s): ${(x as { keys: string[] }).keys.join(', ')}` : x.message })));
        return null;
      });
      const ok = parsed.map((p, i) => (p ? i : -1)).filter((i) => i >= 0);
      if (!ok.length) return summarise(results);

      const evs = ok.map((i) => parsed[i]!);
      // Each key once: a batch names the same people again and again (1,000 events of 200 people
      // read 200 rows in one query, not 1,000 keys in three).
      const keys = (pick: (e: TEventIn) => string | undefined) => [...new Set(evs.map(pick).filter((k): k is string => !!k))];
      // Three independent reads before the transaction: on PostgreSQL each takes a connection of
      // the pool, so they wait for the server together rather than one after another.
      const [workspace, vocab, pc] = await Promise.all([
        deps.workspaces.get(ws),
        deps.engine.vocabulary(ws),
        deps.people.eventContext(undefined, ws, {
          personIds: keys((e) => e.personId),
          personExternalIds: keys((e) => e.personExternalId),
          accountIds: keys((e) => e.accountId),
          accountExternalIds: keys((e) => e.accountExternalId),
        }),
      ]);
      const personById = new Map(pc.people.map((p) => [p.id, p]));
      const personByExt = new Map(pc.people.map((p) => [p.externalId, p]));
      const accountById = new Map(pc.accounts.map((a) => [a.id, a]));
      const accountByExt = new Map(pc.accounts.map((a) => [a.externalId, a]));
      const engineCtx = engineContextOf(pc, workspace, vocab);

      // Everything that can be judged before the transaction: person, account, type, properties.
      const ready: { i: number; e: TEventIn; personId: string; accountId: string | null; teamId: string | null; occurredAt: number }[] = [];
      for (const i of ok) {
        const e = parsed[i]!;
        const person = e.personId ? personById.get(e.personId) : personByExt.get(e.personExternalId!);
        if (!person || person.erased) {
          reject(i, 'not_found', [{ path: e.personId ? 'personId' : 'personExternalId', message: 'no such person' }]);
          continue;
        }
        let accountId: string | null = null;
        if (e.accountId || e.accountExternalId) {
          const acc = e.accountId ? accountById.get(e.accountId) : accountByExt.get(e.accountExternalId!);
          if (!acc) {
            reject(i, 'not_found', [{ path: e.accountId ? 'accountId' : 'accountExternalId', message: 'no such account' }]);
            continue;
          }
          accountId = acc.id;
        } else accountId = person.accountId;
        const schema = vocab.get(e.type);
        if (!schema) {
          reject(i, 'validation_failed', [{ path: 'type', message: `unknown event type ${e.type}; declare it with POST /api/v1/event-types` }]);
          continue;
        }
        const propErrors = checkProperties(schema, e.properties);
        if (propErrors.length) {
          reject(i, 'validation_failed', propErrors);
          continue;
        }
        const occurredAt = Date.parse(e.occurredAt);
        if (occurredAt > deps.clock.now() + 24 * 3600_000) {
          reject(i, 'validation_failed', [{ path: 'occurredAt', message: 'more than a day in the future' }]);
          continue;
        }
        ready.push({ i, e, personId: person.id, accountId, teamId: person.teamId, occurredAt });
      }

      if (ready.length) {
        const outcome = await withRetry(() =>
          deps.db.transaction().execute(async (tx) => {
            const local = new Map<number, Partial<TEventResult>>();
            const existing = await repo.existing(tx, ws, ready.map((r) => ({ source: r.e.source, externalId: r.e.id })));
            const seen = new Set<string>();
            const rows: EventsTable[] = [];
            const apply: EngineEvent[] = [];
            const reversals: EventsTable[] = [];
            const inBatch = new Map<string, EventsTable>();
            const now = deps.clock.now();
            for (const r of ready) {
              const k = keyOf(r.e.source, r.e.id);
              const prior = existing.get(k);
              if (prior || seen.has(k)) {
                // A twin earlier in the same batch is the event this one duplicates.
                local.set(r.i, { status: 'duplicate', eventId: prior?.id ?? inBatch.get(k)?.id ?? null });
                continue;
              }
              seen.add(k);
              const row: EventsTable = {
                workspace_id: ws,
                id: deps.ids.next('evt'),
                source: r.e.source,
                external_id: r.e.id,
                type: r.e.type,
                occurred_at: r.occurredAt,
                received_at: now,
                person_id: r.personId,
                account_id: r.accountId,
                team_id: r.teamId,
                properties: JSON.stringify(r.e.properties),
                reverses: null,
                status: 'accepted',
                reversed_at: null,
                reversal_reason: null,
              };
              rows.push(row);
              local.set(r.i, { status: 'accepted', eventId: row.id });
              inBatch.set(k, row);
              if (r.e.reverses) {
                // A reversing event cancels its target (in the same source, or by evt_ id; sent earlier
                // in this batch or before) and earns nothing itself.
                const target = r.e.reverses.startsWith('evt_')
                  ? rows.find((x) => x.id === r.e.reverses) ?? (await repo.get(tx, ws, r.e.reverses))
                  : inBatch.get(keyOf(r.e.source, r.e.reverses)) ?? (await repo.bySourceId(tx, ws, r.e.source, r.e.reverses));
                if (!target) {
                  // The event to cancel must be stored already (sent in an earlier request).
                  rows.pop();
                  seen.delete(k);
                  inBatch.delete(k);
                  local.set(r.i, { status: 'rejected', eventId: null, code: 'not_found', errors: [{ path: 'reverses', message: 'no earlier event with this id in this source' }] });
                  continue;
                }
                row.reverses = target.id;
                if (target.status === 'accepted' && !target.reverses && !reversals.includes(target)) reversals.push(target);
                continue;
              }
              apply.push({ id: row.id, type: row.type, occurredAt: row.occurred_at, properties: r.e.properties, personId: row.person_id, accountId: row.account_id });
            }
            await repo.insertMany(tx, rows);
            await deps.outbox.publish(tx, ws, 'event.accepted', () => rows.map((r) => ({ eventId: r.id, id: r.external_id, source: r.source, type: r.type, occurredAt: toIso(r.occurred_at), personId: r.person_id, accountId: r.account_id, reverses: r.reverses })));
            const effects = await deps.programs.apply(tx, ws, apply, engineCtx);
            for (const listener of acceptedListeners) await listener(tx, ws, apply);
            for (const target of reversals) await reverseStored(tx, ctx, target, 'reversed by a later event', workspace.timezone);
            for (const part of local.values()) if (part.status === 'accepted') part.effects = effects.get(part.eventId!) ?? [];
            return local;
          }),
        );
        for (const [i, part] of outcome) Object.assign(results[i]!, part);
      }
      return summarise(results);
    },

    /** A person's or an account's event activity: the last accepted event and the count since `since`. */
    activity: (ws: string, of: { personIds: string[] } | { accountId: string }, since: number) => repo.activity(ws, of, since),

    async list(ctx: AuthContext, q: TEventQuery) {
      ctx.require('events.read');
      const rows = await repo.list(ctx.workspaceId, { ...q, from: q.from ? Date.parse(q.from) : undefined, to: q.to ? Date.parse(q.to) : undefined, before: decodeCursor(q.cursor), limit: q.limit + 1 });
      const page = toPage(rows, q.limit, (r) => r);
      const effects = await deps.programs.outcomesOfEvents(ctx.workspaceId, page.data.map((r) => r.id));
      return { data: page.data.map((r) => toEvent(r, effects.get(r.id) ?? [])), nextCursor: page.nextCursor };
    },

    async get(ctx: AuthContext, id: string) {
      ctx.require('events.read');
      const r = await repo.get(undefined, ctx.workspaceId, id);
      if (!r) throw notFound('Event');
      return toEvent(r, (await deps.programs.outcomesOfEvents(ctx.workspaceId, [id])).get(id) ?? []);
    },

    async reverse(ctx: AuthContext, id: string, reason: string) {
      ctx.require('events.reverse');
      const { timezone } = await deps.workspaces.get(ctx.workspaceId);
      return withRetry(() =>
        deps.db.transaction().execute(async (tx) => {
          const target = await repo.get(tx, ctx.workspaceId, id);
          if (!target) throw notFound('Event');
          if (target.status === 'reversed') throw new AppError('conflict', { detail: 'This event is already reversed' });
          const reversals = await reverseStored(tx, ctx, target, reason, timezone);
          await deps.audit.record(tx, ctx, { action: 'event.reversed', targetType: 'event', targetId: id, after: { reason, transfers: reversals.map((r) => r.id) } });
          return { eventId: id, status: 'reversed' as const, reversedTransfers: reversals.map((r) => ({ id: r.id, reverses: r.reverses_id!, amount: Number(r.amount), from: r.debit_account, to: r.credit_account })) };
        }),
      );
    },
  };
  return service;
}
export type EventsService = ReturnType<typeof createEventsService>;

function summarise(results: TEventResult[]) {
  return {
    summary: {
      accepted: results.filter((r) => r.status === 'accepted').length,
      duplicate: results.filter((r) => r.status === 'duplicate').length,
      rejected: results.filter((r) => r.status === 'rejected').length,
    },
    results,
  };
}
