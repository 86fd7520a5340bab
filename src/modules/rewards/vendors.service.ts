import net from 'node:net';
import { Agent, request } from 'undici';
import type { AnyDb } from '../../core/db/db.js';
import type { Ids } from '../../core/ids.js';
import { randomToken } from '../../core/ids.js';
import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import { systemContext, type AuthContext } from '../../core/auth.js';
import type { Outbox } from '../../core/outbox.js';
import { AppError, notFound } from '../../core/errors.js';
import { decodeCursor, toPage } from '../../core/http/pagination.js';
import type { AuditService } from '../audit/index.js';
import { checkOutboundUrl, createSecretBox, guardedLookup, hostOf, isPrivateAddress, signatureHeader, verifySignature, type Channel } from '../comms/index.js';
import { createProvidersRepository } from './providers.repository.js';
import type { FulfilmentVendorsTable } from './providers.tables.js';
import { createRewardsRepository } from './rewards.repository.js';
import type { RedemptionsTable, RewardsTable } from './rewards.tables.js';
import type { FulfilmentProvider, RedemptionsService } from './redemptions.service.js';
import type { TCallback, TCreateVendor, TUpdateVendor, TVendor } from './vendors.schema.js';

/** The outbox work item of an order sent to its vendor (delivered by comms' worker through the channel app.ts wires). */
export const VENDOR_TOPIC = 'comms.vendor_order';
/** How old a callback's signature may be: older is a replay. */
export const CALLBACK_TOLERANCE_S = 300;

/** The moves a vendor may report, from where. */
const FROM: Record<TCallback['status'], RedemptionsTable['status'][]> = {
  processing: ['placed'],
  shipped: ['placed', 'processing'],
  delivered: ['placed', 'processing', 'shipped'],
  failed: ['placed', 'processing', 'shipped'],
};

export interface VendorsDeps {
  db: AnyDb;
  ids: Ids;
  clock: Clock;
  audit: AuditService;
  outbox: Outbox;
  redemptions: Pick<RedemptionsService, 'transition'>;
  /** TANDEM_SECRET: vendor secrets are sealed under it */
  secret: string;
  /** TANDEM_PUBLIC_URL: the callback URL vendors are given */
  publicUrl: string;
  /** NODE_ENV=production: vendor URLs may not reach private addresses unless allowed */
  production: boolean;
  /** per request (default 10 s) */
  timeoutMs?: number;
}

const newSecret = () => `fvsec_${randomToken(32)}`;
const audited = (v: FulfilmentVendorsTable) => ({ name: v.name, url: v.url, allowPrivateNetwork: !!v.allow_private_network });

/**
 * Fulfilment vendors (provider `webhook`): a placed order is sent, signed, to its reward's
 * vendor through the outbox (so it is sent if and only if the order committed, retried by the
 * delivery worker), and the vendor reports its status to a signed callback that moves the order.
 */
export function createVendorsService(deps: VendorsDeps) {
  const repo = createProvidersRepository(deps.db);
  const rewards = createRewardsRepository(deps.db);
  const box = createSecretBox(deps.secret, { info: 'fulfilment-vendor-secrets', label: 'fulfilment_vendor' });
  const callbackUrl = (id: string) => `${deps.publicUrl}/api/v1/fulfilment/callbacks/${id}`;
  const agent = new Agent({ keepAliveTimeout: 10_000 });
  const guarded = new Agent({ keepAliveTimeout: 10_000, connect: { lookup: guardedLookup } });
  const timeoutMs = deps.timeoutMs ?? 10_000;

  async function toVendor(v: FulfilmentVendorsTable, tx?: AnyDb): Promise<TVendor> {
    return {
      id: v.id,
      name: v.name,
      url: v.url,
      allowPrivateNetwork: !!v.allow_private_network,
      callbackUrl: callbackUrl(v.id),
      rewards: await repo.rewardsOfVendor(v.workspace_id, v.id, tx),
      createdAt: toIso(v.created_at)!,
      updatedAt: toIso(v.updated_at)!,
    };
  }

  const checkUrl = (url: string, allowPrivate: boolean) => checkOutboundUrl(url, { production: deps.production, allowPrivate });

  async function vendorOf(ctx: AuthContext, id: string, tx?: AnyDb) {
    const v = await repo.vendor(ctx.workspaceId, id, tx);
    if (!v) throw notFound('Fulfilment vendor');
    return v;
  }

  const provider: FulfilmentProvider = {
    /** Sends the order to its reward's vendor through the outbox; it stays placed until the vendor reports. */
    async placed(tx: AnyDb, order: RedemptionsTable, r: RewardsTable) {
      const ws = order.workspace_id;
      const vendorId = r.vendor_id ?? null;
      if (!vendorId) return; // a reward from before vendors: it waits in the manual queue
      const variant = order.variant_id ? (await rewards.variantsOf(ws, [r.id], tx)).find((v) => v.id === order.variant_id) : undefined;
      await repo.insertVendorOrder(tx, ws, order.id, vendorId, deps.clock.now());
      const data = {
        orderId: order.id,
        reward: { id: r.id, title: r.title, kind: r.kind },
        variant: variant ? { id: variant.id, name: variant.name, options: JSON.parse(variant.options) as Record<string, string> } : null,
        quantity: order.quantity,
        shipping: order.shipping ? (JSON.parse(order.shipping) as unknown) : null,
        callbackUrl: callbackUrl(vendorId),
      };
      await deps.outbox.enqueue(tx, { workspaceId: ws, topic: VENDOR_TOPIC, payload: { vendorId, data } });
    },
  };

  /** The worker's channel: one order, signed with the vendor's secret; null when the vendor answered 2xx. */
  const deliver: Channel = async (row) => {
    const { vendorId, data } = JSON.parse(row.payload) as { vendorId: string; data: unknown };
    const v = await repo.vendor(row.workspace_id, vendorId);
    if (!v) return 'the vendor was deleted';
    let secret: string;
    try {
      secret = box.open(v.workspace_id, v.id, v.secret);
    } catch {
      return 'the vendor secret does not open with this TANDEM_SECRET';
    }
    // The message id is the order's delivery id: the same on every retry, so a vendor can drop repeats.
    const body = `{"id":${JSON.stringify(row.id)},"type":"order.placed","createdAt":"${toIso(row.created_at)}","data":${JSON.stringify(data)}}`;
    const url = new URL(v.url);
    const guard = deps.production && !v.allow_private_network;
    if (guard && net.isIP(hostOf(url)) && isPrivateAddress(hostOf(url))) return `refused: ${hostOf(url)} is a private address`;
    try {
      const res = await request(url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'user-agent': 'Tandem-Fulfilment/1', 'tandem-delivery-id': row.id, 'tandem-signature': signatureHeader(body, Math.floor(deps.clock.now() / 1000), [secret]) },
        dispatcher: guard ? guarded : agent,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      await res.body.dump();
      return res.statusCode >= 200 && res.statusCode <= 299 ? null : `HTTP ${res.statusCode}`;
    } catch (err) {
      const e = err as { message?: string; cause?: { message?: string } };
      return String(e.cause?.message ?? e.message ?? err).slice(0, 500) || 'request failed';
    }
  };

  return {
    provider,
    deliver,

    async create(ctx: AuthContext, input: TCreateVendor) {
      ctx.require('rewards.manage');
      await checkUrl(input.url, input.allowPrivateNetwork);
      const now = deps.clock.now();
      const id = deps.ids.next('fvn');
      const secret = newSecret();
      const row: FulfilmentVendorsTable = { workspace_id: ctx.workspaceId, id, name: input.name, url: input.url, secret: box.seal(ctx.workspaceId, id, secret), allow_private_network: input.allowPrivateNetwork ? 1 : 0, created_by: `${ctx.actor.type}:${ctx.actor.id}`, created_at: now, updated_at: now };
      await deps.db.transaction().execute(async (tx) => {
        await repo.insertVendor(tx, row);
        await deps.audit.record(tx, ctx, { action: 'fulfilment_vendor.created', targetType: 'fulfilment_vendor', targetId: id, after: audited(row) });
      });
      return { ...(await toVendor(row)), secret };
    },
    async list(ctx: AuthContext, q: { limit: number; cursor?: string }) {
      ctx.require('rewards.manage');
      const rows = await repo.listVendors(ctx.workspaceId, decodeCursor(q.cursor), q.limit + 1);
      const page = toPage(rows, q.limit, (r) => r);
      return { data: await Promise.all(page.data.map((v) => toVendor(v))), nextCursor: page.nextCursor };
    },
    async get(ctx: AuthContext, id: string) {
      ctx.require('rewards.manage');
      return toVendor(await vendorOf(ctx, id));
    },
    async update(ctx: AuthContext, id: string, patch: TUpdateVendor) {
      ctx.require('rewards.manage');
      const current = await vendorOf(ctx, id);
      const allowPrivate = patch.allowPrivateNetwork ?? !!current.allow_private_network;
      if (patch.url !== undefined || patch.allowPrivateNetwork === false) await checkUrl(patch.url ?? current.url, allowPrivate);
      const next: Partial<FulfilmentVendorsTable> = { updated_at: deps.clock.now() };
      if (patch.name !== undefined) next.name = patch.name;
      if (patch.url !== undefined) next.url = patch.url;
      if (patch.allowPrivateNetwork !== undefined) next.allow_private_network = patch.allowPrivateNetwork ? 1 : 0;
      await deps.db.transaction().execute(async (tx) => {
        await repo.updateVendor(tx, ctx.workspaceId, id, next);
        await deps.audit.record(tx, ctx, { action: 'fulfilment_vendor.updated', targetType: 'fulfilment_vendor', targetId: id, before: audited(current), after: audited({ ...current, ...next }) });
      });
      return toVendor((await repo.vendor(ctx.workspaceId, id))!);
    },
    /** Deletes a vendor no reward names (move those rewards to another vendor or provider first). */
    async delete(ctx: AuthContext, id: string) {
      ctx.require('rewards.manage');
      await deps.db.transaction().execute(async (tx) => {
        const v = await vendorOf(ctx, id, tx);
        const using = await repo.rewardsOfVendor(ctx.workspaceId, id, tx);
        if (using.length) throw new AppError('conflict', { detail: `Rewards still send their orders to this vendor: ${using.map((r) => r.title).join(', ')}` });
        await repo.deleteVendor(tx, ctx.workspaceId, id);
        await deps.audit.record(tx, ctx, { action: 'fulfilment_vendor.deleted', targetType: 'fulfilment_vendor', targetId: id, before: audited(v) });
      });
    },
    /** A new secret, answered once; the old one stops at once (orders and callbacks use the new one). */
    async rotateSecret(ctx: AuthContext, id: string) {
      ctx.require('rewards.manage');
      const secret = newSecret();
      await deps.db.transaction().execute(async (tx) => {
        await vendorOf(ctx, id, tx);
        await repo.updateVendor(tx, ctx.workspaceId, id, { secret: box.seal(ctx.workspaceId, id, secret), updated_at: deps.clock.now() });
        await deps.audit.record(tx, ctx, { action: 'fulfilment_vendor.secret_rotated', targetType: 'fulfilment_vendor', targetId: id });
      });
      return { ...(await toVendor((await repo.vendor(ctx.workspaceId, id))!)), secret };
    },

    /** Whether a reward may name this vendor (rewards.service checks a webhook reward's vendorId). */
    vendorExists: async (ws: string, id: string) => !!(await repo.vendor(ws, id)),

    /**
     * A vendor's status report, from its signed callback: the signature (with the vendor's
     * secret, at most 5 minutes old) proves who sent it, a callback id already received is a
     * replay (409), only an order sent to this vendor may be named (404), and only a forward
     * move is accepted (409). The move goes through the order's transition (a failure refunds),
     * and the callback id is stored in the same transaction.
     */
    async callback(vendorId: string, raw: string, signature: string | undefined, input: TCallback) {
      const v = await repo.vendorById(vendorId);
      if (!v) throw notFound('Fulfilment vendor');
      const ws = v.workspace_id;
      let secret: string;
      try {
        secret = box.open(ws, v.id, v.secret);
      } catch {
        throw new AppError('unauthenticated', { detail: 'The vendor secret cannot be checked: rotate it' });
      }
      if (!signature || !verifySignature(raw, signature, secret, Math.floor(deps.clock.now() / 1000), CALLBACK_TOLERANCE_S))
        throw new AppError('unauthenticated', { detail: 'Sign the body with the vendor secret: Tandem-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">, at most 5 minutes old' });
      if (await repo.callbackSeen(ws, v.id, input.id)) throw new AppError('conflict', { detail: `Callback ${input.id} was already received` });
      const sent = await repo.vendorOrder(ws, input.orderId);
      if (!sent || sent.vendor_id !== v.id) throw notFound('Order');
      const tracking = [input.carrier, input.trackingNumber && `tracking ${input.trackingNumber}`, input.trackingUrl].filter(Boolean).join(', ');
      const note = `${v.name}: ${input.status}${tracking ? ` (${tracking})` : ''}${input.reason ? ` — ${input.reason}` : ''}`;
      const moved = await deps.redemptions.transition(systemContext(ws), input.orderId, {
        to: input.status,
        note,
        action: `redemption.${input.status}`,
        refund: input.status === 'failed',
        refusal: (row) => (FROM[input.status].includes(row.status) ? null : `An order that is ${row.status} cannot move to ${input.status}`),
        // The vendor's tracking goes where the manual queue keeps it, so the order shows it alike.
        patch: input.status === 'shipped' || input.carrier || input.trackingNumber ? { carrier: input.carrier ?? null, tracking_number: input.trackingNumber ?? null, tracking_url: input.trackingUrl ?? null } : undefined,
        also: async (tx) => {
          const fresh = await repo.insertCallback(tx, { workspace_id: ws, vendor_id: v.id, id: input.id, redemption_id: input.orderId, status: input.status, carrier: input.carrier ?? null, tracking_number: input.trackingNumber ?? null, tracking_url: input.trackingUrl ?? null, reason: input.reason ?? null, received_at: deps.clock.now() });
          if (!fresh) throw new AppError('conflict', { detail: `Callback ${input.id} was already received` });
        },
      });
      return { orderId: moved.id, status: moved.status };
    },

    async close() {
      await Promise.all([agent.close(), guarded.close()]);
    },
  };
}
export type VendorsService = ReturnType<typeof createVendorsService>;
