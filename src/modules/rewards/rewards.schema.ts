import { z } from 'zod';
import { ZAudience } from '../programs/index.js';

export const REWARD_KINDS = ['gift_card', 'merchandise', 'experience', 'donation', 'time_off', 'custom_perk', 'recognition_award'] as const;
export const PROVIDERS = ['manual', 'codes', 'webhook'] as const;
export const LIMIT_PERIODS = ['day', 'week', 'month', 'quarter', 'year', 'ever'] as const;
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] as const;
/** The largest image accepted, in bytes. */
export const IMAGE_MAX_BYTES = 2 * 1024 * 1024;
/** What each provider promises when a reward says nothing: codes in minutes, a vendor in days, goods in 10 days. */
export const DEFAULT_PROMISE_MINUTES: Record<(typeof PROVIDERS)[number], number> = { codes: 5, webhook: 3 * 24 * 60, manual: 10 * 24 * 60 };

export const ZRewardIdParam = z.object({ id: z.string().regex(/^rwd_[0-9a-z]{26}$/, 'must be a reward id (rwd_…)') }).strict();
export const ZImageIdParam = z.object({ id: z.string().regex(/^rim_[0-9a-z]{26}$/, 'must be a reward image id (rim_…)') }).strict();
export const ZRewardImageParams = z
  .object({ id: ZRewardIdParam.shape.id, imageId: ZImageIdParam.shape.id })
  .strict();

const ZIso = z.iso.datetime({ offset: true });
const ZOptions = z.record(z.string().trim().min(1).max(30), z.string().trim().min(1).max(60)).refine((o) => Object.keys(o).length <= 5, 'at most 5 options');

export const ZLimit = z
  .object({ count: z.number().int().min(1).max(10_000), per: z.enum(LIMIT_PERIODS).describe('a calendar period in the workspace’s time zone, or ever') })
  .strict()
  .meta({ id: 'RedemptionLimit', description: 'at most count redemptions per person per period' });

const ZVariantInput = z
  .object({
    id: z.string().regex(/^rvr_[0-9a-z]{26}$/, 'must be a variant id (rvr_…)').optional().describe('an existing variant to keep (its stock and orders); leave out to add one'),
    name: z.string().trim().min(1).max(80),
    options: ZOptions.default({}),
    stock: z.number().int().min(0).max(1e9).nullable().describe('null: unlimited'),
  })
  .strict();

const rewardFields = {
  title: z.string().trim().min(1).max(120),
  description: z.string().max(5000),
  kind: z.enum(REWARD_KINDS),
  category: z.string().trim().min(1).max(60).nullable().describe('shown as a filter in the catalog, e.g. Electronics'),
  cost: z.number().int().min(1).max(1e9).describe('in points'),
  stock: z.number().int().min(0).max(1e9).nullable().describe('null for unlimited; with variants, each variant has its own'),
  limit: ZLimit.nullable(),
  availableFrom: ZIso.nullable(),
  availableUntil: ZIso.nullable(),
  audience: ZAudience.describe('who may redeem it; {} is everyone'),
  requiresApproval: z.boolean().describe('a manager or admin approves each order first'),
  ships: z.boolean().describe('a redemption needs a shipping address (default: true for merchandise and recognition awards)'),
  provider: z.enum(PROVIDERS),
  promisedDeliveryMinutes: z.number().int().min(1).max(365 * 24 * 60).describe('the delivery promise; default by provider: codes 5 min, webhook 3 days, manual 10 days'),
  status: z.enum(['draft', 'active', 'archived']).describe('participants see active rewards only'),
  variants: z.array(ZVariantInput).max(50),
  vendorId: z.string().regex(/^fvn_[0-9a-z]{26}$/, 'must be a fulfilment vendor id (fvn_…)').nullable().describe('provider webhook: the fulfilment vendor its orders are sent to (required then)'),
};

const windowOk = (r: { availableFrom?: string | null; availableUntil?: string | null }) => !(r.availableFrom && r.availableUntil && Date.parse(r.availableFrom) >= Date.parse(r.availableUntil));
const variantNamesOk = (r: { variants?: { name: string }[] }) => !r.variants || new Set(r.variants.map((v) => v.name.toLowerCase())).size === r.variants.length;

export const ZCreateReward = z
  .object(rewardFields)
  .partial({ description: true, category: true, stock: true, limit: true, availableFrom: true, availableUntil: true, audience: true, requiresApproval: true, ships: true, provider: true, promisedDeliveryMinutes: true, status: true, variants: true, vendorId: true })
  .strict()
  .refine(windowOk, { path: ['availableUntil'], message: 'must come after availableFrom' })
  .refine(variantNamesOk, { path: ['variants'], message: 'each variant name once' })
  .refine((r) => !(r.variants?.length && r.stock != null), { path: ['stock'], message: 'with variants, give each variant its stock instead' });
export type TCreateReward = z.infer<typeof ZCreateReward>;

export const ZUpdateReward = z
  .object(rewardFields)
  .partial()
  .strict()
  .refine(windowOk, { path: ['availableUntil'], message: 'must come after availableFrom' })
  .refine(variantNamesOk, { path: ['variants'], message: 'each variant name once' });
export type TUpdateReward = z.infer<typeof ZUpdateReward>;

export const ZRewardImage = z.object({ id: z.string(), url: z.string(), contentType: z.string(), bytes: z.number().int() }).meta({ id: 'RewardImage' });
export const ZVariant = z.object({ id: z.string(), name: z.string(), options: z.record(z.string(), z.string()), stock: z.number().int().nullable(), active: z.boolean() }).meta({ id: 'RewardVariant' });

export const ZReward = z
  .object({
    id: z.string(),
    title: z.string(),
    description: z.string(),
    kind: z.enum(REWARD_KINDS),
    category: z.string().nullable(),
    cost: z.number().int(),
    stock: z.number().int().nullable().describe('what is left to redeem; null: unlimited (with variants: the sum, or null if one is unlimited)'),
    limit: ZLimit.nullable(),
    availableFrom: z.string().nullable(),
    availableUntil: z.string().nullable(),
    audience: ZAudience,
    requiresApproval: z.boolean(),
    ships: z.boolean(),
    provider: z.enum(PROVIDERS),
    promisedDeliveryMinutes: z.number().int(),
    status: z.enum(['draft', 'active', 'archived']),
    variants: z.array(ZVariant),
    images: z.array(ZRewardImage),
    vendorId: z.string().nullable().describe('provider webhook: the fulfilment vendor its orders are sent to'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Reward' });
export type TReward = z.infer<typeof ZReward>;

export const ZRewardsQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(200).optional(),
    status: z.enum(['draft', 'active', 'archived']).optional(),
    kind: z.enum(REWARD_KINDS).optional(),
    q: z.string().trim().min(1).max(100).optional().describe('in the title'),
  })
  .strict();

/** A reward as a participant sees it in their catalog. */
export const ZCatalogItem = z
  .object({
    id: z.string(),
    title: z.string(),
    description: z.string(),
    kind: z.enum(REWARD_KINDS),
    category: z.string().nullable(),
    cost: z.number().int(),
    images: z.array(ZRewardImage),
    variants: z.array(z.object({ id: z.string(), name: z.string(), options: z.record(z.string(), z.string()), inStock: z.boolean() })),
    inStock: z.boolean(),
    affordable: z.boolean().describe('the wallet holds the cost now'),
    pointsNeeded: z.number().int().describe('how many more points it takes; 0 when affordable'),
    inWishlist: z.boolean(),
    ships: z.boolean(),
    requiresApproval: z.boolean(),
    availableUntil: z.string().nullable(),
    promisedDeliveryMinutes: z.number().int(),
    limit: ZLimit.nullable(),
  })
  .meta({ id: 'CatalogItem' });
export type TCatalogItem = z.infer<typeof ZCatalogItem>;

export const ZCatalogQuery = z
  .object({
    category: z.string().trim().min(1).max(60).optional(),
    kind: z.enum(REWARD_KINDS).optional(),
    affordable: z.enum(['true', 'false']).optional().transform((v) => (v === undefined ? undefined : v === 'true')).describe('true: only what the wallet affords now'),
    q: z.string().trim().min(1).max(100).optional(),
  })
  .strict();

export const ZCatalog = z
  .object({
    balance: z.number().int(),
    categories: z.array(z.string()).describe('the categories of the rewards this person may redeem'),
    data: z.array(ZCatalogItem),
  })
  .meta({ id: 'Catalog' });

export const ZWishlist = z
  .object({
    balance: z.number().int(),
    data: z.array(ZCatalogItem.extend({ progressPercent: z.number().int().describe('balance against cost, 0–100'), addedAt: z.string() })),
  })
  .meta({ id: 'Wishlist' });
