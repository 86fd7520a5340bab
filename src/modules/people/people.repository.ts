import { CompiledQuery, PostgresAdapter, sql, type Kysely } from 'kysely';
import { createBulkInserter } from '../../core/db/bulk.js';
import type { AnyDb } from '../../core/db/db.js';
import type SQLite from 'better-sqlite3';
import { prepared, preparedIn } from '../../core/db/prepared.js';

export type Table = 'teams' | 'people' | 'accounts' | 'assignments';
export type Row = Record<string, unknown> & { workspace_id: string; id: string; external_id: string | null };

// The four tables share one shape of query, so the repository works on column names; the
// service owns which columns each resource has.
 
type Db = Kysely<any>;
/**
 * What judging an audience reads of a person and of their account (people.service's
 * audienceContextOf), and no more: a redemption reads its person so, on every request.
 */
const AUDIENCE_ROW_SQL = {
  people: 'select workspace_id, id, external_id, kind, status, team_id, account_id, attributes, erased_at, name from people where workspace_id = ? and id = ?',
  accounts: 'select workspace_id, id, external_id, kind, tier, attributes from accounts where workspace_id = ? and id = ?',
};
const TEAM_CHAIN_SQL = `with recursive up (id, parent_id, manager_id, depth) as (
          select id, parent_id, manager_id, 0 from teams where workspace_id = ? and id = ?
          union all select t.id, t.parent_id, t.manager_id, up.depth + 1 from teams t join up on t.workspace_id = ? and t.id = up.parent_id where up.depth < 999)
        select id, parent_id, manager_id from up`;
const CHUNK = 400;

export interface ListFilter {
  eq: Record<string, unknown>;
  inTeams?: string[] | null;
  inPeople?: string[] | null;
  ids?: string[];
  search?: { columns: string[]; text: string };
  after?: string;
  limit: number;
}

/** eventContextRows on PostgreSQL: each part as a JSON array (rows as objects, the small ones as tuples). */
const EVENT_CONTEXT_PG = `with p as (select * from people where workspace_id = $1 and (id = any($2::text[]) or external_id = any($3::text[]))),
  a as (select * from accounts where workspace_id = $1 and (id = any($4::text[]) or external_id = any($5::text[]) or id in (select account_id from p)))
  select
    (select coalesce(json_agg(p), '[]') from p) as people,
    (select coalesce(json_agg(a), '[]') from a) as accounts,
    (select coalesce(json_agg(json_build_array(t.id, t.parent_id, t.manager_id)), '[]') from teams t where t.workspace_id = $1) as teams,
    (select coalesce(json_agg(json_build_array(x.account_id, x.person_id, x.role) order by x.person_id), '[]')
       from assignments x join people q on q.workspace_id = x.workspace_id and q.id = x.person_id
       where x.workspace_id = $1 and x.account_id in (select id from a) and q.status = 'active') as assignments`;

export function createPeopleRepository(anyDb: AnyDb) {
  const base = anyDb as Db;
  const t = (tx?: AnyDb) => (tx ?? base);
  // Bulk inserts compile their SQL once per shape (bench/people showed Kysely's builder costs
  // more than the insert). One per repository, so per dialect.
  const insertRows = createBulkInserter(400);
  return {
    get: async (tx: AnyDb | undefined, table: Table, ws: string, id: string) => {
      // On SQLite in a transaction: a prepared statement (prepared.ts; a redemption reads its person so).
      const raw = preparedIn(tx, `select * from ${table} where workspace_id = ? and id = ?`);
      if (raw) return raw.get(ws, id) as Row | undefined;
      return t(tx).selectFrom(table).selectAll().where('workspace_id', '=', ws).where('id', '=', id).executeTakeFirst() as Promise<Row | undefined>;
    },
    /** A person's or an account's audience columns, and teamChain, synchronously, on a SQLite connection inside its transaction (prepared.ts's runSync). */
    sync: {
      audienceRow: (sqlite: SQLite.Database, table: 'people' | 'accounts', ws: string, id: string) => prepared(sqlite, AUDIENCE_ROW_SQL[table]).get(ws, id) as Row | undefined,
      teamChain: (sqlite: SQLite.Database, ws: string, teamId: string) => prepared(sqlite, TEAM_CHAIN_SQL).all(ws, teamId, ws) as { id: string; parent_id: string | null; manager_id: string | null }[],
    },
    /** A team and every team above it, up to 1,000 levels (a team audience judges one person by them). */
    teamChain: async (tx: AnyDb | undefined, ws: string, teamId: string) => {
      const text = TEAM_CHAIN_SQL;
      const params = [ws, teamId, ws];
      const raw = preparedIn(tx, text);
      if (raw) return raw.all(params) as { id: string; parent_id: string | null; manager_id: string | null }[];
      let n = 0;
      const db = t(tx);
      const rows = (await db.executeQuery(CompiledQuery.raw(db.getExecutor().adapter instanceof PostgresAdapter ? text.replace(/\?/g, () => `$${++n}`) : text, params))).rows;
      return rows as { id: string; parent_id: string | null; manager_id: string | null }[];
    },

    /**
     * PostgreSQL: what an ingestion batch needs of the people module in one statement (one round
     * trip where the four reads of eventContext took four): the people by id or external id,
     * the accounts by id or external id and those the people belong to, every team of the
     * workspace, and the active people assigned to those accounts. Null on SQLite, where the
     * reads run in process.
     */
    async eventContextRows(tx: AnyDb | undefined, ws: string, q: { personIds: string[]; personExternalIds: string[]; accountIds: string[]; accountExternalIds: string[] }) {
      const db = t(tx);
      if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return null;
      const { rows } = await db.executeQuery<{ people: Row[]; accounts: Row[]; teams: [string, string | null, string | null][]; assignments: [string, string, string][] }>(
        CompiledQuery.raw(EVENT_CONTEXT_PG, [ws, q.personIds, q.personExternalIds, q.accountIds, q.accountExternalIds]),
      );
      const r = rows[0]!;
      return {
        people: r.people,
        accounts: r.accounts,
        teams: r.teams.map(([id, parent_id, manager_id]) => ({ id, parent_id, manager_id })),
        assignments: r.assignments.map(([account_id, person_id, role]) => ({ account_id, person_id, role })),
      };
    },
    /** Rows whose id or external id is in the lists: one query per chunk. */
    async findByKeys(tx: AnyDb | undefined, table: Table, ws: string, ids: string[], externalIds: string[]): Promise<Row[]> {
      const out: Row[] = [];
      for (let i = 0; i < Math.max(ids.length, externalIds.length); i += CHUNK) {
        const idc = ids.slice(i, i + CHUNK);
        const exc = externalIds.slice(i, i + CHUNK);
        const rows = await t(tx)
          .selectFrom(table)
          .selectAll()
          .where('workspace_id', '=', ws)
          .where((eb) => eb.or([...(idc.length ? [eb('id', 'in', idc)] : []), ...(exc.length ? [eb('external_id', 'in', exc)] : [])]))
          .execute();
        out.push(...(rows as Row[]));
      }
      return out;
    },

    findByColumns: (tx: AnyDb | undefined, table: Table, ws: string, values: Record<string, unknown>) => {
      let q = t(tx).selectFrom(table).selectAll().where('workspace_id', '=', ws);
      for (const [col, v] of Object.entries(values)) q = q.where(col, '=', v);
      return q.executeTakeFirst() as Promise<Row | undefined>;
    },
    insertMany: (tx: AnyDb, table: Table, rows: Row[]) => insertRows(tx, table, rows),
    update: (tx: AnyDb, table: Table, ws: string, id: string, patch: Record<string, unknown>) =>
      t(tx).updateTable(table).set(patch).where('workspace_id', '=', ws).where('id', '=', id).execute(),
    remove: (tx: AnyDb, table: Table, ws: string, id: string) => t(tx).deleteFrom(table).where('workspace_id', '=', ws).where('id', '=', id).execute(),

    async list(table: Table, ws: string, f: ListFilter): Promise<Row[]> {
      let q = base.selectFrom(table).selectAll().where('workspace_id', '=', ws);
      for (const [col, v] of Object.entries(f.eq)) if (v !== undefined) q = q.where(col, '=', v);
      if (f.inTeams) q = f.inTeams.length ? q.where('team_id', 'in', f.inTeams) : q.where(sql<boolean>`1 = 0`);
      if (f.ids) q = q.where('id', 'in', f.ids.length ? f.ids : ['']);
      if (f.inPeople) q = f.inPeople.length ? q.where('person_id', 'in', f.inPeople) : q.where(sql<boolean>`1 = 0`);
      if (f.search) {
        const like = `%${f.search.text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        const cols = f.search.columns;
        q = q.where((eb) => eb.or(cols.map((c) => eb(sql`lower(${sql.ref(c)})`, 'like', sql`${like} escape '\\'`))));
      }
      if (f.after) q = q.where('id', '>', f.after);
      return (await q.orderBy('id').limit(f.limit).execute()) as Row[];
    },

    /** Teams are a small tree: loaded whole to walk subtrees and check cycles. */
    allTeams: (ws: string, tx?: AnyDb) =>
      t(tx).selectFrom('teams').select(['id', 'parent_id', 'manager_id']).where('workspace_id', '=', ws).execute() as Promise<{ id: string; parent_id: string | null; manager_id: string | null }[]>,
    memberCounts: async (ws: string, teamIds: string[], tx?: AnyDb) => {
      if (!teamIds.length) return new Map<string, number>();
      const rows = (await t(tx)
        .selectFrom('people')
        .select(['team_id', (eb) => eb.fn.countAll().as('n')])
        .where('workspace_id', '=', ws)
        .where('status', '=', 'active')
        .where('team_id', 'in', teamIds)
        .groupBy('team_id')
        .execute()) as { team_id: string; n: number | string }[];
      return new Map(rows.map((r) => [r.team_id, Number(r.n)]));
    },
    countWhere: async (tx: AnyDb | undefined, table: Table, ws: string, col: string, value: string) => {
      const r = (await t(tx).selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where('workspace_id', '=', ws).where(col, '=', value).executeTakeFirst()) as { n: number | string };
      return Number(r.n);
    },
    allTeamsFull: (ws: string, tx?: AnyDb) =>
      t(tx).selectFrom('teams').select(['id', 'parent_id', 'manager_id']).where('workspace_id', '=', ws).execute() as Promise<{ id: string; parent_id: string | null; manager_id: string | null }[]>,
    assignmentsOfAccounts: async (tx: AnyDb | undefined, ws: string, accountIds: string[]) =>
      accountIds.length
        ? ((await t(tx).selectFrom('assignments as a').innerJoin('people as p', (j) => j.onRef('p.workspace_id', '=', 'a.workspace_id').onRef('p.id', '=', 'a.person_id')).select(['a.account_id', 'a.person_id', 'a.role']).where('a.workspace_id', '=', ws).where('a.account_id', 'in', accountIds).where('p.status', '=', 'active').orderBy('a.person_id').execute()) as { account_id: string; person_id: string; role: string }[])
        : [],
    activeMemberIds: async (tx: AnyDb | undefined, ws: string, teamId: string) =>
      ((await t(tx).selectFrom('people').select('id').where('workspace_id', '=', ws).where('team_id', '=', teamId).where('status', '=', 'active').orderBy('id').execute()) as { id: string }[]).map((r) => r.id),
    /** Every active, not erased person (comms: a program's audience is judged over them). */
    /** The active, not erased contacts of an account. */
    accountContactIds: async (ws: string, accountId: string) =>
      ((await base.selectFrom('people').select('id').where('workspace_id', '=', ws).where('account_id', '=', accountId).where('status', '=', 'active').where('erased_at', 'is', null).orderBy('id').execute()) as { id: string }[]).map((r) => r.id),
    activePersonIds: async (ws: string) =>
      ((await base.selectFrom('people').select('id').where('workspace_id', '=', ws).where('status', '=', 'active').where('erased_at', 'is', null).orderBy('id').execute()) as { id: string }[]).map((r) => r.id),
    peopleIdsInTeams: async (ws: string, teamIds: string[]) =>
      teamIds.length
        ? ((await base.selectFrom('people').select('id').where('workspace_id', '=', ws).where('team_id', 'in', teamIds).execute()) as { id: string }[]).map((r) => r.id)
        : [],
  };
}
export type PeopleRepository = ReturnType<typeof createPeopleRepository>;

