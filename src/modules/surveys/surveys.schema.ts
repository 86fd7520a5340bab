import { z } from 'zod';
import { ZAudience } from '../programs/index.js';

export const SURVEY_KINDS = ['engagement', 'pulse', 'enps', 'nps', 'csat', 'partner', 'internal'] as const;
export const PRIVACY_MODES = ['anonymous', 'confidential', 'identified'] as const;
export const SURVEY_STATUSES = ['draft', 'open', 'closed'] as const;
export const QUESTION_TYPES = ['agreement', 'likelihood', 'csat', 'single_choice', 'multiple_choice', 'text'] as const;
export const DRIVERS = ['competence', 'autonomy', 'social_value', 'management', 'recognition', 'growth', 'engagement'] as const;
/** The scale of each scale type: agreement and CSAT 1–5, likelihood (NPS, eNPS) 0–10. */
export const SCALES: Record<string, { min: number; max: number }> = { agreement: { min: 1, max: 5 }, csat: { min: 1, max: 5 }, likelihood: { min: 0, max: 10 } };
export const MAX_QUESTIONS = 60;
export const MAX_TEXT_ANSWER = 5000;

export const ZSurveyIdParam = z.object({ id: z.string().regex(/^srv_[0-9a-z]{26}$/, 'must be a survey id (srv_…)') }).strict();
export const ZTokenParam = z.object({ token: z.string().min(20).max(100).regex(/^[A-Za-z0-9_-]+$/, 'must be a survey link token') }).strict();

export const ZQuestionId = z.string().regex(/^q_[a-z0-9_]{1,40}$/, 'a question id: q_ then 1–40 lower-case letters, digits or _');
const ZOption = z.object({ value: z.string().trim().min(1).max(60).regex(/^[a-z0-9_-]+$/, 'lower-case letters, digits, _ or -'), label: z.string().trim().min(1).max(200) }).strict().meta({ id: 'SurveyOption' });
const ZShowIf = z
  .object({
    question: ZQuestionId.describe('an earlier question'),
    in: z.array(z.union([z.number().int(), z.string().max(60)])).min(1).max(20).describe('the answers (scale numbers or option values) that show this question'),
  })
  .strict()
  .meta({ id: 'SurveyDisplayLogic', description: 'show this question only when an earlier answer is one of these' });

export const ZQuestionInput = z
  .object({
    id: ZQuestionId.optional().describe('keep it to keep the question; leave out to make one'),
    type: z.enum(QUESTION_TYPES),
    text: z.string().trim().min(1).max(500),
    help: z.string().trim().max(500).nullable().optional(),
    required: z.boolean().default(true),
    options: z.array(ZOption).min(2).max(30).optional().describe('for single_choice and multiple_choice'),
    showIf: ZShowIf.nullable().optional(),
    driver: z.enum(DRIVERS).nullable().optional(),
  })
  .strict();
export type TQuestionInput = z.input<typeof ZQuestionInput>;

export const ZQuestion = z
  .object({
    id: z.string(),
    type: z.enum(QUESTION_TYPES),
    text: z.string(),
    help: z.string().nullable(),
    required: z.boolean(),
    options: z.array(z.object({ value: z.string(), label: z.string() })).nullable(),
    showIf: z.object({ question: z.string(), in: z.array(z.union([z.number(), z.string()])) }).nullable(),
    driver: z.enum(DRIVERS).nullable(),
    scale: z.object({ min: z.number().int(), max: z.number().int() }).nullable().describe('for scale types'),
  })
  .meta({ id: 'SurveyQuestion' });
export type TQuestion = z.infer<typeof ZQuestion>;

/**
 * A survey's audience: the programs' audience, where an empty list of kinds or people invites
 * nobody (a continuous survey fed only by its event triggers: CSAT after each ticket).
 */
export const ZSurveyAudience = ZAudience.safeExtend({
  kinds: z.array(z.enum(['employee', 'customer', 'partner'])).max(3).optional(),
  people: z.array(z.string().regex(/^per_[0-9a-z]{26}$/, 'a person id (per_…)')).max(10_000).optional().describe('an explicit list; [] invites nobody'),
}).meta({ id: 'SurveyAudience' });
/** Days after opening on which a survey reminds those who have not answered (reports.schema.ts re-exports it). */
export const ZReminderDays = z.array(z.number().int().min(1).max(60)).max(5).describe('days after opening on which those who have not answered are reminded automatically, e.g. [3, 7]');

const ZIso = z.iso.datetime({ offset: true });
const ZQuestions = z.array(ZQuestionInput).max(MAX_QUESTIONS);
const surveyFields = {
  title: z.string().trim().min(1).max(200),
  description: z.string().max(2000),
  kind: z.enum(SURVEY_KINDS),
  privacy: z.enum(PRIVACY_MODES).describe('anonymous: no link from a response to a person is stored; confidential: stored, never shown; identified: shown'),
  locale: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'a locale like en or en-GB'),
  audience: ZSurveyAudience.describe('who is invited when it opens; {} is everyone, { kinds: [] } nobody'),
  opensAt: ZIso.nullable().describe('answers are taken from then (null: from opening)'),
  closesAt: ZIso.nullable().describe('answers are refused from then'),
  reminderDays: ZReminderDays,
  publicLink: z.boolean().describe('anonymous surveys only: a public link anyone may answer by (rate limited); the survey then reads publicUrl'),
};
const windowOk = (r: { opensAt?: string | null; closesAt?: string | null }) => !(r.opensAt && r.closesAt && Date.parse(r.opensAt) >= Date.parse(r.closesAt));

export const ZCreateSurvey = z
  .object({ ...surveyFields, template: z.string().regex(/^[a-z0-9_-]{1,60}$/).optional().describe('start from a template (GET /api/v1/survey-templates): its title, kind, privacy and questions, unless given'), questions: ZQuestions.optional() })
  .partial({ description: true, privacy: true, locale: true, audience: true, opensAt: true, closesAt: true, kind: true, title: true, reminderDays: true, publicLink: true })
  .strict()
  .refine(windowOk, { path: ['closesAt'], message: 'must come after opensAt' });
export type TCreateSurvey = z.infer<typeof ZCreateSurvey>;

export const ZUpdateSurvey = z
  .object(surveyFields)
  .partial()
  .strict()
  .refine(windowOk, { path: ['closesAt'], message: 'must come after opensAt' });
export type TUpdateSurvey = z.infer<typeof ZUpdateSurvey>;

export const ZReplaceQuestions = z.object({ questions: ZQuestions }).strict();

export const ZSurvey = z
  .object({
    id: z.string(),
    title: z.string(),
    description: z.string(),
    kind: z.enum(SURVEY_KINDS),
    privacy: z.enum(PRIVACY_MODES),
    status: z.enum(SURVEY_STATUSES),
    locale: z.string(),
    audience: ZSurveyAudience,
    template: z.string().nullable(),
    opensAt: z.string().nullable(),
    closesAt: z.string().nullable(),
    openedAt: z.string().nullable(),
    closedAt: z.string().nullable(),
    invited: z.number().int(),
    responses: z.number().int(),
    responseRate: z.number().nullable().describe('responses / invited, 0–1; null before anyone is invited'),
    lastRemindedAt: z.string().nullable(),
    reminderDays: z.array(z.number().int()).describe('days after opening of the automatic reminders'),
    nextReminderAt: z.string().nullable().describe('when the next automatic reminder goes out'),
    publicLink: z.boolean(),
    publicUrl: z.string().nullable().describe('the public link while it is on'),
    questions: z.array(ZQuestion),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Survey' });
export type TSurvey = z.infer<typeof ZSurvey>;

export const ZSurveysQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(200).optional(),
    status: z.enum(SURVEY_STATUSES).optional(),
    kind: z.enum(SURVEY_KINDS).optional(),
  })
  .strict();

export const ZAudienceSize = z.object({ people: z.number().int().describe('active people the audience rule matches now') }).meta({ id: 'SurveyAudienceSize' });
export const ZRemindResult = z.object({ reminded: z.number().int().describe('people reminded: invited, not responded') }).meta({ id: 'SurveyRemindResult' });

export const ZSurveyTemplate = z
  .object({
    id: z.string(),
    title: z.string(),
    description: z.string(),
    kind: z.enum(SURVEY_KINDS),
    privacy: z.enum(PRIVACY_MODES),
    questions: z.array(ZQuestion),
  })
  .meta({ id: 'SurveyTemplate' });

/** An answer: a scale number, an option value, a list of option values, or text. */
export const ZAnswerValue = z.union([z.number(), z.string().max(MAX_TEXT_ANSWER), z.array(z.string().max(60)).max(30), z.null()]);
export const ZSaveAnswers = z
  .object({ answers: z.record(ZQuestionId, ZAnswerValue).describe('question id → answer; null clears one') })
  .strict()
  .meta({ id: 'SurveyAnswers' });
export type TSaveAnswers = z.infer<typeof ZSaveAnswers>;

export const ZTaking = z
  .object({
    survey: z.object({ title: z.string(), description: z.string(), kind: z.enum(SURVEY_KINDS), privacy: z.enum(PRIVACY_MODES), locale: z.string(), closesAt: z.string().nullable(), workspaceName: z.string() }),
    questions: z.array(ZQuestion),
    answers: z.record(z.string(), ZAnswerValue).describe('saved so far'),
    progress: z.object({ answered: z.number().int(), total: z.number().int().describe('questions shown with the answers so far') }),
    savedAt: z.string().nullable(),
  })
  .meta({ id: 'SurveyTaking' });
export type TTaking = z.infer<typeof ZTaking>;

export const ZSubmitted = z.object({ submitted: z.literal(true) }).meta({ id: 'SurveySubmitted' });
