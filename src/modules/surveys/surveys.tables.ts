/** A survey: what it asks, of whom, when, and how private its answers are. */
export interface SurveysTable {
  workspace_id: string;
  id: string;
  title: string;
  description: string;
  kind: 'engagement' | 'pulse' | 'enps' | 'nps' | 'csat' | 'partner' | 'internal';
  privacy: 'anonymous' | 'confidential' | 'identified';
  status: 'draft' | 'open' | 'closed';
  locale: string;
  /** JSON: an audience as programs judge theirs ({} is everyone) */
  audience: string;
  /** the template it started from, if any */
  template: string | null;
  opens_at: number | null;
  closes_at: number | null;
  opened_at: number | null;
  closed_at: number | null;
  invited_count: number;
  response_count: number;
  last_reminded_at: number | null;
  /** JSON array of days after opening on which non-responders are reminded, or null */
  reminder_days: string | null;
  /** when the next scheduled reminder falls due (null: none left); claimed by a conditional update */
  next_reminder_at: number | null;
  /** SHA-256 of the public link's token while the link is on (anonymous surveys only) */
  public_link_hash: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
}

/** A question; locked once the survey opens (answers must keep meaning what they meant). */
export interface SurveyQuestionsTable {
  workspace_id: string;
  survey_id: string;
  /** q_… unique within the survey (display logic names it) */
  id: string;
  position: number;
  type: 'agreement' | 'likelihood' | 'csat' | 'single_choice' | 'multiple_choice' | 'text';
  text: string;
  help: string | null;
  required: number;
  /** JSON array of { value, label } for choice questions, else null */
  options: string | null;
  /** JSON { question, in: [...] } or null */
  show_if: string | null;
  driver: string | null;
}

/**
 * One per person invited. The token is stored hashed (SHA-256). For an anonymous survey the
 * invitation is the only place the person appears; the response copies only the grouping
 * attributes and never names the invitation, and `responded_at` stays null (the flag says it).
 */
export interface SurveyInvitationsTable {
  workspace_id: string;
  id: string;
  survey_id: string;
  /** null for an invitation made by the public link (nobody was invited) */
  person_id: string | null;
  token_hash: string;
  status: 'pending' | 'responded';
  team_id: string | null;
  tenure_band: string | null;
  person_kind: string | null;
  account_tier: string | null;
  /** JSON of saved answers (resume later); cleared on submit */
  draft: string | null;
  draft_saved_at: number | null;
  /** confidential and identified surveys only */
  responded_at: number | null;
  reminded_at: number | null;
  reminders: number;
  created_at: number;
  /** the trigger that sent it (event-triggered surveys), its event and who handled that event */
  trigger_id: string | null;
  event_id: string | null;
  handled_by: string | null;
}

/**
 * A submitted response. Anonymous: a random (not time-ordered) id, `submitted_on` rounded to
 * the UTC day, `person_id` null, no invitation id. Grouping attributes as captured at invitation.
 */
export interface SurveyResponsesTable {
  workspace_id: string;
  survey_id: string;
  id: string;
  person_id: string | null;
  team_id: string | null;
  tenure_band: string | null;
  person_kind: string | null;
  account_tier: string | null;
  /** epoch ms: the UTC day for anonymous surveys, the moment otherwise */
  submitted_on: number;
  /** computed at submit (scores.ts respondentScores): mean of the engagement items scaled 0–100 */
  engagement_index: number | null;
  classification: 'engaged' | 'not_engaged' | 'actively_disengaged' | null;
  /** the respondent's mean of the agreement items of each driver */
  d_competence: number | null;
  d_autonomy: number | null;
  d_social_value: number | null;
  d_management: number | null;
  d_recognition: number | null;
  d_growth: number | null;
  /** 0 while the live results of an open anonymous survey hold it back (released in steps of k) */
  released: number;
  /** identified and confidential surveys sent by a trigger: the event answered and the person who handled it */
  event_id: string | null;
  handled_by: string | null;
}

/** An event trigger: when an accepted event of `on_type` arrives (and `condition` holds), invite a contact. */
export interface SurveyTriggersTable {
  workspace_id: string;
  id: string;
  survey_id: string;
  on_type: string;
  /** JSON rule condition or null */
  condition: string | null;
  /** JSON: 'person' or { property } */
  send_to: string;
  /** JSON: 'person', { property } or null */
  handled_by: string | null;
  delay_minutes: number;
  once_per_days: number;
  sent: number;
  created_at: number;
}

export interface SurveyTriggerContactsTable {
  workspace_id: string;
  trigger_id: string;
  person_id: string;
  last_sent_at: number;
}

/**
 * One row per answered value: a scale answer holds `value_num`, a choice one row per chosen
 * option in `value_text`, free text in `comment`. Reports GROUP BY (question_id, value_num) or
 * (question_id, value_text) over the survey's index without touching the responses.
 */
export interface SurveyAnswersTable {
  workspace_id: string;
  survey_id: string;
  response_id: string;
  question_id: string;
  /** 0, 1 … for the options of one multiple-choice answer; 0 otherwise */
  seq: number;
  value_num: number | null;
  value_text: string | null;
  comment: string | null;
}

export interface SurveysTables {
  surveys: SurveysTable;
  survey_questions: SurveyQuestionsTable;
  survey_invitations: SurveyInvitationsTable;
  survey_responses: SurveyResponsesTable;
  survey_answers: SurveyAnswersTable;
  survey_triggers: SurveyTriggersTable;
  survey_trigger_contacts: SurveyTriggerContactsTable;
}
