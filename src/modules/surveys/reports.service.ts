import type { AnyDb } from '../../core/db/db.js';
import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import type { AuthContext } from '../../core/auth.js';
import { AppError, notFound } from '../../core/errors.js';
import type { AuditService } from '../audit/index.js';
import type { PeopleService } from '../people/index.js';
import { anonymity, inGroup, type Anonymity, type Dimension, type Group } from './anonymity.js';
import { createReportsRepository, type CubeRow, type ValueCount } from './reports.repository.js';
import type { TReportQuery, TSurveyReport, TSurveySettings } from './reports.schema.js';
import { NEED_DRIVERS, npsScore, pearson, round, wilsonScore, type PairSums } from './scores.js';
import { checkSurveySettings, saveSurveySettings, surveySettings } from './settings.js';
import { createSurveysRepository } from './surveys.repository.js';
import { toQuestion } from './surveys.questions.js';
import type { TQuestion } from './surveys.schema.js';
import type { SurveysTable } from './surveys.tables.js';

export interface ReportsDeps {
  db: AnyDb;
  clock: Clock;
  audit: AuditService;
  people: Pick<PeopleService, 'managerTeams' | 'teamNames' | 'namesOf'>;
}

type Report = TSurveyReport;
type Split = NonNullable<Report['engagement']>;
type Nps = NonNullable<Report['nps']>;
type Score = NonNullable<Report['csat']>;

/** The report query's filter fields and the response columns they compare. */
const FILTERS = [
  ['team', 'team_id'],
  ['tenureBand', 'tenure_band'],
  ['personKind', 'person_kind'],
  ['accountTier', 'account_tier'],
] as const satisfies readonly (readonly [keyof TReportQuery, Dimension])[];
const BREAKDOWN_COLUMN: Record<NonNullable<TReportQuery['breakdown']>, Dimension> = { team: 'team_id', tenure_band: 'tenure_band', person_kind: 'person_kind', account_tier: 'account_tier' };
const TENURE_LABELS: Record<string, string> = { under_1y: 'Under 1 year', '1_2y': '1–2 years', '2_5y': '2–5 years', '5y_plus': '5 years or more' };
const SCALE_LABELS: Record<string, string[]> = {
  agreement: ['Strongly disagree', 'Disagree', 'Neither agree nor disagree', 'Agree', 'Strongly agree'],
  csat: ['Very dissatisfied', 'Dissatisfied', 'Neutral', 'Satisfied', 'Very satisfied'],
  likelihood: ['0 – Not at all likely', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10 – Extremely likely'],
};
const SCALE_MIN: Record<string, number> = { agreement: 1, csat: 1, likelihood: 0 };
const COMMENTS_LIMIT = 500;
const WAVES = 12;

/** Is an answer favourable: 4–5 on agreement and CSAT, 9–10 on likelihood. */
const favourable = (type: string, v: number) => (type === 'likelihood' ? v >= 9 : v >= 4);

/** Scale answers per question: value → count. */
function byQuestion(rows: readonly ValueCount[]) {
  const out = new Map<string, Map<number | string | null, number>>();
  for (const r of rows) {
    const m = out.get(r.question_id) ?? new Map<number | string | null, number>();
    const v = r.value_num ?? r.value_text;
    m.set(v, (m.get(v) ?? 0) + r.n);
    out.set(r.question_id, m);
  }
  return out;
}

function npsOf(q: TQuestion | undefined, counts: Map<number | string | null, number> | undefined): Nps | null {
  if (!q || !counts) return null;
  let promoters = 0;
  let passives = 0;
  let detractors = 0;
  for (const [v, n] of counts) {
    if (typeof v !== 'number') continue;
    if (v >= 9) promoters += n;
    else if (v >= 7) passives += n;
    else detractors += n;
  }
  const s = npsScore(promoters, passives, detractors);
  return s ? { ...s, question: q.id } : null;
}

function csatOf(q: TQuestion | undefined, counts: Map<number | string | null, number> | undefined): Score | null {
  if (!q || !counts) return null;
  let hits = 0;
  let n = 0;
  for (const [v, c] of counts) {
    if (typeof v !== 'number') continue;
    n += c;
    if (v >= 4) hits += c;
  }
  return wilsonScore(hits, n);
}

/** Mean and % favourable of a driver's agreement items. */
function driverFigures(questions: readonly TQuestion[], dist: Map<string, Map<number | string | null, number>>, driver: string) {
  const items = questions.filter((q) => q.type === 'agreement' && q.driver === driver);
  let sum = 0;
  let n = 0;
  let fav = 0;
  for (const q of items) {
    for (const [v, c] of dist.get(q.id) ?? []) {
      if (typeof v !== 'number') continue;
      sum += v * c;
      n += c;
      if (v >= 4) fav += c;
    }
  }
  return { items: items.length, answers: n, mean: n ? round(sum / n, 3) : null, favourable: n ? round((100 * fav) / n) : null };
}

/** The sums of the finest cells in a group. */
function sumCells(cells: readonly CubeRow[], g: Group) {
  const out = { n: 0, en: 0, es: 0, engaged: 0, disengaged: 0, drivers: Object.fromEntries(NEED_DRIVERS.map((d) => [d, { respondents: 0, n: 0, sx: 0, sy: 0, sxx: 0, syy: 0, sxy: 0 }])) as CubeRow['drivers'] };
  for (const c of cells) {
    if (!inGroup(c, g)) continue;
    out.n += c.n;
    out.en += c.en;
    out.es += c.es;
    out.engaged += c.engaged;
    out.disengaged += c.disengaged;
    for (const d of NEED_DRIVERS) {
      const a = out.drivers[d];
      const b = c.drivers[d];
      a.respondents += b.respondents;
      for (const f of ['n', 'sx', 'sy', 'sxx', 'syy', 'sxy'] as (keyof PairSums)[]) a[f] += b[f];
    }
  }
  return out;
}
type Sums = ReturnType<typeof sumCells>;

const splitOf = (s: Sums): Split | null =>
  s.en ? { index: round(s.es / s.en), engaged: round(s.engaged / s.en, 4), notEngaged: round((s.en - s.engaged - s.disengaged) / s.en, 4), activelyDisengaged: round(s.disengaged / s.en, 4), responses: s.en } : null;

/** Report and settings routes' service: the survey report under the anonymity rules, and the workspace settings. */
export function createReportsService(deps: ReportsDeps) {
  const repo = createReportsRepository(deps.db);
  const surveys = createSurveysRepository(deps.db);

  /** The filter a caller may use: a manager is held to the teams they manage (403 for another). */
  async function scopedFilter(ctx: AuthContext, q: TReportQuery): Promise<Group> {
    const g: Group = {};
    for (const [field, col] of FILTERS) if (q[field] !== undefined) g[col] = q[field];
    const teams = await deps.people.managerTeams(ctx);
    if (teams) {
      if (g.team_id !== undefined && !teams.all.has(g.team_id!)) throw new AppError('forbidden', { detail: 'A manager sees the results of the teams they manage only', errors: [{ path: 'team', message: 'not a team you manage' }] });
      if (g.team_id === undefined) {
        if (!teams.own.length) throw new AppError('forbidden', { detail: 'A manager sees the results of the teams they manage; you manage none' });
        g.team_id = teams.own[0]!;
      }
    }
    return g;
  }

  /** A survey's finest cells and the anonymity rules over them (none for identified surveys). */
  async function cellsOf(s: SurveysTable, settings: TSurveySettings) {
    const holdBack = s.privacy === 'anonymous' && s.status === 'open';
    const cells = await repo.cube(s.workspace_id, s.id, settings, holdBack);
    const anon: Anonymity | null = s.privacy === 'identified' ? null : anonymity(cells, settings.k);
    return { holdBack, cells, anon };
  }

  function driverScores(questions: readonly TQuestion[], dist: Map<string, Map<number | string | null, number>>, sums: Sums, k: number): Report['drivers'] {
    const out: Report['drivers'] = [];
    for (const d of NEED_DRIVERS) {
      const f = driverFigures(questions, dist, d);
      if (!f.items || f.mean === null) continue;
      const pair = sums.drivers[d];
      const r = pair.n >= k ? pearson(pair) : null;
      out.push({ driver: d, items: f.items, mean: f.mean, favourable: f.favourable!, responses: pair.respondents, correlation: r === null ? null : round(r, 4), varianceExplained: r === null ? null : round(r * r, 4), rank: null });
    }
    const ranked = out.filter((x) => x.correlation !== null).sort((a, b) => b.correlation! - a.correlation! || a.driver.localeCompare(b.driver));
    ranked.forEach((x, i) => (x.rank = i + 1));
    return [...ranked, ...out.filter((x) => x.correlation === null)];
  }

  function questionResults(questions: readonly TQuestion[], dist: Map<string, Map<number | string | null, number>>, respondents: Map<string, number>): Report['questions'] {
    return questions.map((q) => {
      const counts = dist.get(q.id) ?? new Map<number | string | null, number>();
      const labels = SCALE_LABELS[q.type];
      if (labels) {
        let n = 0;
        let sum = 0;
        let fav = 0;
        const distribution = labels.map((label, i) => {
          const value = SCALE_MIN[q.type]! + i;
          const count = counts.get(value) ?? 0;
          n += count;
          sum += value * count;
          if (favourable(q.type, value)) fav += count;
          return { value, label, count };
        });
        return { id: q.id, text: q.text, type: q.type, driver: q.driver, responses: n, mean: n ? round(sum / n, 3) : null, favourable: n ? round((100 * fav) / n) : null, distribution };
      }
      if (q.type === 'text') return { id: q.id, text: q.text, type: q.type, driver: null, responses: counts.get(null) ?? 0, mean: null, favourable: null, distribution: [] };
      const distribution = (q.options ?? []).map((o) => ({ value: o.value, label: o.label, count: counts.get(o.value) ?? 0 }));
      const responses = q.type === 'multiple_choice' ? (respondents.get(q.id) ?? 0) : distribution.reduce((a, b) => a + b.count, 0);
      return { id: q.id, text: q.text, type: q.type, driver: null, responses, mean: null, favourable: null, distribution };
    });
  }

  async function cellLabels(dim: Dimension, ws: string, values: (string | null)[]) {
    const teams = dim === 'team_id' ? await deps.people.teamNames(ws, values.filter((v): v is string => v !== null)) : new Map<string, string>();
    return (v: string | null) => {
      if (v === null) return 'Not recorded';
      if (dim === 'team_id') return teams.get(v) ?? v;
      if (dim === 'tenure_band') return TENURE_LABELS[v] ?? v;
      if (dim === 'person_kind') return v.charAt(0).toUpperCase() + v.slice(1);
      return v;
    };
  }

  async function breakdown(s: SurveysTable, questions: readonly TQuestion[], g: Group, dim: Dimension, c: Awaited<ReturnType<typeof cellsOf>>): Promise<NonNullable<Report['breakdown']>['cells']> {
    const values = [...new Set(c.cells.filter((x) => inGroup(x, g)).map((x) => x.values[dim]))].sort((a, b) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)));
    const label = await cellLabels(dim, s.workspace_id, values);
    const npsQ = questions.find((q) => q.type === 'likelihood');
    const csatQ = questions.find((q) => q.type === 'csat');
    const driverQs = questions.filter((q) => q.type === 'agreement' && q.driver && q.driver !== 'engagement');
    const cells = values.map((v): { v: string | null; group: Group } => ({ v, group: { ...g, [dim]: v } }));
    const shown = cells.filter((x) => !c.anon?.suppression(x.group));
    const rows = shown.length ? await repo.breakdownDistribution(s.workspace_id, s.id, dim, g, c.holdBack, [npsQ, csatQ, ...driverQs].filter((q): q is TQuestion => !!q).map((q) => q.id)) : [];
    return cells.map(({ v, group }) => {
      const suppressed = c.anon?.suppression(group) ?? null;
      if (suppressed) return { value: v, label: label(v), suppressed, responses: null, nps: null, csat: null, engagement: null, drivers: [] };
      const dist = byQuestion(rows.filter((r) => r.cell === v));
      const sums = sumCells(c.cells, group);
      const drivers = NEED_DRIVERS.map((d) => ({ driver: d, ...driverFigures(questions, dist, d) }))
        .filter((d) => d.mean !== null && d.items)
        .map((d) => ({ driver: d.driver, mean: d.mean!, favourable: d.favourable! }));
      return { value: v, label: label(v), suppressed: null, responses: sums.n, nps: npsOf(npsQ, npsQ && dist.get(npsQ.id)), csat: csatOf(csatQ, csatQ && dist.get(csatQ.id)), engagement: splitOf(sums), drivers };
    });
  }

  async function waves(s: SurveysTable, g: Group, settings: TSurveySettings, current: Report['waves'][number]): Promise<Report['waves']> {
    const earlier = await repo.waves(s.workspace_id, s, WAVES - 1);
    const qs = await surveys.questions(s.workspace_id, earlier.map((w) => w.id));
    const out: Report['waves'] = [];
    for (const w of earlier) {
      const c = await cellsOf(w, settings);
      const suppressed = c.anon?.suppression(g) ?? null;
      const base = { surveyId: w.id, title: w.title, openedAt: toIso(w.opened_at), closedAt: toIso(w.closed_at) };
      if (suppressed) {
        out.push({ ...base, responses: null, suppressed, engagement: null, nps: null });
        continue;
      }
      const sums = sumCells(c.cells, g);
      const npsQ = qs.filter((q) => q.survey_id === w.id).map(toQuestion).find((q) => q.type === 'likelihood');
      const dist = npsQ ? byQuestion(await repo.distribution(w.workspace_id, w.id, g, c.holdBack, [npsQ.id])) : new Map();
      out.push({ ...base, responses: sums.n, suppressed: null, engagement: splitOf(sums), nps: npsOf(npsQ, npsQ && dist.get(npsQ.id)) });
    }
    return [...out, current];
  }

  return {
    async settings(ctx: AuthContext) {
      ctx.require('surveys.read');
      return surveySettings(deps.db, ctx.workspaceId);
    },

    async saveSettings(ctx: AuthContext, input: TSurveySettings) {
      ctx.require('surveys.manage');
      checkSurveySettings(input);
      await deps.db.transaction().execute(async (tx) => {
        await saveSurveySettings(tx, ctx.workspaceId, input, deps.clock.now());
        await deps.audit.record(tx, ctx, { action: 'survey_settings.updated', targetType: 'workspace', targetId: ctx.workspaceId, after: input });
      });
      return surveySettings(deps.db, ctx.workspaceId);
    },

    /**
     * The report of a survey for a filter (at most one value per attribute) and an optional
     * breakdown. Anonymous and confidential surveys show no group below k, directly or by
     * difference (anonymity.ts); identified surveys show everything, comments with their person.
     */
    async report(ctx: AuthContext, id: string, q: TReportQuery): Promise<Report> {
      ctx.require('surveys.read');
      const ws = ctx.workspaceId;
      const s = await surveys.survey(ws, id);
      if (!s) throw notFound('Survey');
      const g = await scopedFilter(ctx, q);
      const settings = await surveySettings(deps.db, ws);
      const questions = (await surveys.questions(ws, [id])).map(toQuestion);
      const c = await cellsOf(s, settings);
      const suppressed = c.anon?.suppression(g) ?? null;
      const sums = sumCells(c.cells, g);
      const invited = Number(s.invited_count);
      const total = Number(s.response_count);
      const perDay = await repo.perDay(ws, id);
      let cumulative = 0;
      const responsesOverTime = perDay.map((d) => {
        cumulative += d.n;
        return { date: new Date(d.day * 86400000).toISOString().slice(0, 10), responses: d.n, cumulative, rate: invited ? round(cumulative / invited, 4) : null };
      });
      const filter = Object.fromEntries(FILTERS.filter(([, col]) => g[col] !== undefined).map(([field, col]) => [field, g[col]])) as Report['filter'];
      const npsQ = questions.find((x) => x.type === 'likelihood');
      const csatQ = questions.find((x) => x.type === 'csat');

      let dist = new Map<string, Map<number | string | null, number>>();
      let respondents = new Map<string, number>();
      if (!suppressed) {
        dist = byQuestion(await repo.distribution(ws, id, g, c.holdBack));
        const multi = questions.filter((x) => x.type === 'multiple_choice').map((x) => x.id);
        respondents = await repo.respondentsPerQuestion(ws, id, g, c.holdBack, multi);
      }
      const split = suppressed ? null : splitOf(sums);
      const nps = suppressed ? null : npsOf(npsQ, npsQ && dist.get(npsQ.id));

      // Comments: only for a group that reaches the comment threshold (any group when identified).
      const commentCount = questions.filter((x) => x.type === 'text').reduce((a, x) => a + (dist.get(x.id)?.get(null) ?? 0), 0);
      const commentsBlocked = suppressed ?? (c.anon && sums.n < settings.commentK ? 'comments_threshold' : null);
      let items: Report['comments']['items'] = [];
      if (!commentsBlocked && commentCount) {
        const rows = await repo.comments(ws, id, g, c.holdBack, COMMENTS_LIMIT);
        const names = s.privacy === 'identified' ? await deps.people.namesOf(ws, [...new Set(rows.map((r) => r.person_id).filter((p): p is string => !!p))]) : new Map<string, string | null>();
        items = rows.map((r) => ({ question: r.question_id, text: r.comment, person: s.privacy === 'identified' && r.person_id ? { id: r.person_id, name: names.get(r.person_id) ?? '(erased)' } : null }));
      }

      const current = { surveyId: s.id, title: s.title, openedAt: toIso(s.opened_at), closedAt: toIso(s.closed_at), responses: suppressed ? null : sums.n, suppressed, engagement: split, nps };
      return {
        surveyId: s.id,
        title: s.title,
        kind: s.kind,
        privacy: s.privacy,
        status: s.status,
        threshold: { k: settings.k, comments: settings.commentK },
        filter,
        invited,
        responses: suppressed ? null : sums.n,
        released: c.holdBack ? await repo.releasedCount(ws, id) : null,
        suppressed,
        responseRate: invited ? round(total / invited, 4) : null,
        responsesOverTime,
        nps,
        csat: suppressed ? null : csatOf(csatQ, csatQ && dist.get(csatQ.id)),
        engagement: split,
        engagementThresholds: { engaged: settings.engagedAtOrAbove, activelyDisengaged: settings.activelyDisengagedBelow },
        drivers: suppressed ? [] : driverScores(questions, dist, sums, settings.k),
        questions: suppressed ? [] : questionResults(questions, dist, respondents),
        breakdown: q.breakdown ? { dimension: q.breakdown, cells: await breakdown(s, questions, g, BREAKDOWN_COLUMN[q.breakdown], c) } : null,
        comments: { suppressed: commentsBlocked, count: commentsBlocked ? null : commentCount, items },
        waves: await waves(s, g, settings, current),
      };
    },
  };
}
export type ReportsService = ReturnType<typeof createReportsService>;
