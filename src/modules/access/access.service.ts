import { createHash, timingSafeEqual } from 'node:crypto';
import { hash, verify, Algorithm } from '@node-rs/argon2';
import type { FastifyRequest } from 'fastify';
import type { AnyDb } from '../../core/db/db.js';
import { isUniqueViolation } from '../../core/db/db.js';
import type { Ids } from '../../core/ids.js';
import { randomToken } from '../../core/ids.js';
import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import { AppError, notFound } from '../../core/errors.js';
import { makeAuthContext, PERMISSIONS, roleCan, roleRank, ROLES, type AuthContext, type Permission, type Role } from '../../core/auth.js';
import { SESSION_COOKIE, type Authenticated } from '../../core/http/server.js';
import { decodeCursor, toPage } from '../../core/http/pagination.js';
import type { AuditService } from '../audit/index.js';
import type { WorkspacesService } from '../workspaces/index.js';
import type { PeopleService } from '../people/index.js';
import { createAccessRepository } from './access.repository.js';
import type { ApiKeysTable } from './access.tables.js';
import type { TCreateApiKey, TCreateUser, TSession, TUpdateUser } from './access.schema.js';
import { ZCreateApiKey } from './access.schema.js';

const MINUTE = 60_000;
const SESSION_TTL = 30 * 24 * 60 * MINUTE;
const THROTTLE = { failures: 5, window: 15 * MINUTE, block: 15 * MINUTE };
const KEY_PREFIX = 'tnd_';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const hashPassword = (p: string) => hash(p, { algorithm: Algorithm.Argon2id });

export interface AccessDeps {
  db: AnyDb;
  ids: Ids;
  clock: Clock;
  audit: AuditService;
  workspaces: WorkspacesService;
  people: PeopleService;
}

export function createAccessService(deps: AccessDeps) {
  const repo = createAccessRepository(deps.db);
  const now = () => deps.clock.now();

  function assertMayGrant(ctx: AuthContext, role: Role) {
    if (roleRank(role) < roleRank(ctx.role)) throw new AppError('forbidden', { detail: `A ${ctx.role} may not grant the ${role} role` });
  }
  async function assertPerson(ctx: AuthContext, personId: string | null | undefined, path: string) {
    if (personId && !(await deps.people.personExists(ctx.workspaceId, personId))) throw new AppError('not_found', { detail: 'No such person', path });
  }

  const toUser = (r: { id: string; email: string; name: string; role: string; person_id: string | null; created_at: number }) => ({
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role as Role,
    personId: r.person_id,
    createdAt: toIso(r.created_at)!,
  });
  const toKey = (r: ApiKeysTable) => ({
    id: r.id,
    name: r.name,
    role: r.role as Role,
    workspaceId: r.workspace_id,
    personId: r.person_id,
    hint: r.hint,
    createdAt: toIso(r.created_at)!,
    expiresAt: toIso(r.expires_at),
    revokedAt: toIso(r.revoked_at),
    lastUsedAt: toIso(r.last_used_at),
  });

  // Keys read lately, for 5 s: a busy integration is not a database read per request. The
  // secret is still checked every time; a revocation in this process drops the key at once,
  // one made by another process takes effect within the 5 s.
  const KEY_TTL_MS = 5000;
  // The entry also holds the key's context (frozen, shared by its requests while the entry lives).
  type KeyEntry = { at: number; row: NonNullable<Awaited<ReturnType<typeof repo.keyById>>>; auth: AuthContext };
  const keyCache = new Map<string, KeyEntry>();
  async function keyEntry(id: string): Promise<KeyEntry | undefined> {
    const hit = keyCache.get(id);
    if (hit && performance.now() - hit.at < KEY_TTL_MS) return hit;
    const row = await repo.keyById(id);
    if (!row) {
      keyCache.delete(id);
      return undefined;
    }
    if (keyCache.size > 10_000) keyCache.clear();
    const auth = Object.freeze(makeAuthContext({ workspaceId: row.workspace_id, role: row.role as Role, actor: Object.freeze({ type: 'key' as const, id: row.id }), userId: null, personId: row.person_id, sessionId: null }));
    const entry = { at: performance.now(), row, auth };
    keyCache.set(id, entry);
    return entry;
  }

  async function authenticateKey(presented: string): Promise<Authenticated | null> {
    const m = /^tnd_([0-9a-z]{26})_([A-Za-z0-9_-]{43})$/.exec(presented);
    if (!m) return null;
    const entry = await keyEntry(`key_${m[1]}`);
    if (!entry) return null;
    const row = entry.row;
    const a = Buffer.from(sha256(m[2]!), 'hex');
    const b = Buffer.from(row.secret_hash, 'hex');
    if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
    const t = now();
    if (row.revoked_at || (row.expires_at && row.expires_at <= t)) return null;
    // Last use is written at most once a minute, so a busy key does not write on every call.
    if (!row.last_used_at || row.last_used_at < t - MINUTE) {
      await repo.updateKey(undefined, row.workspace_id, row.id, { last_used_at: t });
      row.last_used_at = t;
    }
    return { auth: entry.auth };
  }

  async function authenticateSession(token: string): Promise<Authenticated | null> {
    const s = await repo.session(sha256(token));
    const t = now();
    if (!s || s.expires_at <= t) return null;
    const m = await repo.membership(s.workspace_id, s.user_id);
    if (!m) return null;
    if (s.last_seen_at < t - MINUTE) await repo.touchSession(s.id, { last_seen_at: t, expires_at: t + SESSION_TTL });
    return {
      auth: makeAuthContext({ workspaceId: s.workspace_id, role: m.role as Role, actor: { type: 'user', id: s.user_id }, userId: s.user_id, personId: m.person_id, sessionId: s.id }),
      csrfToken: s.csrf_token,
    };
  }

  async function throttleCheck(scope: string) {
    const th = await repo.throttle(scope);
    const t = now();
    if (th?.blocked_until && th.blocked_until > t) {
      throw new AppError('rate_limited', { detail: 'Too many failed sign-ins; try again later', retryAfter: Math.ceil((th.blocked_until - t) / 1000) });
    }
    return th;
  }
  async function throttleFail(scope: string, th: Awaited<ReturnType<typeof repo.throttle>>) {
    const t = now();
    const fresh = !th || th.window_start < t - THROTTLE.window;
    const failures = fresh ? 1 : th.failures + 1;
    const blocked = failures >= THROTTLE.failures ? t + THROTTLE.block : null;
    await repo.putThrottle({ scope, failures: blocked ? 0 : failures, window_start: fresh || blocked ? t : th.window_start, blocked_until: blocked });
  }

  return {
    /** Resolves the caller of an HTTP request: an API key first, else the session cookie. */
    async authenticate(req: FastifyRequest): Promise<Authenticated | null> {
      const h = req.headers.authorization;
      if (h) {
        const m = /^Bearer\s+(\S+)$/i.exec(h);
        return m ? authenticateKey(m[1]!) : null;
      }
      const token = req.cookies?.[SESSION_COOKIE];
      return token ? authenticateSession(token) : null;
    },

    async signIn(input: { email: string; password: string; workspaceId?: string }, from = 'unknown') {
      // Per email and address: a stranger guessing elsewhere does not lock the owner out.
      const scope = `signin:${input.email}:${from}`;
      const th = await throttleCheck(scope);
      const user = await repo.userByEmail(input.email);
      const ok = user ? await verify(user.password_hash, input.password).catch(() => false) : (await hashPassword(input.password), false);
      if (!user || !ok) {
        await throttleFail(scope, th);
        throw new AppError('unauthenticated', { detail: 'Wrong email or password' });
      }
      await repo.clearThrottle(scope);
      const memberships = await repo.membershipsOfUser(user.id);
      if (!memberships.length) throw new AppError('forbidden', { detail: 'This user belongs to no workspace yet' });
      const chosen = input.workspaceId ? memberships.find((m) => m.workspace_id === input.workspaceId) : memberships[0];
      if (!chosen) throw new AppError('not_found', { detail: 'No such workspace for this user', path: 'workspaceId' });
      const token = randomToken(32);
      const t = now();
      await repo.insertSession({ id: sha256(token), user_id: user.id, workspace_id: chosen.workspace_id, csrf_token: randomToken(24), created_at: t, last_seen_at: t, expires_at: t + SESSION_TTL });
      return { token, maxAgeSeconds: SESSION_TTL / 1000 };
    },

    purgeExpiredSessions: () => repo.deleteExpiredSessions(now()),

    async signOut(ctx: AuthContext) {
      if (ctx.sessionId) await repo.deleteSession(ctx.sessionId);
    },
    async signOutEverywhere(ctx: AuthContext) {
      if (!ctx.userId) throw new AppError('forbidden', { detail: 'Only a signed-in user has sessions' });
      await repo.deleteSessionsOfUser(deps.db, ctx.userId);
    },
    async switchWorkspace(ctx: AuthContext, workspaceId: string) {
      if (!ctx.sessionId || !ctx.userId) throw new AppError('forbidden', { detail: 'An API key belongs to one workspace' });
      const m = await repo.membership(workspaceId, ctx.userId);
      if (!m) throw new AppError('not_found', { detail: 'No such workspace', path: 'workspaceId' });
      await repo.touchSession(ctx.sessionId, { workspace_id: workspaceId });
      return this.describe(makeAuthContext({ ...ctx, workspaceId, role: m.role as Role, personId: m.person_id }));
    },

    async describe(ctx: AuthContext): Promise<TSession> {
      const ws = await deps.workspaces.get(ctx.workspaceId);
      const session = ctx.sessionId ? await repo.session(ctx.sessionId) : undefined;
      const user = ctx.userId ? await repo.userById(ctx.userId) : undefined;
      let workspaces = [{ id: ws.id, name: ws.name, slug: ws.slug, role: ctx.role }];
      if (user) {
        const ms = await repo.membershipsOfUser(user.id);
        const rows = await deps.workspaces.listByIds(ms.map((m) => m.workspace_id));
        workspaces = rows.map((w) => ({ id: w.id, name: w.name, slug: w.slug, role: ms.find((m) => m.workspace_id === w.id)!.role as Role }));
      }
      return {
        kind: ctx.sessionId ? 'session' : 'api_key',
        user: user ? { id: user.id, email: user.email, name: user.name, isInstanceOwner: user.is_instance_owner === 1 } : null,
        workspace: { id: ws.id, name: ws.name, slug: ws.slug, pointsLabel: ws.pointsLabel, timezone: ws.timezone },
        role: ctx.role,
        personId: ctx.personId,
        workspaces,
        csrfToken: session?.csrf_token ?? null,
        permissions: (Object.keys(PERMISSIONS) as Permission[]).filter((p) => roleCan(ctx.role, p)),
      };
    },

    /** Instance owners create workspaces and become their owner. */
    async createWorkspace(ctx: AuthContext, input: Parameters<WorkspacesService['create']>[0]) {
      const user = ctx.userId ? await repo.userById(ctx.userId) : undefined;
      if (!user || user.is_instance_owner !== 1) throw new AppError('forbidden', { detail: 'Only an instance owner creates workspaces' });
      return deps.db.transaction().execute(async (tx) => {
        const ws = await deps.workspaces.create(input, tx);
        const t = now();
        await repo.insertMembership(tx, { workspace_id: ws.id, user_id: user.id, role: 'owner', person_id: null, created_at: t, updated_at: t });
        return ws;
      });
    },

    /** The people linked to the members whose role holds a permission (comms tells them of a program's cadence). */
    personIdsWith: (ws: string, permission: Permission, tx?: AnyDb) => repo.personIdsOfRoles(ws, PERMISSIONS[permission].filter((r) => r !== 'integration'), tx),

    async listUsers(ctx: AuthContext, q: { limit: number; cursor?: string }) {
      ctx.require('users.manage');
      const rows = await repo.listMembers(ctx.workspaceId, decodeCursor(q.cursor), q.limit + 1);
      return toPage(rows, q.limit, toUser);
    },
    async getUser(ctx: AuthContext, id: string) {
      ctx.require('users.manage');
      const r = await repo.member(ctx.workspaceId, id);
      if (!r) throw notFound('User');
      return toUser(r);
    },
    /**
     * Adds a user to the workspace. A new email gets an account with the given password, or a
     * generated one answered once; an existing user just gains the membership.
     */
    async createUser(ctx: AuthContext, input: TCreateUser, opts: { instanceOwner?: boolean } = {}) {
      ctx.require('users.manage');
      assertMayGrant(ctx, input.role);
      await assertPerson(ctx, input.personId, 'personId');
      const generated = input.password ? undefined : randomToken(12);
      const passwordHash = await hashPassword(input.password ?? generated!);
      return deps.db.transaction().execute(async (tx) => {
        const t = now();
        let user = await repo.userByEmail(input.email, tx);
        let isNew = false;
        if (!user) {
          user = { id: deps.ids.next('usr'), email: input.email, name: input.name ?? input.email.split('@')[0]!, password_hash: passwordHash, is_instance_owner: opts.instanceOwner ? 1 : 0, created_at: t, updated_at: t };
          await repo.insertUser(tx, user);
          isNew = true;
        }
        if (await repo.membership(ctx.workspaceId, user.id, tx)) throw new AppError('conflict', { detail: 'This user is already a member', path: 'email' });
        const m = { workspace_id: ctx.workspaceId, user_id: user.id, role: input.role, person_id: input.personId ?? null, created_at: t, updated_at: t };
        await repo.insertMembership(tx, m);
        const out = toUser({ ...user, role: m.role, person_id: m.person_id, created_at: t });
        await deps.audit.record(tx, ctx, { action: 'user.added', targetType: 'user', targetId: user.id, after: out });
        return isNew && generated ? { ...out, generatedPassword: generated } : out;
      });
    },
    async updateUser(ctx: AuthContext, id: string, patch: TUpdateUser) {
      ctx.require('users.manage');
      const before = await repo.member(ctx.workspaceId, id);
      if (!before) throw notFound('User');
      assertMayGrant(ctx, before.role as Role);
      if (patch.role) assertMayGrant(ctx, patch.role);
      await assertPerson(ctx, patch.personId, 'personId');
      return deps.db.transaction().execute(async (tx) => {
        const t = now();
        if (patch.role !== undefined || patch.personId !== undefined) {
          await repo.updateMembership(tx, ctx.workspaceId, id, { ...(patch.role ? { role: patch.role } : {}), ...(patch.personId !== undefined ? { person_id: patch.personId } : {}), updated_at: t });
        }
        if (patch.name) await repo.updateUser(tx, id, { name: patch.name, updated_at: t });
        const after = { ...before, name: patch.name ?? before.name, role: patch.role ?? before.role, person_id: patch.personId !== undefined ? patch.personId : before.person_id };
        await deps.audit.record(tx, ctx, { action: 'user.updated', targetType: 'user', targetId: id, before: toUser(before), after: toUser(after) });
        return toUser(after);
      });
    },
    async removeUser(ctx: AuthContext, id: string) {
      ctx.require('users.manage');
      const before = await repo.member(ctx.workspaceId, id);
      if (!before) throw notFound('User');
      assertMayGrant(ctx, before.role as Role);
      if (id === ctx.userId) throw new AppError('conflict', { detail: 'You cannot remove yourself' });
      await deps.db.transaction().execute(async (tx) => {
        await repo.deleteMembership(tx, ctx.workspaceId, id);
        await deps.audit.record(tx, ctx, { action: 'user.removed', targetType: 'user', targetId: id, before: toUser(before) });
      });
    },

    async listKeys(ctx: AuthContext, q: { limit: number; cursor?: string }) {
      ctx.require('keys.manage');
      return toPage(await repo.listKeys(ctx.workspaceId, decodeCursor(q.cursor), q.limit + 1), q.limit, toKey);
    },
    async getKey(ctx: AuthContext, id: string) {
      ctx.require('keys.manage');
      const r = await repo.key(ctx.workspaceId, id);
      if (!r) throw notFound('API key');
      return toKey(r);
    },
    /** The key is answered once: only its SHA-256 is stored. */
    async createKey(ctx: AuthContext, input: TCreateApiKey) {
      ctx.require('keys.manage');
      const v = ZCreateApiKey.parse(input);
      assertMayGrant(ctx, v.role);
      if (v.role === 'participant' && !v.personId) throw new AppError('validation_failed', { detail: 'A participant key is linked to a person', path: 'personId' });
      await assertPerson(ctx, v.personId, 'personId');
      const t = now();
      const expires = v.expiresAt ? Date.parse(v.expiresAt) : null;
      if (expires !== null && expires <= t) throw new AppError('validation_failed', { detail: 'expiresAt is in the past', path: 'expiresAt' });
      const id = deps.ids.next('key');
      const secret = randomToken(32);
      const key = `${KEY_PREFIX}${id.slice(4)}_${secret}`;
      const row: ApiKeysTable = { workspace_id: ctx.workspaceId, id, name: v.name, role: v.role, person_id: v.personId ?? null, secret_hash: sha256(secret), hint: key.slice(-4), created_by: ctx.actor.id, created_at: t, expires_at: expires, revoked_at: null, last_used_at: null };
      await deps.db.transaction().execute(async (tx) => {
        await repo.insertKey(tx, row);
        await deps.audit.record(tx, ctx, { action: 'api_key.created', targetType: 'api_key', targetId: id, after: toKey(row) });
      });
      return { ...toKey(row), key };
    },
    async revokeKey(ctx: AuthContext, id: string) {
      ctx.require('keys.manage');
      return deps.db.transaction().execute(async (tx) => {
        const before = await repo.key(ctx.workspaceId, id, tx);
        if (!before) throw notFound('API key');
        assertMayGrant(ctx, before.role as Role);
        if (before.revoked_at) return toKey(before);
        const after = { ...before, revoked_at: now() };
        await repo.updateKey(tx, ctx.workspaceId, id, { revoked_at: after.revoked_at });
        await deps.audit.record(tx, ctx, { action: 'api_key.revoked', targetType: 'api_key', targetId: id, before: toKey(before), after: toKey(after) });
        keyCache.delete(id);
        return toKey(after);
      });
    },

    /** CLI: a user for a workspace; the first user of an instance becomes its owner. */
    async createUserFromCli(ctx: AuthContext, input: TCreateUser & { instanceOwner?: boolean }) {
      try {
        return await this.createUser(ctx, input, { instanceOwner: input.instanceOwner });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('conflict', { detail: 'This email is taken', path: 'email' });
        throw err;
      }
    },
    roles: ROLES,
  };
}
export type AccessService = ReturnType<typeof createAccessService>;
