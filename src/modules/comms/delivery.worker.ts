import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import type { AnyDb } from '../../core/db/db.js';
import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import type { Ids } from '../../core/ids.js';
import { isMessageList, messagesOfList, type Outbox } from '../../core/outbox.js';
import type { CommsRepository } from './comms.repository.js';
import type { OutboxTable, WebhookDeliveriesTable, WebhookEndpointsTable } from './comms.tables.js';
import { signatureHeader } from './webhooks.signing.js';
import { guardedLookup, hostOf, isPrivateAddress } from './webhooks.ssrf.js';
import { EMAIL_TOPIC, type NotifyService } from './notify.service.js';
import type { SecretBox } from './webhooks.secrets.js';
import { createUpkeep, type Retention } from './delivery.upkeep.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** How long a message is retried before it becomes a dead letter. */
export const RETRY_WINDOW_MS = DAY;
/** An endpoint failing this long without a success is disabled. */
export const DISABLE_AFTER_MS = 3 * DAY;
/** Backoff: 30 s, 1 min, 2 min … doubling up to 1 h between attempts, plus up to 20% jitter. */
export const BACKOFF = { baseMs: 30_000, maxMs: HOUR, jitter: 0.2 } as const;
/** The topic of a webhook delivery's work item in the outbox (comms' own, never published). */
export const WEBHOOK_TOPIC = 'comms.webhook';
/** How often a worker looks for digests that fell due. */
export const DIGEST_EVERY_MS = 15_000;

export function backoffMs(attempt: number, random: () => number): number {
  const d = Math.min(BACKOFF.baseMs * 2 ** Math.max(0, attempt - 1), BACKOFF.maxMs);
  return d + Math.floor(random() * d * BACKOFF.jitter);
}

/**
 * A channel another module delivers through (a fulfilment vendor's orders): sends one claimed
 * work item and answers null when it was delivered, or the error; the worker settles it,
 * retrying with the same backoff as webhooks until the retry window ends (then a dead letter).
 */
export type Channel = (row: OutboxTable) => Promise<string | null>;

export interface WorkerOptions {
  /** names this worker in claims (default: random) */
  workerId?: string;
  /** messages claimed at a time (default 250: each claim and settle costs a few statements, whatever its size) */
  batchSize?: number;
  /** HTTP requests in flight at once per batch (default 32) */
  concurrency?: number;
  /** batches worked on at once by start() (default 2: one is sent while the other is written) */
  lanes?: number;
  /** how long a claim holds (default 5 min); must exceed timeoutMs */
  leaseMs?: number;
  /** per request (default 10 s) */
  timeoutMs?: number;
  /** idle wait between empty claims in start() (default 500 ms) */
  pollMs?: number;
  /** how long settled rows are kept (delivery.upkeep.ts; defaults 7 and 30 days) */
  retention?: Partial<Retention>;
  /** how often start() runs the upkeep (purges, sealing secrets), after once at start (default 1 h) */
  upkeepEveryMs?: number;
  /** jitter's randomness (tests fix it) */
  random?: () => number;
  /** how often the communication plans' scheduler runs, by the clock (default 30 s) */
  scheduleEveryMs?: number;
  onError?: (err: unknown) => void;
}

export interface WorkerDeps {
  db: AnyDb;
  repo: CommsRepository;
  ids: Ids;
  clock: Clock;
  outbox: Outbox;
  /** refuse private addresses unless the endpoint allows them */
  production: boolean;
  /** the participant channels (inbox, email); without it only webhooks are delivered */
  notify?: NotifyService;
  /** the communication plans' scheduler (plans.service.ts tick): its messages go out in the same loop */
  scheduler?: () => Promise<unknown>;
  /** opens the endpoints' stored secrets */
  secrets: SecretBox;
  /** other modules' channels by work item topic (`comms.…`), registered at start */
  channels?: ReadonlyMap<string, Channel>;
}

export interface RunStats {
  claimed: number;
  fannedOut: number;
  delivered: number;
  failed: number;
  dead: number;
}

interface Outcome {
  /** the outbox row that carries the attempt: the delivery's work item, or for a first attempt the domain message */
  row: OutboxTable;
  delivery: WebhookDeliveriesTable | undefined;
  endpoint: WebhookEndpointsTable | undefined;
  /** the endpoint's secrets in plain text (the previous one while a rotation overlaps), or why they did not open */
  keys: string[] | Error;
  /** a first attempt, made as its message is fanned out: the delivery has no row yet */
  fresh: boolean;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  /** not sent at all: the endpoint is gone (discard) or disabled (dead letter) */
  skip?: 'discarded' | 'dead';
}

/** The messages of a message list taken by one claim: `ids`, its messages from `from` to `to` of `total`. */
interface ListChunk {
  row: OutboxTable;
  ids: string[];
  to: number;
  total: number;
}

/** A workspace's domain messages of one claim, fanned out: what their participants are told. */
interface FanOut {
  ws: string;
  /** the messages: rows of their own, and those of message lists (`chunks`) */
  msgs: OutboxTable[];
  chunks: ListChunk[];
  told: Awaited<ReturnType<NotifyService['prepare']>> | null;
}

/**
 * A claim's domain rows as messages: a message list gives the next of its messages that fit in
 * one batch (`batchSize` messages in all, rows of their own counted first; a list always gets at
 * least one), each as the row it would have had alone. Lists that got none go back (`released`).
 */
export function expandLists(rows: OutboxTable[], batchSize: number) {
  const msgs: OutboxTable[] = [];
  const chunks: ListChunk[] = [];
  const released: OutboxTable[] = [];
  let room = batchSize - rows.filter((r) => !isMessageList(r.id)).length;
  for (const r of rows) {
    if (!isMessageList(r.id)) {
      msgs.push(r);
      continue;
    }
    if (room <= 0 && chunks.length) {
      released.push(r);
      continue;
    }
    const all = messagesOfList(r.payload);
    const from = r.fanned_out ?? 0;
    const taken = all.slice(from, from + Math.max(1, room));
    room -= taken.length;
    for (const [id, payload] of taken) msgs.push({ ...r, id, payload, fanned_out: 0 });
    chunks.push({ row: r, ids: taken.map(([id]) => id), to: from + taken.length, total: all.length });
  }
  return { msgs, chunks, released };
}

const groupBy = <T>(xs: T[], key: (x: T) => string) => {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const list = m.get(k);
    if (list) list.push(x);
    else m.set(k, [x]);
  }
  return m;
};

const BASE32 = '0123456789abcdefghjkmnpqrstvwxyz';
/**
 * The delivery id of a message to an endpoint: the message id's time, then 16 characters of
 * SHA-256 of both ids. The same on every fan-out of the message, so a worker that dies before
 * recording its attempts resends under the same Tandem-Delivery-Id.
 */
export function deliveryIdOf(messageId: string, endpointId: string): string {
  const digest = createHash('sha256').update(`${messageId}|${endpointId}`).digest();
  let tail = '';
  for (let i = 0; i < 16; i++) tail += BASE32[digest[i]! % 32];
  return `whd_${messageId.slice(messageId.indexOf('_') + 1, messageId.indexOf('_') + 11)}${tail}`;
}

/**
 * Delivers the outbox. A domain message is fanned out into one delivery per subscribed,
 * enabled webhook endpoint (id whd_…, the Tandem-Delivery-Id, derived from the message and the
 * endpoint) and the first attempts are sent at once, while the message's claim holds; one
 * transaction then settles the message and writes the deliveries with their attempts, and a
 * work item in the outbox (same id) only for a delivery to retry. Claims carry a lease: a worker
 * killed mid-batch loses nothing, its messages fall due again when the lease ends and are sent
 * again under the same delivery ids (at least once, with a stable id).
 */
export function createDeliveryWorker(deps: WorkerDeps, opts: WorkerOptions = {}) {
  const { repo, clock } = deps;
  const workerId = opts.workerId ?? `wkr-${randomBytes(6).toString('hex')}`;
  const batchSize = opts.batchSize ?? 250;
  const concurrency = opts.concurrency ?? 32;
  const leaseMs = opts.leaseMs ?? 5 * 60_000;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const random = opts.random ?? Math.random;
  let seq = 0;
  let lastDigestRun: number | null = null;
  // undici's own timeouts (connect 10 s, headers and body timeoutMs) bound a request: no per-request timer.
  const agentOpts = { keepAliveTimeout: 10_000, connections: concurrency * (opts.lanes ?? 2) };
  const openAgent = new Agent(agentOpts);
  const guardedAgent = new Agent({ ...agentOpts, connect: { lookup: guardedLookup } });
  const upkeep = createUpkeep({ db: deps.db, repo, clock, secrets: deps.secrets, retention: opts.retention });

  /** An endpoint's signing secrets, opened once per claim. */
  function keysOf(e: WebhookEndpointsTable, now: number): string[] | Error {
    const open = (v: string) => {
      try {
        return deps.secrets.open(e.workspace_id, e.id, v);
      } catch {
        return null;
      }
    };
    const current = open(e.secret);
    if (current === null) return new Error('the endpoint secret does not open with this TANDEM_SECRET');
    // A previous secret sealed under an older TANDEM_SECRET (rotated after it changed) just stops signing.
    const previous = e.previous_secret && (e.previous_secret_expires_at ?? 0) > now ? open(e.previous_secret) : null;
    return previous === null ? [current] : [current, previous];
  }

  /** Each message's deliveries to the enabled endpoints that subscribe to its type, to send now. */
  async function fanOut(rows: OutboxTable[], chunks: ListChunk[], outcomes: Outcome[]): Promise<FanOut[]> {
    const fanned: FanOut[] = [];
    for (const [ws, msgs] of groupBy(rows, (r) => r.workspace_id)) {
      const now = clock.now();
      const endpoints = (await repo.enabledEndpoints(ws)).map((e) => ({ e, types: new Set(JSON.parse(e.event_types) as string[]), keys: keysOf(e, now) }));
      // Read before the transaction: on SQLite it holds the one connection.
      const told = deps.notify ? await deps.notify.prepare(ws, msgs) : null;
      for (const m of msgs) {
        let body: string | undefined;
        for (const { e, types, keys } of endpoints) {
          if (!types.has('*') && !types.has(m.topic)) continue;
          body ??= `{"id":${JSON.stringify(m.id)},"type":${JSON.stringify(m.topic)},"createdAt":"${toIso(m.created_at)}","data":${m.payload}}`;
          const delivery: WebhookDeliveriesTable = { workspace_id: ws, id: deliveryIdOf(m.id, e.id), endpoint_id: e.id, event_id: m.id, event_type: m.topic, body, status: 'pending', attempts: 0, last_status_code: null, last_error: null, last_attempt_at: null, last_duration_ms: null, replay_of: null, created_at: now };
          outcomes.push({ row: m, delivery, endpoint: e, keys, fresh: true, statusCode: null, durationMs: 0, error: null });
        }
      }
      fanned.push({ ws, msgs, chunks: chunks.filter((c) => c.row.workspace_id === ws), told });
    }
    return fanned;
  }

  /** Claimed work items (retries, replays, dead letters retried): their deliveries and endpoints. */
  async function loadWork(rows: OutboxTable[], outcomes: Outcome[]) {
    for (const [ws, items] of groupBy(rows, (r) => r.workspace_id)) {
      const deliveries = new Map((await repo.deliveriesByIds(ws, items.map((r) => r.id))).map((d) => [d.id, d]));
      const endpointIds = [...new Set([...deliveries.values()].map((d) => d.endpoint_id))];
      const now = clock.now();
      const endpoints = new Map((await repo.endpointsByIds(ws, endpointIds)).map((e) => [e.id, { e, keys: keysOf(e, now) }]));
      for (const row of items) {
        const delivery = deliveries.get(row.id);
        const found = delivery && endpoints.get(delivery.endpoint_id);
        const o: Outcome = { row, delivery, endpoint: found?.e, keys: found?.keys ?? [], fresh: false, statusCode: null, durationMs: 0, error: null };
        const endpoint = o.endpoint;
        if (!delivery || !endpoint) o.skip = 'discarded';
        else if (!endpoint.enabled) o.skip = 'dead';
        outcomes.push(o);
      }
    }
  }

  async function send(o: Outcome): Promise<void> {
    const { delivery: d, endpoint: e } = o;
    if (!d || !e) return;
    const started = performance.now();
    try {
      const url = new URL(e.url);
      const guarded = deps.production && !e.allow_private_network;
      if (guarded && net.isIP(hostOf(url)) && isPrivateAddress(hostOf(url))) throw new Error(`refused: ${hostOf(url)} is a private address`);
      if (o.keys instanceof Error) throw o.keys;
      const now = clock.now();
      const res = await request(url, {
        method: 'POST',
        body: d.body,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Tandem-Webhooks/1',
          'tandem-delivery-id': d.id,
          'tandem-signature': signatureHeader(d.body, Math.floor(now / 1000), o.keys),
        },
        dispatcher: guarded ? guardedAgent : openAgent,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      await res.body.dump();
      o.statusCode = res.statusCode;
      if (res.statusCode < 200 || res.statusCode > 299) o.error = `HTTP ${res.statusCode}`;
    } catch (err) {
      const e2 = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
      const inner = e2.cause?.code === 'EPRIVATEADDRESS' ? e2.cause : e2;
      o.error = String(inner.message ?? err).slice(0, 500) || String(inner.code ?? 'request failed');
    } finally {
      o.durationMs = Math.round(performance.now() - started);
    }
  }

  async function sendAll(outcomes: Outcome[]) {
    let next = 0;
    const lane = async () => {
      while (next < outcomes.length) {
        const o = outcomes[next++]!;
        if (!o.skip) await send(o);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, outcomes.length) }, lane));
  }

  /**
   * Settles a workspace's fanned-out messages, fenced by the claim: rows of their own are
   * delivered; a message list is delivered with its last chunk, else it records how far it got and
   * falls due again for the next. Answers the ids of the messages settled.
   */
  async function settleMessages(tx: AnyDb, fan: FanOut, token: string, now: number): Promise<Set<string>> {
    if (!fan.chunks.length) return new Set(await repo.settleDelivered(tx, fan.ws, fan.msgs.map((m) => m.id), token, now));
    const inLists = new Set(fan.chunks.flatMap((c) => c.ids));
    const own = fan.msgs.filter((m) => !inLists.has(m.id)).map((m) => m.id);
    const settled = new Set(own.length ? await repo.settleDelivered(tx, fan.ws, own, token, now) : []);
    for (const c of fan.chunks) if (await repo.advanceList(tx, fan.ws, c.row.id, token, c.to, c.to === c.total, now)) for (const id of c.ids) settled.add(id);
    return settled;
  }

  /**
   * Writes a claim's results in one transaction: the fanned-out messages settled, what their
   * participants are told, the delivery log and its attempts, the retries, the endpoints' health.
   */
  async function settle(fanned: FanOut[], outcomes: Outcome[], token: string, stats: RunStats) {
    const now = clock.now();
    const byWs = groupBy(outcomes, (o) => o.row.workspace_id);
    const workspaces = new Set([...fanned.map((f) => f.ws), ...byWs.keys()]);
    await deps.db.transaction().execute(async (tx) => {
      for (const ws of workspaces) {
        let list = byWs.get(ws) ?? [];
        const fan = fanned.find((f) => f.ws === ws);
        if (fan) {
          // Fenced by the claim: messages whose lease another worker took over are its to record.
          const settled = await settleMessages(tx, fan, token, now);
          if (settled.size < fan.msgs.length) list = list.filter((o) => !o.fresh || settled.has(o.row.id));
          if (fan.told) {
            const emails = await deps.notify!.write(tx, ws, fan.told);
            if (emails.length) await repo.insertOutbox(tx, emails);
            stats.fannedOut += emails.length + fan.told.inbox.length;
          }
          stats.delivered += settled.size;
        }
        const sent = list.filter((o) => !o.skip);
        const retryAt = new Map<Outcome, number | null>();
        for (const o of sent) {
          if (o.error === null) continue;
          const giveUpAt = o.fresh ? now + RETRY_WINDOW_MS : (o.row.give_up_at ?? o.row.created_at + RETRY_WINDOW_MS);
          retryAt.set(o, now >= giveUpAt ? null : Math.min(now + backoffMs(o.fresh ? 1 : o.row.attempts, random), giveUpAt));
        }
        const fresh = sent.filter((o) => o.fresh);
        if (fresh.length) {
          await repo.insertDeliveries(
            tx,
            fresh.map((o) => ({ ...o.delivery!, status: o.error === null ? 'delivered' : retryAt.get(o) === null ? 'dead' : 'pending', attempts: 1, last_status_code: o.statusCode, last_error: o.error, last_attempt_at: now, last_duration_ms: o.durationMs })),
          );
          stats.fannedOut += fresh.length;
        }
        // Every attempt gets a row, but a first one that succeeded: the delivery's row holds it.
        const logged = sent.filter((o) => !(o.fresh && o.error === null));
        if (logged.length)
          await repo.insertAttempts(
            tx,
            logged.map((o) => ({ workspace_id: ws, id: deps.ids.next('wha'), delivery_id: o.delivery!.id, attempt: o.fresh ? 1 : o.delivery!.attempts + 1, status_code: o.statusCode, duration_ms: o.durationMs, error: o.error, created_at: now })),
          );
        const ok = sent.filter((o) => o.error === null);
        if (ok.length) {
          const items = ok.filter((o) => !o.fresh);
          if (items.length) {
            await repo.settleDelivered(tx, ws, items.map((o) => o.row.id), token, now);
            for (const [code, group] of groupBy(items, (o) => String(o.statusCode)))
              await repo.updateDeliveries(tx, ws, group.map((o) => o.row.id), { status: 'delivered', last_status_code: Number(code), last_error: null, last_attempt_at: now, last_duration_ms: null }, true);
          }
          await repo.clearFailing(tx, ws, [...new Set(ok.map((o) => o.endpoint!.id))]);
          stats.delivered += ok.length;
        }
        for (const o of list.filter((x) => x.skip)) {
          const why = o.skip === 'dead' ? 'endpoint disabled' : 'endpoint deleted';
          await repo.settleAs(tx, ws, o.row.id, token, now, o.skip!, why);
          if (o.delivery) await repo.updateDeliveries(tx, ws, [o.row.id], { status: o.skip!, last_error: why }, false);
          if (o.skip === 'dead') stats.dead++;
        }
        const failed = sent.filter((x) => x.error !== null);
        // A first attempt that failed gets its work item now: the delivery's retries are claimed from the outbox.
        const retries: OutboxTable[] = failed
          .filter((o) => o.fresh)
          .map((o) => {
            const at = retryAt.get(o)!;
            return { workspace_id: ws, id: o.delivery!.id, topic: WEBHOOK_TOPIC, payload: `{"endpointId":"${o.endpoint!.id}"}`, status: at === null ? 'dead' : 'pending', attempts: 1, available_at: at ?? now, created_at: now, lease_until: null, claimed_by: null, last_error: o.error, settled_at: at === null ? now : null, give_up_at: null };
          });
        if (retries.length) await repo.insertOutbox(tx, retries);
        const disabledNow = new Set<string>();
        for (const o of failed) {
          const at = retryAt.get(o)!;
          if (!o.fresh) {
            await repo.settleFailed(tx, ws, o.row.id, token, now, at, o.error!);
            await repo.updateDeliveries(tx, ws, [o.row.id], { status: at === null ? 'dead' : 'pending', last_status_code: o.statusCode, last_error: o.error, last_attempt_at: now, last_duration_ms: o.durationMs }, true);
          }
          stats.failed++;
          if (at === null) stats.dead++;
          const e = await repo.markFailing(tx, ws, o.endpoint!.id, now);
          if (e && e.enabled && e.failing_since !== null && now - e.failing_since >= DISABLE_AFTER_MS && !disabledNow.has(e.id)) {
            disabledNow.add(e.id);
            if (await repo.disableEndpoint(tx, ws, e.id, 'failed for 3 days', now))
              await deps.outbox.enqueue(tx, {
                workspaceId: ws,
                topic: 'webhook.disabled',
                payload: { endpointId: e.id, url: e.url, failingSince: toIso(e.failing_since), disabledAt: toIso(now), owner: e.created_by, reason: 'failed for 3 days' },
              });
          }
        }
      }
    });
  }

  /** Sends claimed emails (or keeps them, without SMTP); failures retry like webhooks, then become dead letters. */
  async function sendEmails(rows: OutboxTable[], token: string, stats: RunStats) {
    const notify = deps.notify!;
    const results: { row: OutboxTable; status: 'sent' | 'stored' | 'failed' | 'gone'; error: string | null }[] = [];
    for (const [ws, items] of groupBy(rows, (r) => r.workspace_id)) {
      const emails = new Map((await notify.emailsByIds(ws, items.map((r) => r.id))).map((e) => [e.id, e]));
      let next = 0;
      const lane = async () => {
        while (next < items.length) {
          const row = items[next++]!;
          const e = emails.get(row.id);
          if (!e) results.push({ row, status: 'gone', error: 'email not found' });
          else results.push({ row, ...(await notify.send(e)) });
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
    }
    const now = clock.now();
    await deps.db.transaction().execute(async (tx) => {
      for (const r of results) {
        const ws = r.row.workspace_id;
        if (r.status === 'gone') {
          await repo.settleAs(tx, ws, r.row.id, token, now, 'discarded', r.error!);
        } else if (r.status !== 'failed') {
          await repo.settleDelivered(tx, ws, [r.row.id], token, now);
          await notify.markEmail(tx, ws, r.row.id, { status: r.status, sent_at: now, last_error: null });
          stats.delivered++;
        } else {
          const giveUpAt = r.row.give_up_at ?? r.row.created_at + RETRY_WINDOW_MS;
          const retryAt = now >= giveUpAt ? null : Math.min(now + backoffMs(r.row.attempts, random), giveUpAt);
          await repo.settleFailed(tx, ws, r.row.id, token, now, retryAt, r.error!);
          await notify.markEmail(tx, ws, r.row.id, { status: retryAt === null ? 'dead' : 'pending', last_error: r.error });
          stats.failed++;
          if (retryAt === null) stats.dead++;
        }
      }
    });
  }

  /** Sends claimed items of the other modules' channels; a failure retries like a webhook, then becomes a dead letter. */
  async function sendChannels(rows: OutboxTable[], token: string, stats: RunStats) {
    const results: { row: OutboxTable; error: string | null }[] = [];
    let next = 0;
    const lane = async () => {
      while (next < rows.length) {
        const row = rows[next++]!;
        const error = await deps.channels!.get(row.topic)!(row).catch((err: unknown) => String((err as Error)?.message ?? err).slice(0, 500) || 'channel failed');
        results.push({ row, error });
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, lane));
    const now = clock.now();
    await deps.db.transaction().execute(async (tx) => {
      for (const r of results) {
        const ws = r.row.workspace_id;
        if (r.error === null) {
          await repo.settleDelivered(tx, ws, [r.row.id], token, now);
          stats.delivered++;
          continue;
        }
        const giveUpAt = r.row.give_up_at ?? r.row.created_at + RETRY_WINDOW_MS;
        const retryAt = now >= giveUpAt ? null : Math.min(now + backoffMs(r.row.attempts, random), giveUpAt);
        await repo.settleFailed(tx, ws, r.row.id, token, now, retryAt, r.error);
        stats.failed++;
        if (retryAt === null) stats.dead++;
      }
    });
  }

  // The scheduler runs before a claim, at most every scheduleEveryMs and in one lane at a time.
  let scheduledAt = -Infinity;
  let scheduling = false;
  async function schedule() {
    const now = clock.now();
    if (!deps.scheduler || scheduling || now - scheduledAt < (opts.scheduleEveryMs ?? 30_000)) return;
    scheduling = true;
    scheduledAt = now;
    try {
      await deps.scheduler();
    } catch (err) {
      opts.onError?.(err);
    } finally {
      scheduling = false;
    }
  }

  /** Claims one batch of due messages and works it to the end. */
  async function runOnce(): Promise<RunStats> {
    const stats: RunStats = { claimed: 0, fannedOut: 0, delivered: 0, failed: 0, dead: 0 };
    const token = `${workerId}:${++seq}`;
    await schedule();
    const now = clock.now();
    // Digests that fell due become inbox messages and emails, claimed below with the rest.
    if (deps.notify && (lastDigestRun === null || now - lastDigestRun >= DIGEST_EVERY_MS || now < lastDigestRun)) {
      lastDigestRun = now;
      stats.fannedOut += await deps.notify.runDigests();
    }
    const rows = await repo.claim(now, batchSize, token, now + leaseMs);
    stats.claimed = rows.length;
    if (!rows.length) return stats;
    // A message list gives the messages that fit in this batch; lists beyond it go back at once.
    const { msgs: domain, chunks, released } = expandLists(rows.filter((r) => !r.topic.startsWith('comms.')), batchSize);
    for (const [ws, back] of groupBy(released, (r) => r.workspace_id)) await repo.release(ws, back.map((r) => r.id), token, now);
    const webhooks = rows.filter((r) => r.topic === WEBHOOK_TOPIC);
    const outcomes: Outcome[] = [];
    const fanned = domain.length ? await fanOut(domain, chunks, outcomes) : [];
    if (webhooks.length) await loadWork(webhooks, outcomes);
    await sendAll(outcomes);
    if (fanned.length || outcomes.length) await settle(fanned, outcomes, token, stats);
    const emails = deps.notify ? rows.filter((r) => r.topic === EMAIL_TOPIC) : [];
    if (emails.length) await sendEmails(emails, token, stats);
    const channelled = rows.filter((r) => deps.channels?.has(r.topic));
    if (channelled.length) await sendChannels(channelled, token, stats);
    // Another channel's work item that this version does not know.
    for (const r of rows.filter((x) => x.topic.startsWith('comms.') && x.topic !== WEBHOOK_TOPIC && !(deps.notify && x.topic === EMAIL_TOPIC) && !deps.channels?.has(x.topic))) {
      await repo.settleAs(deps.db, r.workspace_id, r.id, token, clock.now(), 'dead', `no channel for ${r.topic}`);
      stats.dead++;
    }
    return stats;
  }

  const add = (a: RunStats, b: RunStats) => {
    for (const k of Object.keys(a) as (keyof RunStats)[]) a[k] += b[k];
  };

  return {
    workerId,
    runOnce,
    /** Purges settled rows past their retention and seals plain-text secrets (start() runs it hourly). */
    upkeep: () => upkeep.run(),
    /** Runs batches until nothing is due at the clock's time (tests, the CLI's one-shot runs). */
    async drain(): Promise<RunStats> {
      const total: RunStats = { claimed: 0, fannedOut: 0, delivered: 0, failed: 0, dead: 0 };
      for (;;) {
        const r = await runOnce();
        add(total, r);
        if (!r.claimed) return total;
      }
    },
    /** Works until stop(): `lanes` loops claim and deliver; an idle loop waits pollMs. */
    start() {
      const stop = new AbortController();
      const total: RunStats = { claimed: 0, fannedOut: 0, delivered: 0, failed: 0, dead: 0 };
      const loop = async () => {
        while (!stop.signal.aborted) {
          let r: RunStats | undefined;
          try {
            r = await runOnce();
            add(total, r);
          } catch (err) {
            opts.onError?.(err);
          }
          if (!r?.claimed) await sleep(opts.pollMs ?? 500, undefined, { signal: stop.signal }).catch(() => {});
        }
      };
      const tidy = async () => {
        while (!stop.signal.aborted) {
          await upkeep.run().catch((err: unknown) => opts.onError?.(err));
          await sleep(opts.upkeepEveryMs ?? 3600_000, undefined, { signal: stop.signal }).catch(() => {});
        }
      };
      const running = Promise.all([...Array.from({ length: opts.lanes ?? 2 }, loop), tidy()]);
      return {
        total,
        /** Finishes the batches in hand, then resolves. */
        async stop() {
          stop.abort();
          await running;
        },
      };
    },
    async close() {
      await Promise.all([openAgent.close(), guardedAgent.close()]);
    },
  };
}
export type DeliveryWorker = ReturnType<typeof createDeliveryWorker>;
