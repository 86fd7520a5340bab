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
  open: (id: string) => api.post<Survey>(`${V1}/surveys/${enc(id)}/open`),
  close: (id: string) => api.post<Survey>(`${V1}/surveys/${enc(id)}/close`),
  remind: (id: string) => api.post<{ reminded: number }>(`${V1}/surveys/${enc(id)}/remind`),
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
