import { createHash, createHmac } from 'node:crypto';
import type { AnyDb } from '../../core/db/db.js';
import type { Ids } from '../../core/ids.js';
import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import { systemContext, type AuthContext } from '../../core/auth.js';
import type { Outbox, OutboxMessage } from '../../core/outbox.js';
import { AppError, invalid, notFound } from '../../core/errors.js';
import { decodeCursor, toPage } from '../../core/http/pagination.js';
import type { AuditService } from '../audit/index.js';
import type { PeopleService } from '../people/index.js';
import type { ProgramsService, TAudience } from '../programs/index.js';
import type { WorkspacesService } from '../workspaces/index.js';
import { createSurveysRepository } from './surveys.repository.js';
import type { SurveyInvitationsTable, SurveyQuestionsTable, SurveysTable } from './surveys.tables.js';
import { questionRows, toQuestion } from './surveys.questions.js';
import { SURVEY_TEMPLATES, templateById } from './surveys.templates.js';
import type { TCreateSurvey, TQuestionInput, TSurvey, TUpdateSurvey } from './surveys.schema.js';

export interface SurveysDeps {
  db: AnyDb;
  ids: Ids;
  clock: Clock;
  audit: AuditService;
  outbox: Outbox;
  people: Pick<PeopleService, 'surveyGrouping'>;
  programs: Pick<ProgramsService, 'audienceMembers'>;
  workspaces: WorkspacesService;
  /** TANDEM_SECRET: survey link tokens are derived from it */
  secret: string;
  /** TANDEM_PUBLIC_URL: the base of the links in invitations */
  publicUrl: string;
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const DAY = 24 * 3600 * 1000;
const iso = (v: string | null | undefined) => (v ? Date.parse(v) : null);

/** A tenure band from a hire date (YYYY-MM-DD) at a moment: coarse on purpose, for groups. */
export function tenureBand(hireDate: string | null, now: number): string | null {
  const start = hireDate ? Date.parse(hireDate) : NaN;
  if (Number.isNaN(start)) return null;
  const years = (now - start) / (365.25 * DAY);
  if (years < 1) return 'under_1y';
  if (years < 2) return '1_2y';
  if (years < 5) return '2_5y';
  return '5y_plus';
}

export const PRIVACY_NOTES: Record<SurveysTable['privacy'], string> = {
  anonymous: 'Your answers are anonymous: nothing links them to you, and results are only shown for groups large enough that no one stands out.',
  confidential: 'Your answers are confidential: they are kept with your name for analysis, but never shown with it; results are only shown for groups.',
  identified: 'Your answers are shared with the team that sent this survey, with your name.',
};

/** The days of the reminder schedule, sorted, without repeats. */
const reminderDaysOf = (r: Pick<SurveysTable, 'reminder_days'>): number[] => (r.reminder_days ? (JSON.parse(r.reminder_days) as number[]) : []);
/** Answers are taken from the opening, or from `opensAt` when that is later: reminders count from then. */
const answersFrom = (r: Pick<SurveysTable, 'opened_at' | 'opens_at'>) => Math.max(Number(r.opened_at ?? 0), Number(r.opens_at ?? 0));
/** The first reminder of the schedule after `now` (null when none is left). */
export function nextReminderAt(r: Pick<SurveysTable, 'reminder_days' | 'opened_at' | 'opens_at'>, now: number): number | null {
  const start = answersFrom(r);
  for (const d of reminderDaysOf(r)) if (start + d * DAY > now) return start + d * DAY;
  return null;
}

const toSurvey = (r: SurveysTable, questions: SurveyQuestionsTable[], publicUrlOf: (r: SurveysTable) => string | null): TSurvey => ({
  id: r.id,
  title: r.title,
  description: r.description,
  kind: r.kind,
  privacy: r.privacy,
  status: r.status,
  locale: r.locale,
  audience: JSON.parse(r.audience) as TAudience,
  template: r.template,
  opensAt: toIso(r.opens_at),
  closesAt: toIso(r.closes_at),
  openedAt: toIso(r.opened_at),
  closedAt: toIso(r.closed_at),
  invited: Number(r.invited_count),
  responses: Number(r.response_count),
  responseRate: Number(r.invited_count) ? Math.round((Number(r.response_count) / Number(r.invited_count)) * 1000) / 1000 : null,
  lastRemindedAt: toIso(r.last_reminded_at),
  reminderDays: reminderDaysOf(r),
  nextReminderAt: toIso(r.next_reminder_at),
  publicLink: r.public_link_hash != null,
  publicUrl: publicUrlOf(r),
  questions: questions.map(toQuestion),
  createdAt: toIso(r.created_at)!,
  updatedAt: toIso(r.updated_at)!,
});

/** Surveys: their definition, the lock when they open, and their distribution (invitations, reminders). */
export function createSurveysService(deps: SurveysDeps) {
  const repo = createSurveysRepository(deps.db);

  /**
   * An invitation's link token: an HMAC of the invitation under TANDEM_SECRET, so it cannot be
   * guessed, is stored only as its SHA-256, and a reminder can carry the same link again.
   */
  const tokenOf = (ws: string, invitationId: string) => createHmac('sha256', deps.secret).update(`survey-invitation:${ws}:${invitationId}`).digest('base64url');
  const linkOf = (token: string) => `${deps.publicUrl}/s/${token}`;
  /** A survey's public link token: an HMAC of the survey, stored only as its SHA-256 while the link is on. */
  const linkTokenOf = (ws: string, surveyId: string) => createHmac('sha256', deps.secret).update(`survey-public-link:${ws}:${surveyId}`).digest('base64url');
  const publicUrlOf = (r: SurveysTable) => (r.public_link_hash ? `${deps.publicUrl}/s/p/${linkTokenOf(r.workspace_id, r.id)}` : null);

  async function view(ws: string, rows: SurveysTable[]) {
    const qs = await repo.questions(ws, rows.map((r) => r.id));
    return rows.map((r) => toSurvey(r, qs.filter((q) => q.survey_id === r.id), publicUrlOf));
  }
  async function load(ctx: AuthContext, id: string, tx?: AnyDb) {
    const row = await repo.survey(ctx.workspaceId, id, tx);
    if (!row) throw notFound('Survey');
    return row;
  }
  const getView = async (ctx: AuthContext, id: string) => (await view(ctx.workspaceId, [await load(ctx, id)]))[0]!;

  /** The message values of a survey for its invitations and reminders. */
  async function messageVars(ws: string, s: SurveysTable) {
    const workspace = await deps.workspaces.get(ws);
    const closesOn = s.closes_at ? new Intl.DateTimeFormat('en-GB', { dateStyle: 'full', timeZone: workspace.timezone }).format(new Date(Number(s.closes_at))) : 'no end date';
    return { workspaceName: workspace.name, surveyTitle: s.title, closesOn, privacyNote: PRIVACY_NOTES[s.privacy] };
  }

  /** A public link is for anonymous surveys only: anyone may answer by it, so nobody may be named. */
  function checkPublicLink(privacy: SurveysTable['privacy'], publicLink: boolean | undefined, path: string) {
    if (publicLink && privacy !== 'anonymous') throw invalid(path, 'a public link is only for anonymous surveys (anyone may answer by it)');
  }
  const reminderDaysJson = (days: number[] | undefined) => (days?.length ? JSON.stringify([...new Set(days)].sort((a, b) => a - b)) : null);

  /** Refuses 409 unless the survey takes answers now. */
  function checkTakesAnswers(s: SurveysTable, now: number) {
    if (s.status === 'draft') throw new AppError('survey_not_open', { detail: 'Open the survey first: a draft has invited nobody' });
    if (s.status === 'closed' || (s.closes_at != null && s.closes_at <= now)) throw new AppError('survey_closed', { detail: 'The survey is closed; nobody can answer any more' });
  }

  /**
   * Reminds those invited who have not answered: their own link again, a `survey.reminder`
   * message each, by pages of 2,000 in a transaction each. `claim`, when given, runs in the
   * first transaction and must return true, or nothing is sent (a scheduled reminder another
   * worker already sent).
   */
  async function remindPending(ctx: AuthContext, s: SurveysTable, now: number, claim?: (tx: AnyDb) => Promise<boolean>) {
    const ws = s.workspace_id;
    const id = s.id;
    const vars = await messageVars(ws, s);
    let claimed = !claim;
    const ensureClaim = async (tx: AnyDb) => {
      if (!claimed && !(await claim!(tx))) throw new AppError('conflict', { detail: 'reminded by another worker' });
      claimed = true;
    };
    let reminded = 0;
    let after = '';
    try {
      for (;;) {
        const page = await repo.pendingInvitations(ws, id, after, 2000);
        if (!page.length) break;
        after = page[page.length - 1]!.id;
        const availableAt = s.opens_at != null && s.opens_at > now ? Number(s.opens_at) : now;
        const messages: OutboxMessage[] = page.map((inv) => ({ workspaceId: ws, topic: 'survey.reminder', payload: { personId: inv.person_id, surveyId: id, vars: { ...vars, surveyUrl: linkOf(tokenOf(ws, inv.id)) } }, availableAt }));
        await deps.db.transaction().execute(async (tx) => {
          await ensureClaim(tx);
          await repo.markReminded(tx, ws, page.map((p) => p.id), now);
          await deps.outbox.enqueueMany(tx, messages);
        });
        reminded += page.length;
      }
      await deps.db.transaction().execute(async (tx) => {
        await ensureClaim(tx);
        await repo.updateSurvey(tx, ws, id, { last_reminded_at: now });
        await deps.audit.record(tx, ctx, { action: 'survey.reminded', targetType: 'survey', targetId: id, after: { reminded, scheduled: !!claim } });
      });
    } catch (err) {
      if (claim && !claimed && err instanceof AppError && err.code === 'conflict') return { reminded: 0, claimed: false };
      throw err;
    }
    return { reminded, claimed: true };
  }

  return {
    /** The templates, their questions as a survey would hold them. */
    templates(ctx: AuthContext) {
      ctx.require('surveys.read');
      return {
        data: SURVEY_TEMPLATES.map((t) => ({ id: t.id, title: t.title, description: t.description, kind: t.kind, privacy: t.privacy, questions: questionRows(ctx.workspaceId, 'template', t.questions).map(toQuestion) })),
      };
    },

    async create(ctx: AuthContext, input: TCreateSurvey): Promise<TSurvey> {
      ctx.require('surveys.manage');
      checkPublicLink(input.privacy ?? (input.template ? templateById(input.template)?.privacy : undefined) ?? 'anonymous', input.publicLink, 'publicLink');
      const tpl = input.template ? templateById(input.template) : undefined;
      if (input.template && !tpl) throw invalid('template', `no such template; GET /api/v1/survey-templates lists ${SURVEY_TEMPLATES.map((t) => t.id).join(', ')}`);
      const title = input.title ?? tpl?.title;
      if (!title) throw invalid('title', 'required (or start from a template)');
      const kind = input.kind ?? tpl?.kind;
      if (!kind) throw invalid('kind', 'required (or start from a template)');
      const workspace = await deps.workspaces.get(ctx.workspaceId);
      const now = deps.clock.now();
      const id = deps.ids.next('srv');
      const questions = questionRows(ctx.workspaceId, id, (input.questions ?? tpl?.questions ?? []));
      const row: SurveysTable = {
        workspace_id: ctx.workspaceId,
        id,
        title,
        description: input.description ?? tpl?.description ?? '',
        kind,
        privacy: input.privacy ?? tpl?.privacy ?? 'anonymous',
        status: 'draft',
        locale: input.locale ?? workspace.locale ?? 'en',
        audience: JSON.stringify(input.audience ?? {}),
        template: tpl?.id ?? null,
        opens_at: iso(input.opensAt),
        closes_at: iso(input.closesAt),
        opened_at: null,
        closed_at: null,
        invited_count: 0,
        response_count: 0,
        last_reminded_at: null,
        reminder_days: reminderDaysJson(input.reminderDays),
        next_reminder_at: null,
        public_link_hash: input.publicLink ? sha256(linkTokenOf(ctx.workspaceId, id)) : null,
        created_by: `${ctx.actor.type}:${ctx.actor.id}`,
        created_at: now,
        updated_at: now,
      };
      await deps.db.transaction().execute(async (tx) => {
        await repo.insertSurvey(tx, row);
        await repo.replaceQuestions(tx, ctx.workspaceId, id, questions);
        await deps.audit.record(tx, ctx, { action: 'survey.created', targetType: 'survey', targetId: id, after: { ...input, questions: questions.length } });
      });
      return (await view(ctx.workspaceId, [row]))[0]!;
    },

    async list(ctx: AuthContext, q: { limit: number; cursor?: string; status?: string; kind?: string }) {
      ctx.require('surveys.read');
      const rows = await repo.list(ctx.workspaceId, { ...q, before: decodeCursor(q.cursor), limit: q.limit + 1 });
      const page = toPage(rows, q.limit, (r) => r);
      return { data: await view(ctx.workspaceId, page.data), nextCursor: page.nextCursor };
    },

    async get(ctx: AuthContext, id: string) {
      ctx.require('surveys.read');
      return getView(ctx, id);
    },

    /**
     * A draft changes freely. Once open, the questions, audience, privacy and kind are locked
     * (answers must keep meaning what they meant); title, description and closesAt may change.
     * A closed survey changes no more.
     */
    async update(ctx: AuthContext, id: string, patch: TUpdateSurvey): Promise<TSurvey> {
      ctx.require('surveys.manage');
      const ws = ctx.workspaceId;
      const before = await load(ctx, id);
      if (before.status === 'closed') throw new AppError('survey_closed', { detail: 'A closed survey cannot change' });
      if (before.status === 'open') {
        const locked = Object.keys(patch).filter((k) => !['title', 'description', 'closesAt', 'publicLink'].includes(k));
        if (locked.length) throw new AppError('conflict', { detail: `An open survey's ${locked.join(', ')} cannot change (only title, description, closesAt and publicLink)`, errors: locked.map((k) => ({ path: k, message: 'locked while the survey is open' })) });
      }
      const privacy = patch.privacy ?? before.privacy;
      checkPublicLink(privacy, patch.publicLink ?? (before.public_link_hash != null), patch.publicLink !== undefined ? 'publicLink' : 'privacy');
      if (privacy === 'anonymous' && patch.privacy !== undefined && (await repo.triggers(ws, id)).length) throw invalid('privacy', 'this survey has event triggers: a per-event invitation would identify the respondent; delete them first');
      const opensAt = patch.opensAt !== undefined ? iso(patch.opensAt) : before.opens_at;
      const closesAt = patch.closesAt !== undefined ? iso(patch.closesAt) : before.closes_at;
      if (opensAt != null && closesAt != null && opensAt >= closesAt) throw invalid('closesAt', 'must come after opensAt');
      const next: Partial<SurveysTable> = { updated_at: deps.clock.now() };
      if (patch.title !== undefined) next.title = patch.title;
      if (patch.description !== undefined) next.description = patch.description;
      if (patch.kind !== undefined) next.kind = patch.kind;
      if (patch.privacy !== undefined) next.privacy = patch.privacy;
      if (patch.locale !== undefined) next.locale = patch.locale;
      if (patch.audience !== undefined) next.audience = JSON.stringify(patch.audience);
      if (patch.opensAt !== undefined) next.opens_at = opensAt;
      if (patch.closesAt !== undefined) next.closes_at = closesAt;
      if (patch.reminderDays !== undefined) next.reminder_days = reminderDaysJson(patch.reminderDays);
      if (patch.publicLink !== undefined) next.public_link_hash = patch.publicLink ? sha256(linkTokenOf(ws, id)) : null;
      await deps.db.transaction().execute(async (tx) => {
        if (!(await repo.moveStatus(tx, ws, id, before.status, next))) throw new AppError('conflict', { detail: 'The survey changed status meanwhile; read it again' });
        await deps.audit.record(tx, ctx, { action: 'survey.updated', targetType: 'survey', targetId: id, after: patch });
      });
      return getView(ctx, id);
    },

    /** Replaces the questions of a draft (an open survey's questions are locked: 409). */
    async replaceQuestions(ctx: AuthContext, id: string, input: TQuestionInput[]): Promise<TSurvey> {
      ctx.require('surveys.manage');
      const ws = ctx.workspaceId;
      const before = await load(ctx, id);
      if (before.status !== 'draft') throw new AppError('conflict', { detail: 'Questions are locked once a survey opens: answers must keep meaning what they meant. Copy it into a new survey instead.' });
      const rows = questionRows(ws, id, input);
      await deps.db.transaction().execute(async (tx) => {
        if (!(await repo.moveStatus(tx, ws, id, 'draft', { updated_at: deps.clock.now() }))) throw new AppError('conflict', { detail: 'The survey opened meanwhile; its questions are locked' });
        await repo.replaceQuestions(tx, ws, id, rows);
        await deps.audit.record(tx, ctx, { action: 'survey.questions_replaced', targetType: 'survey', targetId: id, after: { questions: rows.map((r) => r.id) } });
      });
      return getView(ctx, id);
    },

    /**
     * Opens a draft: locks its questions and invites its audience, in one transaction: one
     * invitation per person (team, kind, account tier and tenure band captured now) and one
     * `survey.invitation` message each, written in bulk. With `opensAt` ahead, the messages
     * fall due then.
     */
    async open(ctx: AuthContext, id: string): Promise<TSurvey> {
      ctx.require('surveys.manage');
      const ws = ctx.workspaceId;
      const s = await load(ctx, id);
      if (s.status !== 'draft') throw new AppError('conflict', { detail: `The survey is ${s.status}; only a draft opens` });
      const now = deps.clock.now();
      if (s.closes_at != null && s.closes_at <= now) throw new AppError('conflict', { detail: 'closesAt has passed; move it before opening', errors: [{ path: 'closesAt', message: 'in the past' }] });
      if (!(await repo.questions(ws, [id])).length) throw new AppError('conflict', { detail: 'A survey needs at least one question to open', errors: [{ path: 'questions', message: 'empty' }] });
      const personIds = await deps.programs.audienceMembers(ws, JSON.parse(s.audience) as TAudience);
      const grouping = await deps.people.surveyGrouping(ws, personIds);
      const vars = await messageVars(ws, s);
      const invitations: SurveyInvitationsTable[] = [];
      const messages: OutboxMessage[] = [];
      const availableAt = s.opens_at != null && s.opens_at > now ? Number(s.opens_at) : now;
      for (const personId of personIds) {
        const g = grouping.get(personId);
        const inv = deps.ids.next('svi');
        const token = tokenOf(ws, inv);
        invitations.push({ workspace_id: ws, id: inv, survey_id: id, person_id: personId, token_hash: sha256(token), status: 'pending', team_id: g?.teamId ?? null, tenure_band: tenureBand(g?.hireDate ?? null, now), person_kind: g?.kind ?? null, account_tier: g?.accountTier ?? null, draft: null, draft_saved_at: null, responded_at: null, reminded_at: null, reminders: 0, created_at: now, trigger_id: null, event_id: null, handled_by: null });
        messages.push({ workspaceId: ws, topic: 'survey.invitation', payload: { personId, surveyId: id, vars: { ...vars, surveyUrl: linkOf(token) } }, availableAt });
      }
      await deps.db.transaction().execute(async (tx) => {
        const opened = { ...s, opened_at: now };
        if (!(await repo.moveStatus(tx, ws, id, 'draft', { status: 'open', opened_at: now, updated_at: now, invited_count: invitations.length, next_reminder_at: nextReminderAt(opened, now) }))) throw new AppError('conflict', { detail: 'The survey opened meanwhile' });
        await repo.insertInvitations(tx, invitations);
        await deps.outbox.enqueueMany(tx, messages);
        await deps.audit.record(tx, ctx, { action: 'survey.opened', targetType: 'survey', targetId: id, after: { invited: invitations.length } });
      });
      return getView(ctx, id);
    },

    async close(ctx: AuthContext, id: string): Promise<TSurvey> {
      ctx.require('surveys.manage');
      const ws = ctx.workspaceId;
      const s = await load(ctx, id);
      if (s.status !== 'open') throw new AppError('conflict', { detail: `The survey is ${s.status}; only an open survey closes` });
      const now = deps.clock.now();
      await deps.db.transaction().execute(async (tx) => {
        if (!(await repo.moveStatus(tx, ws, id, 'open', { status: 'closed', closed_at: now, updated_at: now, next_reminder_at: null }))) throw new AppError('conflict', { detail: 'The survey closed meanwhile' });
        await deps.audit.record(tx, ctx, { action: 'survey.closed', targetType: 'survey', targetId: id });
      });
      return getView(ctx, id);
    },

    /**
     * Reminds those invited who have not answered (their own link again, a `survey.reminder`
     * message each). Only while the survey takes answers. Answers how many were reminded.
     */
    async remind(ctx: AuthContext, id: string) {
      ctx.require('surveys.manage');
      const s = await load(ctx, id);
      checkTakesAnswers(s, deps.clock.now());
      return { reminded: (await remindPending(ctx, s, deps.clock.now())).reminded };
    },

    /**
     * The worker's scheduler: the surveys whose next scheduled reminder fell due. Each is claimed
     * by a conditional update of `next_reminder_at` (to the following day of the schedule) in the
     * transaction of the first reminders, so of two workers only one reminds. Days missed while
     * no worker ran are not made up: one reminder, and the schedule moves past now.
     */
    async tick() {
      const now = deps.clock.now();
      let reminded = 0;
      for (const s of await repo.dueReminders(now, 100)) {
        const takes = s.status === 'open' && !(s.closes_at != null && Number(s.closes_at) <= now);
        const due = Number(s.next_reminder_at);
        const following = takes ? nextReminderAt(s, now) : null;
        if (!takes) {
          await repo.claimReminder(deps.db, s.workspace_id, s.id, due, null);
          continue;
        }
        const r = await remindPending(systemContext(s.workspace_id), s, now, (tx) => repo.claimReminder(tx, s.workspace_id, s.id, due, following));
        reminded += r.reminded;
      }
      return reminded;
    },

    /**
     * How many people the survey's audience holds now: what opening it would invite (the web
     * says it in the confirmation). For an open or closed survey, who was invited is `invited`.
     */
    async audienceSize(ctx: AuthContext, id: string) {
      ctx.require('surveys.manage');
      const s = await load(ctx, id);
      return { people: (await deps.programs.audienceMembers(ctx.workspaceId, JSON.parse(s.audience) as TAudience)).length };
    },

    /**
     * The NPS and CSAT answers these people gave to identified surveys since `since` (the
     * customer engagement score). Confidential answers are left out: the score is shown per
     * person, and would show their answer.
     */
    async scaleAnswersOf(ws: string, personIds: string[], since: number) {
      const rows = await repo.scaleAnswersOf(ws, personIds, since);
      return { likelihood: rows.filter((r) => r.type === 'likelihood').map((r) => Number(r.value_num)), csat: rows.filter((r) => r.type === 'csat').map((r) => Number(r.value_num)) };
    },

    /** Public-link token → the survey (any workspace), for the taking service. */
    surveyByLinkToken: (linkToken: string) => repo.surveyByLinkHash(sha256(linkToken)),
    /** The invitations of a survey not answered yet, in id order, with each one's team (the demo answers them). */
    async pendingInvitations(ws: string, surveyId: string) {
      const out: { id: string; personId: string | null; teamId: string | null }[] = [];
      for (let after = ''; ; ) {
        const page = await repo.pendingInvitations(ws, surveyId, after, 2000);
        if (!page.length) return out;
        for (const p of page) out.push({ id: p.id, personId: p.person_id, teamId: p.team_id });
        after = page[page.length - 1]!.id;
      }
    },
    tokenOf,
    linkOf,
    checkTakesAnswers,
    messageVars,
  };
}
export type SurveysService = ReturnType<typeof createSurveysService>;
