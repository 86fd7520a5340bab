import type { Kysely, Migration } from 'kysely';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AnyDb } from '../../core/db/db.js';
import { createBulkInserter } from '../../core/db/bulk.js';
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
};

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId?: string | null;
  before?: unknown;
  after?: unknown;
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
  const db = deps.db as Kysely<{ audit_log: AuditLogTable }>;
  const insertRows = createBulkInserter(200);
  const rowOf = (ctx: AuthContext, e: AuditEntry, at: number): AuditLogTable => ({
    workspace_id: ctx.workspaceId,
    id: deps.ids.next('aud'),
    actor_type: ctx.actor.type,
    actor_id: ctx.actor.id,
    action: e.action,
    target_type: e.targetType,
    target_id: e.targetId ?? null,
    before: e.before === undefined ? null : JSON.stringify(e.before),
    after: e.after === undefined ? null : JSON.stringify(e.after),
    created_at: at,
  });
  return {
    async record(tx: AnyDb, ctx: AuthContext, e: AuditEntry) {
      await (tx as typeof db).insertInto('audit_log').values(rowOf(ctx, e, deps.clock.now())).execute();
    },
    async recordMany(tx: AnyDb, ctx: AuthContext, entries: AuditEntry[]) {
      const at = deps.clock.now();
      await insertRows(tx, 'audit_log', entries.map((e) => rowOf(ctx, e, at)) as unknown as Record<string, unknown>[]);
    },
    /** Scrubs personal fields from the stored copies of a target (erasure). */
    async scrub(tx: AnyDb, workspaceId: string, targetId: string, fields: string[]) {
      const rows = await (tx as typeof db).selectFrom('audit_log').selectAll().where('workspace_id', '=', workspaceId).where('target_id', '=', targetId).execute();
      const clean = (json: string | null) => {
        if (!json) return json;
        const v = JSON.parse(json) as Record<string, unknown>;
        for (const f of fields) if (f in v) v[f] = f === 'attributes' ? {} : null;
        return JSON.stringify(v);
      };
      for (const r of rows) {
        await (tx as typeof db).updateTable('audit_log').set({ before: clean(r.before), after: clean(r.after) }).where('workspace_id', '=', workspaceId).where('id', '=', r.id).execute();
      }
    },
    async list(ctx: AuthContext, q: z.infer<typeof ZAuditQuery>) {
      ctx.require('audit.read');
      let query = db.selectFrom('audit_log').selectAll().where('workspace_id', '=', ctx.workspaceId);
      const after = decodeCursor(q.cursor);
      // Newest first: the cursor walks down the ids.
      if (after) query = query.where('id', '<', after);
      if (q.targetId) query = query.where('target_id', '=', q.targetId);
      if (q.action) query = query.where('action', '=', q.action);
      const rows = await query.orderBy('id', 'desc').limit(q.limit + 1).execute();
      return toPage(rows, q.limit, (r) => ({
        id: r.id,
        actor: { type: r.actor_type, id: r.actor_id },
        action: r.action,
        targetType: r.target_type,
        targetId: r.target_id,
        before: r.before ? JSON.parse(r.before) : null,
        after: r.after ? JSON.parse(r.after) : null,
        createdAt: toIso(r.created_at)!,
      }));
    },
  };
}
export type AuditService = ReturnType<typeof createAuditService>;

export const auditRoutes = (audit: AuditService): FastifyPluginAsyncZod => async (app) => {
  app.get('/api/v1/audit-log', {
    config: { access: 'audit.read' },
    schema: { tags: ['audit'], summary: 'Admin changes, newest first', querystring: ZAuditQuery, response: { 200: pageOf(ZAuditEntry) } },
  }, async (req) => audit.list(req.auth, req.query));
};
