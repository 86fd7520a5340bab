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
 * of events' awards), written with one row instead of one per message. Its id starts `msb_`;
 * each message in it has its own `msg_` id made at publish time, so a message keeps its id
 * (webhook bodies, delivery ids, inbox source keys) as if it had a row of its own. The comms
 * worker splits it at fan-out, a chunk at a time, recording how many it has fanned out
 * (`fanned_out`) in the transaction that records their deliveries.
 *
 * Its payload is JSON in one of two layouts, both read by `messagesOfList`:
 * - when every message is an object with the same keys in the same order (a batch's awards),
 *   the keys once, the values the same in every message once, and each message as its id and
 *   its other values: `{"keys":[…],"same":{…},"rows":[["msg_…", v, …], …]}` (about half the
 *   bytes of the message objects written out, which a batch of 1,000 events writes and commits);
 * - otherwise (and in rows written before that layout) an array of `[id, payload]` pairs.
 * Either way the fan-out rebuilds each payload exactly as it was published: same keys, same
 * order, same values.
 */
export const MESSAGE_LIST_PREFIX = 'msb_';
export const isMessageList = (id: string) => id.startsWith(MESSAGE_LIST_PREFIX);

interface KeyedList {
  keys: string[];
  same: Record<string, unknown>;
  rows: unknown[][];
}

/** The messages of a list row, in publish order: `[id, payload as JSON text]`. */
export function messagesOfList(payload: string): [string, string][] {
  const parsed = JSON.parse(payload) as [string, unknown][] | KeyedList;
  if (Array.isArray(parsed)) return parsed.map(([id, p]) => [id, JSON.stringify(p)]);
  const { keys, same, rows } = parsed;
  const fixed = keys.map((k) => Object.prototype.hasOwnProperty.call(same, k));
  return rows.map((r) => {
    const o: Record<string, unknown> = {};
    let j = 1;
    for (let i = 0; i < keys.length; i++) o[keys[i]!] = fixed[i] ? same[keys[i]!] : r[j++];
    return [r[0] as string, JSON.stringify(o)];
  });
}

/**
 * A list's payload (above): the keyed layout when every payload is a plain object with the keys
 * of the first, in its order, none undefined (JSON would drop it) and none `__proto__`; else pairs.
 */
export function listPayload(list: unknown[], nextId: () => string): string {
  const first = list[0];
  const keys = first && typeof first === 'object' && !Array.isArray(first) && Object.getPrototypeOf(first) === Object.prototype ? Object.keys(first) : null;
  let keyed = keys !== null && keys.length > 0 && !keys.includes('__proto__');
  // A value is `same` while every message so far has it (scalars only, compared with ===).
  const same = keyed ? keys!.map((k) => (first as Record<string, unknown>)[k]) : [];
  const isSame = same.map((v) => v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean');
  for (let n = 0; keyed && n < list.length; n++) {
    const p = list[n];
    if (!p || typeof p !== 'object' || Object.getPrototypeOf(p) !== Object.prototype) {
      keyed = false;
      break;
    }
    const pk = Object.keys(p);
    if (pk.length !== keys!.length) {
      keyed = false;
      break;
    }
    for (let i = 0; i < pk.length; i++) {
      const v = (p as Record<string, unknown>)[pk[i]!];
      if (pk[i] !== keys![i] || v === undefined) {
        keyed = false;
        break;
      }
      if (isSame[i] && v !== same[i]) isSame[i] = false;
    }
  }
  if (!keyed) return JSON.stringify(list.map((p) => [nextId(), p]));
  const fixed: Record<string, unknown> = {};
  const varying: string[] = [];
  keys!.forEach((k, i) => (isSame[i] ? (fixed[k] = same[i]) : varying.push(k)));
  const rows = list.map((p) => {
    const row = new Array<unknown>(varying.length + 1);
    row[0] = nextId();
    for (let j = 0; j < varying.length; j++) row[j + 1] = (p as Record<string, unknown>)[varying[j]!];
    return row;
  });
  return JSON.stringify({ keys: keys!, same: fixed, rows } satisfies KeyedList);
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
  /** The row publish writes, or null when nobody listens to the topic or there is nothing to say. */
  function publishedRow(wanted: ReadonlySet<string>, workspaceId: string, topic: DomainTopic, payloads: unknown[] | (() => unknown[])): unknown[] | null {
    if (!wanted.has('*') && !wanted.has(topic)) return null;
    // Payloads may be built only now, when someone listens (off the hot path otherwise).
    const list = typeof payloads === 'function' ? payloads() : payloads;
    if (!list.length) return null;
    const t = now();
    if (list.length === 1) return [workspaceId, ids.next('msg'), topic, JSON.stringify(list[0]), 'pending', 0, t, t];
    // One stringify of the whole list: a third of the time of one per message joined.
    return [workspaceId, ids.next('msb'), topic, listPayload(list, () => ids.next('msg')), 'pending', 0, t, t];
  }
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
      const row = publishedRow(wanted, workspaceId, topic, payloads);
      if (row) await insert(tx, [row]);
    },
    /** publish, synchronously, on a SQLite connection inside its transaction (prepared.ts's runSync). */
    publishSync(sqlite: SQLite.Database, workspaceId: string, topic: DomainTopic, payloads: unknown[] | (() => unknown[])) {
      if (Array.isArray(payloads) && !payloads.length) return;
      const row = publishedRow(interestSync(sqlite, workspaceId), workspaceId, topic, payloads);
      if (row) insert.sync(sqlite, [row]);
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
