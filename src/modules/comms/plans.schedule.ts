// When a communication plan's entries run: cron expressions read by croner in the workspace's
// time zone. Pure functions (no database), so the rules are tested alone.
import { Cron } from 'croner';

/** Participants are not messaged more often than this by one entry (a typo like `* * * * *` would message them every minute). */
export const MIN_INTERVAL_MS = 3600_000;
const NICKNAMES = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/**
 * Why a cron expression cannot be a plan's schedule, or null when it can: five fields
 * (minute hour day-of-month month day-of-week, as crontab) or a nickname such as `@weekly`,
 * and at least an hour between runs.
 */
export function cronProblem(expr: string, timezone: string): string | null {
  const text = expr.trim();
  const fields = text.split(/\s+/);
  if (!NICKNAMES.has(text.toLowerCase()) && fields.length !== 5) return 'five fields are needed: minute hour day-of-month month day-of-week (for example "0 9 * * MON"), or @daily, @weekly, @monthly';
  let runs: Date[];
  try {
    runs = new Cron(text, { timezone, paused: true }).nextRuns(6, new Date(Date.UTC(2026, 0, 1)));
  } catch (err) {
    return String((err as Error).message ?? err).replace(/^CronPattern: /, '').slice(0, 200);
  }
  if (!runs.length) return 'the schedule never runs';
  for (let i = 1; i < runs.length; i++) if (runs[i]!.getTime() - runs[i - 1]!.getTime() < MIN_INTERVAL_MS) return 'runs more than once an hour; participants are messaged at most hourly by one entry';
  return null;
}

/** The next `n` runs strictly after `after` (epoch ms), in the time zone; [] for a schedule that never runs again. */
export function nextRuns(expr: string, timezone: string, after: number, n: number): number[] {
  try {
    return new Cron(expr.trim(), { timezone, paused: true }).nextRuns(n, new Date(after)).map((d) => d.getTime());
  } catch {
    return [];
  }
}

export const nextRun = (expr: string, timezone: string, after: number): number | null => nextRuns(expr, timezone, after, 1)[0] ?? null;

/** A date as the workspace reads it: "Monday 7 December 2026, 09:00 (Europe/Berlin)". */
export function localLabel(ms: number, timezone: string, withTime = true): string {
  const f = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } : {}) });
  return f.format(new Date(ms)).replace(' at ', ', ');
}
