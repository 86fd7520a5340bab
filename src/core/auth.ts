import { AppError } from './errors.js';

/** Roles per workspace, strongest first (integration stands apart: API keys that push data). */
export const ROLES = ['owner', 'admin', 'program_manager', 'manager', 'analyst', 'participant', 'integration'] as const;
export type Role = (typeof ROLES)[number];

const STAFF: Role[] = ['owner', 'admin', 'program_manager'];

/**
 * What each permission admits. Every route declares one (or 'public' / 'session'), so the
 * tenant-isolation test can compute what every role must get from any route.
 */
export const PERMISSIONS = {
  'workspace.read': [...ROLES],
  'workspace.manage': ['owner', 'admin'],
  'org.read': [...STAFF, 'manager', 'analyst', 'integration'],
  'people.read': [...STAFF, 'manager', 'integration'],
  'org.write': [...STAFF, 'integration'],
  'people.erase': ['owner', 'admin'],
  'users.manage': ['owner', 'admin'],
  'keys.manage': ['owner', 'admin'],
  'audit.read': ['owner', 'admin'],
  'programs.read': [...STAFF, 'manager', 'analyst'],
  'programs.manage': [...STAFF],
  'events.write': [...STAFF, 'integration'],
  'events.read': [...STAFF, 'integration'],
  'events.reverse': ['owner', 'admin', 'program_manager'],
  'wallets.read': [...STAFF],
  'ledger.adjust': ['owner', 'admin'],
  'webhooks.manage': ['owner', 'admin'],
  'outbox.manage': ['owner', 'admin'],
  'comms.manage': [...STAFF],
  'rewards.read': [...STAFF, 'manager', 'analyst'],
  'rewards.manage': [...STAFF],
  'redemptions.write': [...STAFF, 'integration'],
  /** the liability and redeemed-value reports: figures only, no one named (staff and analysts) */
  'money.read': [...STAFF, 'analyst'],
  'surveys.read': [...STAFF, 'manager', 'analyst'],
  'surveys.manage': [...STAFF],
  /** the customer engagement score of a contact or an account: staff, and managers for the accounts their teams serve */
  'engagement.read': [...STAFF, 'manager'],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

/** A route's access: a permission, 'self' (any signed-in caller), or 'public'. */
export type RouteAccess = Permission | 'self' | 'public';

export interface Actor {
  type: 'user' | 'key';
  id: string;
}

export interface AuthContext {
  workspaceId: string;
  role: Role;
  actor: Actor;
  userId: string | null;
  personId: string | null;
  sessionId: string | null;
  can(permission: Permission): boolean;
  require(permission: Permission): void;
}

export function roleCan(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

/** The rank used to stop a caller from granting a role stronger than its own. */
export function roleRank(role: Role): number {
  return role === 'integration' ? ROLES.indexOf('program_manager') : ROLES.indexOf(role);
}

/** The methods live on the prototype: a context per request allocates one small object, not closures. */
class Context implements AuthContext {
  workspaceId: string;
  role: Role;
  actor: Actor;
  userId: string | null;
  personId: string | null;
  sessionId: string | null;
  constructor(f: Omit<AuthContext, 'can' | 'require'>) {
    this.workspaceId = f.workspaceId;
    this.role = f.role;
    this.actor = f.actor;
    this.userId = f.userId;
    this.personId = f.personId;
    this.sessionId = f.sessionId;
  }
  can(p: Permission) {
    return roleCan(this.role, p);
  }
  require(p: Permission) {
    if (!roleCan(this.role, p)) throw new AppError('forbidden', { detail: `Role ${this.role} may not ${p}` });
  }
}

export function makeAuthContext(fields: Omit<AuthContext, 'can' | 'require'>): AuthContext {
  return new Context(fields);
}

/** A context for the CLI and the demo seed: acts as the workspace owner. */
export function systemContext(workspaceId: string): AuthContext {
  return makeAuthContext({
    workspaceId,
    role: 'owner',
    actor: { type: 'user', id: 'system' },
    userId: null,
    personId: null,
    sessionId: null,
  });
}
