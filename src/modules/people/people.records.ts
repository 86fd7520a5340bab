import type { AnyDb } from '../../core/db/db.js';
import type { Ids } from '../../core/ids.js';
import type { Clock } from '../../core/clock.js';
import type { AuthContext } from '../../core/auth.js';
import type { ErrorCode, FieldError } from '../../core/errors.js';
import type { AuditBatchItem, AuditEntry, AuditService } from '../audit/index.js';
import type { PeopleRepository, Row, Table } from './people.repository.js';
import type { ResourceSpec } from './people.resources.js';

/**
 * create: new only (409 on a taken external id); replace: PUT and batch upsert by external id;
 * merge: CSV rows (given columns only, the rest kept); patch: PATCH by id.
 */
export type Mode = 'create' | 'replace' | 'merge' | 'patch';
export interface WriteItem {
  mode: Mode;
  id?: string;
  externalId?: string | null;
  input: Record<string, unknown>;
}
export interface WriteResult {
  status: 'created' | 'updated' | 'unchanged' | 'rejected';
  id: string | null;
  externalId: string | null;
  row?: Row;
  code?: ErrorCode;
  errors: FieldError[];
}

const rejected = (extIn: string | null | undefined, code: ErrorCode, errors: FieldError[]): WriteResult => ({ status: 'rejected', id: null, externalId: extIn ?? null, code, errors });
const same = (a: unknown, b: unknown) => (a ?? null) === (b ?? null) || String(a) === String(b);

/**
 * The write path shared by teams, people, accounts and assignments: one item or a thousand
 * go through the same set-based steps (load what exists and what is referred to, decide each
 * item, write inserts in bulk), inside the caller's transaction.
 */
export function createRecordsEngine(deps: { repo: PeopleRepository; ids: Ids; clock: Clock; audit: AuditService }) {
  const { repo } = deps;

  async function write(tx: AnyDb, ctx: AuthContext, spec: ResourceSpec, items: WriteItem[]): Promise<WriteResult[]> {
    const ws = ctx.workspaceId;
    const now = deps.clock.now();

    // Rows by table, by id and by external id: what exists, what is referred to, what this batch adds.
    const byId = new Map<Table, Map<string, Row>>();
    const byExt = new Map<Table, Map<string, Row>>();
    const remember = (table: Table, r: Row) => {
      if (!byId.has(table)) byId.set(table, new Map());
      if (!byExt.has(table)) byExt.set(table, new Map());
      byId.get(table)!.set(r.id, r);
      if (r.external_id != null) byExt.get(table)!.set(String(r.external_id), r);
    };
    const wanted = new Map<Table, { ids: Set<string>; exts: Set<string> }>();
    const want = (table: Table, id?: unknown, ext?: unknown) => {
      if (!wanted.has(table)) wanted.set(table, { ids: new Set(), exts: new Set() });
      const w = wanted.get(table)!;
      if (typeof id === 'string') w.ids.add(id);
      if (typeof ext === 'string') w.exts.add(ext);
    };
    for (const it of items) {
      want(spec.table, it.id, it.externalId ?? it.input.externalId);
      for (const ref of spec.refs) want(ref.table, it.input[ref.input], it.input[ref.extInput]);
    }
    for (const [table, w] of wanted) {
      for (const r of await repo.findByKeys(tx, table, ws, [...w.ids], [...w.exts])) remember(table, r);
    }
    const lookup = (table: Table, id: unknown) => (typeof id === 'string' ? byId.get(table)?.get(id) : undefined);

    const order = spec.refs.some((r) => r.table === spec.table) ? parentsFirst(spec, items) : items.map((_, i) => i);
    const teams = spec.table === 'teams' ? new Map((await repo.allTeams(ws, tx)).map((t) => [t.id, t.parent_id])) : null;

    const columns = Object.entries(spec.columns);
    const results: WriteResult[] = new Array(items.length);
    const inserts: Row[] = [];
    const pending = new Set<string>();
    const updates: { id: string; patch: Record<string, unknown> }[] = [];
    const audits: AuditPart[] = [];
    const naturalKeys = new Map<string, string>();

    for (const i of order) {
      const it = items[i]!;
      const extIn = (it.externalId ?? it.input.externalId) as string | null | undefined;
      const existing = it.mode === 'patch' ? lookup(spec.table, it.id) : extIn != null ? byExt.get(spec.table)?.get(extIn) : undefined;
      if (it.mode === 'patch' && !existing) { results[i] = rejected(extIn, 'not_found', [{ path: 'id', message: `${spec.noun} not found` }]); continue; }
      if (it.mode === 'create' && existing) { results[i] = rejected(extIn, 'conflict', [{ path: 'externalId', message: `a ${spec.noun.toLowerCase()} with this external id exists` }]); continue; }
      if (existing?.erased_at) { results[i] = rejected(extIn, 'conflict', [{ path: it.mode === 'patch' ? 'id' : 'externalId', message: 'this person was erased: the record cannot change, and its external id cannot be used again' }]); continue; }
      if (spec.externalIdRequired && !existing && extIn == null) { results[i] = rejected(extIn, 'validation_failed', [{ path: 'externalId', message: 'required' }]); continue; }

      const errors: FieldError[] = [];
      const fresh = !existing || it.mode === 'replace';
      // Object.assign rather than spread for the rows built per item: V8 gives a spread copy a
      // map that takes the slow path when keys are added next (≈3 µs an item in bench/people).
      const next = (existing ? Object.assign({}, existing, it.mode === 'replace' ? spec.defaults : undefined) : Object.assign({}, spec.defaults)) as Row;
      for (const [key, col] of columns) {
        if (!(key in it.input)) continue;
        const v = it.input[key];
        if (col === 'attributes') {
          const base: Record<string, unknown> = fresh ? {} : (JSON.parse(String(next.attributes ?? '{}')) as Record<string, unknown>);
          // A null attribute means 'no value': it is removed, never stored.
          const incoming = v as Record<string, unknown> | null;
          for (const k in incoming) {
            if (incoming[k] === null) delete base[k];
            else base[k] = incoming[k];
          }
          next.attributes = JSON.stringify(base);
        } else next[col] = v;
      }
      if (extIn !== undefined && it.mode === 'patch') {
        const other = extIn != null ? byExt.get(spec.table)?.get(extIn) : undefined;
        if (other && other.id !== existing!.id) errors.push({ path: 'externalId', message: 'another record has this external id' });
        next.external_id = extIn;
      }
      let refMissing = false;
      for (const ref of spec.refs) {
        const hasId = ref.input in it.input;
        const hasExt = ref.extInput in it.input;
        if (hasId && hasExt && it.input[ref.input] != null && it.input[ref.extInput] != null) {
          errors.push({ path: ref.extInput, message: `give ${ref.input} or ${ref.extInput}, not both` });
          continue;
        }
        if (hasId && (it.input[ref.input] != null || !hasExt)) {
          const v = it.input[ref.input] as string | null;
          if (v != null && !lookup(ref.table, v)) { errors.push({ path: ref.input, message: `${ref.noun} not found` }); refMissing = true; }
          next[ref.column] = v;
        } else if (hasExt) {
          const v = it.input[ref.extInput] as string | null;
          const target = v != null ? byExt.get(ref.table)?.get(v) : undefined;
          if (v != null && !target) { errors.push({ path: ref.extInput, message: `no ${ref.noun} with external id ${v}` }); refMissing = true; }
          next[ref.column] = target?.id ?? null;
        }
      }
      if (!existing) for (const [key, col] of columns) if (next[col] === undefined) errors.push({ path: key, message: 'required' });
      if (teams && existing && next.parent_id && next.parent_id !== existing.parent_id) {
        for (let p: string | null | undefined = next.parent_id as string, n = 0; p && n < 10_000; p = teams.get(p), n++) {
          if (p === existing.id) { errors.push({ path: 'parentId', message: 'this would put the team inside itself' }); break; }
        }
      }
      errors.push(...spec.check(next, lookup));
      if (spec.naturalKey && !errors.length) {
        const nk = spec.naturalKey.map((c) => String(next[c])).join('\u0000');
        const twin = naturalKeys.get(nk) ?? (await repo.findByColumns(tx, spec.table, ws, Object.fromEntries(spec.naturalKey.map((c) => [c, next[c]]))))?.id;
        if (twin && twin !== existing?.id) errors.push({ path: spec.naturalKey.map((c) => c.replace(/_id$/, 'Id')).join('+'), message: `the same ${spec.noun.toLowerCase()} exists (${twin})` });
      }
      if (errors.length && errors.some((e) => e.message.startsWith('the same '))) { results[i] = rejected(extIn, 'conflict', errors); continue; }
      if (errors.length) { results[i] = rejected(extIn, refMissing && errors.every((e) => e.message.includes('not found') || e.message.startsWith('no ')) ? 'not_found' : 'validation_failed', errors); continue; }

      if (existing) {
        const changed = Object.keys(next).filter((c) => c !== 'updated_at' && c !== 'member_count' && !same(next[c], existing[c]));
        if (!changed.length) { results[i] = { status: 'unchanged', id: existing.id, externalId: existing.external_id, row: existing, errors: [] }; continue; }
        next.updated_at = now;
        const patch = Object.fromEntries(changed.map((c) => [c, next[c]]));
        if (pending.has(existing.id)) Object.assign(existing, patch, { updated_at: now });
        else updates.push({ id: existing.id, patch: { ...patch, updated_at: now } });
        remember(spec.table, next);
        if (teams) teams.set(next.id, (next.parent_id as string) ?? null);
        audits.push({ id: existing.id, change: 'updated', ...changes(spec.toApi(existing), spec.toApi(next)) });
        results[i] = { status: 'updated', id: existing.id, externalId: (next.external_id) ?? null, row: next, errors: [] };
      } else {
        // The new row is `next` itself, completed (every new row gains its keys in one order).
        const row = next;
        row.workspace_id = ws;
        row.id = deps.ids.next(spec.prefix);
        row.external_id = extIn ?? null;
        row.created_at = now;
        row.updated_at = now;
        inserts.push(row);
        pending.add(row.id);
        remember(spec.table, row);
        if (teams) teams.set(row.id, (row.parent_id as string) ?? null);
        if (spec.naturalKey) naturalKeys.set(spec.naturalKey.map((c) => String(row[c])).join('\u0000'), row.id);
        audits.push({ id: row.id, change: 'created', afterJson: givenJson(spec, row) });
        results[i] = { status: 'created', id: row.id, externalId: row.external_id, row, errors: [] };
      }
    }

    await repo.insertMany(tx, spec.table, inserts);
    for (const u of updates) await repo.update(tx, spec.table, ws, u.id, u.patch);
    if (!process.env.NOAUDIT) await writeAudit(tx, ctx, spec, audits);
    return results;
  }

  /**
   * A change to one record is an entry of its own; a request that changes several (a batch, a
   * CSV import) is one entry listing them, which each record's history still finds.
   */
  async function writeAudit(tx: AnyDb, ctx: AuthContext, spec: ResourceSpec, parts: AuditPart[]) {
    if (parts.length === 1) {
      const p = parts[0]!;
      const entry: AuditEntry = { action: `${spec.auditType}.${p.change}`, targetType: spec.auditType, targetId: p.id };
      await deps.audit.recordMany(tx, ctx, [p.change === 'created' ? { ...entry, afterJson: p.afterJson } : { ...entry, before: p.before, after: p.after }]);
    } else if (parts.length > 1) {
      const summary = { created: 0, updated: 0 };
      const items: AuditBatchItem[] = parts.map((p) => {
        summary[p.change]++;
        const head = `{"id":${JSON.stringify(p.id)},"change":"${p.change}"`;
        return { id: p.id, json: p.change === 'created' ? `${head},"after":${p.afterJson}}` : `${head},"before":${JSON.stringify(p.before)},"after":${JSON.stringify(p.after)}}` };
      });
      await deps.audit.recordBatch(tx, ctx, { action: `${spec.auditType}.batch_upserted`, targetType: spec.auditType, summary, items });
    }
  }

  return { write };
}

type AuditPart = { id: string; change: 'created'; afterJson: string } | { id: string; change: 'updated'; before: Record<string, unknown>; after: Record<string, unknown> };

// The audit entry of a record says what it was created with, or what changed: the id is its
// target and the time its own, so neither is repeated; empty fields are left out of a creation.
const IMPLIED = new Set(['id', 'createdAt', 'updatedAt', 'memberCount']);

/** What a new record was created with, as JSON text in API names, from the row as stored. */
function givenJson(spec: ResourceSpec, row: Row): string {
  let out = '';
  for (const [key, col] of apiColumns(spec)) {
    const v = row[col];
    if (v == null || (col === 'attributes' && v === '{}')) continue;
    // Attributes are stored as JSON text already: they go in as they are.
    out += `${out ? ',' : '{'}"${key}":${col === 'attributes' ? String(v) : JSON.stringify(v)}`;
  }
  return out ? `${out}}` : '{}';
}

const apiColumnsOf = new WeakMap<ResourceSpec, [string, string][]>();
function apiColumns(spec: ResourceSpec) {
  let cols = apiColumnsOf.get(spec);
  if (!cols) {
    cols = [['externalId', 'external_id'], ...Object.entries(spec.columns), ...spec.refs.map((r): [string, string] => [r.input, r.column])];
    apiColumnsOf.set(spec, cols);
  }
  return cols;
}

function changes(before: Record<string, unknown>, after: Record<string, unknown>) {
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const k in after) {
    if (IMPLIED.has(k) || JSON.stringify(before[k]) === JSON.stringify(after[k])) continue;
    b[k] = before[k] ?? null;
    a[k] = after[k] ?? null;
  }
  return { before: b, after: a };
}

/** Orders items so that a team comes after the team it names as parent in the same batch. */
function parentsFirst(spec: ResourceSpec, items: WriteItem[]): number[] {
  const self = spec.refs.find((r) => r.table === spec.table)!;
  const byExt = new Map<string, number>();
  items.forEach((it, i) => {
    const e = it.externalId ?? it.input.externalId;
    if (typeof e === 'string' && !byExt.has(e)) byExt.set(e, i);
  });
  const out: number[] = [];
  const state = new Uint8Array(items.length); // 0 new, 1 visiting, 2 done
  const visit = (i: number) => {
    if (state[i]) return;
    state[i] = 1;
    const parent = items[i]!.input[self.extInput];
    const j = typeof parent === 'string' ? byExt.get(parent) : undefined;
    if (j !== undefined && state[j] === 0) visit(j);
    state[i] = 2;
    out.push(i);
  };
  items.forEach((_, i) => visit(i));
  return out;
}
