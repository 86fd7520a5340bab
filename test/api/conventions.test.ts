import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, DIALECTS, type TestApp, type TestWorkspace } from '../support/app.js';

for (const dialect of DIALECTS) {
  describe(`API conventions (${dialect})`, () => {
    let t: TestApp;
    let ws: TestWorkspace;
    before(async () => {
      t = await createTestApp(dialect);
      ws = await t.workspace();
    });
    after(() => t.close());

    test('health answers ok with the dialect and version', async () => {
      const r = await t.call('GET', '/api/health');
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { status: 'ok', database: dialect, version: r.body.version });
      assert.match(r.body.version, /^\d+\.\d+\.\d+/);
    });

    test('openapi.json is an OpenAPI 3.1 document naming the resources', async () => {
      const r = await t.call('GET', '/api/openapi.json');
      assert.equal(r.status, 200);
      assert.equal(r.body.openapi, '3.1.0');
      for (const p of ['/api/v1/teams', '/api/v1/people', '/api/v1/accounts', '/api/v1/assignments', '/api/v1/users', '/api/v1/api-keys', '/api/v1/audit-log', '/api/v1/workspace']) {
        assert.ok(r.body.paths[p], `missing ${p}`);
      }
    });

    test('the docs page is served from local assets', async () => {
      const r = await t.call('GET', '/api/docs/');
      assert.equal(r.status, 200);
      assert.match(r.text, /swagger/i);
      assert.doesNotMatch(r.text, /https?:\/\/(cdn|unpkg|cdnjs)/);
    });

    test('malformed JSON answers 400 invalid_json as problem+json', async () => {
      const r = await t.call('POST', '/api/v1/teams', { key: ws.ownerKey, payload: '{"name":', headers: { 'content-type': 'application/json' } });
      assert.equal(r.status, 400);
      assert.match(String(r.headers['content-type']), /application\/problem\+json/);
      assert.equal(r.body.code, 'invalid_json');
      assert.equal(r.body.status, 400);
      assert.ok(r.body.type && r.body.title && r.body.detail);
    });

    test('an unknown field answers 400 naming it', async () => {
      const r = await t.call('POST', '/api/v1/teams', { key: ws.ownerKey, body: { name: 'A', colour: 'red' } });
      assert.equal(r.status, 400);
      assert.equal(r.body.code, 'validation_failed');
      assert.deepEqual(r.body.errors, [{ path: 'colour', message: 'unknown field' }]);
    });

    test('every bad field is named', async () => {
      const r = await t.call('POST', '/api/v1/people', { key: ws.ownerKey, body: { kind: 'robot', email: 'nope' } });
      assert.equal(r.status, 400);
      const paths = r.body.errors.map((e: { path: string }) => e.path).sort();
      assert.deepEqual(paths, ['email', 'externalId', 'kind', 'name']);
    });

    test('a wrong content type answers 415', async () => {
      const r = await t.call('POST', '/api/v1/teams', { key: ws.ownerKey, payload: 'name=A', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(r.status, 415);
      assert.equal(r.body.code, 'unsupported_media_type');
    });

    test('a NUL character is refused naming the field; the text \\u0000 is just text', async () => {
      const nul = await t.call('POST', '/api/v1/teams', { key: ws.ownerKey, payload: '{"name":"a\\u0000b"}', headers: { 'content-type': 'application/json' } });
      assert.equal(nul.status, 400);
      assert.deepEqual(nul.body.errors, [{ path: 'name', message: 'contains a NUL character (U+0000)' }]);
      const text = await t.call('POST', '/api/v1/teams', { key: ws.ownerKey, payload: '{"name":"a\\\\u0000b"}', headers: { 'content-type': 'application/json' } });
      assert.equal(text.status, 201);
      assert.equal(text.body.name, 'a\\u0000b');
    });

    test('CSV to a JSON route, or JSON to an import route, answers 415', async () => {
      const a = await t.call('POST', '/api/v1/teams', { key: ws.ownerKey, payload: 'name\nA\n', headers: { 'content-type': 'text/csv' } });
      assert.equal(a.status, 415);
      const b = await t.call('POST', '/api/v1/import/teams', { key: ws.ownerKey, body: { name: 'A' } });
      assert.equal(b.status, 415);
      assert.equal(b.body.code, 'unsupported_media_type');
    });

    test('a body over 1 MB answers 413; batch routes take up to 10 MB', async () => {
      const big = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) });
      const r = await t.call('POST', '/api/v1/teams', { key: ws.ownerKey, payload: big, headers: { 'content-type': 'application/json' } });
      assert.equal(r.status, 413);
      assert.equal(r.body.code, 'payload_too_large');
      const items = Array.from({ length: 1000 }, (_, i) => ({ externalId: `T${i}`, name: `Team ${i} ${'y'.repeat(1500)}` }));
      const b = await t.call('POST', '/api/v1/teams/batch', { key: ws.ownerKey, body: { items } });
      assert.notEqual(b.status, 413);
      assert.equal(b.status, 400); // names over 200 characters, reported per field, not as too large
    });

    test('no credentials answer 401; a bad key 401', async () => {
      assert.equal((await t.call('GET', '/api/v1/people')).status, 401);
      const r = await t.call('GET', '/api/v1/people', { key: 'tnd_nonsense' });
      assert.equal(r.status, 401);
      assert.equal(r.body.code, 'unauthenticated');
    });

    test('a role too weak answers 403', async () => {
      const analyst = await ws.key('analyst');
      const r = await t.call('GET', '/api/v1/people', { key: analyst });
      assert.equal(r.status, 403);
      assert.equal(r.body.code, 'forbidden');
    });

    test('unknown routes answer a problem 404', async () => {
      const r = await t.call('GET', '/api/v1/nothing-here', { key: ws.ownerKey });
      assert.equal(r.status, 404);
      assert.equal(r.body.code, 'not_found');
    });

    test('lists page with limit and cursor until nextCursor is null', async () => {
      for (let i = 0; i < 7; i++) assert.equal((await t.call('POST', '/api/v1/accounts', { key: ws.ownerKey, body: { kind: 'customer', externalId: `PG${i}`, name: `Paged ${i}` } })).status, 201);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const r: { status: number; body: { data: { id: string }[]; nextCursor: string | null } } = await t.call('GET', `/api/v1/accounts?q=paged&limit=3${cursor ? `&cursor=${cursor}` : ''}`, { key: ws.ownerKey });
        assert.equal(r.status, 200);
        assert.ok(r.body.data.length <= 3);
        seen.push(...r.body.data.map((a) => a.id));
        cursor = r.body.nextCursor;
      } while (cursor);
      assert.equal(seen.length, 7);
      assert.equal(new Set(seen).size, 7);
      assert.equal((await t.call('GET', '/api/v1/accounts?limit=501', { key: ws.ownerKey })).status, 400);
      assert.equal((await t.call('GET', '/api/v1/accounts?cursor=garbage', { key: ws.ownerKey })).body.code, 'invalid_cursor');
    });

    test('Idempotency-Key replays the first answer and refuses another body', async () => {
      const headers = { 'idempotency-key': 'k-1' };
      const a = await t.call('POST', '/api/v1/teams', { key: ws.ownerKey, body: { name: 'Idem' }, headers });
      const b = await t.call('POST', '/api/v1/teams', { key: ws.ownerKey, body: { name: 'Idem' }, headers });
      assert.equal(a.status, 201);
      assert.equal(b.status, 201);
      assert.equal(b.body.id, a.body.id);
      assert.equal(b.headers['idempotent-replayed'], 'true');
      const list = await t.call('GET', '/api/v1/teams?q=idem', { key: ws.ownerKey });
      assert.equal(list.body.data.length, 1);
      const c = await t.call('POST', '/api/v1/teams', { key: ws.ownerKey, body: { name: 'Other' }, headers });
      assert.equal(c.status, 409);
      assert.equal(c.body.code, 'idempotency_conflict');
    });

    test('an error answer is replayed for the same key too', async () => {
      const headers = { 'idempotency-key': 'k-err' };
      const body = { kind: 'customer', externalId: 'X', name: 'No account' };
      const a = await t.call('POST', '/api/v1/people', { key: ws.ownerKey, body, headers });
      const b = await t.call('POST', '/api/v1/people', { key: ws.ownerKey, body, headers });
      assert.equal(a.status, 400);
      assert.equal(b.status, 400);
      assert.equal(b.headers['idempotent-replayed'], 'true');
    });

    test('a duplicate external id answers 409 conflict naming the field', async () => {
      const body = { kind: 'partner', externalId: 'DUP-1', name: 'Dup' };
      assert.equal((await t.call('POST', '/api/v1/accounts', { key: ws.ownerKey, body })).status, 201);
      const r = await t.call('POST', '/api/v1/accounts', { key: ws.ownerKey, body });
      assert.equal(r.status, 409);
      assert.equal(r.body.code, 'conflict');
      assert.equal(r.body.errors[0].path, 'externalId');
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`health when the database is gone (${dialect})`, () => {
    test('answers 503 with status unavailable', async () => {
      const t = await createTestApp(dialect);
      await t.services.database.close();
      const r = await t.call('GET', '/api/health');
      assert.equal(r.status, 503);
      assert.equal(r.body.status, 'unavailable');
      assert.equal(r.body.database, dialect);
      const ws = await t.call('GET', '/api/v1/teams', { key: 'tnd_01m845qe17d4p64s6tf4kjz29a_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' });
      assert.equal(ws.status, 503);
      assert.equal(ws.body.code, 'service_unavailable');
      await t.app.close();
      await t.db.drop();
    });
  });
}
