import { randomBytes } from 'node:crypto';
import type { AnyDb } from '../../core/db/db.js';
import type { Ids } from '../../core/ids.js';
import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { WorkspacesService } from '../workspaces/index.js';
import { createSurveysRepository } from './surveys.repository.js';
import { sha256, type SurveysService } from './surveys.service.js';
import type { SurveyAnswersTable, SurveyInvitationsTable, SurveysTable } from './surveys.tables.js';
import { checkAnswers, finalAnswers, progressOf, toQuestion, type AnswerValue } from './surveys.questions.js';
import type { TTaking } from './surveys.schema.js';
import { respondentScores } from './scores.js';
import { surveySettings } from './settings.js';

const DAY = 24 * 3600 * 1000;
/** Unknown tokens tried from one address before it is blocked for a while (guessing links). */
export const TOKEN_THROTTLE = { failures: 30, window: 10 * 60 * 1000, block: 15 * 60 * 1000 };
/** Starts by public link from one address before it is blocked for a while (every start counts). */
export const PUBLIC_LINK_THROTTLE = { failures: 20, window: 10 * 60 * 1000, block: 10 * 60 * 1000 };

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
/** An anonymous response's id: random, not time-ordered, so ids do not sort with invitations. */
const randomResponseId = () => `rsp_${[...randomBytes(26)].map((b) => ALPHABET[b % 32]).join('')}`;

export interface TakingDeps {
  db: AnyDb;
  ids: Ids;
  clock: Clock;
  workspaces: WorkspacesService;
  /** the invitation links (a public link's start makes one) */
  surveys: Pick<SurveysService, 'tokenOf' | 'linkOf' | 'surveyByLinkToken'>;
}

/**
 * Taking a survey by its link, without a session: read the questions and what was saved, save
 * as you go, submit once. The token is the only credential; unknown tokens are throttled per
 * address in the database (like sign-in), so every process shares the count.
 */
export function createTakingService(deps: TakingDeps) {
  const repo = createSurveysRepository(deps.db);
  const throttles = deps.db;

  async function throttleCheck(scope: string, what = 'unknown survey links') {
    const th = await throttles.selectFrom('throttles').selectAll().where('scope', '=', scope).executeTakeFirst() as { failures: number; window_start: number; blocked_until: number | null } | undefined;
    const t = deps.clock.now();
    if (th?.blocked_until && Number(th.blocked_until) > t) {
      throw new AppError('rate_limited', { detail: `Too many ${what} from this address; try again later`, retryAfter: Math.ceil((Number(th.blocked_until) - t) / 1000) });
    }
    return th;
  }
  async function throttleFail(scope: string, th: Awaited<ReturnType<typeof throttleCheck>>, limits = TOKEN_THROTTLE) {
    const t = deps.clock.now();
    const fresh = !th || Number(th.window_start) < t - limits.window;
    const failures = fresh ? 1 : th.failures + 1;
    const blocked = failures >= limits.failures ? t + limits.block : null;
    const row = { scope, failures: blocked ? 0 : failures, window_start: fresh || blocked ? t : Number(th.window_start), blocked_until: blocked };
    await throttles.insertInto('throttles').values(row).onConflict((oc) => oc.column('scope').doUpdateSet({ failures: row.failures, window_start: row.window_start, blocked_until: row.blocked_until })).execute();
  }

  /** The invitation and survey of a token: 404 unknown, 410 used, 409 not open or closed. */
  async function resolve(token: string, from: string): Promise<{ inv: SurveyInvitationsTable; survey: SurveysTable }> {
    const scope = `survey-token:${from}`;
    const th = await throttleCheck(scope);
    const inv = await repo.invitationByToken(sha256(token));
    const survey = inv ? await repo.survey(inv.workspace_id, inv.survey_id) : undefined;
    if (!inv || !survey) {
      await throttleFail(scope, th);
      throw new AppError('not_found', { detail: 'No survey has this link; check it was copied whole' });
    }
    if (inv.status === 'responded') throw new AppError('already_submitted', { detail: 'This link was used: your response is in. Thank you.' });
    const now = deps.clock.now();
    if (survey.status === 'closed' || (survey.closes_at != null && Number(survey.closes_at) <= now)) throw new AppError('survey_closed', { detail: `${survey.title} is closed and takes no more answers` });
    if (survey.status !== 'open' || (survey.opens_at != null && Number(survey.opens_at) > now)) {
      throw new AppError('survey_not_open', { detail: survey.opens_at ? `${survey.title} opens at ${toIso(survey.opens_at)}` : `${survey.title} is not open yet` });
    }
    return { inv, survey };
  }

  const draftOf = (inv: SurveyInvitationsTable) => (inv.draft ? (JSON.parse(inv.draft) as Record<string, AnswerValue>) : {});
  const questionsOf = async (survey: SurveysTable) => (await repo.questions(survey.workspace_id, [survey.id])).map(toQuestion);

  async function taking(inv: SurveyInvitationsTable, survey: SurveysTable, answers: Record<string, AnswerValue>, savedAt: number | null): Promise<TTaking> {
    const questions = await questionsOf(survey);
    const workspace = await deps.workspaces.get(survey.workspace_id);
    return {
      survey: { title: survey.title, description: survey.description, kind: survey.kind, privacy: survey.privacy, locale: survey.locale, closesAt: toIso(survey.closes_at), workspaceName: workspace.name },
      questions,
      answers,
      progress: progressOf(questions, answers),
      savedAt: toIso(savedAt),
    };
  }

  return {
    /**
     * A public link's start: a fresh invitation of the anonymous survey with no person and no
     * grouping attributes, and its single-use token for the taking routes. Every start counts
     * against the address (PUBLIC_LINK_THROTTLE): 429 beyond. 404 unknown or switched-off link,
     * 409 a survey not open or closed.
     */
    async start(linkToken: string, from: string) {
      const scope = `survey-link:${from}`;
      const th = await throttleCheck(scope, 'survey starts');
      await throttleFail(scope, th, PUBLIC_LINK_THROTTLE);
      const survey = await deps.surveys.surveyByLinkToken(linkToken);
      if (!survey || survey.privacy !== 'anonymous') throw new AppError('not_found', { detail: 'No survey has this public link; it may have been switched off' });
      const now = deps.clock.now();
      if (survey.status === 'closed' || (survey.closes_at != null && Number(survey.closes_at) <= now)) throw new AppError('survey_closed', { detail: `${survey.title} is closed and takes no more answers` });
      if (survey.status !== 'open' || (survey.opens_at != null && Number(survey.opens_at) > now)) throw new AppError('survey_not_open', { detail: `${survey.title} is not open yet` });
      const ws = survey.workspace_id;
      const inv = deps.ids.next('svi');
      const token = deps.surveys.tokenOf(ws, inv);
      await deps.db.transaction().execute(async (tx) => {
        await repo.insertInvitation(tx, {
          workspace_id: ws, id: inv, survey_id: survey.id, person_id: null, token_hash: sha256(token), status: 'pending',
          team_id: null, tenure_band: null, person_kind: null, account_tier: null, draft: null, draft_saved_at: null, responded_at: null, reminded_at: null, reminders: 0,
          // the day only, like the anonymous response: a start's moment would sort it with the answer
          created_at: Math.floor(now / DAY) * DAY,
          trigger_id: null, event_id: null, handled_by: null,
        });
        await repo.bumpInvited(tx, ws, survey.id);
      });
      return { token, url: deps.surveys.linkOf(token) };
    },

    async get(token: string, from: string): Promise<TTaking> {
      const { inv, survey } = await resolve(token, from);
      return taking(inv, survey, draftOf(inv), inv.draft_saved_at);
    },

    /** Saves answers so far (merged into what was saved; null clears one). Values must fit their questions. */
    async save(token: string, answers: Record<string, AnswerValue>, from: string): Promise<TTaking> {
      const { inv, survey } = await resolve(token, from);
      const questions = await questionsOf(survey);
      checkAnswers(questions, answers);
      const merged = { ...draftOf(inv), ...answers };
      for (const [k, v] of Object.entries(merged)) if (v === null) delete merged[k];
      const now = deps.clock.now();
      const r = await repo.saveDraft(inv.workspace_id, inv.id, JSON.stringify(merged), now);
      if (!Number(r.numUpdatedRows)) throw new AppError('already_submitted', { detail: 'This link was used: your response is in.' });
      return taking(inv, survey, merged, now);
    },

    /**
     * Submits: every answer checked against its question (400 naming it), then in one
     * transaction the invitation is consumed (only one caller can) and the response stored.
     * Anonymous: the response holds no person and no invitation id, a random id and the day
     * only; confidential and identified: the person and the moment.
     */
    async submit(token: string, answers: Record<string, AnswerValue> | undefined, from: string) {
      const { inv, survey } = await resolve(token, from);
      const questions = await questionsOf(survey);
      if (answers) checkAnswers(questions, answers);
      const final = finalAnswers(questions, { ...draftOf(inv), ...(answers ?? {}) });
      const ws = inv.workspace_id;
      const now = deps.clock.now();
      const anonymous = survey.privacy === 'anonymous';
      const responseId = anonymous ? randomResponseId() : deps.ids.next('rsp');
      const rows: SurveyAnswersTable[] = [];
      const byId = new Map(questions.map((q) => [q.id, q]));
      for (const [qid, v] of Object.entries(final)) {
        const q = byId.get(qid)!;
        const base = { workspace_id: ws, survey_id: survey.id, response_id: responseId, question_id: qid, value_num: null, value_text: null, comment: null };
        if (typeof v === 'number') rows.push({ ...base, seq: 0, value_num: v });
        else if (Array.isArray(v)) v.forEach((x, seq) => rows.push({ ...base, seq, value_text: x }));
        else if (q.type === 'text') rows.push({ ...base, seq: 0, comment: v! });
        else rows.push({ ...base, seq: 0, value_text: v! });
      }
      const settings = await surveySettings(deps.db, ws);
      // Live results of an anonymous survey are released in steps of k responses.
      const holdBack = anonymous && survey.status === 'open';
      await deps.db.transaction().execute(async (tx) => {
        if (!(await repo.consume(tx, ws, inv.id, anonymous ? null : now))) throw new AppError('already_submitted', { detail: 'This link was used: your response is in.' });
        await repo.insertResponse(tx, {
          workspace_id: ws,
          survey_id: survey.id,
          id: responseId,
          person_id: anonymous ? null : inv.person_id,
          team_id: inv.team_id,
          tenure_band: inv.tenure_band,
          person_kind: inv.person_kind,
          account_tier: inv.account_tier,
          submitted_on: anonymous ? Math.floor(now / DAY) * DAY : now,
          ...respondentScores(questions, final, settings),
          released: holdBack ? 0 : 1,
          // Triggered surveys: the event answered and who handled it (never for anonymous ones).
          event_id: anonymous ? null : inv.event_id,
          handled_by: anonymous ? null : inv.handled_by,
        });
        await repo.insertAnswers(tx, rows);
        if (holdBack) await repo.releaseInSteps(tx, ws, survey.id, settings.k);
        await repo.bumpResponses(tx, ws, survey.id);
      });
      return { submitted: true as const };
    },
  };
}
export type TakingService = ReturnType<typeof createTakingService>;
