import { CompiledQuery, sql, type Kysely } from 'kysely';
import { EACH_ROW, type AnyDb, type Dialect } from '../../core/db/db.js';
import { arrayLiteral, createBulkInserter, createTupleInserter, unnestInsert } from '../../core/db/bulk.js';
import type SQLite from 'better-sqlite3';
import { prepared, preparedIn } from '../../core/db/prepared.js';
import type { BalancesTable, LedgerTables, LotsTable, LotTakesTable, TransfersTable, WalletMove } from './ledger.tables.js';

type Db = Kysely<LedgerTables>;
const CHUNK = 300;
const INSERT_TRANSFER_SQL =
  'insert into "transfers" ("workspace_id", "id", "debit_account", "credit_account", "amount", "cause", "event_id", "program_id", "program_version", "rule_id", "goal_id", "reverses_id", "actor_id", "reason", "occurred_at", "created_at") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

export function createLedgerRepository(anyDb: AnyDb, dialect: Dialect) {
  const base = anyDb as Db;
  const t = (tx?: AnyDb) => (tx ?? base) as Db;
  const insertRows = createBulkInserter(CHUNK);
  const openBalances = createTupleInserter('balances', ['workspace_id', 'account', 'balance', 'updated_at'], { ignoreDuplicates: true });
  // New balances: on SQLite one prepared UPDATE run per account (EACH_ROW), on PostgreSQL one
  // UPDATE from unnest arrays; both of fixed text, where a CASE over 200 accounts was built anew each batch.
  const SET_BALANCES_SQL =
    dialect === 'postgres'
      ? 'update balances as b set balance = u.balance, updated_at = $3 from unnest($1::text[], $2::bigint[]) as u(account, balance) where b.workspace_id = $4 and b.account = u.account'
      : `${EACH_ROW}update balances set balance = ?, updated_at = ? where workspace_id = ? and account = ?`;
  const ADD_TO_BALANCES_SQL = (n: number) =>
    `insert into balances (workspace_id, account, balance, updated_at) select $${n + 1}, u.account, u.change, $${n + 2} from unnest($${n + 3}::text[], $${n + 4}::bigint[]) as u(account, change) ` +
    'on conflict (workspace_id, account) do update set balance = balances.balance + excluded.balance, updated_at = excluded.updated_at';
  const BALANCE_SQL = dialect === 'postgres' ? 'select balance from balances where workspace_id = $1 and account = $2' : 'select balance from balances where workspace_id = ? and account = ?';
  const BALANCES_IN_SQL = (n: number) => `select account, balance from balances where workspace_id = ? and account in (${new Array<string>(n).fill('?').join(', ')}) order by account`;
  const BALANCES_JSON_SQL = 'select account, balance from balances where workspace_id = ? and account in (select value from json_each(?)) order by account';
  const readBalances = async (tx: AnyDb, ws: string, sorted: string[]) => {
    // SQLite, in a transaction: a prepared statement per count of accounts (prepared.ts).
    const raw = sorted.length <= 4 ? preparedIn(tx, BALANCES_IN_SQL(sorted.length)) : null;
    if (raw) return raw.all(ws, ...sorted) as { account: string; balance: number }[];
    // More accounts (a batch's 200 wallets): one statement of fixed text, the accounts as one JSON parameter.
    const many = preparedIn(tx, BALANCES_JSON_SQL);
    if (many) return many.all(ws, JSON.stringify(sorted)) as { account: string; balance: number }[];
    let q = t(tx).selectFrom('balances').select(['account', 'balance']).where('workspace_id', '=', ws).where('account', 'in', sorted).orderBy('account');
    if (dialect === 'postgres') q = q.forUpdate();
    return q.execute();
  };
  // SQLite: workspaces known to hold no lots (see hasLots); any lot written drops the answer.
  const noLots = new Set<string>();
  let lotsWritten = 0;
  const WALLET_TRANSFERS_SQL = 'select * from transfers where workspace_id = ? and credit_account = ? union all select * from transfers where workspace_id = ? and debit_account = ? order by id';
  // The same wallet's transfers with only what a replay of its lots reads (WalletMove): a row
  // object of 7 columns, not 16, per transfer of the wallet's history.
  const MOVE_COLUMNS = 'id, debit_account, credit_account, amount, cause, reverses_id, occurred_at';
  const WALLET_MOVES_SQL = `select ${MOVE_COLUMNS} from transfers where workspace_id = ? and credit_account = ? union all select ${MOVE_COLUMNS} from transfers where workspace_id = ? and debit_account = ? order by id`;
  return {
    /** Synchronous forms on a SQLite connection inside its transaction (prepared.ts's runSync). */
    sync: {
      lockBalances(sqlite: SQLite.Database, ws: string, accounts: string[], now: number): Map<string, number> {
        // As lockBalances on SQLite (the transaction holds the write lock: nothing to lock), one
        // primary-key read per account: cheaper than an IN list, which SQLite reads through a
        // temporary table. A missing row is created at zero.
        const out = new Map<string, number>();
        const read = prepared(sqlite, BALANCE_SQL);
        for (const account of accounts) {
          if (out.has(account)) continue;
          const row = read.get(ws, account) as { balance: number } | undefined;
          if (!row) openBalances.sync(sqlite, [[ws, account, 0, now]]);
          out.set(account, row ? Number(row.balance) : 0);
        }
        return out;
      },
      setBalances(sqlite: SQLite.Database, ws: string, balances: Map<string, number>, now: number) {
        const one = prepared(sqlite, SET_BALANCES_SQL.slice(EACH_ROW.length));
        for (const [account, balance] of balances) one.run(balance, now, ws, account);
      },
      walletMoves: (sqlite: SQLite.Database, ws: string, account: string) => prepared(sqlite, WALLET_MOVES_SQL).all(ws, account, ws, account) as WalletMove[],
    },
    /** On SQLite, true when the workspace is known (remembered, no read) to hold no lots; see hasLots. */
    knownWithoutLots: (ws: string) => noLots.has(ws),
    /** Creates missing balance rows, then (PostgreSQL) locks them in sorted order against concurrent writers. */
    async lockBalances(tx: AnyDb, ws: string, accounts: string[], now: number): Promise<Map<string, number>> {
      const sorted = [...new Set(accounts)].sort();
      if (!sorted.length) return new Map();
      // The rows are read first (on PostgreSQL locked, FOR UPDATE) and only those missing are
      // created, then read again: most accounts have a row (a redemption or an award wrote it
      // before), so this is one statement where creating them all first took two.
      let rows = await readBalances(tx, ws, sorted);
      if (rows.length < sorted.length) {
        const found = new Set(rows.map((r) => r.account));
        await openBalances(tx, sorted.filter((a) => !found.has(a)).map((account) => [ws, account, 0, now]));
        rows = await readBalances(tx, ws, sorted);
      }
      return new Map(rows.map((r) => [r.account, Number(r.balance)]));
    },
    insertTransfers: (tx: AnyDb, rows: TransfersTable[]) => {
      // SQLite, in a transaction: the prepared one-row INSERT run with each row's values straight
      // from the row (no array of values per row, no check of the rows' shapes: they are ours).
      const raw = rows.length ? preparedIn(tx, INSERT_TRANSFER_SQL) : null;
      if (!raw) return insertRows(tx, 'transfers', rows as unknown as Record<string, unknown>[]);
      for (const r of rows) raw.run(r.workspace_id, r.id, r.debit_account, r.credit_account, r.amount, r.cause, r.event_id, r.program_id, r.program_version, r.rule_id, r.goal_id, r.reverses_id, r.actor_id, r.reason, r.occurred_at, r.created_at);
      return Promise.resolve();
    },
    /**
     * PostgreSQL: balances moved by these amounts (account → change), each row created when
     * missing, in one statement; `accounts` sorted, so that the rows are locked in the order
     * every writer locks them. The change is applied to the row's latest committed value, under
     * its lock, so a row this transaction did not lock before stays right whoever else writes it.
     */
    async addToBalances(tx: AnyDb, ws: string, accounts: string[], changes: number[], now: number) {
      if (!accounts.length) return;
      await t(tx).executeQuery(CompiledQuery.raw(ADD_TO_BALANCES_SQL(0), [ws, now, arrayLiteral(accounts), arrayLiteral(changes)]));
    },
    /** PostgreSQL: the transfers inserted and the balances moved (addToBalances) in one statement, the insert as a data-modifying WITH. */
    async insertTransfersAddingToBalances(tx: AnyDb, ws: string, rows: TransfersTable[], accounts: string[], changes: number[], now: number) {
      if (!rows.length || !accounts.length) {
        await this.insertTransfers(tx, rows);
        return this.addToBalances(tx, ws, accounts, changes, now);
      }
      const ins = await unnestInsert(tx, 'transfers', Object.keys(rows[0]!), rows as unknown as Record<string, unknown>[]);
      const text = `with t as (${ins.text}) ${ADD_TO_BALANCES_SQL(ins.params.length)}`;
      await t(tx).executeQuery(CompiledQuery.raw(text, [...ins.params, ws, now, arrayLiteral(accounts), arrayLiteral(changes)]));
    },
    /** All new balances in one statement. */
    async setBalances(tx: AnyDb, ws: string, balances: Map<string, number>, now: number) {
      if (!balances.size) return;
      const params = dialect === 'postgres' ? [[...balances.keys()], [...balances.values()], now, ws] : [...balances].map(([account, balance]) => [balance, now, ws, account]);
      const raw = preparedIn(tx, SET_BALANCES_SQL.slice(EACH_ROW.length));
      if (raw) {
        for (const p of params as unknown[][]) raw.run(p);
        return;
      }
      await t(tx).executeQuery(CompiledQuery.raw(SET_BALANCES_SQL, params));
    },
    /** The hot read: one primary-key row, its SQL written once (no query building per call). */
    balance: async (ws: string, account: string, tx?: AnyDb) => {
      const r = await t(tx).executeQuery<{ balance: number }>(CompiledQuery.raw(BALANCE_SQL, [ws, account]));
      return r.rows[0]?.balance ?? 0;
    },
    balancesOf: (ws: string, accounts: string[]) =>
      accounts.length ? base.selectFrom('balances').selectAll().where('workspace_id', '=', ws).where('account', 'in', accounts).execute() : Promise.resolve([] as BalancesTable[]),
    transfer: (tx: AnyDb | undefined, ws: string, id: string) => t(tx).selectFrom('transfers').selectAll().where('workspace_id', '=', ws).where('id', '=', id).executeTakeFirst(),
    transfersOfEvent: (tx: AnyDb, ws: string, eventId: string) =>
      t(tx).selectFrom('transfers').selectAll().where('workspace_id', '=', ws).where('event_id', '=', eventId).orderBy('id').execute(),
    /** The awards (event and goal tier transfers) caused by these events, oldest first. */
    awardsOfEvents: (ws: string, eventIds: string[]) =>
      eventIds.length
        ? base.selectFrom('transfers').selectAll().where('workspace_id', '=', ws).where('event_id', 'in', eventIds).where('cause', 'in', ['event', 'goal_tier']).orderBy('id').execute()
        : Promise.resolve([]),
    /** Of these programs, those that paid points into any of these wallets since `since` (index transfers_credit_program). */
    async programsPaying(ws: string, wallets: string[], programIds: string[], since: number) {
      if (!wallets.length || !programIds.length) return [];
      const rows = await base.selectFrom('transfers').select('program_id').distinct().where('workspace_id', '=', ws).where('credit_account', 'in', wallets).where('program_id', 'in', programIds).where('occurred_at', '>=', since).where('cause', 'in', ['event', 'goal_tier']).execute();
      return rows.map((r) => String(r.program_id));
    },
    reversalsOf: (tx: AnyDb, ws: string, ids: string[]) =>
      ids.length ? t(tx).selectFrom('transfers').select('reverses_id').where('workspace_id', '=', ws).where('reverses_id', 'in', ids).execute() : Promise.resolve([]),

    /**
     * True when the workspace keeps lots (it has one); the primary key's first row. Asked by every
     * post. On SQLite (one process, one connection: every lot is written through insertLots
     * here) a "no" is remembered until a lot is written in the workspace, committed or not; a read
     * that overlapped such a write is not remembered.
     */
    async hasLots(tx: AnyDb | undefined, ws: string) {
      if (noLots.has(ws)) return false;
      const seen = lotsWritten;
      const has = !!(await t(tx).selectFrom('lots').select('transfer_id').where('workspace_id', '=', ws).limit(1).executeTakeFirst());
      if (!has && dialect === 'sqlite' && seen === lotsWritten) noLots.add(ws);
      return has;
    },
    /** Every transfer into or out of one wallet, in the order they were posted (two searches of the account indexes). */
    async walletTransfers(tx: AnyDb | undefined, ws: string, account: string) {
      const raw = preparedIn(tx, WALLET_TRANSFERS_SQL);
      if (raw) return raw.all(ws, account, ws, account) as TransfersTable[];
      const side = (column: 'credit_account' | 'debit_account') => t(tx).selectFrom('transfers').selectAll().where('workspace_id', '=', ws).where(column, '=', account).orderBy('id').execute();
      const rows = [...(await side('credit_account')), ...(await side('debit_account'))];
      return rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    /** Every transfer into or out of any wallet of the workspace, in the order they were posted (for rebuilding lots). */
    walletTransfersAll: (tx: AnyDb, ws: string) =>
      t(tx)
        .selectFrom('transfers')
        .selectAll()
        .where('workspace_id', '=', ws)
        .where((eb) => eb.or([eb('credit_account', 'like', 'wallet:%'), eb('debit_account', 'like', 'wallet:%')]))
        .orderBy('id')
        .execute(),
    insertLots(tx: AnyDb, rows: LotsTable[]) {
      if (rows.length) lotsWritten++;
      for (const r of rows) noLots.delete(r.workspace_id);
      return insertRows(tx, 'lots', rows as unknown as Record<string, unknown>[]);
    },
    /** Wallets holding lots past their expiry, with how much is left in them. */
    expiredByWallet: async (ws: string, now: number) => {
      const rows = await base
        .selectFrom('lots')
        .select(['account', sql<number>`sum(remaining)`.as('points')])
        .where('workspace_id', '=', ws)
        .where('remaining', '>', 0)
        .where('expires_at', '<=', now)
        .groupBy('account')
        .orderBy('account')
        .execute();
      return rows.map((r) => ({ account: r.account, points: Number(r.points) }));
    },
    openLots: (tx: AnyDb | undefined, ws: string, account: string) =>
      t(tx).selectFrom('lots').selectAll().where('workspace_id', '=', ws).where('account', '=', account).where('remaining', '>', 0).orderBy('earned_at').orderBy('transfer_id').execute(),
    lot: (tx: AnyDb, ws: string, transferId: string) => t(tx).selectFrom('lots').selectAll().where('workspace_id', '=', ws).where('transfer_id', '=', transferId).executeTakeFirst(),
    insertTakes: (tx: AnyDb, rows: LotTakesTable[]) => insertRows(tx, 'lot_takes', rows as unknown as Record<string, unknown>[]),
    /** The lots a debit took, with their dates, oldest first. */
    takesOf: (tx: AnyDb | undefined, ws: string, transferId: string) =>
      t(tx)
        .selectFrom('lot_takes')
        .innerJoin('lots', (j) => j.onRef('lots.workspace_id', '=', 'lot_takes.workspace_id').onRef('lots.transfer_id', '=', 'lot_takes.lot_id'))
        .select(['lot_takes.lot_id', 'lot_takes.amount', 'lots.remaining', 'lots.earned_at', 'lots.expires_at'])
        .where('lot_takes.workspace_id', '=', ws)
        .where('lot_takes.transfer_id', '=', transferId)
        .orderBy('lots.earned_at')
        .orderBy('lot_takes.lot_id')
        .execute(),
    setLotRemaining: (tx: AnyDb, ws: string, transferId: string, remaining: number) =>
      t(tx).updateTable('lots').set({ remaining }).where('workspace_id', '=', ws).where('transfer_id', '=', transferId).execute(),

    /**
     * Points a budget paid out (awards, goal tiers, bulk awards) and got back (their reversals)
     * in a window, summed per counterparty and per hour: what a program's statistics are built
     * from. Both read the (account, program, time) indexes.
     */
    async budgetFlows(ws: string, budget: string, programId: string, from: number, to: number, only?: Set<string>) {
      // Rows, summed here: with a GROUP BY on the other account, SQLite (without statistics)
      // walks that account's index across the workspace instead of searching the budget's.
      const rows = (account: 'credit_account' | 'debit_account', causes: string[]) =>
        base
          .selectFrom('transfers')
          .select([account === 'debit_account' ? 'credit_account as other' : 'debit_account as other', 'amount', 'occurred_at'])
          .where('workspace_id', '=', ws)
          .where(account, '=', budget)
          .where('program_id', '=', programId)
          .where('occurred_at', '>=', from)
          .where('occurred_at', '<', to)
          .where('cause', 'in', causes)
          .execute();
      const [paid, back] = await Promise.all([rows('debit_account', ['event', 'goal_tier', 'bulk_award']), rows('credit_account', ['reversal'])]);
      const sum = (list: { other: string; amount: number | string; occurred_at: number | string }[]) => {
        const byAccount = new Map<string, { points: number; n: number }>();
        const byHour = new Map<number, number>();
        for (const r of list) {
          if (only && !only.has(r.other)) continue;
          const amount = Number(r.amount);
          const a = byAccount.get(r.other) ?? { points: 0, n: 0 };
          a.points += amount;
          a.n++;
          byAccount.set(r.other, a);
          const hour = Math.floor(Number(r.occurred_at) / 3_600_000);
          byHour.set(hour, (byHour.get(hour) ?? 0) + amount);
        }
        return { accounts: [...byAccount].map(([account, v]) => ({ account, ...v })), hours: [...byHour].map(([hour, points]) => ({ hour, points })) };
      };
      const p = sum(paid);
      const b = sum(back);
      return { paidTo: p.accounts, paidHours: p.hours, backFrom: b.accounts, backHours: b.hours };
    },

    history: (ws: string, account: string, after: string | undefined, limit: number) => {
      let q = base.selectFrom('transfers').selectAll().where('workspace_id', '=', ws).where((eb) => eb.or([eb('credit_account', '=', account), eb('debit_account', '=', account)]));
      if (after) q = q.where('id', '<', after);
      return q.orderBy('id', 'desc').limit(limit).execute();
    },

    /** For caps: the net count and sum of a rule's awards to one wallet in [from, to). */
    async ruleUsage(tx: AnyDb, ws: string, q: { programId: string; ruleId: string | null; wallet: string; from: number; to: number }) {
      // Two searches of the wallet's (account, id) indexes, awards in and reversals out, with
      // program, rule and time filtered there (an OR of both sides makes SQLite scan instead).
      const side = (account: 'credit_account' | 'debit_account') => {
        let query = t(tx)
          .selectFrom('transfers')
          .select([sql<number>`coalesce(sum(amount), 0)`.as('points'), sql<number>`count(*)`.as('times')])
          .where('workspace_id', '=', ws)
          .where(account, '=', q.wallet)
          .where('program_id', '=', q.programId)
          .where('occurred_at', '>=', q.from)
          .where('occurred_at', '<', q.to);
        query = account === 'credit_account' ? query.where('cause', '=', 'event') : query.where('cause', '=', 'reversal').where('goal_id', 'is', null);
        if (q.ruleId) query = query.where('rule_id', '=', q.ruleId);
        return query.executeTakeFirstOrThrow();
      };
      const awards = await side('credit_account');
      const reversals = await side('debit_account');
      return { points: Number(awards.points) - Number(reversals.points), times: Number(awards.times) - Number(reversals.times) };
    },

    /** Balances rebuilt from the transfers alone. */
    async rebuiltBalances(ws: string) {
      const rows = await base
        .selectFrom(
          sql<{ account: string; delta: number }>`(select credit_account as account, amount as delta from transfers where workspace_id = ${ws}
            union all select debit_account as account, -amount as delta from transfers where workspace_id = ${ws})`.as('m'),
        )
        .select(['m.account', sql<number>`sum(m.delta)`.as('balance')])
        .groupBy('m.account')
        .execute();
      return new Map(rows.map((r) => [r.account, Number(r.balance)]));
    },
    allBalances: (ws: string) => base.selectFrom('balances').select(['account', 'balance']).where('workspace_id', '=', ws).execute(),
    lotTotals: async (ws: string) => {
      const rows = await base.selectFrom('lots').select(['account', sql<number>`sum(remaining)`.as('remaining')]).where('workspace_id', '=', ws).groupBy('account').execute();
      return new Map(rows.map((r) => [r.account, Number(r.remaining)]));
    },

    /** The points stored lots still hold, summed by the program of the transfer that earned them (the liability report). */
    openLotsByProgram: (ws: string) =>
      base
        .selectFrom('lots as l')
        .innerJoin('transfers as t', (j) => j.onRef('t.workspace_id', '=', 'l.workspace_id').onRef('t.id', '=', 'l.transfer_id'))
        .select(['t.program_id', sql<number>`sum(l.remaining)`.as('points')])
        .where('l.workspace_id', '=', ws)
        .where('l.remaining', '>', 0)
        .groupBy('t.program_id')
        .execute(),
    /**
     * Earned points of the wallets that were never debited, by program: such a wallet still holds
     * every lot whole, so no replay is needed. One pass over the workspace's transfers, with the
     * debit side searched in its (account, id) index.
     */
    undebitedEarningsByProgram: (ws: string, causes: string[]) =>
      base
        .selectFrom('transfers as c')
        .select(['c.program_id', sql<number>`sum(c.amount)`.as('points')])
        .where('c.workspace_id', '=', ws)
        .where('c.credit_account', 'like', 'wallet:%')
        .where('c.cause', 'in', causes)
        .where((eb) => eb.not(eb.exists(eb.selectFrom('transfers as d').select('d.id').whereRef('d.workspace_id', '=', 'c.workspace_id').whereRef('d.debit_account', '=', 'c.credit_account'))))
        .groupBy('c.program_id')
        .execute(),
    /** Every wallet that was ever debited (spent, expired, adjusted down, reversed). */
    debitedWallets: async (ws: string) =>
      (await base.selectFrom('transfers').select('debit_account').distinct().where('workspace_id', '=', ws).where('debit_account', 'like', 'wallet:%').orderBy('debit_account').execute()).map((r) => r.debit_account),
    /** Every transfer into or out of these wallets, in the order they were posted (each once). */
    async transfersOfWallets(ws: string, wallets: string[]) {
      if (!wallets.length) return [] as TransfersTable[];
      const side = (column: 'credit_account' | 'debit_account') => base.selectFrom('transfers').selectAll().where('workspace_id', '=', ws).where(column, 'in', wallets).execute();
      const byId = new Map<string, TransfersTable>();
      for (const r of [...(await side('credit_account')), ...(await side('debit_account'))]) byId.set(r.id, r);
      return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    transfersByIds: (ws: string, ids: string[]) => (ids.length ? base.selectFrom('transfers').selectAll().where('workspace_id', '=', ws).where('id', 'in', ids).execute() : Promise.resolve([] as TransfersTable[])),
    /** What the wallets of a workspace may spend in all: the sum of their balances above zero. */
    spendableTotal: async (ws: string) =>
      Number((await base.selectFrom('balances').select(sql<number>`coalesce(sum(balance), 0)`.as('n')).where('workspace_id', '=', ws).where('account', 'like', 'wallet:%').where('balance', '>', 0).executeTakeFirst())?.n ?? 0),
  };
}
export type LedgerRepository = ReturnType<typeof createLedgerRepository>;
