import type { Kysely } from 'kysely';
import type { AnyDb } from '../../core/db/db.js';
import type { AccessTables, ApiKeysTable, MembershipsTable, SessionsTable, ThrottlesTable, UsersTable } from './access.tables.js';

type Db = Kysely<AccessTables>;

export function createAccessRepository(anyDb: AnyDb) {
  const db = anyDb as Db;
  const t = (tx?: AnyDb) => (tx ?? db) as Db;
  return {
    userByEmail: (email: string, tx?: AnyDb) => t(tx).selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst(),
    userById: (id: string, tx?: AnyDb) => t(tx).selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst(),
    insertUser: (tx: AnyDb, row: UsersTable) => t(tx).insertInto('users').values(row).execute(),
    updateUser: (tx: AnyDb, id: string, patch: Partial<UsersTable>) => t(tx).updateTable('users').set(patch).where('id', '=', id).execute(),

    membership: (ws: string, userId: string, tx?: AnyDb) =>
      t(tx).selectFrom('memberships').selectAll().where('workspace_id', '=', ws).where('user_id', '=', userId).executeTakeFirst(),
    membershipsOfUser: (userId: string) => db.selectFrom('memberships').selectAll().where('user_id', '=', userId).orderBy('created_at').orderBy('workspace_id').execute(),
    insertMembership: (tx: AnyDb, row: MembershipsTable) => t(tx).insertInto('memberships').values(row).execute(),
    updateMembership: (tx: AnyDb, ws: string, userId: string, patch: Partial<MembershipsTable>) =>
      t(tx).updateTable('memberships').set(patch).where('workspace_id', '=', ws).where('user_id', '=', userId).execute(),
    deleteMembership: (tx: AnyDb, ws: string, userId: string) =>
      t(tx).deleteFrom('memberships').where('workspace_id', '=', ws).where('user_id', '=', userId).execute(),
    listMembers: (ws: string, after: string | undefined, limit: number) => {
      let q = db
        .selectFrom('memberships as m')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .select(['u.id', 'u.email', 'u.name', 'm.role', 'm.person_id', 'm.created_at'])
        .where('m.workspace_id', '=', ws);
      if (after) q = q.where('u.id', '>', after);
      return q.orderBy('u.id').limit(limit).execute();
    },
    /** The people linked to memberships with these roles. */
    // `tx`: asked inside a caller's transaction (on SQLite it holds the one connection).
    personIdsOfRoles: async (ws: string, roles: string[], tx?: AnyDb) =>
      (await t(tx).selectFrom('memberships').select('person_id').where('workspace_id', '=', ws).where('role', 'in', roles).where('person_id', 'is not', null).orderBy('person_id').execute()).map((r) => r.person_id!),
    member: (ws: string, userId: string) =>
      db
        .selectFrom('memberships as m')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .select(['u.id', 'u.email', 'u.name', 'm.role', 'm.person_id', 'm.created_at'])
        .where('m.workspace_id', '=', ws)
        .where('u.id', '=', userId)
        .executeTakeFirst(),

    session: (id: string) => db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst(),
    insertSession: (row: SessionsTable) => db.insertInto('sessions').values(row).execute(),
    touchSession: (id: string, patch: Partial<SessionsTable>) => db.updateTable('sessions').set(patch).where('id', '=', id).execute(),
    deleteSession: (id: string) => db.deleteFrom('sessions').where('id', '=', id).execute(),
    deleteExpiredSessions: async (now: number) => Number((await db.deleteFrom('sessions').where('expires_at', '<', now).executeTakeFirst()).numDeletedRows),
    deleteSessionsOfUser: (tx: AnyDb, userId: string) => t(tx).deleteFrom('sessions').where('user_id', '=', userId).execute(),

    keyById: (id: string) => db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst(),
    key: (ws: string, id: string, tx?: AnyDb) => t(tx).selectFrom('api_keys').selectAll().where('workspace_id', '=', ws).where('id', '=', id).executeTakeFirst(),
    listKeys: (ws: string, after: string | undefined, limit: number) => {
      let q = db.selectFrom('api_keys').selectAll().where('workspace_id', '=', ws);
      if (after) q = q.where('id', '>', after);
      return q.orderBy('id').limit(limit).execute();
    },
    insertKey: (tx: AnyDb, row: ApiKeysTable) => t(tx).insertInto('api_keys').values(row).execute(),
    updateKey: (tx: AnyDb | undefined, ws: string, id: string, patch: Partial<ApiKeysTable>) =>
      t(tx).updateTable('api_keys').set(patch).where('workspace_id', '=', ws).where('id', '=', id).execute(),

    throttle: (scope: string) => db.selectFrom('throttles').selectAll().where('scope', '=', scope).executeTakeFirst(),
    putThrottle: async (row: ThrottlesTable) => {
      await db
        .insertInto('throttles')
        .values(row)
        .onConflict((oc) => oc.column('scope').doUpdateSet({ failures: row.failures, window_start: row.window_start, blocked_until: row.blocked_until }))
        .execute();
    },
    clearThrottle: (scope: string) => db.deleteFrom('throttles').where('scope', '=', scope).execute(),
  };
}
export type AccessRepository = ReturnType<typeof createAccessRepository>;
