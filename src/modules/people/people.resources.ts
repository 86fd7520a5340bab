import { toIso } from '../../core/clock.js';
import type { FieldError } from '../../core/errors.js';
import type { IdPrefix } from '../../core/ids.js';
import type { Row, Table } from './people.repository.js';

/** A reference from one record to another, given by id or by external id. */
export interface RefSpec {
  input: string; // teamId
  extInput: string; // teamExternalId
  column: string; // team_id
  table: Table;
  noun: string;
}

export interface ResourceSpec {
  table: Table;
  prefix: IdPrefix;
  noun: string;
  auditType: string;
  refs: RefSpec[];
  /** input field → column, for plain fields */
  columns: Record<string, string>;
  /** column defaults a replace (PUT, batch) starts from */
  defaults: Record<string, unknown>;
  externalIdRequired: boolean;
  /** cross-field rules on the resulting row, given the rows it refers to */
  check(row: Row, refRow: (table: Table, id: unknown) => Row | undefined): FieldError[];
  toApi(row: Row): Record<string, unknown>;
  search: string[];
  /** columns that together identify a record besides its ids (checked before writing) */
  naturalKey?: string[];
  /** columns whose copies in the audit log are scrubbed on erasure */
  personal?: string[];
}

const json = (v: unknown) => (typeof v === 'string' ? (JSON.parse(v) as Record<string, unknown>) : ((v ?? {}) as Record<string, unknown>));
const times = (r: Row) => ({ createdAt: toIso(r.created_at as number)!, updatedAt: toIso(r.updated_at as number)! });

export const teamsSpec: ResourceSpec = {
  table: 'teams',
  prefix: 'tea',
  noun: 'Team',
  auditType: 'team',
  refs: [
    { input: 'parentId', extInput: 'parentExternalId', column: 'parent_id', table: 'teams', noun: 'parent team' },
    { input: 'managerId', extInput: 'managerExternalId', column: 'manager_id', table: 'people', noun: 'manager' },
  ],
  columns: { name: 'name' },
  defaults: { parent_id: null, manager_id: null },
  externalIdRequired: false,
  check(row, ref) {
    const errs: FieldError[] = [];
    const m = ref('people', row.manager_id);
    if (m && m.kind !== 'employee') errs.push({ path: 'managerId', message: 'a manager must be an employee' });
    if (row.parent_id && row.parent_id === row.id) errs.push({ path: 'parentId', message: 'a team cannot be its own parent' });
    return errs;
  },
  toApi: (r) => ({ id: r.id, externalId: r.external_id, name: r.name, parentId: r.parent_id, managerId: r.manager_id, memberCount: (r.member_count) ?? 0, ...times(r) }),
  search: ['name', 'external_id'],
};

export const accountsSpec: ResourceSpec = {
  table: 'accounts',
  prefix: 'acc',
  noun: 'Account',
  auditType: 'account',
  refs: [],
  columns: { kind: 'kind', name: 'name', tier: 'tier', region: 'region', status: 'status', attributes: 'attributes' },
  defaults: { tier: null, region: null, status: 'active', attributes: '{}' },
  externalIdRequired: true,
  check: () => [],
  toApi: (r) => ({ id: r.id, kind: r.kind, externalId: r.external_id, name: r.name, tier: r.tier, region: r.region, status: r.status, attributes: json(r.attributes), ...times(r) }),
  search: ['name', 'external_id'],
};

export const peopleSpec: ResourceSpec = {
  table: 'people',
  prefix: 'per',
  noun: 'Person',
  auditType: 'person',
  refs: [
    { input: 'teamId', extInput: 'teamExternalId', column: 'team_id', table: 'teams', noun: 'team' },
    { input: 'accountId', extInput: 'accountExternalId', column: 'account_id', table: 'accounts', noun: 'account' },
  ],
  columns: { kind: 'kind', name: 'name', email: 'email', hireDate: 'hire_date', status: 'status', attributes: 'attributes', locale: 'locale', timezone: 'timezone' },
  defaults: { email: null, team_id: null, account_id: null, hire_date: null, status: 'active', attributes: '{}', locale: null, timezone: null },
  externalIdRequired: true,
  check(row, ref) {
    const errs: FieldError[] = [];
    if (row.kind === 'employee') {
      if (row.account_id) errs.push({ path: 'accountId', message: 'an employee belongs to a team, not an account (use an assignment)' });
    } else {
      if (row.team_id) errs.push({ path: 'teamId', message: `a ${String(row.kind)} belongs to an account, not a team` });
      if (row.hire_date) errs.push({ path: 'hireDate', message: 'only employees have a hire date' });
      const acc = ref('accounts', row.account_id);
      if (!row.account_id) errs.push({ path: 'accountId', message: `a ${String(row.kind)} needs the account they belong to` });
      else if (acc && acc.kind !== row.kind) errs.push({ path: 'accountId', message: `a ${String(row.kind)} belongs to a ${String(row.kind)} account, not a ${String(acc.kind)} one` });
    }
    return errs;
  },
  toApi: (r) => ({
    id: r.id,
    kind: r.kind,
    externalId: r.external_id,
    name: r.name,
    email: r.email,
    teamId: r.team_id,
    accountId: r.account_id,
    hireDate: r.hire_date,
    status: r.status,
    attributes: json(r.attributes),
    locale: r.locale,
    timezone: r.timezone,
    erasedAt: toIso(r.erased_at as number | null),
    ...times(r),
  }),
  search: ['name', 'email', 'external_id'],
  personal: ['name', 'email', 'attributes', 'locale', 'timezone'],
};

export const assignmentsSpec: ResourceSpec = {
  table: 'assignments',
  prefix: 'asg',
  noun: 'Assignment',
  auditType: 'assignment',
  refs: [
    { input: 'personId', extInput: 'personExternalId', column: 'person_id', table: 'people', noun: 'person' },
    { input: 'accountId', extInput: 'accountExternalId', column: 'account_id', table: 'accounts', noun: 'account' },
  ],
  columns: { role: 'role' },
  defaults: {},
  externalIdRequired: false,
  check(row, ref) {
    const errs: FieldError[] = [];
    const p = ref('people', row.person_id);
    if (!row.person_id) errs.push({ path: 'personId', message: 'required' });
    else if (p && p.kind !== 'employee') errs.push({ path: 'personId', message: 'only employees serve accounts' });
    if (!row.account_id) errs.push({ path: 'accountId', message: 'required' });
    if (!row.role) errs.push({ path: 'role', message: 'required' });
    return errs;
  },
  toApi: (r) => ({ id: r.id, externalId: r.external_id, personId: r.person_id, accountId: r.account_id, role: r.role, ...times(r) }),
  search: ['external_id'],
  naturalKey: ['person_id', 'account_id', 'role'],
};

export const SPECS = { teams: teamsSpec, people: peopleSpec, accounts: accountsSpec, assignments: assignmentsSpec } as const;
