import { sql, type Kysely, type Migration } from 'kysely';

export const commsMigrations: Record<string, Migration> = {
  '20261124_0510_webhooks': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('webhook_endpoints')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('event_types', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('allow_private_network', 'integer', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('previous_secret', 'text')
        .addColumn('previous_secret_expires_at', 'bigint')
        .addColumn('failing_since', 'bigint')
        .addColumn('disabled_reason', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('webhook_endpoints_pk', ['workspace_id', 'id'])
        .execute();
      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('endpoint_id', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('last_status_code', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('last_attempt_at', 'bigint')
        .addColumn('replay_of', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('webhook_deliveries_pk', ['workspace_id', 'id'])
        .addForeignKeyConstraint('webhook_deliveries_endpoint_fk', ['workspace_id', 'endpoint_id'], 'webhook_endpoints', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('webhook_deliveries_endpoint').on('webhook_deliveries').columns(['workspace_id', 'endpoint_id', 'id']).execute();
      await db.schema
        .createTable('webhook_attempts')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('delivery_id', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('status_code', 'integer')
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('webhook_attempts_pk', ['workspace_id', 'id'])
        .addForeignKeyConstraint('webhook_attempts_delivery_fk', ['workspace_id', 'delivery_id'], 'webhook_deliveries', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('webhook_attempts_delivery').on('webhook_attempts').columns(['workspace_id', 'delivery_id']).execute();
    },
  },
  '20261124_0600_inbox_email': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('inbox_messages')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('person_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('source_key', 'text', (c) => c.notNull())
        .addColumn('read_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('inbox_messages_pk', ['workspace_id', 'id'])
        .addUniqueConstraint('inbox_messages_source', ['workspace_id', 'source_key'])
        .execute();
      // A person's inbox, newest first; the unread count reads the same index.
      await db.schema.createIndex('inbox_messages_person').on('inbox_messages').columns(['workspace_id', 'person_id', 'id']).execute();
      await db.schema
        .createTable('emails')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('person_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('to_address', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('html', 'text', (c) => c.notNull())
        .addColumn('unsubscribe_url', 'text', (c) => c.notNull())
        .addColumn('source_key', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('sent_at', 'bigint')
        .addPrimaryKeyConstraint('emails_pk', ['workspace_id', 'id'])
        .addUniqueConstraint('emails_source', ['workspace_id', 'source_key'])
        .execute();
      await db.schema
        .createTable('message_templates')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('locale', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('html', 'text', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('message_templates_pk', ['workspace_id', 'type', 'locale'])
        .execute();
      await db.schema
        .createTable('email_unsubscribes')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('person_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('email_unsubscribes_pk', ['workspace_id', 'person_id', 'type'])
        .execute();
    },
  },
  // Participants' choices: per message type, the inbox on or off and how often (immediate, or a
  // daily or weekly digest); per person, quiet hours. Email on or off stays in email_unsubscribes,
  // which the one-click link and the preferences page both write. A message bound for a digest
  // waits in digest_items until its slot (due_at); the digest run takes it by setting digest_id.
  '20261205_0100_notification_preferences': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('notification_preferences')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('person_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('inbox', 'integer', (c) => c.notNull())
        .addColumn('frequency', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('notification_preferences_pk', ['workspace_id', 'person_id', 'type'])
        .execute();
      await db.schema
        .createTable('notification_settings')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('person_id', 'text', (c) => c.notNull())
        .addColumn('quiet_hours', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('notification_settings_pk', ['workspace_id', 'person_id'])
        .execute();
      await db.schema
        .createTable('digest_items')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('person_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('frequency', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('source_key', 'text', (c) => c.notNull())
        .addColumn('inbox', 'integer', (c) => c.notNull())
        .addColumn('email', 'integer', (c) => c.notNull())
        .addColumn('due_at', 'bigint', (c) => c.notNull())
        .addColumn('digest_id', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('digest_items_pk', ['workspace_id', 'id'])
        .addUniqueConstraint('digest_items_source', ['workspace_id', 'source_key'])
        .execute();
      // What is due, across workspaces (like the outbox's own index); a taken item leaves it.
      await db.schema.createIndex('digest_items_due').on('digest_items').columns(['due_at']).where(sql.ref('digest_id'), 'is', null).execute();
      // An email held by quiet hours says until when (the Sent mail page shows it).
      await db.schema.alterTable('emails').addColumn('send_after', 'bigint').execute();
      // A person's mail (the cadence monitor counts an email sent as a participant reached).
      await db.schema.createIndex('emails_person').on('emails').columns(['workspace_id', 'person_id', 'sent_at']).execute();
    },
  },
};
