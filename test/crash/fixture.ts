// The crash test's world, the same on every run from a seed: a workspace of 50 people, three
// live programs with caps, a budget that runs out part-way, and a fixed list of events in
// batches. The parent sets the workspace up; the child only ingests (ingest-child.ts).
import { systemContext } from '../../src/core/auth.js';
import type { AnyDb } from '../../src/core/db/db.js';
import type { Services } from '../../src/app.js';

export const CRASH = { slug: 'crash-test', name: 'Crash Test Co', timezone: 'Europe/Paris', batchSize: 500 };

/** mulberry32: small, seeded, the same everywhere. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!,
  };
}

const ids = (prefix: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${String(from + i).padStart(2, '0')}`);

// 20 employees, 18 customer contacts (6 accounts), 12 partner reps (3 accounts): 50 people.
const SUPPORT = ids('E', 2, 10); // E02 manages support
const SALES = ids('E', 11, 17); // E11 manages sales; E12–E17 are account managers
const OTHERS = ['E01', ...ids('E', 18, 20)];
const EMPLOYEES = [...SUPPORT, ...SALES, ...OTHERS];
const CUSTOMER_ACCOUNTS = ['C1', 'C2', 'C3', 'C4', 'C5', 'C6'];
const PARTNER_ACCOUNTS = ['P1', 'P2', 'P3'];
const CUSTOMERS = CUSTOMER_ACCOUNTS.flatMap((a) => [1, 2, 3].map((i) => `${a}-${i}`));
const PARTNERS = PARTNER_ACCOUNTS.flatMap((a) => [1, 2, 3, 4].map((i) => `${a}-${i}`));
/** Account managers per customer account: odd accounts have two, so the split has a remainder to place. */
const ACCOUNT_MANAGERS: Record<string, string[]> = Object.fromEntries(CUSTOMER_ACCOUNTS.map((a, i) => [a, i % 2 === 0 ? [SALES[1 + i]!, SALES[1 + ((i + 1) % 6)]!] : [SALES[1 + i]!]]));

export const PROGRAMS = { partner: 'Partner steps', customer: 'Customer revenue', employee: 'Employee excellence' };

/**
 * The customer program's budget: less than its events would earn with no limit, so awards in
 * the later part of the list meet budget_exhausted (the clean run checks where it ran out).
 */
export const customerBudget = (events: number) => events * 14;

/** Creates the workspace, its people and its programs (live), unless the slug exists. Answers the workspace id. */
export async function setupCrashWorkspace(s: Services, events: number): Promise<string> {
  const existing = (await s.workspaces.list()).find((w) => w.slug === CRASH.slug);
  if (existing) return existing.id;
  const ws = await s.workspaces.create({ name: CRASH.name, slug: CRASH.slug, timezone: CRASH.timezone });
  const ctx = systemContext(ws.id);
  const check = (out: { summary: { rejected: number }; results: unknown[] }, what: string) => {
    if (out.summary.rejected) throw new Error(`crash setup: ${what} rejected: ${JSON.stringify(out.results)}`);
  };
  const teams = [
    { externalId: 'T-HQ', name: 'Leadership', parentExternalId: null },
    { externalId: 'T-SUPPORT', name: 'Support', parentExternalId: 'T-HQ' },
    { externalId: 'T-SALES', name: 'Sales', parentExternalId: 'T-HQ' },
    { externalId: 'T-OPS', name: 'Operations', parentExternalId: 'T-HQ' },
  ];
  check(await s.people.batch(ctx, 'teams', teams), 'teams');
  const teamOf = (e: string) => (SUPPORT.includes(e) ? 'T-SUPPORT' : SALES.includes(e) ? 'T-SALES' : e === 'E01' ? 'T-HQ' : 'T-OPS');
  check(await s.people.batch(ctx, 'people', EMPLOYEES.map((e) => ({ kind: 'employee', externalId: e, name: `Employee ${e}`, teamExternalId: teamOf(e) }))), 'employees');
  const managers: Record<string, string> = { 'T-HQ': 'E01', 'T-SUPPORT': 'E02', 'T-SALES': 'E11', 'T-OPS': 'E18' };
  check(await s.people.batch(ctx, 'teams', teams.map((t) => ({ ...t, managerExternalId: managers[t.externalId] }))), 'team managers');
  check(await s.people.batch(ctx, 'accounts', [
    ...CUSTOMER_ACCOUNTS.map((a, i) => ({ kind: 'customer', externalId: a, name: `Customer ${a}`, tier: i < 2 ? 'gold' : 'silver' })),
    ...PARTNER_ACCOUNTS.map((a) => ({ kind: 'partner', externalId: a, name: `Partner ${a}`, tier: 'registered' })),
  ]), 'accounts');
  check(await s.people.batch(ctx, 'people', [
    ...CUSTOMERS.map((c) => ({ kind: 'customer', externalId: c, name: `Contact ${c}`, accountExternalId: c.split('-')[0] })),
    ...PARTNERS.map((p) => ({ kind: 'partner', externalId: p, name: `Rep ${p}`, accountExternalId: p.split('-')[0] })),
  ]), 'contacts');
  check(await s.people.batch(ctx, 'assignments', [
    ...CUSTOMER_ACCOUNTS.flatMap((a) => ACCOUNT_MANAGERS[a]!.map((am) => ({ externalId: `${a}-${am}`, personExternalId: am, accountExternalId: a, role: 'account_manager' }))),
    // support serves every customer but is not among the rule's recipients
    ...CUSTOMER_ACCOUNTS.map((a) => ({ externalId: `${a}-support`, personExternalId: 'E03', accountExternalId: a, role: 'support' })),
  ]), 'assignments');

  const partner = await s.programs.create(ctx, {
    name: PROGRAMS.partner,
    audience: { kinds: ['partner'] },
    budget: 50_000_000,
    rules: [
      { name: 'Certification', on: 'certification.earned', award: { points: 500 }, cap: { times: 2, per: 'month' } },
      { name: 'Training', on: 'training.completed', award: { points: 50 }, cap: { points: 120, per: 'month' } },
      { name: 'Deal registered', on: 'deal.registered', award: { pointsPer: { fact: 'event.properties.dealValue', every: 100_000, points: 10, round: 'down' } } },
    ],
  });
  const customer = await s.programs.create(ctx, {
    name: PROGRAMS.customer,
    audience: { kinds: ['customer'] },
    budget: customerBudget(events),
    // a cap on the whole program, per recipient: the account managers reach it first
    cap: { points: 2_500, per: 'month' },
    rules: [
      {
        name: 'Revenue at good margin',
        on: 'sale.closed',
        if: { all: [{ fact: 'event.properties.margin', op: 'gte', value: 0.2 }] },
        award: { pointsPer: { fact: 'event.properties.revenue', every: 1_000, round: 'down' } },
        recipient: ['person', { accountTeam: { roles: ['account_manager'], split: 'equal' } }],
      },
    ],
  });
  const employee = await s.programs.create(ctx, {
    name: PROGRAMS.employee,
    audience: { kinds: ['employee'] },
    budget: 50_000_000,
    rules: [
      { name: 'Ticket resolved', on: 'ticket.resolved', award: { points: 10, multipliers: [{ if: { fact: 'event.properties.priority', op: 'eq', value: 'urgent' }, factor: 3 }] }, cap: { times: 30, per: 'month' } },
      { name: 'Referral', on: 'referral.made', award: { points: 200 }, recipient: ['person', 'manager'] },
      { name: 'Training', on: 'training.completed', award: { points: 25 }, cap: { times: 4, per: 'month' } },
    ],
  });
  for (const p of [partner, customer, employee]) await s.programs.activate(ctx, p.id);
  return ws.id;
}

export interface CrashEvent {
  id: string;
  source: string;
  type: string;
  occurredAt: string;
  personExternalId: string;
  properties: Record<string, unknown>;
  reverses?: string;
}

/**
 * `count` events in a fixed order. About 2% repeat an earlier event (same source and id, in a
 * later batch or the same one), 0.5% reverse an event of an earlier batch, and about one in a
 * thousand names a person who does not exist (rejected) and is resent corrected one to three
 * batches later. Times fall in as many months as keep the caps busy: about 2,000 events a month.
 * Reversals never name an event of their own batch: ingestion looks the target up in the
 * database only, so today such a reversal is accepted and cancels nothing.
 */
export function crashEvents(count: number, seed: number): CrashEvent[] {
  const r = rng(seed);
  const months = Math.min(12, Math.max(1, Math.ceil(count / 2000)));
  const start = Date.UTC(2025, 0, 1);
  const span = Date.UTC(2025, months, 1) - start;
  const at = () => new Date(start + Math.floor(r.next() * span)).toISOString();
  const counters: Record<string, number> = {};
  // Each source numbers its own events, so the same id appears in several sources: (source, id) is the key.
  const nextId = (source: string) => String((counters[source] = (counters[source] ?? 0) + 1));
  const out: CrashEvent[] = [];
  const valid: number[] = []; // positions of events that will be accepted (not ghosts)
  const ghosts: { at: number; e: CrashEvent }[] = [];
  const batchOf = (i: number) => Math.floor(i / CRASH.batchSize);
  const fresh = (): CrashEvent => {
    const x = r.next();
    if (x < 0.34) return { id: nextId('helpdesk'), source: 'helpdesk', type: 'ticket.resolved', occurredAt: at(), personExternalId: r.pick(SUPPORT), properties: { ticketId: `TCK-${r.int(10_000, 99_999)}`, priority: r.pick(['low', 'normal', 'normal', 'high', 'urgent']) } };
    if (x < 0.66) return { id: nextId('crm'), source: 'crm', type: 'sale.closed', occurredAt: at(), personExternalId: r.pick(CUSTOMERS), properties: { revenue: r.int(20, 2_000) * 100, margin: r.int(0, 45) / 100, sku: r.pick(['SKU-100', 'SKU-200']) } };
    if (x < 0.76) return { id: nextId('lms'), source: 'lms', type: 'training.completed', occurredAt: at(), personExternalId: r.next() < 0.5 ? r.pick(PARTNERS) : r.pick(EMPLOYEES), properties: { course: r.pick(['Basics', 'Advanced', 'Security']), score: r.int(50, 100) } };
    if (x < 0.82) return { id: nextId('lms'), source: 'lms', type: 'certification.earned', occurredAt: at(), personExternalId: r.pick(PARTNERS), properties: { certification: r.pick(['Associate', 'Professional']), level: r.pick(['associate', 'professional']) } };
    if (x < 0.9) return { id: nextId('crm'), source: 'crm', type: 'deal.registered', occurredAt: at(), personExternalId: r.pick(PARTNERS), properties: { dealValue: r.int(1, 250) * 100_000, product: r.pick(['Platform', 'Analytics']) } };
    if (x < 0.94) return { id: nextId('crm'), source: 'crm', type: 'referral.made', occurredAt: at(), personExternalId: r.pick(EMPLOYEES), properties: { referredCompany: 'Nova Co', converted: r.next() < 0.5 } };
    return { id: nextId('crm'), source: 'crm', type: 'review.posted', occurredAt: at(), personExternalId: r.pick(CUSTOMERS), properties: { rating: r.int(1, 5) } };
  };
  while (out.length < count) {
    const i = out.length;
    const due = ghosts.findIndex((g) => g.at <= i);
    if (due >= 0) {
      // the corrected resend of a rejected event: same source and id, a real person
      const g = ghosts.splice(due, 1)[0]!;
      valid.push(i);
      out.push({ ...g.e, personExternalId: r.pick(CUSTOMERS) });
      continue;
    }
    const x = r.next();
    if (x < 0.02 && valid.length) {
      out.push({ ...out[r.pick(valid)]! });
      continue;
    }
    if (x < 0.025) {
      const earlier = valid.filter((v) => batchOf(v) < batchOf(i) && !out[v]!.reverses);
      if (earlier.length) {
        const target = out[r.pick(earlier)]!;
        valid.push(i);
        out.push({ ...target, id: nextId(target.source), reverses: target.id });
        continue;
      }
    }
    const e = fresh();
    if (x < 0.027 && e.type === 'sale.closed') {
      out.push({ ...e, personExternalId: `GHOST-${e.id}` });
      ghosts.push({ at: i + CRASH.batchSize * r.int(1, 3), e });
      continue;
    }
    valid.push(i);
    out.push(e);
  }
  return out;
}

export function batchesOf<T>(events: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < events.length; i += CRASH.batchSize) out.push(events.slice(i, i + CRASH.batchSize));
  return out;
}

export interface BatchSummary {
  accepted: number;
  duplicate: number;
  rejected: number;
}

/** What ingestion must answer for each batch of a clean run, computed from the list alone. */
export function expectedSummaries(events: CrashEvent[]): BatchSummary[] {
  const seen = new Set<string>();
  return batchesOf(events).map((batch) => {
    const s = { accepted: 0, duplicate: 0, rejected: 0 };
    for (const e of batch) {
      if (e.personExternalId.startsWith('GHOST-')) s.rejected++;
      else if (seen.has(`${e.source}:${e.id}`)) s.duplicate++;
      else {
        seen.add(`${e.source}:${e.id}`);
        s.accepted++;
      }
    }
    return s;
  });
}

/**
 * The ledger of a workspace in names that mean the same in any database: wallets by the
 * person's external id, budgets by the program's name.
 */
export async function ledgerSnapshot(db: AnyDb, ws: string) {
  const people = new Map((await db.selectFrom('people').select(['id', 'external_id']).where('workspace_id', '=', ws).execute()).map((p) => [p.id as string, p.external_id as string]));
  const programs = new Map((await db.selectFrom('programs').select(['id', 'name']).where('workspace_id', '=', ws).execute()).map((p) => [p.id as string, p.name as string]));
  const name = (account: string) => {
    const [kind, owner] = [account.slice(0, account.indexOf(':')), account.slice(account.indexOf(':') + 1)];
    if (kind === 'wallet') return `wallet:${people.get(owner) ?? owner}`;
    if (kind === 'budget') return `budget:${programs.get(owner) ?? owner}`;
    return account;
  };
  const balances: Record<string, number> = {};
  for (const b of await db.selectFrom('balances').select(['account', 'balance']).where('workspace_id', '=', ws).orderBy('account').execute()) balances[name(b.account as string)] = Number(b.balance);
  // Every transfer, named by the event that caused it (source and id): the same multiset in both
  // runs. Funding transfers carry the time of setup, which differs, so it is left out of them.
  const transfers = (
    await db
      .selectFrom('transfers as t')
      .leftJoin('events as e', (j) => j.onRef('e.workspace_id', '=', 't.workspace_id').onRef('e.id', '=', 't.event_id'))
      .select(['t.debit_account', 't.credit_account', 't.amount', 't.cause', 't.rule_id', 't.occurred_at', 'e.source', 'e.external_id'])
      .where('t.workspace_id', '=', ws)
      .execute()
  )
    .map((t) => `${t.source ?? '-'}:${t.external_id ?? '-'} ${t.cause} ${t.rule_id ?? '-'} ${name(t.debit_account as string)} → ${name(t.credit_account as string)} ${Number(t.amount)} @${t.source ? Number(t.occurred_at) : '-'}`)
    .sort();
  const events = await db.selectFrom('events').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).where('workspace_id', '=', ws).groupBy('status').orderBy('status').execute();
  const outcomes = await db
    .selectFrom('award_outcomes')
    .select(['outcome', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.sum<number>('points_paid').as('paid')])
    .where('workspace_id', '=', ws)
    .groupBy('outcome')
    .orderBy('outcome')
    .execute();
  return {
    balances,
    transfers,
    events: Object.fromEntries(events.map((e) => [e.status as string, Number(e.n)])),
    outcomes: Object.fromEntries(outcomes.map((o) => [o.outcome as string, { count: Number(o.n), paid: Number(o.paid) }])),
  };
}
export type LedgerSnapshot = Awaited<ReturnType<typeof ledgerSnapshot>>;

/** Events stored in the workspace. */
export async function storedEvents(db: AnyDb, ws: string) {
  const r = await db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).where('workspace_id', '=', ws).executeTakeFirstOrThrow();
  return Number(r.n);
}
