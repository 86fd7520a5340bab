import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import type { AuthContext } from '../../core/auth.js';
import { notFound } from '../../core/errors.js';
import type { PeopleService } from '../people/index.js';
import type { EventsService } from '../events/index.js';
import type { ProgramsService } from '../programs/index.js';
import { DEFAULT_SURVEY_SETTINGS, type SurveysService, type TSurveySettings } from '../surveys/index.js';

const DAY = 24 * 3600 * 1000;
type CustomerScoreSettings = TSurveySettings['customerScore'];
type Component = 'sentiment' | 'recency' | 'frequency' | 'participation';

/** The defaults until a workspace sets its own (docs/scoring.md). */
export const DEFAULT_CUSTOMER_SCORE: CustomerScoreSettings = DEFAULT_SURVEY_SETTINGS.customerScore;
/** Classification thresholds on the 0–100 score (the survey engagement index uses the same). */
export const ENGAGED_AT = 75;
export const ACTIVELY_DISENGAGED_BELOW = 40;

export interface EngagementDeps {
  clock: Clock;
  people: Pick<PeopleService, 'eventContext' | 'visiblePeople' | 'accountContactIds'>;
  events: Pick<EventsService, 'activity'>;
  programs: Pick<ProgramsService, 'participation'>;
  surveys: Pick<SurveysService, 'scaleAnswersOf'>;
  /**
   * The workspace's customer score settings: the survey settings' `customerScore`
   * (`GET|PUT /api/v1/survey-settings`); the defaults without it.
   */
  settings?: (ws: string) => Promise<CustomerScoreSettings>;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** The score from its components: the weighted mean of those that exist, weights renormalised. */
export function combine(components: Record<Component, number | null>, weights: Record<Component, number>): number | null {
  let sum = 0;
  let w = 0;
  for (const k of Object.keys(components) as Component[]) {
    const v = components[k];
    if (v == null || !weights[k]) continue;
    sum += v * weights[k];
    w += weights[k];
  }
  return w ? sum / w : null;
}

export const classify = (score: number | null): 'engaged' | 'not_engaged' | 'actively_disengaged' | null =>
  score == null ? null : score >= ENGAGED_AT ? 'engaged' : score < ACTIVELY_DISENGAGED_BELOW ? 'actively_disengaged' : 'not_engaged';

/**
 * The customer engagement score per contact and per account: sentiment (NPS and CSAT answers
 * to identified surveys, 365 days), recency (half-life decay since the last event), frequency
 * (events in 90 days against a target) and participation (programs that paid them in 90 days,
 * of those whose audience holds them). docs/scoring.md states the formula.
 */
export function createEngagementService(deps: EngagementDeps) {
  const settingsOf = deps.settings ?? (async () => DEFAULT_CUSTOMER_SCORE);

  /** A manager sees an account whose account team has them or someone in the teams they manage. */
  async function mayRead(ctx: AuthContext, assignments: { accountId: string; personId: string }[], accountId: string | null) {
    ctx.require('engagement.read');
    if (ctx.role !== 'manager') return true;
    if (!accountId) return false;
    const visible = await deps.people.visiblePeople(ctx);
    return assignments.some((a) => a.accountId === accountId && (a.personId === ctx.personId || !!visible?.people.has(a.personId)));
  }

  async function compute(ws: string, personIds: string[], activityOf: { personIds: string[] } | { accountId: string }) {
    const s = await settingsOf(ws);
    const now = deps.clock.now();
    const answers = await deps.surveys.scaleAnswersOf(ws, personIds, now - 365 * DAY);
    const scaled = [...answers.likelihood.map((x) => x * 10), ...answers.csat.map((x) => ((x - 1) / 4) * 100)];
    const activity = await deps.events.activity(ws, activityOf, now - 90 * DAY);
    const part = await deps.programs.participation(ws, personIds, now - 90 * DAY);
    const components: Record<Component, number | null> = {
      sentiment: mean(scaled),
      recency: activity.lastAt == null ? null : 100 * 0.5 ** (Math.max(0, now - activity.lastAt) / DAY / s.recencyHalfLifeDays),
      frequency: activity.lastAt == null ? null : Math.min(100, (activity.recent / s.frequencyTargetPer90Days) * 100),
      participation: part.programs ? (part.earned / part.programs) * 100 : null,
    };
    const score = combine(components, s.weights);
    const nps = answers.likelihood.length ? ((answers.likelihood.filter((x) => x >= 9).length - answers.likelihood.filter((x) => x <= 6).length) / answers.likelihood.length) * 100 : null;
    const csat = answers.csat.length ? (answers.csat.filter((x) => x >= 4).length / answers.csat.length) * 100 : null;
    return {
      score: score == null ? null : round1(score),
      components: { sentiment: components.sentiment == null ? null : round1(components.sentiment), recency: components.recency == null ? null : round1(components.recency), frequency: components.frequency == null ? null : round1(components.frequency), participation: components.participation == null ? null : round1(components.participation) },
      weights: s.weights,
      classification: classify(score == null ? null : round1(score)),
      inputs: { nps: nps == null ? null : round1(nps), csat: csat == null ? null : round1(csat), surveyAnswers: scaled.length, lastEventAt: toIso(activity.lastAt), eventsLast90Days: activity.recent, programs: part.programs },
      computedAt: toIso(now)!,
    };
  }

  return {
    /** A contact's (or any person's) score. 404 unknown, erased, or a manager's account they do not serve. */
    async ofPerson(ctx: AuthContext, personId: string) {
      ctx.require('engagement.read');
      const ws = ctx.workspaceId;
      const pc = await deps.people.eventContext(undefined, ws, { personIds: [personId], personExternalIds: [], accountIds: [], accountExternalIds: [] });
      const p = pc.people.find((x) => x.id === personId);
      if (!p || p.erased || !(await mayRead(ctx, pc.assignments, p.accountId))) throw notFound('Person');
      return compute(ws, [personId], { personIds: [personId] });
    },

    /** An account's score over its active contacts, and the events recorded for the account. */
    async ofAccount(ctx: AuthContext, accountId: string) {
      ctx.require('engagement.read');
      const ws = ctx.workspaceId;
      const pc = await deps.people.eventContext(undefined, ws, { personIds: [], personExternalIds: [], accountIds: [accountId], accountExternalIds: [] });
      if (!pc.accounts.some((a) => a.id === accountId) || !(await mayRead(ctx, pc.assignments, accountId))) throw notFound('Account');
      return compute(ws, await deps.people.accountContactIds(ws, accountId), { accountId });
    },
  };
}
export type EngagementService = ReturnType<typeof createEngagementService>;
