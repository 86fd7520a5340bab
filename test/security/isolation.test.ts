// Tenant isolation over the whole route table: whatever a module adds is walked here without
// editing this file. Workspace A holds one of each object; workspace B's callers try every
// route on them. decisions.md: 404 for anything the caller may not see, 403 only when the
// role lacks the route's permission, 401 without credentials.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, DIALECTS, type TestApp } from '../support/app.js';
import { ROLES, roleCan, type Permission, type Role } from '../../src/core/auth.js';
import type { RouteInfo } from '../../src/core/http/server.js';
import { diffSnapshots, snapshotDb, type Snapshot } from './db-snapshot.js';
import { KIND_OF_PREFIX, KIND_OF_SEGMENT, allIds, ghostId, idField, idParam, idsOf, leaks, populate, type IdRef, type Tenant } from './tenant.js';
import { assertProblem, describeRoute, fillPath, outsideAccessModel, loadOperations, minimalValue, paramsOf, send, type Answer, type JsonSchema, type Operation } from './route-table.js';

for (const dialect of DIALECTS) {
  describe(`tenant isolation over every route (${dialect})`, () => {
    let t: TestApp;
    let opOf: (r: RouteInfo) => Operation | undefined;
    let A: Tenant;
    let B: Tenant;
    let aBefore: { api: Record<string, unknown>; rows: Snapshot };
    /** Public routes (health, sign-in) answer anyone by design and hold no tenant data. */
    let guarded: RouteInfo[];
    let n = 0;
    const unique = (what: string) => `${what}-${++n}`;

    /** A JSON (or CSV) request as B's caller, with the body given or none. */
    const call = (r: RouteInfo, url: string, key: string | undefined, body?: unknown): Promise<Answer> => {
      if (body === undefined) return send(t, r.method, url, { key });
      const csv = opOf(r)?.body?.contentType === 'text/csv';
      return send(t, r.method, url, { key, payload: csv ? String(body) : JSON.stringify(body), headers: { 'content-type': csv ? 'text/csv' : 'application/json' } });
    };
    /** An id of `x` for a pattern's prefix (wsp, tea, per…); a well-formed id of nothing otherwise. */
    const idIn = (x: Tenant) => (prefix: string) => {
      const kind = KIND_OF_PREFIX[prefix];
      return kind ? x.ids[kind][0]! : `${prefix}_${'0'.repeat(26)}`;
    };
    /** The smallest body the route accepts, naming x's objects where it needs ids. */
    const minimalBody = (r: RouteInfo, x: Tenant, withRefs = false) => {
      const body = opOf(r)?.body;
      return body ? minimalValue(body.schema, idIn(x), { withRefs }) : undefined;
    };
    /** A value for a non-id path parameter (an enum's first value, e.g. :kind). */
    const plainParam = (r: RouteInfo, p: string) => {
      const s = opOf(r)?.params[p];
      return s?.enum ? String(s.enum[0]) : 'x';
    };
    /** Every parameter filled with x's objects (ids, external ids) or a plain value. */
    const paramIn = (r: RouteInfo, p: string, x: Tenant) => {
      const ref = idParam(r.url, p);
      return ref ? idsOf(x, ref)[0] ?? ghostId(ref.kind) : plainParam(r, p);
    };
    const pathIn = (r: RouteInfo, x: Tenant) => fillPath(r.url, (p) => paramIn(r, p, x));

    /** Strips what reads change (a key's last use), so two views of A can be compared. */
    const stable = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(stable) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'lastUsedAt' && k !== 'computedAt').map(([k, x]) => [k, stable(x)])) : v;

    /** A as A's owner sees it through every GET route, and A's rows in the database. */
    async function pictureOfA() {
      const api: Record<string, unknown> = {};
      for (const r of guarded.filter((x) => x.method === 'GET')) {
        const ps = paramsOf(r.url);
        const refs = ps.map((p) => idParam(r.url, p));
        if (refs.some((ref) => !ref)) continue;
        const values = refs.length ? idsOf(A, refs[0]!) : [''];
        for (const v of values) {
          const url = refs.length ? fillPath(r.url, (p) => (p === ps[0] ? v : idsOf(A, idParam(r.url, p)!)[0]!)) : r.url;
          const res = await send(t, 'GET', url, { key: A.key });
          api[url] = { status: res.status, body: stable(res.body) };
        }
      }
      const aIds = new Set(allIds(A));
      const rows = await snapshotDb(t.services.db, (_table, row, columns) => (columns.includes('workspace_id') ? row.workspace_id === A.ws.id : Object.values(row).some((v) => typeof v === 'string' && aIds.has(v))));
      return { api, rows };
    }

    before(async () => {
      t = await createTestApp(dialect);
      opOf = await loadOperations(t);
      guarded = t.routes.filter((r) => !outsideAccessModel(r) && r.access !== 'public');
      A = await populate(t, 'Alpha');
      B = await populate(t, 'Bravo');
      aBefore = await pictureOfA();
    });
    after(() => t.close());

    test('every API route but the docs declares its access (an undeclared route would be public)', () => {
      const undeclared = t.routes.filter((r) => !outsideAccessModel(r) && !r.access).map(describeRoute);
      assert.deepEqual(undeclared, []);
      assert.ok(guarded.length >= 40, `only ${guarded.length} guarded routes: is the route table complete?`);
    });

    test('no credentials, a malformed, tampered or revoked key answer 401 on every route', async () => {
      const made = await t.call('POST', '/api/v1/api-keys', { key: B.key, body: { name: 'soon revoked', role: 'owner' } });
      assert.equal((await t.call('DELETE', `/api/v1/api-keys/${made.body.id}`, { key: B.key })).status, 200);
      const last = B.key.at(-1) === 'A' ? 'B' : 'A';
      const credentials: [string, Record<string, string>][] = [
        ['none', {}],
        ['malformed key', { authorization: 'Bearer tnd_nonsense' }],
        ['tampered secret', { authorization: `Bearer ${B.key.slice(0, -1)}${last}` }],
        ['revoked key', { authorization: `Bearer ${made.body.key}` }],
        ['basic auth', { authorization: `Basic ${Buffer.from('owner:password').toString('base64')}` }],
        ['forged session cookie', { cookie: 'tandem_session=forged' }],
      ];
      for (const r of guarded) {
        for (const [what, headers] of credentials) {
          const res = await send(t, r.method, pathIn(r, B), { headers });
          assertProblem(res, `${describeRoute(r)} with ${what}`, { status: 401, code: 'unauthenticated' });
        }
      }
    });

    test('each role gets 403 from every route whose permission it lacks, and no 403 from a GET it may use', async () => {
      let forbidden = 0;
      for (const role of ROLES as readonly Role[]) {
        // A participant key is always linked to a person; a manager's limits come from one.
        const personId = role === 'participant' ? B.person.member : role === 'manager' ? B.person.manager : undefined;
        const key = await B.ws.key(role, { personId });
        for (const r of guarded) {
          const what = `${role} on ${describeRoute(r)}`;
          const lacks = r.access !== undefined && r.access !== 'self' && !roleCan(role, r.access as Permission);
          if (lacks) {
            forbidden++;
            assertProblem(await send(t, r.method, pathIn(r, B), { key }), what, { status: 403, code: 'forbidden' });
          } else if (r.method === 'GET') {
            // Reads only: a write the role may make is exercised by its module's own tests.
            const res = await send(t, 'GET', pathIn(r, B), { key });
            assert.ok(res.status < 500 && res.status !== 403 && res.status !== 401, `${what}: ${res.status} ${res.text.slice(0, 300)}`);
          }
        }
      }
      assert.ok(forbidden > 0);
    });

    test("another workspace's owner gets a bare 404 for each of A's objects on every route with an id, as for an id of nothing", async (tc) => {
      let walked = 0;
      const unreached: string[] = [];
      for (const r of guarded) {
        const ps = paramsOf(r.url);
        const refs = ps.map((p) => idParam(r.url, p));
        if (!refs.some((ref) => ref && !ref.external)) continue;
        const first = ps.findIndex((_, i) => refs[i] && !refs[i].external);
        const candidates = idsOf(A, refs[first]!);
        const urlWith = (v: string) => fillPath(r.url, (p) => (p === ps[first] ? v : paramIn(r, p, A)));
        let body = minimalBody(r, B);
        let ghost = await call(r, urlWith(ghostId(refs[first]!.kind)), B.key, body);
        if (ghost.body?.code === 'validation_failed') {
          body = minimalBody(r, B, true);
          ghost = await call(r, urlWith(ghostId(refs[first]!.kind)), B.key, body);
        }
        // Validation comes before any lookup: if no generic body passes it, A's ids must at
        // least answer exactly as an id of nothing does. Named below, to give the route a case.
        const reached = ghost.body?.code !== 'validation_failed';
        if (!reached) unreached.push(`${describeRoute(r)}: ${ghost.body?.detail}`);
        for (const id of candidates) {
          const what = `B's owner: ${r.method} ${urlWith(id)}`;
          const res = await call(r, urlWith(id), B.key, body);
          assertProblem(res, what, reached ? { status: 404, code: 'not_found' } : undefined);
          assert.deepEqual(leaks(res.text, A), [], `${what} names A's data: ${res.text}`);
          assert.deepEqual(res.body, ghost.body, `${what}: answers otherwise than for an id of nothing`);
          walked++;
        }
      }
      if (unreached.length) tc.diagnostic(`no generic body passed validation on: ${unreached.join('; ')}`);
      assert.ok(walked > 20, `only ${walked} calls with A's ids`);
    });

    test("another workspace's lists, and their filters given A's ids, show nothing of A", async () => {
      let lists = 0;
      for (const r of guarded.filter((x) => x.method === 'GET' && !paramsOf(x.url).length)) {
        const urls = [r.url];
        for (const [q] of Object.entries(opOf(r)?.query ?? {})) {
          const ref = idField(q) ?? (q === 'externalId' ? { kind: KIND_OF_SEGMENT[r.url.split('/').at(-1)!] ?? null, external: true } : undefined);
          if (ref) for (const v of idsOf(A, ref)) urls.push(`${r.url}?${q}=${encodeURIComponent(v)}`);
        }
        for (const first of urls) {
          let url: string | null = first;
          for (let page = 0; url && page < 50; page++) {
            const res = await send(t, 'GET', url, { key: B.key });
            assert.ok(res.status < 500, `${url}: ${res.status} ${res.text.slice(0, 300)}`);
            if (res.status >= 400) assertProblem(res, url);
            assert.deepEqual(leaks(res.text, A), [], `B's ${url} shows A's data: ${res.text.slice(0, 500)}`);
            const cursor = res.body?.nextCursor as string | null | undefined;
            url = cursor ? `${first}${first.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}` : null;
          }
          lists++;
        }
      }
      assert.ok(lists > 10, `only ${lists} list calls`);
    });

    test("a write in B that names A's objects in its body changes nothing, on every route that takes ids", async () => {
      // Every id field (teamId, parentExternalId, personId…) of every write route, at any depth.
      const refsIn = (s: JsonSchema | undefined, path: (string | number)[] = []): { path: (string | number)[]; ref: IdRef }[] => {
        if (!s) return [];
        const out: { path: (string | number)[]; ref: IdRef }[] = [];
        for (const [name, ps] of Object.entries(s.properties ?? {})) {
          const ref = idField(name);
          if (ref) out.push({ path: [...path, name], ref });
          out.push(...refsIn(ps, [...path, name]));
        }
        if (s.items) out.push(...refsIn(s.items, [...path, 0]));
        for (const b of s.anyOf ?? []) out.push(...refsIn(b, path));
        return out;
      };
      let tried = 0;
      for (const r of guarded.filter((x) => ['POST', 'PUT', 'PATCH'].includes(x.method))) {
        const body = opOf(r)?.body;
        if (!body || body.contentType !== 'application/json') continue;
        const url = fillPath(r.url, (p) => {
          const ref = idParam(r.url, p);
          return ref?.external ? unique('ext-b-fresh') : ref ? idsOf(B, ref)[0] ?? ghostId(ref.kind) : plainParam(r, p);
        });
        for (const { path, ref } of refsIn(body.schema)) {
          const payload = minimalValue(body.schema, idIn(B)) as Record<string, unknown>;
          let at: any = payload;
          for (const step of path.slice(0, -1)) at = at[step] ??= typeof step === 'number' ? [] : {};
          at[path.at(-1)!] = idsOf(A, ref)[0] ?? ghostId(ref.kind);
          const what = `B's owner: ${r.method} ${url} ${JSON.stringify(payload)}`;
          const before = await snapshotDb(t.services.db);
          const res = await call(r, url, B.key, payload);
          assert.ok(res.status < 500, `${what}: ${res.status} ${res.text.slice(0, 300)}`);
          if (res.status >= 400) assertProblem(res, what);
          assert.deepEqual(leaks(res.text, A), [], `${what} names A's data: ${res.text}`);
          assert.deepEqual(diffSnapshots(before, await snapshotDb(t.services.db)), [], `${what} changed the database (answered ${res.status} ${res.text.slice(0, 300)})`);
          tried++;
        }
      }
      assert.ok(tried > 20, `only ${tried} foreign references tried`);
    });

    test("B cannot link its records to A's by id or external id: refused as for an id of nothing, while B's own ids work", async () => {
      type Target = { team: (w: 'root' | 'other') => string; teamExt: string; person: (w: 'manager' | 'member' | 'customer') => string; personExt: string; account: (w: 'customer' | 'partner') => string; accountExt: string };
      const of = (x: Tenant): Target => ({
        team: (w) => x.team[w],
        teamExt: x.externalIds.team[0]!,
        person: (w) => x.person[w],
        personExt: x.externalIds.person[1]!,
        account: (w) => x.account[w],
        accountExt: x.externalIds.account[1]!,
      });
      const ghost: Target = { team: () => ghostId('team'), teamExt: 'ext-nothing', person: () => ghostId('person'), personExt: 'ext-nothing', account: () => ghostId('account'), accountExt: 'ext-nothing' };
      const cases: [string, (x: Target) => [string, string, Record<string, unknown>]][] = [
        ['a team under A’s team', (x) => ['POST', '/api/v1/teams', { name: unique('Bravo Linked'), parentId: x.team('root') }]],
        ['a team managed by A’s employee', (x) => ['POST', '/api/v1/teams', { name: unique('Bravo Managed'), managerId: x.person('manager') }]],
        ['a team under A’s team by external id', (x) => ['POST', '/api/v1/teams', { name: unique('Bravo Ext'), parentExternalId: x.teamExt }]],
        ['an employee in A’s team', (x) => ['POST', '/api/v1/people', { kind: 'employee', externalId: unique('ext-b-emp'), name: 'Bravo Emp', teamId: x.team('other') }]],
        ['a customer of A’s account', (x) => ['POST', '/api/v1/people', { kind: 'customer', externalId: unique('ext-b-cust'), name: 'Bravo Cust', accountId: x.account('customer') }]],
        ['a partner of A’s account by external id', (x) => ['PUT', `/api/v1/people/by-external-id/${unique('ext-b-part')}`, { kind: 'partner', name: 'Bravo Part', accountExternalId: x.accountExt }]],
        ['B’s employee moved into A’s team', (x) => ['PATCH', `/api/v1/people/${B.person.outsider}`, { teamId: x.team('root') }]],
        ['B’s team moved under A’s team', (x) => ['PATCH', `/api/v1/teams/${B.team.other}`, { parentId: x.team('root') }]],
        ['A’s employee serving B’s account', (x) => ['POST', '/api/v1/assignments', { personId: x.person('member'), accountId: B.account.customer, role: 'sales' }]],
        ['B’s employee serving A’s account', (x) => ['POST', '/api/v1/assignments', { personId: B.person.member, accountId: x.account('customer'), role: 'support' }]],
        ['an assignment by A’s external ids', (x) => ['POST', '/api/v1/assignments/batch', { items: [{ externalId: unique('ext-b-asg'), personExternalId: x.personExt, accountId: B.account.partner, role: 'success' }] }]],
        ['a participant key for A’s person', (x) => ['POST', '/api/v1/api-keys', { name: 'Bravo Participant', role: 'participant', personId: x.person('customer') }]],
        ['a user linked to A’s person', (x) => ['POST', '/api/v1/users', { email: `${unique('linked')}@b-corp.test`, role: 'analyst', personId: x.person('member') }]],
        ['B’s user relinked to A’s person', (x) => ['PATCH', `/api/v1/users/${B.user}`, { personId: x.person('manager') }]],
      ];
      // What differs between the foreign and the ghost call is only the id given.
      const normalise = (text: string, from: Target) => text.replaceAll(from === ghost ? 'ext-nothing' : from.teamExt, '<ext>').replaceAll(from.personExt, '<ext>').replaceAll(from.accountExt, '<ext>').replace(/(tea|per|acc)_[0-9a-z]{26}/g, '<id>').replace(/ext-b-[a-z]+-\d+/g, '<new>').replace(/(Bravo \w+|linked)-\d+/g, '<new>');
      for (const [what, make] of cases) {
        const [method, url, body] = make(of(A));
        const before = await snapshotDb(t.services.db);
        const foreign = await t.call(method, url, { key: B.key, body });
        assert.deepEqual(diffSnapshots(before, await snapshotDb(t.services.db)), [], `${what}: ${method} ${url} changed the database (${foreign.status} ${foreign.text})`);
        assert.deepEqual(leaks(foreign.text, A), [], `${what}: names A's data: ${foreign.text}`);
        const [gm, gu, gb] = make(ghost);
        const nothing = await t.call(gm, gu, { key: B.key, body: gb });
        assert.equal(normalise(foreign.text, of(A)), normalise(nothing.text, ghost), `${what}: A's id answers otherwise than an id of nothing`);
        if (foreign.status >= 400) assertProblem(foreign, what);
        else assert.equal(foreign.body.summary?.rejected, 1, `${what}: ${foreign.text}`); // a batch answers 200 with each item's fate
        const [om, ou, ob] = make(of(B));
        const own = await t.call(om, ou, { key: B.key, body: ob });
        assert.ok(own.status < 300 && !own.body.summary?.rejected, `${what}, with B's own records: ${own.status} ${own.text}`);
      }
    });

    test("a CSV import in B cannot reach A's records by external id", async () => {
      const imports: [string, string][] = [
        ['people', `kind,externalId,name,teamExternalId\nemployee,ext-b-csv-emp,Bravo Csv,${A.externalIds.team[0]}\n`],
        ['people', `kind,externalId,name,accountExternalId\ncustomer,ext-b-csv-cust,Bravo Csv,${A.externalIds.account[0]}\n`],
        ['teams', `externalId,name,parentExternalId,managerExternalId\next-b-csv-team,Bravo Csv,${A.externalIds.team[0]},\next-b-csv-team2,Bravo Csv,,${A.externalIds.person[0]}\n`],
        ['assignments', `externalId,personExternalId,accountExternalId,role\next-b-csv-asg,${A.externalIds.person[1]},${B.externalIds.account[0]},sales\n`],
      ];
      for (const [kind, csv] of imports) {
        const before = await snapshotDb(t.services.db);
        const r = await send(t, 'POST', `/api/v1/import/${kind}`, { key: B.key, payload: csv, headers: { 'content-type': 'text/csv' } });
        assert.equal(r.status, 200, r.text);
        assert.ok(r.body.rows.length > 0 && r.body.rows.every((row: { status: string }) => row.status === 'rejected'), `${kind}: ${r.text}`);
        assert.deepEqual(leaks(r.text, A), [], r.text);
        assert.deepEqual(diffSnapshots(before, await snapshotDb(t.services.db)), [], `import ${kind} changed the database: ${r.text}`);
      }
    });

    test('a manager key sees only the people of its team subtree, and 404 for anyone else', async () => {
      const key = A.managerKey;
      const people = await t.call('GET', '/api/v1/people?limit=500', { key });
      assert.equal(people.status, 200);
      assert.deepEqual(people.body.data.map((p: { id: string }) => p.id).sort(), [A.person.manager, A.person.member].sort());
      assert.equal((await t.call('GET', `/api/v1/people/${A.person.member}`, { key })).status, 200);
      const ghost = await t.call('GET', `/api/v1/people/${ghostId('person')}`, { key });
      for (const id of [A.person.outsider, A.person.customer, A.person.partner]) {
        const r = await send(t, 'GET', `/api/v1/people/${id}`, { key });
        assertProblem(r, `manager GET person ${id}`, { status: 404, code: 'not_found' });
        assert.deepEqual(r.body, ghost.body);
        assert.ok(!r.text.includes(id) && !r.text.includes('outsider'), r.text);
      }
      const filtered = await t.call('GET', `/api/v1/people?teamId=${A.team.other}`, { key });
      assert.deepEqual(filtered.body.data, []);
      const assignments = await t.call('GET', '/api/v1/assignments?limit=500', { key });
      assert.deepEqual(assignments.body.data.map((a: { id: string }) => a.id), [A.assignment.member]);
      assertProblem(await send(t, 'GET', `/api/v1/assignments/${A.assignment.outsider}`, { key }), 'manager GET outsider assignment', { status: 404, code: 'not_found' });
    });

    test("B's user can neither sign in to A nor switch a session to A: answered as for a workspace that does not exist", async () => {
      const signIn = (workspaceId?: string) => t.call('POST', '/api/v1/session', { body: { email: 'user@b-corp.test', password: 'Bravo-password-123', ...(workspaceId ? { workspaceId } : {}) } });
      const ghost = await signIn(ghostId('workspace'));
      const foreign = await signIn(A.ws.id);
      assertProblem(foreign, 'sign in to A', { status: 404, code: 'not_found' });
      assert.deepEqual(foreign.body, ghost.body);
      assert.equal(foreign.headers['set-cookie'], undefined);
      const ok = await signIn();
      assert.equal(ok.status, 204, ok.text);
      const cookie = String(ok.headers['set-cookie']).split(';')[0]!;
      const session = await t.call('GET', '/api/v1/session', { headers: { cookie } });
      assert.equal(session.body.workspace.id, B.ws.id);
      const headers = { cookie, 'x-csrf-token': session.body.csrfToken as string };
      const switched = await t.call('POST', '/api/v1/session/workspace', { headers, body: { workspaceId: A.ws.id } });
      const nowhere = await t.call('POST', '/api/v1/session/workspace', { headers, body: { workspaceId: ghostId('workspace') } });
      assertProblem(switched, 'switch to A', { status: 404, code: 'not_found' });
      assert.deepEqual(switched.body, nowhere.body);
      assert.deepEqual(leaks(switched.text, A), []);
      assert.equal((await t.call('GET', '/api/v1/session', { headers: { cookie } })).body.workspace.id, B.ws.id);
    });

    test("B's calls by A's external ids reach only B's own records", async () => {
      for (const r of guarded) {
        const ps = paramsOf(r.url);
        const i = ps.findIndex((p) => idParam(r.url, p)?.external);
        if (i < 0) continue;
        const ref = idParam(r.url, ps[i]!)!;
        for (const ext of idsOf(A, ref)) {
          const url = fillPath(r.url, (p) => (p === ps[i] ? ext : paramIn(r, p, B)));
          const res = await call(r, url, B.key, minimalBody(r, B));
          const what = `B's owner: ${r.method} ${url}`;
          assert.ok(res.status < 500, `${what}: ${res.status} ${res.text.slice(0, 300)}`);
          assert.deepEqual(leaks(res.text, A), [], `${what} names A's data: ${res.text}`);
          if (res.status >= 400) assertProblem(res, what);
        }
      }
    });

    test("A's objects are unchanged after all of the above, seen by A's owner and in the database", async () => {
      const now = await pictureOfA();
      assert.deepEqual(diffSnapshots(aBefore.rows, now.rows), []);
      assert.deepEqual(now.api, aBefore.api);
    });
  });
}
