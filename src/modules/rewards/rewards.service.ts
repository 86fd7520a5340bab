import { createHash } from 'node:crypto';
import type { AnyDb } from '../../core/db/db.js';
import type { Ids } from '../../core/ids.js';
import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import type { AuthContext } from '../../core/auth.js';
import { AppError, invalid, notFound } from '../../core/errors.js';
import { decodeCursor, toPage } from '../../core/http/pagination.js';
import type { AuditService } from '../audit/index.js';
import type { PeopleService } from '../people/index.js';
import type { LedgerService } from '../ledger/index.js';
import type { ProgramsService, TAudience } from '../programs/index.js';
import type { WorkspacesService } from '../workspaces/index.js';
import { createRewardsRepository } from './rewards.repository.js';
import type { RewardImagesTable, RewardsTable, RewardVariantsTable } from './rewards.tables.js';
import {
  DEFAULT_PROMISE_MINUTES,
  IMAGE_MAX_BYTES,
  IMAGE_TYPES,
  type TCatalogItem,
  type TCreateReward,
  type TReward,
  type TUpdateReward,
} from './rewards.schema.js';

/** Images a reward may carry. */
export const MAX_IMAGES = 8;

/** What the bytes of an image say it is (its first bytes), whatever the request claimed. */
export function sniffImage(b: Buffer): (typeof IMAGE_TYPES)[number] | null {
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  if (b.length >= 6 && (b.toString('latin1', 0, 6) === 'GIF87a' || b.toString('latin1', 0, 6) === 'GIF89a')) return 'image/gif';
  return null;
}

type Variant = RewardVariantsTable;
type ImageMeta = Omit<RewardImagesTable, 'data'>;

const imageUrl = (id: string) => `/api/v1/reward-images/${id}`;

/** Stock left: the reward's own, or the sum over its active variants (null when any is unlimited). */
function stockOf(r: RewardsTable, variants: Variant[]): number | null {
  const live = variants.filter((v) => v.active);
  if (!live.length) return r.stock === null ? null : Number(r.stock);
  return live.some((v) => v.stock === null) ? null : live.reduce((s, v) => s + Number(v.stock), 0);
}

const toReward = (r: RewardsTable, variants: Variant[], images: ImageMeta[]): TReward => ({
  id: r.id,
  title: r.title,
  description: r.description,
  kind: r.kind as TReward['kind'],
  category: r.category,
  cost: Number(r.cost),
  stock: stockOf(r, variants),
  limit: r.limit_rule ? (JSON.parse(r.limit_rule) as TReward['limit']) : null,
  availableFrom: toIso(r.available_from),
  availableUntil: toIso(r.available_until),
  audience: JSON.parse(r.audience) as TAudience,
  requiresApproval: !!r.requires_approval,
  ships: !!r.ships,
  provider: r.provider,
  promisedDeliveryMinutes: r.promised_minutes,
  status: r.status,
  variants: variants.map((v) => ({ id: v.id, name: v.name, options: JSON.parse(v.options) as Record<string, string>, stock: v.stock === null ? null : Number(v.stock), active: !!v.active })),
  images: images.map((i) => ({ id: i.id, url: imageUrl(i.id), contentType: i.content_type, bytes: i.bytes })),
  vendorId: r.vendor_id ?? null,
  createdAt: toIso(r.created_at)!,
  updatedAt: toIso(r.updated_at)!,
});

/** Active and inside its availability window. */
export const openNow = (r: Pick<RewardsTable, 'status' | 'available_from' | 'available_until'>, now: number) => r.status === 'active' && (r.available_from === null || Number(r.available_from) <= now) && (r.available_until === null || now < Number(r.available_until));

const iso = (v: string | null | undefined) => (v ? Date.parse(v) : null);

/** A participant and the test of an audience for them (the programs' own rule). */
interface Judged {
  id: string;
  matches(a: TAudience): boolean;
}

export interface RewardsDeps {
  db: AnyDb;
  ids: Ids;
  clock: Clock;
  audit: AuditService;
  people: PeopleService;
  ledger: LedgerService;
  workspaces: WorkspacesService;
  programs: Pick<ProgramsService, 'audienceMatcher'>;
  /** whether a fulfilment vendor exists (vendors.service.ts) */
  vendorExists?: (ws: string, id: string) => Promise<boolean>;
}

/** The catalog: one for employees, customers and partners; each sees what their audience allows. */
export function createRewardsService(deps: RewardsDeps) {
  const repo = createRewardsRepository(deps.db);

  async function view(ws: string, rows: RewardsTable[]): Promise<TReward[]> {
    const ids = rows.map((r) => r.id);
    const [variants, images] = await Promise.all([repo.variantsOf(ws, ids), repo.imagesOf(ws, ids)]);
    return rows.map((r) =>
      toReward(
        r,
        variants.filter((v) => v.reward_id === r.id),
        images.filter((i) => i.reward_id === r.id),
      ),
    );
  }

  async function load(ctx: AuthContext, id: string, tx?: AnyDb) {
    const row = await repo.reward(ctx.workspaceId, id, tx);
    if (!row) throw notFound('Reward');
    return row;
  }

  /** Adds, keeps and retires variants: a variant left out is retired (orders may name it), never deleted. */
  async function saveVariants(tx: AnyDb, ws: string, rewardId: string, input: NonNullable<TCreateReward['variants']>, existing: Variant[]) {
    const known = new Map(existing.map((v) => [v.id, v]));
    for (const [i, v] of input.entries()) if (v.id && !known.has(v.id)) throw invalid(`variants.${i}.id`, 'not a variant of this reward');
    const kept = new Set(input.map((v) => v.id).filter(Boolean));
    for (const v of existing) if (!kept.has(v.id) && v.active) await repo.updateVariant(tx, ws, v.id, { active: 0 });
    const fresh: Variant[] = [];
    for (const [position, v] of input.entries()) {
      if (v.id) await repo.updateVariant(tx, ws, v.id, { name: v.name, options: JSON.stringify(v.options), stock: v.stock, position, active: 1 });
      else fresh.push({ workspace_id: ws, id: deps.ids.next('rvr'), reward_id: rewardId, name: v.name, options: JSON.stringify(v.options), stock: v.stock, position, active: 1 });
    }
    await repo.insertVariants(tx, fresh);
  }

  /** A webhook reward names an existing vendor; another provider names none. */
  async function checkVendor(ws: string, provider: RewardsTable['provider'], vendorId: string | null | undefined) {
    if (provider !== 'webhook') {
      if (vendorId) throw invalid('vendorId', `only a reward with provider webhook has a vendor (this one is ${provider})`);
      return null;
    }
    if (!vendorId) throw invalid('vendorId', 'required with provider webhook: the fulfilment vendor its orders are sent to');
    if (!(await deps.vendorExists?.(ws, vendorId))) throw invalid('vendorId', 'no such fulfilment vendor in this workspace');
    return vendorId;
  }

  /** Who the signed-in participant is, for the audience of each reward. */
  async function judged(ctx: AuthContext): Promise<Judged> {
    if (!ctx.personId) throw new AppError('not_found', { detail: 'This account is not linked to a participant, so it has no catalog' });
    return judgedPerson(ctx.workspaceId, ctx.personId);
  }

  async function judgedPerson(ws: string, personId: string): Promise<Judged> {
    const matches = await deps.programs.audienceMatcher(ws, personId);
    if (!matches) throw notFound('Person');
    return { id: personId, matches };
  }

  function toItem(r: TReward, balance: number, wished: Set<string>): TCatalogItem {
    const live = r.variants.filter((v) => v.active);
    return {
      id: r.id,
      title: r.title,
      description: r.description,
      kind: r.kind,
      category: r.category,
      cost: r.cost,
      images: r.images,
      variants: live.map((v) => ({ id: v.id, name: v.name, options: v.options, inStock: v.stock === null || v.stock > 0 })),
      inStock: r.stock === null || r.stock > 0,
      affordable: balance >= r.cost,
      pointsNeeded: Math.max(0, r.cost - Math.max(0, balance)),
      inWishlist: wished.has(r.id),
      ships: r.ships,
      requiresApproval: r.requiresApproval,
      availableUntil: r.availableUntil,
      promisedDeliveryMinutes: r.promisedDeliveryMinutes,
      limit: r.limit,
    };
  }

  /** The rewards a participant may redeem now, with their wallet beside each. */
  async function eligible(ctx: AuthContext) {
    const who = await judged(ctx);
    const now = deps.clock.now();
    const rows = (await repo.active(ctx.workspaceId)).filter((r) => openNow(r, now) && who.matches(JSON.parse(r.audience) as TAudience));
    const [rewards, balance, wishes] = await Promise.all([
      view(ctx.workspaceId, rows),
      deps.ledger.balance(ctx.workspaceId, deps.ledger.accounts.wallet(who.id)),
      repo.wishlist(ctx.workspaceId, who.id),
    ]);
    return { who, rewards, balance, wishes };
  }

  return {
    /** Erasure: the person's wish list goes. */
    async scrubPerson(tx: AnyDb, ws: string, personId: string) {
      await repo.removeWishes(tx, ws, personId);
    },

    async create(ctx: AuthContext, input: TCreateReward): Promise<TReward> {
      ctx.require('rewards.manage');
      const now = deps.clock.now();
      const provider = input.provider ?? (input.kind === 'gift_card' ? 'codes' : 'manual');
      const vendorId = await checkVendor(ctx.workspaceId, provider, input.vendorId);
      const row: RewardsTable = {
        workspace_id: ctx.workspaceId,
        id: deps.ids.next('rwd'),
        title: input.title,
        description: input.description ?? '',
        kind: input.kind,
        category: input.category ?? null,
        cost: input.cost,
        stock: input.variants?.length ? null : (input.stock ?? null),
        limit_rule: input.limit ? JSON.stringify(input.limit) : null,
        available_from: iso(input.availableFrom),
        available_until: iso(input.availableUntil),
        audience: JSON.stringify(input.audience ?? {}),
        requires_approval: input.requiresApproval ? 1 : 0,
        ships: (input.ships ?? (input.kind === 'merchandise' || input.kind === 'recognition_award')) ? 1 : 0,
        provider,
        promised_minutes: input.promisedDeliveryMinutes ?? DEFAULT_PROMISE_MINUTES[provider],
        status: input.status ?? 'active',
        vendor_id: vendorId,
        created_by: `${ctx.actor.type}:${ctx.actor.id}`,
        created_at: now,
        updated_at: now,
      };
      await deps.db.transaction().execute(async (tx) => {
        await repo.insertReward(tx, row);
        await saveVariants(tx, ctx.workspaceId, row.id, input.variants ?? [], []);
        await deps.audit.record(tx, ctx, { action: 'reward.created', targetType: 'reward', targetId: row.id, after: input });
      });
      // Read after the commit: on SQLite the transaction holds the only connection.
      return (await view(ctx.workspaceId, [row]))[0]!;
    },

    async list(ctx: AuthContext, q: { limit: number; cursor?: string; status?: string; kind?: string; q?: string }) {
      ctx.require('rewards.read');
      const rows = await repo.list(ctx.workspaceId, { ...q, before: decodeCursor(q.cursor), limit: q.limit + 1 });
      const page = toPage(rows, q.limit, (r) => r);
      return { data: await view(ctx.workspaceId, page.data), nextCursor: page.nextCursor };
    },

    async get(ctx: AuthContext, id: string): Promise<TReward> {
      ctx.require('rewards.read');
      return (await view(ctx.workspaceId, [await load(ctx, id)]))[0]!;
    },

    async update(ctx: AuthContext, id: string, patch: TUpdateReward): Promise<TReward> {
      ctx.require('rewards.manage');
      const ws = ctx.workspaceId;
      const before = (await view(ws, [await load(ctx, id)]))[0]!;
      const from = patch.availableFrom !== undefined ? patch.availableFrom : before.availableFrom;
      const until = patch.availableUntil !== undefined ? patch.availableUntil : before.availableUntil;
      if (from && until && Date.parse(from) >= Date.parse(until)) throw invalid('availableUntil', 'must come after availableFrom');
      const variantsAfter = patch.variants ?? before.variants.filter((v) => v.active);
      if (variantsAfter.length && patch.stock != null) throw invalid('stock', 'with variants, give each variant its stock instead');
      const next: Partial<RewardsTable> = { updated_at: deps.clock.now() };
      if (patch.title !== undefined) next.title = patch.title;
      if (patch.description !== undefined) next.description = patch.description;
      if (patch.kind !== undefined) next.kind = patch.kind;
      if (patch.category !== undefined) next.category = patch.category;
      if (patch.cost !== undefined) next.cost = patch.cost;
      if (patch.stock !== undefined) next.stock = patch.stock;
      if (patch.limit !== undefined) next.limit_rule = patch.limit ? JSON.stringify(patch.limit) : null;
      if (patch.availableFrom !== undefined) next.available_from = iso(patch.availableFrom);
      if (patch.availableUntil !== undefined) next.available_until = iso(patch.availableUntil);
      if (patch.audience !== undefined) next.audience = JSON.stringify(patch.audience);
      if (patch.requiresApproval !== undefined) next.requires_approval = patch.requiresApproval ? 1 : 0;
      if (patch.ships !== undefined) next.ships = patch.ships ? 1 : 0;
      if (patch.provider !== undefined) next.provider = patch.provider;
      if (patch.promisedDeliveryMinutes !== undefined) next.promised_minutes = patch.promisedDeliveryMinutes;
      else if (patch.provider !== undefined && patch.provider !== before.provider) next.promised_minutes = DEFAULT_PROMISE_MINUTES[patch.provider];
      if (patch.status !== undefined) next.status = patch.status;
      const providerAfter = patch.provider ?? before.provider;
      if (patch.vendorId !== undefined || patch.provider !== undefined) next.vendor_id = await checkVendor(ws, providerAfter, patch.vendorId !== undefined ? patch.vendorId : providerAfter === 'webhook' ? before.vendorId : null);
      await deps.db.transaction().execute(async (tx) => {
        if (patch.variants) await saveVariants(tx, ws, id, patch.variants, await repo.variantsOf(ws, [id], tx));
        await repo.updateReward(tx, ws, id, next);
        const changed = Object.fromEntries(Object.keys(patch).map((k) => [k, before[k as keyof TReward]]));
        await deps.audit.record(tx, ctx, { action: 'reward.updated', targetType: 'reward', targetId: id, before: changed, after: patch });
      });
      // Read after the commit: on SQLite the transaction holds the only connection.
      return (await view(ws, [await load(ctx, id)]))[0]!;
    },

    /** Stores an image for a reward: its bytes must be a PNG, JPEG, WebP or GIF of at most 2 MB, as declared. */
    async addImage(ctx: AuthContext, rewardId: string, declared: string, body: unknown): Promise<TReward> {
      ctx.require('rewards.manage');
      const ws = ctx.workspaceId;
      await load(ctx, rewardId);
      if (!Buffer.isBuffer(body)) throw new AppError('unsupported_media_type', { detail: 'Send the image itself as the body (image/png, image/jpeg, image/webp or image/gif)' });
      if (!body.length) throw invalid('body', 'an image is required (PNG, JPEG, WebP or GIF)');
      if (body.length > IMAGE_MAX_BYTES) throw new AppError('payload_too_large', { detail: `An image may be at most ${IMAGE_MAX_BYTES / 1024 / 1024} MB` });
      const actual = sniffImage(body);
      if (!actual) throw invalid('body', 'not a PNG, JPEG, WebP or GIF image');
      if (actual !== declared) throw invalid('body', `the file is ${actual}, not ${declared} as the Content-Type says`);
      const images = await repo.imagesOf(ws, [rewardId]);
      if (images.length >= MAX_IMAGES) throw new AppError('conflict', { detail: `A reward has at most ${MAX_IMAGES} images; delete one first` });
      const row: RewardImagesTable = { workspace_id: ws, id: deps.ids.next('rim'), reward_id: rewardId, content_type: actual, bytes: body.length, data: body.toString('base64'), sha256: createHash('sha256').update(body).digest('hex'), position: (images.at(-1)?.position ?? -1) + 1, created_at: deps.clock.now() };
      await deps.db.transaction().execute(async (tx) => {
        await repo.insertImage(tx, row);
        await deps.audit.record(tx, ctx, { action: 'reward.image_added', targetType: 'reward', targetId: rewardId, after: { imageId: row.id, contentType: actual, bytes: body.length } });
      });
      return (await view(ws, [await load(ctx, rewardId)]))[0]!;
    },

    async deleteImage(ctx: AuthContext, rewardId: string, imageId: string): Promise<TReward> {
      ctx.require('rewards.manage');
      await load(ctx, rewardId);
      await deps.db.transaction().execute(async (tx) => {
        const r = await repo.deleteImage(tx, ctx.workspaceId, rewardId, imageId);
        if (!Number(r.numDeletedRows)) throw notFound('Image');
        await deps.audit.record(tx, ctx, { action: 'reward.image_deleted', targetType: 'reward', targetId: rewardId, before: { imageId } });
      });
      return (await view(ctx.workspaceId, [await load(ctx, rewardId)]))[0]!;
    },

    /** An image's bytes, for anyone signed in to its workspace (catalog cards show them). */
    async image(ctx: AuthContext, id: string) {
      const row = await repo.image(ctx.workspaceId, id);
      if (!row) throw notFound('Image');
      return { contentType: row.content_type, etag: `"${row.sha256}"`, body: Buffer.from(row.data, 'base64') };
    },

    /** The signed-in participant's catalog: what they may redeem now, filtered; affordability beside each. */
    async catalog(ctx: AuthContext, q: { category?: string; kind?: string; affordable?: boolean; q?: string }) {
      const { rewards, balance, wishes } = await eligible(ctx);
      const wished = new Set(wishes.map((w) => w.reward_id));
      const categories = [...new Set(rewards.map((r) => r.category).filter((c): c is string => !!c))].sort((a, b) => a.localeCompare(b));
      const needle = q.q?.toLowerCase();
      const items = rewards
        .filter((r) => (!q.category || r.category === q.category) && (!q.kind || r.kind === q.kind) && (!needle || r.title.toLowerCase().includes(needle) || r.description.toLowerCase().includes(needle)))
        .map((r) => toItem(r, balance, wished))
        .filter((i) => q.affordable === undefined || i.affordable === q.affordable)
        .sort((a, b) => a.cost - b.cost || a.title.localeCompare(b.title));
      return { balance, categories, data: items };
    },

    async catalogItem(ctx: AuthContext, id: string): Promise<TCatalogItem> {
      const { rewards, balance, wishes } = await eligible(ctx);
      const r = rewards.find((x) => x.id === id);
      if (!r) throw notFound('Reward');
      return toItem(r, balance, new Set(wishes.map((w) => w.reward_id)));
    },

    /** The rewards the participant saves up for, with how far they are. A reward they may no longer redeem drops out. */
    async wishlist(ctx: AuthContext) {
      const { rewards, balance, wishes } = await eligible(ctx);
      const wished = new Set(wishes.map((w) => w.reward_id));
      const byId = new Map(rewards.map((r) => [r.id, r]));
      const data = wishes.flatMap((w) => {
        const r = byId.get(w.reward_id);
        if (!r) return [];
        return [{ ...toItem(r, balance, wished), progressPercent: Math.max(0, Math.min(100, Math.floor((Math.max(0, balance) * 100) / r.cost))), addedAt: toIso(w.created_at)! }];
      });
      return { balance, data };
    },
    async wish(ctx: AuthContext, rewardId: string) {
      const { who, rewards } = await eligible(ctx);
      if (!rewards.some((r) => r.id === rewardId)) throw notFound('Reward');
      await repo.addWish(ctx.workspaceId, who.id, rewardId, deps.clock.now());
      return this.wishlist(ctx);
    },
    async unwish(ctx: AuthContext, rewardId: string) {
      if (!ctx.personId) throw notFound('Reward');
      const r = await repo.removeWish(ctx.workspaceId, ctx.personId, rewardId);
      if (!Number(r.numDeletedRows)) throw notFound('Wish list entry');
      return this.wishlist(ctx);
    },
  };
}
export type RewardsService = ReturnType<typeof createRewardsService>;
