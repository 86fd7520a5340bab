import { parse } from 'csv-parse/sync';
import type SQLite from 'better-sqlite3';
import type { AnyDb } from '../../core/db/db.js';
import type { Ids } from '../../core/ids.js';
import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import { answerWith } from '../../core/db/tx-hooks.js';
import type { AuthContext } from '../../core/auth.js';
import { AppError, notFound, type FieldError } from '../../core/errors.js';
import { decodeCursor, toPage } from '../../core/http/pagination.js';
import type { AuditService } from '../audit/index.js';
import { createPeopleRepository, type Row, type Table } from './people.repository.js';
import { createRecordsEngine, type WriteItem, type WriteResult } from './people.records.js';
import { SPECS, type ResourceSpec } from './people.resources.js';
import { ZPatchAccount, ZPatchAssignment, ZPatchPerson, ZPatchTeam, type TImportKind } from './people.schema.js';

export type Resource = keyof typeof SPECS;

// eventContext's shapes of people, accounts and teams.
const parseJson = (v: unknown) => (typeof v === 'string' ? (JSON.parse(v) as Record<string, unknown>) : {});
const contextPerson = (p: Row) => ({ id: p.id, externalId: String(p.external_id), kind: String(p.kind), status: String(p.status), teamId: (p.team_id as string) ?? null, accountId: (p.account_id as string) ?? null, attributes: parseJson(p.attributes), erased: p.erased_at != null });
const contextAccount = (a: Row) => ({ id: a.id, externalId: String(a.external_id), kind: String(a.kind), tier: (a.tier as string) ?? null, attributes: parseJson(a.attributes) });
const contextTeam = (t: { id: string; parent_id: string | null; manager_id: string | null }) => ({ id: t.id, parentId: t.parent_id, managerId: t.manager_id });
/** One person's context for judging an audience: the person, their account and the teams above theirs when asked for. */
const audienceContextOf = (p: Row, account: Row | undefined, teams: { id: string; parent_id: string | null; manager_id: string | null }[]) => ({
  name: (p.name as string | null) ?? null,
  people: [contextPerson(p)],
  accounts: account ? [contextAccount(account)] : [],
  teams: teams.map(contextTeam),
  assignments: [],
});
type Input = Record<string, unknown>;
export interface ListQuery {
  limit: number;
  cursor?: string;
  q?: string;
  [filter: string]: unknown;
}

const FILTERS: Record<Resource, Record<string, string>> = {
  teams: { parentId: 'parent_id', externalId: 'external_id' },
  people: { kind: 'kind', teamId: 'team_id', accountId: 'account_id', status: 'status', externalId: 'external_id' },
  accounts: { kind: 'kind', tier: 'tier', region: 'region', status: 'status', externalId: 'external_id' },
  assignments: { personId: 'person_id', accountId: 'account_id', role: 'role' },
};
const READ_PERMISSION = { teams: 'org.read', accounts: 'org.read', people: 'people.read', assignments: 'people.read' } as const;

/** CSV columns each import reads (attributes.* columns are read for people and accounts too). */
export const CSV_COLUMNS: Record<TImportKind, string[]> = {
  teams: ['externalId', 'name', 'parentExternalId', 'managerExternalId'],
  people: ['kind', 'externalId', 'name', 'email', 'teamExternalId', 'accountExternalId', 'hireDate', 'status', 'locale', 'timezone'],
  accounts: ['kind', 'externalId', 'name', 'tier', 'region', 'status'],
  assignments: ['externalId', 'personExternalId', 'accountExternalId', 'role'],
};

const CSV_SCHEMAS = { teams: ZPatchTeam, people: ZPatchPerson, accounts: ZPatchAccount, assignments: ZPatchAssignment };

export function createPeopleService(deps: { db: AnyDb; ids: Ids; clock: Clock; audit: AuditService }) {
  const repo = createPeopleRepository(deps.db);
  const engine = createRecordsEngine({ repo, ids: deps.ids, clock: deps.clock, audit: deps.audit });

  /** For a manager: the teams they manage and everything under them; null means no limit. */
  async function visibleTeams(ctx: AuthContext): Promise<string[] | null> {
    if (ctx.role !== 'manager') return null;
    if (!ctx.personId) return [];
    const all = await repo.allTeams(ctx.workspaceId);
    const children = new Map<string | null, string[]>();
    for (const t of all) children.set(t.parent_id, [...(children.get(t.parent_id) ?? []), t.id]);
    const out = new Set<string>();
    const stack = all.filter((t) => t.manager_id === ctx.personId).map((t) => t.id);
    while (stack.length) {
      const id = stack.pop()!;
      if (out.has(id)) continue;
      out.add(id);
      stack.push(...(children.get(id) ?? []));
    }
    return [...out];
  }

  async function canSee(ctx: AuthContext, resource: Resource, row: Row): Promise<boolean> {
    const teams = await visibleTeams(ctx);
    if (!teams) return true;
    if (resource === 'people') return teams.includes(String(row.team_id));
    if (resource === 'assignments') return (await repo.peopleIdsInTeams(ctx.workspaceId, teams)).includes(String(row.person_id));
    return true;
  }

  async function decorate(resource: Resource, ws: string, rows: Row[], tx?: AnyDb) {
    if (resource !== 'teams' || !rows.length) return rows;
    const counts = await repo.memberCounts(ws, rows.map((r) => r.id), tx);
    return rows.map((r) => ({ ...r, member_count: counts.get(r.id) ?? 0 }));
  }
  const api = (resource: Resource, r: Row) => SPECS[resource].toApi(r);

  async function writeOne(ctx: AuthContext, resource: Resource, item: WriteItem) {
    ctx.require('org.write');
    return deps.db.transaction().execute(async (tx) => {
      const [res] = await engine.write(tx, ctx, SPECS[resource], [item]);
      if (res!.status === 'rejected') {
        const detail = res!.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
        throw new AppError(res!.code ?? 'validation_failed', { detail, errors: res!.errors });
      }
      const [row] = await decorate(resource, ctx.workspaceId, [res!.row!], tx);
      const answer = api(resource, row!);
      // A create answers the record: an Idempotency-Key keeps that answer with the write.
      if (item.mode === 'create') await answerWith(tx, answer);
      return { status: res!.status, item: answer };
    });
  }

  const summarise = (results: WriteResult[]) => ({
    created: results.filter((r) => r.status === 'created').length,
    updated: results.filter((r) => r.status === 'updated').length,
    unchanged: results.filter((r) => r.status === 'unchanged').length,
    rejected: results.filter((r) => r.status === 'rejected').length,
  });

  // Other modules that keep copies of a person's data scrub them in the erasure's transaction.
  const erasureHooks: ((tx: AnyDb, workspaceId: string, personId: string) => Promise<void>)[] = [];

  const service = {
    /** Registers a scrubber run inside every erasure (comms: inbox messages and stored mail). */
    onErase(hook: (tx: AnyDb, workspaceId: string, personId: string) => Promise<void>) {
      erasureHooks.push(hook);
    },

    async list(ctx: AuthContext, resource: Resource, q: ListQuery) {
      ctx.require(READ_PERMISSION[resource]);
      const spec = SPECS[resource];
      const eq = Object.fromEntries(Object.entries(FILTERS[resource]).map(([k, col]) => [col, q[k]]));
      const teams = await visibleTeams(ctx);
      const inTeams = resource === 'people' ? teams : null;
      const inPeople = resource === 'assignments' && teams ? await repo.peopleIdsInTeams(ctx.workspaceId, teams) : null;
      const rows = await repo.list(spec.table, ctx.workspaceId, {
        eq,
        inTeams,
        inPeople,
        search: q.q ? { columns: spec.search, text: q.q } : undefined,
        ids: typeof q.ids === 'string' ? q.ids.split(',').map((s) => s.trim()).filter(Boolean).slice(0, 100) : undefined,
        after: decodeCursor(q.cursor),
        limit: q.limit + 1,
      });
      const page = toPage(rows, q.limit, (r) => r);
      const data = await decorate(resource, ctx.workspaceId, page.data);
      return { data: data.map((r) => api(resource, r)), nextCursor: page.nextCursor };
    },

    async get(ctx: AuthContext, resource: Resource, id: string) {
      ctx.require(READ_PERMISSION[resource]);
      const row = await repo.get(undefined, SPECS[resource].table, ctx.workspaceId, id);
      if (!row || !(await canSee(ctx, resource, row))) throw notFound(SPECS[resource].noun);
      const [r] = await decorate(resource, ctx.workspaceId, [row]);
      return api(resource, r!);
    },

    create: async (ctx: AuthContext, resource: Resource, input: Input) => (await writeOne(ctx, resource, { mode: 'create', input })).item,
    patch: async (ctx: AuthContext, resource: Resource, id: string, input: Input) => (await writeOne(ctx, resource, { mode: 'patch', id, input })).item,
    /** PUT by external id: replaces, or creates (created: true). */
    async put(ctx: AuthContext, resource: Resource, externalId: string, input: Input) {
      const r = await writeOne(ctx, resource, { mode: 'replace', externalId, input });
      return { created: r.status === 'created', item: r.item };
    },

    /** Up to 1,000 upserts by external id; one result per item; one bad item stops none. */
    async batch(ctx: AuthContext, resource: Resource, items: Input[]) {
      ctx.require('org.write');
      // The input goes as it came: the engine reads externalId from the item, not as a column.
      const writes = items.map((input): WriteItem => ({ mode: 'replace', externalId: (input.externalId as string | null | undefined) ?? null, input }));
      const results = await deps.db.transaction().execute((tx) => engine.write(tx, ctx, SPECS[resource], writes));
      return {
        summary: summarise(results),
        results: results.map((r, index) => (r.code ? { index, externalId: r.externalId, status: r.status, id: r.id, code: r.code, errors: r.errors } : { index, externalId: r.externalId, status: r.status, id: r.id, errors: r.errors })),
      };
    },

    /** Teams are deleted when empty; people and accounts are deactivated; assignments deleted. */
    async remove(ctx: AuthContext, resource: Resource, id: string) {
      ctx.require('org.write');
      const spec = SPECS[resource];
      if (resource === 'people' || resource === 'accounts') return { deleted: false, item: await service.patch(ctx, resource, id, { status: 'inactive' }) };
      await deps.db.transaction().execute(async (tx) => {
        const row = await repo.get(tx, spec.table, ctx.workspaceId, id);
        if (!row) throw notFound(spec.noun);
        if (resource === 'teams') {
          const members = await repo.countWhere(tx, 'people', ctx.workspaceId, 'team_id', id);
          const children = await repo.countWhere(tx, 'teams', ctx.workspaceId, 'parent_id', id);
          if (members || children) throw new AppError('conflict', { detail: `The team still has ${members} member(s) and ${children} sub-team(s); move them first` });
        }
        await repo.remove(tx, spec.table, ctx.workspaceId, id);
        await deps.audit.record(tx, ctx, { action: `${spec.auditType}.deleted`, targetType: spec.auditType, targetId: id, before: spec.toApi(row) });
      });
      return { deleted: true, item: null };
    },

    /**
     * Erasure: the person's name, email and attributes are scrubbed (here and in the audit
     * log's copies); the id, the external id (a tombstone, so a re-import cannot bring the data
     * back) and their history stay.
     */
    async erase(ctx: AuthContext, id: string) {
      ctx.require('people.erase');
      return deps.db.transaction().execute(async (tx) => {
        const row = await repo.get(tx, 'people', ctx.workspaceId, id);
        if (!row) throw notFound('Person');
        const now = deps.clock.now();
        const patch = { name: null, email: null, attributes: '{}', locale: null, timezone: null, status: 'inactive', erased_at: row.erased_at ?? now, updated_at: now };
        await repo.update(tx, 'people', ctx.workspaceId, id, patch);
        await deps.audit.scrub(tx, ctx.workspaceId, id, SPECS.people.personal!);
        for (const scrub of erasureHooks) await scrub(tx, ctx.workspaceId, id);
        await deps.audit.record(tx, ctx, { action: 'person.erased', targetType: 'person', targetId: id });
        return api('people', { ...row, ...patch });
      });
    },

    /** A signed-in participant's own record, team and account. */
    async me(ctx: AuthContext) {
      if (!ctx.personId) return { person: null, team: null, account: null };
      const person = await repo.get(undefined, 'people', ctx.workspaceId, ctx.personId);
      if (!person) return { person: null, team: null, account: null };
      const team = person.team_id ? await repo.get(undefined, 'teams', ctx.workspaceId, String(person.team_id)) : undefined;
      const account = person.account_id ? await repo.get(undefined, 'accounts', ctx.workspaceId, String(person.account_id)) : undefined;
      return {
        person: api('people', person),
        team: team ? api('teams', (await decorate('teams', ctx.workspaceId, [team]))[0]!) : null,
        account: account ? api('accounts', account) : null,
      };
    },

    /**
     * CSV import: each row merges its columns into the record with its external id (a missing
     * column keeps the value, an empty cell clears it). Rows refer to others by external id, in
     * any order. The same file twice changes nothing.
     */
    async importCsv(ctx: AuthContext, kind: TImportKind, text: string) {
      ctx.require('org.write');
      let records: string[][];
      try {
        const parsed: unknown = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true });
        records = parsed as string[][];
      } catch (err) {
        throw new AppError('validation_failed', { detail: `The file is not valid CSV: ${(err as Error).message}`, path: 'file' });
      }
      if (records.length > 100_001) throw new AppError('payload_too_large', { detail: 'At most 100,000 rows per file' });
      const [header, ...rows] = records;
      if (!header?.length) throw new AppError('validation_failed', { detail: 'The file has no header row', path: 'file' });
      const known = CSV_COLUMNS[kind];
      const allowAttributes = kind === 'people' || kind === 'accounts';
      const unknown = header.filter((h) => !known.includes(h) && !(allowAttributes && /^attributes\.[^.]+$/.test(h)));
      if (unknown.length) {
        throw new AppError('validation_failed', {
          detail: `Unknown column(s): ${unknown.join(', ')}. Known: ${known.join(', ')}${allowAttributes ? ', attributes.<name>' : ''}`,
          errors: unknown.map((h) => ({ path: `column ${h}`, message: 'unknown column' })),
        });
      }
      const parsed = rows.map((cells) => parseCsvRow(kind, header, cells));
      const writes: WriteItem[] = parsed.map((p) => ({ mode: 'merge', externalId: p.externalId, input: p.input }));
      const ok = parsed.map((p, i) => (p.errors.length ? -1 : i)).filter((i) => i >= 0);
      const results: WriteResult[] = parsed.map((p) => ({ status: 'rejected', id: null, externalId: p.externalId ?? null, code: 'validation_failed', errors: p.errors }));
      // Teams refer to teams in any order, so a teams file is written in one piece; others in slices.
      const sliceSize = kind === 'teams' ? ok.length || 1 : 1000;
      for (let i = 0; i < ok.length; i += sliceSize) {
        const slice = ok.slice(i, i + sliceSize);
        const out = await deps.db.transaction().execute((tx) => engine.write(tx, ctx, SPECS[kind], slice.map((j) => writes[j]!)));
        slice.forEach((j, k) => (results[j] = out[k]!));
      }
      return {
        summary: summarise(results),
        rows: results.map((r, i) => ({ row: i + 1, externalId: r.externalId, status: r.status, id: r.id, ...(r.code && r.status === 'rejected' ? { code: r.code } : {}), errors: r.errors })),
      };
    },

    /**
     * What the engine needs to judge events: the people and accounts they name (by id or
     * external id), the team tree with its managers, and who serves those accounts.
     */
    async eventContext(tx: AnyDb | undefined, ws: string, q: { personIds: string[]; personExternalIds: string[]; accountIds: string[]; accountExternalIds: string[] }) {
      const one = await repo.eventContextRows(tx, ws, q);
      if (one) {
        return {
          people: one.people.map(contextPerson),
          accounts: one.accounts.map(contextAccount),
          teams: one.teams.map(contextTeam),
          assignments: one.assignments.map((a) => ({ accountId: a.account_id, personId: a.person_id, role: a.role })),
        };
      }
      const people = await repo.findByKeys(tx, 'people', ws, q.personIds, q.personExternalIds);
      const accounts = await repo.findByKeys(tx, 'accounts', ws, q.accountIds, [...q.accountExternalIds]);
      const extraAccounts = people.map((p) => p.account_id as string | null).filter((a): a is string => !!a && !accounts.some((x) => x.id === a));
      if (extraAccounts.length) accounts.push(...(await repo.findByKeys(tx, 'accounts', ws, [...new Set(extraAccounts)], [])));
      const teams = await repo.allTeamsFull(ws, tx);
      const assignments = await repo.assignmentsOfAccounts(tx, ws, accounts.map((a) => a.id));
      return {
        people: people.map(contextPerson),
        accounts: accounts.map(contextAccount),
        teams: teams.map(contextTeam),
        assignments: assignments.map((a) => ({ accountId: a.account_id, personId: a.person_id, role: a.role })),
      };
    },

    /**
     * What an audience may read of one person, in eventContext's shape, reading only what is
     * asked: the person, the teams above theirs (`teams`, for team audiences) and their account
     * (`account`, for tier audiences). No assignments: an audience does not read them. Null when
     * the person is not in the workspace. `name`: the person's, for whoever asks.
     */
    async audienceContext(tx: AnyDb | undefined, ws: string, personId: string, need: { teams: boolean; account: boolean }) {
      const p = await repo.get(tx, 'people', ws, personId);
      if (!p) return null;
      const account = need.account && p.account_id ? await repo.get(tx, 'accounts', ws, p.account_id as string) : undefined;
      const teams = need.teams && p.team_id ? await repo.teamChain(tx, ws, p.team_id as string) : [];
      return audienceContextOf(p, account, teams);
    },
    /** audienceContext, synchronously, on a SQLite connection inside its transaction (prepared.ts's runSync). */
    audienceContextSync(sqlite: SQLite.Database, ws: string, personId: string, need: { teams: boolean; account: boolean }) {
      const p = repo.sync.audienceRow(sqlite, 'people', ws, personId);
      if (!p) return null;
      const account = need.account && p.account_id ? repo.sync.audienceRow(sqlite, 'accounts', ws, p.account_id as string) : undefined;
      const teams = need.teams && p.team_id ? repo.sync.teamChain(sqlite, ws, p.team_id as string) : [];
      return audienceContextOf(p, account, teams);
    },

    /** Team ids by their external ids (those that exist). */
    async teamIdsByExternalId(ws: string, externalIds: string[]) {
      return new Map((await repo.findByKeys(undefined, 'teams', ws, [], [...new Set(externalIds)])).map((t) => [String(t.external_id), t.id]));
    },

    /** The active members of one team (not its sub-teams), for team goal payouts. */
    teamMembers: (tx: AnyDb | undefined, ws: string, teamId: string) => repo.activeMemberIds(tx, ws, teamId),

    /** The active, not erased contacts of an account, by id (the customer engagement score). */
    accountContactIds: (ws: string, accountId: string) => repo.accountContactIds(ws, accountId),
    /** Every active, not erased person of the workspace, by id. */
    activePersonIds: (ws: string) => repo.activePersonIds(ws),
    /** What messages need of people, by id, in one read per 500 (erased people carry erasedAt). */
    async recipients(ws: string, ids: string[]) {
      const rows = await repo.findByKeys(undefined, 'people', ws, [...new Set(ids)], []);
      return new Map(
        rows.map((r) => [
          r.id,
          { name: (r.name as string | null) ?? null, email: (r.email as string | null) ?? null, locale: (r.locale as string | null) ?? null, timezone: (r.timezone as string | null) ?? null, erasedAt: toIso((r.erased_at as number | null) ?? null) },
        ]),
      );
    },
    /** Names of people, by id (erased people have none). */
    async namesOf(ws: string, ids: string[]) {
      const rows = await repo.findByKeys(undefined, 'people', ws, ids, []);
      return new Map(rows.map((r) => [r.id, (r.name as string | null) ?? null]));
    },
    /**
     * Whose figures a caller may see: null for no limit; for a manager, the people of the teams
     * they manage and every team under them (other modules narrow their reports with it).
     */
    async visiblePeople(ctx: AuthContext): Promise<{ teams: Set<string>; people: Set<string> } | null> {
      const teams = await visibleTeams(ctx);
      if (!teams) return null;
      return { teams: new Set(teams), people: new Set(await repo.peopleIdsInTeams(ctx.workspaceId, teams)) };
    },

    /** Names of teams, by id (survey report breakdowns label their cells with them). */
    async teamNames(ws: string, ids: string[]) {
      const rows = ids.length ? await repo.findByKeys(undefined, 'teams', ws, [...new Set(ids)], []) : [];
      return new Map(rows.map((r) => [r.id, String(r.name)]));
    },
    /**
     * For a manager: the teams they manage themselves (`own`, sorted) and every team they may see
     * (`all`: those and every team under them); null for any other role (no limit).
     */
    async managerTeams(ctx: AuthContext): Promise<{ own: string[]; all: Set<string> } | null> {
      const all = await visibleTeams(ctx);
      if (!all) return null;
      const own = ctx.personId ? (await repo.allTeams(ctx.workspaceId)).filter((t) => t.manager_id === ctx.personId).map((t) => t.id).sort() : [];
      return { own, all: new Set(all) };
    },
    /**
     * What a survey invitation captures of people, by id: team, kind, account tier and hire date
     * (for a tenure band), as they are now; later reorganisations do not rewrite it.
     */
    async surveyGrouping(ws: string, ids: string[]) {
      const rows = await repo.findByKeys(undefined, 'people', ws, [...new Set(ids)], []);
      const accountIds = [...new Set(rows.map((r) => r.account_id as string | null).filter((a): a is string => !!a))];
      const accounts = accountIds.length ? await repo.findByKeys(undefined, 'accounts', ws, accountIds, []) : [];
      const tiers = new Map(accounts.map((a) => [a.id, (a.tier as string | null) ?? null]));
      return new Map(
        rows.map((r) => [
          r.id,
          { teamId: (r.team_id as string | null) ?? null, kind: String(r.kind), accountTier: r.account_id ? (tiers.get(r.account_id as string) ?? null) : null, hireDate: (r.hire_date as string | null) ?? null },
        ]),
      );
    },

    async personExists(workspaceId: string, id: string) {
      return !!(await repo.get(undefined, 'people', workspaceId, id));
    },
  };
  return service;
}
export type PeopleService = ReturnType<typeof createPeopleService>;

/** One CSV row to the fields of an upsert; cells are validated by the same rules as the API. */
function parseCsvRow(kind: TImportKind, header: string[], cells: string[]) {
  const input: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  let externalId: string | undefined;
  const attributes: Record<string, unknown> = {};
  header.forEach((h, i) => {
    const raw = cells[i];
    if (raw === undefined) return; // a short row keeps what it does not mention
    const v = raw === '' ? null : raw;
    if (h === 'externalId') externalId = raw || undefined;
    else if (h.startsWith('attributes.')) attributes[h.slice(11)] = v;
    else input[h] = v;
  });
  if (Object.keys(attributes).length) input.attributes = attributes;
  if (!externalId) errors.push({ path: 'externalId', message: 'required' });
  // The same rules as the API: a cell is checked by the PATCH schema of its resource.
  const checked = CSV_SCHEMAS[kind].safeParse(input);
  if (!checked.success) for (const i of checked.error.issues) errors.push({ path: i.path.join('.') || '(row)', message: i.message });
  return { externalId, input, errors };
}

export type { ResourceSpec, Table };
