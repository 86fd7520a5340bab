import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, DIALECTS, type TestApp, type TestWorkspace } from '../../../test/support/app.js';
import { systemContext } from '../auth.js';
import { txHooks } from './tx-hooks.js';

for (const dialect of DIALECTS) {
  describe(`a request's transaction hook (${dialect})`, () => {
    let t: TestApp;
    let ws: TestWorkspace;
    before(async () => {
      t = await createTestApp(dialect);
      ws = await t.workspace('Hooked Co');
    });
    after(() => t.close());
    const teamsNamed = async (q: string) => (await t.call('GET', `/api/v1/teams?q=${q}`, { key: ws.ownerKey })).body.data as { id: string }[];

    test('runs inside the write, with its result: when the hook fails, the write rolls back', async () => {
      const ctx = systemContext(ws.id);
      await assert.rejects(
        txHooks.run({ beforeCommit: async () => Promise.reject(new Error('the hook failed')) }, () => t.services.people.create(ctx, 'teams', { name: 'Rolled Back' })),
        /the hook failed/,
      );
      assert.deepEqual(await teamsNamed('Rolled'), [], 'nothing of the write is left');

      const seen: unknown[] = [];
      const answered: unknown[] = [];
      const made = await txHooks.run({ beforeCommit: async (_tx, result) => void seen.push(result), answer: async (_tx, value) => void answered.push(value) }, () => t.services.people.create(ctx, 'teams', { name: 'Kept Team' }));
      assert.equal((await teamsNamed('Kept')).length, 1);
      assert.equal(seen.length, 1, 'once, for the one transaction');
      assert.deepEqual(answered, [made], 'the write names its answer inside its transaction');
    });

    test('an idempotent POST has its answer stored by the write itself; a later server error does not unpin it', async () => {
      const headers = { 'idempotency-key': 'hooked-1' };
      const a = await t.call('POST', '/api/v1/teams', { key: ws.ownerKey, body: { name: 'Hooked Team' }, headers });
      assert.equal(a.status, 201);
      const row = await t.services.db.selectFrom('idempotency_keys').selectAll().where('workspace_id', '=', ws.id).where('key', '=', 'hooked-1').executeTakeFirstOrThrow();
      assert.equal(row.status_code, 201);
      assert.equal((JSON.parse(JSON.parse(row.response as string).body as string) as { id: string }).id, a.body.id);
      // As if the server had stopped after the commit, before the answer was sent: the
      // answer the write stored is replayed, and nothing is created twice.
      await t.services.db.updateTable('idempotency_keys').set({ response: JSON.stringify({ type: 'application/json; charset=utf-8', body: JSON.stringify({ ...a.body, name: 'Hooked Team' }) }) }).where('workspace_id', '=', ws.id).where('key', '=', 'hooked-1').execute();
      const b = await t.call('POST', '/api/v1/teams', { key: ws.ownerKey, body: { name: 'Hooked Team' }, headers });
      assert.equal(b.status, 201);
      assert.equal(b.body.id, a.body.id);
      assert.equal((await teamsNamed('Hooked')).length, 1);
    });
  });
}
