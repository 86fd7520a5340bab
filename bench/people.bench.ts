// People: how close Tandem's people API comes to the storage underneath it.
//
// import  100,000 employees through POST /api/v1/people/batch (1,000 a request, real HTTP on
//         127.0.0.1) to Tandem running as its own process exactly as `npm start` runs it (same
//         node flags, fresh data directory), against raw better-sqlite3 in this process
//         inserting the same rows (one prepared INSERT, transactions of 1,000) into the same
//         schema in a fresh file. Goal: ratio ≥ 0.30.
// list    GET /api/v1/people?limit=50 with an owner key, 10 connections, against a bare Fastify
//         route running the same SELECT through a prepared statement on the same database file
//         and answering the same JSON. Goal: ratio ≥ 0.50.
//
// Peer and subject alternate within the run (batch by batch for the import, short autocannon
// runs for the list) and medians are taken, so machine noise (shared, 2 cores) hits both alike.
// Only the ratios are the contract; the rest is information.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import Fastify from 'fastify';
import { createIds } from '../src/core/ids.js';
import { openSqliteFile } from '../src/core/db/db.js';
import { createTestApp } from '../test/support/app.js';
import { info, median, type Figure } from './figures.js';
import { load, type LoadResult } from './load.js';
import type { Benchmark } from './run.js';

const BENCH = 'people';
const PEOPLE = 100_000;
const BATCH = 1_000;
const TEAMS = Array.from({ length: 8 }, (_, i) => `team-${String(i + 1).padStart(2, '0')}`);
const IMPORT_ROUNDS = 3;
const LIST = { connections: 10, rounds: 6, seconds: 2, warmupSeconds: 1 };
const GOALS = { import: 0.3, list: 0.5 } as const;

type ListenedApp = Awaited<ReturnType<typeof createTestApp>>;

interface PersonItem {
  externalId: string;
  kind: 'employee';
  name: string;
  email: string;
  teamExternalId: string;
  attributes: Record<string, string | number | boolean>;
}

const LOCATIONS = ['Lisbon', 'Berlin', 'Toronto', 'Singapore'];
function personItem(i: number): PersonItem {
  const n = String(i).padStart(6, '0');
  return {
    externalId: `emp-${n}`,
    kind: 'employee',
    name: `Person ${n}`,
    email: `person.${n}@bench.example`,
    teamExternalId: TEAMS[i % TEAMS.length]!,
    attributes: { level: `L${(i % 7) + 1}`, location: LOCATIONS[i % LOCATIONS.length]!, remote: i % 3 === 0, costCenter: 1000 + (i % 50) },
  };
}

/** A connection as Tandem opens one (src/core/db/db.ts): the same pragmas and background checkpoints. */
function openRaw(file: string) {
  const { sqlite, close } = openSqliteFile(file);
  return Object.assign(sqlite, { stop: close });
}

/** A fresh, migrated SQLite database with a workspace, its owner key and the teams. */
async function freshWorkspace(listen: boolean) {
  const t = await createTestApp('sqlite', { listen });
  const ws = await t.workspace('Bench Co');
  const teams = await t.call('POST', '/api/v1/teams/batch', { key: ws.ownerKey, body: { items: TEAMS.map((e) => ({ externalId: e, name: `Team ${e}` })) } });
  assert.equal(teams.status, 200, teams.text);
  assert.equal(teams.body.summary.created, TEAMS.length);
  return { t, ws, file: t.db.file! };
}

const countPeople = (file: string, ws: string) => {
  const raw = new SQLite(file, { readonly: true });
  try {
    return (raw.prepare('SELECT count(*) AS n FROM people WHERE workspace_id = ?').get(ws) as { n: number }).n;
  } finally {
    raw.close();
  }
};

// ---- import

const ROOT = path.resolve(import.meta.dirname, '..');

/** The node flags `npm start` runs the server with (package.json), so the bench runs what ships. */
function startFlags(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const m = /node ((?:--\S+ )*)--import tsx src\/cli\/main\.ts serve/.exec(pkg.scripts.start);
  assert.ok(m, 'package.json start script: expected "node [flags] --import tsx src/cli/main.ts serve"');
  return m[1]!.trim().split(/\s+/).filter(Boolean);
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });

/**
 * Tandem's side: `tandem serve` in a child process on a fresh data directory, a workspace and
 * an owner key made by the CLI first; one batch is one POST of a body serialized beforehand.
 */
async function apiImporter() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-bench-people-'));
  const port = await freePort();
  const env = { PATH: process.env.PATH!, TANDEM_DATA_DIR: dir, TANDEM_DEMO: '0', LOG_LEVEL: 'warn', PORT: String(port) };
  const node = [...startFlags(), '--import', 'tsx', path.join(ROOT, 'src/cli/main.ts')];
  const cli = <T>(...args: string[]) => JSON.parse(execFileSync(process.execPath, [...node, ...args, '--json'], { cwd: ROOT, env, encoding: 'utf8' })) as T;
  const ws = cli<{ id: string }>('workspace', 'create', '--name', 'Bench Co');
  const { key } = cli<{ key: string }>('key', 'create', '--workspace', ws.id, '--role', 'owner');
  const child = spawn(process.execPath, [...node, 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 60_000;
  while (!out.includes('Tandem is running')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`tandem serve did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const base = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const teams = await fetch(`${base}/api/v1/teams/batch`, { method: 'POST', headers, body: JSON.stringify({ items: TEAMS.map((e) => ({ externalId: e, name: `Team ${e}` })) }) });
  assert.equal(teams.status, 200, await teams.text());
  return {
    ws: { id: ws.id },
    file: path.join(dir, 'tandem.db'),
    async send(body: string) {
      const res = await fetch(`${base}/api/v1/people/batch`, { method: 'POST', headers, body });
      const text = await res.text();
      assert.equal(res.status, 200, text.slice(0, 500));
      const summary = (JSON.parse(text) as { summary: { created: number } }).summary;
      assert.equal(summary.created, BATCH, `a batch created ${summary.created} of ${BATCH}: ${text.slice(0, 500)}`);
    },
    async close() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The in-process app the list figure is measured on, filled through the batch API. */
async function inProcessImporter() {
  const { t, ws, file } = await freshWorkspace(true);
  const url = `${t.url}/api/v1/people/batch`;
  const headers = { authorization: `Bearer ${ws.ownerKey}`, 'content-type': 'application/json' };
  return {
    t,
    ws,
    file,
    async send(body: string) {
      const res = await fetch(url, { method: 'POST', headers, body });
      assert.equal(res.status, 200, (await res.text()).slice(0, 500));
    },
  };
}

/**
 * The peer: the same rows Tandem writes for an import (as the engine benchmark's peer writes the
 * events, transfers and balances): the people (the columns Tandem writes, ids from the same
 * generator, attributes as JSON text) through one prepared INSERT, and the audit trail of the
 * batch (one entry listing the records created, with the values each was created with, and
 * a target link per record), a transaction per 1,000. The audit part is timed apart too, so
 * the ratio against the people rows alone is printed as well.
 */
async function rawImporter() {
  const { t, ws, file } = await freshWorkspace(false);
  const raw = openRaw(file);
  const teamIds = new Map((raw.prepare('SELECT external_id, id FROM teams WHERE workspace_id = ?').all(ws.id) as { external_id: string; id: string }[]).map((r) => [r.external_id, r.id]));
  const ids = createIds();
  const insert = raw.prepare(
    `INSERT INTO people (workspace_id, id, kind, external_id, name, email, team_id, account_id, hire_date, status, attributes, locale, timezone, erased_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, 'active', ?, NULL, NULL, NULL, ?, ?)`,
  );
  const insertAudit = raw.prepare(
    `INSERT INTO audit_log (workspace_id, id, actor_type, actor_id, action, target_type, target_id, before, after, created_at)
     VALUES (?, ?, 'key', 'key_bench', 'person.batch_upserted', 'person', NULL, NULL, ?, ?)`,
  );
  const insertTargets = raw.prepare(`INSERT INTO audit_targets (workspace_id, target_id, audit_id) SELECT ?, value, ? FROM json_each(?)`);
  let auditMs = 0;
  const insertBatch = raw.transaction((batch: PersonItem[]) => {
    const now = Date.now();
    const created: { id: string; change: 'created'; after: Record<string, unknown> }[] = [];
    for (const it of batch) {
      const id = ids.next('per');
      const teamId = teamIds.get(it.teamExternalId) ?? null;
      insert.run(ws.id, id, it.kind, it.externalId, it.name, it.email, teamId, JSON.stringify(it.attributes), now, now);
      created.push({ id, change: 'created', after: { kind: it.kind, externalId: it.externalId, name: it.name, email: it.email, status: 'active', attributes: it.attributes, teamId } });
    }
    const t0 = performance.now();
    const auditId = ids.next('aud');
    insertAudit.run(ws.id, auditId, JSON.stringify({ summary: { created: created.length, updated: 0 }, items: created }), now);
    insertTargets.run(ws.id, auditId, JSON.stringify(created.map((c) => c.id)));
    auditMs += performance.now() - t0;
  });
  return {
    send: (batch: PersonItem[]) => insertBatch(batch),
    /** milliseconds spent on the audit rows so far */
    auditMs: () => auditMs,
    /** closes and drops the database; answers how many people it held */
    async close() {
      const n = countPeople(file, ws.id);
      await raw.stop();
      await t.close();
      return n;
    },
  };
}

interface Populated {
  t: ListenedApp;
  wsId: string;
  ownerKey: string;
  file: string;
}

/**
 * Each round imports the 100,000 people into two fresh databases, batch by batch, alternating
 * between Tandem and the peer (and which goes first), so a burst of load on the machine lands
 * on both sides alike.
 */
async function measureImport(): Promise<Figure> {
  const items = Array.from({ length: PEOPLE }, (_, i) => personItem(i + 1));
  const batches: PersonItem[][] = [];
  for (let i = 0; i < items.length; i += BATCH) batches.push(items.slice(i, i + BATCH));
  const bodies = batches.map((b) => JSON.stringify({ items: b }));
  info(BENCH, 'import_setup', { people: PEOPLE, per_request: BATCH, requests: bodies.length, request_kb: Math.round(bodies[0]!.length / 1024), rounds: IMPORT_ROUNDS });

  const ratios: number[] = [];
  const peerRates: number[] = [];
  const subjectRates: number[] = [];
  const peopleOnlyRatios: number[] = [];
  for (let r = 1; r <= IMPORT_ROUNDS; r++) {
    const api = await apiImporter();
    const peer = await rawImporter();
    let apiMs = 0;
    let peerMs = 0;
    for (let k = 0; k < batches.length; k++) {
      const timePeer = () => {
        const t0 = performance.now();
        peer.send(batches[k]!);
        peerMs += performance.now() - t0;
      };
      if (k % 2) timePeer();
      const t0 = performance.now();
      await api.send(bodies[k]!);
      apiMs += performance.now() - t0;
      if (!(k % 2)) timePeer();
    }
    assert.equal(countPeople(api.file, api.ws.id), PEOPLE);
    await api.close();
    const peopleOnlyMs = peerMs - peer.auditMs();
    assert.equal(await peer.close(), PEOPLE);
    const [subjectRate, peerRate] = [PEOPLE / (apiMs / 1000), PEOPLE / (peerMs / 1000)];
    subjectRates.push(subjectRate);
    peerRates.push(peerRate);
    ratios.push(subjectRate / peerRate);
    peopleOnlyRatios.push(peopleOnlyMs / apiMs);
    info(BENCH, 'import_round', {
      round: r,
      tandem_rows_per_s: subjectRate,
      tandem_s: apiMs / 1000,
      peer_rows_per_s: peerRate,
      peer_s: peerMs / 1000,
      peer_audit_s: peer.auditMs() / 1000,
      ratio: (subjectRate / peerRate).toFixed(3),
      ratio_vs_people_rows_only: (peopleOnlyMs / apiMs).toFixed(3),
    });
  }
  const ratio = median(ratios);
  info(BENCH, 'import', { tandem_rows_per_s: median(subjectRates), peer_rows_per_s: median(peerRates), ratio: ratio.toFixed(3), ratio_vs_people_rows_only: median(peopleOnlyRatios).toFixed(3) });
  return { bench: BENCH, figure: 'import', ratio, goal: GOALS.import };
}

/** For the list: fill an in-process app's database through the API, no peer, nothing timed. */
async function populate(): Promise<Populated> {
  const api = await inProcessImporter();
  for (let i = 0; i < PEOPLE; i += BATCH) await api.send(JSON.stringify({ items: Array.from({ length: BATCH }, (_, k) => personItem(i + k + 1)) }));
  assert.equal(countPeople(api.file, api.ws.id), PEOPLE);
  return { t: api.t, wsId: api.ws.id, ownerKey: api.ws.ownerKey, file: api.file };
}

// ---- list

interface PersonRow {
  id: string;
  kind: string;
  external_id: string;
  name: string | null;
  email: string | null;
  team_id: string | null;
  account_id: string | null;
  hire_date: string | null;
  status: string;
  attributes: string;
  locale: string | null;
  timezone: string | null;
  erased_at: number | null;
  created_at: number;
  updated_at: number;
}

const iso = (ms: number | null) => (ms == null ? null : new Date(ms).toISOString());

/** The peer: no auth, no schema, one prepared statement, the same JSON as GET /api/v1/people. */
async function startBareServer(file: string, wsId: string) {
  const raw = openRaw(file);
  const page = raw.prepare('SELECT * FROM people WHERE workspace_id = ? ORDER BY id LIMIT ?');
  const app = Fastify({ logger: false });
  app.get('/people', async (req) => {
    const limit = Number((req.query as { limit?: string }).limit ?? 50);
    const rows = page.all(wsId, limit + 1) as PersonRow[];
    const more = rows.length > limit;
    const data = (more ? rows.slice(0, limit) : rows).map((r) => ({
      id: r.id,
      kind: r.kind,
      externalId: r.external_id,
      name: r.name,
      email: r.email,
      teamId: r.team_id,
      accountId: r.account_id,
      hireDate: r.hire_date,
      status: r.status,
      attributes: JSON.parse(r.attributes) as unknown,
      locale: r.locale,
      timezone: r.timezone,
      erasedAt: iso(r.erased_at),
      createdAt: iso(r.created_at),
      updatedAt: iso(r.updated_at),
    }));
    const nextCursor = more ? Buffer.from(JSON.stringify({ after: data[data.length - 1]!.id })).toString('base64url') : null;
    return { data, nextCursor };
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    async close() {
      await app.close();
      await raw.stop();
    },
  };
}

async function measureList(p: Populated): Promise<Figure> {
  const bare = await startBareServer(p.file, p.wsId);
  try {
    const subjectUrl = `${p.t.url}/api/v1/people?limit=50`;
    const peerUrl = `${bare.url}/people?limit=50`;
    const headers = { authorization: `Bearer ${p.ownerKey}` };

    // Same answer, byte for byte: the peer does the same work, minus Tandem's layers.
    const [a, b] = await Promise.all([fetch(subjectUrl, { headers }), fetch(peerUrl)]);
    const [ta, tb] = [await a.text(), await b.text()];
    assert.equal(a.status, 200, ta.slice(0, 300));
    assert.equal(b.status, 200, tb.slice(0, 300));
    assert.equal(tb, ta, 'the bare route must answer exactly what Tandem answers');
    info(BENCH, 'list_setup', { connections: LIST.connections, rounds: LIST.rounds, seconds_per_run: LIST.seconds, response_bytes: ta.length });

    const run = async (side: 'tandem' | 'peer', seconds: number): Promise<LoadResult> => {
      const r = await load(side === 'tandem' ? subjectUrl : peerUrl, { connections: LIST.connections, seconds, headers: side === 'tandem' ? headers : {} });
      if (r.non2xx || r.errors) throw new Error(`${side}: ${r.non2xx} non-2xx answers and ${r.errors} errors in ${r.requests} requests`);
      return r;
    };
    await run('tandem', LIST.warmupSeconds);
    await run('peer', LIST.warmupSeconds);

    // Short runs, each side once a round, the first side alternating (T P, P T, …): a round's
    // ratio compares runs seconds apart, and the median of the rounds' ratios is the figure.
    const subject: LoadResult[] = [];
    const peer: LoadResult[] = [];
    const ratios: number[] = [];
    for (let r = 1; r <= LIST.rounds; r++) {
      const order: ('tandem' | 'peer')[] = r % 2 ? ['tandem', 'peer'] : ['peer', 'tandem'];
      const got: Partial<Record<'tandem' | 'peer', LoadResult>> = {};
      for (const side of order) got[side] = await run(side, LIST.seconds);
      subject.push(got.tandem!);
      peer.push(got.peer!);
      ratios.push(got.tandem!.reqPerSec / got.peer!.reqPerSec);
      info(BENCH, 'list_round', {
        round: r,
        tandem_req_per_s: got.tandem!.reqPerSec,
        tandem_p99_ms: got.tandem!.p99,
        peer_req_per_s: got.peer!.reqPerSec,
        peer_p99_ms: got.peer!.p99,
        ratio: ratios[ratios.length - 1]!.toFixed(3),
      });
    }
    const rps = (xs: LoadResult[]) => median(xs.map((x) => x.reqPerSec));
    const p99 = (xs: LoadResult[]) => median(xs.map((x) => x.p99));
    const ratio = median(ratios);
    info(BENCH, 'list', { tandem_req_per_s: rps(subject), tandem_p99_ms: p99(subject), peer_req_per_s: rps(peer), peer_p99_ms: p99(peer), ratio: ratio.toFixed(3) });
    return { bench: BENCH, figure: 'list', ratio, goal: GOALS.list };
  } finally {
    await bare.close();
  }
}

export const peopleBenchmark: Benchmark = {
  figures: ['import', 'list'],
  async run(figures) {
    const out: Figure[] = [];
    let populated: Populated | undefined;
    try {
      if (figures.includes('import')) out.push(await measureImport());
      if (figures.includes('list')) out.push(await measureList((populated = await populate())));
    } finally {
      await populated?.t.close();
    }
    return out;
  },
};
