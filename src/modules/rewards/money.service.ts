import { stringify } from 'csv-stringify/sync';
import type { AnyDb } from '../../core/db/db.js';
import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import type { AuthContext } from '../../core/auth.js';
import { invalid } from '../../core/errors.js';
import type { LedgerService } from '../ledger/index.js';
import type { PeopleService } from '../people/index.js';
import type { ProgramsService } from '../programs/index.js';
import type { WorkspacesService } from '../workspaces/index.js';
import { fromLocal, localTime, periodOf } from '../engine/index.js';
import { createMoneyRepository } from './money.repository.js';
import { createRewardsRepository } from './rewards.repository.js';
import type { TLiability, TOrdersExportQuery, TRedeemed, TRedeemedQuery } from './money.schema.js';

/**
 * How points earned without a program (manual adjustments) are valued: the values a program
 * gets when it names none, 1 cent a point in USD, from a "manual" funding source.
 */
export const UNATTRIBUTED = { pointValueCents: 1, currency: 'USD', fundingSource: 'manual' } as const;
/** The most periods one redeemed-value report spans (10 years of months). */
export const MAX_PERIODS = 120;
/** The most orders one CSV export holds; narrow by dates beyond it. */
export const MAX_EXPORT_ROWS = 100_000;

type Valuation = { name: string; status: string | null; pointValueCents: number; currency: string; fundingSource: string };
/** Cents per currency. */
type Amounts = Map<string, number>;

const addTo = (m: Amounts, currency: string, cents: number) => m.set(currency, (m.get(currency) ?? 0) + cents);
const amountsOut = (m: Amounts) => [...m].sort(([a], [b]) => a.localeCompare(b)).map(([currency, cents]) => ({ currency, cents }));

/** A date is a whole day of the workspace's calendar (its end, for `to`); an instant is itself. */
function instantOf(v: string, tz: string, end: boolean) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return Date.parse(v);
  const [y, m, d] = v.split('-').map(Number) as [number, number, number];
  return fromLocal(tz, y, m, end ? d + 1 : d);
}

function labelOf(from: number, period: 'week' | 'month' | 'quarter', tz: string) {
  const l = localTime(from, tz);
  if (period === 'month') return l.date.slice(0, 7);
  if (period === 'quarter') return `${l.year}-Q${Math.floor((l.month - 1) / 3) + 1}`;
  return l.date;
}

/** A CSV cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) is made plain text. */
export const csvSafe = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);

export interface MoneyDeps {
  db: AnyDb;
  clock: Clock;
  ledger: LedgerService;
  people: PeopleService;
  workspaces: WorkspacesService;
  programs: Pick<ProgramsService, 'valuations'>;
}

/** The rewards' money: what the wallets' points are worth (liability), what was redeemed, and the orders for accounting. */
export function createMoneyService(deps: MoneyDeps) {
  const repo = createMoneyRepository(deps.db);
  const rewards = createRewardsRepository(deps.db);

  async function valuations(ws: string) {
    return new Map<string, Valuation>((await deps.programs.valuations(ws)).map((p) => [p.id, p]));
  }
  const valuationOf = (programs: Map<string, Valuation>, programId: string | null) => (programId ? programs.get(programId) : undefined) ?? null;

  /** What points taken from programs' lots are worth, per currency. */
  function valueOf(programs: Map<string, Valuation>, byProgram: Map<string | null, number>): Amounts {
    const out: Amounts = new Map();
    for (const [programId, points] of byProgram) {
      const v = valuationOf(programs, programId) ?? UNATTRIBUTED;
      addTo(out, v.currency, points * v.pointValueCents);
    }
    return out;
  }

  /** Orders of a window with what each was worth (by the lots it took), per currency. */
  async function valuedOrders(ws: string, from: number, to: number, status?: TOrdersExportQuery['status']) {
    const orders = await repo.ordersBetween(ws, from, to, status);
    const [spends, programs] = await Promise.all([deps.ledger.spendsByProgram(ws, orders.map((o) => o.transfer_id)), valuations(ws)]);
    return orders.map((o) => ({ ...o, points: Number(o.points), created_at: Number(o.created_at), value: valueOf(programs, spends.get(o.transfer_id) ?? new Map([[null, Number(o.points)]])) }));
  }

  return {
    /**
     * Outstanding points (what the wallets may still spend) by the program that paid them, each
     * valued at its program's point value; by funding source and per currency. Points no lot
     * explains (earned without a program, or held outside lots) are the unattributed line.
     */
    async liability(ctx: AuthContext): Promise<TLiability> {
      ctx.require('money.read');
      const ws = ctx.workspaceId;
      const [held, programs, spendable] = await Promise.all([deps.ledger.outstandingByProgram(ws), valuations(ws), deps.ledger.spendableTotal(ws)]);
      const lines = new Map<string | null, number>();
      for (const [programId, points] of held) {
        const key = valuationOf(programs, programId) ? programId : null;
        lines.set(key, (lines.get(key) ?? 0) + points);
      }
      const inLots = [...held.values()].reduce((s, n) => s + n, 0);
      if (spendable > inLots) lines.set(null, (lines.get(null) ?? 0) + spendable - inLots);
      const byProgram = [...lines]
        .filter(([, points]) => points > 0)
        .map(([programId, points]) => {
          const v = valuationOf(programs, programId);
          const val = v ?? { name: 'Manual adjustments (no program)', status: null, ...UNATTRIBUTED };
          return { programId, programName: val.name, status: val.status, fundingSource: val.fundingSource, currency: val.currency, pointValueCents: val.pointValueCents, points, valueCents: points * val.pointValueCents };
        })
        .sort((a, b) => Number(a.programId === null) - Number(b.programId === null) || a.programName.localeCompare(b.programName));
      const sources = new Map<string, { fundingSource: string; currency: string; programs: number; points: number; valueCents: number }>();
      const totals = new Map<string, { currency: string; points: number; valueCents: number }>();
      for (const l of byProgram) {
        const s = sources.get(`${l.fundingSource}\u0000${l.currency}`) ?? { fundingSource: l.fundingSource, currency: l.currency, programs: 0, points: 0, valueCents: 0 };
        s.programs++;
        s.points += l.points;
        s.valueCents += l.valueCents;
        sources.set(`${l.fundingSource}\u0000${l.currency}`, s);
        const t = totals.get(l.currency) ?? { currency: l.currency, points: 0, valueCents: 0 };
        t.points += l.points;
        t.valueCents += l.valueCents;
        totals.set(l.currency, t);
      }
      return {
        points: byProgram.reduce((s, l) => s + l.points, 0),
        byProgram,
        byFundingSource: [...sources.values()].sort((a, b) => a.fundingSource.localeCompare(b.fundingSource) || a.currency.localeCompare(b.currency)),
        totals: [...totals.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
        unattributed: { ...UNATTRIBUTED },
      };
    },

    /**
     * Orders per calendar period of the workspace (by when they were placed) and per reward
     * kind: their points, what refunds gave back, and the net valued at the programs that paid.
     * A later refund counts against its order's period, so a period shows what its orders cost.
     */
    async redeemed(ctx: AuthContext, q: TRedeemedQuery): Promise<TRedeemed> {
      ctx.require('money.read');
      const ws = ctx.workspaceId;
      const tz = (await deps.workspaces.get(ws)).timezone;
      const now = deps.clock.now();
      const end = q.to ? instantOf(q.to, tz, true) : now + 1;
      let start = q.from ? instantOf(q.from, tz, false) : periodOf(now, q.period, tz).from;
      if (!q.from) for (let i = 0; i < 11; i++) start = periodOf(start - 1, q.period, tz).from;
      if (start >= end) throw invalid(q.to ? 'querystring.to' : 'querystring.from', q.to ? 'must come after from' : 'must be in the past');
      const periods: { from: number; to: number }[] = [];
      for (let p = periodOf(start, q.period, tz); p.from < end; p = periodOf(p.to, q.period, tz)) {
        if (periods.length === MAX_PERIODS) throw invalid('querystring.to', `a report spans at most ${MAX_PERIODS} periods; narrow from and to, or choose a longer period`);
        periods.push(p);
      }
      const orders = await valuedOrders(ws, periods[0]!.from, Math.min(end, periods.at(-1)!.to));
      type Figures = { orders: number; points: number; refundedPoints: number; netPoints: number; value: Amounts };
      const blank = (): Figures => ({ orders: 0, points: 0, refundedPoints: 0, netPoints: 0, value: new Map() });
      const count = (f: Figures, o: (typeof orders)[number]) => {
        const refunded = o.refund_transfer_id ? o.points : 0;
        f.orders++;
        f.points += o.points;
        f.refundedPoints += refunded;
        f.netPoints += o.points - refunded;
        if (!refunded) for (const [c, cents] of o.value) addTo(f.value, c, cents);
      };
      const out = (f: Figures) => ({ orders: f.orders, points: f.points, refundedPoints: f.refundedPoints, netPoints: f.netPoints, value: amountsOut(f.value) });
      const totals = blank();
      let i = 0;
      const rows = periods.map((p) => {
        const all = blank();
        const kinds = new Map<string, Figures>();
        for (; i < orders.length && orders[i]!.created_at < p.to; i++) {
          const o = orders[i]!;
          count(all, o);
          count(totals, o);
          if (!kinds.has(o.kind)) kinds.set(o.kind, blank());
          count(kinds.get(o.kind)!, o);
        }
        const byKind = [...kinds].sort(([a], [b]) => a.localeCompare(b)).map(([kind, f]) => ({ kind: kind as TRedeemed['periods'][number]['byKind'][number]['kind'], ...out(f) }));
        return { label: labelOf(p.from, q.period, tz), from: toIso(p.from)!, to: toIso(p.to)!, ...out(all), byKind };
      });
      return { period: q.period, timezone: tz, from: toIso(periods[0]!.from)!, to: toIso(periods.at(-1)!.to)!, periods: rows, totals: out(totals) };
    },

    /** Every order of a window as CSV for accounting, one row each, oldest first; cells are safe to open in a spreadsheet. */
    async ordersCsv(ctx: AuthContext, q: TOrdersExportQuery): Promise<string> {
      ctx.require('rewards.manage');
      const ws = ctx.workspaceId;
      const tz = (await deps.workspaces.get(ws)).timezone;
      const from = q.from ? instantOf(q.from, tz, false) : 0;
      const to = q.to ? instantOf(q.to, tz, true) : Number.MAX_SAFE_INTEGER;
      if (from >= to) throw invalid('querystring.to', 'must come after from');
      const orders = await valuedOrders(ws, from, to, q.status);
      if (orders.length > MAX_EXPORT_ROWS) throw invalid('querystring.from', `the export holds at most ${MAX_EXPORT_ROWS} orders; narrow from and to`);
      const [names, variants, refunds] = await Promise.all([
        deps.people.namesOf(ws, [...new Set(orders.map((o) => o.person_id))]),
        rewards.variantNames(ws, [...new Set(orders.flatMap((o) => (o.variant_id ? [o.variant_id] : [])))]),
        repo.refundSteps(ws, orders.filter((o) => o.refund_transfer_id).map((o) => o.id)),
      ]);
      const rows = orders.map((o) => {
        const value = amountsOut(o.value);
        const refundedAt = o.refund_transfer_id ? refunds.get(o.id) : undefined;
        return [
          o.id,
          toIso(o.created_at),
          o.person_id,
          csvSafe(names.get(o.person_id) ?? ''),
          o.reward_id,
          csvSafe(o.title),
          o.kind,
          csvSafe(o.variant_id ? (variants.get(o.variant_id) ?? '') : ''),
          o.quantity,
          o.points,
          // An order paid from programs of several currencies lists one amount per currency, in the same order.
          value.map((v) => v.cents).join(';'),
          value.map((v) => v.currency).join(';'),
          o.status,
          o.refund_transfer_id ? o.points : 0,
          refundedAt ? toIso(refundedAt) : '',
          o.provider,
        ];
      });
      return stringify(rows, { bom: true, header: true, columns: ['order_id', 'created_at', 'person_id', 'person_name', 'reward_id', 'reward', 'kind', 'variant', 'quantity', 'points', 'value_cents', 'currency', 'status', 'refunded_points', 'refunded_at', 'provider'] });
    },
  };
}
export type MoneyService = ReturnType<typeof createMoneyService>;
