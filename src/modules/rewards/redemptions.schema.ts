import { z } from 'zod';

export const REDEMPTION_STATUSES = ['pending_approval', 'placed', 'processing', 'shipped', 'delivered', 'rejected', 'failed', 'cancelled'] as const;
export const ZRedemptionIdParam = z.object({ id: z.string().regex(/^red_[0-9a-z]{26}$/, 'must be a redemption id (red_…)') }).strict();

const line = (max: number) => z.string().trim().min(1).max(max);
export const ZShipping = z
  .object({
    name: line(120),
    line1: line(200),
    line2: z.string().trim().max(200).optional(),
    city: line(100),
    region: z.string().trim().max(100).optional(),
    postalCode: line(20),
    country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166 country code such as FR'),
  })
  .strict()
  .meta({ id: 'ShippingAddress' });

export const ZRedeem = z
  .object({
    rewardId: z.string().regex(/^rwd_[0-9a-z]{26}$/, 'must be a reward id (rwd_…)'),
    variantId: z.string().regex(/^rvr_[0-9a-z]{26}$/, 'must be a variant id (rvr_…)').optional().describe('required when the reward has variants'),
    quantity: z.number().int().min(1).max(100).default(1),
    shipping: ZShipping.optional().describe('required when the reward ships'),
    personId: z.string().regex(/^per_[0-9a-z]{26}$/, 'must be a person id (per_…)').optional().describe('redeem on a participant’s behalf (admins and integrations)'),
  })
  .strict();
export type TRedeem = z.infer<typeof ZRedeem>;

export const ZCancel = z.object({ reason: z.string().trim().min(1).max(500) }).strict();
export const ZApprove = z.object({ note: z.string().trim().min(1).max(500).optional() }).strict();

export const ZRedemption = z
  .object({
    id: z.string(),
    personId: z.string(),
    personName: z.string().nullable().describe('who ordered (null once erased)'),
    rewardId: z.string(),
    rewardTitle: z.string(),
    variantId: z.string().nullable(),
    quantity: z.number().int(),
    points: z.number().int(),
    status: z.enum(REDEMPTION_STATUSES),
    shipping: ZShipping.nullable(),
    transferId: z.string(),
    refundTransferId: z.string().nullable(),
    provider: z.string(),
    promisedBy: z.string(),
    carrier: z.string().nullable().describe('who carries a shipped order'),
    trackingNumber: z.string().nullable(),
    trackingUrl: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    earnedAt: z.string().nullable().describe('when the points spent were earned, when known'),
    late: z.boolean().describe('open and past promisedBy, or delivered after it'),
    timeline: z.array(z.object({ status: z.string(), at: z.string(), note: z.string().nullable() })),
    code: z.string().optional().describe('a code order’s gift-card code: only in its owner’s GET /redemptions/{id} and /me/redemptions'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Redemption' });
export type TRedemption = z.infer<typeof ZRedemption>;

export const ZRedemptionsQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(200).optional(),
    status: z.enum(REDEMPTION_STATUSES).optional(),
    personId: z.string().regex(/^per_[0-9a-z]{26}$/, 'must be a person id (per_…)').optional(),
  })
  .strict();
