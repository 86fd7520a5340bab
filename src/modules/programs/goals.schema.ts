import { z } from 'zod';
import { ZRule } from '../engine/index.js';

// A goal's metric reuses the rule language: the event type, an optional condition, and what to add.
const ZCondition = ZRule.shape.if;
export const ZMetric = z
  .object({
    on: z.string().min(1).max(100),
    if: ZCondition,
    aggregate: z.enum(['count', 'sum']),
    fact: z.string().min(1).max(200).optional().describe('for sum: the number to add, such as event.properties.revenue'),
  })
  .strict()
  .refine((m) => (m.aggregate === 'sum') === (m.fact !== undefined), { message: 'sum needs a fact; count takes none', path: ['fact'] });
export const ZTier = z.object({ percent: z.number().int().min(1).max(1000), points: z.number().int().min(0).max(10_000_000) }).strict();
export const ZCreateGoal = z
  .object({
    programId: z.string().regex(/^prg_[0-9a-z]{26}$/, 'a program id'),
    name: z.string().trim().min(1, 'give the goal a name').max(120),
    metric: ZMetric,
    period: z.enum(['month', 'quarter', 'year', 'program']),
    scope: z.enum(['person', 'team']).default('person'),
    target: z.number().int().positive().nullable().default(null).describe('the target when no quota is set for the person or team'),
    tiers: z
      .array(ZTier)
      .min(1)
      .max(10)
      .refine((ts) => ts.every((t, i) => i === 0 || t.percent > ts[i - 1]!.percent), 'tiers go up in percent'),
    closeAfterDays: z.number().int().min(0).max(90).default(5).describe('late events count until this many days after the period ends'),
  })
  .strict();
export type TCreateGoal = z.infer<typeof ZCreateGoal>;
export const ZGoal = z
  .object({
    id: z.string(),
    programId: z.string(),
    name: z.string(),
    metric: z.record(z.string(), z.unknown()),
    period: z.string(),
    scope: z.string(),
    target: z.number().int().nullable(),
    tiers: z.array(ZTier),
    closeAfterDays: z.number().int(),
    createdAt: z.string(),
  })
  .meta({ id: 'Goal' });
export const ZTargets = z
  .object({
    targets: z
      .array(
        z
          .object({
            personId: z.string().max(40).optional(),
            personExternalId: z.string().max(200).optional(),
            teamId: z.string().max(40).optional(),
            teamExternalId: z.string().max(200).optional(),
            period: z.string().regex(/^(\d{4}(-\d{2}|-Q[1-4])?|all)$/, 'YYYY-MM, YYYY-Qn, YYYY, or all').default('all'),
            target: z.number().int().positive(),
          })
          .strict(),
      )
      .min(1)
      .max(10_000),
  })
  .strict();
export type TTargets = z.infer<typeof ZTargets>;
export const ZProgress = z
  .object({
    goalId: z.string(),
    period: z.object({ start: z.string(), end: z.string(), closesAt: z.string(), closed: z.boolean().describe('late events no longer count: its payouts are final'), closedAt: z.string().nullable().describe('when the close job recorded it') }),
    subjects: z.array(
      z.object({ subjectId: z.string(), value: z.number(), target: z.number().int().nullable(), attainment: z.number().nullable().describe('percent of target'), tiersReached: z.array(z.number().int()) }),
    ),
    summary: z
      .object({ subjects: z.number().int(), withTarget: z.number().int(), reachedTarget: z.number().int(), reachedAnyTier: z.number().int(), averageAttainment: z.number().nullable() })
      .describe('over every person or team the caller may see in the period (with subjectId, that one)'),
    hidden: z.boolean().describe('true when the caller’s role does not read people (an analyst): a per-person goal answers the summary only'),
  })
  .meta({ id: 'GoalProgress' });
