// When a participant's message may go out: quiet hours (a daily window in their time zone in
// which non-urgent email waits) and digest slots (daily at 08:00, weekly on Monday at 08:00,
// their time). Croner does the calendar arithmetic, daylight-saving changes included.
import { Cron } from 'croner';

export const FREQUENCIES = ['immediate', 'daily', 'weekly'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

/** A daily window, "HH:MM" to "HH:MM" local time; it may cross midnight (21:00 → 07:00). */
export interface QuietHours {
  start: string;
  end: string;
}

/** The hour digests go out, local time. */
export const DIGEST_HOUR = 8;

const DIGEST_PATTERNS: Record<Exclude<Frequency, 'immediate'>, string> = {
  daily: `0 ${DIGEST_HOUR} * * *`,
  weekly: `0 ${DIGEST_HOUR} * * 1`,
};

const crons = new Map<string, Cron>();
/** Croner jobs kept per (pattern, zone): built once, only ever asked for their next run. */
function cron(pattern: string, timezone: string): Cron {
  const key = `${pattern}|${timezone}`;
  let c = crons.get(key);
  if (!c) {
    c = new Cron(pattern, { timezone, paused: true });
    crons.set(key, c);
  }
  return c;
}

const nextAt = (pattern: string, timezone: string, now: number) => cron(pattern, timezone).nextRun(new Date(now))!.getTime();

const formats = new Map<string, Intl.DateTimeFormat>();
/** Minutes since local midnight in a zone. */
export function localMinutes(timezone: string, now: number): number {
  let f = formats.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formats.set(timezone, f);
  }
  const parts = f.formatToParts(new Date(now));
  const hour = Number(parts.find((p) => p.type === 'hour')!.value);
  const minute = Number(parts.find((p) => p.type === 'minute')!.value);
  return hour * 60 + minute;
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Whether `now` falls inside the window, in that zone. */
export function inQuietHours(q: QuietHours, timezone: string, now: number): boolean {
  const m = localMinutes(timezone, now);
  const s = minutesOf(q.start);
  const e = minutesOf(q.end);
  return s < e ? m >= s && m < e : m >= s || m < e;
}

/** When email may go out: now, or the window's end when now is inside it. */
export function sendAfter(q: QuietHours | null, timezone: string, now: number): number {
  if (!q || !inQuietHours(q, timezone, now)) return now;
  const [h, m] = q.end.split(':').map(Number);
  return nextAt(`${m} ${h} * * *`, timezone, now);
}

/** The digest a message made now belongs to: the next slot of that frequency, local time. */
export const digestDueAt = (frequency: Exclude<Frequency, 'immediate'>, timezone: string, now: number) => nextAt(DIGEST_PATTERNS[frequency], timezone, now);
