// Surveys (docs/surveys.md): the admin's list and actions, and taking a survey by its link.
import { api, request } from './client';
import type { Page } from './types';

const V1 = '/api/v1';
const enc = encodeURIComponent;

export type SurveyKind = 'engagement' | 'pulse' | 'enps' | 'nps' | 'csat' | 'partner' | 'internal';
export type Privacy = 'anonymous' | 'confidential' | 'identified';
export type QuestionType = 'agreement' | 'likelihood' | 'csat' | 'single_choice' | 'multiple_choice' | 'text';
export type AnswerValue = number | string | string[] | null;

export const KIND_LABELS: Record<SurveyKind, string> = { engagement: 'Engagement', pulse: 'Pulse', enps: 'eNPS', nps: 'NPS', csat: 'CSAT', partner: 'Partner', internal: 'Internal' };
export const PRIVACY_LABELS: Record<Privacy, string> = { anonymous: 'Anonymous', confidential: 'Confidential', identified: 'Identified' };
/** What each privacy mode means, for the person choosing it (docs/surveys.md has the detail). */
export const PRIVACY_EXPLAINED: Record<Privacy, string> = {
  anonymous: 'Nothing links an answer to the person who gave it, not even in the database. Results show only groups big enough (5 people unless changed) that nobody stands out. Best for engagement surveys.',
  confidential: 'Tandem keeps who answered, to follow trends per person, but never shows it: results show only groups big enough (5 people unless changed) that nobody stands out.',
  identified: 'Answers are shown with the person’s name. Usual for customer NPS and CSAT, where you follow up with each one.',
};
export const QUESTION_TYPE_LABELS: Record<QuestionType, string> = { agreement: 'Agreement (1–5)', likelihood: 'Likelihood (0–10, NPS)', csat: 'Satisfaction (1–5, CSAT)', single_choice: 'One choice', multiple_choice: 'Several choices', text: 'Free text' };
export const DRIVER_LABELS: Record<string, string> = { competence: 'Competence', autonomy: 'Autonomy', social_value: 'Social value (belonging)', management: 'Management', recognition: 'Recognition', growth: 'Growth', engagement: 'Engagement (outcome)' };

export interface Question {
  id: string;
  type: QuestionType;
  text: string;
  help: string | null;
  required: boolean;
  options: { value: string; label: string }[] | null;
  showIf: { question: string; in: (number | string)[] } | null;
  driver: string | null;
  scale: { min: number; max: number } | null;
}
export interface Survey {
  id: string;
  title: string;
  description: string;
  kind: SurveyKind;
  privacy: Privacy;
  status: 'draft' | 'open' | 'closed';
  locale: string;
  audience: Record<string, unknown>;
  template: string | null;
  opensAt: string | null;
  closesAt: string | null;
  openedAt: string | null;
  closedAt: string | null;
  invited: number;
  responses: number;
  responseRate: number | null;
  questions: Question[];
  createdAt: string;
  updatedAt: string;
  /** days after opening of the automatic reminders (distribution) */
  reminderDays?: number[];
  nextReminderAt?: string | null;
  publicLink?: boolean;
  publicUrl?: string | null;
}
export interface SurveyTemplate {
  id: string;
  title: string;
  description: string;
  kind: SurveyKind;
  privacy: Privacy;
  questions: Question[];
}
export interface Taking {
  survey: { title: string; description: string; kind: SurveyKind; privacy: Privacy; locale: string; closesAt: string | null; workspaceName: string };
  questions: Question[];
  answers: Record<string, AnswerValue>;
  progress: { answered: number; total: number };
  savedAt: string | null;
}

export const surveysApi = {
  list: (query: { status?: string; cursor?: string } = {}) => api.get<Page<Survey>>(`${V1}/surveys`, { limit: 100, ...query }),
  get: (id: string) => api.get<Survey>(`${V1}/surveys/${enc(id)}`),
  templates: () => api.get<{ data: SurveyTemplate[] }>(`${V1}/survey-templates`),
  create: (body: Record<string, unknown>) => api.post<Survey>(`${V1}/surveys`, body),
  update: (id: string, body: Record<string, unknown>) => api.patch<Survey>(`${V1}/surveys/${enc(id)}`, body),
  replaceQuestions: (id: string, questions: Record<string, unknown>[]) => request<Survey>('PUT', `${V1}/surveys/${enc(id)}/questions`, { json: { questions } }),
  open: (id: string) => api.post<Survey>(`${V1}/surveys/${enc(id)}/open`),
  close: (id: string) => api.post<Survey>(`${V1}/surveys/${enc(id)}/close`),
  audienceSize: (id: string) => api.get<{ people: number }>(`${V1}/surveys/${enc(id)}/audience`),
  remind: (id: string) => api.post<{ reminded: number }>(`${V1}/surveys/${enc(id)}/remind`),
};

/** A survey sent after events (src/modules/surveys/reports.schema.ts: ZSurveyTrigger). */
export type PersonRef = 'person' | { property: string };
export interface SurveyTrigger { id: string; surveyId: string; on: string; if: unknown; sendTo: PersonRef; handledBy: PersonRef | null; delayMinutes: number; oncePerDays: number; sent: number; createdAt: string }
export interface NewSurveyTrigger { on: string; sendTo: PersonRef; handledBy: PersonRef | null; delayMinutes: number; oncePerDays: number; if?: unknown }

export const triggersApi = {
  list: (surveyId: string) => api.get<{ data: SurveyTrigger[] }>(`${V1}/surveys/${enc(surveyId)}/triggers`).then((r) => r.data),
  create: (surveyId: string, body: NewSurveyTrigger) => api.post<SurveyTrigger>(`${V1}/surveys/${enc(surveyId)}/triggers`, body),
  remove: (surveyId: string, id: string) => api.del<void>(`${V1}/surveys/${enc(surveyId)}/triggers/${enc(id)}`),
};

/** The customer engagement score (docs/scoring.md; reports.schema.ts: ZCustomerEngagement). */
export type EngagementComponent = 'sentiment' | 'recency' | 'frequency' | 'participation';
export interface CustomerEngagement {
  score: number | null;
  components: Record<EngagementComponent, number | null>;
  weights: Record<EngagementComponent, number>;
  classification: 'engaged' | 'not_engaged' | 'actively_disengaged' | null;
  inputs: { nps: number | null; csat: number | null; surveyAnswers: number; lastEventAt: string | null; eventsLast90Days: number; programs: number };
  computedAt: string;
}
export const engagementApi = {
  ofAccount: (id: string) => api.get<CustomerEngagement>(`${V1}/accounts/${enc(id)}/engagement`),
  ofPerson: (id: string) => api.get<CustomerEngagement>(`${V1}/people/${enc(id)}/engagement`),
};

export const takingApi = {
  get: (token: string) => api.get<Taking>(`${V1}/survey-responses/${enc(token)}`),
  save: (token: string, answers: Record<string, AnswerValue>) => request<Taking>('PUT', `${V1}/survey-responses/${enc(token)}`, { json: { answers } }),
  submit: (token: string, answers: Record<string, AnswerValue>) => api.post<{ submitted: true }>(`${V1}/survey-responses/${enc(token)}/submit`, { answers }),
  /** A public link's start: a fresh single-use token for the routes above. */
  start: (linkToken: string) => api.post<{ token: string; url: string }>(`${V1}/survey-links/${enc(linkToken)}/start`),
};

/** The display rule the server applies: shown when the earlier answer is one of `in`. */
export function visibleQuestions(questions: Question[], answers: Record<string, AnswerValue>) {
  const shown: Record<string, AnswerValue> = {};
  const out: Question[] = [];
  for (const q of questions) {
    if (q.showIf) {
      const a = shown[q.showIf.question];
      if (a === undefined || a === null) continue;
      const list = Array.isArray(a) ? a : [a];
      if (!list.some((v) => q.showIf!.in.includes(v))) continue;
    }
    out.push(q);
    const v = answers[q.id];
    if (v !== undefined && v !== null && !(Array.isArray(v) && !v.length) && v !== '') shown[q.id] = v;
  }
  return out;
}

export const isAnswered = (v: AnswerValue | undefined) => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && !v.length) && !(typeof v === 'string' && !v.trim());

// The report (src/modules/surveys/reports.schema.ts: ZSurveyReport) and the workspace's survey settings.
export type Suppression = 'below_threshold' | 'differencing' | 'comments_threshold';
export type Breakdown = 'team' | 'tenure_band' | 'person_kind' | 'account_tier';
export interface Score { score: number; low: number; high: number; responses: number }
export interface Nps extends Score { promoters: number; passives: number; detractors: number; question: string }
export interface EngagementSplit { index: number; engaged: number; notEngaged: number; activelyDisengaged: number; responses: number }
export interface DriverScore { driver: string; items: number; mean: number; favourable: number; responses: number; correlation: number | null; varianceExplained: number | null; rank: number | null }
export interface QuestionResult { id: string; text: string; type: string; driver: string | null; responses: number; mean: number | null; favourable: number | null; distribution: { value: number | string; label: string; count: number }[] }
export interface BreakdownCell { value: string | null; label: string; suppressed: Suppression | null; responses: number | null; nps: Nps | null; csat: Score | null; engagement: EngagementSplit | null; drivers: { driver: string; mean: number; favourable: number }[] }
export interface Wave { surveyId: string; title: string; openedAt: string | null; closedAt: string | null; responses: number | null; suppressed: Suppression | null; engagement: EngagementSplit | null; nps: Nps | null }
export interface ReportFilter { team?: string; tenureBand?: string; personKind?: string; accountTier?: string }
export interface SurveyReport {
  surveyId: string;
  title: string;
  kind: string;
  privacy: Privacy;
  status: 'draft' | 'open' | 'closed';
  threshold: { k: number; comments: number };
  filter: ReportFilter;
  invited: number;
  responses: number | null;
  released: number | null;
  suppressed: Suppression | null;
  responseRate: number | null;
  responsesOverTime: { date: string; responses: number; cumulative: number; rate: number | null }[];
  nps: Nps | null;
  csat: Score | null;
  engagement: EngagementSplit | null;
  engagementThresholds: { engaged: number; activelyDisengaged: number };
  drivers: DriverScore[];
  questions: QuestionResult[];
  breakdown: { dimension: Breakdown; cells: BreakdownCell[] } | null;
  comments: { suppressed: Suppression | null; count: number | null; items: { question: string; text: string; person: { id: string; name: string } | null }[] };
  waves: Wave[];
}
export interface SurveySettings {
  k: number;
  commentK: number;
  engagedAtOrAbove: number;
  activelyDisengagedBelow: number;
  customerScore: { weights: { sentiment: number; recency: number; frequency: number; participation: number }; recencyHalfLifeDays: number; frequencyTargetPer90Days: number };
}

export const reportsApi = {
  report: (id: string, query: ReportFilter & { breakdown?: Breakdown }) => api.get<SurveyReport>(`${V1}/surveys/${enc(id)}/report`, { ...query }),
  settings: () => api.get<SurveySettings>(`${V1}/survey-settings`),
  saveSettings: (body: SurveySettings) => request<SurveySettings>('PUT', `${V1}/survey-settings`, { json: body }),
};
