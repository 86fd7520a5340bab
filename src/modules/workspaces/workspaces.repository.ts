import { PostgresAdapter, type Kysely } from 'kysely';
import type { AnyDb } from '../../core/db/db.js';

export interface WorkspacesTable {
  workspace_id: string;
  name: string;
  slug: string;
  timezone: string;
  points_label: string;
  anonymity_threshold: number;
  points_expire_months: number | null;
  locale: string;
  /** the header colour of emails, #rrggbb */
  brand_color: string | null;
  /** a logo shown in emails */
  logo_url: string | null;
  /** "HH:MM-HH:MM" in the workspace's time zone: non-urgent email waits; null: none */
  quiet_hours: string | null;
  created_at: number;
  updated_at: number;
}
export type WorkspaceRow = WorkspacesTable;

export function createWorkspacesRepository(anyDb: AnyDb) {
  const db = anyDb as Kysely<{ workspaces: WorkspacesTable }>;
  return {
    get: (id: string, tx: AnyDb = db) => (tx as typeof db).selectFrom('workspaces').selectAll().where('workspace_id', '=', id).executeTakeFirst(),
    getBySlug: (slug: string, tx: AnyDb = db) => (tx as typeof db).selectFrom('workspaces').selectAll().where('slug', '=', slug).executeTakeFirst(),
    list: () => db.selectFrom('workspaces').selectAll().orderBy('workspace_id').execute(),
    listByIds: (ids: string[]) =>
      ids.length ? db.selectFrom('workspaces').selectAll().where('workspace_id', 'in', ids).orderBy('name').execute() : Promise.resolve([]),
    /** The expiry policy, read inside a transaction; on PostgreSQL the row is share-locked until it ends, so a change of policy waits for it (and it for the change). */
    async expiryPolicy(tx: AnyDb, id: string) {
      let q = (tx as typeof db).selectFrom('workspaces').select('points_expire_months').where('workspace_id', '=', id);
      if (tx.getExecutor().adapter instanceof PostgresAdapter) q = q.forShare();
      return (await q.executeTakeFirst())?.points_expire_months ?? null;
    },
    insert: (tx: AnyDb, row: WorkspaceRow) => (tx as typeof db).insertInto('workspaces').values(row).execute(),
    update: (tx: AnyDb, id: string, patch: Partial<WorkspaceRow>) =>
      (tx as typeof db).updateTable('workspaces').set(patch).where('workspace_id', '=', id).execute(),
  };
}
