import type { AnyDb } from './db/db.js';
import type { Ids } from './ids.js';

/**
 * The domain messages Tandem publishes (webhook endpoints subscribe to these types). A module
 * writes one with `outbox.enqueue(tx, { workspaceId, topic, payload })` in the transaction of
 * its cause; docs/webhooks.md describes each payload. Topics starting with `comms.` are the
 * comms module's own work items, never published.
 */
export const DOMAIN_TOPICS = ['event.accepted', 'points.awarded', 'goal.tier_reached', 'webhook.disabled'] as const;
export type DomainTopic = (typeof DOMAIN_TOPICS)[number];

export interface OutboxMessage {
  workspaceId: string;
  topic: string;
  payload: unknown;
  availableAt?: number;
}

/**
 * Adds a message to the outbox inside the caller's transaction, so it exists if and only if
 * its cause committed. The comms module delivers it.
 */
export function createOutbox(ids: Ids, now: () => number) {
  return {
    async enqueue(tx: AnyDb, m: OutboxMessage) {
      const t = now();
      await tx
        .insertInto('outbox')
        .values({
          workspace_id: m.workspaceId,
          id: ids.next('msg'),
          topic: m.topic,
          payload: JSON.stringify(m.payload),
          status: 'pending',
          attempts: 0,
          available_at: m.availableAt ?? t,
          created_at: t,
        })
        .execute();
    },
  };
}
export type Outbox = ReturnType<typeof createOutbox>;
