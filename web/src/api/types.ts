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
  | 'audit.read'
  | 'programs.read'
  | 'programs.manage'
  | 'events.read'
  | 'events.write'
  | 'events.reverse'
  | 'wallets.read'
  | 'ledger.adjust'
  | 'webhooks.manage'
  | 'outbox.manage'
  | 'surveys.read'
  | 'surveys.manage'
  | 'comms.manage'
  | 'rewards.read'
  | 'rewards.manage'
  | 'redemptions.write'
  | 'money.read'
  | 'engagement.read';

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

/** A daily window, local time, in which non-urgent email waits (may cross midnight). */
export interface QuietHours {
  start: string;
  end: string;
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
  /** the header colour of emails (#rrggbb) */
  brandColor?: string | null;
  /** quiet hours for participants who set none (local time); null: none */
  quietHours?: QuietHours | null;
  /** a logo at the top of emails */
  logoUrl?: string | null;
  createdAt: string;
  updatedAt: string;
}
export type UpdateWorkspace = Partial<Pick<Workspace, 'name' | 'timezone' | 'locale' | 'pointsLabel' | 'anonymityThreshold' | 'pointsExpireMonths' | 'brandColor' | 'logoUrl'>>;

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

// ---------------------------------------------------------------- incentive engine

/** The type of an event property, as declared by its event type. */
export type PropertyType = 'number' | 'integer' | 'string' | 'boolean' | 'enum' | 'person';
export interface PropertySpec {
  type: PropertyType;
  required: boolean;
  values?: string[];
  description?: string;
}
export interface EventType {
  name: string;
  description: string | null;
  builtIn: boolean;
  properties: Record<string, PropertySpec>;
  createdAt: string | null;
}

export const OPERATORS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'contains', 'startsWith', 'between', 'exists'] as const;
export type Operator = (typeof OPERATORS)[number];
export interface Comparison {
  fact: string;
  op: Operator;
  value?: unknown;
}
export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | Comparison;

export type CapPeriod = 'day' | 'week' | 'month' | 'quarter' | 'year' | 'program';
export interface Cap {
  points?: number;
  times?: number;
  per: CapPeriod;
}
export type Rounding = 'down' | 'up' | 'nearest';
export interface Multiplier {
  if: Condition;
  factor: number;
}
export interface Award {
  points?: number;
  pointsPer?: { fact: string; every: number; points?: number; round: Rounding };
  multipliers?: Multiplier[];
}
export type AccountTeamSplit = 'equal' | 'each';
export type RecipientOne = 'person' | 'manager' | { accountTeam: { roles?: AssignmentRole[]; split?: AccountTeamSplit } };
export interface Rule {
  id?: string;
  name: string;
  on: string;
  if?: Condition;
  award: Award;
  recipient?: RecipientOne | RecipientOne[];
  cap?: Cap;
}

export interface Audience {
  kinds?: PersonKind[];
  teams?: string[];
  accountTiers?: string[];
  attributes?: Record<string, (string | number | boolean)[]>;
  people?: string[];
}

export type ProgramStatus = 'draft' | 'active' | 'paused' | 'ended';
export interface OutcomeCount {
  count: number;
  pointsDue: number;
}

/** GET /api/v1/programs/{id}/stats: what the program did in a window, from the ledger. */
export interface ProgramStats {
  programId: string;
  window: { from: string; to: string };
  points: number;
  cost: { amountCents: number; currency: string };
  awards: number;
  reversals: number;
  reversedPoints: number;
  earners: number;
  capped: OutcomeCount;
  budgetExhausted: OutcomeCount;
  heldOut: number;
  noRecipient: number;
  budget: number;
  budgetRemaining: number;
  burnByWeek: { weekStart: string; points: number; cumulative: number }[];
  /** for a manager: the figures (not the budget) cover only the people of the teams they manage */
  narrowedTo: { teams: number; people: number } | null;
  topEarners: { personId: string; points: number }[];
}

export interface Program {
  id: string;
  name: string;
  description: string | null;
  status: ProgramStatus;
  audience: Audience;
  /** points */
  budget: number;
  budgetRemaining: number;
  pointValueCents: number;
  currency: string;
  fundingSource: string;
  holdoutPercent: number;
  startsAt: string | null;
  endsAt: string | null;
  cap: Cap | null;
  rules: Rule[];
  version: number;
  createdAt: string;
  updatedAt: string;
}
/** The body of POST /programs (PATCH takes any part of it, and effectiveFrom). */
export interface ProgramBody {
  name: string;
  description?: string | null;
  audience: Audience;
  budget: number;
  pointValueCents?: number;
  currency?: string;
  holdoutPercent?: number;
  startsAt?: string | null;
  endsAt?: string | null;
  cap?: Cap | null;
  rules: Rule[];
}
export type ProgramPatch = Partial<ProgramBody> & { effectiveFrom?: string };

export interface Simulation {
  programId: string;
  window: { from: string; to: string };
  eventsScanned: number;
  heldOutEvents: number;
  /** rules and goal tiers together */
  points: number;
  rulePoints: number;
  goalPoints: number;
  cost: { amountCents: number; currency: string };
  budget: number;
  budgetUsedPercent: number | null;
  earners: number;
  distribution: { count: number; mean: number; median: number; p90: number; max: number; gini: number };
  burnByWeek: { weekStart: string; points: number; cumulative: number; budgetLeft: number }[];
  perRule: { ruleId: string; name: string; awards: number; points: number; capped: number; budgetExhausted: number }[];
  perGoal: SimulatedGoal[];
  topEarners: { personId: string; points: number }[];
}
export interface SimulatedGoal {
  goalId: string;
  name: string;
  scope: 'person' | 'team';
  period: string;
  points: number;
  /** reached: people (teams for a team goal) that crossed the tier; awards: payments (one per member for a team) */
  tiers: { percent: number; pointsEach: number; reached: number; reachedPeriods: number; awards: number; points: number; budgetExhausted: number }[];
}

export interface GoalMetric {
  on: string;
  if?: Condition;
  aggregate: 'count' | 'sum';
  fact?: string;
}
export interface Goal {
  id: string;
  programId: string;
  name: string;
  metric: GoalMetric;
  period: 'month' | 'quarter' | 'year' | 'program';
  scope: 'person' | 'team';
  target: number | null;
  tiers: { percent: number; points: number }[];
  closeAfterDays: number;
  createdAt: string;
}
export type NewGoal = Omit<Goal, 'id' | 'createdAt'>;
export interface GoalProgress {
  goalId: string;
  period: { start: string; end: string; closesAt: string; closed: boolean; closedAt: string | null };
  subjects: { subjectId: string; value: number; target: number | null; attainment: number | null; tiersReached: number[] }[];
  /** over every person or team the caller may see */
  summary: { subjects: number; withTarget: number; reachedTarget: number; reachedAnyTier: number; averageAttainment: number | null };
  /** the caller's role does not read people: a per-person goal answers the summary only */
  hidden: boolean;
}

export type EffectOutcome = 'awarded' | 'capped' | 'budget_exhausted' | 'holdout' | 'no_recipient';
export interface Effect {
  programId: string;
  programVersion: number;
  ruleId: string | null;
  outcome: EffectOutcome;
  recipientId: string | null;
  pointsDue: number;
  points: number;
  transferId: string | null;
}
export type EventStatus = 'accepted' | 'reversed';
export interface TandemEvent {
  /** Tandem's id (evt_…) */
  eventId: string;
  /** the sender's id, unique within its source */
  id: string;
  source: string;
  type: string;
  occurredAt: string;
  receivedAt: string;
  personId: string;
  accountId: string | null;
  teamId: string | null;
  properties: Record<string, unknown>;
  reverses: string | null;
  status: EventStatus;
  reversedAt: string | null;
  reversalReason: string | null;
  effects: Effect[];
}
export interface EventsQuery {
  personId?: string;
  accountId?: string;
  type?: string;
  source?: string;
  status?: EventStatus;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

export interface Wallet {
  personId: string;
  balance: number;
  lots: { transferId: string; amount: number; remaining: number; earnedAt: string; expiresAt: string | null }[];
  expiringSoon: { transferId: string; points: number; expiresAt: string }[];
}
export type TransferCause = 'event' | 'goal_tier' | 'adjustment' | 'bulk_award' | 'expiry' | 'reversal' | 'redemption' | 'funding';
export interface Transfer {
  id: string;
  from: string;
  to: string;
  amount: number;
  cause: TransferCause;
  eventId: string | null;
  programId: string | null;
  programVersion: number | null;
  ruleId: string | null;
  goalId: string | null;
  reversesId: string | null;
  actorId: string | null;
  reason: string | null;
  occurredAt: string;
  createdAt: string;
}

/** GET /api/v1/me/programs: what the signed-in participant can earn. */
export interface MyProgram {
  programId: string;
  name: string;
  description: string | null;
  endsAt: string | null;
  rules: { ruleId: string; name: string; on: string; points: number | null; pointsPer: { fact: string; every: number; points: number } | null; cap: unknown }[];
  goals: (Goal & { periodEnd: string | null; value: number; myTarget: number | null; attainment: number | null; tiersReached: number[] })[];
}
