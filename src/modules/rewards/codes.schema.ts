import { z } from 'zod';

/** The low-stock threshold when a reward has none of its own. */
export const DEFAULT_LOW_THRESHOLD = 10;
/** Codes in one upload. */
export const MAX_CODES_PER_UPLOAD = 10_000;
/** The longest code accepted. */
export const MAX_CODE_LENGTH = 200;

const ZCounts = {
  uploaded: z.number().int().describe('every code ever uploaded'),
  available: z.number().int().describe('free codes that have not expired: what can still be given'),
  assigned: z.number().int().describe('codes given to orders'),
  expired: z.number().int().describe('free codes past their expiresOn'),
};

export const ZCodeCounts = z
  .object({
    rewardId: z.string(),
    ...ZCounts,
    lowStockThreshold: z.number().int().describe('reward managers are told once when available falls below it'),
    variants: z.array(z.object({ variantId: z.string(), name: z.string(), ...ZCounts })).describe('per variant, for a reward with variants'),
  })
  .meta({ id: 'RewardCodeCounts', description: 'counts only: the codes themselves are shown to nobody but the order’s owner' });
export type TCodeCounts = z.infer<typeof ZCodeCounts>;

export const ZCodeSettings = z.object({ lowStockThreshold: z.number().int().min(0).max(1_000_000) }).strict();

export const ZCodeUpload = z
  .object({
    added: z.number().int(),
    duplicates: z.number().int(),
    rows: z.array(z.object({ row: z.number().int().describe('1-based data row (the header is row 0)'), status: z.enum(['added', 'duplicate']), variantId: z.string().nullable(), message: z.string().nullable() })),
    counts: ZCodeCounts,
  })
  .meta({ id: 'RewardCodeUpload' });
export type TCodeUpload = z.infer<typeof ZCodeUpload>;
