import { z } from 'zod';
import { DRIVERS } from './surveys.schema.js';

/**
 * The survey report's contract (issue #7): what `GET /api/v1/surveys/{id}/report` answers.
 * Written before the report itself so the web and the API agree; fields may be added, none
 * renamed or dropped. Formulas: docs/scoring.md. Anonymity rules: docs/surveys.md.
 */

export const BREAKDOWNS = ['team', 'tenure_band', 'person_kind', 'account_tier'] as const;
export const CLASSIFICATIONS = ['engaged', 'not_engaged', 'actively_disengaged'] as const;

export const ZReportQuery = z
  .object({
    team: z.string().max(40).optional().describe('only responses from this team (at invitation), a team id'),
    tenureBand: z.enum(['under_1y', '1_2y', '2_5y', '5y_plus']).optional(),
    personKind: z.enum(['employee', 'customer', 'partner']).optional(),
    accountTier: z.string().max(60).optional(),
    breakdown: z.enum(BREAKDOWNS).optional().describe('one cell per value of this grouping attribute'),
  })
  .strict();
export type TReportQuery = z.infer<typeof ZReportQuery>;

/** Why a number is not shown: the group is below k, or showing it would reveal one by difference. */
export const ZSuppression = z.enum(['below_threshold', 'differencing', 'comments_threshold']).meta({ id: 'SurveySuppression' });

/** A score with its 95% interval: NPS in −100…100, CSAT and favourable shares in 0…100. */
export const ZScore = z
  .object({
    score: z.number().describe('NPS: % promoters − % detractors; CSAT: % of 4 and 5'),
    low: z.number().describe('95% interval, lower bound'),
    high: z.number().describe('95% interval, upper bound'),
    responses: z.number().int(),
  })
  .meta({ id: 'SurveyScore' });

export const ZNps = ZScore.extend({
  promoters: z.number().int(),
  passives: z.number().int(),
  detractors: z.number().int(),
  question: z.string().describe('the likelihood question it comes from'),
}).meta({ id: 'SurveyNps' });

export const ZEngagementSplit = z
  .object({
    index: z.number().describe('mean engagement index of the respondents, 0–100'),
    engaged: z.number().describe('share 0–1'),
    notEngaged: z.number(),
    activelyDisengaged: z.number(),
    responses: z.number().int(),
  })
  .meta({ id: 'SurveyEngagementSplit' });

export const ZDriverScore = z
  .object({
    driver: z.enum(DRIVERS),
    items: z.number().int().describe('agreement questions tagged with it'),
    mean: z.number().describe('1–5'),
    favourable: z.number().describe('% of answers 4 or 5'),
    responses: z.number().int(),
    correlation: z.number().nullable().describe('Pearson r with the engagement index across respondents; null when not computable (no variance, no engagement items, group below k)'),
    varianceExplained: z.number().nullable().describe('r², 0–1'),
    rank: z.number().int().nullable().describe('1 = the strongest link to engagement: work on it first'),
  })
  .meta({ id: 'SurveyDriverScore' });

export const ZQuestionResult = z
  .object({
    id: z.string(),
    text: z.string(),
    type: z.string(),
    driver: z.enum(DRIVERS).nullable(),
    responses: z.number().int().describe('answers to it'),
    mean: z.number().nullable().describe('scale questions'),
    favourable: z.number().nullable().describe('agreement and CSAT: % of 4 and 5; likelihood: % of 9 and 10'),
    distribution: z.array(z.object({ value: z.union([z.number(), z.string()]), label: z.string(), count: z.number().int() })).describe('every scale point or option, zeros included'),
  })
  .meta({ id: 'SurveyQuestionResult' });

/** One cell of a breakdown: its figures, or `suppressed` with the reason and no figures. */
export const ZBreakdownCell = z
  .object({
    value: z.string().nullable().describe('the attribute value; null for responses without one'),
    label: z.string(),
    suppressed: ZSuppression.nullable(),
    responses: z.number().int().nullable().describe('null when suppressed'),
    nps: ZNps.nullable(),
    csat: ZScore.nullable(),
    engagement: ZEngagementSplit.nullable(),
    drivers: z.array(z.object({ driver: z.enum(DRIVERS), mean: z.number(), favourable: z.number() })).describe('empty when suppressed'),
  })
  .meta({ id: 'SurveyBreakdownCell' });

export const ZWave = z
  .object({
    surveyId: z.string(),
    title: z.string(),
    openedAt: z.string().nullable(),
    closedAt: z.string().nullable(),
    responses: z.number().int().nullable(),
    suppressed: ZSuppression.nullable(),
    engagement: ZEngagementSplit.nullable(),
    nps: ZNps.nullable(),
  })
  .meta({ id: 'SurveyWave' });

export const ZSurveyReport = z
  .object({
    surveyId: z.string(),
    title: z.string(),
    kind: z.string(),
    privacy: z.enum(['anonymous', 'confidential', 'identified']),
    status: z.enum(['draft', 'open', 'closed']),
    threshold: z.object({ k: z.number().int(), comments: z.number().int() }).describe('the workspace thresholds in force (anonymous and confidential surveys)'),
    filter: ZReportQuery.omit({ breakdown: true }).describe('the filter applied (a manager is held to their own teams)'),
    invited: z.number().int(),
    responses: z.number().int().nullable().describe('in the filtered group; null when suppressed'),
    released: z.number().int().nullable().describe('anonymous surveys while open: results are released in steps of k responses; the count the figures cover'),
    suppressed: ZSuppression.nullable().describe('the whole filtered group is hidden'),
    responseRate: z.number().nullable().describe('responses / invited (whole survey), 0–1'),
    responsesOverTime: z.array(z.object({ date: z.string().describe('YYYY-MM-DD, UTC'), responses: z.number().int(), cumulative: z.number().int(), rate: z.number().nullable() })).describe('whole survey, by day'),
    nps: ZNps.nullable().describe('NPS or eNPS, from the first likelihood question'),
    csat: ZScore.nullable().describe('from the first CSAT question'),
    engagement: ZEngagementSplit.nullable(),
    engagementThresholds: z.object({ engaged: z.number(), activelyDisengaged: z.number() }).describe('index ≥ engaged: engaged; index < activelyDisengaged: actively disengaged; otherwise not engaged'),
    drivers: z.array(ZDriverScore).describe('ranked by correlation when computable'),
    questions: z.array(ZQuestionResult),
    breakdown: z.object({ dimension: z.enum(BREAKDOWNS), cells: z.array(ZBreakdownCell) }).nullable(),
    comments: z
      .object({
        suppressed: ZSuppression.nullable(),
        count: z.number().int().nullable(),
        items: z.array(z.object({ question: z.string(), text: z.string(), person: z.object({ id: z.string(), name: z.string() }).nullable().describe('identified surveys only') })),
      })
      .describe('free-text answers, shown only when the group reaches the comment threshold'),
    waves: z.array(ZWave).describe('this survey and the earlier ones from the same template (or of the same kind), oldest first, under the same filter'),
  })
  .meta({ id: 'SurveyReport' });
export type TSurveyReport = z.infer<typeof ZSurveyReport>;

/** Workspace survey settings: `GET|PUT /api/v1/survey-settings`. */
export const ZSurveySettings = z
  .object({
    k: z.number().int().min(3).max(100).describe('smallest group shown for anonymous and confidential surveys (default 5)'),
    commentK: z.number().int().min(3).max(200).describe('smallest group whose comments are shown (default 10)'),
    engagedAtOrAbove: z.number().min(0).max(100).describe('engagement index from which a respondent is engaged (default 75)'),
    activelyDisengagedBelow: z.number().min(0).max(100).describe('engagement index under which a respondent is actively disengaged (default 40)'),
    customerScore: z
      .object({
        weights: z.object({ sentiment: z.number().min(0).max(1), recency: z.number().min(0).max(1), frequency: z.number().min(0).max(1), participation: z.number().min(0).max(1) }).describe('summing to 1'),
        recencyHalfLifeDays: z.number().int().min(1).max(365),
        frequencyTargetPer90Days: z.number().int().min(1).max(10000),
      })
      .describe('the customer engagement score: docs/scoring.md'),
  })
  .meta({ id: 'SurveySettings' });
export type TSurveySettings = z.infer<typeof ZSurveySettings>;

/** Survey distribution additions (read on a survey, set with PATCH while a draft). */
export { ZReminderDays } from './surveys.schema.js';

/**
 * An event-triggered survey: `POST /api/v1/surveys/{id}/triggers`, `GET` the list,
 * `DELETE /api/v1/surveys/{id}/triggers/{triggerId}`. When an accepted event of `on` arrives
 * (and `if` holds), an invitation goes to the contact `delayMinutes` later, at most once per
 * contact per `oncePerDays`; the response keeps the event id and the employee who handled it.
 */
export const ZSurveyTriggerInput = z
  .object({
    on: z.string().min(1).max(100).describe('an event type, e.g. ticket.resolved'),
    if: z.unknown().optional().describe('a rule condition over the event (the programs\' rule language)'),
    sendTo: z.union([z.literal('person'), z.object({ property: z.string().min(1).max(100) }).strict()]).describe("'person': the event's person; { property }: the person whose external id is in that event property (e.g. contactExternalId)"),
    handledBy: z.union([z.literal('person'), z.object({ property: z.string().min(1).max(100) }).strict(), z.null()]).describe("who handled it: 'person' or an event property with their external id"),
    delayMinutes: z.number().int().min(0).max(60 * 24 * 30),
    oncePerDays: z.number().int().min(0).max(365).describe('at most one invitation per contact in this many days (0: every event)'),
  })
  .strict()
  // Not 'SurveyTriggerInput': the OpenAPI document names the input form of SurveyTrigger so, and refuses the collision.
  .meta({ id: 'NewSurveyTrigger' });
export const ZSurveyTrigger = z
  .object({ id: z.string(), surveyId: z.string(), on: z.string(), if: z.unknown().nullable(), sendTo: z.unknown(), handledBy: z.unknown().nullable(), delayMinutes: z.number().int(), oncePerDays: z.number().int(), sent: z.number().int(), createdAt: z.string() })
  .meta({ id: 'SurveyTrigger' });

/** Customer engagement score: `GET /api/v1/accounts/{id}/engagement` and `GET /api/v1/people/{id}/engagement`. */
export const ZCustomerEngagement = z
  .object({
    score: z.number().nullable().describe('0–100; null without any input'),
    components: z.object({ sentiment: z.number().nullable(), recency: z.number().nullable(), frequency: z.number().nullable(), participation: z.number().nullable() }).describe('each 0–100'),
    weights: z.object({ sentiment: z.number(), recency: z.number(), frequency: z.number(), participation: z.number() }),
    classification: z.enum(CLASSIFICATIONS).nullable(),
    inputs: z.object({ nps: z.number().nullable(), csat: z.number().nullable(), surveyAnswers: z.number().int(), lastEventAt: z.string().nullable(), eventsLast90Days: z.number().int(), programs: z.number().int() }),
    computedAt: z.string(),
  })
  .meta({ id: 'CustomerEngagement' });

/**
 * A public link for an anonymous survey (PATCH `publicLink: true` on the survey; the survey
 * then reads `publicUrl`). `POST /api/v1/survey-links/{linkToken}/start` (public, rate limited
 * per address) makes a fresh single-use taking token for the existing taking routes; the
 * response carries no grouping attributes (nobody was invited).
 */
export const ZPublicLinkStart = z.object({ token: z.string(), url: z.string() }).meta({ id: 'SurveyPublicLinkStart' });
