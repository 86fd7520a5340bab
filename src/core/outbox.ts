import type SQLite from 'better-sqlite3';
import type { AnyDb } from './db/db.js';
import type { Ids } from './ids.js';
import { createTupleInserter } from './db/bulk.js';

/**
 * The domain messages Tandem publishes (webhook endpoints subscribe to these types). A module
 * writes one with `outbox.enqueue(tx, { workspaceId, topic, payload })` in the transaction of
 * its cause; docs/webhooks.md describes each payload. Topics starting with `comms.` are the
 * comms module's own work items, never published.
 */
export const DOMAIN_TOPICS = ['event.accepted', 'points.awarded', 'goal.tier_reached', 'webhook.disabled', 'redemption.created', 'redemption.updated'] as const;
export type DomainTopic = (typeof DOMAIN_TOPICS)[number];

/**
 * A message list: one outbox row holding the messages of one topic published together (a batch
 * of events' awards), written with one row instead of one per message. Its id starts `msb_`; its
 * payload is a JSON array of `[id, payload]` pairs, each id a `msg_` made at publish time, so a
 * message keeps its id (webhook bodies, delivery ids, inbox source keys) as if it had a row of
 * its own. The comms worker splits it at fan-out, a chunk at a time, recording how many it has
 * fanned out (`fanned_out`) in the transaction that records their deliveries.
 */
export const MESSAGE_LIST_PREFIX = 'msb_';
export const isMessageList = (id: string) => id.startsWith(MESSAGE_LIST_PREFIX);
/** The messages of a list row, in publish order: `[id, payload as JSON text]`. */
export function messagesOfList(payload: string): [string, string][] {
  return (JSON.parse(payload) as [string, unknown][]).map(([id, p]) => [id, JSON.stringify(p)]);
}

export interface OutboxMessage {
  workspaceId: string;
  topic: string;
  payload: unknown;
  availableAt?: number;
}

/**
 * The topics a workspace listens to (its webhook subscriptions; later the inbox's), asked with
 * the caller's transaction handle. The comms module sets it; until then every topic is wanted.
 */
export type Interest = (db: AnyDb, workspaceId: string) => Promise<ReadonlySet<string>>;
/** The same asked synchronously on a SQLite connection inside its transaction (prepared.ts's runSync). */
export type InterestSync = (sqlite: SQLite.Database, workspaceId: string) => ReadonlySet<string>;

/**
 * Adds a message to the outbox inside the caller's transaction, so it exists if and only if
 * its cause committed. The comms module delivers it.
 */
export function createOutbox(ids: Ids, now: () => number) {
  const everything: ReadonlySet<string> = new Set(['*']);
  let interest: Interest = async () => everything;
  let interestSync: InterestSync = () => everything;
  const insert = createTupleInserter('outbox', ['workspace_id', 'id', 'topic', 'payload', 'status', 'attempts', 'available_at', 'created_at']);
  return {
    /** Who decides which topics are wanted (comms, at start), asked asynchronously and synchronously. */
    listenWith(fn: Interest, sync: InterestSync) {
      interest = fn;
      interestSync = sync;
    },
    /**
     * Domain messages of one topic, written only when the workspace listens to it (a batch of
     * 1,000 events writes no messages nobody would receive); more than one go as one message
     * list row (above), each with its own `msg_` id.
     */
    async publish(tx: AnyDb, workspaceId: string, topic: DomainTopic, payloads: unknown[] | (() => unknown[])) {
      if (Array.isArray(payloads) && !payloads.length) return;
      const wanted = await interest(tx, workspaceId);
      if (!wanted.has('*') && !wanted.has(topic)) return;
      // Payloads may be built only now, when someone listens (off the hot path otherwise).
      const list = typeof payloads === 'function' ? payloads() : payloads;
      if (!list.length) return;
      const t = now();
      if (list.length === 1) return void (await insert(tx, [[workspaceId, ids.next('msg'), topic, JSON.stringify(list[0]), 'pending', 0, t, t]]));
      // One stringify of the whole list: a third of the time of one per message joined.
      await insert(tx, [[workspaceId, ids.next('msb'), topic, JSON.stringify(list.map((p) => [ids.next('msg'), p])), 'pending', 0, t, t]]);
    },
    /** publish, synchronously, on a SQLite connection inside its transaction (prepared.ts's runSync). */
    publishSync(sqlite: SQLite.Database, workspaceId: string, topic: DomainTopic, payloads: unknown[] | (() => unknown[])) {
      if (Array.isArray(payloads) && !payloads.length) return;
      const wanted = interestSync(sqlite, workspaceId);
      if (!wanted.has('*') && !wanted.has(topic)) return;
      const list = typeof payloads === 'function' ? payloads() : payloads;
      if (!list.length) return;
      const t = now();
      if (list.length === 1) return insert.sync(sqlite, [[workspaceId, ids.next('msg'), topic, JSON.stringify(list[0]), 'pending', 0, t, t]]);
      insert.sync(sqlite, [[workspaceId, ids.next('msb'), topic, JSON.stringify(list.map((p) => [ids.next('msg'), p])), 'pending', 0, t, t]]);
    },
    /** Many messages in one statement (a survey's invitations to its whole audience). */
    async enqueueMany(tx: AnyDb, messages: OutboxMessage[]) {
      const t = now();
      for (let i = 0; i < messages.length; i += 5000)
        await insert(tx, messages.slice(i, i + 5000).map((m) => [m.workspaceId, ids.next('msg'), m.topic, JSON.stringify(m.payload), 'pending', 0, m.availableAt ?? t, t]));
    },
    async enqueue(tx: AnyDb, m: OutboxMessage) {
      const t = now();
      // By the tuple inserter: a statement of fixed text (on SQLite in a transaction, prepared once).
      await insert(tx, [[m.workspaceId, ids.next('msg'), m.topic, JSON.stringify(m.payload), 'pending', 0, m.availableAt ?? t, t]]);
    },
    /** enqueue, synchronously, on a SQLite connection inside its transaction (prepared.ts's runSync). */
    enqueueSync(sqlite: SQLite.Database, m: OutboxMessage) {
      const t = now();
      insert.sync(sqlite, [[m.workspaceId, ids.next('msg'), m.topic, JSON.stringify(m.payload), 'pending', 0, m.availableAt ?? t, t]]);
    },
  };
}
export type Outbox = ReturnType<typeof createOutbox>;
