/** An entry of a program's communication plan: what is sent to its audience, and when. */
export interface CommPlanEntriesTable {
  workspace_id: string;
  /** cpe_… */
  id: string;
  program_id: string;
  kind: 'launch' | 'progress' | 'ending_reminder' | 'custom';
  name: string;
  /** a cron expression read in the workspace's time zone (recurring), or null */
  cron: string | null;
  /** a one-off time, or null */
  send_at: number | null;
  /** ending_reminder: how many days before the program's end */
  days_before_end: number | null;
  /** custom: the announcement's subject and text (with {{variables}}) */
  subject: string | null;
  text: string | null;
  enabled: number;
  /** the due time of the next run (null: none planned, or a launch waiting for activation) */
  next_run_at: number | null;
  last_run_at: number | null;
  last_recipients: number | null;
  created_by: string;
  created_at: number;
  updated_at: number;
}

/** One run of an entry; unique per entry and due time, which is how two workers never send a run twice. */
export interface CommPlanRunsTable {
  workspace_id: string;
  /** cpr_… */
  id: string;
  entry_id: string;
  program_id: string;
  /** the scheduled time (0 for a launch sent on activation) */
  due_at: number;
  trigger: 'schedule' | 'activation' | 'manual';
  status: 'sent' | 'skipped';
  recipients: number;
  reason: string | null;
  created_at: number;
}

/** A program's cadence target and the monitor's memory (so an alert is sent once, not per check). */
export interface CadenceSettingsTable {
  workspace_id: string;
  program_id: string;
  window_days: number;
  /** the target share in basis points (8000 = 80%) */
  target_bp: number;
  /** JSON array of person ids to alert; empty: the people linked to staff memberships */
  alert_person_ids: string;
  /** when the share was last seen falling under the target (null: at or above it) */
  below_since: number | null;
  last_alert_at: number | null;
  updated_at: number;
}

export interface PlansTables {
  comm_plan_entries: CommPlanEntriesTable;
  comm_plan_runs: CommPlanRunsTable;
  cadence_settings: CadenceSettingsTable;
}
