// Types mirroring the Tandem HTTP API (/api/v1). JSON is camelCase; times are ISO strings.

export type Role = 'owner' | 'admin' | 'program_manager' | 'manager' | 'analyst' | 'participant' | 'integration';
export const ROLES: Role[] = ['owner', 'admin', 'program_manager', 'manager', 'analyst', 'participant', 'integration'];

export type Permission =
  | 'workspace.read'
  | 'workspace.manage'
  | 'org.read'
  | 'people.read'
  | 'org.write'
  | 'people.erase'
  | 'users.manage'
  | 'keys.manage'
  | 'audit.read';

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface FieldError {
  path: string;
  message: string;
}

/** An application/problem+json answer. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldError[];
}

export interface WorkspaceSummary {
  id: string;
  name: string;
  slug: string;
  role: Role;
}

export interface Session {
  kind: 'session' | 'api_key';
  user: { id: string; email: string; name: string; isInstanceOwner: boolean } | null;
  workspace: { id: string; name: string; slug: string; pointsLabel: string; timezone: string };
  role: Role;
  personId: string | null;
  workspaces: WorkspaceSummary[];
  csrfToken: string | null;
  permissions: Permission[];
}

export interface Workspace {
  id: string;
  name: string;
  slug: string;
  timezone: string;
  locale: string;
  pointsLabel: string;
  anonymityThreshold: number;
  /** months after which earned points expire; null: never (absent on servers before the ledger) */
  pointsExpireMonths?: number | null;
  createdAt: string;
  updatedAt: string;
}
export type UpdateWorkspace = Partial<Pick<Workspace, 'name' | 'timezone' | 'locale' | 'pointsLabel' | 'anonymityThreshold' | 'pointsExpireMonths'>>;

export type Status = 'active' | 'inactive';
export type PersonKind = 'employee' | 'customer' | 'partner';
export type AccountKind = 'customer' | 'partner';
export type AssignmentRole = 'account_manager' | 'sales' | 'support' | 'success';
export type AttributeValue = string | number | boolean | null;

export interface Team {
  id: string;
  externalId: string | null;
  name: string;
  parentId: string | null;
  managerId: string | null;
  memberCount: number;
  createdAt: string;
  updatedAt: string;
}
export interface CreateTeam {
  name: string;
  externalId?: string | null;
  parentId?: string | null;
  managerId?: string | null;
}
export type PatchTeam = Partial<CreateTeam>;

export interface Person {
  id: string;
  kind: PersonKind;
  externalId: string;
  name: string | null;
  email: string | null;
  teamId: string | null;
  accountId: string | null;
  hireDate: string | null;
  status: Status;
  attributes: Record<string, unknown>;
  locale: string | null;
  timezone: string | null;
  erasedAt: string | null;
  createdAt: string;
  updatedAt: string;
}
export interface CreatePerson {
  kind: PersonKind;
  externalId: string;
  name: string;
  email?: string | null;
  teamId?: string | null;
  accountId?: string | null;
  hireDate?: string | null;
  status?: Status;
  attributes?: Record<string, AttributeValue>;
}
export type PatchPerson = Partial<CreatePerson>;
export interface PeopleQuery {
  q?: string;
  kind?: PersonKind;
  teamId?: string;
  accountId?: string;
  status?: Status;
  limit?: number;
  cursor?: string;
}

export interface Account {
  id: string;
  kind: AccountKind;
  externalId: string;
  name: string;
  tier: string | null;
  region: string | null;
  status: Status;
  attributes: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}
export interface CreateAccount {
  kind: AccountKind;
  externalId: string;
  name: string;
  tier?: string | null;
  region?: string | null;
  status?: Status;
  attributes?: Record<string, AttributeValue>;
}
export type PatchAccount = Partial<CreateAccount>;
export interface AccountsQuery {
  q?: string;
  kind?: AccountKind;
  tier?: string;
  region?: string;
  status?: Status;
  limit?: number;
  cursor?: string;
}

export interface Assignment {
  id: string;
  externalId: string | null;
  personId: string;
  accountId: string;
  role: AssignmentRole;
  createdAt: string;
  updatedAt: string;
}
export interface CreateAssignment {
  personId: string;
  accountId: string;
  role: AssignmentRole;
}

export interface Me {
  person: Person | null;
  team: Team | null;
  account: Account | null;
}

export type ImportKind = 'teams' | 'people' | 'accounts' | 'assignments';
export type RowStatus = 'created' | 'updated' | 'unchanged' | 'rejected';
export interface ImportResult {
  summary: { created: number; updated: number; unchanged: number; rejected: number };
  rows: { row: number; externalId: string | null; status: RowStatus; id: string | null; code?: string; errors: FieldError[] }[];
}

export interface ApiKey {
  id: string;
  name: string;
  role: Role;
  workspaceId: string;
  personId: string | null;
  hint: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}
export interface CreateApiKey {
  name: string;
  role: Role;
  personId?: string | null;
  expiresAt?: string | null;
}
export type CreatedApiKey = ApiKey & { key: string };

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  personId: string | null;
  createdAt: string;
}
export interface CreateUser {
  email: string;
  name?: string;
  role: Exclude<Role, 'integration'>;
  personId?: string | null;
  password?: string;
}
export type CreatedUser = User & { generatedPassword?: string };
export type PatchUser = Partial<{ name: string; role: Exclude<Role, 'integration'>; personId: string | null }>;
