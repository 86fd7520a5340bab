import { sql, type Kysely } from 'kysely';
import type { AnyDb } from '../../core/db/db.js';
import { createTupleInserter } from '../../core/db/bulk.js';
import type { SurveyAnswersTable, SurveyInvitationsTable, SurveyQuestionsTable, SurveyResponsesTable, SurveysTable, SurveysTables, SurveyTriggersTable } from './surveys.tables.js';

type Db = Kysely<SurveysTables>;

const INVITATION_COLUMNS = ['workspace_id', 'id', 'survey_id', 'person_id', 'token_hash', 'status', 'team_id', 'tenure_band', 'person_kind', 'account_tier', 'draft', 'draft_saved_at', 'responded_at', 'reminded_at', 'reminders', 'created_at', 'trigger_id', 'event_id', 'handled_by'] as const;
const ANSWER_COLUMNS = ['workspace_id', 'survey_id', 'response_id', 'question_id', 'seq', 'value_num', 'value_text', 'comment'] as const;

/** The surveys' queries: surveys, questions, invitations, responses and answers. */
export function createSurveysRepository(anyDb: AnyDb) {
  const db = anyDb as Db;
  const t = (tx?: AnyDb) => (tx ?? db) as Db;
  const insertInvitations = createTupleInserter('survey_invitations', INVITATION_COLUMNS);
  const insertAnswers = createTupleInserter('survey_answers', ANSWER_COLUMNS);
  return {
    insertSurvey: (tx: AnyDb, row: SurveysTable) => t(tx).insertInto('surveys').values(row).execute(),
    updateSurvey: (tx: AnyDb, ws: string, id: string, patch: Partial<SurveysTable>) => t(tx).updateTable('surveys').set(patch).where('workspace_id', '=', ws).where('id', '=', id).execute(),
    /** Moves a survey from one status to another; false when it was not in `from` (another request moved it). */
    async moveStatus(tx: AnyDb, ws: string, id: string, from: SurveysTable['status'], patch: Partial<SurveysTable>) {
      const r = await t(tx).updateTable('surveys').set(patch).where('workspace_id', '=', ws).where('id', '=', id).where('status', '=', from).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    survey: (ws: string, id: string, tx?: AnyDb) => t(tx).selectFrom('surveys').selectAll().where('workspace_id', '=', ws).where('id', '=', id).executeTakeFirst(),
    list(ws: string, q: { before?: string; limit: number; status?: string; kind?: string }) {
      let s = db.selectFrom('surveys').selectAll().where('workspace_id', '=', ws);
      if (q.status) s = s.where('status', '=', q.status as SurveysTable['status']);
      if (q.kind) s = s.where('kind', '=', q.kind as SurveysTable['kind']);
      if (q.before) s = s.where('id', '<', q.before);
      return s.orderBy('id', 'desc').limit(q.limit).execute();
    },

    questions: (ws: string, surveyIds: string[], tx?: AnyDb) =>
      surveyIds.length ? t(tx).selectFrom('survey_questions').selectAll().where('workspace_id', '=', ws).where('survey_id', 'in', surveyIds).orderBy('survey_id').orderBy('position').execute() : Promise.resolve([] as SurveyQuestionsTable[]),
    async replaceQuestions(tx: AnyDb, ws: string, surveyId: string, rows: SurveyQuestionsTable[]) {
      await t(tx).deleteFrom('survey_questions').where('workspace_id', '=', ws).where('survey_id', '=', surveyId).execute();
      if (rows.length) await t(tx).insertInto('survey_questions').values(rows).execute();
    },

    insertInvitations: (tx: AnyDb, rows: SurveyInvitationsTable[]) => insertInvitations(tx, rows.map((r) => INVITATION_COLUMNS.map((c) => r[c]))),
    invitationByToken: (tokenHash: string, tx?: AnyDb) => t(tx).selectFrom('survey_invitations').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst(),
    saveDraft: (ws: string, id: string, draft: string, at: number) =>
      db.updateTable('survey_invitations').set({ draft, draft_saved_at: at }).where('workspace_id', '=', ws).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst(),
    /**
     * Consumes an invitation: only one caller moves it from pending, so only one response is
     * stored however many submit at once. The draft goes with it.
     */
    async consume(tx: AnyDb, ws: string, id: string, respondedAt: number | null) {
      const r = await t(tx)
        .updateTable('survey_invitations')
        .set({ status: 'responded', draft: null, draft_saved_at: null, responded_at: respondedAt })
        .where('workspace_id', '=', ws)
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    /** Those invited who have not answered yet (for reminders), by page of ids. */
    pendingInvitations: (ws: string, surveyId: string, after: string, limit: number) =>
      db.selectFrom('survey_invitations').select(['id', 'person_id', 'team_id']).where('workspace_id', '=', ws).where('survey_id', '=', surveyId).where('status', '=', 'pending').where('id', '>', after).orderBy('id').limit(limit).execute(),
    async markReminded(tx: AnyDb, ws: string, ids: string[], at: number) {
      for (let i = 0; i < ids.length; i += 500)
        await t(tx).updateTable('survey_invitations').set({ reminded_at: at, reminders: sql<number>`reminders + 1` }).where('workspace_id', '=', ws).where('id', 'in', ids.slice(i, i + 500)).execute();
    },
    /** Replaces the token of invitations (a reminder carries a fresh link; the old one stops working). */
    setToken: (tx: AnyDb, ws: string, id: string, tokenHash: string) => t(tx).updateTable('survey_invitations').set({ token_hash: tokenHash }).where('workspace_id', '=', ws).where('id', '=', id).where('status', '=', 'pending').execute(),

    /** Open surveys whose next scheduled reminder fell due, across workspaces (index on next_reminder_at). */
    dueReminders: (now: number, limit: number) => db.selectFrom('surveys').selectAll().where('next_reminder_at', '<=', now).orderBy('next_reminder_at').limit(limit).execute(),
    /** Moves a survey's next reminder on, only if it is still `due`: of two workers, one wins. */
    async claimReminder(tx: AnyDb, ws: string, id: string, due: number, following: number | null) {
      const r = await t(tx).updateTable('surveys').set({ next_reminder_at: following }).where('workspace_id', '=', ws).where('id', '=', id).where('next_reminder_at', '=', due).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    surveyByLinkHash: (hash: string) => db.selectFrom('surveys').selectAll().where('public_link_hash', '=', hash).executeTakeFirst(),
    /** One invitation (a trigger's or a public link's); false when its (trigger, event) exists already. */
    async insertInvitation(tx: AnyDb, row: SurveyInvitationsTable) {
      const r = await t(tx).insertInto('survey_invitations').values(row).onConflict((oc) => oc.columns(['workspace_id', 'trigger_id', 'event_id']).doNothing()).executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    },
    bumpInvited: (tx: AnyDb, ws: string, id: string) => t(tx).updateTable('surveys').set({ invited_count: sql<number>`invited_count + 1` }).where('workspace_id', '=', ws).where('id', '=', id).execute(),

    triggers: (ws: string, surveyId: string) => db.selectFrom('survey_triggers').selectAll().where('workspace_id', '=', ws).where('survey_id', '=', surveyId).orderBy('id').execute(),
    /** Every trigger of a workspace (a handful): cached by the event hook. */
    workspaceTriggers: (ws: string, tx?: AnyDb) => t(tx).selectFrom('survey_triggers').selectAll().where('workspace_id', '=', ws).execute(),
    trigger: (ws: string, id: string) => db.selectFrom('survey_triggers').selectAll().where('workspace_id', '=', ws).where('id', '=', id).executeTakeFirst(),
    insertTrigger: (tx: AnyDb, row: SurveyTriggersTable) => t(tx).insertInto('survey_triggers').values(row).execute(),
    deleteTrigger: (tx: AnyDb, ws: string, id: string) => t(tx).deleteFrom('survey_triggers').where('workspace_id', '=', ws).where('id', '=', id).execute(),
    bumpTriggerSent: (tx: AnyDb, ws: string, id: string) => t(tx).updateTable('survey_triggers').set({ sent: sql<number>`sent + 1` }).where('workspace_id', '=', ws).where('id', '=', id).execute(),
    /**
     * Records that a trigger invites a contact now, unless it did within `oncePerDays`: one
     * conditional upsert, so two workers handling two events for one contact send one invitation.
     */
    async claimContact(tx: AnyDb, ws: string, triggerId: string, personId: string, now: number, oncePerDays: number) {
      const notBefore = now - oncePerDays * 24 * 3600 * 1000;
      const r = await t(tx)
        .insertInto('survey_trigger_contacts')
        .values({ workspace_id: ws, trigger_id: triggerId, person_id: personId, last_sent_at: now })
        .onConflict((oc) => oc.columns(['workspace_id', 'trigger_id', 'person_id']).doUpdateSet({ last_sent_at: now }).where('survey_trigger_contacts.last_sent_at', '<=', notBefore))
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    },

    /** The NPS (likelihood) and CSAT answers of these people to identified surveys since `since`. */
    async scaleAnswersOf(ws: string, personIds: string[], since: number) {
      if (!personIds.length) return [];
      return db
        .selectFrom('survey_responses as r')
        .innerJoin('surveys as s', (j) => j.onRef('s.workspace_id', '=', 'r.workspace_id').onRef('s.id', '=', 'r.survey_id'))
        .innerJoin('survey_answers as a', (j) => j.onRef('a.workspace_id', '=', 'r.workspace_id').onRef('a.survey_id', '=', 'r.survey_id').onRef('a.response_id', '=', 'r.id'))
        .innerJoin('survey_questions as q', (j) => j.onRef('q.workspace_id', '=', 'a.workspace_id').onRef('q.survey_id', '=', 'a.survey_id').onRef('q.id', '=', 'a.question_id'))
        .select(['q.type', 'a.value_num'])
        .where('r.workspace_id', '=', ws)
        .where('r.person_id', 'in', personIds)
        .where('r.submitted_on', '>=', since)
        .where('s.privacy', '=', 'identified')
        .where('q.type', 'in', ['likelihood', 'csat'])
        .where('a.value_num', 'is not', null)
        .execute();
    },

    insertResponse: (tx: AnyDb, row: SurveyResponsesTable) => t(tx).insertInto('survey_responses').values(row).execute(),
    insertAnswers: (tx: AnyDb, rows: SurveyAnswersTable[]) => insertAnswers(tx, rows.map((r) => ANSWER_COLUMNS.map((c) => r[c]))),
    /** Releases the held-back responses of a survey once there are k of them (all at once: no order is kept). */
    async releaseInSteps(tx: AnyDb, ws: string, surveyId: string, k: number) {
      const held = await t(tx).selectFrom('survey_responses').select((eb) => eb.fn.countAll<number>().as('n')).where('workspace_id', '=', ws).where('survey_id', '=', surveyId).where('released', '=', 0).executeTakeFirstOrThrow();
      if (Number(held.n) >= k) await t(tx).updateTable('survey_responses').set({ released: 1 }).where('workspace_id', '=', ws).where('survey_id', '=', surveyId).where('released', '=', 0).execute();
    },
    bumpResponses: (tx: AnyDb, ws: string, id: string) => t(tx).updateTable('surveys').set({ response_count: sql<number>`response_count + 1` }).where('workspace_id', '=', ws).where('id', '=', id).execute(),
  };
}
export type SurveysRepository = ReturnType<typeof createSurveysRepository>;
