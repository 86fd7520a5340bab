import type { AssignmentRole, PersonKind, Role, RowStatus } from '../api/types';

export const ROLE_LABELS: Record<Role, string> = {
  owner: 'Owner',
  admin: 'Admin',
  program_manager: 'Program manager',
  manager: 'Manager',
  analyst: 'Analyst',
  participant: 'Participant',
  integration: 'Integration',
};

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  owner: 'Everything, including users, keys and erasure',
  admin: 'Everything, including users, keys and erasure',
  program_manager: 'Runs programs; edits people, teams and accounts',
  manager: 'Sees the teams they manage',
  analyst: 'Reads teams and accounts for analysis',
  participant: 'Sees their own page',
  integration: 'Pushes data from another system (CRM, HR, helpdesk)',
};

export const KIND_LABELS: Record<PersonKind, string> = { employee: 'Employee', customer: 'Customer contact', partner: 'Partner rep' };
export const KIND_COLORS: Record<PersonKind, string> = { employee: 'indigo', customer: 'teal', partner: 'grape' };

export const ASSIGNMENT_ROLE_LABELS: Record<AssignmentRole, string> = {
  account_manager: 'Account manager',
  sales: 'Sales',
  support: 'Support',
  success: 'Customer success',
};

export const ROW_STATUS_COLORS: Record<RowStatus, string> = { created: 'green', updated: 'blue', unchanged: 'gray', rejected: 'red' };

const dateFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/** "12 Mar 2026" for an ISO time or a YYYY-MM-DD date; "—" for none. */
export function formatDate(v: string | null | undefined) {
  if (!v) return '—';
  const d = /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(`${v}T12:00:00`) : new Date(v);
  return Number.isNaN(d.getTime()) ? v : dateFmt.format(d);
}

export function formatDateTime(v: string | null | undefined) {
  if (!v) return '—';
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? v : dateTimeFmt.format(d);
}

/** "3 minutes", "1 hour 5 minutes" for a number of seconds. */
export function formatDuration(seconds: number) {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const m = Math.ceil(seconds / 60);
  if (m < 60) return `${m} minute${m === 1 ? '' : 's'}`;
  const h = Math.floor(m / 60);
  const rest = m % 60;
  return `${h} hour${h === 1 ? '' : 's'}${rest ? ` ${rest} minute${rest === 1 ? '' : 's'}` : ''}`;
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

/** "1,250" */
export const formatNumber = (n: number, maxFractionDigits = 0) => n.toLocaleString(undefined, { maximumFractionDigits: maxFractionDigits });

/** "1,250 points" with the workspace's label ("1 point" for one when the label ends in s). */
export function formatPoints(n: number, label = 'points') {
  const one = Math.abs(n) === 1 && label.endsWith('s') ? label.slice(0, -1) : label;
  return `${formatNumber(n)} ${one}`;
}

/** An amount in minor units as money: formatMoney(123456, 'USD') → "$1,234.56". */
export function formatMoney(cents: number, currency: string) {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency}`;
  }
}

/** "42%" or "42.5%"; "—" for none. */
export const formatPercent = (n: number | null | undefined, digits = 1) => (n == null || !Number.isFinite(n) ? '—' : `${n.toLocaleString(undefined, { maximumFractionDigits: digits })}%`);

/** A YYYY-MM-DD string for a date input, in the browser's time zone. */
export function toDateInput(d: Date) {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The start of a date-input day (local time) as an ISO time; `endOfDay` gives the next midnight. */
export function dateInputToIso(v: string, endOfDay = false) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return undefined;
  const d = new Date(`${v}T00:00:00`);
  if (Number.isNaN(d.getTime())) return undefined;
  if (endOfDay) d.setDate(d.getDate() + 1);
  return d.toISOString();
}
