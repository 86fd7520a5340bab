import { api, listAll, request } from './client';
import type {
  Account,
  AccountsQuery,
  ApiKey,
  Assignment,
  CreateAccount,
  CreateApiKey,
  CreateAssignment,
  CreatedApiKey,
  CreatedUser,
  CreatePerson,
  CreateTeam,
  CreateUser,
  ImportKind,
  ImportResult,
  Me,
  Page,
  PatchAccount,
  PatchPerson,
  PatchTeam,
  PatchUser,
  PeopleQuery,
  Person,
  Session,
  Team,
  UpdateWorkspace,
  User,
  Workspace,
} from './types';

const V1 = '/api/v1';
const enc = encodeURIComponent;

export const sessionApi = {
  get: () => api.get<Session>(`${V1}/session`),
  signIn: (body: { email: string; password: string; workspaceId?: string }) => api.post<void>(`${V1}/session`, body),
  signOut: () => api.del<void>(`${V1}/session`),
  signOutEverywhere: () => api.post<void>(`${V1}/session/sign-out-everywhere`),
  switchWorkspace: (workspaceId: string) => api.post<Session>(`${V1}/session/workspace`, { workspaceId }),
};

export const workspaceApi = {
  get: () => api.get<Workspace>(`${V1}/workspace`),
  update: (body: UpdateWorkspace) => api.patch<Workspace>(`${V1}/workspace`, body),
};

export const teamsApi = {
  all: () => listAll<Team>(`${V1}/teams`),
  get: (id: string) => api.get<Team>(`${V1}/teams/${enc(id)}`),
  create: (body: CreateTeam) => api.post<Team>(`${V1}/teams`, body),
  update: (id: string, body: PatchTeam) => api.patch<Team>(`${V1}/teams/${enc(id)}`, body),
  remove: (id: string) => api.del<void>(`${V1}/teams/${enc(id)}`),
};

export const peopleApi = {
  list: (q: PeopleQuery) => api.get<Page<Person>>(`${V1}/people`, { ...q }),
  all: (q: Omit<PeopleQuery, 'cursor' | 'limit'>) => listAll<Person>(`${V1}/people`, { ...q }),
  get: (id: string) => api.get<Person>(`${V1}/people/${enc(id)}`),
  create: (body: CreatePerson) => api.post<Person>(`${V1}/people`, body),
  update: (id: string, body: PatchPerson) => api.patch<Person>(`${V1}/people/${enc(id)}`, body),
  /** deactivates; the person and their history stay */
  deactivate: (id: string) => api.del<Person>(`${V1}/people/${enc(id)}`),
};

export const accountsApi = {
  list: (q: AccountsQuery) => api.get<Page<Account>>(`${V1}/accounts`, { ...q }),
  all: (q: Omit<AccountsQuery, 'cursor' | 'limit'> = {}) => listAll<Account>(`${V1}/accounts`, { ...q }),
  get: (id: string) => api.get<Account>(`${V1}/accounts/${enc(id)}`),
  create: (body: CreateAccount) => api.post<Account>(`${V1}/accounts`, body),
  update: (id: string, body: PatchAccount) => api.patch<Account>(`${V1}/accounts/${enc(id)}`, body),
  deactivate: (id: string) => api.del<Account>(`${V1}/accounts/${enc(id)}`),
};

export const assignmentsApi = {
  all: (q: { personId?: string; accountId?: string }) => listAll<Assignment>(`${V1}/assignments`, { ...q }),
  create: (body: CreateAssignment) => api.post<Assignment>(`${V1}/assignments`, body),
  remove: (id: string) => api.del<void>(`${V1}/assignments/${enc(id)}`),
};

export const meApi = {
  get: () => api.get<Me>(`${V1}/me`),
};

export const importApi = {
  run: (kind: ImportKind, csv: string) => request<ImportResult>('POST', `${V1}/import/${kind}`, { text: csv, contentType: 'text/csv' }),
};

export const apiKeysApi = {
  all: () => listAll<ApiKey>(`${V1}/api-keys`),
  create: (body: CreateApiKey) => api.post<CreatedApiKey>(`${V1}/api-keys`, body),
  revoke: (id: string) => api.del<ApiKey>(`${V1}/api-keys/${enc(id)}`),
};

export const usersApi = {
  all: () => listAll<User>(`${V1}/users`),
  create: (body: CreateUser) => api.post<CreatedUser>(`${V1}/users`, body),
  update: (id: string, body: PatchUser) => api.patch<User>(`${V1}/users/${enc(id)}`, body),
  remove: (id: string) => api.del<void>(`${V1}/users/${enc(id)}`),
};
