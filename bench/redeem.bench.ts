// Redeem: redemptions per second on SQLite through Tandem's real redemption path, against raw
// better-sqlite3 doing the same writes, in the same run.
//
// redeem  `services.redemptions.redeem` as a participant redeems for themself (the service the
//         POST /api/v1/redemptions route calls): reward and variants read, the audience judged
//         by the programs' rule, then one transaction that locks the wallet, checks the
//         per-person limit, takes stock, posts the ledger transfer (balances of both accounts),
//         inserts the order and its first timeline step and records the audit entry; the order
//         is read back as the route answers it. Against raw better-sqlite3 in one transaction per
//         redemption: read the wallet's balance, take stock (UPDATE … WHERE stock >= n), insert
//         the same ledger transfer row, update both balances, insert the order row, with the
//         same schema (copied from Tandem's file: same tables, same indexes), in a file opened
//         as Tandem opens its own. Goal: ratio ≥ 0.40.
//
// The workspace is realistic: 3,000 participants (employees in a tree of 21 teams, customer
// contacts and partner reps of 80 accounts with tiers) holding 100,000 points each from a bulk
// award, and a catalog of six rewards with mixed audiences (everyone, employees, a team
// subtree, account tiers), stock counted, unlimited and per variant, shipping, and per-person
// limits per month, per year and ever. Both sides serve the same list of requests in the same
// order, so their stock and wallets must end equal, and both are checked.
//
// Information only: a second raw peer that also writes the order's first timeline step and the
// audit entry (every row Tandem writes), run after each round, to show what the extra rows cost.
//
// Subject and peer alternate round by round (the side going first swaps each round) after four
// warm-up rounds each (their figure is printed as redeem_cold); medians of the per-round times are taken, since the machine is shared
// (2 cores) and only the ratio counts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { createIds } from '../src/core/ids.js';
import { openSqliteFile } from '../src/core/db/db.js';
import { makeAuthContext, systemContext, type AuthContext } from '../src/core/auth.js';
import type { TRedeem } from '../src/modules/rewards/redemptions.schema.js';
import { createTestApp } from '../test/support/app.js';
import { info, median, type Figure } from './figures.js';
import type { Benchmark } from './run.js';

const BENCH = 'redeem';
const GOAL = 0.4;
const PEOPLE = { employees: 2000, customers: 600, partners: 400 };
const POINTS_EACH = 100_000;
/**
 * Redemptions per side per round; ROUNDS counted rounds after WARMUP rounds each (at most 3,000
 * requests in all: each participant then redeems once, within every per-person limit).
 */
const ROUND = 200;
const ROUNDS = 10;
const WARMUP = 4;
const ADDRESS = { name: 'Ada Lovelace', line1: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' };

type BenchApp = Awaited<ReturnType<typeof createTestApp>>;
interface Person {
  id: string;
  kind: 'employee' | 'customer' | 'partner';
  /** an engineering team (the team-subtree reward's audience) */
  engineering: boolean;
  /** a gold or silver account (the tier reward's audience) */
  topTier: boolean;
}
interface CatalogReward {
  id: string;
  cost: number;
  ships: boolean;
  variants: string[];
  /** who may redeem it, as the audience says */
  offeredTo(p: Person): boolean;
}
interface Request {
  person: Person;
  ctx: AuthContext;
  reward: CatalogReward;
  input: TRedeem;
}

// ---------------------------------------------------------------- the workspace
/** Teams: Company → 4 divisions → 4 teams each; division D0 is engineering. */
function teamRows() {
  const rows: { externalId: string; name: string; parentExternalId: string | null }[] = [{ externalId: 'T', name: 'Company', parentExternalId: null }];
  for (let d = 0; d < 4; d++) {
    rows.push({ externalId: `D${d}`, name: d === 0 ? 'Engineering' : `Division ${d}`, parentExternalId: 'T' });
    for (let t = 0; t < 4; t++) rows.push({ externalId: `D${d}T${t}`, name: `Team ${d}.${t}`, parentExternalId: `D${d}` });
  }
  return rows;
}

const TIERS = ['gold', 'silver', 'bronze', 'bronze'];

async function seedPeople(t: BenchApp, ctx: AuthContext) {
  const s = t.services;
  await s.people.batch(ctx, 'teams', teamRows());
  const accounts = [
    ...Array.from({ length: 60 }, (_, i) => ({ externalId: `C${i}`, kind: 'customer', name: `Customer ${i}`, tier: TIERS[i % 4]! })),
    ...Array.from({ length: 20 }, (_, i) => ({ externalId: `P${i}`, kind: 'partner', name: `Partner ${i}`, tier: TIERS[i % 4]! })),
  ];
  await s.people.batch(ctx, 'accounts', accounts);
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < PEOPLE.employees; i++) rows.push({ externalId: `E${i}`, kind: 'employee', name: `Employee ${i}`, teamExternalId: `D${i % 4}T${(i >> 2) % 4}` });
  for (let i = 0; i < PEOPLE.customers; i++) rows.push({ externalId: `CU${i}`, kind: 'customer', name: `Contact ${i}`, accountExternalId: `C${i % 60}` });
  for (let i = 0; i < PEOPLE.partners; i++) rows.push({ externalId: `PR${i}`, kind: 'partner', name: `Rep ${i}`, accountExternalId: `P${i % 20}` });
  const people: Person[] = [];
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    const out = await s.people.batch(ctx, 'people', chunk);
    assert.equal(out.summary.created, chunk.length, JSON.stringify(out.results.find((r) => r.errors?.length)));
    for (const [j, r] of out.results.entries()) {
      const row = chunk[j]!;
      const kind = row.kind as Person['kind'];
      const n = Number(String(row.externalId).replace(/\D/g, ''));
      people.push({ id: r.id!, kind, engineering: kind === 'employee' && n % 4 === 0, topTier: kind !== 'employee' && TIERS[(n % (kind === 'customer' ? 60 : 20)) % 4] !== 'bronze' });
    }
  }
  return people;
}

/** Everyone gets POINTS_EACH from a program's bulk award (one transfer into each wallet). */
async function fundWallets(t: BenchApp, ctx: AuthContext, people: Person[]) {
  const s = t.services;
  const prg = await s.programs.create(ctx, { name: 'Welcome', audience: {}, budget: 1e10, rules: [{ name: 'Any', on: 'training.completed', award: { points: 1 } }] });
  await s.programs.activate(ctx, prg.id);
  await s.programs.bulkAward(ctx, prg.id, { reason: 'welcome points', awards: people.map((p) => ({ personId: p.id, points: POINTS_EACH })) });
}

async function seedCatalog(t: BenchApp, ctx: AuthContext, engineeringTeam: string): Promise<CatalogReward[]> {
  const s = t.services.rewards;
  const make = async (body: Parameters<typeof s.create>[1], offeredTo: CatalogReward['offeredTo']): Promise<CatalogReward> => {
    const r = await s.create(ctx, body);
    return { id: r.id, cost: r.cost, ships: r.ships, variants: r.variants.map((v) => v.id), offeredTo };
  };
  const everyone = () => true;
  return [
    await make({ title: 'Charity donation', kind: 'donation', cost: 200, stock: null, audience: {}, provider: 'manual' }, everyone),
    await make({ title: 'Branded mug', kind: 'merchandise', cost: 800, stock: 1_000_000, ships: true, audience: {}, provider: 'manual' }, everyone),
    await make(
      { title: 'Team hoodie', kind: 'merchandise', cost: 2500, ships: true, audience: { kinds: ['employee'] }, provider: 'manual', variants: ['S', 'M', 'L', 'XL'].map((size) => ({ name: size, options: { size }, stock: 250_000 })) },
      (p) => p.kind === 'employee',
    ),
    await make({ title: 'Extra day off', kind: 'custom_perk', cost: 5000, stock: null, limit: { count: 3, per: 'month' }, audience: { kinds: ['employee'] }, provider: 'manual' }, (p) => p.kind === 'employee'),
    await make({ title: 'Engineering offsite seat', kind: 'experience', cost: 1500, stock: 500_000, limit: { count: 5, per: 'ever' }, audience: { teams: [engineeringTeam] }, provider: 'manual' }, (p) => p.engineering),
    await make(
      { title: 'Partner summit pass', kind: 'experience', cost: 3000, stock: 500_000, limit: { count: 2, per: 'year' }, audience: { kinds: ['customer', 'partner'], accountTiers: ['gold', 'silver'] }, provider: 'manual' },
      (p) => p.topTier,
    ),
  ];
}

/**
 * The requests, in order: people taken in a stride through the list (each at most once per
 * 3,000 requests, so no limit is reached), each redeeming one of the rewards offered to them.
 */
function requestsFor(ws: string, people: Person[], catalog: CatalogReward[], count: number): Request[] {
  const out: Request[] = [];
  for (let i = 0; i < count; i++) {
    const person = people[(i * 7919) % people.length]!;
    const offered = catalog.filter((r) => r.offeredTo(person));
    const reward = offered[i % offered.length]!;
    const input: TRedeem = { rewardId: reward.id, quantity: 1 + (i % 5 === 0 ? 1 : 0) };
    if (reward.variants.length) input.variantId = reward.variants[i % reward.variants.length];
    if (reward.ships) input.shipping = ADDRESS;
    const ctx = makeAuthContext({ workspaceId: ws, role: 'participant', actor: { type: 'key', id: `key_bench${i % 97}` }, userId: null, personId: person.id, sessionId: null });
    out.push({ person, ctx, reward, input });
  }
  return out;
}

// ---------------------------------------------------------------- the peer
const PEER_TABLES = ['balances', 'transfers', 'rewards', 'reward_variants', 'redemptions', 'redemption_events', 'audit_log'];

/**
 * Raw better-sqlite3 on its own file, opened as Tandem opens its file, with Tandem's own tables
 * and indexes (their DDL read from Tandem's file) and the same wallets, rewards and variants.
 */
function openPeer(tandemFile: string, ws: string, opts: { everyRow: boolean }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-redeem-raw-'));
  const { sqlite: raw, close } = openSqliteFile(path.join(dir, 'raw.db'));
  const src = new SQLite(tandemFile, { readonly: true });
  const ddl = src.prepare(`select sql from sqlite_master where tbl_name in (${PEER_TABLES.map(() => '?').join(',')}) and sql is not null order by type desc`).all(...PEER_TABLES) as { sql: string }[];
  for (const d of ddl) raw.exec(d.sql);
  const copy = (table: string, where: string) => {
    const rows = src.prepare(`select * from ${table} where workspace_id = ? ${where}`).all(ws) as Record<string, unknown>[];
    if (!rows.length) return;
    const cols = Object.keys(rows[0]!);
    const ins = raw.prepare(`insert into ${table} (${cols.join(',')}) values (${cols.map((c) => `@${c}`).join(',')})`);
    raw.transaction(() => rows.forEach((r) => ins.run(r)))();
  };
  copy('balances', "and account like 'wallet:%'");
  copy('rewards', '');
  copy('reward_variants', '');
  src.close();

  const ids = createIds();
  const balance = raw.prepare('select balance from balances where workspace_id = ? and account = ?').pluck();
  const takeStock = (table: string) => raw.prepare(`update ${table} set stock = stock - ? where workspace_id = ? and id = ? and (stock is null or stock >= ?)`);
  const take = { rewards: takeStock('rewards'), reward_variants: takeStock('reward_variants') };
  const insTransfer = raw.prepare(
    'insert into transfers (workspace_id, id, debit_account, credit_account, amount, cause, event_id, program_id, program_version, rule_id, goal_id, reverses_id, actor_id, reason, occurred_at, created_at) values (?, ?, ?, ?, ?, ?, null, null, null, null, null, null, ?, ?, ?, ?)',
  );
  const debit = raw.prepare('update balances set balance = balance - ?, updated_at = ? where workspace_id = ? and account = ?');
  const credit = raw.prepare('insert into balances (workspace_id, account, balance, updated_at) values (?, ?, ?, ?) on conflict (workspace_id, account) do update set balance = balance + excluded.balance, updated_at = excluded.updated_at');
  const insOrder = raw.prepare(
    'insert into redemptions (workspace_id, id, person_id, reward_id, variant_id, quantity, points, status, shipping, transfer_id, refund_transfer_id, provider, promised_by, placed_by, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, ?, ?, ?, ?, ?)',
  );
  const insStep = raw.prepare('insert into redemption_events (workspace_id, redemption_id, seq, status, actor, note, at) values (?, ?, 1, ?, ?, null, ?)');
  const insAudit = raw.prepare('insert into audit_log (workspace_id, id, actor_type, actor_id, action, target_type, target_id, before, after, created_at) values (?, ?, ?, ?, ?, ?, ?, null, ?, ?)');
  const redeem = raw.transaction((r: Request) => {
    const now = Date.now();
    const wallet = `wallet:${r.person.id}`;
    const quantity = r.input.quantity;
    const points = r.reward.cost * quantity;
    if ((balance.get(ws, wallet) as number) < points) throw new Error('insufficient points');
    const [table, id] = r.input.variantId ? (['reward_variants', r.input.variantId] as const) : (['rewards', r.reward.id] as const);
    if (!take[table].run(quantity, ws, id, quantity).changes) throw new Error('out of stock');
    const orderId = ids.next('red');
    const transferId = ids.next('trf');
    insTransfer.run(ws, transferId, wallet, 'system:redemptions', points, 'redemption', r.ctx.actor.id, `redeemed ${quantity} × ${r.reward.id} (${orderId})`, now, now);
    debit.run(points, now, ws, wallet);
    credit.run(ws, 'system:redemptions', points, now);
    insOrder.run(ws, orderId, r.person.id, r.reward.id, r.input.variantId ?? null, quantity, points, 'placed', r.input.shipping ? JSON.stringify(r.input.shipping) : null, transferId, 'manual', now + 14_400 * 60_000, `key:${r.ctx.actor.id}`, now, now);
    if (!opts.everyRow) return;
    // The information-only peer: also the rows Tandem adds (the order's first step, the audit entry).
    insStep.run(ws, orderId, 'placed', `key:${r.ctx.actor.id}`, now);
    insAudit.run(ws, ids.next('aud'), 'key', r.ctx.actor.id, 'redemption.created', 'redemption', orderId, JSON.stringify({ personId: r.person.id, rewardId: r.reward.id, variantId: r.input.variantId ?? null, quantity, points }), now);
  });
  return {
    redeem,
    stockOf: (table: 'rewards' | 'reward_variants', id: string) => raw.prepare(`select stock from ${table} where workspace_id = ? and id = ?`).pluck().get(ws, id) as number | null,
    walletTotal: () => raw.prepare("select sum(balance) from balances where workspace_id = ? and account like 'wallet:%'").pluck().get(ws) as number,
    orders: () => raw.prepare('select count(*) from redemptions').pluck().get() as number,
    async close() {
      await close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------- the figure
async function redeemFigure(): Promise<Figure> {
  const t = await createTestApp('sqlite');
  const s = t.services;
  const wsRow = await t.workspace('Redeem Bench');
  const ws = wsRow.id;
  const admin = systemContext(ws);
  const people = await seedPeople(t, admin);
  await fundWallets(t, admin, people);
  const engineering = (await s.people.teamIdsByExternalId(ws, ['D0'])).get('D0')!;
  const catalog = await seedCatalog(t, admin, engineering);
  const requests = requestsFor(ws, people, catalog, ROUND * (WARMUP + ROUNDS));
  const peer = openPeer(t.db.file!, ws, { everyRow: false });
  const peerAll = openPeer(t.db.file!, ws, { everyRow: true });
  info(BENCH, 'setup', { participants: people.length, points_each: POINTS_EACH, rewards: catalog.length, rounds: ROUNDS, warmup_rounds: WARMUP, redemptions_per_round: ROUND });
  info(BENCH, 'tandem', { does: 'redemptions.redeem: reward+variants read, audience judged, one transaction (wallet lock, limit check, stock take, ledger post with balances, order + timeline, audit), order read back' });
  info(BENCH, 'peer', { does: 'raw better-sqlite3, one transaction: balance read, stock UPDATE … WHERE stock >= n, transfer row, two balance updates, order row; same schema' });

  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const tandemTimes: number[] = [];
  const peerTimes: number[] = [];
  const tandemCpu: number[] = [];
  const peerCpu: number[] = [];
  const runTandem = async (list: Request[]) => {
    const c0 = cpuMs();
    const t0 = process.hrtime.bigint();
    for (const r of list) {
      const o = await s.redemptions.redeem(r.ctx, r.input);
      if (o.points !== r.reward.cost * r.input.quantity) throw new Error(`order ${o.id} cost ${o.points}`);
    }
    return { ms: Number(process.hrtime.bigint() - t0) / 1e6 / list.length, cpu: (cpuMs() - c0) / list.length };
  };
  const allTimes: number[] = [];
  const coldTandem: number[] = [];
  const coldPeer: number[] = [];
  const runPeer = (list: Request[], side = peer) => {
    const c0 = cpuMs();
    const t0 = process.hrtime.bigint();
    for (const r of list) side.redeem(r);
    return { ms: Number(process.hrtime.bigint() - t0) / 1e6 / list.length, cpu: (cpuMs() - c0) / list.length };
  };
  try {
    for (let round = 0; round < WARMUP + ROUNDS; round++) {
      const list = requests.slice(round * ROUND, (round + 1) * ROUND);
      const [a, b] = round % 2 ? [runPeer(list), await runTandem(list)] : [await runTandem(list), runPeer(list)];
      const [tan, raw] = round % 2 ? [b, a] : [a, b];
      const all = runPeer(list, peerAll);
      // The first rounds warm both sides up (compiled code, statement caches, V8's heap) and are
      // not counted: a server redeems for days. Their figure is printed apart (cold).
      if (round < WARMUP) {
        coldTandem.push(tan.ms);
        coldPeer.push(raw.ms);
        continue;
      }
      allTimes.push(all.ms);
      tandemTimes.push(tan.ms);
      tandemCpu.push(tan.cpu);
      peerTimes.push(raw.ms);
      peerCpu.push(raw.cpu);
    }

    // The same requests on both sides: the same orders, stock and wallet totals.
    const n = requests.length;
    assert.equal(peer.orders(), n, 'the peer stored one order per request');
    const stored = await s.db.selectFrom('redemptions').select((eb) => eb.fn.countAll<number>().as('n')).where('workspace_id', '=', ws).executeTakeFirstOrThrow();
    assert.equal(Number(stored.n), n, 'one order per request');
    for (const r of catalog) {
      const tandemStock = (await s.rewards.get(admin, r.id)).stock;
      const peerStock = r.variants.length ? r.variants.reduce((sum, v) => sum + peer.stockOf('reward_variants', v)!, 0) : peer.stockOf('rewards', r.id);
      assert.equal(tandemStock, peerStock, `stock of ${r.id}`);
    }
    const wallets = await s.ledger.walletBalances(ws, people.map((p) => p.id));
    assert.equal([...wallets.values()].reduce((a, b) => a + b, 0), peer.walletTotal(), 'the same points left in the wallets');
    assert.deepEqual((await s.ledger.verify(ws)).problems, []);
    assert.equal(peerAll.orders(), n);
  } finally {
    await peerAll.close();
    await peer.close();
    await t.close();
  }
  const tm = median(tandemTimes);
  const pm = median(peerTimes);
  info(BENCH, 'rounds', { tandem_ms: tandemTimes.map((x) => x.toFixed(3)).join('/'), peer_ms: peerTimes.map((x) => x.toFixed(3)).join('/') });
  info(BENCH, 'redeem', {
    tandem_redemptions_per_s: 1000 / tm,
    raw_redemptions_per_s: 1000 / pm,
    tandem_ms_each: tm,
    raw_ms_each: pm,
    tandem_cpu_ms_each: median(tandemCpu),
    raw_cpu_ms_each: median(peerCpu),
    cpu_ratio: (median(peerCpu) / median(tandemCpu)).toFixed(3),
  });
  info(BENCH, 'redeem_cold', { rounds: WARMUP, tandem_ms_each: median(coldTandem), raw_ms_each: median(coldPeer), ratio: (median(coldPeer) / median(coldTandem)).toFixed(3) });
  // Information: a raw peer writing every row Tandem writes, to tell the cost of the rows from the cost of the code.
  info(BENCH, 'raw_every_row', { raw_redemptions_per_s: 1000 / median(allTimes), raw_ms_each: median(allTimes), ratio: (median(allTimes) / tm).toFixed(3) });
  return { bench: BENCH, figure: 'redeem', ratio: pm / tm, goal: GOAL };
}

export const redeemBenchmark: Benchmark = {
  figures: ['redeem'],
  async run() {
    return [await redeemFigure()];
  },
};
