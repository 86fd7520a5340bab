/** Calendar arithmetic in a workspace's time zone, for rule facts and cap periods. */

const formatters = new Map<string, Intl.DateTimeFormat>();
function partsFormatter(tz: string) {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'short' });
    formatters.set(tz, f);
  }
  return f;
}

export interface LocalTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  dayOfWeek: number; // 1 = Monday … 7 = Sunday (ISO)
  date: string; // YYYY-MM-DD
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

export function localTime(ms: number, tz: string): LocalTime {
  const p: Record<string, string> = {};
  for (const part of partsFormatter(tz).formatToParts(new Date(ms))) p[part.type] = part.value;
  const year = Number(p.year);
  const month = Number(p.month);
  const day = Number(p.day);
  return {
    year,
    month,
    day,
    hour: Number(p.hour),
    minute: Number(p.minute),
    second: Number(p.second),
    dayOfWeek: WEEKDAYS[p.weekday!]!,
    date: `${p.year}-${p.month}-${p.day}`,
  };
}

/** The UTC instant of a local wall-clock time in tz (the earlier one across a DST fold). */
export function fromLocal(tz: string, year: number, month: number, day: number): number {
  const wall = Date.UTC(year, month - 1, day);
  let t = wall;
  for (let i = 0; i < 3; i++) {
    const l = localTime(t, tz);
    const asUtc = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
    const offset = asUtc - t;
    const next = wall - offset;
    if (next === t) break;
    t = next;
  }
  return t;
}

export type Period = 'day' | 'week' | 'month' | 'quarter' | 'year' | 'program';

/** [from, to) of the calendar period holding ms, in tz. */
export function periodOf(ms: number, period: Period, tz: string): { from: number; to: number } {
  if (period === 'program') return { from: 0, to: Number.MAX_SAFE_INTEGER };
  const l = localTime(ms, tz);
  const startDate = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d));
  let s: Date;
  let e: Date;
  switch (period) {
    case 'day':
      s = startDate(l.year, l.month, l.day);
      e = startDate(l.year, l.month, l.day + 1);
      break;
    case 'week':
      s = startDate(l.year, l.month, l.day - (l.dayOfWeek - 1));
      e = startDate(l.year, l.month, l.day - (l.dayOfWeek - 1) + 7);
      break;
    case 'month':
      s = startDate(l.year, l.month, 1);
      e = startDate(l.year, l.month + 1, 1);
      break;
    case 'quarter': {
      const q = Math.floor((l.month - 1) / 3) * 3 + 1;
      s = startDate(l.year, q, 1);
      e = startDate(l.year, q + 3, 1);
      break;
    }
    case 'year':
      s = startDate(l.year, 1, 1);
      e = startDate(l.year + 1, 1, 1);
      break;
  }
  return {
    from: fromLocal(tz, s.getUTCFullYear(), s.getUTCMonth() + 1, s.getUTCDate()),
    to: fromLocal(tz, e.getUTCFullYear(), e.getUTCMonth() + 1, e.getUTCDate()),
  };
}
