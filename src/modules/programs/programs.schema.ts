import { z } from 'zod';
import { ZCap, ZRule } from '../engine/index.js';

const ZTeamId = z.string().regex(/^tea_[0-9a-z]{26}$/, 'a team id');
const ZPersonId = z.string().regex(/^per_[0-9a-z]{26}$/, 'a person id');
export const ZAudience = z
  .object({
    kinds: z.array(z.enum(['employee', 'customer', 'partner'])).min(1).optional(),
    teams: z.array(ZTeamId).min(1).max(200).optional().describe('team subtrees'),
    accountTiers: z.array(z.string().min(1).max(60)).min(1).max(50).optional(),
    attributes: z.record(z.string().min(1).max(60), z.array(z.union([z.string(), z.number(), z.boolean()])).min(1).max(100)).optional(),
    people: z.array(ZPersonId).min(1).max(10_000).optional().describe('an explicit list'),
  })
  .strict()
  .meta({ id: 'Audience' });
export type TAudience = z.infer<typeof ZAudience>;

const ZIso = z.iso.datetime({ offset: true });
const programFields = {
  name: z.string().trim().min(1).max(120),
  description: z.string().max(2000).nullable(),
  audience: ZAudience,
  budget: z.number().int().min(0).max(1e12),
  pointValueCents: z.number().int().min(0).max(1_000_000),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code like USD'),
  fundingSource: z.string().regex(/^[a-z0-9_-]{1,40}$/),
  holdoutPercent: z.number().int().min(0).max(50),
  startsAt: ZIso.nullable(),
  endsAt: ZIso.nullable(),
  cap: ZCap.nullable().describe('a cap on the whole program, per person'),
  rules: z.array(ZRule).max(100),
};
export const ZCreateProgram = z
  .object(programFields)
  .partial({ description: true, pointValueCents: true, currency: true, fundingSource: true, holdoutPercent: true, startsAt: true, endsAt: true, cap: true, rules: true })
  .strict();
export type TCreateProgram = z.infer<typeof ZCreateProgram>;
export const ZUpdateProgram = z
  .object({ ...programFields, effectiveFrom: ZIso.describe('for an active program: when the new version applies (default now)') })
  .partial()
  .strict();
export type TUpdateProgram = z.infer<typeof ZUpdateProgram>;

export const ZProgram = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    status: z.enum(['draft', 'active', 'paused', 'ended']),
    audience: z.record(z.string(), z.unknown()),
    budget: z.number().int(),
    budgetRemaining: z.number().int(),
    pointValueCents: z.number().int(),
    currency: z.string(),
    fundingSource: z.string(),
    holdoutPercent: z.number().int(),
    startsAt: z.string().nullable(),
    endsAt: z.string().nullable(),
    cap: z.unknown().nullable(),
    rules: z.array(z.record(z.string(), z.unknown())),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Program' });
export const ZProgramQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50), cursor: z.string().max(200).optional(), status: z.enum(['draft', 'active', 'paused', 'ended']).optional() }).strict();

export const ZBulkAwards = z
  .object({
    reason: z.string().trim().min(3).max(500),
    awards: z
      .array(
        z
          .object({ personId: ZPersonId.optional(), personExternalId: z.string().min(1).max(200).optional(), points: z.number().int().positive().max(10_000_000) })
          .strict()
          .refine((a) => !!a.personId !== !!a.personExternalId, { message: 'give personId or personExternalId', path: ['personId'] }),
      )
      .min(1)
      .max(10_000),
  })
  .strict();
export type TBulkAwards = z.infer<typeof ZBulkAwards>;
export const ZBulkAwardResult = z.object({ programId: z.string(), recipients: z.number().int(), points: z.number().int(), transferIds: z.array(z.string()) }).meta({ id: 'BulkAwardResult' });

export const ZOutcome = z.object({
  programId: z.string(),
  programVersion: z.number().int(),
  ruleId: z.string().nullable(),
  outcome: z.enum(['awarded', 'capped', 'budget_exhausted', 'holdout', 'no_recipient']),
  recipientId: z.string().nullable(),
  pointsDue: z.number().int(),
  points: z.number().int(),
  transferId: z.string().nullable(),
});
export type TOutcome = z.infer<typeof ZOutcome>;
