import { z } from 'zod';
import { pageOf } from '../../core/http/pagination.js';

export const PLAN_KINDS = ['launch', 'progress', 'ending_reminder', 'custom'] as const;
export type PlanKind = (typeof PLAN_KINDS)[number];

const ZIso = z.iso.datetime({ offset: true });
const ZPersonId = z.string().regex(/^per_[0-9a-z]{26}$/, 'a person id');

const entryFields = {
  name: z.string().trim().min(1).max(120).describe('what the plan calls it (default: after its kind)'),
  cron: z.string().trim().min(1).max(120).nullable().describe('a recurring schedule, crontab style ("0 9 * * MON"), read in the workspace time zone'),
  sendAt: ZIso.nullable().describe('a one-off time'),
  daysBeforeEnd: z.number().int().min(1).max(365).nullable().describe('ending_reminder: how many days before the program ends'),
  subject: z.string().trim().min(1).max(200).nullable().describe('custom: the subject, with {{variables}}'),
  text: z.string().trim().min(1).max(5000).nullable().describe('custom: the text, with {{variables}}'),
  enabled: z.boolean(),
};

export const ZCreatePlanEntry = z
  .object({ kind: z.enum(PLAN_KINDS).describe('launch: on activation or at sendAt; progress: a statement per participant; ending_reminder: daysBeforeEnd before the end; custom: your subject and text'), ...entryFields })
  .partial({ name: true, cron: true, sendAt: true, daysBeforeEnd: true, subject: true, text: true, enabled: true })
  .strict()
  .meta({ id: 'CreatePlanEntry' });
export type TCreatePlanEntry = z.infer<typeof ZCreatePlanEntry>;

export const ZUpdatePlanEntry = z.object(entryFields).partial().strict().meta({ id: 'UpdatePlanEntry' });
export type TUpdatePlanEntry = z.infer<typeof ZUpdatePlanEntry>;

const ZRun = z.object({ at: z.string(), local: z.string().describe('the same time as the workspace reads it') });

export const ZPlanEntry = z
  .object({
    id: z.string(),
    programId: z.string(),
    kind: z.enum(PLAN_KINDS),
    messageType: z.string().describe('the message type participants receive (its template is on the templates page)'),
    name: z.string(),
    cron: z.string().nullable(),
    sendAt: z.string().nullable(),
    daysBeforeEnd: z.number().int().nullable(),
    subject: z.string().nullable(),
    text: z.string().nullable(),
    enabled: z.boolean(),
    timing: z.string().describe('when it is sent, in words'),
    nextRuns: z.array(ZRun).describe('the next times it is due (up to 3), in the workspace time zone; empty when none is planned'),
    waiting: z.string().nullable().describe('why nothing is planned or sent now, if so (disabled, program not live, moment passed …)'),
    lastRunAt: z.string().nullable(),
    lastRecipients: z.number().int().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'PlanEntry' });
export type TPlanEntry = z.infer<typeof ZPlanEntry>;

export const ZPlan = z.object({ timezone: z.string(), data: z.array(ZPlanEntry) }).meta({ id: 'CommunicationPlan' });

export const ZNextRunsQuery = z.object({ cron: z.string().max(120), count: z.coerce.number().int().min(1).max(20).default(5) }).strict();
export const ZNextRuns = z.object({ cron: z.string(), timezone: z.string(), runs: z.array(ZRun) }).meta({ id: 'CronNextRuns' });

export const ZSendResult = z.object({ runId: z.string(), entryId: z.string(), recipients: z.number().int() }).meta({ id: 'PlanSendResult' });

export const ZCadenceQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50), cursor: z.string().max(200).optional() }).strict();
export const ZUpdateCadence = z
  .object({
    windowDays: z.number().int().min(1).max(90).describe('how many days back a message counts'),
    target: z.number().min(0).max(1).describe('the share of participants to reach, 0 to 1'),
    alertPersonIds: z.array(ZPersonId).max(20).describe('who is alerted when the share falls under the target (empty: the people linked to owner, admin and program manager members)'),
  })
  .partial()
  .strict()
  .meta({ id: 'UpdateCadence' });
export type TUpdateCadence = z.infer<typeof ZUpdateCadence>;

export const ZCadence = z
  .object({
    programId: z.string(),
    windowDays: z.number().int(),
    target: z.number().describe('0 to 1'),
    since: z.string().describe('the window’s start'),
    audienceSize: z.number().int().describe('participants now in the audience (not held out)'),
    reached: z.number().int().describe('of them, those with at least one inbox message since `since`'),
    notReachedCount: z.number().int(),
    share: z.number().nullable().describe('reached / audienceSize, 0 to 1; null for an empty audience'),
    belowTarget: z.boolean(),
    alertPersonIds: z.array(z.string()),
    belowSince: z.string().nullable(),
    lastAlertAt: z.string().nullable(),
    notReached: pageOf(z.object({ id: z.string(), name: z.string().nullable().describe('null for callers who may not read people'), lastMessageAt: z.string().nullable() })).describe('the participants not reached, by id'),
  })
  .meta({ id: 'Cadence' });
export type TCadence = z.infer<typeof ZCadence>;
