// A program's communication plan and cadence (docs/api.md, "Communication plans and cadence").
import { api } from './client';
import type { Page } from './types';

const V1 = '/api/v1';
const enc = encodeURIComponent;

export type PlanKind = 'launch' | 'progress' | 'ending_reminder' | 'custom';
export const PLAN_KIND_LABELS: Record<PlanKind, string> = {
  launch: 'Launch announcement',
  progress: 'Progress statement',
  ending_reminder: 'Reminder before the end',
  custom: 'Custom announcement',
};
export const PLAN_KIND_HINTS: Record<PlanKind, string> = {
  launch: 'Tells the audience the program has started: when it goes live, or at a time you choose.',
  progress: 'Each participant’s balance, points from this program and goal attainment, on a schedule.',
  ending_reminder: 'A reminder a set number of days before the program ends, with what is left to earn.',
  custom: 'Your own subject and text, once or on a schedule.',
};

export interface PlanRun {
  at: string;
  local: string;
}
export interface PlanEntry {
  id: string;
  programId: string;
  kind: PlanKind;
  messageType: string;
  name: string;
  cron: string | null;
  sendAt: string | null;
  daysBeforeEnd: number | null;
  subject: string | null;
  text: string | null;
  enabled: boolean;
  timing: string;
  nextRuns: PlanRun[];
  waiting: string | null;
  lastRunAt: string | null;
  lastRecipients: number | null;
  createdAt: string;
  updatedAt: string;
}
export interface PlanEntryBody {
  kind?: PlanKind;
  name?: string;
  cron?: string | null;
  sendAt?: string | null;
  daysBeforeEnd?: number | null;
  subject?: string | null;
  text?: string | null;
  enabled?: boolean;
}
export interface Cadence {
  programId: string;
  windowDays: number;
  target: number;
  since: string;
  audienceSize: number;
  reached: number;
  notReachedCount: number;
  share: number | null;
  belowTarget: boolean;
  alertPersonIds: string[];
  belowSince: string | null;
  lastAlertAt: string | null;
  notReached: Page<{ id: string; name: string | null; lastMessageAt: string | null }>;
}

export const plansApi = {
  list: (programId: string) => api.get<{ timezone: string; data: PlanEntry[] }>(`${V1}/programs/${enc(programId)}/communications`),
  create: (programId: string, body: PlanEntryBody) => api.post<PlanEntry>(`${V1}/programs/${enc(programId)}/communications`, body),
  update: (programId: string, id: string, body: PlanEntryBody) => api.patch<PlanEntry>(`${V1}/programs/${enc(programId)}/communications/${enc(id)}`, body),
  remove: (programId: string, id: string) => api.del<void>(`${V1}/programs/${enc(programId)}/communications/${enc(id)}`),
  send: (programId: string, id: string) => api.post<{ runId: string; entryId: string; recipients: number }>(`${V1}/programs/${enc(programId)}/communications/${enc(id)}/send`),
  nextRuns: (programId: string, cron: string) => api.get<{ cron: string; timezone: string; runs: PlanRun[] }>(`${V1}/programs/${enc(programId)}/communications/next-runs`, { cron, count: 3 }),
  cadence: (programId: string, q: { limit?: number; cursor?: string }) => api.get<Cadence>(`${V1}/programs/${enc(programId)}/cadence`, { ...q }),
  updateCadence: (programId: string, body: { windowDays?: number; target?: number; alertPersonIds?: string[] }) => api.patch<Cadence>(`${V1}/programs/${enc(programId)}/cadence`, body),
};
