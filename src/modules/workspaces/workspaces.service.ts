import type { AnyDb } from '../../core/db/db.js';
import type { Ids } from '../../core/ids.js';
import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import { AppError, notFound } from '../../core/errors.js';
import { SqliteAdapter } from 'kysely';
import { isUniqueViolation } from '../../core/db/db.js';
import type { AuthContext } from '../../core/auth.js';
import type { AuditService } from '../audit/index.js';
import { ZCreateWorkspace, type TCreateWorkspace, type TQuietHours, type TUpdateWorkspace, type TWorkspace } from './workspaces.schema.js';
import { createWorkspacesRepository, type WorkspaceRow } from './workspaces.repository.js';

export const toWorkspace = (r: WorkspaceRow): TWorkspace => ({
  id: r.workspace_id,
  name: r.name,
  slug: r.slug,
  timezone: r.timezone,
  locale: r.locale,
  pointsLabel: r.points_label,
  anonymityThreshold: r.anonymity_threshold,
  pointsExpireMonths: r.points_expire_months,
  brandColor: r.brand_color ?? null,
  logoUrl: r.logo_url ?? null,
  quietHours: parseQuietHours(r.quiet_hours),
  createdAt: toIso(r.created_at)!,
  updatedAt: toIso(r.updated_at)!,
});

/** "HH:MM-HH:MM" as stored; anything else (null) is none. */
export function parseQuietHours(v: string | null | undefined): TQuietHours | null {
  const m = v ? /^(\d\d:\d\d)-(\d\d:\d\d)$/.exec(v) : null;
  return m ? { start: m[1]!, end: m[2]! } : null;
}
export const formatQuietHours = (q: TQuietHours) => `${q.start}-${q.end}`;

const slugify = (name: string) =>
  name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50) || 'workspace';

export function createWorkspacesService(deps: { db: AnyDb; ids: Ids; clock: Clock; audit: AuditService }) {
  const repo = createWorkspacesRepository(deps.db);
  const rows = createWorkspaceRowCache(deps.db, repo);
  // Told, inside the change's transaction, when a workspace's expiry policy changes (the ledger
  // starts keeping lots then). Set once at start; the ledger sits above this module.
  let onExpiryPolicy: ((tx: AnyDb, workspaceId: string, months: number | null) => Promise<void>) | null = null;
  return {
    whenExpiryPolicyChanges(fn: (tx: AnyDb, workspaceId: string, months: number | null) => Promise<void>) {
      onExpiryPolicy = fn;
    },
    /** The points expiry policy (months; null: never) as the caller's transaction sees it; a change waits for that transaction on PostgreSQL. */
    expiryPolicy: async (tx: AnyDb, id: string) => (rows.enabled ? ((await rows.get(id, tx))?.points_expire_months ?? null) : repo.expiryPolicy(tx, id)),
    /** The expiry policy as kept in memory on SQLite, without a read; undefined when not kept (ask expiryPolicy). */
    expiryPolicyKept: (id: string): number | null | undefined => rows.kept(id)?.points_expire_months,
    /** Instance-level: creates a tenant (the CLI, the demo seed and the instance owner). */
    async create(input: TCreateWorkspace, tx: AnyDb = deps.db): Promise<TWorkspace> {
      const v = ZCreateWorkspace.parse(input);
      let slug = v.slug ?? slugify(v.name);
      if (!v.slug) for (let n = 2; await repo.getBySlug(slug, tx); n++) slug = `${slugify(v.name)}-${n}`;
      const now = deps.clock.now();
      const row: WorkspaceRow = {
        workspace_id: deps.ids.next('wsp'),
        name: v.name,
        slug,
        timezone: v.timezone,
        locale: v.locale,
        points_label: v.pointsLabel,
        anonymity_threshold: v.anonymityThreshold,
        points_expire_months: v.pointsExpireMonths,
        brand_color: null,
        logo_url: null,
        quiet_hours: null,
        created_at: now,
        updated_at: now,
      };
      try {
        await repo.insert(tx, row);
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('conflict', { detail: `The slug ${slug} is taken`, path: 'slug' });
        throw err;
      }
      return toWorkspace(row);
    },
    async get(id: string) {
      const row = await rows.get(id);
      if (!row) throw notFound('Workspace');
      return toWorkspace(row);
    },
    /** W on the CLI is an id or a slug. */
    async resolve(idOrSlug: string) {
      const row = (await repo.get(idOrSlug)) ?? (await repo.getBySlug(idOrSlug));
      if (!row) throw new AppError('not_found', { detail: `No workspace ${idOrSlug}` });
      return toWorkspace(row);
    },
    list: async () => (await repo.list()).map(toWorkspace),
    listByIds: async (ids: string[]) => (await repo.listByIds(ids)).map(toWorkspace),
    async update(ctx: AuthContext, patch: TUpdateWorkspace) {
      ctx.require('workspace.manage');
      return rows.changing(ctx.workspaceId, () => deps.db.transaction().execute(async (tx) => {
        const before = await repo.get(ctx.workspaceId, tx);
        if (!before) throw notFound('Workspace');
        const next: Partial<WorkspaceRow> = { updated_at: deps.clock.now() };
        if (patch.name !== undefined) next.name = patch.name;
        if (patch.timezone !== undefined) next.timezone = patch.timezone;
        if (patch.locale !== undefined) next.locale = patch.locale;
        if (patch.pointsLabel !== undefined) next.points_label = patch.pointsLabel;
        if (patch.anonymityThreshold !== undefined) next.anonymity_threshold = patch.anonymityThreshold;
        if (patch.pointsExpireMonths !== undefined) next.points_expire_months = patch.pointsExpireMonths;
        if (patch.brandColor !== undefined) next.brand_color = patch.brandColor;
        if (patch.logoUrl !== undefined) next.logo_url = patch.logoUrl;
        if (patch.quietHours !== undefined) next.quiet_hours = patch.quietHours && formatQuietHours(patch.quietHours);
        await repo.update(tx, ctx.workspaceId, next);
        if (next.points_expire_months !== undefined && next.points_expire_months !== before.points_expire_months) await onExpiryPolicy?.(tx, ctx.workspaceId, next.points_expire_months);
        const after = { ...before, ...next };
        await deps.audit.record(tx, ctx, { action: 'workspace.updated', targetType: 'workspace', targetId: ctx.workspaceId, before: toWorkspace(before), after: toWorkspace(after) });
        return toWorkspace(after);
      }));
    },
  };
}

/**
 * Workspace rows kept in memory on SQLite, where one process owns the file (design.md) and so
 * every change of a row goes through `changing` here: a redemption or a ledger post then reads
 * the time zone and expiry policy without a query each. A row is dropped when a change ends
 * (committed or not), and a read that overlapped a change is not kept, so an uncommitted or
 * replaced row is never served. On PostgreSQL other processes change rows too: no cache, and
 * the expiry policy is read under a share lock (workspaces.repository).
 */
function createWorkspaceRowCache(db: AnyDb, repo: ReturnType<typeof createWorkspacesRepository>) {
  const enabled = db.getExecutor().adapter instanceof SqliteAdapter;
  const kept = new Map<string, WorkspaceRow>();
  let changes = 0;
  let generation = 0;
  return {
    enabled,
    async get(id: string, tx?: AnyDb) {
      const hit = enabled ? kept.get(id) : undefined;
      if (hit) return hit;
      const seen = generation;
      const row = await repo.get(id, tx);
      if (enabled && row && !changes && seen === generation) kept.set(id, row);
      return row;
    },
    /** The row in memory now, if any (no read). */
    kept: (id: string) => (enabled ? kept.get(id) : undefined),
    async changing<T>(id: string, change: () => Promise<T>): Promise<T> {
      changes++;
      generation++;
      kept.delete(id);
      try {
        return await change();
      } finally {
        kept.delete(id);
        generation++;
        changes--;
      }
    },
  };
}
export type WorkspacesService = ReturnType<typeof createWorkspacesService>;
