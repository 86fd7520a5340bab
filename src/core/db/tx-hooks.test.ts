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
      // A second request whose answer is lost after the commit (the write after it fails, as
      // if the server had stopped there): only what the write stored in its own transaction
      // is left, and the retry replays it instead of creating the team twice.
      const db = t.services.db as unknown as { updateTable(table: string): unknown };
      const updateTable = db.updateTable.bind(db);
      db.updateTable = (table: string) => {
        if (table === 'idempotency_keys') throw new Error('the server stopped');
        return updateTable(table);
      };
      const lostHeaders = { 'idempotency-key': 'hooked-lost' };
      let lost;
      try {
        lost = await t.call('POST', '/api/v1/teams', { key: ws.ownerKey, body: { name: 'Hooked Lost' }, headers: lostHeaders });
      } finally {
        db.updateTable = updateTable;
      }
      assert.notEqual(lost.status, 201, 'the first answer was lost');
      const b = await t.call('POST', '/api/v1/teams', { key: ws.ownerKey, body: { name: 'Hooked Lost' }, headers: lostHeaders });
      assert.equal(b.status, 201);
      assert.equal(b.headers['idempotent-replayed'], 'true');
      assert.equal((await teamsNamed('Hooked%20Lost')).length, 1, 'created once');
      assert.equal(b.body.id, (await teamsNamed('Hooked%20Lost'))[0]!.id);
      assert.equal((await teamsNamed('Hooked%20Team')).length, 1);
    });
  });
}
