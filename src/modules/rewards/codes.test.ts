import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createTestApp, DIALECTS, type TestApp, type TestWorkspace } from '../../../test/support/app.js';
import { snapshotDb } from '../../../test/security/db-snapshot.js';

for (const dialect of DIALECTS) {
  describe(`rewards: the code pool (${dialect})`, () => {
    const clock = { t: Date.parse('2026-12-06T10:00:00Z'), now: () => clock.t };
    let t: TestApp & { db: { file?: string } };
    let ws: TestWorkspace;
    let other: TestWorkspace;
    let n = 0;
    const post = (url: string, body: unknown, key = ws.ownerKey) => t.call('POST', url, { key, body });
    const get = (url: string, key = ws.ownerKey) => t.call('GET', url, { key });
    const upload = (rewardId: string, csv: string, key = ws.ownerKey) => t.call('POST', `/api/v1/rewards/${rewardId}/codes`, { key, payload: csv, headers: { 'content-type': 'text/csv' } });
    const codesReward = async (extra: Record<string, unknown> = {}) => {
      // Stock 0: its stock is its codes (the first upload makes an unlimited stock a count too).
      const r = await post('/api/v1/rewards', { title: `Gift card ${++n}`, kind: 'gift_card', cost: 100, provider: 'codes', ...(extra.variants ? {} : { stock: 0 }), ...extra });
      assert.equal(r.status, 201, r.text);
      return r.body as { id: string; variants: { id: string; name: string }[] };
    };
    const participant = async (points: number, w = ws) => {
      const p = await t.call('POST', '/api/v1/people', { key: w.ownerKey, body: { kind: 'employee', externalId: `C-${++n}`, name: `Person ${n}` } });
      assert.equal(p.status, 201, p.text);
      if (points) assert.equal((await t.call('POST', `/api/v1/people/${p.body.id}/adjustments`, { key: w.ownerKey, body: { points, reason: 'test' } })).status, 201);
      return { id: p.body.id as string, key: await w.key('participant', { personId: p.body.id }) };
    };
    const codesOf = (n2: number, prefix: string) => Array.from({ length: n2 }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}-SECRET`);
    const stock = async (id: string) => (await get(`/api/v1/rewards/${id}`)).body.stock as number | null;
    const lowAlerts = async () => (await t.services.db.selectFrom('outbox').select(['payload']).where('workspace_id', '=', ws.id).where('topic', '=', 'rewards.codes_low').execute()).length;

    before(async () => {
      t = await createTestApp(dialect, { clock });
      ws = await t.workspace('Acme');
      other = await t.workspace('Other');
      // A reward manager linked to a person: the low-stock alert's recipient.
      const pat = await participant(0);
      assert.equal((await post('/api/v1/users', { email: 'pat@acme.test', role: 'admin', personId: pat.id, password: 'pat-password-123' })).status, 201);
    });
    after(async () => t.close());

    test('an upload stores each code once, reports duplicates per row and adds to the stock', async () => {
      const r = await codesReward();
      const first = await upload(r.id, 'code,expiresOn\nAAA-1,2027-12-31\nAAA-2,\nAAA-1,\n');
      assert.equal(first.status, 200, first.text);
      assert.deepEqual([first.body.added, first.body.duplicates], [2, 1]);
      assert.deepEqual(first.body.rows.map((x: { row: number; status: string }) => `${x.row}:${x.status}`), ['1:added', '2:added', '3:duplicate']);
      const again = await upload(r.id, 'code\nAAA-2\nAAA-3\n');
      assert.deepEqual(again.body.rows.map((x: { row: number; status: string; message: string | null }) => `${x.row}:${x.status}:${x.message}`), ['1:duplicate:already uploaded', '2:added:null']);
      assert.equal(await stock(r.id), 3);
      const counts = await get(`/api/v1/rewards/${r.id}/codes`);
      assert.equal(counts.status, 200);
      assert.deepEqual([counts.body.uploaded, counts.body.available, counts.body.assigned, counts.body.lowStockThreshold], [3, 3, 0, 10]);
      assert.ok(!counts.text.includes('AAA-'), 'counts never show a code');
      // Another reward of the workspace cannot hold the same code either.
      const r2 = await codesReward();
      assert.equal((await upload(r2.id, 'code\nAAA-1\n')).body.duplicates, 1);
    });

    test('a bad file answers 400 naming the column and stores nothing', async () => {
      const r = await codesReward();
      const shirt = await codesReward({ variants: [{ name: '€10', stock: 0 }, { name: '€25', stock: 0 }] });
      const cases: [string, string, string][] = [
        [r.id, 'voucher\nX1\n', 'column voucher'],
        [r.id, 'expiresOn\n2027-01-01\n', 'column code'],
        [r.id, 'code,expiresOn\nX1,31/12/2027\n', 'rows.1.expiresOn'],
        [r.id, 'code,expiresOn\nX1,2026-01-01\n', 'rows.1.expiresOn'],
        [r.id, 'code\nX1\n""\n', 'rows.2.code'],
        [r.id, 'code,variantId\nX1,rvr_00000000000000000000000000\n', 'rows.1.variantId'],
        [shirt.id, 'code\nX1\n', 'column variantId'],
        [shirt.id, `code,variantId\nX1,${shirt.variants[0]!.id}\nX2,\n`, 'rows.2.variantId'],
        [r.id, 'code\n', 'file'],
      ];
      for (const [id, csv, path] of cases) {
        const res = await upload(id, csv);
        assert.equal(res.status, 400, `${csv} → ${res.text}`);
        assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
        assert.ok(res.body.errors.some((e: { path: string }) => e.path === path), `${csv}: ${JSON.stringify(res.body.errors)}`);
      }
      assert.equal((await get(`/api/v1/rewards/${r.id}/codes`)).body.uploaded, 0);
      assert.equal(await stock(r.id), 0);
      // Variants: each code counts in its variant's stock.
      const ok = await upload(shirt.id, `code,variantId\nV1,${shirt.variants[0]!.id}\nV2,${shirt.variants[1]!.id}\nV3,${shirt.variants[1]!.id}\n`);
      assert.equal(ok.status, 200, ok.text);
      const after = (await get(`/api/v1/rewards/${shirt.id}`)).body;
      assert.deepEqual(after.variants.map((v: { stock: number }) => v.stock), [1, 2]);
      assert.deepEqual(ok.body.counts.variants.map((v: { available: number }) => v.available), [1, 2]);
      // A reward of another provider takes no codes.
      const manual = await post('/api/v1/rewards', { title: 'Mug', kind: 'merchandise', cost: 10, ships: false, provider: 'manual' });
      assert.equal((await upload(manual.body.id, 'code\nM1\n')).status, 409);
    });

    test('50 concurrent redemptions of 5 codes make exactly 5 orders with 5 distinct codes', async () => {
      const r = await codesReward();
      assert.equal((await upload(r.id, `code\n${codesOf(5, 'RACE').join('\n')}\n`)).body.added, 5);
      const people = await Promise.all(Array.from({ length: 50 }, () => participant(100)));
      const answers = await Promise.all(people.map((p) => post('/api/v1/redemptions', { rewardId: r.id }, p.key)));
      const made = answers.filter((a) => a.status === 201);
      assert.equal(made.length, 5, answers.filter((a) => a.status !== 201 && a.status !== 409).map((a) => a.text).join('\n'));
      assert.ok(answers.filter((a) => a.status !== 201).every((a) => a.body.code === 'out_of_stock'));
      assert.ok(made.every((a) => a.body.status === 'delivered' && a.body.code === undefined), 'delivered at once; the answer to the redemption itself carries no code');
      const codes = await Promise.all(made.map(async (a) => {
        const owner = people.find((p) => p.id === a.body.personId)!;
        return (await get(`/api/v1/redemptions/${a.body.id}`, owner.key)).body.code as string;
      }));
      assert.equal(new Set(codes).size, 5);
      assert.deepEqual([...codes].sort(), codesOf(5, 'RACE'));
      assert.equal(await stock(r.id), 0);
      assert.deepEqual((await get(`/api/v1/rewards/${r.id}/codes`)).body.assigned, 5);
      assert.equal((await t.services.ledger.verify(ws.id)).ok, true);
    });

    test('only the order’s owner sees its code; a delivered code order cannot be cancelled', async () => {
      const r = await codesReward();
      await upload(r.id, 'code\nOWNER-ONLY-7731\n');
      const emma = await participant(500);
      const sam = await participant(500);
      const o = await post('/api/v1/redemptions', { rewardId: r.id }, emma.key);
      assert.equal(o.status, 201, o.text);
      assert.equal((await get(`/api/v1/redemptions/${o.body.id}`, emma.key)).body.code, 'OWNER-ONLY-7731');
      const mine = (await get('/api/v1/me/redemptions', emma.key)).body.data;
      assert.equal(mine.find((x: { id: string }) => x.id === o.body.id).code, 'OWNER-ONLY-7731');
      const admin = await ws.key('admin');
      const seenByAdmin = await get(`/api/v1/redemptions/${o.body.id}`, admin);
      assert.equal(seenByAdmin.status, 200);
      assert.equal(seenByAdmin.body.code, undefined);
      const list = await get('/api/v1/redemptions?limit=200', admin);
      assert.ok(!list.text.includes('OWNER-ONLY-7731'), 'the admin list never carries codes');
      assert.equal((await get(`/api/v1/redemptions/${o.body.id}`, sam.key)).status, 404);
      assert.ok(!(await get('/api/v1/me/redemptions', sam.key)).text.includes('OWNER-ONLY-7731'));
      assert.equal((await get(`/api/v1/redemptions/${o.body.id}`, other.ownerKey)).status, 404);
      assert.equal((await get(`/api/v1/rewards/${r.id}/codes`, other.ownerKey)).status, 404);
      assert.equal((await upload(r.id, 'code\nINTRUDER\n', other.ownerKey)).status, 404);
      assert.equal((await get(`/api/v1/rewards/${r.id}/codes`, emma.key)).status, 403);
      assert.equal((await upload(r.id, 'code\nMINE\n', emma.key)).status, 403);
      const cancel = await post(`/api/v1/redemptions/${o.body.id}/cancel`, { reason: 'changed my mind' }, admin);
      assert.equal(cancel.status, 409, 'a delivered code is never taken back and given again');
    });

    test('codes are encrypted at rest: the plain code is nowhere in the database', async () => {
      const r = await codesReward();
      const plain = 'PLAINTEXT-GIFTCODE-93817';
      await upload(r.id, `code\n${plain}\n`);
      const p = await participant(500);
      const o = await post('/api/v1/redemptions', { rewardId: r.id }, p.key, );
      assert.equal((await get(`/api/v1/redemptions/${o.body.id}`, p.key)).body.code, plain, 'it opens for its owner');
      const dump = JSON.stringify([...(await snapshotDb(t.services.db)).entries()].map(([k, v]) => [k, [...v.values()]]));
      assert.ok(dump.includes('enc1:'), 'the dump holds the sealed code');
      assert.ok(!dump.includes(plain), 'no table holds the plain code');
      if (t.db.file) {
        for (const f of [t.db.file, `${t.db.file}-wal`].filter((x) => fs.existsSync(x))) assert.ok(!fs.readFileSync(f).includes(plain), `${f} holds no plain code`);
      }
    });

    test('the low-stock alert tells the reward managers once per crossing', async () => {
      const r = await codesReward();
      const set = await t.call('PATCH', `/api/v1/rewards/${r.id}/codes`, { key: ws.ownerKey, body: { lowStockThreshold: 3 } });
      assert.equal(set.status, 200, set.text);
      assert.equal(set.body.lowStockThreshold, 3);
      assert.equal((await t.call('PATCH', `/api/v1/rewards/${r.id}/codes`, { key: ws.ownerKey, body: { lowStockThreshold: -1 } })).status, 400);
      await upload(r.id, `code\n${codesOf(5, 'LOW').join('\n')}\n`);
      const before0 = await lowAlerts();
      const p = await participant(10_000);
      const redeem = async () => assert.equal((await post('/api/v1/redemptions', { rewardId: r.id }, p.key)).status, 201);
      await redeem(); // 4 left
      await redeem(); // 3 left
      assert.equal(await lowAlerts(), before0);
      await redeem(); // 2 left: under 3
      assert.equal(await lowAlerts(), before0 + 1, 'one alert (one manager)');
      await redeem(); // 1 left
      assert.equal(await lowAlerts(), before0 + 1, 'still once for this crossing');
      await upload(r.id, `code\n${codesOf(5, 'REFILL').join('\n')}\n`); // 6 left: re-armed
      for (let i = 0; i < 3; i++) await redeem(); // 3 left
      assert.equal(await lowAlerts(), before0 + 1);
      await redeem(); // 2 left: a new crossing
      assert.equal(await lowAlerts(), before0 + 2);
      const msg = await t.services.db.selectFrom('outbox').select('payload').where('topic', '=', 'rewards.codes_low').where('workspace_id', '=', ws.id).orderBy('id', 'desc').executeTakeFirstOrThrow();
      assert.ok(!msg.payload.includes('LOW-') && !msg.payload.includes('REFILL-'), 'the alert carries no code');
      assert.match(msg.payload, /"available":"2"/);
    });
  });
}
