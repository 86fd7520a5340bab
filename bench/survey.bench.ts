// Survey: the full report of one survey with 1,000,000 responses to 20 questions (issue #7).
//
// report-sqlite  services.surveyReports.report (the whole report: scores, intervals, engagement
//         split, driver correlations, every distribution, comments, anonymity over the finest
//         cells) against a single `SELECT question_id, value_num, count(*) FROM survey_answers
//         WHERE workspace_id = ? AND survey_id = ? GROUP BY question_id, value_num` on the same
//         tables (raw better-sqlite3, prepared). Goal: at most 3× its time (ratio ≥ 0.333).
// report-pg  the same on PostgreSQL (TEST_DATABASE_URL or DATABASE_URL), the peer through raw
//         `pg`. Skipped (an info line, no BENCH line) without PostgreSQL.
//
// The data is written straight into the tables (1,000 responses per statement, the secondary
// answer index built after), each response's engagement index, classification and driver
// means computed by the function submit uses (respondentScores). Subject and peer alternate,
// the first side swapping each round; medians of the measured rounds.
import assert from 'node:assert/strict';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { systemContext } from '../src/core/auth.js';
import { openDatabase, openSqliteFile, type DbOptions } from '../src/core/db/db.js';
import { createServices, migrate, type Services } from '../src/app.js';
import { respondentScores, NEED_DRIVERS } from '../src/modules/surveys/scores.js';
import { DEFAULT_SURVEY_SETTINGS } from '../src/modules/surveys/settings.js';
import { ZCreateSurvey, type TQuestionInput } from '../src/modules/surveys/surveys.schema.js';
import { freshDatabase, TEST_SECRET } from '../test/support/app.js';
import { info, median, type Figure } from './figures.js';
import type { Benchmark } from './run.js';

const BENCH = 'survey';
const GOAL = 1 / 3;
const RESPONSES = Number(process.env.BENCH_SURVEY_RESPONSES ?? 1_000_000);
const CHUNK = 1000;
const ROUNDS = 3;
const TEAMS = Array.from({ length: 20 }, (_, i) => `tea_bench${String(i).padStart(2, '0')}`);
const TENURES = ['under_1y', '1_2y', '2_5y', '5y_plus'];

/** 20 questions like the engagement template: two items per driver, three outcome items, eNPS, an overall item, CSAT, a choice, a comment. */
const QUESTIONS: TQuestionInput[] = [
  ...NEED_DRIVERS.flatMap((d) => [1, 2].map((i) => ({ id: `q_${d}_${i}`, type: 'agreement' as const, text: `${d} item ${i}`, driver: d }))),
  ...[1, 2, 3].map((i) => ({ id: `q_engagement_${i}`, type: 'agreement' as const, text: `engagement item ${i}`, driver: 'engagement' as const })),
  { id: 'q_enps', type: 'likelihood', text: 'Recommend us as an employer?', driver: 'engagement' },
  { id: 'q_overall', type: 'agreement', text: 'Overall, this is a good place to work.' },
  { id: 'q_csat', type: 'csat', text: 'Satisfied with the tools you are given?' },
  { id: 'q_place', type: 'single_choice', text: 'Where do you work most?', options: [{ value: 'office', label: 'Office' }, { value: 'home', label: 'Home' }, { value: 'mixed', label: 'Both' }] },
  { id: 'q_comment', type: 'text', text: 'One change?', required: false },
];
const META = QUESTIONS.map((q) => ({ id: q.id!, type: q.type, driver: q.driver ?? null }));

/** A small fast PRNG (mulberry32): the same responses on both dialects. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * The answers are a fixed function of (respondent number i, question position j), written
 * once here and once in SQL (answersSql): JS computes each response's scores from them with
 * respondentScores, the database writes the 19 million answer rows itself (INSERT … SELECT).
 */
const BASE = 1_765_000_000_000;
const P = 2147483647;
const hashOf = (i: number, j: number) => ((i * 31 + j * 17 + 7) * 48271) % P;
const moodOf = (i: number) => 1 + (((i * 48271) % P) % 5);
const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));
const PLACES = ['office', 'home', 'mixed'];
function answerOf(i: number, j: number, type: string): number | string | undefined {
  const h = hashOf(i, j);
  const m = moodOf(i);
  if (type === 'agreement' || type === 'csat') return clamp(m + (h % 3) - 1, 1, 5);
  if (type === 'likelihood') return clamp(2 * m + (h % 3) - 1, 0, 10);
  if (type === 'single_choice') return PLACES[h % 3];
  return h % 5 === 0 ? `comment ${i}` : undefined;
}

/** The same answers in SQL, for every response of the survey and every question (i = submitted_on − BASE). */
function answersSql(dialect: 'sqlite' | 'postgres') {
  const cl = (x: string, lo: number, hi: number) => (dialect === 'sqlite' ? `max(${lo}, min(${hi}, ${x}))` : `greatest(${lo}, least(${hi}, ${x}))`);
  const h = `(((r.i * 31 + q.position * 17 + 7) * 48271) % ${P})`;
  const [ws, sv] = dialect === 'sqlite' ? ['?', '?'] : ['$1', '$2'];
  return `insert into survey_answers (workspace_id, survey_id, response_id, question_id, seq, value_num, value_text, comment)
    select r.workspace_id, r.survey_id, r.id, q.id, 0,
      case when q.type in ('agreement', 'csat') then ${cl(`r.m + ${h} % 3 - 1`, 1, 5)} when q.type = 'likelihood' then ${cl(`2 * r.m + ${h} % 3 - 1`, 0, 10)} end,
      case when q.type = 'single_choice' then (case ${h} % 3 when 0 then 'office' when 1 then 'home' else 'mixed' end) end,
      case when q.type = 'text' then 'comment ' || r.i end
    from (select workspace_id, survey_id, id, submitted_on - ${BASE} as i, 1 + ((submitted_on - ${BASE}) * 48271) % ${P} % 5 as m from survey_responses where workspace_id = ${ws} and survey_id = ${sv}) r
    cross join (select id, type, position from survey_questions where workspace_id = ${ws} and survey_id = ${sv}) q
    where q.type <> 'text' or ${h} % 5 = 0`;
}

/** Response rows in id order (random-looking ids, as anonymous ones are), 1,000 at a time, with their scores. */
export function* generate(): Generator<unknown[][]> {
  const r = rng(20261215);
  const ids = Array.from({ length: RESPONSES }, () => `rsp_${Array.from({ length: 26 }, () => ALPHABET[Math.floor(r() * 32)]).join('')}`).sort();
  const positions = QUESTIONS.map((q, j) => ({ id: q.id!, type: q.type, j }));
  for (let start = 0; start < RESPONSES; start += CHUNK) {
    const rows: unknown[][] = [];
    for (let i = start; i < Math.min(RESPONSES, start + CHUNK); i++) {
      const answers: Record<string, number | string> = {};
      for (const q of positions) {
        const v = answerOf(i, q.j, q.type);
        if (v !== undefined) answers[q.id] = v;
      }
      const s = respondentScores(META, answers, DEFAULT_SURVEY_SETTINGS);
      rows.push([ids[i]!, TEAMS[Math.floor(r() * TEAMS.length)]!, TENURES[Math.floor(r() * 4)]!, 'employee', null, BASE + i, s.engagement_index, s.classification, ...NEED_DRIVERS.map((d) => s[`d_${d}`])]);
    }
    yield rows;
  }
}

const RESPONSE_COLUMNS = ['id', 'team_id', 'tenure_band', 'person_kind', 'account_tier', 'submitted_on', 'engagement_index', 'classification', ...NEED_DRIVERS.map((d) => `d_${d}`)];
const PEER_SQL = 'select question_id, value_num, count(*) as n from survey_answers where workspace_id = $1 and survey_id = $2 group by question_id, value_num';

/** Tandem on a database: migrated, its services (no HTTP: the report is called directly). */
async function openTandem(opts: DbOptions) {
  const database = openDatabase(opts);
  await migrate(database);
  return { database, services: createServices(database, undefined, { publicUrl: 'http://127.0.0.1', secret: TEST_SECRET }) };
}
type Tandem = Awaited<ReturnType<typeof openTandem>>;

async function createSurvey(services: Services) {
  const ws = await services.workspaces.create({ name: 'Survey bench' });
  const ctx = systemContext(ws.id);
  const s = await services.surveys.create(ctx, ZCreateSurvey.parse({ title: 'Engagement (bench)', kind: 'engagement', privacy: 'confidential', questions: QUESTIONS }));
  await services.db.updateTable('surveys').set({ status: 'closed', opened_at: 1_765_000_000_000, closed_at: 1_766_000_000_000, invited_count: RESPONSES, response_count: RESPONSES }).where('id', '=', s.id).execute();
  return { ws: ws.id, id: s.id, ctx };
}

/** Alternates subject and peer, the first side swapping each round, after one warm-up of each. */
async function measure(report: () => Promise<void>, peer: () => Promise<void>) {
  const time = async (f: () => Promise<void>) => {
    const t0 = process.hrtime.bigint();
    await f();
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  await report();
  await peer();
  const rt: number[] = [];
  const pt: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    if (i % 2) {
      pt.push(await time(peer));
      rt.push(await time(report));
    } else {
      rt.push(await time(report));
      pt.push(await time(peer));
    }
  }
  return { report: median(rt), peer: median(pt) };
}

function checkReport(r: Awaited<ReturnType<Services['surveyReports']['report']>>) {
  assert.equal(r.responses, RESPONSES);
  assert.equal(r.questions.length, 20);
  assert.equal(r.drivers.length, 6);
  assert.ok(r.drivers.every((d) => d.correlation !== null && d.rank !== null));
  assert.ok(r.nps && r.csat && r.engagement);
  // The answers written by SQL agree with the scores JS computed from the same formulas.
  const items = r.questions.filter((q) => q.driver === 'engagement' && q.type === 'agreement');
  const mean = items.reduce((a, q) => a + q.mean!, 0) / items.length;
  assert.ok(Math.abs(r.engagement.index - (mean - 1) * 25) < 0.02, `index ${r.engagement.index} vs items ${(mean - 1) * 25}`);
}

async function sqliteFigure(): Promise<Figure> {
  const t0 = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-survey-bench-'));
  const file = path.join(dir, 'tandem.db');
  let tandem: Tandem | undefined;
  try {
    // The schema and the survey through Tandem; then the rows through a raw connection alone on
    // the file (no journal, the answers' secondary index built after), then Tandem again.
    tandem = await openTandem({ dialect: 'sqlite', file });
    const { ws, id, ctx } = await createSurvey(tandem.services);
    await tandem.database.close();
    const raw = new SQLite(file);
    raw.pragma('journal_mode = off');
    raw.pragma('synchronous = off');
    raw.pragma('cache_size = -524288');
    // Secondary indexes are built after the rows (their definitions read back, so they stay Tandem's).
    const indexes = raw.prepare("select name, sql from sqlite_master where type = 'index' and tbl_name in ('survey_answers', 'survey_responses') and sql is not null").all() as { name: string; sql: string }[];
    for (const ix of indexes) raw.exec(`drop index ${ix.name}`);
    const insR = raw.prepare(`insert into survey_responses (workspace_id, survey_id, ${RESPONSE_COLUMNS.join(', ')}, released) values (?, ?, ${RESPONSE_COLUMNS.map(() => '?').join(', ')}, 1)`);
    const write = raw.transaction((rows: unknown[][]) => {
      for (const row of rows) insR.run(ws, id, ...row);
    });
    for (const rows of generate()) write(rows);
    const answers = raw.prepare(answersSql('sqlite')).run(ws, id, ws, id).changes;
    const tRows = Date.now();
    for (const ix of indexes) raw.exec(ix.sql);
    const tIndex = Date.now();
    raw.pragma('analysis_limit = 1000');
    raw.exec('analyze');
    raw.close();
    info(BENCH, 'report-sqlite data', { responses: RESPONSES, answers, rows_s: (tRows - t0) / 1000, index_s: (tIndex - tRows) / 1000, load_s: (Date.now() - t0) / 1000, file_mb: fs.statSync(file).size / 1e6 });
    tandem = await openTandem({ dialect: 'sqlite', file });
    const reports = tandem.services.surveyReports;
    const peer = openSqliteFile(file);
    const peerStmt = peer.sqlite.prepare(PEER_SQL.replace('$1', '?').replace('$2', '?'));
    const m = await measure(
      async () => checkReport(await reports.report(ctx, id, {})),
      async () => {
        assert.ok(peerStmt.all(ws, id).length > 40);
      },
    );
    await peer.close();
    info(BENCH, 'report-sqlite', { report_ms: m.report, group_by_ms: m.peer });
    return { bench: BENCH, figure: 'report-sqlite', ratio: m.peer / m.report, goal: GOAL };
  } finally {
    await tandem?.database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function postgresUrl(): string | undefined {
  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  return url && /^postgres(ql)?:\/\//.test(url) ? url : undefined;
}

async function pgFigure(): Promise<Figure | null> {
  const url = postgresUrl();
  if (!url) {
    info(BENCH, 'report-pg', { skipped: 'set TEST_DATABASE_URL (or DATABASE_URL) to a PostgreSQL server to measure it' });
    return null;
  }
  process.env.TEST_DATABASE_URL ??= url;
  const t0 = Date.now();
  const tdb = await freshDatabase('postgres');
  const tandem = await openTandem({ dialect: 'postgres', url: tdb.url, poolSize: 5 });
  const client = new pg.Client({ connectionString: tdb.url });
  await client.connect();
  try {
    const { ws, id, ctx } = await createSurvey(tandem.services);
    // Unlogged while loading (the reads are the same either way); the answers' index built after.
    await client.query('alter table survey_answers set unlogged');
    await client.query('alter table survey_responses set unlogged');
    await client.query('set synchronous_commit = off');
    await client.query("set maintenance_work_mem = '1GB'");
    // Indexes and the answers' primary key are built after the rows (definitions read back).
    const { rows: indexes } = await client.query<{ name: string; def: string }>(
      "select indexname as name, indexdef as def from pg_indexes where tablename in ('survey_answers', 'survey_responses') and indexname not in (select conname from pg_constraint)",
    );
    const { rows: keys } = await client.query<{ name: string; def: string }>("select conname as name, pg_get_constraintdef(oid) as def from pg_constraint where conrelid = 'survey_answers'::regclass and contype = 'p'");
    for (const ix of indexes) await client.query(`drop index ${ix.name}`);
    for (const k of keys) await client.query(`alter table survey_answers drop constraint ${k.name}`);
    const cols = RESPONSE_COLUMNS;
    const types = ['text', 'text', 'text', 'text', 'text', 'bigint', 'float8', 'text', ...NEED_DRIVERS.map(() => 'float8')];
    const insR = `insert into survey_responses (workspace_id, survey_id, ${cols.join(', ')}, released) select $1, $2, * , 1 from unnest(${cols.map((_, i) => `$${i + 3}::${types[i]}[]`).join(', ')})`;
    let pending: Promise<unknown> = Promise.resolve();
    // Ten thousand responses per statement; the next batch is generated while one is written.
    let batch: unknown[][] = [];
    const flush = async (b: unknown[][]) => {
      await pending;
      pending = client.query(insR, [ws, id, ...cols.map((_, j) => b.map((row) => row[j]))]);
    };
    for (const rows of generate()) {
      batch.push(...rows);
      if (batch.length >= CHUNK * 10) {
        await flush(batch);
        batch = [];
      }
    }
    if (batch.length) await flush(batch);
    await pending;
    const answers = (await client.query(answersSql('postgres'), [ws, id])).rowCount ?? 0;
    const tRows = Date.now();
    for (const k of keys) await client.query(`alter table survey_answers add constraint ${k.name} ${k.def}`);
    for (const ix of indexes) await client.query(ix.def);
    await client.query('vacuum analyze survey_answers');
    await client.query('vacuum analyze survey_responses');
    info(BENCH, 'report-pg data', { responses: RESPONSES, answers, rows_s: (tRows - t0) / 1000, load_s: (Date.now() - t0) / 1000 });
    const m = await measure(
      async () => checkReport(await tandem.services.surveyReports.report(ctx, id, {})),
      async () => {
        assert.ok((await client.query(PEER_SQL, [ws, id])).rows.length > 40);
      },
    );
    info(BENCH, 'report-pg', { report_ms: m.report, group_by_ms: m.peer, server: new URL(url).host });
    return { bench: BENCH, figure: 'report-pg', ratio: m.peer / m.report, goal: GOAL };
  } finally {
    await client.end();
    await tandem.database.close();
    await tdb.drop();
  }
}

export const surveyBenchmark: Benchmark = {
  figures: ['report-sqlite', 'report-pg'],
  async run(figures) {
    const out: Figure[] = [];
    if (figures.includes('report-sqlite')) out.push(await sqliteFigure());
    if (figures.includes('report-pg')) {
      const f = await pgFigure();
      if (f) out.push(f);
    }
    return out;
  },
};
