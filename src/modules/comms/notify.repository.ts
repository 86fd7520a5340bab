import { sql, type Kysely } from 'kysely';
import type { AnyDb } from '../../core/db/db.js';
import type { CommsTables, DigestItemsTable, EmailsTable, InboxMessagesTable, MessageTemplatesTable, NotificationPreferencesTable, NotificationSettingsTable, OutboxTable } from './comms.tables.js';

type Db = Kysely<CommsTables>;

/** The queries of the participant channels: inbox, emails, templates, unsubscribes. */
export function createNotifyRepository(anyDb: AnyDb) {
  const db = anyDb as Db;
  const t = (tx?: AnyDb) => (tx ?? db) as Db;
  return {
    /** Erasure: a person's inbox messages go, and their stored emails keep no address or text. */
    async scrubPerson(tx: AnyDb, ws: string, personId: string) {
      await t(tx).deleteFrom('inbox_messages').where('workspace_id', '=', ws).where('person_id', '=', personId).execute();
      await t(tx).updateTable('emails').set({ to_address: 'erased', subject: '(erased)', text: '(erased)', html: '<p>(erased)</p>' }).where('workspace_id', '=', ws).where('person_id', '=', personId).execute();
      await t(tx).deleteFrom('digest_items').where('workspace_id', '=', ws).where('person_id', '=', personId).execute();
      await t(tx).deleteFrom('notification_preferences').where('workspace_id', '=', ws).where('person_id', '=', personId).execute();
      await t(tx).deleteFrom('notification_settings').where('workspace_id', '=', ws).where('person_id', '=', personId).execute();
    },
    /** Inserts what is new (a re-run fan-out meets the unique source key); answers the ids inserted. */
    async insertInbox(tx: AnyDb, rows: InboxMessagesTable[]) {
      if (!rows.length) return [];
      return (await t(tx).insertInto('inbox_messages').values(rows).onConflict((oc) => oc.columns(['workspace_id', 'source_key']).doNothing()).returning('id').execute()).map((r) => r.id);
    },
    async insertEmails(tx: AnyDb, rows: EmailsTable[]) {
      if (!rows.length) return [];
      return (await t(tx).insertInto('emails').values(rows).onConflict((oc) => oc.columns(['workspace_id', 'source_key']).doNothing()).returning('id').execute()).map((r) => r.id);
    },
    /** A person's messages, newest first. */
    listInbox: (ws: string, personId: string, before: string | undefined, limit: number, unreadOnly: boolean) => {
      let q = db.selectFrom('inbox_messages').selectAll().where('workspace_id', '=', ws).where('person_id', '=', personId);
      if (before) q = q.where('id', '<', before);
      if (unreadOnly) q = q.where('read_at', 'is', null);
      return q.orderBy('id', 'desc').limit(limit).execute();
    },
    async unreadCount(ws: string, personId: string) {
      const r = await db.selectFrom('inbox_messages').select((eb) => eb.fn.countAll().as('n')).where('workspace_id', '=', ws).where('person_id', '=', personId).where('read_at', 'is', null).executeTakeFirst();
      return Number(r?.n ?? 0);
    },
    inboxMessage: (ws: string, personId: string, id: string) =>
      db.selectFrom('inbox_messages').selectAll().where('workspace_id', '=', ws).where('person_id', '=', personId).where('id', '=', id).executeTakeFirst(),
    markRead: (ws: string, personId: string, id: string, now: number) =>
      db.updateTable('inbox_messages').set({ read_at: now }).where('workspace_id', '=', ws).where('person_id', '=', personId).where('id', '=', id).where('read_at', 'is', null).execute(),
    async markAllRead(ws: string, personId: string, now: number) {
      const r = await db.updateTable('inbox_messages').set({ read_at: now }).where('workspace_id', '=', ws).where('person_id', '=', personId).where('read_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows);
    },

    emailsByIds: (ws: string, ids: string[]) => (ids.length ? db.selectFrom('emails').selectAll().where('workspace_id', '=', ws).where('id', 'in', ids).execute() : Promise.resolve([] as EmailsTable[])),
    email: (ws: string, id: string) => db.selectFrom('emails').selectAll().where('workspace_id', '=', ws).where('id', '=', id).executeTakeFirst(),
    listEmails: (ws: string, before: string | undefined, limit: number) => {
      let q = db.selectFrom('emails').selectAll().where('workspace_id', '=', ws);
      if (before) q = q.where('id', '<', before);
      return q.orderBy('id', 'desc').limit(limit).execute();
    },
    updateEmail: (tx: AnyDb, ws: string, id: string, patch: Partial<EmailsTable>) =>
      t(tx).updateTable('emails').set({ ...patch, attempts: sql<number>`attempts + 1` }).where('workspace_id', '=', ws).where('id', '=', id).execute(),

    templates: (ws: string, types: string[]) => (types.length ? db.selectFrom('message_templates').selectAll().where('workspace_id', '=', ws).where('type', 'in', types).execute() : Promise.resolve([] as MessageTemplatesTable[])),
    template: (ws: string, type: string, locale: string) =>
      db.selectFrom('message_templates').selectAll().where('workspace_id', '=', ws).where('type', '=', type).where('locale', '=', locale).executeTakeFirst(),
    upsertTemplate: (tx: AnyDb, row: MessageTemplatesTable) =>
      t(tx)
        .insertInto('message_templates')
        .values(row)
        .onConflict((oc) => oc.columns(['workspace_id', 'type', 'locale']).doUpdateSet({ subject: row.subject, text: row.text, html: row.html, updated_by: row.updated_by, updated_at: row.updated_at }))
        .execute(),
    deleteTemplate: (tx: AnyDb, ws: string, type: string, locale: string) =>
      t(tx).deleteFrom('message_templates').where('workspace_id', '=', ws).where('type', '=', type).where('locale', '=', locale).executeTakeFirst(),

    preferences: (ws: string, personIds: string[], tx?: AnyDb) =>
      personIds.length ? t(tx).selectFrom('notification_preferences').selectAll().where('workspace_id', '=', ws).where('person_id', 'in', personIds).execute() : Promise.resolve([] as NotificationPreferencesTable[]),
    settings: (ws: string, personIds: string[], tx?: AnyDb) =>
      personIds.length ? t(tx).selectFrom('notification_settings').selectAll().where('workspace_id', '=', ws).where('person_id', 'in', personIds).execute() : Promise.resolve([] as NotificationSettingsTable[]),
    upsertPreferences: (tx: AnyDb, rows: NotificationPreferencesTable[]) =>
      rows.length
        ? t(tx)
            .insertInto('notification_preferences')
            .values(rows)
            .onConflict((oc) => oc.columns(['workspace_id', 'person_id', 'type']).doUpdateSet((eb) => ({ inbox: eb.ref('excluded.inbox'), frequency: eb.ref('excluded.frequency'), updated_at: eb.ref('excluded.updated_at') })))
            .execute()
        : Promise.resolve(),
    upsertSettings: (tx: AnyDb, row: NotificationSettingsTable) =>
      t(tx)
        .insertInto('notification_settings')
        .values(row)
        .onConflict((oc) => oc.columns(['workspace_id', 'person_id']).doUpdateSet({ quiet_hours: row.quiet_hours, updated_at: row.updated_at }))
        .execute(),
    /** Email of a type back on (the opposite of unsubscribe). */
    resubscribe: (tx: AnyDb, ws: string, personId: string, types: string[]) =>
      types.length ? t(tx).deleteFrom('email_unsubscribes').where('workspace_id', '=', ws).where('person_id', '=', personId).where('type', 'in', types).execute() : Promise.resolve(),
    unsubscribeMany: (tx: AnyDb, ws: string, personId: string, types: string[], now: number) =>
      types.length
        ? t(tx)
            .insertInto('email_unsubscribes')
            .values(types.map((type) => ({ workspace_id: ws, person_id: personId, type, created_at: now })))
            .onConflict((oc) => oc.columns(['workspace_id', 'person_id', 'type']).doNothing())
            .execute()
        : Promise.resolve(),

    insertOutbox: (tx: AnyDb, rows: OutboxTable[]) => (rows.length ? t(tx).insertInto('outbox').values(rows).execute() : Promise.resolve()),
    insertDigestItems: (tx: AnyDb, rows: DigestItemsTable[]) =>
      rows.length ? t(tx).insertInto('digest_items').values(rows).onConflict((oc) => oc.columns(['workspace_id', 'source_key']).doNothing()).execute() : Promise.resolve(),
    /** Whose digests are due, across workspaces. */
    dueDigests: (now: number, limit: number) =>
      db.selectFrom('digest_items').select(['workspace_id', 'person_id']).distinct().where('digest_id', 'is', null).where('due_at', '<=', now).limit(limit).execute(),
    /**
     * Takes a person's due items for one digest. The update is the claim: of two workers, the
     * second finds them taken (PostgreSQL re-checks the condition after the first commits).
     */
    takeDigestItems: (tx: AnyDb, ws: string, personId: string, now: number, digestId: string) =>
      t(tx)
        .updateTable('digest_items')
        .set({ digest_id: digestId })
        .where('workspace_id', '=', ws)
        .where('person_id', '=', personId)
        .where('digest_id', 'is', null)
        .where('due_at', '<=', now)
        .returningAll()
        .execute(),
    /** A person's items waiting for a digest (the preferences page says how many). */
    async pendingDigestCount(ws: string, personId: string) {
      const r = await db.selectFrom('digest_items').select((eb) => eb.fn.countAll().as('n')).where('workspace_id', '=', ws).where('person_id', '=', personId).where('digest_id', 'is', null).executeTakeFirst();
      return Number(r?.n ?? 0);
    },

    unsubscribed: (ws: string, personIds: string[]) =>
      personIds.length ? db.selectFrom('email_unsubscribes').select(['person_id', 'type']).where('workspace_id', '=', ws).where('person_id', 'in', personIds).execute() : Promise.resolve([]),
    unsubscribe: (ws: string, personId: string, type: string, now: number) =>
      db.insertInto('email_unsubscribes').values({ workspace_id: ws, person_id: personId, type, created_at: now }).onConflict((oc) => oc.columns(['workspace_id', 'person_id', 'type']).doNothing()).execute(),
  };
}
export type NotifyRepository = ReturnType<typeof createNotifyRepository>;
