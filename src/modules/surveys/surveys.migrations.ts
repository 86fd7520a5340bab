import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';
import { NEED_DRIVERS, driverColumn, respondentScores } from './scores.js';
import { DEFAULT_SURVEY_SETTINGS } from './settings.js';

export const surveysMigrations: Record<string, Migration> = {
  // Surveys (issue #7): surveys, their questions (locked once open), one invitation per person
  // with a hashed single-use token, responses and their answers (one row per value, so a report
  // is a GROUP BY over (question, value) on one index). See docs/surveys.md for what is stored.
  '20261210_0100_surveys': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('surveys')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('privacy', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('locale', 'text', (c) => c.notNull())
        .addColumn('audience', 'text', (c) => c.notNull())
        .addColumn('template', 'text')
        .addColumn('opens_at', 'bigint')
        .addColumn('closes_at', 'bigint')
        .addColumn('opened_at', 'bigint')
        .addColumn('closed_at', 'bigint')
        .addColumn('invited_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('response_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_reminded_at', 'bigint')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('surveys_pk', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('surveys_status').on('surveys').columns(['workspace_id', 'status', 'id']).execute();

      await db.schema
        .createTable('survey_questions')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('survey_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('help', 'text')
        .addColumn('required', 'integer', (c) => c.notNull())
        .addColumn('options', 'text')
        .addColumn('show_if', 'text')
        .addColumn('driver', 'text')
        .addPrimaryKeyConstraint('survey_questions_pk', ['workspace_id', 'survey_id', 'id'])
        .execute();

      await db.schema
        .createTable('survey_invitations')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('survey_id', 'text', (c) => c.notNull())
        .addColumn('person_id', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('team_id', 'text')
        .addColumn('tenure_band', 'text')
        .addColumn('person_kind', 'text')
        .addColumn('account_tier', 'text')
        .addColumn('draft', 'text')
        .addColumn('draft_saved_at', 'bigint')
        .addColumn('responded_at', 'bigint')
        .addColumn('reminded_at', 'bigint')
        .addColumn('reminders', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('survey_invitations_pk', ['workspace_id', 'id'])
        .addUniqueConstraint('survey_invitations_person', ['workspace_id', 'survey_id', 'person_id'])
        .addUniqueConstraint('survey_invitations_token', ['workspace_id', 'token_hash'])
        .execute();
      // A public link names no workspace: the token's hash finds its invitation.
      await db.schema.createIndex('survey_invitations_token_lookup').on('survey_invitations').column('token_hash').execute();
      await db.schema.createIndex('survey_invitations_status').on('survey_invitations').columns(['workspace_id', 'survey_id', 'status']).execute();

      // Responses and answers: on SQLite WITHOUT ROWID, so rows are stored in key order (a
      // random id for anonymous responses), not in the order they were written.
      const withoutRowid = !(db.getExecutor().adapter instanceof PostgresAdapter);
      let responses = db.schema
        .createTable('survey_responses')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('survey_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('person_id', 'text')
        .addColumn('team_id', 'text')
        .addColumn('tenure_band', 'text')
        .addColumn('person_kind', 'text')
        .addColumn('account_tier', 'text')
        .addColumn('submitted_on', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('survey_responses_pk', ['workspace_id', 'survey_id', 'id']);
      if (withoutRowid) responses = responses.modifyEnd(sql`without rowid`);
      await responses.execute();

      let answers = db.schema
        .createTable('survey_answers')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('survey_id', 'text', (c) => c.notNull())
        .addColumn('response_id', 'text', (c) => c.notNull())
        .addColumn('question_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('value_num', 'integer')
        .addColumn('value_text', 'text')
        .addColumn('comment', 'text')
        .addPrimaryKeyConstraint('survey_answers_pk', ['workspace_id', 'survey_id', 'response_id', 'question_id', 'seq']);
      if (withoutRowid) answers = answers.modifyEnd(sql`without rowid`);
      await answers.execute();
      // The report's scan: per question, per value, covered by the index.
      await db.schema.createIndex('survey_answers_values').on('survey_answers').columns(['workspace_id', 'survey_id', 'question_id', 'value_num', 'value_text']).execute();
    },
  },
  // Reports (issue #7): workspace survey settings, and what each response keeps of its own
  // answers for the reports (engagement index, classification, one mean per driver, written at
  // submit), so a report is SQL aggregates over the responses and one GROUP BY over the answers.
  // `released`: 0 while an anonymous survey's live results hold the response back (steps of k).
  '20261215_0100_survey_reports': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('survey_settings')
        .addColumn('workspace_id', 'text', (c) => c.primaryKey().notNull())
        .addColumn('settings', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.alterTable('survey_responses').addColumn('engagement_index', 'double precision').execute();
      await db.schema.alterTable('survey_responses').addColumn('classification', 'text').execute();
      for (const d of NEED_DRIVERS) await db.schema.alterTable('survey_responses').addColumn(driverColumn(d), 'double precision').execute();
      await db.schema.alterTable('survey_responses').addColumn('released', 'integer', (c) => c.notNull().defaultTo(1)).execute();
      // The report's one scan of the responses: GROUP BY the four grouping attributes with sums of
      // the index and the driver means, read from this index alone in its order (no sort, no
      // table lookups). It also serves a filter on the team; the other attributes have their own.
      await db.schema
        .createIndex('survey_responses_cube')
        .on('survey_responses')
        .columns(['workspace_id', 'survey_id', 'team_id', 'tenure_band', 'person_kind', 'account_tier', 'engagement_index', ...NEED_DRIVERS.map(driverColumn)])
        .execute();
      for (const col of ['tenure_band', 'person_kind', 'account_tier'])
        await db.schema.createIndex(`survey_responses_${col}`).on('survey_responses').columns(['workspace_id', 'survey_id', col]).execute();
      // Responses stored before: their scores from their answers (default thresholds).
      const d = db as Kysely<any>;
      const questions = (await d.selectFrom('survey_questions').select(['workspace_id', 'survey_id', 'id', 'type', 'driver']).execute()) as { workspace_id: string; survey_id: string; id: string; type: string; driver: string | null }[];
      const answers = (await d.selectFrom('survey_answers').select(['workspace_id', 'survey_id', 'response_id', 'question_id', 'value_num']).where('value_num', 'is not', null).execute()) as { workspace_id: string; survey_id: string; response_id: string; question_id: string; value_num: number }[];
      const byResponse = new Map<string, { ws: string; survey: string; id: string; answers: Record<string, number> }>();
      for (const a of answers) {
        const key = `${a.workspace_id}/${a.survey_id}/${a.response_id}`;
        const r = byResponse.get(key) ?? { ws: a.workspace_id, survey: a.survey_id, id: a.response_id, answers: {} };
        r.answers[a.question_id] = Number(a.value_num);
        byResponse.set(key, r);
      }
      for (const r of byResponse.values()) {
        const qs = questions.filter((q) => q.workspace_id === r.ws && q.survey_id === r.survey);
        await d.updateTable('survey_responses').set(respondentScores(qs, r.answers, DEFAULT_SURVEY_SETTINGS)).where('workspace_id', '=', r.ws).where('survey_id', '=', r.survey).where('id', '=', r.id).execute();
      }
    },
  },

  // Distribution (issue #7): a reminder schedule, event triggers and a public link. Invitations
  // are rebuilt (SQLite cannot drop a NOT NULL or a table constraint): a public-link invitation
  // has no person, and a triggered survey invites the same contact again after `oncePerDays`, so
  // "one invitation per person" holds only for audience invitations (a partial unique index).
  '20261215_0200_survey_distribution': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('surveys').addColumn('reminder_days', 'text').execute();
      await db.schema.alterTable('surveys').addColumn('next_reminder_at', 'bigint').execute();
      await db.schema.alterTable('surveys').addColumn('public_link_hash', 'text').execute();
      // The scheduler's scan: the surveys whose next reminder fell due, across workspaces.
      await db.schema.createIndex('surveys_next_reminder').on('surveys').column('next_reminder_at').execute();
      // A public link names no workspace: its token's hash finds the survey.
      await db.schema.createIndex('surveys_public_link').on('surveys').column('public_link_hash').execute();

      await db.schema
        .createTable('survey_invitations_v2')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('survey_id', 'text', (c) => c.notNull())
        .addColumn('person_id', 'text')
        .addColumn('token_hash', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('team_id', 'text')
        .addColumn('tenure_band', 'text')
        .addColumn('person_kind', 'text')
        .addColumn('account_tier', 'text')
        .addColumn('draft', 'text')
        .addColumn('draft_saved_at', 'bigint')
        .addColumn('responded_at', 'bigint')
        .addColumn('reminded_at', 'bigint')
        .addColumn('reminders', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('trigger_id', 'text')
        .addColumn('event_id', 'text')
        .addColumn('handled_by', 'text')
        .addPrimaryKeyConstraint('survey_invitations_v2_pk', ['workspace_id', 'id'])
        .addUniqueConstraint('survey_invitations_v2_token', ['workspace_id', 'token_hash'])
        .execute();
      await sql`insert into survey_invitations_v2 (workspace_id, id, survey_id, person_id, token_hash, status, team_id, tenure_band, person_kind, account_tier, draft, draft_saved_at, responded_at, reminded_at, reminders, created_at)
        select workspace_id, id, survey_id, person_id, token_hash, status, team_id, tenure_band, person_kind, account_tier, draft, draft_saved_at, responded_at, reminded_at, reminders, created_at from survey_invitations`.execute(db);
      await db.schema.dropTable('survey_invitations').execute();
      await db.schema.alterTable('survey_invitations_v2').renameTo('survey_invitations').execute();
      await sql`create unique index survey_invitations_audience_person on survey_invitations (workspace_id, survey_id, person_id) where trigger_id is null`.execute(db);
      await db.schema.createIndex('survey_invitations_token_lookup_v2').on('survey_invitations').column('token_hash').execute();
      await db.schema.createIndex('survey_invitations_status_v2').on('survey_invitations').columns(['workspace_id', 'survey_id', 'status']).execute();
      // One invitation per trigger and event, whatever retries the worker makes.
      await db.schema.createIndex('survey_invitations_trigger_event').on('survey_invitations').columns(['workspace_id', 'trigger_id', 'event_id']).unique().execute();

      // Identified and confidential surveys only: the event a response answers and who handled it.
      await db.schema.alterTable('survey_responses').addColumn('event_id', 'text').execute();
      await db.schema.alterTable('survey_responses').addColumn('handled_by', 'text').execute();
      // A person's answers (the customer engagement score); anonymous responses hold no person.
      await db.schema.createIndex('survey_responses_person').on('survey_responses').columns(['workspace_id', 'person_id', 'submitted_on']).execute();

      await db.schema
        .createTable('survey_triggers')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('survey_id', 'text', (c) => c.notNull())
        .addColumn('on_type', 'text', (c) => c.notNull())
        .addColumn('condition', 'text')
        .addColumn('send_to', 'text', (c) => c.notNull())
        .addColumn('handled_by', 'text')
        .addColumn('delay_minutes', 'integer', (c) => c.notNull())
        .addColumn('once_per_days', 'integer', (c) => c.notNull())
        .addColumn('sent', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('survey_triggers_pk', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('survey_triggers_survey').on('survey_triggers').columns(['workspace_id', 'survey_id']).execute();

      // The last invitation a trigger sent each contact: `oncePerDays` is one conditional upsert.
      await db.schema
        .createTable('survey_trigger_contacts')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('trigger_id', 'text', (c) => c.notNull())
        .addColumn('person_id', 'text', (c) => c.notNull())
        .addColumn('last_sent_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('survey_trigger_contacts_pk', ['workspace_id', 'trigger_id', 'person_id'])
        .execute();
    },
  },
};
