import type { AnyDb, Dialect } from '../../core/db/db.js';
import type { Ids } from '../../core/ids.js';
import { randomToken } from '../../core/ids.js';
import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import type { AuthContext } from '../../core/auth.js';
import type { Outbox } from '../../core/outbox.js';
import { AppError, notFound } from '../../core/errors.js';
import { decodeCursor, toPage } from '../../core/http/pagination.js';
import type { AuditService } from '../audit/index.js';
import { createCommsRepository } from './comms.repository.js';
import type { OutboxTable, WebhookAttemptsTable, WebhookDeliveriesTable, WebhookEndpointsTable } from './comms.tables.js';
import { createDeliveryWorker, RETRY_WINDOW_MS, WEBHOOK_TOPIC, type Channel, type WorkerOptions } from './delivery.worker.js';
import type { TCreateEndpoint, TDeadLetter, TDelivery, TEndpoint, TUpdateEndpoint } from './webhooks.schema.js';
import { checkOutboundUrl } from './webhooks.ssrf.js';
import { createNotifyService, type NotifyDeps } from './notify.service.js';
import { MESSAGE_TYPES } from './messages.templates.js';
import { createSecretBox } from './webhooks.secrets.js';

/** How long the old secret keeps signing after a rotation. */
export const ROTATION_OVERLAP_MS = 24 * 3600_000;

export interface CommsDeps {
  db: AnyDb;
  dialect: Dialect;
  ids: Ids;
  clock: Clock;
  audit: AuditService;
  outbox: Outbox;
  /** NODE_ENV=production: webhook URLs may not reach private addresses unless allowed */
  production: boolean;
  /** the participant channels' needs: names for messages, the secret and links of emails, SMTP */
  notify: Omit<NotifyDeps, 'db' | 'ids' | 'clock' | 'audit'>;
}

const toEndpoint = (r: WebhookEndpointsTable): TEndpoint => ({
  id: r.id,
  url: r.url,
  description: r.description,
  eventTypes: JSON.parse(r.event_types) as string[],
  enabled: !!r.enabled,
  allowPrivateNetwork: !!r.allow_private_network,
  disabledReason: r.disabled_reason,
  failingSince: toIso(r.failing_since),
  previousSecretExpiresAt: r.previous_secret ? toIso(r.previous_secret_expires_at) : null,
  createdAt: toIso(r.created_at)!,
  updatedAt: toIso(r.updated_at)!,
});

const toDelivery = (d: WebhookDeliveriesTable, attempts: WebhookAttemptsTable[]): TDelivery => ({
  id: d.id,
  endpointId: d.endpoint_id,
  eventId: d.event_id,
  eventType: d.event_type,
  status: d.status,
  // A first attempt that succeeded has no attempt row: it is the delivery row's last attempt.
  attempts:
    !attempts.length && d.attempts === 1 && d.status === 'delivered' && d.last_attempt_at !== null
      ? [{ attempt: 1, statusCode: d.last_status_code, durationMs: d.last_duration_ms ?? 0, error: null, at: toIso(d.last_attempt_at)! }]
      : attempts.map((a) => ({ attempt: a.attempt, statusCode: a.status_code, durationMs: a.duration_ms, error: a.error, at: toIso(a.created_at)! })),
  replayOf: d.replay_of,
  createdAt: toIso(d.created_at)!,
});

const toDeadLetter = (r: OutboxTable): TDeadLetter => ({
  id: r.id,
  type: r.topic,
  payload: JSON.parse(r.payload) as unknown,
  attempts: r.attempts,
  lastError: r.last_error,
  createdAt: toIso(r.created_at)!,
  deadAt: toIso(r.settled_at),
});

const newSecret = () => `whsec_${randomToken(32)}`;
const audited = (e: TEndpoint) => ({ url: e.url, eventTypes: e.eventTypes, enabled: e.enabled, allowPrivateNetwork: e.allowPrivateNetwork, description: e.description });

/** Webhook endpoints, their delivery log and replays, dead letters; and the worker that delivers. */
export function createCommsService(deps: CommsDeps) {
  const repo = createCommsRepository(deps.db, deps.dialect);
  let scheduler: (() => Promise<unknown>) | undefined;
  const channels = new Map<string, Channel>();
  const notify = createNotifyService({ db: deps.db, ids: deps.ids, clock: deps.clock, audit: deps.audit, ...deps.notify });
  // Endpoint secrets are stored sealed under TANDEM_SECRET (webhooks.secrets.ts).
  const secrets = createSecretBox(deps.notify.secret);

  // The topics each workspace's enabled endpoints subscribe to, kept for 2 s (dropped at once
  // when this process changes an endpoint): the outbox then writes no message nobody would
  // receive. Another process's new endpoint is noticed within those 2 s. The types participants
  // are told about (inbox, email) are always wanted: every participant has an inbox.
  const INTEREST_TTL_MS = 2000;
  const interests = new Map<string, { at: number; topics: ReadonlySet<string> }>();
  const keepInterest = (ws: string, at: number, types: string[]) => {
    const topics = new Set<string>([...MESSAGE_TYPES, ...types.flatMap((t) => JSON.parse(t) as string[])]);
    interests.set(ws, { at, topics });
    return topics;
  };
  const keptInterest = (ws: string, now: number) => {
    const hit = interests.get(ws);
    return hit && now - hit.at < INTEREST_TTL_MS ? hit.topics : null;
  };
  deps.outbox.listenWith(
    async (db, ws) => {
      const now = performance.now();
      return keptInterest(ws, now) ?? keepInterest(ws, now, await repo.subscribedTypes(db, ws));
    },
    // In a synchronous SQLite transaction (a redemption's): the same query.
    (sqlite, ws) => {
      const now = performance.now();
      return keptInterest(ws, now) ?? keepInterest(ws, now, repo.subscribedTypesSync(sqlite, ws));
    },
  );

  const checkUrl = (url: string, allowPrivate: boolean) => checkOutboundUrl(url, { production: deps.production, allowPrivate });

  async function endpointOf(ctx: AuthContext, id: string, tx?: AnyDb) {
    const row = await repo.endpoint(ctx.workspaceId, id, tx);
    if (!row) throw notFound('Webhook endpoint');
    return row;
  }

  async function deadLetter(ctx: AuthContext, id: string, tx: AnyDb) {
    const row = await repo.outboxMessage(ctx.workspaceId, id, tx);
    if (!row) throw notFound('Dead letter');
    if (row.status !== 'dead') throw new AppError('conflict', { detail: `The message is ${row.status}, not a dead letter` });
    return row;
  }

  return {
    async createEndpoint(ctx: AuthContext, input: TCreateEndpoint) {
      ctx.require('webhooks.manage');
      await checkUrl(input.url, input.allowPrivateNetwork);
      const now = deps.clock.now();
      const id = deps.ids.next('whe');
      const secret = newSecret();
      const row: WebhookEndpointsTable = {
        workspace_id: ctx.workspaceId,
        id,
        url: input.url,
        description: input.description,
        event_types: JSON.stringify(input.eventTypes),
        enabled: 1,
        allow_private_network: input.allowPrivateNetwork ? 1 : 0,
        secret: secrets.seal(ctx.workspaceId, id, secret),
        previous_secret: null,
        previous_secret_expires_at: null,
        failing_since: null,
        disabled_reason: null,
        created_by: `${ctx.actor.type}:${ctx.actor.id}`,
        created_at: now,
        updated_at: now,
      };
      const e = toEndpoint(row);
      await deps.db.transaction().execute(async (tx) => {
        await repo.insertEndpoint(tx, row);
        await deps.audit.record(tx, ctx, { action: 'webhook_endpoint.created', targetType: 'webhook_endpoint', targetId: row.id, after: audited(e) });
      });
      interests.delete(ctx.workspaceId);
      return { ...e, secret };
    },
    async listEndpoints(ctx: AuthContext, q: { limit: number; cursor?: string }) {
      ctx.require('webhooks.manage');
      const rows = await repo.listEndpoints(ctx.workspaceId, decodeCursor(q.cursor), q.limit + 1);
      return toPage(rows, q.limit, toEndpoint);
    },
    async getEndpoint(ctx: AuthContext, id: string) {
      ctx.require('webhooks.manage');
      return toEndpoint(await endpointOf(ctx, id));
    },
    async updateEndpoint(ctx: AuthContext, id: string, patch: TUpdateEndpoint) {
      ctx.require('webhooks.manage');
      const current = await endpointOf(ctx, id);
      const url = patch.url ?? current.url;
      const allowPrivate = patch.allowPrivateNetwork ?? !!current.allow_private_network;
      if (patch.url !== undefined || patch.allowPrivateNetwork === false) await checkUrl(url, allowPrivate);
      const now = deps.clock.now();
      const next: Partial<WebhookEndpointsTable> = { updated_at: now };
      if (patch.url !== undefined) next.url = patch.url;
      if (patch.description !== undefined) next.description = patch.description;
      if (patch.eventTypes !== undefined) next.event_types = JSON.stringify(patch.eventTypes);
      if (patch.allowPrivateNetwork !== undefined) next.allow_private_network = patch.allowPrivateNetwork ? 1 : 0;
      if (patch.enabled !== undefined) {
        next.enabled = patch.enabled ? 1 : 0;
        // Enabled again by hand: the count of failing days starts over.
        if (patch.enabled && !current.enabled) Object.assign(next, { failing_since: null, disabled_reason: null });
        if (!patch.enabled && current.enabled) next.disabled_reason = 'disabled by hand';
      }
      const updated = await deps.db.transaction().execute(async (tx) => {
        const before = await endpointOf(ctx, id, tx);
        await repo.updateEndpoint(tx, ctx.workspaceId, id, next);
        const after = toEndpoint((await repo.endpoint(ctx.workspaceId, id, tx))!);
        await deps.audit.record(tx, ctx, { action: 'webhook_endpoint.updated', targetType: 'webhook_endpoint', targetId: id, before: audited(toEndpoint(before)), after: audited(after) });
        return after;
      });
      interests.delete(ctx.workspaceId);
      return updated;
    },
    async deleteEndpoint(ctx: AuthContext, id: string) {
      ctx.require('webhooks.manage');
      await deps.db.transaction().execute(async (tx) => {
        const before = await endpointOf(ctx, id, tx);
        await repo.deleteEndpoint(tx, ctx.workspaceId, id);
        await deps.audit.record(tx, ctx, { action: 'webhook_endpoint.deleted', targetType: 'webhook_endpoint', targetId: id, before: audited(toEndpoint(before)) });
      });
      interests.delete(ctx.workspaceId);
    },
    /** A new secret, answered once; the old one keeps signing (a second v1) for 24 hours. */
    async rotateSecret(ctx: AuthContext, id: string) {
      ctx.require('webhooks.manage');
      return deps.db.transaction().execute(async (tx) => {
        const current = await endpointOf(ctx, id, tx);
        const now = deps.clock.now();
        const secret = newSecret();
        // The old secret moves as it is stored (sealed, or sealed now if it predates encryption).
        const previous = secrets.isSealed(current.secret) ? current.secret : secrets.seal(ctx.workspaceId, id, current.secret);
        await repo.updateEndpoint(tx, ctx.workspaceId, id, { secret: secrets.seal(ctx.workspaceId, id, secret), previous_secret: previous, previous_secret_expires_at: now + ROTATION_OVERLAP_MS, updated_at: now });
        await deps.audit.record(tx, ctx, { action: 'webhook_endpoint.secret_rotated', targetType: 'webhook_endpoint', targetId: id });
        return { ...toEndpoint((await repo.endpoint(ctx.workspaceId, id, tx))!), secret };
      });
    },
    /** An endpoint's deliveries, newest first, each with its attempts. */
    async listDeliveries(ctx: AuthContext, id: string, q: { limit: number; cursor?: string }) {
      ctx.require('webhooks.manage');
      await endpointOf(ctx, id);
      const rows = await repo.listDeliveries(ctx.workspaceId, id, decodeCursor(q.cursor), q.limit + 1);
      const attempts = await repo.attemptsOf(ctx.workspaceId, rows.slice(0, q.limit).map((r) => r.id));
      const byDelivery = new Map<string, WebhookAttemptsTable[]>();
      for (const a of attempts) byDelivery.set(a.delivery_id, [...(byDelivery.get(a.delivery_id) ?? []), a]);
      return toPage(rows, q.limit, (r) => toDelivery(r, byDelivery.get(r.id) ?? []));
    },
    /** Sends a delivery's body again as a new delivery (a new Tandem-Delivery-Id, the same event id). */
    async replay(ctx: AuthContext, endpointId: string, deliveryId: string) {
      ctx.require('webhooks.manage');
      return deps.db.transaction().execute(async (tx) => {
        const endpoint = await endpointOf(ctx, endpointId, tx);
        const original = await repo.delivery(ctx.workspaceId, deliveryId, tx);
        if (!original || original.endpoint_id !== endpointId) throw notFound('Delivery');
        if (!endpoint.enabled) throw new AppError('conflict', { detail: 'The endpoint is disabled: enable it first' });
        const now = deps.clock.now();
        const id = deps.ids.next('whd');
        const row: WebhookDeliveriesTable = { ...original, id, status: 'pending', attempts: 0, last_status_code: null, last_error: null, last_attempt_at: null, last_duration_ms: null, replay_of: original.id, created_at: now };
        await repo.insertOutbox(tx, [{ workspace_id: ctx.workspaceId, id, topic: WEBHOOK_TOPIC, payload: `{"endpointId":"${endpointId}"}`, status: 'pending', attempts: 0, available_at: now, created_at: now, lease_until: null, claimed_by: null, last_error: null, settled_at: null, give_up_at: null }]);
        await repo.insertDeliveries(tx, [row]);
        await deps.audit.record(tx, ctx, { action: 'webhook_delivery.replayed', targetType: 'webhook_endpoint', targetId: endpointId, after: { deliveryId: id, replayOf: original.id } });
        return toDelivery(row, []);
      });
    },
    async listDeadLetters(ctx: AuthContext, q: { limit: number; cursor?: string }) {
      ctx.require('outbox.manage');
      const rows = await repo.listDead(ctx.workspaceId, decodeCursor(q.cursor), q.limit + 1);
      return toPage(rows, q.limit, toDeadLetter);
    },
    /** Puts a dead letter back in the queue, due now, with another 24 hours of retries. */
    async retryDeadLetter(ctx: AuthContext, id: string) {
      ctx.require('outbox.manage');
      return deps.db.transaction().execute(async (tx) => {
        const row = await deadLetter(ctx, id, tx);
        const now = deps.clock.now();
        const patch = { status: 'pending' as const, available_at: now, give_up_at: now + RETRY_WINDOW_MS, settled_at: null, last_error: null };
        await repo.updateOutbox(tx, ctx.workspaceId, id, patch);
        if (row.topic === WEBHOOK_TOPIC) await repo.updateDeliveries(tx, ctx.workspaceId, [id], { status: 'pending' }, false);
        await deps.audit.record(tx, ctx, { action: 'dead_letter.retried', targetType: 'outbox', targetId: id });
        return toDeadLetter({ ...row, ...patch });
      });
    },
    async discardDeadLetter(ctx: AuthContext, id: string) {
      ctx.require('outbox.manage');
      await deps.db.transaction().execute(async (tx) => {
        const row = await deadLetter(ctx, id, tx);
        await repo.updateOutbox(tx, ctx.workspaceId, id, { status: 'discarded', settled_at: deps.clock.now() });
        if (row.topic === WEBHOOK_TOPIC) await repo.updateDeliveries(tx, ctx.workspaceId, [id], { status: 'discarded' }, false);
        await deps.audit.record(tx, ctx, { action: 'dead_letter.discarded', targetType: 'outbox', targetId: id });
      });
    },
    /** A worker over this database (serve runs one; `tandem worker` runs one on its own). */
    worker: (opts: WorkerOptions = {}) => createDeliveryWorker({ db: deps.db, repo, ids: deps.ids, clock: deps.clock, outbox: deps.outbox, production: deps.production, notify, secrets, scheduler: scheduler && (() => scheduler!()), channels }, opts),
    /**
     * Another module's work items (topic `comms.…`, written with outbox.enqueue in its
     * transaction) that the worker hands to `send` (app.ts wires them: fulfilment vendors).
     */
    deliverWith(topic: `comms.${string}`, send: Channel) {
      channels.set(topic, send);
    },
    /** What the worker runs on a schedule besides delivering (the communication plans' tick; app.ts wires it). */
    scheduleWith(fn: () => Promise<unknown>) {
      scheduler = fn;
    },
    /** The participant channels: inbox, email, templates, unsubscribe. */
    notify,
  };
}
export type CommsService = ReturnType<typeof createCommsService>;
