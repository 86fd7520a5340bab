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
