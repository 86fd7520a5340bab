import { api, listAll, request } from './client';
import type {
  Account,
  EventsQuery,
  EventType,
  Goal,
  GoalProgress,
  NewGoal,
  Program,
  ProgramBody,
  ProgramPatch,
  ProgramStatus,
  Simulation,
  TandemEvent,
  Transfer,
  Wallet,
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
  MyProgram, ProgramStats } from './types';

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
  byIds: (ids: string[]) => api.get<Page<Team>>(`${V1}/teams`, { ids: ids.join(','), limit: 100 }).then((p) => p.data),
  get: (id: string) => api.get<Team>(`${V1}/teams/${enc(id)}`),
  create: (body: CreateTeam) => api.post<Team>(`${V1}/teams`, body),
  update: (id: string, body: PatchTeam) => api.patch<Team>(`${V1}/teams/${enc(id)}`, body),
  remove: (id: string) => api.del<void>(`${V1}/teams/${enc(id)}`),
};

export const peopleApi = {
  list: (q: PeopleQuery) => api.get<Page<Person>>(`${V1}/people`, { ...q }),
  all: (q: Omit<PeopleQuery, 'cursor' | 'limit'>) => listAll<Person>(`${V1}/people`, { ...q }),
  get: (id: string) => api.get<Person>(`${V1}/people/${enc(id)}`),
  /** up to 100 people by id in one call */
  byIds: (ids: string[]) => api.get<Page<Person>>(`${V1}/people`, { ids: ids.join(','), limit: 100 }).then((p) => p.data),
  create: (body: CreatePerson) => api.post<Person>(`${V1}/people`, body),
  update: (id: string, body: PatchPerson) => api.patch<Person>(`${V1}/people/${enc(id)}`, body),
  /** deactivates; the person and their history stay */
  deactivate: (id: string) => api.del<Person>(`${V1}/people/${enc(id)}`),
};

export const accountsApi = {
  list: (q: AccountsQuery) => api.get<Page<Account>>(`${V1}/accounts`, { ...q }),
  all: (q: Omit<AccountsQuery, 'cursor' | 'limit'> = {}) => listAll<Account>(`${V1}/accounts`, { ...q }),
  get: (id: string) => api.get<Account>(`${V1}/accounts/${enc(id)}`),
  byIds: (ids: string[]) => api.get<Page<Account>>(`${V1}/accounts`, { ids: ids.join(','), limit: 100 }).then((p) => p.data),
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
  programs: () => api.get<{ data: MyProgram[] }>(`${V1}/me/programs`),
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

export const eventTypesApi = {
  all: () => api.get<{ data: EventType[] }>(`${V1}/event-types`).then((r) => r.data),
};

export const programsApi = {
  list: (q: { status?: ProgramStatus; limit?: number; cursor?: string }) => api.get<Page<Program>>(`${V1}/programs`, { ...q }),
  all: () => listAll<Program>(`${V1}/programs`),
  get: (id: string) => api.get<Program>(`${V1}/programs/${enc(id)}`),
  create: (body: ProgramBody) => api.post<Program>(`${V1}/programs`, body),
  update: (id: string, body: ProgramPatch) => api.patch<Program>(`${V1}/programs/${enc(id)}`, body),
  transition: (id: string, action: 'activate' | 'pause' | 'end') => api.post<Program>(`${V1}/programs/${enc(id)}/${action}`),
  simulate: (id: string, window: { from: string; to: string }) => api.post<Simulation>(`${V1}/programs/${enc(id)}/simulate`, window),
  importAwards: (id: string, reason: string, csv: string) => request<{ programId: string; recipients: number; points: number; transferIds: string[] }>('POST', `${V1}/programs/${enc(id)}/awards/import?reason=${encodeURIComponent(reason)}`, { text: csv, contentType: 'text/csv' }),
  stats: (id: string, window: { from?: string; to?: string } = {}) => api.get<ProgramStats>(`${V1}/programs/${enc(id)}/stats`, { ...window }),
};

export const goalsApi = {
  ofProgram: (programId: string) => api.get<{ data: Goal[] }>(`${V1}/goals`, { programId }).then((r) => r.data),
  progress: (id: string, at?: string, subjectId?: string) => api.get<GoalProgress>(`${V1}/goals/${enc(id)}/progress`, { at, subjectId }),
  create: (body: NewGoal) => api.post<Goal>(`${V1}/goals`, body),
  importTargets: (id: string, csv: string) => request<{ goalId: string; set: number }>('POST', `${V1}/goals/${enc(id)}/targets/import`, { text: csv, contentType: 'text/csv' }),
};

export const eventsApi = {
  list: (q: EventsQuery) => api.get<Page<TandemEvent>>(`${V1}/events`, { ...q }),
  get: (eventId: string) => api.get<TandemEvent>(`${V1}/events/${enc(eventId)}`),
  reverse: (eventId: string, reason: string) => api.post<unknown>(`${V1}/events/${enc(eventId)}/reverse`, { reason }),
};

export const walletApi = {
  get: (personId: string) => api.get<Wallet>(`${V1}/people/${enc(personId)}/wallet`),
  transfers: (personId: string, q: { limit?: number; cursor?: string }) => api.get<Page<Transfer>>(`${V1}/people/${enc(personId)}/transfers`, { ...q }),
  adjust: (personId: string, body: { points: number; reason: string }) => api.post<Transfer>(`${V1}/people/${enc(personId)}/adjustments`, body),
};
