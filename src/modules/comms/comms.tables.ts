/** The outbox as comms reads it (the table is core's: src/core/db/migrations.ts). */
export interface OutboxTable {
  workspace_id: string;
  id: string;
  topic: string;
  payload: string;
  status: 'pending' | 'delivered' | 'dead' | 'discarded';
  attempts: number;
  available_at: number;
  created_at: number;
  lease_until: number | null;
  claimed_by: string | null;
  last_error: string | null;
  settled_at: number | null;
  give_up_at: number | null;
  /** a message list's messages fanned out so far (core's outbox.ts; 0 for any other row) */
  fanned_out?: number;
}

export interface WebhookEndpointsTable {
  workspace_id: string;
  id: string;
  url: string;
  description: string;
  /** JSON array of message types, or ["*"] */
  event_types: string;
  enabled: number;
  allow_private_network: number;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
  /** the first failure of the current run of failures; null after a success */
  failing_since: number | null;
  disabled_reason: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface WebhookDeliveriesTable {
  workspace_id: string;
  /** the Tandem-Delivery-Id, also the id of the outbox row that carries it */
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  /** the exact JSON body sent (signed as is) */
  body: string;
  status: 'pending' | 'delivered' | 'dead' | 'discarded';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  last_attempt_at: number | null;
  /** the last attempt's duration; with no attempt rows, attempts = 1 and delivered, the first attempt is this row's */
  last_duration_ms: number | null;
  replay_of: string | null;
  created_at: number;
}

export interface WebhookAttemptsTable {
  workspace_id: string;
  id: string;
  delivery_id: string;
  attempt: number;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  created_at: number;
}

/** A participant's in-app message (one per person per domain message). */
export interface InboxMessagesTable {
  workspace_id: string;
  id: string;
  person_id: string;
  type: string;
  title: string;
  body: string;
  /** JSON: the variables the message was rendered with (program, points …) */
  data: string;
  /** the domain message it came from, with the person: a re-run fan-out adds nothing */
  source_key: string;
  read_at: number | null;
  created_at: number;
}

/** An email, rendered when its cause was fanned out; sent by SMTP or kept ("stored") without it. */
export interface EmailsTable {
  workspace_id: string;
  /** eml_…, also the outbox work item's id and the Message-ID's local part */
  id: string;
  person_id: string;
  type: string;
  to_address: string;
  subject: string;
  text: string;
  html: string;
  unsubscribe_url: string;
  source_key: string;
  status: 'pending' | 'sent' | 'stored' | 'dead';
  attempts: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
  /** held by quiet hours until then; null: sent when due */
  send_after: number | null;
}

/** An admin's version of a message type's template for one locale. */
export interface MessageTemplatesTable {
  workspace_id: string;
  type: string;
  locale: string;
  subject: string;
  text: string;
  html: string;
  updated_by: string;
  updated_at: number;
}

/** A person who turned email off for a message type (one-click unsubscribe). */
export interface EmailUnsubscribesTable {
  workspace_id: string;
  person_id: string;
  type: string;
  created_at: number;
}

/** A participant's choice for one message type (no row: inbox on, immediately). */
export interface NotificationPreferencesTable {
  workspace_id: string;
  person_id: string;
  type: string;
  inbox: number;
  frequency: 'immediate' | 'daily' | 'weekly';
  updated_at: number;
}

/** A participant's own settings: quiet hours "HH:MM-HH:MM", "off", or null (the workspace's). */
export interface NotificationSettingsTable {
  workspace_id: string;
  person_id: string;
  quiet_hours: string | null;
  updated_at: number;
}

/** A message waiting for its daily or weekly digest. */
export interface DigestItemsTable {
  workspace_id: string;
  id: string;
  person_id: string;
  type: string;
  frequency: 'daily' | 'weekly';
  title: string;
  body: string;
  data: string;
  source_key: string;
  /** the channels the participant wanted for this type when it was made */
  inbox: number;
  email: number;
  due_at: number;
  /** the digest that took it (its inbox message or email id); null while waiting */
  digest_id: string | null;
  created_at: number;
}

export interface CommsTables {
  outbox: OutboxTable;
  inbox_messages: InboxMessagesTable;
  emails: EmailsTable;
  message_templates: MessageTemplatesTable;
  email_unsubscribes: EmailUnsubscribesTable;
  notification_preferences: NotificationPreferencesTable;
  notification_settings: NotificationSettingsTable;
  digest_items: DigestItemsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
}
