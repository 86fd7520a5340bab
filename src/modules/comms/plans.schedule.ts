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

const DAYS: Record<string, string> = { '0': 'Sunday', '1': 'Monday', '2': 'Tuesday', '3': 'Wednesday', '4': 'Thursday', '5': 'Friday', '6': 'Saturday', '7': 'Sunday', SUN: 'Sunday', MON: 'Monday', TUE: 'Tuesday', WED: 'Wednesday', THU: 'Thursday', FRI: 'Friday', SAT: 'Saturday' };
const ordinal = (n: number) => `${n}${n % 10 === 1 && n !== 11 ? 'st' : n % 10 === 2 && n !== 12 ? 'nd' : n % 10 === 3 && n !== 13 ? 'rd' : 'th'}`;

/** A cron expression in words for the common shapes ("Every Monday at 09:00"), else null. */
export function cronInWords(expr: string): string | null {
  const f = expr.trim().toUpperCase().split(/\s+/);
  const nick: Record<string, string> = { '@DAILY': 'Every day at 00:00', '@MIDNIGHT': 'Every day at 00:00', '@WEEKLY': 'Every Sunday at 00:00', '@MONTHLY': 'The 1st of every month at 00:00', '@YEARLY': 'Every 1 January at 00:00', '@ANNUALLY': 'Every 1 January at 00:00', '@HOURLY': 'Every hour' };
  if (f.length === 1) return nick[f[0]!] ?? null;
  if (f.length !== 5) return null;
  const [mi, h, dom, mon, dow] = f as [string, string, string, string, string];
  if (!/^\d{1,2}$/.test(mi) || !/^\d{1,2}$/.test(h) || mon !== '*') return null;
  const at = `at ${h.padStart(2, '0')}:${mi.padStart(2, '0')}`;
  if (dom === '*' && dow === '*') return `Every day ${at}`;
  if (dom === '*' && (dow === '1-5' || dow === 'MON-FRI')) return `Every weekday ${at}`;
  if (dom === '*' && dow.split(',').every((d) => d in DAYS)) {
    const names = dow.split(',').map((d) => DAYS[d]!);
    return `Every ${names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names[0]} ${at}`;
  }
  if (dow === '*' && dom.split(',').every((d) => /^\d{1,2}$/.test(d) && Number(d) >= 1 && Number(d) <= 31)) {
    const days = dom.split(',').map((d) => ordinal(Number(d)));
    return `The ${days.length > 1 ? `${days.slice(0, -1).join(', ')} and ${days[days.length - 1]}` : days[0]} of every month ${at}`;
  }
  return null;
}
