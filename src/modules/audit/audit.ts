import type SQLite from 'better-sqlite3';
import { SqliteAdapter, sql, type Kysely, type Migration, type SelectQueryBuilder } from 'kysely';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AnyDb } from '../../core/db/db.js';
import { createTupleInserter } from '../../core/db/bulk.js';
import { rebuildWithoutRowid } from '../../core/db/migrations.js';
import type { Ids } from '../../core/ids.js';
import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import type { AuthContext } from '../../core/auth.js';
import { decodeCursor, pageOf, toPage, ZCursor, ZLimit } from '../../core/http/pagination.js';

export interface AuditLogTable {
  workspace_id: string;
  id: string;
  actor_type: string;
  actor_id: string;
  action: string;
  target_type: string;
  target_id: string | null;
  before: string | null;
  after: string | null;
  created_at: number;
}

/** Which records a batch entry changed: how a record's history finds the batch it was in. */
export interface AuditTargetsTable {
  workspace_id: string;
  target_id: string;
  audit_id: string;
}

type AuditDb = { audit_log: AuditLogTable; audit_targets: AuditTargetsTable };

export const auditMigrations: Record<string, Migration> = {
  '20261123_0110_audit': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('audit_log')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('actor_type', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target_type', 'text', (c) => c.notNull())
        .addColumn('target_id', 'text')
        .addColumn('before', 'text')
        .addColumn('after', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('audit_log_pk', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('audit_log_target').on('audit_log').columns(['workspace_id', 'target_id']).execute();
    },
  },
  '20261124_0100_audit_targets': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('audit_targets')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('target_id', 'text', (c) => c.notNull())
        .addColumn('audit_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('audit_targets_pk', ['workspace_id', 'target_id', 'audit_id'])
        // On SQLite the key is the table (no separate rowid tree): one b-tree write per row.
        .$call((b) => (db.getExecutor().adapter instanceof SqliteAdapter ? b.modifyEnd(sql`without rowid`) : b))
        .execute();
    },
  },
  // A redemption (and every admin change) writes one entry: as a WITHOUT ROWID table on SQLite
  // its key is the table, one b-tree fewer written per entry (bench/redeem).
  '20261216_0100_audit_log_without_rowid': {
    async up(db: Kysely<unknown>) {
      await rebuildWithoutRowid(db, 'audit_log');
    },
  },
};

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId?: string | null;
  before?: unknown;
  after?: unknown;
  /** `after` already written as JSON text (writers of many entries build it directly) */
  afterJson?: string;
}

/** One record of a batch entry: its id and its part of the entry as JSON text. */
export interface AuditBatchItem {
  id: string;
  /** `{"id":…,"change":"created"|"updated",…}` */
  json: string;
}

interface BatchPart {
  id: string;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}

export const ZAuditEntry = z
  .object({
    id: z.string(),
    actor: z.object({ type: z.string(), id: z.string() }),
    action: z.string(),
    targetType: z.string(),
    targetId: z.string().nullable(),
    before: z.unknown(),
    after: z.unknown(),
    createdAt: z.string(),
  })
  .meta({ id: 'AuditEntry' });

const ZAuditQuery = z
  .object({ limit: ZLimit, cursor: ZCursor, targetId: z.string().max(60).optional(), action: z.string().max(60).optional() })
  .strict();

/** Every admin change, with who, what, when, before and after, written in the change's transaction. */
export function createAuditService(deps: { db: AnyDb; ids: Ids; clock: Clock }) {
  const db = deps.db as Kysely<AuditDb>;
  const COLUMNS = ['workspace_id', 'id', 'actor_type', 'actor_id', 'action', 'target_type', 'target_id', 'before', 'after', 'created_at'] as const;
  const insertTuples = createTupleInserter('audit_log', COLUMNS);
  const batchOf = (json: string | null) => (json ? (JSON.parse(json) as { items?: BatchPart[] }) : null);
  /** Entries about a target: its own, and the batches it was part of. */
  const aboutTarget = <O>(q: SelectQueryBuilder<AuditDb, 'audit_log', O>, workspaceId: string, targetId: string) =>
    q.where((eb) =>
      eb.or([
        eb('target_id', '=', targetId),
        eb('id', 'in', eb.selectFrom('audit_targets').select('audit_id').where('workspace_id', '=', workspaceId).where('target_id', '=', targetId)),
      ]),
    );
  const tupleOf = (ctx: AuthContext, e: AuditEntry, at: number) => [
    ctx.workspaceId,
    deps.ids.next('aud'),
    ctx.actor.type,
    ctx.actor.id,
    e.action,
    e.targetType,
    e.targetId ?? null,
    e.before === undefined ? null : JSON.stringify(e.before),
    e.afterJson ?? (e.after === undefined ? null : JSON.stringify(e.after)),
    at,
  ];
  return {
    async record(tx: AnyDb, ctx: AuthContext, e: AuditEntry) {
      await insertTuples(tx, [tupleOf(ctx, e, deps.clock.now())]);
    },
    /** The same, synchronously, on a SQLite connection inside its transaction (prepared.ts's runSync). */
    recordSync(sqlite: SQLite.Database, ctx: AuthContext, e: AuditEntry) {
      insertTuples.sync(sqlite, [tupleOf(ctx, e, deps.clock.now())]);
    },
    async recordMany(tx: AnyDb, ctx: AuthContext, entries: AuditEntry[]) {
      const at = deps.clock.now();
      await insertTuples(tx, entries.map((e) => tupleOf(ctx, e, at)));
    },
    /**
     * One entry for a request that changed many records (a batch upsert, a CSV import): after is
     * `{ summary, items: [{ id, change, before?, after }] }`, and each record's history finds it.
     */
    async recordBatch(tx: AnyDb, ctx: AuthContext, e: { action: string; targetType: string; summary: Record<string, number>; items: AuditBatchItem[] }) {
      const tuple = tupleOf(ctx, { action: e.action, targetType: e.targetType, afterJson: `{"summary":${JSON.stringify(e.summary)},"items":[${e.items.map((i) => i.json).join(',')}]}` }, deps.clock.now());
      await insertTuples(tx, [tuple]);
      const auditId = tuple[1] as string;
      // The targets go as one JSON array that the database unpacks: half the cost of binding
      // three values per row (bench/people).
      const targets = JSON.stringify(e.items.map((i) => i.id));
      await sql`insert into audit_targets (workspace_id, target_id, audit_id) select ${ctx.workspaceId}, value, ${auditId} from ${
        tx.getExecutor().adapter instanceof SqliteAdapter ? sql`json_each(${targets})` : sql`json_array_elements_text(${targets}::json) as value`
      }`.execute(tx);
    },
    /** Scrubs personal fields from the stored copies of a target (erasure), batch entries included. */
    async scrub(tx: AnyDb, workspaceId: string, targetId: string, fields: string[]) {
      const rows = await aboutTarget((tx as typeof db).selectFrom('audit_log'), workspaceId, targetId).selectAll().where('workspace_id', '=', workspaceId).execute();
      const cleanValue = (v: Record<string, unknown> | undefined) => {
        if (v) for (const f of fields) if (f in v) v[f] = f === 'attributes' ? {} : null;
      };
      const clean = (json: string | null) => {
        if (!json) return json;
        const v = JSON.parse(json) as Record<string, unknown>;
        cleanValue(v);
        return JSON.stringify(v);
      };
      for (const r of rows) {
        let after: string | null;
        if (r.target_id === targetId) after = clean(r.after);
        else {
          const batch = batchOf(r.after)!;
          for (const item of batch.items ?? []) if (item.id === targetId) [item.before, item.after].forEach(cleanValue);
          after = JSON.stringify(batch);
        }
        const before = r.target_id === targetId ? clean(r.before) : r.before;
        await (tx as typeof db).updateTable('audit_log').set({ before, after }).where('workspace_id', '=', workspaceId).where('id', '=', r.id).execute();
      }
    },
    async list(ctx: AuthContext, q: z.infer<typeof ZAuditQuery>) {
      ctx.require('audit.read');
      let query = db.selectFrom('audit_log').selectAll().where('workspace_id', '=', ctx.workspaceId);
      const after = decodeCursor(q.cursor);
      // Newest first: the cursor walks down the ids.
      if (after) query = query.where('id', '<', after);
      if (q.targetId) query = aboutTarget(query, ctx.workspaceId, q.targetId);
      if (q.action) query = query.where('action', '=', q.action);
      const rows = await query.orderBy('id', 'desc').limit(q.limit + 1).execute();
      return toPage(rows, q.limit, (r) => ({
        id: r.id,
        actor: { type: r.actor_type, id: r.actor_id },
        action: r.action,
        targetType: r.target_type,
        targetId: r.target_id,
        before: r.before ? JSON.parse(r.before) : null,
        after: q.targetId && r.target_id !== q.targetId ? onlyTarget(batchOf(r.after), q.targetId) : r.after ? JSON.parse(r.after) : null,
        createdAt: toIso(r.created_at)!,
      }));
    },
  };
}
/** A batch entry read for one record's history shows that record's part only. */
function onlyTarget(batch: { items?: BatchPart[] } | null, targetId: string) {
  return batch ? { ...batch, items: (batch.items ?? []).filter((i) => i.id === targetId) } : null;
}

export type AuditService = ReturnType<typeof createAuditService>;

export const auditRoutes = (audit: AuditService): FastifyPluginAsyncZod => async (app) => {
  app.get('/api/v1/audit-log', {
    config: { access: 'audit.read' },
    schema: { tags: ['audit'], summary: 'Admin changes, newest first', querystring: ZAuditQuery, response: { 200: pageOf(ZAuditEntry) } },
  }, async (req) => audit.list(req.auth, req.query));
};
