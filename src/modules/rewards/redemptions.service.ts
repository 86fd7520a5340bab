import type SQLite from 'better-sqlite3';
import type { AnyDb } from '../../core/db/db.js';
import { NeedsAsync, runSync, sqliteIn } from '../../core/db/prepared.js';
import type { Ids } from '../../core/ids.js';
import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import type { AuthContext } from '../../core/auth.js';
import { AppError, invalid, notFound } from '../../core/errors.js';
import { decodeCursor, toPage } from '../../core/http/pagination.js';
import type { AuditService } from '../audit/index.js';
import type { PeopleService } from '../people/index.js';
import type { LedgerService, NewTransfer } from '../ledger/index.js';
import type { ProgramsService, TAudience } from '../programs/index.js';
import type { WorkspacesService } from '../workspaces/index.js';
import { periodOf, type Period } from '../engine/index.js';
import type { RedemptionEventsTable, RedemptionsTable, RewardsTable, RewardTerms, RewardVariantsTable } from './rewards.tables.js';
import type { TRedeem, TRedemption } from './redemptions.schema.js';
import { createRewardsRepository } from './rewards.repository.js';
import { openNow } from './rewards.service.js';

export type RedemptionStatus = RedemptionsTable['status'];

/** A reward's per-person limit. */
type Limit = { count: number; per: 'day' | 'week' | 'month' | 'quarter' | 'year' | 'ever' };
/** What a redemption knows before its transaction. */
interface Redeeming {
  ctx: AuthContext;
  input: TRedeem;
  ws: string;
  personId: string;
  now: number;
  /** the workspace's time zone (limits per period) */
  tz: string;
  wallet: string;
}

/** One step of an order, as `recordStep` writes it. */
export interface Step {
  to: RedemptionStatus;
  /** `user:…`, `apikey:…`, `system:…` */
  actor: string;
  note: string | null;
  /** more columns to set with the status (tracking, refund transfer …) */
  patch?: Partial<RedemptionsTable>;
}

/**
 * What a fulfilment provider does when an order is placed (at redemption, or when approved), in
 * the order's transaction: codes assign one and deliver at once, a webhook vendor gets the order
 * through the outbox, manual orders wait in the admin's queue. It may answer a further step.
 */
export interface FulfilmentProvider {
  placed(tx: AnyDb, order: RedemptionsTable, reward: RewardsTable): Promise<Omit<Step, 'patch'> & { patch?: Partial<RedemptionsTable> } | void>;
  /** What only the order's owner may see (a gift-card code), by order id. */
  reveal?(ws: string, orderIds: string[]): Promise<Map<string, string>>;
}

/** What a step listener hears: the order as it now is, the status it left (null: just created), the step. */
export interface StepChange {
  order: RedemptionsTable;
  from: RedemptionStatus | null;
  step: Step;
  /** the reward's title, when the caller has it at hand (else a listener reads it) */
  rewardTitle?: string;
}
/** Called in the step's transaction (messages, webhooks): what it writes commits with the step. */
export type StepListener = (tx: AnyDb, change: StepChange) => Promise<void>;
/** The same, synchronously, on a SQLite connection inside its transaction (prepared.ts's runSync); may throw NeedsAsync. */
export type StepListenerSync = (sqlite: SQLite.Database, change: StepChange) => void;

/** Statuses an order is still on its way in (not delivered, not refunded). */
export const OPEN_STATUSES: readonly RedemptionStatus[] = ['pending_approval', 'placed', 'processing', 'shipped'];
/** Where each fulfilment move may start: deliver also from placed or processing (a perk that never ships). */
export const MOVES_FROM = {
  processing: ['placed'],
  shipped: ['placed', 'processing'],
  delivered: ['placed', 'processing', 'shipped'],
  failed: ['placed', 'processing', 'shipped'],
} as const satisfies Record<string, readonly RedemptionStatus[]>;

/** Late: still open past its promise, or delivered after it. */
export function isLate(r: RedemptionsTable, now: number): boolean {
  const promised = Number(r.promised_by);
  if (r.status === 'delivered') return r.delivered_at != null && Number(r.delivered_at) > promised;
  return OPEN_STATUSES.includes(r.status) && now > promised;
}

export interface RedemptionsDeps {
  db: AnyDb;
  ids: Ids;
  clock: Clock;
  audit: AuditService;
  people: PeopleService;
  ledger: LedgerService;
  workspaces: WorkspacesService;
  programs: Pick<ProgramsService, 'judgeOne' | 'judgeOneSync'>;
}

/** Orders: redemption through the ledger, the approval step, cancellation, and each order's steps. */
export function createRedemptionsService(deps: RedemptionsDeps) {
  const repo = createRewardsRepository(deps.db);
  const providers = new Map<string, FulfilmentProvider>();
  const listeners: StepListener[] = [];
  const syncListeners: (StepListenerSync | undefined)[] = [];
  /** Where points spent on orders go. */
  const SPENT = deps.ledger.accounts.system('redemptions');
  // The start of the limit's period now, kept while now stays in it (a time zone's local time is slow to compute).
  const periods = new Map<string, { from: number; to: number }>();
  const periodFrom = (now: number, per: Exclude<Period, 'program'>, tz: string) => {
    const key = `${per} ${tz}`;
    let p = periods.get(key);
    if (!p || now < p.from || now >= p.to) periods.set(key, (p = periodOf(now, per, tz)));
    return p.from;
  };
  const tell = async (tx: AnyDb, change: StepChange) => {
    for (const l of listeners) await l(tx, change);
  };
  const tellSync = (sqlite: SQLite.Database, change: StepChange) => {
    for (const l of syncListeners) {
      if (!l) throw new NeedsAsync('a step listener has no synchronous form');
      l(sqlite, change);
    }
  };

  /**
   * The one place an order changes status after it was created: the row, its timeline. Every
   * move (approval, fulfilment, cancellation, a provider's own step) comes through here.
   */
  async function recordStep(tx: AnyDb, row: RedemptionsTable, step: Step): Promise<RedemptionsTable> {
    const ws = row.workspace_id;
    const now = deps.clock.now();
    const patch: Partial<RedemptionsTable> = { ...step.patch, status: step.to, updated_at: now };
    // Delivered is timed here, whoever delivers (the queue, a code, a vendor's callback).
    if (step.to === 'delivered' && patch.delivered_at == null) patch.delivered_at = now;
    await repo.updateRedemption(tx, ws, row.id, patch);
    const seq = (await repo.redemptionEvents(ws, [row.id], tx)).length + 1;
    await repo.insertRedemptionEvent(tx, { workspace_id: ws, redemption_id: row.id, seq, status: step.to, actor: step.actor, note: step.note, at: now });
    const moved = { ...row, ...patch };
    await tell(tx, { order: moved, from: row.status, step });
    return moved;
  }

  /** Hands a placed order to its provider, in the same transaction; records the step it answers. */
  async function fulfil(tx: AnyDb, order: RedemptionsTable, reward?: RewardsTable): Promise<boolean> {
    const provider = providers.get(order.provider);
    if (!provider) return false;
    const r = reward ?? (await repo.reward(order.workspace_id, order.reward_id, tx))!;
    const next = await provider.placed(tx, order, r);
    if (next) await recordStep(tx, order, next);
    return !!next;
  }

  async function toRedemptions(ws: string, rows: RedemptionsTable[]): Promise<TRedemption[]> {
    const now = deps.clock.now();
    const events = await repo.redemptionEvents(ws, rows.map((r) => r.id));
    const titles = new Map((await repo.rewardsByIds(ws, [...new Set(rows.map((r) => r.reward_id))])).map((r) => [r.id, r.title]));
    const names = await deps.people.namesOf(ws, [...new Set(rows.map((r) => r.person_id))]);
    return rows.map((r) => toRedemption(r, { personName: names.get(r.person_id) ?? null, rewardTitle: titles.get(r.reward_id) ?? '', timeline: events.filter((e) => e.redemption_id === r.id), now }));
  }

  /** One order as the API answers it, from its row and what goes with it. */
  function toRedemption(r: RedemptionsTable, more: { personName: string | null; rewardTitle: string; timeline: Pick<RedemptionEventsTable, 'status' | 'at' | 'note'>[]; now: number }): TRedemption {
    return {
      id: r.id,
      personId: r.person_id,
      personName: more.personName,
      rewardId: r.reward_id,
      rewardTitle: more.rewardTitle,
      variantId: r.variant_id,
      quantity: r.quantity,
      points: Number(r.points),
      status: r.status,
      shipping: r.shipping ? (JSON.parse(r.shipping) as TRedemption['shipping']) : null,
      transferId: r.transfer_id,
      refundTransferId: r.refund_transfer_id,
      provider: r.provider,
      promisedBy: toIso(r.promised_by)!,
      carrier: r.carrier ?? null,
      trackingNumber: r.tracking_number ?? null,
      trackingUrl: r.tracking_url ?? null,
      deliveredAt: toIso(r.delivered_at ?? null),
      earnedAt: toIso(r.earned_at ?? null),
      late: isLate(r, more.now),
      timeline: more.timeline.map((e) => ({ status: e.status, at: toIso(e.at)!, note: e.note })),
      createdAt: toIso(r.created_at)!,
      updatedAt: toIso(r.updated_at)!,
    };
  }

  /** A participant's own order, or any for those who manage rewards; 404 otherwise. */
  async function visibleRedemption(ctx: AuthContext, id: string, tx?: AnyDb) {
    const row = await repo.redemption(ctx.workspaceId, id, tx);
    if (!row || (row.person_id !== ctx.personId && !ctx.can('rewards.manage'))) throw notFound('Redemption');
    return row;
  }

  /**
   * Moves an order to its next status in one transaction: `refusal` says why this order may not
   * move (a 409), a refund returns its points by a reversal and releases its stock, and the
   * timeline and the audit log get the step.
   */
  async function transition(ctx: AuthContext, id: string, step: { to: RedemptionsTable['status']; note: string | null; action: string; refund: boolean; refusal(row: RedemptionsTable): string | null; patch?: Partial<RedemptionsTable>; also?(tx: AnyDb, row: RedemptionsTable): Promise<void> }): Promise<TRedemption> {
    const ws = ctx.workspaceId;
    const now = deps.clock.now();
    await visibleRedemption(ctx, id);
    await deps.db.transaction().execute(async (tx) => {
      const row = (await repo.redemption(ws, id, tx))!;
      const refused = step.refusal(row);
      if (refused) throw new AppError('conflict', { detail: refused });
      const patch: Partial<RedemptionsTable> = { ...step.patch };
      if (step.refund) {
        const paid = await deps.ledger.transfer(tx, ws, row.transfer_id);
        const [refund] = await deps.ledger.reverse(tx, ws, [paid!], { reason: `order ${row.id} ${step.to}: ${step.note}`, actorId: ctx.actor.id });
        patch.refund_transfer_id = refund?.id ?? null;
        await repo.giveBackStock(tx, ws, row.variant_id ? 'reward_variants' : 'rewards', row.variant_id ?? row.reward_id, row.quantity);
      } else if (step.to === 'placed') {
        // Approved: the promise runs from the approval, the provider could not start before it.
        patch.promised_by = now + (Number(row.promised_by) - Number(row.created_at));
      }
      const moved = await recordStep(tx, row, { to: step.to, actor: `${ctx.actor.type}:${ctx.actor.id}`, note: step.note, patch });
      await deps.audit.record(tx, ctx, { action: step.action, targetType: 'redemption', targetId: id, before: { status: row.status }, after: { status: step.to, note: step.note, ...step.patch } });
      // The caller's own writes that must commit with the move (a vendor's callback id).
      await step.also?.(tx, moved);
      if (step.to === 'placed') await fulfil(tx, moved);
    });
    return (await toRedemptions(ws, [(await repo.redemption(ws, id))!]))[0]!;
  }

  /** The caller's own orders get what only their owner may see (a code order's code). */
  async function withOwnSecrets(ctx: AuthContext, rows: RedemptionsTable[], out: TRedemption[]): Promise<TRedemption[]> {
    const own = rows.filter((r) => ctx.personId && r.person_id === ctx.personId);
    const secrets = new Map<string, string>();
    for (const [name, p] of providers) {
      const ids = own.filter((r) => r.provider === name).map((r) => r.id);
      if (p.reveal && ids.length) for (const [k, v] of await p.reveal(ctx.workspaceId, ids)) secrets.set(k, v);
    }
    return out.map((o) => (secrets.has(o.id) ? { ...o, code: secrets.get(o.id)! } : o));
  }

  /** The approval step: only an order pending approval moves, once; a rejection refunds it. */
  function decide(ctx: AuthContext, id: string, to: 'placed' | 'rejected', note: string | null): Promise<TRedemption> {
    ctx.require('rewards.manage');
    return transition(ctx, id, {
      to,
      note,
      action: to === 'placed' ? 'redemption.approved' : 'redemption.rejected',
      refund: to === 'rejected',
      refusal: (row) => (row.status === 'pending_approval' ? null : `Only an order waiting for approval can be ${to === 'placed' ? 'approved' : 'rejected'}; this one is ${row.status}`),
    });
  }

  /**
   * A fulfilment move by staff (rewards.manage): only from the statuses that allow it, so each
   * happens once; failing refunds like a cancellation.
   */
  function move(ctx: AuthContext, id: string, to: keyof typeof MOVES_FROM, note: string | null, patch?: Partial<RedemptionsTable>): Promise<TRedemption> {
    ctx.require('rewards.manage');
    const from: readonly RedemptionStatus[] = MOVES_FROM[to];
    return transition(ctx, id, {
      to,
      note,
      action: `redemption.${to}`,
      refund: to === 'failed',
      patch,
      refusal: (row) => (from.includes(row.status) ? null : `Only an order that is ${from.join(' or ')} can become ${to}; this one is ${row.status}`),
    });
  }

  /** The reward as it is now: 409 reward_unavailable when it is not active or outside its window. */
  function checkOpen(r: RewardTerms, now: number) {
    if (!openNow(r, now)) throw new AppError('reward_unavailable', { detail: r.status !== 'active' ? `This reward is ${r.status}` : 'This reward is outside its availability window' });
  }
  function checkJudged(who: { matches: boolean } | null) {
    if (!who) throw notFound('Person');
    if (!who.matches) throw new AppError('not_eligible', { detail: 'This reward is not offered to this person' });
  }
  /** The variant asked for among the reward's active ones (400 when one is needed, or not one of them). */
  function chooseVariant(input: TRedeem, variants: RewardVariantsTable[]) {
    if (variants.length && !input.variantId) throw invalid('variantId', `choose one of ${variants.map((v) => v.name).join(', ')}`);
    const variant = input.variantId ? variants.find((v) => v.id === input.variantId) : undefined;
    if (input.variantId && !variant) throw invalid('variantId', 'not a variant of this reward');
    return variant;
  }
  /** The order's row (400 for shipping data missing), its cost and the reward's per-person limit. */
  function newOrder(the: Redeeming, r: RewardTerms, variant: RewardVariantsTable | undefined) {
    const { input, ctx, now } = the;
    if (r.ships && !input.shipping) throw invalid('shipping', 'this reward ships: give name, line1, city, postalCode and country');
    const quantity = input.quantity;
    const points = Number(r.cost) * quantity;
    const limit = r.limit_rule ? (JSON.parse(r.limit_rule) as Limit) : null;
    const row: RedemptionsTable = {
      workspace_id: the.ws,
      id: deps.ids.next('red'),
      person_id: the.personId,
      reward_id: r.id,
      variant_id: variant?.id ?? null,
      quantity,
      points,
      status: r.requires_approval ? 'pending_approval' : 'placed',
      shipping: r.ships && input.shipping ? JSON.stringify(input.shipping) : null,
      transfer_id: deps.ids.next('trf'),
      refund_transfer_id: null,
      provider: r.provider,
      promised_by: now + r.promised_minutes * 60_000,
      placed_by: `${ctx.actor.type}:${ctx.actor.id}`,
      created_at: now,
      updated_at: now,
    };
    return { row, points, limit };
  }
  const limitReached = (limit: Limit) => new AppError('limit_reached', { detail: `At most ${limit.count} per person ${limit.per === 'ever' ? 'in all' : `per ${limit.per}`}` });
  const insufficient = (balance: number, points: number) => new AppError('insufficient_points', { detail: `The wallet holds ${balance}, the order costs ${points}` });
  const outOfStock = (r: RewardTerms, variant: RewardVariantsTable | undefined) => new AppError('out_of_stock', { detail: variant ? `${r.title} (${variant.name}) is out of stock` : `${r.title} is out of stock` });
  /** The order's ledger transfer: the wallet pays the redemptions account. */
  const spend = (the: Redeeming, r: RewardTerms, row: RedemptionsTable): NewTransfer => ({
    id: row.transfer_id,
    from: the.wallet,
    to: SPENT,
    amount: Number(row.points),
    cause: 'redemption',
    occurredAt: the.now,
    actorId: the.ctx.actor.id,
    reason: `redeemed ${row.quantity} × ${r.title} (${row.id})`,
  });
  const firstStep = (row: RedemptionsTable): RedemptionEventsTable => ({ workspace_id: row.workspace_id, redemption_id: row.id, seq: 1, status: row.status, actor: row.placed_by, note: null, at: row.created_at });
  const createdEntry = (row: RedemptionsTable) => ({ action: 'redemption.created', targetType: 'redemption', targetId: row.id, after: { personId: row.person_id, rewardId: row.reward_id, variantId: row.variant_id, quantity: row.quantity, points: Number(row.points) } });

  /**
   * The redemption's body on SQLite, synchronously, on the connection inside its transaction
   * (runSync, or Kysely's transaction): the same steps, checks and rows as the asynchronous body
   * in `redeem`, by the synchronous forms of the repositories, the ledger, the audience, the
   * step listeners and the audit. Throws NeedsAsync (rolled back by the caller's transaction)
   * where one has none: lots kept, a provider that acts on placed orders, a listener.
   */
  function redeemSync(sqlite: SQLite.Database, the: Redeeming): TRedemption {
    const { ws, input, now, personId } = the;
    const r = repo.sync.reward(sqlite, ws, input.rewardId);
    if (!r) throw notFound('Reward');
    checkOpen(r, now);
    if (!r.requires_approval && providers.has(r.provider)) throw new NeedsAsync(`the ${r.provider} provider acts on placed orders`);
    const who = deps.programs.judgeOneSync(sqlite, ws, personId, r.audience);
    checkJudged(who);
    const variant = chooseVariant(input, repo.sync.variantsOf(sqlite, ws, r.id).filter((v) => v.active));
    const { row, points, limit } = newOrder(the, r, variant);
    const locked = deps.ledger.sync.lock(sqlite, ws, [the.wallet, SPENT]);
    const balance = locked.get(the.wallet) ?? 0;
    if (limit) {
      const from = limit.per === 'ever' ? 0 : periodFrom(now, limit.per, the.tz);
      if (repo.sync.orderedSince(sqlite, ws, personId, r.id, from) + row.quantity > limit.count) throw limitReached(limit);
    }
    if (balance < points) throw insufficient(balance, points);
    // Unlimited stock (null as read in this transaction, which holds the write lock from its
    // start, so nobody can change it meanwhile) has nothing to take, so no write.
    if ((variant ?? r).stock !== null && !repo.sync.takeStock(sqlite, ws, variant ? 'reward_variants' : 'rewards', variant?.id ?? r.id, row.quantity)) throw outOfStock(r, variant);
    deps.ledger.sync.post(sqlite, ws, [spend(the, r, row)], { locked });
    row.earned_at = deps.ledger.sync.spendEarnedAt(sqlite, ws, the.wallet, row.transfer_id);
    const first = firstStep(row);
    repo.sync.insertRedemption(sqlite, row);
    repo.sync.insertRedemptionEvent(sqlite, first);
    tellSync(sqlite, { order: row, from: null, step: { to: row.status, actor: row.placed_by, note: null }, rewardTitle: r.title });
    deps.audit.recordSync(sqlite, the.ctx, createdEntry(row));
    return toRedemption(row, { personName: who!.name, rewardTitle: r.title, timeline: [first], now });
  }

  return {
    /** Hears every step in its transaction (order messages and webhooks; app.ts wires it). */
    onStep(l: StepListener, sync?: StepListenerSync) {
      listeners.push(l);
      syncListeners.push(sync);
    },
    /** A provider's handling of placed orders ('manual', 'codes', 'webhook'). */
    useProvider(name: string, p: FulfilmentProvider) {
      providers.set(name, p);
    },
    recordStep,
    toRedemptions,
    /** A move of an order with its refund and audit in one transaction (fulfilment vendors' callbacks). */
    transition,

    /**
     * Redeems: in one transaction, the wallet is locked, the reward's limit checked, stock taken
     * and the cost debited through the ledger; any refusal leaves points, stock and orders as
     * they were. For oneself, or (redemptions.write) on a participant's behalf.
     */
    async redeem(ctx: AuthContext, input: TRedeem): Promise<TRedemption> {
      const ws = ctx.workspaceId;
      let personId = ctx.personId;
      if (input.personId && input.personId !== ctx.personId) {
        ctx.require('redemptions.write');
        await deps.people.get(ctx, 'people', input.personId);
        personId = input.personId;
      }
      if (!personId) throw invalid('personId', 'this caller is not a participant: name the person to redeem for');
      const now = deps.clock.now();
      // Read before the transaction: on SQLite nothing may read outside it while it holds the connection.
      const tz = (await deps.workspaces.get(ws)).timezone;
      const the: Redeeming = { ctx, input, ws, personId, now, tz, wallet: deps.ledger.accounts.wallet(personId) };
      // Everything else in one transaction, reads too; the answer is built from what it wrote,
      // not read back. On SQLite, where every statement is synchronous, the whole body is too
      // (redeemSync): run straight on the connection when no other transaction is open on it
      // (nothing can then come between its statements), else in Kysely's transaction in turn.
      // A part with no synchronous form here (a provider that acts at once, lots kept, a
      // listener) rolls it back, and the asynchronous body runs instead.
      if (deps.ledger.sync.lotsReplayed(ws)) {
        try {
          const done = runSync(deps.db, (sqlite) => redeemSync(sqlite, the));
          if (done) return done.value;
          return await deps.db.transaction().execute(async (tx) => redeemSync(sqliteIn(tx)!, the));
        } catch (err) {
          if (!(err instanceof NeedsAsync)) throw err;
        }
      }
      let moved = false;
      const answer = await deps.db.transaction().execute(async (tx) => {
        const r = await repo.reward(ws, input.rewardId, tx);
        if (!r) throw notFound('Reward');
        checkOpen(r, now);
        const who = await deps.programs.judgeOne(tx, ws, personId, JSON.parse(r.audience) as TAudience);
        checkJudged(who);
        const variant = chooseVariant(input, (await repo.variantsOf(ws, [r.id], tx)).filter((v) => v.active));
        const { row, points, limit } = newOrder(the, r, variant);
        // The wallet first: one person's redemptions take their turn (PostgreSQL: FOR UPDATE, in
        // sorted order with the account the points go to, which post then need not read again).
        const locked = await deps.ledger.lock(tx, ws, [the.wallet, SPENT]);
        const balance = locked.get(the.wallet) ?? 0;
        if (limit) {
          const from = limit.per === 'ever' ? 0 : periodFrom(now, limit.per, tz);
          if ((await repo.orderedSince(tx, ws, personId, r.id, from)) + row.quantity > limit.count) throw limitReached(limit);
        }
        if (balance < points) throw insufficient(balance, points);
        if (!(await repo.takeStock(tx, ws, variant ? 'reward_variants' : 'rewards', variant?.id ?? r.id, row.quantity))) throw outOfStock(r, variant);
        // The balances as locked above are not read again.
        await deps.ledger.post(tx, ws, [spend(the, r, row)], { locked });
        // Earn → order: when the points this order spent were all earned (the newest lot it took).
        row.earned_at = await deps.ledger.spendEarnedAt(tx, ws, the.wallet, row.transfer_id);
        const first = firstStep(row);
        await repo.insertRedemption(tx, row);
        await repo.insertRedemptionEvent(tx, first);
        await tell(tx, { order: row, from: null, step: { to: row.status, actor: row.placed_by, note: null }, rewardTitle: r.title });
        await deps.audit.record(tx, ctx, createdEntry(row));
        if (row.status === 'placed') moved = await fulfil(tx, row, r);
        return toRedemption(row, { personName: who!.name, rewardTitle: r.title, timeline: [first], now });
      });
      // A provider that moved the order at once (a code delivered): its row and timeline as stored.
      return moved ? (await toRedemptions(ws, [(await repo.redemption(ws, answer.id))!]))[0]! : answer;
    },

    /** Cancels an order before it ships: the points come back by a reversal, the stock is released. */
    async cancel(ctx: AuthContext, id: string, reason: string): Promise<TRedemption> {
      return transition(ctx, id, {
        to: 'cancelled',
        note: reason,
        action: 'redemption.cancelled',
        refund: true,
        refusal: (row) => {
          const own = row.person_id === ctx.personId && !ctx.can('rewards.manage');
          const open = own ? ['pending_approval', 'placed'] : ['pending_approval', 'placed', 'processing'];
          return open.includes(row.status) ? null : `An order that is ${row.status} cannot be cancelled${own ? ' by its owner' : ''}`;
        },
      });
    },

    /** Approves an order waiting for approval (rewards.manage): it is placed with its provider. */
    approve: (ctx: AuthContext, id: string, note?: string) => decide(ctx, id, 'placed', note ?? null),
    /** Rejects an order waiting for approval: the points come back, the stock is released. */
    reject: (ctx: AuthContext, id: string, reason: string) => decide(ctx, id, 'rejected', reason),

    /** The manual queue's moves (rewards.manage); each only from the statuses that allow it. */
    process: (ctx: AuthContext, id: string, note?: string) => move(ctx, id, 'processing', note ?? null),
    ship: (ctx: AuthContext, id: string, s: { carrier: string; trackingNumber: string; trackingUrl?: string }) =>
      move(ctx, id, 'shipped', `${s.carrier} ${s.trackingNumber}`, { carrier: s.carrier, tracking_number: s.trackingNumber, tracking_url: s.trackingUrl ?? null }),
    deliver: (ctx: AuthContext, id: string, note?: string) => move(ctx, id, 'delivered', note ?? null),
    /** The order could not be fulfilled: the points come back by a reversal, the stock is released. */
    fail: (ctx: AuthContext, id: string, reason: string) => move(ctx, id, 'failed', reason),

    async getRedemption(ctx: AuthContext, id: string) {
      const row = await visibleRedemption(ctx, id);
      return (await withOwnSecrets(ctx, [row], await toRedemptions(ctx.workspaceId, [row])))[0]!;
    },
    /** Orders: a participant's own (/me), or everyone's for those who manage rewards. */
    async listRedemptions(ctx: AuthContext, q: { limit: number; cursor?: string; status?: string; personId?: string }, mine: boolean) {
      if (mine && !ctx.personId) return { data: [], nextCursor: null };
      if (!mine) ctx.require('rewards.manage');
      const rows = await repo.listRedemptions(ctx.workspaceId, { ...q, personId: mine ? ctx.personId! : q.personId, before: decodeCursor(q.cursor), limit: q.limit + 1 });
      const page = toPage(rows, q.limit, (r) => r);
      const data = await toRedemptions(ctx.workspaceId, page.data);
      // Codes only on the participant's own list, never on the admin's list of everyone's orders.
      return { data: mine ? await withOwnSecrets(ctx, page.data, data) : data, nextCursor: page.nextCursor };
    },

  };
}
export type RedemptionsService = ReturnType<typeof createRedemptionsService>;
