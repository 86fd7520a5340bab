import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, DIALECTS, type TestApp, type TestWorkspace } from '../../../test/support/app.js';
import { systemContext } from '../../core/auth.js';

for (const dialect of DIALECTS) {
  describe(`access: sessions, users, API keys (${dialect})`, () => {
    let t: TestApp;
    let ws: TestWorkspace;
    const password = 'correct horse battery';
    before(async () => {
      t = await createTestApp(dialect);
      ws = await t.workspace('Access Co');
      await t.services.access.createUser(systemContext(ws.id), { email: 'olga@example.com', name: 'Olga Owner', role: 'owner', password });
    });
    after(() => t.close());

    async function signIn(email: string, pw: string) {
      const r = await t.call('POST', '/api/v1/session', { body: { email, password: pw } });
      const set = String(r.headers['set-cookie'] ?? '');
      const cookie = set.split(';')[0]!;
      return { r, cookie };
    }
    const withCookie = (cookie: string, extra: Record<string, string> = {}) => ({ headers: { cookie, ...extra } });

    test('signs in with a session cookie that is httpOnly and SameSite', async () => {
      const { r, cookie } = await signIn('OLGA@example.com', password);
      assert.equal(r.status, 204);
      assert.match(String(r.headers['set-cookie']), /HttpOnly/);
      assert.match(String(r.headers['set-cookie']), /SameSite=Lax/);
      const me = await t.call('GET', '/api/v1/session', withCookie(cookie));
      assert.equal(me.status, 200);
      assert.equal(me.body.user.email, 'olga@example.com');
      assert.equal(me.body.role, 'owner');
      assert.equal(me.body.workspace.id, ws.id);
      assert.ok(me.body.csrfToken);
    });

    test('a wrong password answers 401 without saying which part was wrong', async () => {
      const a = await signIn('olga@example.com', 'wrong password!');
      const b = await signIn('nobody@example.com', 'wrong password!');
      assert.equal(a.r.status, 401);
      assert.equal(b.r.status, 401);
      assert.equal(a.r.body.detail, b.r.body.detail);
    });

    test('unsafe requests by cookie need the CSRF token', async () => {
      const { cookie } = await signIn('olga@example.com', password);
      const me = await t.call('GET', '/api/v1/session', withCookie(cookie));
      const without = await t.call('POST', '/api/v1/teams', { body: { name: 'No token' }, ...withCookie(cookie) });
      assert.equal(without.status, 403);
      assert.equal(without.body.code, 'csrf_failed');
      const wrong = await t.call('POST', '/api/v1/teams', { body: { name: 'Bad token' }, ...withCookie(cookie, { 'x-csrf-token': 'nope' }) });
      assert.equal(wrong.status, 403);
      const ok = await t.call('POST', '/api/v1/teams', { body: { name: 'With token' }, ...withCookie(cookie, { 'x-csrf-token': me.body.csrfToken }) });
      assert.equal(ok.status, 201);
      const names = (await t.call('GET', '/api/v1/teams', { key: ws.ownerKey })).body.data.map((x: { name: string }) => x.name);
      assert.deepEqual(names.filter((n: string) => n.includes('token')), ['With token']);
    });

    test('throttles sign-in after repeated failures with 429 and Retry-After', async () => {
      await t.services.access.createUser(systemContext(ws.id), { email: 'tom@example.com', role: 'analyst', password });
      for (let i = 0; i < 5; i++) assert.equal((await signIn('tom@example.com', 'bad password 123')).r.status, 401);
      const blocked = await signIn('tom@example.com', password);
      assert.equal(blocked.r.status, 429);
      assert.equal(blocked.r.body.code, 'rate_limited');
      assert.ok(Number(blocked.r.headers['retry-after']) > 0);
    });

    test('sign out ends the session; sign out everywhere ends them all', async () => {
      const a = await signIn('olga@example.com', password);
      const b = await signIn('olga@example.com', password);
      const csrfA = (await t.call('GET', '/api/v1/session', withCookie(a.cookie))).body.csrfToken;
      assert.equal((await t.call('DELETE', '/api/v1/session', withCookie(a.cookie, { 'x-csrf-token': csrfA }))).status, 204);
      assert.equal((await t.call('GET', '/api/v1/session', withCookie(a.cookie))).status, 401);
      assert.equal((await t.call('GET', '/api/v1/session', withCookie(b.cookie))).status, 200);
      const c = await signIn('olga@example.com', password);
      const csrfC = (await t.call('GET', '/api/v1/session', withCookie(c.cookie))).body.csrfToken;
      assert.equal((await t.call('POST', '/api/v1/session/sign-out-everywhere', withCookie(c.cookie, { 'x-csrf-token': csrfC }))).status, 204);
      assert.equal((await t.call('GET', '/api/v1/session', withCookie(b.cookie))).status, 401);
      assert.equal((await t.call('GET', '/api/v1/session', withCookie(c.cookie))).status, 401);
    });

    test('switches between the user’s workspaces, and only those', async () => {
      const other = await t.workspace('Second Co');
      const olga = (await t.call('GET', '/api/v1/users', { key: ws.ownerKey })).body.data.find((u: { email: string }) => u.email === 'olga@example.com');
      await t.call('POST', '/api/v1/users', { key: other.ownerKey, body: { email: 'olga@example.com', role: 'analyst' } });
      const stranger = await t.workspace('Stranger Co');
      const { cookie } = await signIn('olga@example.com', password);
      const s = await t.call('GET', '/api/v1/session', withCookie(cookie));
      assert.deepEqual(s.body.workspaces.map((w: { id: string }) => w.id).sort(), [ws.id, other.id].sort());
      const sw = await t.call('POST', '/api/v1/session/workspace', { body: { workspaceId: other.id }, ...withCookie(cookie, { 'x-csrf-token': s.body.csrfToken }) });
      assert.equal(sw.status, 200);
      assert.equal(sw.body.workspace.id, other.id);
      assert.equal(sw.body.role, 'analyst');
      assert.equal((await t.call('GET', '/api/v1/people', withCookie(cookie))).status, 403);
      const no = await t.call('POST', '/api/v1/session/workspace', { body: { workspaceId: stranger.id }, ...withCookie(cookie, { 'x-csrf-token': s.body.csrfToken }) });
      assert.equal(no.status, 404);
      assert.ok(olga);
    });

    test('adds a user with a generated password shown once, who can then sign in', async () => {
      const r = await t.call('POST', '/api/v1/users', { key: ws.ownerKey, body: { email: 'new@example.com', name: 'Nia New', role: 'program_manager' } });
      assert.equal(r.status, 201);
      assert.ok(r.body.generatedPassword.length >= 12);
      assert.equal((await signIn('new@example.com', r.body.generatedPassword)).r.status, 204);
      const again = await t.call('GET', `/api/v1/users/${r.body.id}`, { key: ws.ownerKey });
      assert.equal(again.body.generatedPassword, undefined);
      const dup = await t.call('POST', '/api/v1/users', { key: ws.ownerKey, body: { email: 'new@example.com', role: 'analyst' } });
      assert.equal(dup.status, 409);
    });

    test('an admin cannot grant owner, nor demote an owner', async () => {
      const admin = await ws.key('admin');
      const r = await t.call('POST', '/api/v1/users', { key: admin, body: { email: 'boss@example.com', role: 'owner' } });
      assert.equal(r.status, 403);
      const k = await t.call('POST', '/api/v1/api-keys', { key: admin, body: { name: 'x', role: 'owner' } });
      assert.equal(k.status, 403);
      const olga = (await t.call('GET', '/api/v1/users', { key: admin })).body.data.find((u: { email: string }) => u.email === 'olga@example.com');
      assert.equal((await t.call('PATCH', `/api/v1/users/${olga.id}`, { key: admin, body: { role: 'analyst' } })).status, 403);
      const ownerKey = await t.call('GET', '/api/v1/api-keys', { key: admin });
      const owners = ownerKey.body.data.filter((k: { role: string }) => k.role === 'owner');
      assert.equal((await t.call('DELETE', `/api/v1/api-keys/${owners[0].id}`, { key: admin })).status, 403);
    });

    test('an API key is shown once, stored hashed, records last use, and stops working when revoked', async () => {
      const c = await t.call('POST', '/api/v1/api-keys', { key: ws.ownerKey, body: { name: 'CRM sync', role: 'integration' } });
      assert.equal(c.status, 201);
      assert.match(c.body.key, /^tnd_[0-9a-z]{26}_[A-Za-z0-9_-]{43}$/);
      assert.equal(c.body.hint, c.body.key.slice(-4));
      const stored = await t.services.db.selectFrom('api_keys').selectAll().where('id', '=', c.body.id).executeTakeFirstOrThrow();
      assert.notEqual(stored.secret_hash, c.body.key);
      assert.doesNotMatch(JSON.stringify(stored), new RegExp(c.body.key.slice(31)));
      assert.equal((await t.call('GET', '/api/v1/teams', { key: c.body.key })).status, 200);
      const listed = (await t.call('GET', '/api/v1/api-keys', { key: ws.ownerKey })).body.data.find((k: { id: string }) => k.id === c.body.id);
      assert.equal(listed.key, undefined);
      assert.ok(listed.lastUsedAt);
      const rev = await t.call('DELETE', `/api/v1/api-keys/${c.body.id}`, { key: ws.ownerKey });
      assert.equal(rev.status, 200);
      assert.ok(rev.body.revokedAt);
      assert.equal((await t.call('GET', '/api/v1/teams', { key: c.body.key })).status, 401);
    });

    test('an expired key is refused; an expiry in the past cannot be set', async () => {
      const past = await t.call('POST', '/api/v1/api-keys', { key: ws.ownerKey, body: { name: 'old', role: 'analyst', expiresAt: '2000-01-01T00:00:00Z' } });
      assert.equal(past.status, 400);
      assert.equal(past.body.errors[0].path, 'expiresAt');
      const soon = await t.call('POST', '/api/v1/api-keys', { key: ws.ownerKey, body: { name: 'soon', role: 'analyst', expiresAt: new Date(Date.now() + 150).toISOString() } });
      assert.equal(soon.status, 201);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal((await t.call('GET', '/api/v1/workspace', { key: soon.body.key })).status, 401);
    });

    test('a participant key is linked to a person and sees only themselves', async () => {
      const p = await t.call('POST', '/api/v1/people', { key: ws.ownerKey, body: { kind: 'employee', externalId: 'PART-1', name: 'Pat Participant' } });
      const noPerson = await t.call('POST', '/api/v1/api-keys', { key: ws.ownerKey, body: { name: 'p', role: 'participant' } });
      assert.equal(noPerson.status, 400);
      const k = await ws.key('participant', { personId: p.body.id });
      const me = await t.call('GET', '/api/v1/me', { key: k });
      assert.equal(me.body.person.id, p.body.id);
      assert.equal((await t.call('GET', '/api/v1/people', { key: k })).status, 403);
      assert.equal((await t.call('GET', `/api/v1/people/${p.body.id}`, { key: k })).status, 403);
    });

    test('an instance owner creates a workspace and owns it; others may not', async () => {
      await t.services.access.createUser(systemContext(ws.id), { email: 'root@example.com', role: 'admin', password }, { instanceOwner: true });
      const { cookie } = await signIn('root@example.com', password);
      const csrf = (await t.call('GET', '/api/v1/session', withCookie(cookie))).body.csrfToken;
      const r = await t.call('POST', '/api/v1/workspaces', { body: { name: 'Fresh Co' }, ...withCookie(cookie, { 'x-csrf-token': csrf }) });
      assert.equal(r.status, 201);
      assert.equal(r.body.slug, 'fresh-co');
      const s = await t.call('GET', '/api/v1/session', withCookie(cookie));
      assert.equal(s.body.workspaces.find((w: { id: string }) => w.id === r.body.id).role, 'owner');
      const olga = await signIn('olga@example.com', password);
      const csrf2 = (await t.call('GET', '/api/v1/session', withCookie(olga.cookie))).body.csrfToken;
      assert.equal((await t.call('POST', '/api/v1/workspaces', { body: { name: 'Nope Co' }, ...withCookie(olga.cookie, { 'x-csrf-token': csrf2 }) })).status, 403);
      assert.equal((await t.call('POST', '/api/v1/workspaces', { key: ws.ownerKey, body: { name: 'Key Co' } })).status, 403);
    });

    test('workspace settings: admins change them, others cannot; the change is audited', async () => {
      const pm = await ws.key('program_manager');
      assert.equal((await t.call('PATCH', '/api/v1/workspace', { key: pm, body: { pointsLabel: 'stars' } })).status, 403);
      const r = await t.call('PATCH', '/api/v1/workspace', { key: ws.ownerKey, body: { pointsLabel: 'stars', timezone: 'America/New_York' } });
      assert.equal(r.status, 200);
      assert.equal(r.body.pointsLabel, 'stars');
      assert.equal((await t.call('PATCH', '/api/v1/workspace', { key: ws.ownerKey, body: { timezone: 'Mars/Olympus' } })).status, 400);
      assert.equal((await t.call('GET', '/api/v1/workspace', { key: pm })).body.timezone, 'America/New_York');
      const log = await t.call('GET', '/api/v1/audit-log?action=workspace.updated', { key: ws.ownerKey });
      assert.equal(log.body.data[0].after.pointsLabel, 'stars');
      assert.equal((await t.call('GET', '/api/v1/audit-log', { key: pm })).status, 403);
    });
  });
}
