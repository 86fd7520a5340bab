import type { Kysely } from 'kysely';
import type { AnyDb } from '../../core/db/db.js';
import { AppError, type FieldError } from '../../core/errors.js';
import type { TSurveySettings } from './reports.schema.js';

/**
 * Workspace survey settings (issue #7): the anonymity thresholds, the engagement classification
 * thresholds and the customer engagement score's weights. One JSON row per workspace in
 * `survey_settings`; a workspace without a row has the defaults. docs/scoring.md.
 */
export const DEFAULT_SURVEY_SETTINGS: TSurveySettings = {
  k: 5,
  commentK: 10,
  engagedAtOrAbove: 75,
  activelyDisengagedBelow: 40,
  customerScore: {
    weights: { sentiment: 0.4, recency: 0.2, frequency: 0.2, participation: 0.2 },
    recencyHalfLifeDays: 30,
    frequencyTargetPer90Days: 6,
  },
};

export interface SurveySettingsTable {
  workspace_id: string;
  /** JSON TSurveySettings */
  settings: string;
  updated_at: number;
}
type Db = Kysely<{ survey_settings: SurveySettingsTable }>;

/**
 * The settings in force in a workspace (the defaults where none were saved). Other modules read
 * them through this function (the customer engagement score reads `customerScore`).
 */
export async function surveySettings(db: AnyDb, workspaceId: string): Promise<TSurveySettings> {
  const row = await (db as unknown as Db).selectFrom('survey_settings').select('settings').where('workspace_id', '=', workspaceId).executeTakeFirst();
  if (!row) return structuredClone(DEFAULT_SURVEY_SETTINGS);
  const saved = JSON.parse(row.settings) as Partial<TSurveySettings>;
  return { ...structuredClone(DEFAULT_SURVEY_SETTINGS), ...saved };
}

/** What the schema alone cannot check: weights summing to 1, thresholds in order. 400 naming the field. */
export function checkSurveySettings(s: TSurveySettings) {
  const errors: FieldError[] = [];
  const w = s.customerScore.weights;
  const sum = w.sentiment + w.recency + w.frequency + w.participation;
  if (Math.abs(sum - 1) > 1e-9) errors.push({ path: 'customerScore.weights', message: `must sum to 1 (they sum to ${Math.round(sum * 1e6) / 1e6})` });
  if (!(s.activelyDisengagedBelow < s.engagedAtOrAbove)) errors.push({ path: 'activelyDisengagedBelow', message: `must be below engagedAtOrAbove (${s.engagedAtOrAbove})` });
  if (errors.length) throw new AppError('validation_failed', { detail: errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors });
}

export async function saveSurveySettings(db: AnyDb, workspaceId: string, s: TSurveySettings, now: number) {
  const row = { workspace_id: workspaceId, settings: JSON.stringify(s), updated_at: now };
  await (db as unknown as Db).insertInto('survey_settings').values(row).onConflict((oc) => oc.column('workspace_id').doUpdateSet({ settings: row.settings, updated_at: now })).execute();
}
