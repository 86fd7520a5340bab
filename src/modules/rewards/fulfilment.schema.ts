import { z } from 'zod';
import { REDEMPTION_STATUSES } from './redemptions.schema.js';

const text = (max: number) => z.string().trim().min(1).max(max);
const ZHttpUrl = z
  .string()
  .trim()
  .max(1000)
  .regex(/^https?:\/\/[^\s]+$/i, 'an http(s) link such as https://carrier.example/track/123');

export const ZShip = z
  .object({
    carrier: text(100),
    trackingNumber: text(100),
    trackingUrl: ZHttpUrl.optional(),
  })
  .strict();
export type TShip = z.infer<typeof ZShip>;
export const ZDeliver = z.object({ note: text(500).optional() }).strict();
export const ZFail = z.object({ reason: text(500) }).strict();
export const ZProcess = z.object({ note: text(500).optional() }).strict();

export const BULK_ACTIONS = ['process', 'ship', 'deliver', 'fail'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];
export const ZBulkMove = z
  .object({
    ids: z.array(z.string().regex(/^red_[0-9a-z]{26}$/, 'must be a redemption id (red_…)')).min(1).max(500),
    action: z.enum(BULK_ACTIONS),
    carrier: text(100).optional().describe('ship: required'),
    trackingNumber: text(100).optional().describe('ship: required'),
    trackingUrl: ZHttpUrl.optional(),
    note: text(500).optional().describe('process, deliver'),
    reason: text(500).optional().describe('fail: required'),
  })
  .strict();
export type TBulkMove = z.infer<typeof ZBulkMove>;

const ZMoveResult = z.object({
  id: z.string(),
  ok: z.boolean(),
  status: z.enum(REDEMPTION_STATUSES).nullable().describe('the order’s status after the move (null when unknown)'),
  code: z.string().nullable().describe('the error code when not ok'),
  detail: z.string().nullable(),
});
export const ZBulkResult = z.object({ ok: z.number().int(), failed: z.number().int(), results: z.array(ZMoveResult) }).meta({ id: 'BulkMoveResult' });
export type TBulkResult = z.infer<typeof ZBulkResult>;

export const ZFulfilmentCsvQuery = z
  .object({
    status: z.enum(REDEMPTION_STATUSES).optional(),
    provider: z.string().trim().min(1).max(40).optional(),
    rewardId: z.string().regex(/^rwd_[0-9a-z]{26}$/, 'must be a reward id (rwd_…)').optional(),
  })
  .strict();

export const ZTrackingImportResult = z
  .object({
    shipped: z.number().int(),
    failed: z.number().int(),
    rows: z.array(z.object({ row: z.number().int().describe('the line of the file (the header is line 1)'), orderId: z.string(), ok: z.boolean(), status: z.string().nullable(), code: z.string().nullable(), detail: z.string().nullable() })),
  })
  .meta({ id: 'TrackingImportResult' });
export type TTrackingImportResult = z.infer<typeof ZTrackingImportResult>;

export const ZDeliveryReportQuery = z
  .object({
    from: z.iso.datetime({ offset: true }).optional().describe('orders created at or after (default: 30 days before `to`)'),
    to: z.iso.datetime({ offset: true }).optional().describe('orders created before (default: the end of today, UTC)'),
  })
  .strict();

const ZDeliveryFigures = z.object({
  orders: z.number().int().describe('orders created in the period'),
  delivered: z.number().int(),
  p50Minutes: z.number().int().nullable().describe('order → delivery, median, whole minutes (null: nothing delivered)'),
  p95Minutes: z.number().int().nullable(),
  onTimeShare: z.number().nullable().describe('delivered by promisedBy ÷ delivered, rounded to 4 decimals (null: nothing delivered)'),
  lateOpen: z.number().int().describe('orders still open and past their promise'),
  earnToOrderP50Minutes: z.number().int().nullable().describe('earn → order, median over orders whose earning time is known'),
});
export const ZDeliveryReport = z
  .object({
    from: z.string(),
    to: z.string(),
    total: ZDeliveryFigures,
    providers: z.array(ZDeliveryFigures.extend({ provider: z.string() })),
    rewards: z.array(ZDeliveryFigures.extend({ rewardId: z.string(), rewardTitle: z.string(), provider: z.string() })),
  })
  .meta({ id: 'DeliveryReport' });
export type TDeliveryReport = z.infer<typeof ZDeliveryReport>;
export type TDeliveryFigures = z.infer<typeof ZDeliveryFigures>;
