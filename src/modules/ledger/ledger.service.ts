import type SQLite from 'better-sqlite3';
import type { AnyDb, Dialect } from '../../core/db/db.js';
import { insertRowsSync } from '../../core/db/bulk.js';
import { NeedsAsync } from '../../core/db/prepared.js';
import type { Ids } from '../../core/ids.js';
import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { decodeCursor, toPage } from '../../core/http/pagination.js';
import type { AuthContext } from '../../core/auth.js';
import type { AuditService } from '../audit/index.js';
import type { WorkspacesService } from '../workspaces/index.js';
import { createLedgerRepository } from './ledger.repository.js';
import type { LotsTable, LotTakesTable, TransfersTable, WalletMove } from './ledger.tables.js';

/** Why points moved; every transfer names one. */
export type Cause = 'funding' | 'event' | 'goal_tier' | 'adjustment' | 'bulk_award' | 'expiry' | 'reversal' | 'redemption';

/** When points earned at `earnedAt` expire under a policy of `months` (null: never). */
export function expiryOf(earnedAt: number, months: number | null | undefined): number | null {
  if (!months) return null;
  const d = new Date(earnedAt);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.getTime();
}

/** Account names: the kind, a colon, the owner. */
export const accounts = {
  wallet: (personId: string) => `wallet:${personId}`,
  budget: (programId: string) => `budget:${programId}`,
  funding: (source = 'default') => `funding:${source}`,
  system: (name: 'adjustments' | 'expiry' | 'redemptions') => `system:${name}`,
};
const kindOf = (account: string) => account.slice(0, account.indexOf(':'));
/** Wallets and budgets never go below zero (but a reversal may push a wallet under). */
const GUARDED = new Set(['wallet', 'budget']);
/** Credits to a wallet from these causes are earned points, kept as lots for oldest-first spending. */
const EARNING: Set<Cause> = new Set(['event', 'goal_tier', 'adjustment', 'bulk_award']);

export interface NewTransfer {
  /** an id chosen by the caller (ids.next('trf')), to name the transfer before it is posted */
  id?: string;
  from: string;
  to: string;
  amount: number;
  cause: Cause;
  occurredAt: number;
  eventId?: string | null;
  programId?: string | null;
  programVersion?: number | null;
  ruleId?: string | null;
  goalId?: string | null;
  reversesId?: string | null;
  actorId?: string | null;
  reason?: string | null;
  /** for earned lots: when they expire */
  expiresAt?: number | null;
  /** for a debit from a wallet: the lots (by their transfer id) to take from first */
  fromLots?: string[];
}

export interface Transfer {
  id: string;
  from: string;
  to: string;
  amount: number;
  cause: Cause;
  eventId: string | null;
  programId: string | null;
  programVersion: number | null;
  ruleId: string | null;
  goalId: string | null;
  reversesId: string | null;
  actorId: string | null;
  reason: string | null;
  occurredAt: string;
  createdAt: string;
}

export const toTransfer = (r: TransfersTable): Transfer => ({
  id: r.id,
  from: r.debit_account,
  to: r.credit_account,
  amount: Number(r.amount),
  cause: r.cause as Cause,
  eventId: r.event_id,
  programId: r.program_id,
  programVersion: r.program_version,
  ruleId: r.rule_id,
  goalId: r.goal_id,
  reversesId: r.reverses_id,
  actorId: r.actor_id,
  reason: r.reason,
  occurredAt: toIso(r.occurred_at)!,
  createdAt: toIso(r.created_at)!,
});

/**
 * A wallet's lots as `post` would have kept them, replayed from its transfers in the order they
 * were posted: an earned credit opens a lot (what lifts the wallet above zero is spendable), a
 * debit takes the oldest lots first (a reversal its own lot first), and a refund (the reversal
 * of a debit) gives the points back to the lots that debit took. Lots replayed this way were
 * earned under no expiry policy, so none has a date. `takes` says which lots each debit took.
 */
export function replayWallet(ws: string, account: string, transfers: readonly WalletMove[]) {
  const lots: LotsTable[] = [];
  const byId = new Map<string, LotsTable>();
  const takes = new Map<string, { lot: LotsTable; amount: number }[]>();
  let balance = 0;
  for (const t of transfers) {
    const amount = Number(t.amount);
    if (t.credit_account === account) {
      const before = balance;
      balance += amount;
      // A wallet below zero earns its way back first: only what lifts it above zero is spendable.
      const spendable = Math.max(0, Math.min(amount, before + amount));
      const open = (size: number, remaining: number) => {
        const lot: LotsTable = { workspace_id: ws, transfer_id: t.id, account, amount: size, remaining, earned_at: Number(t.occurred_at), expires_at: null };
        lots.push(lot);
        byId.set(t.id, lot);
      };
      if (EARNING.has(t.cause as Cause)) open(amount, spendable);
      else if (t.cause === 'reversal' && t.reverses_id && takes.has(t.reverses_id)) {
        let left = spendable;
        for (const take of takes.get(t.reverses_id)!) {
          const give = Math.min(left, take.amount);
          take.lot.remaining += give;
          left -= give;
        }
        if (left > 0) open(left, left);
      }
    } else if (t.debit_account === account) {
      balance -= amount;
      const taken: { lot: LotsTable; amount: number }[] = [];
      let left = amount;
      const take = (lot: LotsTable) => {
        const n = Math.min(left, lot.remaining);
        if (n <= 0) return;
        lot.remaining -= n;
        left -= n;
        taken.push({ lot, amount: n });
      };
      const own = t.cause === 'reversal' && t.reverses_id ? byId.get(t.reverses_id) : undefined;
      if (own) take(own);
      for (const lot of left > 0 ? openOf(lots) : []) {
        take(lot);
        if (!left) break;
      }
      takes.set(t.id, taken);
    }
  }
  return { lots, takes };
}

/** When the points a debit spent were earned (the newest lot it took), replayed from the wallet's transfers; null when it took no lot. */
function replayedEarnedAt(ws: string, account: string, transferId: string, transfers: readonly WalletMove[]) {
  const taken = replayWallet(ws, account, transfers).takes.get(transferId) ?? [];
  return taken.length ? Math.max(...taken.map((t) => t.lot.earned_at)) : null;
}

/** A wallet's lots replayed from its transfers (see replayWallet). */
export const replayLots = (ws: string, account: string, transfers: TransfersTable[]): LotsTable[] => replayWallet(ws, account, transfers).lots;

/**
 * Each wallet of `wallets` with its transfers (from `rows`, in posted order), the program of
 * each, and its lots and what each debit took, replayed (replayWallet, so the ledger's own
 * spending order holds).
 */
function walletReplays(ws: string, wallets: string[], rows: TransfersTable[]) {
  const byWallet = new Map<string, TransfersTable[]>(wallets.map((w) => [w, []]));
  for (const r of rows) for (const a of new Set([r.credit_account, r.debit_account])) byWallet.get(a)?.push(r);
  return [...byWallet].map(([account, transfers]) => ({
    account,
    transfers,
    programOf: new Map(transfers.map((t) => [t.id, t.program_id])),
    ...replayWallet(ws, account, transfers),
  }));
}

/** The lots with points left, oldest first (as the open-lots query orders them). */
function openOf(lots: LotsTable[]) {
  return lots.filter((l) => l.remaining > 0).sort((a, b) => a.earned_at - b.earned_at || (a.transfer_id < b.transfer_id ? -1 : a.transfer_id > b.transfer_id ? 1 : 0));
}

/**
 * The points ledger: append-only, double-entry. Every movement is a transfer between two
 * accounts; balances and lots are projections written in the same transaction.
 */
export function createLedgerService(deps: { db: AnyDb; dialect: Dialect; ids: Ids; clock: Clock; audit: AuditService; workspaces: WorkspacesService }) {
  const repo = createLedgerRepository(deps.db, deps.dialect);

  /**
   * Posts transfers inside the caller's transaction, all or nothing. A debit that would take
   * a wallet or budget below zero throws (insufficient_points / budget_exhausted) unless it
   * reverses an earlier transfer. `locked`: balances that `lock` answered earlier in this
   * transaction; those accounts are not read again, the others are locked here.
   */
  async function post(tx: AnyDb, ws: string, items: NewTransfer[], opts: { locked?: ReadonlyMap<string, number> } = {}): Promise<TransfersTable[]> {
    if (!items.length) return [];
    const now = deps.clock.now();
    const keepLots = await lotsKept(tx, ws);
    checkItems(items);
    const named = items.flatMap((i) => [i.from, i.to]);
    const known = opts.locked;
    const toLock = known ? named.filter((a) => !known.has(a)) : named;
    // PostgreSQL, where no lots are kept: accounts that are only credited here (an award's
    // wallets) need no balance read, since no check and no lot depends on it; they are moved by
    // one upsert of their changes after the transfers, as long as they sort after every account
    // locked here (every writer locks in sorted order, so no two transactions wait on each other).
    const creditedOnly = deps.dialect === 'postgres' && !keepLots ? onlyCredited(items, toLock) : null;
    const balances = await repo.lockBalances(tx, ws, creditedOnly ? toLock.filter((a) => !creditedOnly.has(a)) : toLock, now);
    const initial = creditedOnly ? new Map(balances) : null;
    if (known) for (const a of named) if (known.has(a)) balances.set(a, known.get(a)!);
    if (initial && known) for (const [a, b] of known) initial.set(a, b);
    const { rows, newLots, spendable } = transfersOf(ws, items, balances, now, keepLots);
    if (initial) {
      // One statement for the transfers and every balance: the changes (of the locked rows too, which nobody else moves meanwhile).
      const changed = [...balances.keys()].sort();
      await repo.insertTransfersAddingToBalances(tx, ws, rows, changed, changed.map((a) => balances.get(a)! - (initial.get(a) ?? 0)), now);
      return rows;
    }
    await repo.insertTransfers(tx, rows);
    if (keepLots) {
      await repo.insertLots(tx, newLots);
      for (const [i, row] of rows.entries()) {
        if (kindOf(row.debit_account) === 'wallet') await consumeLots(tx, ws, row, items[i]!.fromLots);
        else if (kindOf(row.credit_account) === 'wallet' && row.cause === 'reversal' && row.reverses_id) await returnLots(tx, ws, row, spendable[i]!);
      }
    }
    await repo.setBalances(tx, ws, balances, now);
    return rows;
  }

  /**
   * post, synchronously, on a SQLite connection inside its transaction (prepared.ts's runSync),
   * for a workspace whose lots are replayed, not stored (`lotsReplayed`); elsewhere it throws
   * NeedsAsync, and the caller's transaction rolls back and runs post.
   */
  function postSync(sqlite: SQLite.Database, ws: string, items: NewTransfer[], opts: { locked?: ReadonlyMap<string, number> } = {}): TransfersTable[] {
    if (!items.length) return [];
    if (!lotsReplayed(ws)) throw new NeedsAsync('the workspace keeps lots');
    const now = deps.clock.now();
    checkItems(items);
    const named = items.flatMap((i) => [i.from, i.to]);
    const known = opts.locked;
    const balances = repo.sync.lockBalances(sqlite, ws, known ? named.filter((a) => !known.has(a)) : named, now);
    if (known) for (const a of named) if (known.has(a)) balances.set(a, known.get(a)!);
    const { rows } = transfersOf(ws, items, balances, now, false);
    insertRowsSync(sqlite, 'transfers', rows);
    repo.sync.setBalances(sqlite, ws, balances, now);
    return rows;
  }

  /** True when it is known, without a read, that the workspace's lots are replayed from its transfers, not stored (lotsKept false). */
  const lotsReplayed = (ws: string) => deps.workspaces.expiryPolicyKept(ws) === null && repo.knownWithoutLots(ws);

  function checkItems(items: NewTransfer[]) {
    for (const it of items) {
      if (!Number.isSafeInteger(it.amount) || it.amount <= 0) throw new AppError('validation_failed', { detail: 'A transfer moves a positive whole number of points', path: 'amount' });
      if (it.from === it.to) throw new AppError('validation_failed', { detail: 'A transfer needs two different accounts' });
    }
  }

  /**
   * The rows of a post (its checks made against `balances`, which it moves), the lots it opens
   * when lots are kept, and what of each credit lifts its wallet above zero.
   */
  function transfersOf(ws: string, items: NewTransfer[], balances: Map<string, number>, now: number, keepLots: boolean) {
    const rows: TransfersTable[] = [];
    const newLots: LotsTable[] = [];
    /** per row: what of a credit to a wallet lifts it above zero (what may be spent) */
    const spendable: number[] = [];
    for (const it of items) {
      const before = balances.get(it.from) ?? 0;
      const after = before - it.amount;
      if (after < 0 && GUARDED.has(kindOf(it.from)) && it.cause !== 'reversal') {
        throw new AppError(kindOf(it.from) === 'budget' ? 'budget_exhausted' : 'insufficient_points', { detail: `${it.from} holds ${before}, not ${it.amount}` });
      }
      balances.set(it.from, after);
      const toBefore = balances.get(it.to) ?? 0;
      balances.set(it.to, toBefore + it.amount);
      const row: TransfersTable = {
        workspace_id: ws,
        id: it.id ?? deps.ids.next('trf'),
        debit_account: it.from,
        credit_account: it.to,
        amount: it.amount,
        cause: it.cause,
        event_id: it.eventId ?? null,
        program_id: it.programId ?? null,
        program_version: it.programVersion ?? null,
        rule_id: it.ruleId ?? null,
        goal_id: it.goalId ?? null,
        reverses_id: it.reversesId ?? null,
        actor_id: it.actorId ?? null,
        reason: it.reason ?? null,
        occurred_at: it.occurredAt,
        created_at: now,
      };
      rows.push(row);
      // A wallet below zero earns its way back first: only what lifts it above zero is spendable.
      spendable.push(Math.max(0, Math.min(it.amount, toBefore + it.amount)));
      if (keepLots && kindOf(it.to) === 'wallet' && EARNING.has(it.cause)) {
        newLots.push({ workspace_id: ws, transfer_id: row.id, account: it.to, amount: it.amount, remaining: spendable.at(-1)!, earned_at: it.occurredAt, expires_at: it.expiresAt ?? null });
      }
    }
    return { rows, newLots, spendable };
  }

  /**
   * The accounts of `items` that are only credited, when all of them sort after every account
   * in `locking` (else null: all are locked as before).
   */
  function onlyCredited(items: NewTransfer[], locking: string[]) {
    const debited = new Set(items.map((i) => i.from));
    const credited = new Set(items.map((i) => i.to).filter((a) => !debited.has(a)));
    let lastLocked = '';
    for (const a of locking) if (!credited.has(a) && a > lastLocked) lastLocked = a;
    for (const a of credited) if (a <= lastLocked) return null;
    return credited;
  }

  /**
   * Lots are stored only where they can change an outcome: in a workspace that expires points,
   * or that did once (its lots are then kept for good, so dates already given stay true).
   * Elsewhere a wallet's spending order changes nothing but the list of lots it shows, which is
   * replayed from its transfers when read (replayLots), and stored from that replay the day the
   * workspace turns expiry on (rebuildLots). That spares every earned transfer a lot row.
   */
  async function lotsKept(tx: AnyDb, ws: string) {
    return (await deps.workspaces.expiryPolicy(tx, ws)) != null || (await repo.hasLots(tx, ws));
  }

  /** Stores the lots of every wallet, replayed from the transfers, when a workspace starts expiring points. */
  async function rebuildLots(tx: AnyDb, ws: string) {
    const byWallet = new Map<string, TransfersTable[]>();
    for (const r of await repo.walletTransfersAll(tx, ws)) {
      for (const account of [r.credit_account, r.debit_account]) {
        if (kindOf(account) !== 'wallet') continue;
        let list = byWallet.get(account);
        if (!list) byWallet.set(account, (list = []));
        list.push(r);
      }
    }
    // Every lot, spent or not, and what each debit took: a later refund gives back into them.
    const lots: LotsTable[] = [];
    const takes: LotTakesTable[] = [];
    for (const [account, list] of byWallet) {
      const replay = replayWallet(ws, account, list);
      lots.push(...replay.lots);
      for (const [transfer_id, taken] of replay.takes) for (const t of taken) takes.push({ workspace_id: ws, transfer_id, lot_id: t.lot.transfer_id, amount: t.amount });
    }
    await repo.insertLots(tx, lots);
    await repo.insertTakes(tx, takes);
  }
  deps.workspaces.whenExpiryPolicyChanges(async (tx, ws, months) => {
    if (months != null && !(await repo.hasLots(tx, ws))) await rebuildLots(tx, ws);
  });

  /**
   * A debit from a wallet takes the oldest lots first (a reversal from its own lot first) and
   * records what it took of each, so that a refund can give it back.
   */
  async function consumeLots(tx: AnyDb, ws: string, row: TransfersTable, first: string[] = []) {
    let left = Number(row.amount);
    const taken = new Map<string, number>();
    const take = async (lot: LotsTable) => {
      const n = Math.min(left, Number(lot.remaining));
      if (n <= 0) return;
      await repo.setLotRemaining(tx, ws, lot.transfer_id, Number(lot.remaining) - n);
      taken.set(lot.transfer_id, (taken.get(lot.transfer_id) ?? 0) + n);
      left -= n;
    };
    const named = row.cause === 'reversal' && row.reverses_id ? [row.reverses_id, ...first] : first;
    for (const id of named) {
      const own = await repo.lot(tx, ws, id);
      if (left > 0 && own) await take(own);
    }
    if (left > 0) {
      for (const lot of await repo.openLots(tx, ws, row.debit_account)) {
        await take(lot);
        if (!left) break;
      }
    }
    await repo.insertTakes(tx, [...taken].map(([lot_id, amount]) => ({ workspace_id: ws, transfer_id: row.id, lot_id, amount })));
  }

  /**
   * A refund (the reversal of a wallet debit, such as a cancelled order) gives the points back
   * to the lots the debit took, so they keep their earning and expiry dates. Points whose lot
   * has expired since, or that no recorded lot holds (spent before the workspace kept lots),
   * open a lot of their own that expires as points earned today would: the participant did
   * not choose the refund, and points that expire the moment they return help nobody.
   */
  async function returnLots(tx: AnyDb, ws: string, row: TransfersTable, spendable: number) {
    const now = deps.clock.now();
    let left = spendable;
    let lapsed = 0;
    for (const take of await repo.takesOf(tx, ws, row.reverses_id!)) {
      const give = Math.min(left, Number(take.amount));
      if (give <= 0) break;
      if (take.expires_at != null && Number(take.expires_at) <= now) lapsed += give;
      else await repo.setLotRemaining(tx, ws, take.lot_id, Number((await repo.lot(tx, ws, take.lot_id))!.remaining) + give);
      left -= give;
    }
    const fresh = lapsed + left;
    if (fresh > 0) {
      const months = await deps.workspaces.expiryPolicy(tx, ws);
      await repo.insertLots(tx, [{ workspace_id: ws, transfer_id: row.id, account: row.credit_account, amount: fresh, remaining: fresh, earned_at: now, expires_at: expiryOf(now, months) }]);
    }
  }

  return {
    post,
    accounts,
    /** Locks accounts for the rest of the transaction (PostgreSQL: in sorted order) and answers their balances. */
    lock: (tx: AnyDb, ws: string, list: string[]) => repo.lockBalances(tx, ws, list, deps.clock.now()),
    balance: (ws: string, account: string, tx?: AnyDb) => repo.balance(ws, account, tx).then(Number),
    /** Wallet balances of many people at once (a person with no wallet yet has 0). */
    async walletBalances(ws: string, personIds: string[]) {
      const out = new Map(personIds.map((p) => [p, 0]));
      for (let i = 0; i < personIds.length; i += 500) for (const r of await repo.balancesOf(ws, personIds.slice(i, i + 500).map(accounts.wallet))) out.set(r.account.slice('wallet:'.length), Number(r.balance));
      return out;
    },
    transfersOfEvent: (tx: AnyDb, ws: string, eventId: string) => repo.transfersOfEvent(tx, ws, eventId),
    awardsOfEvents: (ws: string, eventIds: string[]) => repo.awardsOfEvents(ws, eventIds),
    /** Of these programs, those that awarded any of these people points since `since` (participation in the customer engagement score). */
    programsPaying: (ws: string, personIds: string[], programIds: string[], since: number) => repo.programsPaying(ws, personIds.map(accounts.wallet), programIds, since),
    /** The budget's flows in a window; `only`: the other accounts to count (a manager's people's wallets). */
    budgetFlows: (ws: string, programId: string, from: number, to: number, only?: Set<string>) => repo.budgetFlows(ws, accounts.budget(programId), programId, from, to, only),
    transfer: (tx: AnyDb | undefined, ws: string, id: string) => repo.transfer(tx, ws, id),
    /**
     * When the points a wallet debit spent were earned: the date of the newest lot it took (the
     * moment the wallet could afford it). Null when it took no earned lot.
     */
    async spendEarnedAt(tx: AnyDb | undefined, ws: string, account: string, transferId: string): Promise<number | null> {
      if (await lotsKept(tx ?? deps.db, ws)) {
        const taken = await repo.takesOf(tx, ws, transferId);
        return taken.length ? Math.max(...taken.map((t) => Number(t.earned_at))) : null;
      }
      return replayedEarnedAt(ws, account, transferId, await repo.walletTransfers(tx, ws, account));
    },
    /**
     * Synchronous forms on a SQLite connection inside its transaction (prepared.ts's runSync), for
     * workspaces whose lots are replayed (`lotsReplayed`; elsewhere they throw NeedsAsync).
     */
    sync: {
      lotsReplayed,
      lock: (sqlite: SQLite.Database, ws: string, list: string[]) => repo.sync.lockBalances(sqlite, ws, list, deps.clock.now()),
      post: postSync,
      spendEarnedAt(sqlite: SQLite.Database, ws: string, account: string, transferId: string): number | null {
        if (!lotsReplayed(ws)) throw new NeedsAsync('the workspace keeps lots');
        return replayedEarnedAt(ws, account, transferId, repo.sync.walletMoves(sqlite, ws, account));
      },
    },
    reversedIds: async (tx: AnyDb, ws: string, ids: string[]) => new Set((await repo.reversalsOf(tx, ws, ids)).map((r) => r.reverses_id!)),
    ruleUsage: (...args: Parameters<typeof repo.ruleUsage>) => repo.ruleUsage(...args),

    /** Reverses transfers by new transfers the other way; a reversed transfer is never reversed twice. */
    async reverse(tx: AnyDb, ws: string, originals: TransfersTable[], why: { reason: string; actorId?: string | null }) {
      const done = await this.reversedIds(tx, ws, originals.map((o) => o.id));
      const todo = originals.filter((o) => o.cause !== 'reversal' && !done.has(o.id));
      return post(
        tx,
        ws,
        todo.map((o) => ({
          from: o.credit_account,
          to: o.debit_account,
          amount: Number(o.amount),
          cause: 'reversal' as const,
          occurredAt: o.occurred_at,
          eventId: o.event_id,
          programId: o.program_id,
          programVersion: o.program_version,
          ruleId: o.rule_id,
          goalId: o.goal_id,
          reversesId: o.id,
          actorId: why.actorId ?? null,
          reason: why.reason,
        })),
      );
    },

    /** A manual correction by an admin: points into or out of a wallet, with a required reason. */
    async adjust(ctx: AuthContext, personId: string, points: number, reason: string) {
      ctx.require('ledger.adjust');
      const wallet = accounts.wallet(personId);
      const system = accounts.system('adjustments');
      const at = deps.clock.now();
      const expiresAt = points > 0 ? expiryOf(at, (await deps.workspaces.get(ctx.workspaceId)).pointsExpireMonths) : null;
      return deps.db.transaction().execute(async (tx) => {
        const [row] = await post(tx, ctx.workspaceId, [{ from: points > 0 ? system : wallet, to: points > 0 ? wallet : system, amount: Math.abs(points), cause: 'adjustment', occurredAt: at, expiresAt, actorId: ctx.actor.id, reason }]);
        const out = toTransfer(row!);
        await deps.audit.record(tx, ctx, { action: 'wallet.adjusted', targetType: 'person', targetId: personId, after: out });
        return out;
      });
    },

    /**
     * Posts expiry transfers for every lot past its date (the daily job and `tandem ledger
     * expire`). Spending took the oldest lots first, so the expired ones are the oldest left.
     * Safe to run again: an expired lot has nothing left.
     */
    async expire(ws: string, now = deps.clock.now()) {
      const due = await repo.expiredByWallet(ws, now);
      let points = 0;
      for (const d of due) {
        await deps.db.transaction().execute(async (tx) => {
          // Lock the wallet, then re-read its lots: spending or another expiry run may have raced us.
          await repo.lockBalances(tx, ws, [d.account], now);
          const lots = (await repo.openLots(tx, ws, d.account)).filter((l) => l.expires_at != null && l.expires_at <= now);
          const amount = lots.reduce((s, l) => s + Number(l.remaining), 0);
          if (amount > 0) {
            const earnedBy = toIso(Math.max(...lots.map((l) => Number(l.earned_at))))!.slice(0, 10);
            await post(tx, ws, [{ from: d.account, to: accounts.system('expiry'), amount, cause: 'expiry', occurredAt: now, fromLots: lots.map((l) => l.transfer_id), reason: `points earned up to ${earnedBy} expired` }]);
            points += amount;
          }
        });
      }
      return { wallets: due.length, points };
    },

    async wallet(ws: string, personId: string, opts: { expiringWithinDays?: number } = {}) {
      const account = accounts.wallet(personId);
      const [balance, lots] = await Promise.all([
        repo.balance(ws, account),
        lotsKept(deps.db, ws).then(async (kept) => (kept ? repo.openLots(undefined, ws, account) : openOf(replayLots(ws, account, await repo.walletTransfers(undefined, ws, account))))),
      ]);
      const horizon = deps.clock.now() + (opts.expiringWithinDays ?? 30) * 86_400_000;
      const lotsOut = lots.map((l) => ({ transferId: l.transfer_id, amount: Number(l.amount), remaining: Number(l.remaining), earnedAt: toIso(l.earned_at)!, expiresAt: toIso(l.expires_at) }));
      return {
        balance: Number(balance),
        lots: lotsOut,
        expiringSoon: lots.filter((l) => l.expires_at != null && l.expires_at <= horizon).map((l) => ({ transferId: l.transfer_id, points: Number(l.remaining), expiresAt: toIso(l.expires_at)! })),
      };
    },

    async history(ws: string, account: string, q: { limit: number; cursor?: string }) {
      const rows = await repo.history(ws, account, decodeCursor(q.cursor), q.limit + 1);
      return toPage(rows, q.limit, toTransfer);
    },

    /** Rebuilds every balance from the transfers and compares; also checks the lots and the zero sum. */
    async verify(ws: string) {
      const rebuilt = await repo.rebuiltBalances(ws);
      const stored = new Map((await repo.allBalances(ws)).map((b) => [b.account, Number(b.balance)]));
      // Lots not stored (no expiry) are replayed from these same transfers: nothing to compare.
      const lots = (await lotsKept(deps.db, ws)) ? await repo.lotTotals(ws) : null;
      const problems: string[] = [];
      for (const account of new Set([...rebuilt.keys(), ...stored.keys()])) {
        const a = rebuilt.get(account) ?? 0;
        const b = stored.get(account) ?? 0;
        if (a !== b) problems.push(`${account}: balance ${b} but transfers sum to ${a}`);
        if (lots && kindOf(account) === 'wallet') {
          const l = lots.get(account) ?? 0;
          if (l !== Math.max(0, a)) problems.push(`${account}: lots hold ${l} but the spendable balance is ${Math.max(0, a)}`);
        }
        if (kindOf(account) === 'budget' && a < 0) problems.push(`${account}: budget below zero (${a})`);
      }
      const total = [...rebuilt.values()].reduce((s, v) => s + v, 0);
      if (total !== 0) problems.push(`the ledger sums to ${total}, not 0`);
      return { ok: problems.length === 0, accounts: rebuilt.size, problems };
    },

    /**
     * The points the wallets hold, by the program whose lots hold them (null: points earned
     * without a program, such as an adjustment). Stored lots are summed in SQL; where lots are
     * replayed, wallets never debited are summed in SQL too (every lot whole) and only the
     * wallets that spent are replayed, 500 at a time, by replayLots itself.
     */
    async outstandingByProgram(ws: string): Promise<Map<string | null, number>> {
      const out = new Map<string | null, number>();
      const add = (programId: string | null, points: number) => points && out.set(programId, (out.get(programId) ?? 0) + points);
      if (await lotsKept(deps.db, ws)) {
        for (const r of await repo.openLotsByProgram(ws)) add(r.program_id, Number(r.points));
        return out;
      }
      for (const r of await repo.undebitedEarningsByProgram(ws, [...EARNING])) add(r.program_id, Number(r.points));
      const debited = await repo.debitedWallets(ws);
      for (let i = 0; i < debited.length; i += 500) {
        for (const { lots, programOf } of walletReplays(ws, debited.slice(i, i + 500), await repo.transfersOfWallets(ws, debited.slice(i, i + 500)))) {
          for (const lot of lots) add(programOf.get(lot.transfer_id) ?? null, lot.remaining);
        }
      }
      return out;
    },
    /**
     * What each of these wallet debits (orders, expiries) took, by the program of the lots it
     * took them from, replayed (null: no lot held them).
     */
    async spendsByProgram(ws: string, debitIds: string[]): Promise<Map<string, Map<string | null, number>>> {
      const out = new Map<string, Map<string | null, number>>();
      const wanted = new Set(debitIds);
      const wallets = new Set<string>();
      for (let i = 0; i < debitIds.length; i += 500) for (const r of await repo.transfersByIds(ws, debitIds.slice(i, i + 500))) if (kindOf(r.debit_account) === 'wallet') wallets.add(r.debit_account);
      const list = [...wallets].sort();
      for (let i = 0; i < list.length; i += 200) {
        const chunk = list.slice(i, i + 200);
        for (const { transfers, takes, programOf } of walletReplays(ws, chunk, await repo.transfersOfWallets(ws, chunk))) {
          for (const t of transfers) {
            if (!wanted.has(t.id) || !takes.has(t.id)) continue;
            const by = new Map<string | null, number>();
            let taken = 0;
            for (const { lot, amount } of takes.get(t.id)!) {
              const p = programOf.get(lot.transfer_id) ?? null;
              by.set(p, (by.get(p) ?? 0) + amount);
              taken += amount;
            }
            if (Number(t.amount) > taken) by.set(null, (by.get(null) ?? 0) + Number(t.amount) - taken);
            out.set(t.id, by);
          }
        }
      }
      return out;
    },
    /** What the wallets of a workspace may spend in all (their balances above zero). */
    spendableTotal: (ws: string) => repo.spendableTotal(ws),
  };
}
export type LedgerService = ReturnType<typeof createLedgerService>;
