import { z } from 'zod';
import { REWARD_KINDS } from './rewards.schema.js';
import { REDEMPTION_STATUSES } from './redemptions.schema.js';

/** A day (YYYY-MM-DD, in the workspace's time zone) or an instant (ISO 8601 with an offset). */
const ZWhen = z
  .string()
  .max(40)
  .refine((v) => (/^\d{4}-\d{2}-\d{2}$/.test(v) ? validDay(v) : /^\d{4}-\d{2}-\d{2}T/.test(v) && Number.isFinite(Date.parse(v))), 'a date (YYYY-MM-DD) or an ISO 8601 date-time');

function validDay(v: string) {
  const [y, m, d] = v.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

export const ZMoney = z.object({ currency: z.string(), cents: z.number().int() }).meta({ id: 'MoneyAmount', description: 'an amount in minor units (cents) of one currency' });

const ZLiabilityProgram = z.object({
  programId: z.string().nullable().describe('null: points earned without a program (manual adjustments)'),
  programName: z.string(),
  status: z.string().nullable(),
  fundingSource: z.string(),
  currency: z.string(),
  pointValueCents: z.number().int(),
  points: z.number().int(),
  valueCents: z.number().int(),
});

export const ZLiability = z
  .object({
    points: z.number().int().describe('every point the wallets may still spend'),
    byProgram: z.array(ZLiabilityProgram),
    byFundingSource: z.array(z.object({ fundingSource: z.string(), currency: z.string(), programs: z.number().int(), points: z.number().int(), valueCents: z.number().int() })),
    totals: z.array(z.object({ currency: z.string(), points: z.number().int(), valueCents: z.number().int() })).describe('one per currency: different currencies are never added'),
    unattributed: z.object({ pointValueCents: z.number().int(), currency: z.string(), fundingSource: z.string() }).describe('how points without a program are valued'),
  })
  .meta({ id: 'Liability' });
export type TLiability = z.infer<typeof ZLiability>;

export const ZRedeemedQuery = z
  .object({
    period: z.enum(['week', 'month', 'quarter']).default('month').describe('calendar periods in the workspace’s time zone'),
    from: ZWhen.optional().describe('default: the start of the 12th period back'),
    to: ZWhen.optional().describe('a date counts whole (up to its end); default: now'),
  })
  .strict();
export type TRedeemedQuery = z.infer<typeof ZRedeemedQuery>;

const redeemedFigures = {
  orders: z.number().int(),
  points: z.number().int().describe('points of every order'),
  refundedPoints: z.number().int().describe('of those, what refunds gave back (cancelled, rejected, failed orders)'),
  netPoints: z.number().int(),
  value: z.array(ZMoney).describe('the net points valued at the point value of the programs that paid them, one amount per currency'),
};

export const ZRedeemed = z
  .object({
    period: z.enum(['week', 'month', 'quarter']),
    timezone: z.string(),
    from: z.string(),
    to: z.string(),
    periods: z.array(z.object({ label: z.string().describe('2026-03, 2026-Q1, or the week’s Monday 2026-03-02'), from: z.string(), to: z.string(), ...redeemedFigures, byKind: z.array(z.object({ kind: z.enum(REWARD_KINDS), ...redeemedFigures })) })),
    totals: z.object(redeemedFigures),
  })
  .meta({ id: 'RedeemedValue' });
export type TRedeemed = z.infer<typeof ZRedeemed>;

export const ZOrdersExportQuery = z
  .object({
    from: ZWhen.optional().describe('orders created from (default: all)'),
    to: ZWhen.optional().describe('orders created before; a date counts whole'),
    status: z.enum(REDEMPTION_STATUSES).optional(),
  })
  .strict();
export type TOrdersExportQuery = z.infer<typeof ZOrdersExportQuery>;
