// Engine: the incentive pipeline against its peers, in the same run.
//
// rules   the same 20 rules over the same 100,000 events: Tandem's compiled rules against
//         json-rules-engine (each awarding the same points; totals are checked equal).
//         Goal: Tandem ≥ 100× its throughput.
// ingest  batch ingestion on SQLite, batches of 1,000 events each matching two rules, through
//         the events service (store, evaluate, post transfers, balances, outcomes), against raw
//         better-sqlite3 writing the same rows (events, transfers, balance updates) in one
//         transaction per batch. Goal: ratio ≥ 0.50.
// wallet  a wallet balance read through the ledger service against a raw primary-key lookup
//         with a prepared statement on the same file. Goal: at most 2× its time (ratio ≥ 0.50).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Engine } from 'json-rules-engine';
import { compileRules, type Facts, type TRule } from '../src/modules/engine/index.js';
import { BUILTIN_EVENT_TYPES } from '../src/modules/engine/engine.vocabulary.js';
import { ZRule } from '../src/modules/engine/engine.rules.js';
import { systemContext } from '../src/core/auth.js';
import { createTestApp } from '../test/support/app.js';
import { info, median, type Figure } from './figures.js';
import type { Benchmark } from './run.js';

const BENCH = 'engine';
const GOALS = { rules: 100, ingest: 0.5, wallet: 0.5 } as const;
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
async function ingestFigure(): Promise<Figure> {
  const BATCHES = 10;
  const SIZE = 1000;
  const t = await createTestApp('sqlite');
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
  const batch = (b: number) => Array.from({ length: SIZE }, (_, i) => ({ id: `b${b}-${i}`, occurredAt: new Date(Date.UTC(2026, 9, 1 + (i % 28))).toISOString(), type: 'training.completed', personExternalId: `P${(b * SIZE + i) % 200}`, properties: { course: 'C', score: 50 + (i % 50) } }));

  // The peer writes to a file on the same disk with the same pragmas as Tandem's (src/core/db/db.ts).
  const rawDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-raw-'));
  const raw = new SQLite(path.join(rawDir, 'raw.db'));
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.exec(`create table events (workspace_id text, id text, source text, external_id text, type text, occurred_at integer, received_at integer, person_id text, account_id text, team_id text, properties text, status text, primary key (workspace_id, id), unique (workspace_id, source, external_id));
    create table transfers (workspace_id text, id text, debit_account text, credit_account text, amount integer, cause text, event_id text, program_id text, rule_id text, occurred_at integer, created_at integer, primary key (workspace_id, id));
    create table balances (workspace_id text, account text, balance integer, updated_at integer, primary key (workspace_id, account));`);
  const insE = raw.prepare('insert into events values (?,?,?,?,?,?,?,?,?,?,?,?)');
  const insT = raw.prepare('insert into transfers values (?,?,?,?,?,?,?,?,?,?,?)');
  const upB = raw.prepare('insert into balances values (?,?,?,?) on conflict (workspace_id, account) do update set balance = balance + excluded.balance, updated_at = excluded.updated_at');
  let rawSeq = 0;
  const rawBatch = raw.transaction((events: ReturnType<typeof batch>) => {
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
  const tandemTimes: number[] = [];
  const peerTimes: number[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const events = batch(b);
    let t0 = process.hrtime.bigint();
    const out = await s.events.ingest(ctx, events);
    tandemTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
    assert.equal(out.summary.accepted, SIZE);
    assert.equal(out.results[0]!.effects.length, 2);
    t0 = process.hrtime.bigint();
    rawBatch(events);
    peerTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  assert.deepEqual((await s.ledger.verify(ws.id)).problems, []);
  raw.close();
  fs.rmSync(rawDir, { recursive: true, force: true });
  await t.close();
  const tm = median(tandemTimes);
  const pm = median(peerTimes);
  info(BENCH, 'ingest', { tandem_events_per_s: (SIZE * 1000) / tm, raw_events_per_s: (SIZE * 1000) / pm, tandem_ms_per_batch: tm, raw_ms_per_batch: pm });
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

export const engineBenchmark: Benchmark = {
  figures: ['rules', 'ingest', 'wallet'],
  async run(figures) {
    const out: Figure[] = [];
    if (figures.includes('rules')) out.push(await rulesFigure());
    if (figures.includes('ingest')) out.push(await ingestFigure());
    if (figures.includes('wallet')) out.push(await walletFigure());
    return out;
  },
};
