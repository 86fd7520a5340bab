// Engine: the incentive pipeline against its peers, in the same run.
//
// rules   the same 20 rules over the same 100,000 events: Tandem's compiled rules against
//         json-rules-engine (each awarding the same points; totals are checked equal).
//         Goal: Tandem ≥ 100× its throughput.
// ingest  batch ingestion on SQLite, batches of 1,000 events each matching two rules, through
//         the events service (store, evaluate, post transfers, balances, outcomes), against raw
//         better-sqlite3 writing the same rows (events, transfers, balance updates) into Tandem's
//         own tables (a fresh file migrated by Tandem, with its indexes) in one transaction per
//         batch. Goal: ratio ≥ 0.50. The earlier peer (minimal tables of its own: keys only) runs
//         beside them and gives an information-only ratio_vs_minimal_tables.
// wallet  a wallet balance read through the ledger service against a raw primary-key lookup
//         with a prepared statement on the same file. Goal: at most 2× its time (ratio ≥ 0.50).
// http    single-event ingestion over HTTP: POST /api/v1/events with one event (a new id each
//         request, autocannon's [<id>] replacement), an integration key, a program with two rules
//         matching it, 10 connections; against a bare Fastify route (no auth, no Zod) doing one
//         prepared SQLite insert of the event row into Tandem's events table (a migrated file, the
//         same pragmas). The earlier peer (a minimal events table) gives an information line.
//         Goal: ratio ≥ 0.60. p99 at 10 connections (target ≤ 10 ms) and at 100: information.
// pg-ingest  the ingest figure on PostgreSQL (TEST_DATABASE_URL or DATABASE_URL), against raw
//         `pg` writing the same rows with unnest arrays, one transaction per batch, into Tandem's
//         tables of a fresh database migrated by Tandem (the minimal-table peer: an info line).
//         Goal: ratio ≥ 0.50. Skipped (an info line, no BENCH line) without PostgreSQL.
//
// Subject and peer alternate (batch by batch, or short autocannon runs with the first side
// swapping each round) and medians are taken: the machine is shared (2 cores), only ratios count.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import SQLite from 'better-sqlite3';
import Fastify from 'fastify';
import { Engine } from 'json-rules-engine';
import pg from 'pg';
import { createIds } from '../src/core/ids.js';
import { openDatabase, openSqliteFile } from '../src/core/db/db.js';
import { migrate } from '../src/app.js';
import { compileRules, type Facts, type TRule } from '../src/modules/engine/index.js';
import { BUILTIN_EVENT_TYPES } from '../src/modules/engine/engine.vocabulary.js';
import { ZRule } from '../src/modules/engine/engine.rules.js';
import { systemContext } from '../src/core/auth.js';
import { createTestApp, freshDatabase } from '../test/support/app.js';
import { info, median, type Figure } from './figures.js';
import type { Benchmark } from './run.js';

const BENCH = 'engine';
const GOALS = { rules: 100, ingest: 0.5, wallet: 0.5, http: 0.6, 'pg-ingest': 0.5 } as const;
const SKUS = ['A', 'B', 'C', 'D', 'E'];

// ---------------------------------------------------------------- rules
/** 20 rules over sale.closed, training.completed and certification.earned, with conditions of every kind. */
function twentyRules(): TRule[] {
  const rules: TRule[] = [];
  for (let i = 0; i < 8; i++) {
    rules.push(ZRule.parse({ name: `sale ${i}`, on: 'sale.closed', if: { all: [{ fact: 'event.properties.margin', op: 'gte', value: 0.05 * i }, { fact: 'event.properties.sku', op: 'in', value: SKUS.slice(0, (i % 5) + 1) }, { fact: 'event.properties.quantity', op: 'lt', value: 50 + i }] }, award: { points: 10 + i } }));
  }
  for (let i = 0; i < 6; i++) {
    rules.push(ZRule.parse({ name: `training ${i}`, on: 'training.completed', if: { any: [{ fact: 'event.properties.score', op: 'gt', value: 60 + i * 5 }, { fact: 'event.properties.course', op: 'startsWith', value: `C${i}` }] }, award: { points: 5 + i } }));
  }
  for (let i = 0; i < 6; i++) {
    rules.push(ZRule.parse({ name: `cert ${i}`, on: 'certification.earned', if: { all: [{ fact: 'event.properties.level', op: 'eq', value: ['associate', 'professional', 'expert'][i % 3] }, { not: { fact: 'person.kind', op: 'eq', value: 'customer' } }] }, award: { points: 100 + i } }));
  }
  return rules;
}

/** The same rules for json-rules-engine: facts flattened, operators by their names there. */
function jreRules(rules: TRule[]) {
  const OPS: Record<string, string> = { eq: 'equal', ne: 'notEqual', gt: 'greaterThan', gte: 'greaterThanInclusive', lt: 'lessThan', lte: 'lessThanInclusive', in: 'in', nin: 'notIn' };
  type C = { all?: C[]; any?: C[]; not?: C; fact?: string; op?: string; value?: unknown };
  const conv = (c: C): Record<string, unknown> => {
    if (c.all) return { all: c.all.map(conv) };
    if (c.any) return { any: c.any.map(conv) };
    if (c.not) return { not: conv(c.not) };
    const fact = c.fact!.replace('event.properties.', '').replace('person.kind', 'personKind');
    if (c.op === 'startsWith') return { fact, operator: 'startsWith', value: c.value };
    return { fact, operator: OPS[c.op!]!, value: c.value };
  };
  return rules.map((r) => ({ conditions: { all: [{ fact: 'type', operator: 'equal', value: r.on }, r.if ? conv(r.if as C) : { fact: 'type', operator: 'notEqual', value: '' }] }, event: { type: 'award', params: { points: r.award.points } } }));
}

function eventsFor(n: number) {
  const out: { type: string; properties: Record<string, unknown>; kind: string }[] = [];
  for (let i = 0; i < n; i++) {
    const k = i % 3;
    if (k === 0) out.push({ type: 'sale.closed', kind: 'customer', properties: { revenue: 1000 + i, margin: (i % 40) / 100, sku: SKUS[i % 5], quantity: i % 70 } });
    else if (k === 1) out.push({ type: 'training.completed', kind: 'partner', properties: { course: `C${i % 9}-intro`, score: i % 100 } });
    else out.push({ type: 'certification.earned', kind: i % 2 ? 'partner' : 'customer', properties: { certification: 'X', level: ['associate', 'professional', 'expert'][i % 3] } });
  }
  return out;
}

async function rulesFigure(): Promise<Figure> {
  const rules = twentyRules();
  const vocab = new Map(BUILTIN_EVENT_TYPES.map((t) => [t.name, t.schema]));
  const { compiled, errors } = compileRules(rules, vocab);
  assert.deepEqual(errors, []);
  const events = eventsFor(100_000);
  const tandem = () => {
    let total = 0;
    for (const e of events) {
      const list = compiled.byType.get(e.type);
      if (!list) continue;
      const f: Facts = { type: e.type, properties: e.properties, occurredAt: 0, person: { id: 'p', kind: e.kind, attributes: {}, teamId: null, teamPath: [] }, account: null, timezone: 'UTC' };
      for (const r of list) if (r.matches(f)) total += r.points(f);
    }
    return total;
  };
  const engine = new Engine(jreRules(rules) as never, { allowUndefinedFacts: true });
  engine.addOperator('startsWith', (a: unknown, b: unknown) => typeof a === 'string' && a.startsWith(String(b)));
  const jre = async (count: number) => {
    let total = 0;
    for (let i = 0; i < count; i++) {
      const e = events[i]!;
      const { events: fired } = await engine.run({ type: e.type, personKind: e.kind, ...e.properties });
      for (const f of fired) total += (f.params as { points: number }).points;
    }
    return total;
  };
  // json-rules-engine is slow: it runs on a tenth of the events, and totals are compared on those.
  const sample = 10_000;
  const tandemTimes: number[] = [];
  const peerTimes: number[] = [];
  let tandemTotal = 0;
  for (let round = 0; round < 3; round++) {
    let t0 = process.hrtime.bigint();
    tandemTotal = tandem();
    tandemTimes.push(Number(process.hrtime.bigint() - t0) / 1e6 / events.length);
    t0 = process.hrtime.bigint();
    const peerTotal = await jre(sample);
    peerTimes.push(Number(process.hrtime.bigint() - t0) / 1e6 / sample);
    if (round === 0) {
      // The same answers: Tandem's total over the sample equals json-rules-engine's.
      let check = 0;
      for (let i = 0; i < sample; i++) {
        const e = events[i]!;
        const f: Facts = { type: e.type, properties: e.properties, occurredAt: 0, person: { id: 'p', kind: e.kind, attributes: {}, teamId: null, teamPath: [] }, account: null, timezone: 'UTC' };
        for (const r of compiled.byType.get(e.type) ?? []) if (r.matches(f)) check += r.points(f);
      }
      assert.equal(check, peerTotal, 'both engines award the same points');
    }
  }
  const t = median(tandemTimes);
  const p = median(peerTimes);
  info(BENCH, 'rules', { tandem_events_per_s: 1000 / t, json_rules_engine_events_per_s: 1000 / p, tandem_total_points: tandemTotal });
  return { bench: BENCH, figure: 'rules', ratio: p / t, goal: GOALS.rules };
}

// ---------------------------------------------------------------- ingest (SQLite)
type BenchApp = Awaited<ReturnType<typeof createTestApp>>;

/** A workspace with an account, 200 partner reps P0…P199 and an active program whose two rules both match training.completed. */
async function seedProgram(t: BenchApp) {
  const ws = await t.workspace('Engine Bench');
  const ctx = systemContext(ws.id);
  const s = t.services;
  await s.people.batch(ctx, 'accounts', [{ externalId: 'ACC', kind: 'partner', name: 'Partner' }]);
  const people = Array.from({ length: 200 }, (_, i) => ({ externalId: `P${i}`, kind: 'partner', name: `Rep ${i}`, accountExternalId: 'ACC' }));
  await s.people.batch(ctx, 'people', people);
  const prg = await s.programs.create(ctx, {
    name: 'Bench',
    audience: { kinds: ['partner'] },
    budget: 1e11,
    rules: [
      { name: 'Training', on: 'training.completed', award: { points: 10 } },
      { name: 'Good score', on: 'training.completed', if: { fact: 'event.properties.score', op: 'gte', value: 0 }, award: { pointsPer: { fact: 'event.properties.score', every: 10, round: 'down' } } },
    ],
  });
  await s.programs.activate(ctx, prg.id);
  return { ws, ctx, programId: prg.id };
}

/** Ids a peer writes as Tandem does: the workspace, the program's budget, each person's id and account. */
interface PeerIds {
  ws: string;
  programId: string;
  budget: string;
  people: Map<string, { id: string; accountId: string | null }>;
}

async function peerIds(t: BenchApp, ws: string, programId: string): Promise<PeerIds> {
  const rows = (await t.services.db.selectFrom('people').select(['id', 'external_id', 'account_id']).where('workspace_id', '=', ws).execute()) as { id: string; external_id: string; account_id: string | null }[];
  return { ws, programId, budget: `budget:${programId}`, people: new Map(rows.map((r) => [r.external_id, { id: r.id, accountId: r.account_id }])) };
}

/** The two awards of a bench event, as the program's rules pay them. */
const awardsOf = (e: BenchEvent) => [
  { rule: 'training', points: 10 },
  { rule: 'good-score', points: Math.floor(e.properties.score / 10) },
];

/** A fresh file (or PostgreSQL database) migrated by Tandem's own migrator: Tandem's tables and indexes, empty. */
async function migratedDatabase(dialect: 'sqlite' | 'postgres') {
  const tdb = await freshDatabase(dialect);
  const database = dialect === 'sqlite' ? openDatabase({ dialect, file: tdb.file }) : openDatabase({ dialect, url: tdb.url, poolSize: 1 });
  await migrate(database);
  await database.close();
  return tdb;
}

const EVENT_COLUMNS = 'workspace_id, id, source, external_id, type, occurred_at, received_at, person_id, account_id, team_id, properties, reverses, status, reversed_at, reversal_reason';
const TRANSFER_COLUMNS = 'workspace_id, id, debit_account, credit_account, amount, cause, event_id, program_id, program_version, rule_id, goal_id, reverses_id, actor_id, reason, occurred_at, created_at';

/**
 * A peer row and Tandem's row of the same event (or transfer) have the same columns filled, with
 * values of the same length (ids, accounts, timestamps); balances: the same columns filled.
 */
function assertSameShape(table: string, tandem: Record<string, unknown> | undefined, peer: Record<string, unknown> | undefined, lengths: boolean) {
  assert.ok(tandem && peer, `${table}: a row on both sides`);
  assert.deepEqual(Object.keys(peer).sort(), Object.keys(tandem).sort(), `${table}: the same columns`);
  for (const k of Object.keys(tandem)) {
    assert.equal(peer[k] === null, tandem[k] === null, `${table}.${k}: filled on both sides or on neither (Tandem ${String(tandem[k])}, peer ${String(peer[k])})`);
    if (lengths && tandem[k] !== null) assert.equal(String(peer[k]).length, String(tandem[k]).length, `${table}.${k}: values of the same length (Tandem ${String(tandem[k])}, peer ${String(peer[k])})`);
  }
}

/** Tandem's rows of one event (by its external id): the event, its first transfer, the wallet's balance. */
async function tandemRowsOf(t: BenchApp, ids: PeerIds, externalId: string, personExternalId: string) {
  const db = t.services.db;
  const event = (await db.selectFrom('events').selectAll().where('workspace_id', '=', ids.ws).where('external_id', '=', externalId).executeTakeFirst());
  const transfer = (await db.selectFrom('transfers').selectAll().where('workspace_id', '=', ids.ws).where('event_id', '=', String(event?.id)).orderBy('id').executeTakeFirst());
  const balance = (await db.selectFrom('balances').selectAll().where('workspace_id', '=', ids.ws).where('account', '=', `wallet:${ids.people.get(personExternalId)!.id}`).executeTakeFirst());
  return { event, transfer, balance };
}

/** Batch `b` of `size` training.completed events, each matching both rules. */
const eventBatch = (b: number, size: number) =>
  Array.from({ length: size }, (_, i) => ({ id: `b${b}-${i}`, occurredAt: new Date(Date.UTC(2026, 9, 1 + (i % 28))).toISOString(), type: 'training.completed', personExternalId: `P${(b * size + i) % 200}`, properties: { course: 'C', score: 50 + (i % 50) } }));
type BenchEvent = ReturnType<typeof eventBatch>[number];

/**
 * The peer: raw better-sqlite3 writing the rows Tandem writes for a batch into Tandem's own tables
 * (a fresh file migrated by Tandem, opened as Tandem opens its file): each event, its two
 * transfers (budget → wallet), and the balances, each account written once per batch with the
 * batch's sum, as the ledger does.
 */
async function sqliteTablesPeer(ids: PeerIds) {
  const tdb = await migratedDatabase('sqlite');
  const { sqlite: raw, close } = openSqliteFile(tdb.file!);
  const insE = raw.prepare(`insert into events (${EVENT_COLUMNS}) values (?, ?, 'api', ?, ?, ?, ?, ?, ?, null, ?, null, 'accepted', null, null)`);
  const insT = raw.prepare(`insert into transfers (${TRANSFER_COLUMNS}) values (?, ?, ?, ?, ?, 'event', ?, ?, 1, ?, null, null, null, null, ?, ?)`);
  const upB = raw.prepare('insert into balances (workspace_id, account, balance, updated_at) values (?, ?, ?, ?) on conflict (workspace_id, account) do update set balance = balance + excluded.balance, updated_at = excluded.updated_at');
  // The program's funded budget, as Tandem holds it before the first batch.
  raw.prepare('insert into balances (workspace_id, account, balance, updated_at) values (?, ?, ?, ?)').run(ids.ws, ids.budget, 1e11, Date.now());
  const gen = createIds();
  const send = raw.transaction((events: BenchEvent[]) => {
    const now = Date.now();
    const delta = new Map<string, number>();
    for (const e of events) {
      const person = ids.people.get(e.personExternalId)!;
      const id = gen.next('evt');
      const at = Date.parse(e.occurredAt);
      insE.run(ids.ws, id, e.id, e.type, at, now, person.id, person.accountId, JSON.stringify(e.properties));
      const wallet = `wallet:${person.id}`;
      for (const a of awardsOf(e)) {
        insT.run(ids.ws, gen.next('trf'), ids.budget, wallet, a.points, id, ids.programId, a.rule, at, now);
        delta.set(ids.budget, (delta.get(ids.budget) ?? 0) - a.points);
        delta.set(wallet, (delta.get(wallet) ?? 0) + a.points);
      }
    }
    for (const [account, amount] of delta) upB.run(ids.ws, account, amount, now);
  });
  return {
    send,
    rowsOf(externalId: string, personExternalId: string) {
      const event = raw.prepare('select * from events where workspace_id = ? and external_id = ?').get(ids.ws, externalId) as Record<string, unknown> | undefined;
      const transfer = raw.prepare('select * from transfers where workspace_id = ? and event_id = ? order by id limit 1').get(ids.ws, event?.id) as Record<string, unknown> | undefined;
      const balance = raw.prepare('select * from balances where workspace_id = ? and account = ?').get(ids.ws, `wallet:${ids.people.get(personExternalId)!.id}`) as Record<string, unknown> | undefined;
      return { event, transfer, balance };
    },
    count: () => raw.prepare('select count(*) from events').pluck().get() as number,
    async close() {
      await close();
      await tdb.drop();
    },
  };
}

/** The earlier peer (information only): minimal tables of its own, keys only, no secondary indexes. */
function sqliteMinimalPeer() {
  const rawDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-raw-'));
  const { sqlite: raw, close: closeRaw } = openSqliteFile(path.join(rawDir, 'raw.db'));
  raw.exec(`create table events (workspace_id text, id text, source text, external_id text, type text, occurred_at integer, received_at integer, person_id text, account_id text, team_id text, properties text, status text, primary key (workspace_id, id), unique (workspace_id, source, external_id));
    create table transfers (workspace_id text, id text, debit_account text, credit_account text, amount integer, cause text, event_id text, program_id text, rule_id text, occurred_at integer, created_at integer, primary key (workspace_id, id));
    create table balances (workspace_id text, account text, balance integer, updated_at integer, primary key (workspace_id, account));`);
  const insE = raw.prepare('insert into events values (?,?,?,?,?,?,?,?,?,?,?,?)');
  const insT = raw.prepare('insert into transfers values (?,?,?,?,?,?,?,?,?,?,?)');
  const upB = raw.prepare('insert into balances values (?,?,?,?) on conflict (workspace_id, account) do update set balance = balance + excluded.balance, updated_at = excluded.updated_at');
  let rawSeq = 0;
  const send = raw.transaction((events: BenchEvent[]) => {
    for (const e of events) {
      const id = `evt_${++rawSeq}`;
      const at = Date.parse(e.occurredAt);
      insE.run('ws', id, 'api', e.id, e.type, at, Date.now(), e.personExternalId, null, null, JSON.stringify(e.properties), 'accepted');
      for (const pts of [10, Math.floor(e.properties.score / 10)]) {
        insT.run('ws', `trf_${++rawSeq}`, 'budget:x', `wallet:${e.personExternalId}`, pts, 'event', id, 'prg', 'r', at, Date.now());
        upB.run('ws', 'budget:x', -pts, Date.now());
        upB.run('ws', `wallet:${e.personExternalId}`, pts, Date.now());
      }
    }
  });
  return {
    send,
    async close() {
      await closeRaw();
      fs.rmSync(rawDir, { recursive: true, force: true });
    },
  };
}

async function ingestFigure(): Promise<Figure> {
  // A server ingests for days: the figure is its steady state. The first batches of a fresh
  // process run while V8 is still compiling the hot path and sizing its heap on the other core
  // (a batch then costs the process about twice the CPU of a later one), so both sides first
  // ingest WARMUP batches each, measured apart as the cold figure (information only).
  const WARMUP = 20;
  const BATCHES = 20;
  const SIZE = 1000;
  const t = await createTestApp('sqlite');
  const { ws, ctx, programId } = await seedProgram(t);
  const s = t.services;
  const batch = (b: number) => eventBatch(b, SIZE);
  const ids = await peerIds(t, ws.id, programId);
  const peer = await sqliteTablesPeer(ids);
  const minimal = sqliteMinimalPeer();

  const tandemTimes: number[] = [];
  const peerTimes: number[] = [];
  const minimalTimes: number[] = [];
  const coldTandem: number[] = [];
  const coldPeer: number[] = [];
  // CPU time of the process per batch (information only): on a loaded machine a batch's wall
  // time counts the time other processes held the cores, its CPU time does not.
  const tandemCpu: number[] = [];
  const peerCpu: number[] = [];
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const runTandem = async (events: BenchEvent[]) => {
    const c0 = cpuMs();
    const t0 = process.hrtime.bigint();
    const out = await s.events.ingest(ctx, events);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = cpuMs() - c0;
    assert.equal(out.summary.accepted, SIZE);
    assert.equal(out.results[0]!.effects.length, 2);
    return { ms, cpu };
  };
  const runPeer = (events: BenchEvent[]) => {
    const c0 = cpuMs();
    const t0 = process.hrtime.bigint();
    peer.send(events);
    return { ms: Number(process.hrtime.bigint() - t0) / 1e6, cpu: cpuMs() - c0 };
  };
  for (let b = 0; b < WARMUP + BATCHES; b++) {
    const events = batch(b);
    // The side going first swaps every batch, so neither always runs on a warmer (or busier) machine.
    let tan: { ms: number; cpu: number };
    let raw: { ms: number; cpu: number };
    if (b % 2) {
      raw = runPeer(events);
      tan = await runTandem(events);
    } else {
      tan = await runTandem(events);
      raw = runPeer(events);
    }
    const t0 = process.hrtime.bigint();
    minimal.send(events);
    const minMs = Number(process.hrtime.bigint() - t0) / 1e6;
    if (b < 10) {
      coldTandem.push(tan.ms);
      coldPeer.push(raw.ms);
    }
    if (b < WARMUP) continue;
    tandemTimes.push(tan.ms);
    tandemCpu.push(tan.cpu);
    peerTimes.push(raw.ms);
    peerCpu.push(raw.cpu);
    minimalTimes.push(minMs);
  }
  assert.deepEqual((await s.ledger.verify(ws.id)).problems, []);
  // The peer wrote rows like Tandem's: the last event of the run, its first transfer, the wallet.
  const last = batch(WARMUP + BATCHES - 1)[SIZE - 1]!;
  const mine = await tandemRowsOf(t, ids, last.id, last.personExternalId);
  const theirs = peer.rowsOf(last.id, last.personExternalId);
  assertSameShape('events', mine.event, theirs.event, true);
  assertSameShape('transfers', mine.transfer, theirs.transfer, true);
  assertSameShape('balances', mine.balance, theirs.balance, false);
  assert.equal(theirs.balance!.balance, mine.balance!.balance, 'the wallet holds the same points on both sides');
  assert.equal(peer.count(), (WARMUP + BATCHES) * SIZE);
  await peer.close();
  await minimal.close();
  await t.close();
  const tm = median(tandemTimes);
  const pm = median(peerTimes);
  const mm = median(minimalTimes);
  info(BENCH, 'ingest', { tandem_events_per_s: (SIZE * 1000) / tm, raw_events_per_s: (SIZE * 1000) / pm, tandem_ms_per_batch: tm, raw_ms_per_batch: pm, tandem_cpu_ms_per_batch: median(tandemCpu), raw_cpu_ms_per_batch: median(peerCpu), cpu_ratio: (median(peerCpu) / median(tandemCpu)).toFixed(3), minimal_tables_ms_per_batch: mm, ratio_vs_minimal_tables: (mm / tm).toFixed(3) });
  info(BENCH, 'ingest_cold', { batches: coldTandem.length, tandem_ms_per_batch: median(coldTandem), raw_ms_per_batch: median(coldPeer), ratio: (median(coldPeer) / median(coldTandem)).toFixed(3) });
  return { bench: BENCH, figure: 'ingest', ratio: pm / tm, goal: GOALS.ingest };
}

// ---------------------------------------------------------------- wallet
async function walletFigure(): Promise<Figure> {
  const t = await createTestApp('sqlite');
  const ws = await t.workspace('Wallet Bench');
  const ctx = systemContext(ws.id);
  const p = await t.services.people.create(ctx, 'people', { kind: 'employee', externalId: 'W', name: 'W' });
  await t.services.ledger.adjust(ctx, String(p.id), 100, 'bench');
  const account = `wallet:${String(p.id)}`;
  const raw = new SQLite(t.db.file, { readonly: true });
  const stmt = raw.prepare('select balance from balances where workspace_id = ? and account = ?');
  const N = 20_000;
  const tandemTimes: number[] = [];
  const peerTimes: number[] = [];
  for (let round = 0; round < 5; round++) {
    let t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) await t.services.ledger.balance(ws.id, account);
    tandemTimes.push(Number(process.hrtime.bigint() - t0) / N);
    t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) await Promise.resolve(stmt.get(ws.id, account));
    peerTimes.push(Number(process.hrtime.bigint() - t0) / N);
  }
  assert.equal(await t.services.ledger.balance(ws.id, account), (stmt.get(ws.id, account) as { balance: number }).balance);
  raw.close();
  await t.close();
  const tm = median(tandemTimes);
  const pm = median(peerTimes);
  info(BENCH, 'wallet', { tandem_ns_per_read: tm, raw_ns_per_read: pm });
  return { bench: BENCH, figure: 'wallet', ratio: pm / tm, goal: GOALS.wallet };
}

// ---------------------------------------------------------------- http (single events)
const HTTP = { connections: 10, rounds: 4, seconds: 3, warmupSeconds: 1, highConnections: 100 };
// bench/load.ts only GETs; this runs the same child-process autocannon with a POST body in which
// `[<id>]` becomes a fresh id on every request (-I), so each request is a new event.
const AUTOCANNON_CLI = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

interface PostResult {
  reqPerSec: number;
  p50: number;
  p99: number;
  /** 2xx answers: each one an event accepted (Tandem) or a row inserted (peer) */
  ok: number;
  non2xx: number;
  errors: number;
}

function loadPost(url: string, body: string, opts: { connections: number; seconds: number; headers?: Record<string, string> }): Promise<PostResult> {
  const args = [AUTOCANNON_CLI, '--json', '--no-progress', '-c', String(opts.connections), '-d', String(opts.seconds), '-m', 'POST', '-I', '-b', body, '-H', 'content-type=application/json'];
  for (const [k, v] of Object.entries(opts.headers ?? {})) args.push('-H', `${k}=${v}`);
  args.push(url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited ${code}: ${err.trim()}`));
      try {
        const r = JSON.parse(out) as { requests: { average: number }; latency: { p50: number; p99: number }; '2xx': number; non2xx: number; errors: number; timeouts: number };
        resolve({ reqPerSec: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, ok: r['2xx'], non2xx: r.non2xx, errors: r.errors + r.timeouts });
      } catch (e) {
        reject(new Error(`autocannon printed no JSON (${(e as Error).message}): ${out.slice(0, 200)} ${err.slice(0, 200)}`));
      }
    });
  });
}

/**
 * The peer: a bare Fastify route, no auth and no Zod, one prepared insert of the event row Tandem
 * stores into Tandem's events table (a file migrated by Tandem, opened as Tandem opens its file).
 * With `ids` null, the earlier peer (information only): a minimal events table of its own.
 */
async function startBareIngest(ids: PeerIds | null) {
  let file: string;
  let drop: () => Promise<void>;
  if (ids) {
    const tdb = await migratedDatabase('sqlite');
    file = tdb.file!;
    drop = () => tdb.drop();
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-bare-'));
    file = path.join(dir, 'bare.db');
    drop = async () => fs.rmSync(dir, { recursive: true, force: true });
  }
  const { sqlite: raw, close: closeRaw } = openSqliteFile(file);
  if (!ids) raw.exec(`create table events (workspace_id text not null, id text not null, source text not null, external_id text not null, type text not null, occurred_at integer not null, received_at integer not null, person_id text not null, account_id text, team_id text, properties text not null, status text not null, primary key (workspace_id, id), unique (workspace_id, source, external_id))`);
  const insert = ids
    ? raw.prepare(`insert into events (${EVENT_COLUMNS}) values (?, ?, 'api', ?, ?, ?, ?, ?, ?, null, ?, null, 'accepted', null, null)`)
    : raw.prepare("insert into events values (?, ?, 'api', ?, ?, ?, ?, ?, ?, null, ?, 'accepted')");
  const gen = createIds();
  const app = Fastify({ logger: false });
  app.post('/events', async (req, reply) => {
    const e = req.body as BenchEvent;
    const id = gen.next('evt');
    const person = ids?.people.get(e.personExternalId);
    insert.run(ids?.ws ?? 'ws', id, e.id, e.type, Date.parse(e.occurredAt), Date.now(), person?.id ?? e.personExternalId, person?.accountId ?? null, JSON.stringify(e.properties));
    return reply.code(201).send({ id: e.id, source: 'api', eventId: id, status: 'accepted', effects: [] });
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: `${url}/events`,
    rows: () => (raw.prepare('select count(*) as n from events').get() as { n: number }).n,
    row: (externalId: string) => raw.prepare('select * from events where external_id = ?').get(externalId) as Record<string, unknown> | undefined,
    async close() {
      await app.close();
      await closeRaw();
      await drop();
    },
  };
}

async function httpFigure(): Promise<Figure> {
  const t = await createTestApp('sqlite', { listen: true });
  const { ws, programId } = await seedProgram(t);
  const key = await ws.key('integration');
  const bare = await startBareIngest(await peerIds(t, ws.id, programId));
  const minimal = await startBareIngest(null);
  const counter = new SQLite(t.db.file, { readonly: true });
  const events = () => (counter.prepare('select count(*) as n from events where workspace_id = ?').get(ws.id) as { n: number }).n;
  try {
    const body = JSON.stringify({ id: 'http-[<id>]', type: 'training.completed', occurredAt: '2026-10-01T09:00:00.000Z', personExternalId: 'P7', properties: { course: 'C', score: 77 } });
    const subjectUrl = `${t.url}/api/v1/events`;
    const headers = { authorization: `Bearer ${key}` };
    // One request by hand: accepted, and both rules pay.
    const first = await fetch(subjectUrl, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: body.replace('[<id>]', 'check') });
    const firstText = await first.text();
    assert.equal(first.status, 201, firstText.slice(0, 300));
    assert.equal((JSON.parse(firstText) as { effects: unknown[] }).effects.length, 2, firstText.slice(0, 300));
    // The peer's row of the same request has the columns Tandem's has filled, values of the same length.
    const peerFirst = await fetch(bare.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body.replace('[<id>]', 'check') });
    assert.equal(peerFirst.status, 201);
    const tandemRow = (await t.services.db.selectFrom('events').selectAll().where('workspace_id', '=', ws.id).where('external_id', '=', 'http-check').executeTakeFirst());
    assertSameShape('events', tandemRow, bare.row('http-check'), true);

    let accepted = 0;
    let inserted = 1;
    const run = async (side: 'tandem' | 'peer' | 'minimal', seconds: number, connections = HTTP.connections): Promise<PostResult> => {
      const r = side === 'tandem' ? await loadPost(subjectUrl, body, { connections, seconds, headers }) : await loadPost((side === 'peer' ? bare : minimal).url, body, { connections, seconds });
      if (r.non2xx || r.errors) throw new Error(`${side}: ${r.non2xx} non-2xx answers and ${r.errors} errors`);
      if (side === 'tandem') accepted += r.ok;
      else if (side === 'peer') inserted += r.ok;
      return r;
    };
    await run('tandem', HTTP.warmupSeconds);
    await run('peer', HTTP.warmupSeconds);
    await run('minimal', HTTP.warmupSeconds);
    info(BENCH, 'http_setup', { connections: HTTP.connections, rounds: HTTP.rounds, seconds_per_run: HTTP.seconds, body_bytes: body.length });

    const subject: PostResult[] = [];
    const peer: PostResult[] = [];
    const ratios: number[] = [];
    // The earlier peer (a minimal events table): one run a round after the other two, information only.
    const minimalRuns: PostResult[] = [];
    for (let r = 1; r <= HTTP.rounds; r++) {
      const order: ('tandem' | 'peer')[] = r % 2 ? ['tandem', 'peer'] : ['peer', 'tandem'];
      const got: Partial<Record<'tandem' | 'peer', PostResult>> = {};
      for (const side of order) got[side] = await run(side, HTTP.seconds);
      subject.push(got.tandem!);
      peer.push(got.peer!);
      ratios.push(got.tandem!.reqPerSec / got.peer!.reqPerSec);
      minimalRuns.push(await run('minimal', HTTP.seconds));
      info(BENCH, 'http_round', { round: r, tandem_req_per_s: got.tandem!.reqPerSec, tandem_p99_ms: got.tandem!.p99, peer_req_per_s: got.peer!.reqPerSec, peer_p99_ms: got.peer!.p99, ratio: ratios[ratios.length - 1]!.toFixed(3) });
    }
    // p99 under ten times the connections: information only, one run each.
    const hiT = await run('tandem', HTTP.seconds, HTTP.highConnections);
    const hiP = await run('peer', HTTP.seconds, HTTP.highConnections);

    // Every 2xx was a new event: a duplicate would answer 200 without a new row. (Requests still in
    // flight when a run stops may add rows that autocannon never counted, hence ≥.)
    assert.ok(events() >= accepted + 1, `Tandem stored ${events()} events for ${accepted + 1} accepted answers`);
    assert.ok(bare.rows() >= inserted, `the peer stored ${bare.rows()} rows for ${inserted} answers`);
    assert.deepEqual((await t.services.ledger.verify(ws.id)).problems, []);

    const rps = (xs: PostResult[]) => median(xs.map((x) => x.reqPerSec));
    const p99 = (xs: PostResult[]) => median(xs.map((x) => x.p99));
    const ratio = median(ratios);
    info(BENCH, 'http', { tandem_req_per_s: rps(subject), tandem_p50_ms: median(subject.map((x) => x.p50)), tandem_p99_ms: p99(subject), p99_target_ms: 10, peer_req_per_s: rps(peer), peer_p99_ms: p99(peer), ratio: ratio.toFixed(3) });
    info(BENCH, 'http_minimal_table_peer', { peer_req_per_s: rps(minimalRuns), ratio_vs_minimal_table: (rps(subject) / rps(minimalRuns)).toFixed(3) });
    info(BENCH, 'http_c100', { connections: HTTP.highConnections, tandem_req_per_s: hiT.reqPerSec, tandem_p99_ms: hiT.p99, peer_req_per_s: hiP.reqPerSec, peer_p99_ms: hiP.p99 });
    return { bench: BENCH, figure: 'http', ratio, goal: GOALS.http };
  } finally {
    counter.close();
    await bare.close();
    await minimal.close();
    await t.close();
  }
}

// ---------------------------------------------------------------- pg-ingest (PostgreSQL)
/** The PostgreSQL server to use, if the environment names one. */
function postgresUrl(): string | undefined {
  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  return url && /^postgres(ql)?:\/\//.test(url) ? url : undefined;
}

/**
 * The peer: the rows the SQLite peer writes, with unnest arrays, one transaction per batch, into
 * Tandem's tables of a fresh database migrated by Tandem (balances pre-summed per account: one
 * row per account in the upsert, as ON CONFLICT cannot touch a row twice in one statement).
 */
async function pgTablesPeer(ids: PeerIds) {
  const tdb = await migratedDatabase('postgres');
  const client = new pg.Client({ connectionString: tdb.url });
  await client.connect();
  // The program's funded budget, as Tandem holds it before the first batch.
  await client.query('insert into balances (workspace_id, account, balance, updated_at) values ($1, $2, $3, $4)', [ids.ws, ids.budget, 1e11, Date.now()]);
  const gen = createIds();
  return {
    async send(events: BenchEvent[]) {
      const now = Date.now();
      const ev = { id: [] as string[], ext: [] as string[], type: [] as string[], at: [] as number[], person: [] as string[], account: [] as (string | null)[], props: [] as string[] };
      const tr = { id: [] as string[], credit: [] as string[], amount: [] as number[], event: [] as string[], rule: [] as string[], at: [] as number[] };
      const delta = new Map<string, number>();
      for (const e of events) {
        const person = ids.people.get(e.personExternalId)!;
        const id = gen.next('evt');
        const at = Date.parse(e.occurredAt);
        ev.id.push(id);
        ev.ext.push(e.id);
        ev.type.push(e.type);
        ev.at.push(at);
        ev.person.push(person.id);
        ev.account.push(person.accountId);
        ev.props.push(JSON.stringify(e.properties));
        const wallet = `wallet:${person.id}`;
        for (const a of awardsOf(e)) {
          tr.id.push(gen.next('trf'));
          tr.credit.push(wallet);
          tr.amount.push(a.points);
          tr.event.push(id);
          tr.rule.push(a.rule);
          tr.at.push(at);
          delta.set(ids.budget, (delta.get(ids.budget) ?? 0) - a.points);
          delta.set(wallet, (delta.get(wallet) ?? 0) + a.points);
        }
      }
      await client.query('begin');
      try {
        await client.query(
          `insert into events (${EVENT_COLUMNS}) select $8, id, 'api', ext, type, at, $9, person, account, null, props, null, 'accepted', null, null from unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[]) as u(id, ext, type, at, person, account, props)`,
          [ev.id, ev.ext, ev.type, ev.at, ev.person, ev.account, ev.props, ids.ws, now],
        );
        await client.query(
          `insert into transfers (${TRANSFER_COLUMNS}) select $7, id, $8, credit, amount, 'event', event, $9, 1, rule, null, null, null, null, at, $10 from unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::bigint[]) as u(id, credit, amount, event, rule, at)`,
          [tr.id, tr.credit, tr.amount, tr.event, tr.rule, tr.at, ids.ws, ids.budget, ids.programId, now],
        );
        await client.query(
          `insert into balances (workspace_id, account, balance, updated_at) select $3, account, amount, $4 from unnest($1::text[], $2::bigint[]) as u(account, amount)
           on conflict (workspace_id, account) do update set balance = balances.balance + excluded.balance, updated_at = excluded.updated_at`,
          [[...delta.keys()], [...delta.values()], ids.ws, now],
        );
        await client.query('commit');
      } catch (err) {
        await client.query('rollback');
        throw err;
      }
    },
    async rowsOf(externalId: string, personExternalId: string) {
      const one = async (q: string, params: unknown[]) => (await client.query<Record<string, unknown>>(q, params)).rows[0];
      const event = await one('select * from events where workspace_id = $1 and external_id = $2', [ids.ws, externalId]);
      const transfer = await one('select * from transfers where workspace_id = $1 and event_id = $2 order by id limit 1', [ids.ws, event?.id]);
      const balance = await one('select * from balances where workspace_id = $1 and account = $2', [ids.ws, `wallet:${ids.people.get(personExternalId)!.id}`]);
      return { event, transfer, balance };
    },
    count: async () => Number((await client.query<{ n: string }>('select count(*) as n from events')).rows[0]!.n),
    async close() {
      await client.end();
      await tdb.drop();
    },
  };
}

/** The earlier peer (information only): minimal tables of its own, keys only, no secondary indexes. */
async function pgMinimalPeer() {
  const tdb = await freshDatabase('postgres');
  const client = new pg.Client({ connectionString: tdb.url });
  await client.connect();
  await client.query(`create table events (workspace_id text not null, id text not null, source text not null, external_id text not null, type text not null, occurred_at bigint not null, received_at bigint not null, person_id text not null, account_id text, team_id text, properties text not null, status text not null, primary key (workspace_id, id), unique (workspace_id, source, external_id));
    create table transfers (workspace_id text not null, id text not null, debit_account text not null, credit_account text not null, amount bigint not null, cause text not null, event_id text, program_id text, rule_id text, occurred_at bigint not null, created_at bigint not null, primary key (workspace_id, id));
    create table balances (workspace_id text not null, account text not null, balance bigint not null, updated_at bigint not null, primary key (workspace_id, account));`);
  const ids = createIds();
  return {
    async send(events: BenchEvent[]) {
      const now = Date.now();
      const ev = { id: [] as string[], ext: [] as string[], type: [] as string[], at: [] as number[], person: [] as string[], props: [] as string[] };
      const tr = { id: [] as string[], credit: [] as string[], amount: [] as number[], event: [] as string[], at: [] as number[] };
      const delta = new Map<string, number>();
      for (const e of events) {
        const id = ids.next('evt');
        const at = Date.parse(e.occurredAt);
        ev.id.push(id);
        ev.ext.push(e.id);
        ev.type.push(e.type);
        ev.at.push(at);
        ev.person.push(e.personExternalId);
        ev.props.push(JSON.stringify(e.properties));
        for (const pts of [10, Math.floor(e.properties.score / 10)]) {
          const wallet = `wallet:${e.personExternalId}`;
          tr.id.push(ids.next('trf'));
          tr.credit.push(wallet);
          tr.amount.push(pts);
          tr.event.push(id);
          tr.at.push(at);
          delta.set('budget:x', (delta.get('budget:x') ?? 0) - pts);
          delta.set(wallet, (delta.get(wallet) ?? 0) + pts);
        }
      }
      await client.query('begin');
      try {
        await client.query(
          `insert into events select 'ws', id, 'api', ext, type, at, $7, person, null, null, props, 'accepted' from unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[]) as u(id, ext, type, at, person, props)`,
          [ev.id, ev.ext, ev.type, ev.at, ev.person, ev.props, now],
        );
        await client.query(
          `insert into transfers select 'ws', id, 'budget:x', credit, amount, 'event', event, 'prg', 'r', at, $6 from unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::bigint[]) as u(id, credit, amount, event, at)`,
          [tr.id, tr.credit, tr.amount, tr.event, tr.at, now],
        );
        await client.query(
          `insert into balances select 'ws', account, amount, $3 from unnest($1::text[], $2::bigint[]) as u(account, amount)
           on conflict (workspace_id, account) do update set balance = balances.balance + excluded.balance, updated_at = excluded.updated_at`,
          [[...delta.keys()], [...delta.values()], now],
        );
        await client.query('commit');
      } catch (err) {
        await client.query('rollback');
        throw err;
      }
    },
    async close() {
      await client.end();
      await tdb.drop();
    },
  };
}

async function pgIngestFigure(): Promise<Figure | null> {
  const url = postgresUrl();
  if (!url) {
    info(BENCH, 'pg-ingest', { skipped: 'set TEST_DATABASE_URL (or DATABASE_URL) to a PostgreSQL server to measure it' });
    return null;
  }
  // test/support/app.ts creates its databases through TEST_DATABASE_URL.
  process.env.TEST_DATABASE_URL ??= url;
  const BATCHES = 10;
  const SIZE = 1000;
  const t = await createTestApp('postgres');
  const { ws, ctx, programId } = await seedProgram(t);
  const ids = await peerIds(t, ws.id, programId);
  const peer = await pgTablesPeer(ids);
  const minimal = await pgMinimalPeer();
  try {
    const tandemTimes: number[] = [];
    const peerTimes: number[] = [];
    const minimalTimes: number[] = [];
    const timeTandem = async (events: BenchEvent[]) => {
      const t0 = process.hrtime.bigint();
      const out = await t.services.events.ingest(ctx, events);
      tandemTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
      assert.equal(out.summary.accepted, SIZE);
      assert.equal(out.results[0]!.effects.length, 2);
    };
    const timePeer = async (events: BenchEvent[]) => {
      const t0 = process.hrtime.bigint();
      await peer.send(events);
      peerTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
    };
    for (let b = 0; b < BATCHES; b++) {
      const events = eventBatch(b, SIZE);
      // The first side swaps every batch, so neither always runs on a warmer (or busier) machine.
      if (b % 2) {
        await timePeer(events);
        await timeTandem(events);
      } else {
        await timeTandem(events);
        await timePeer(events);
      }
      const t0 = process.hrtime.bigint();
      await minimal.send(events);
      minimalTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    assert.deepEqual((await t.services.ledger.verify(ws.id)).problems, []);
    // The peer wrote rows like Tandem's: the last event of the run, its first transfer, the wallet.
    const last = eventBatch(BATCHES - 1, SIZE)[SIZE - 1]!;
    const mine = await tandemRowsOf(t, ids, last.id, last.personExternalId);
    const theirs = await peer.rowsOf(last.id, last.personExternalId);
    assertSameShape('events', mine.event, theirs.event, true);
    assertSameShape('transfers', mine.transfer, theirs.transfer, true);
    assertSameShape('balances', mine.balance, theirs.balance, false);
    assert.equal(Number(theirs.balance!.balance), Number(mine.balance!.balance), 'the wallet holds the same points on both sides');
    assert.equal(await peer.count(), BATCHES * SIZE);
    const tm = median(tandemTimes);
    const pm = median(peerTimes);
    const mm = median(minimalTimes);
    info(BENCH, 'pg-ingest', { tandem_events_per_s: (SIZE * 1000) / tm, raw_events_per_s: (SIZE * 1000) / pm, tandem_ms_per_batch: tm, raw_ms_per_batch: pm, minimal_tables_ms_per_batch: mm, ratio_vs_minimal_tables: (mm / tm).toFixed(3), server: new URL(url).host });
    return { bench: BENCH, figure: 'pg-ingest', ratio: pm / tm, goal: GOALS['pg-ingest'] };
  } finally {
    await peer.close();
    await minimal.close();
    await t.close();
  }
}

export const engineBenchmark: Benchmark = {
  figures: ['rules', 'ingest', 'wallet', 'http', 'pg-ingest'],
  async run(figures) {
    const out: Figure[] = [];
    if (figures.includes('rules')) out.push(await rulesFigure());
    if (figures.includes('ingest')) out.push(await ingestFigure());
    if (figures.includes('wallet')) out.push(await walletFigure());
    if (figures.includes('http')) out.push(await httpFigure());
    if (figures.includes('pg-ingest')) {
      const f = await pgIngestFigure();
      if (f) out.push(f);
    }
    return out;
  },
};
