import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, DIALECTS, type TestApp, type TestWorkspace } from '../../../test/support/app.js';

const ADDRESS = { name: 'Emma Stone', line1: '1 Rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' };

for (const dialect of DIALECTS) {
  describe(`rewards: redemptions that never oversell (${dialect})`, () => {
    const clock = { t: Date.parse('2026-12-05T10:00:00Z'), now: () => clock.t };
    let t: TestApp;
    let ws: TestWorkspace;
    let other: TestWorkspace;
    let n = 0;
    const post = (url: string, body: unknown, key = ws.ownerKey, headers: Record<string, string> = {}) => t.call('POST', url, { key, body, headers });
    const get = (url: string, key = ws.ownerKey) => t.call('GET', url, { key });
    const reward = async (body: Record<string, unknown>) => {
      const r = await post('/api/v1/rewards', body);
      assert.equal(r.status, 201, r.text);
      return r.body as { id: string; variants: { id: string; name: string }[] };
    };
    /** A participant with `points` in their wallet, and their key. */
    const participant = async (points: number, kind = 'employee') => {
      const p = await post('/api/v1/people', { kind, externalId: `R-${++n}`, name: `Person ${n}`, ...(kind === 'employee' ? {} : { accountId: (await post('/api/v1/accounts', { kind, name: `Acc ${n}`, externalId: `ACC-${n}` })).body.id }) });
      assert.equal(p.status, 201, p.text);
      if (points) assert.equal((await post(`/api/v1/people/${p.body.id}/adjustments`, { points, reason: 'test' })).status, 201);
      return { id: p.body.id as string, key: await ws.key('participant', { personId: p.body.id }) };
    };
    const balance = async (personId: string) => (await get(`/api/v1/people/${personId}/wallet`)).body.balance as number;
    const stock = async (id: string) => (await get(`/api/v1/rewards/${id}`)).body.stock as number | null;
    const orders = async () => (await get('/api/v1/redemptions?limit=200')).body.data.length as number;
    const verify = async () => assert.equal((await t.services.ledger.verify(ws.id)).ok, true, 'the ledger verifies');

    before(async () => {
      t = await createTestApp(dialect, { clock });
      ws = await t.workspace('Acme');
      other = await t.workspace('Other');
    });
    after(async () => t.close());

    test('a redemption debits the wallet, reserves stock and creates an order with its timeline', async () => {
      const emma = await participant(1200);
      const r = await reward({ title: 'Coffee voucher', kind: 'gift_card', cost: 500, stock: 10, audience: { kinds: ['employee'] }, provider: 'codes' });
      const o = await post('/api/v1/redemptions', { rewardId: r.id }, emma.key);
      assert.equal(o.status, 201, o.text);
      assert.deepEqual([o.body.status, o.body.points, o.body.quantity, o.body.personId, o.body.rewardTitle], ['placed', 500, 1, emma.id, 'Coffee voucher']);
      assert.equal(o.body.promisedBy, '2026-12-05T10:05:00.000Z', 'codes promise 5 minutes');
      assert.deepEqual(o.body.timeline.map((e: { status: string }) => e.status), ['placed']);
      assert.equal(await balance(emma.id), 700);
      assert.equal(await stock(r.id), 9);
      const history = (await get(`/api/v1/people/${emma.id}/transfers`)).body.data;
      assert.equal(history[0].cause, 'redemption');
      assert.equal(history[0].id, o.body.transferId);
      const mine = await get('/api/v1/me/redemptions', emma.key);
      assert.deepEqual(mine.body.data.map((x: { id: string }) => x.id), [o.body.id]);
      await verify();
    });

    test('unlimited stock, of a reward or of one of its variants, stays unlimited through redemptions and a cancellation', async () => {
      const ann = await participant(5000);
      const perk = await reward({ title: 'Extra day off', kind: 'custom_perk', cost: 1000, stock: null, audience: { kinds: ['employee'] }, provider: 'manual' });
      const tee = await reward({ title: 'Tee', kind: 'merchandise', cost: 500, ships: true, audience: { kinds: ['employee'] }, provider: 'manual', variants: [{ name: 'M', options: { size: 'M' }, stock: null }, { name: 'L', options: { size: 'L' }, stock: 1 }] });
      const [m, l] = tee.variants;
      const a = await post('/api/v1/redemptions', { rewardId: perk.id, quantity: 2 }, ann.key);
      assert.equal(a.status, 201, a.text);
      const b = await post('/api/v1/redemptions', { rewardId: tee.id, variantId: m!.id, quantity: 3, shipping: ADDRESS }, ann.key);
      assert.equal(b.status, 201, b.text);
      assert.equal((await post('/api/v1/redemptions', { rewardId: tee.id, variantId: l!.id, quantity: 2, shipping: ADDRESS }, ann.key)).body.code, 'out_of_stock', 'a counted variant of the same reward still counts');
      assert.equal(await stock(perk.id), null);
      const variants = async () => ((await get(`/api/v1/rewards/${tee.id}`)).body.variants as { id: string; stock: number | null }[]).map((v) => v.stock);
      assert.deepEqual(await variants(), [null, 1]);
      assert.equal(await balance(ann.id), 5000 - 2000 - 1500);
      assert.equal((await post(`/api/v1/redemptions/${a.body.id}/cancel`, { reason: 'changed my mind' }, ann.key)).status, 200);
      assert.equal(await stock(perk.id), null, 'a cancellation gives back nothing to an unlimited stock');
      assert.equal(await balance(ann.id), 5000 - 1500);
      await verify();
    });

    test('every bad outcome answers its code and leaves the ledger, stock and orders unchanged', async () => {
      const sam = await participant(1000);
      const cheap = await reward({ title: 'Sticker', kind: 'merchandise', cost: 100, stock: 3, ships: false, limit: { count: 1, per: 'month' }, audience: {} });
      const dear = await reward({ title: 'Bike', kind: 'merchandise', cost: 5000, stock: 3, audience: {} });
      const none = await reward({ title: 'Sold out', kind: 'experience', cost: 10, stock: 0, audience: {} });
      const partners = await reward({ title: 'Partner kit', kind: 'custom_perk', cost: 10, audience: { kinds: ['partner'] } });
      const draft = await reward({ title: 'Later', kind: 'donation', cost: 10, status: 'draft' });
      const shirt = await reward({ title: 'Shirt', kind: 'merchandise', cost: 100, variants: [{ name: 'M', stock: 5 }] });
      assert.equal((await post('/api/v1/redemptions', { rewardId: cheap.id }, sam.key)).status, 201);
      const before = { balance: await balance(sam.id), orders: await orders(), cheap: await stock(cheap.id), dear: await stock(dear.id), shirt: await stock(shirt.id) };
      const cases: [Record<string, unknown>, number, string, string?][] = [
        [{ rewardId: dear.id, shipping: ADDRESS }, 409, 'insufficient_points'],
        [{ rewardId: none.id }, 409, 'out_of_stock'],
        [{ rewardId: partners.id }, 403, 'not_eligible'],
        [{ rewardId: cheap.id }, 409, 'limit_reached'],
        [{ rewardId: draft.id }, 409, 'reward_unavailable'],
        [{ rewardId: dear.id }, 400, 'validation_failed', 'shipping'],
        [{ rewardId: shirt.id, shipping: ADDRESS }, 400, 'validation_failed', 'variantId'],
        [{ rewardId: shirt.id, variantId: dear.id }, 400, 'validation_failed', 'variantId'],
        [{ rewardId: shirt.id, variantId: shirt.variants[0]!.id, shipping: { ...ADDRESS, country: 'France' } }, 400, 'validation_failed', 'shipping.country'],
        [{ rewardId: dear.id, shipping: { ...ADDRESS, postalCode: '' } }, 400, 'validation_failed', 'shipping.postalCode'],
        [{ rewardId: 'rwd_00000000000000000000000000' }, 404, 'not_found'],
      ];
      for (const [body, status, code, path] of cases) {
        const r = await post('/api/v1/redemptions', body, sam.key);
        assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`);
        assert.equal(r.body.code, code, r.text);
        if (path) assert.ok(r.body.errors.some((e: { path: string }) => e.path === path), `names ${path}: ${r.text}`);
      }
      assert.deepEqual({ balance: await balance(sam.id), orders: await orders(), cheap: await stock(cheap.id), dear: await stock(dear.id), shirt: await stock(shirt.id) }, before);
      // A variant redeemed with an address works, and takes the variant's stock.
      const ok = await post('/api/v1/redemptions', { rewardId: shirt.id, variantId: shirt.variants[0]!.id, shipping: ADDRESS }, sam.key);
      assert.equal(ok.status, 201, ok.text);
      assert.deepEqual(ok.body.shipping, ADDRESS);
      assert.equal(await stock(shirt.id), 4);
      // The monthly limit opens again next month.
      clock.t = Date.parse('2027-01-02T10:00:00Z');
      assert.equal((await post('/api/v1/redemptions', { rewardId: cheap.id }, sam.key)).status, 201);
      clock.t = Date.parse('2026-12-05T10:00:00Z');
      await verify();
    });

    test('50 concurrent redemptions for the last 5 units make exactly 5 orders', async () => {
      const r = await reward({ title: 'Last five', kind: 'experience', cost: 100, stock: 5, audience: {} });
      const people = await Promise.all(Array.from({ length: 50 }, () => participant(100)));
      const answers = await Promise.all(people.map((p) => post('/api/v1/redemptions', { rewardId: r.id }, p.key)));
      const codes = answers.map((a) => a.status);
      assert.equal(codes.filter((c) => c === 201).length, 5, codes.join(','));
      assert.ok(answers.filter((a) => a.status !== 201).every((a) => a.status === 409 && a.body.code === 'out_of_stock'));
      assert.equal(await stock(r.id), 0);
      const paid = (await Promise.all(people.map((p) => balance(p.id)))).filter((b) => b === 0).length;
      assert.equal(paid, 5, 'exactly the five who got one paid');
      await verify();
    });

    test('50 concurrent redemptions from a wallet that affords 3 pay exactly 3', async () => {
      const r = await reward({ title: 'Unlimited', kind: 'donation', cost: 100, audience: {} });
      const p = await participant(300);
      const answers = await Promise.all(Array.from({ length: 50 }, () => post('/api/v1/redemptions', { rewardId: r.id }, p.key)));
      assert.equal(answers.filter((a) => a.status === 201).length, 3);
      assert.ok(answers.filter((a) => a.status !== 201).every((a) => a.body.code === 'insufficient_points'));
      assert.equal(await balance(p.id), 0);
      assert.equal((await get('/api/v1/me/redemptions', p.key)).body.data.length, 3);
      await verify();
    });

    test('a retried request with the same Idempotency-Key makes one order', async () => {
      const r = await reward({ title: 'Once', kind: 'donation', cost: 100, audience: {} });
      const p = await participant(1000);
      const a = await post('/api/v1/redemptions', { rewardId: r.id }, p.key, { 'idempotency-key': 'order-1' });
      const b = await post('/api/v1/redemptions', { rewardId: r.id }, p.key, { 'idempotency-key': 'order-1' });
      assert.equal(a.status, 201);
      assert.equal(b.body.id, a.body.id);
      assert.equal(await balance(p.id), 900);
    });

    test('cancelling returns exactly the points and the stock; only the owner or an admin may, and only once', async () => {
      const r = await reward({ title: 'Mug', kind: 'merchandise', cost: 250, stock: 2, audience: {}, ships: false });
      const p = await participant(600);
      const q = await participant(600);
      const o = (await post('/api/v1/redemptions', { rewardId: r.id, quantity: 2 }, p.key)).body;
      assert.deepEqual([o.points, await balance(p.id), await stock(r.id)], [500, 100, 0]);
      assert.equal((await post(`/api/v1/redemptions/${o.id}/cancel`, { reason: 'not mine' }, q.key)).status, 404, 'another participant');
      assert.equal((await post(`/api/v1/redemptions/${o.id}/cancel`, { reason: 'x' }, other.ownerKey)).status, 404, 'another workspace');
      assert.equal((await post(`/api/v1/redemptions/${o.id}/cancel`, {}, p.key)).body.errors[0].path, 'reason');
      const c = await post(`/api/v1/redemptions/${o.id}/cancel`, { reason: 'changed my mind' }, p.key);
      assert.equal(c.status, 200, c.text);
      assert.equal(c.body.status, 'cancelled');
      assert.deepEqual(c.body.timeline.map((e: { status: string }) => e.status), ['placed', 'cancelled']);
      assert.deepEqual([await balance(p.id), await stock(r.id)], [600, 2]);
      assert.equal((await get(`/api/v1/people/${p.id}/transfers`)).body.data[0].id, c.body.refundTransferId);
      const again = await post(`/api/v1/redemptions/${o.id}/cancel`, { reason: 'again' }, p.key);
      assert.equal(again.status, 409);
      assert.equal(await balance(p.id), 600, 'refunded once');
      await verify();
    });

    test('a refund returns exactly the points spent into their original lots and expiry dates; points whose lot has expired since come back with a fresh date', async () => {
      const ex = await t.workspace('Expiring');
      const call = (method: string, url: string, body?: unknown, key = ex.ownerKey) => t.call(method, url, { key, body });
      assert.equal((await call('PATCH', '/api/v1/workspace', { pointsExpireMonths: 12 })).status, 200);
      const person = (await call('POST', '/api/v1/people', { kind: 'employee', externalId: 'EXP-1', name: 'Ines Expiry' })).body;
      const key = await ex.key('participant', { personId: person.id });
      const start = clock.t;
      const day = 86_400_000;
      const earn = async (points: number) => assert.equal((await call('POST', `/api/v1/people/${person.id}/adjustments`, { points, reason: 'earned' })).status, 201);
      const lots = async () => ((await call('GET', `/api/v1/people/${person.id}/wallet`)).body.lots as { amount: number; remaining: number; expiresAt: string | null }[]).map((l) => [l.remaining, l.expiresAt]);
      try {
        await earn(100);
        const first = (await lots())[0]![1];
        clock.t += 30 * day;
        await earn(100);
        const second = (await lots())[1]![1];
        const mug = (await call('POST', '/api/v1/rewards', { title: 'Espresso cups', kind: 'merchandise', cost: 150, stock: 5, audience: {}, ships: false })).body;
        clock.t += 30 * day;
        // Oldest first: 100 from the first lot, 50 from the second.
        const o = (await call('POST', '/api/v1/redemptions', { rewardId: mug.id }, key)).body;
        assert.deepEqual(await lots(), [[50, second]]);
        assert.equal((await call('POST', `/api/v1/redemptions/${o.id}/cancel`, { reason: 'changed my mind' }, key)).status, 200);
        assert.deepEqual(await lots(), [[100, first], [100, second]], 'each lot got back what the order took, with its own date');
        assert.equal((await t.services.ledger.verify(ex.id)).ok, true);

        // Spent again; by the time the order is cancelled the first lot's date has passed.
        const o2 = (await call('POST', '/api/v1/redemptions', { rewardId: mug.id }, key)).body;
        clock.t = start + 366 * day;
        const c = await call('POST', `/api/v1/redemptions/${o2.id}/cancel`, { reason: 'supplier lost it' });
        assert.equal(c.status, 200, c.text);
        const after = await lots();
        assert.deepEqual(after.slice(0, 1), [[100, second]], 'the second lot is whole again, with its date');
        assert.equal(after[1]![0], 100, 'the expired lot’s 100 points come back');
        assert.ok(Date.parse(String(after[1]![1])) > clock.t + 300 * day, 'with a date a year from the refund, not one already passed');
        assert.equal((await call('GET', `/api/v1/people/${person.id}/wallet`)).body.balance, 200);
        assert.equal((await t.services.ledger.verify(ex.id)).ok, true);
      } finally {
        clock.t = start;
      }
    });

    test('an order that needs approval waits; approving places it, rejecting refunds it and releases the stock; each once, by staff only', async () => {
      const r = await reward({ title: 'Day off', kind: 'time_off', cost: 400, stock: 2, requiresApproval: true, audience: {} });
      const p = await participant(1000);
      const a = (await post('/api/v1/redemptions', { rewardId: r.id }, p.key)).body;
      const b = (await post('/api/v1/redemptions', { rewardId: r.id }, p.key)).body;
      assert.deepEqual([a.status, b.status, await balance(p.id), await stock(r.id)], ['pending_approval', 'pending_approval', 200, 0]);
      assert.equal((await post(`/api/v1/redemptions/${a.id}/approve`, {}, p.key)).status, 403, 'not by the participant');
      assert.equal((await post(`/api/v1/redemptions/${a.id}/approve`, {}, other.ownerKey)).status, 404);
      clock.t += 3_600_000;
      const ok = await post(`/api/v1/redemptions/${a.id}/approve`, { note: 'enjoy' });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.body.status, 'placed');
      assert.deepEqual(ok.body.timeline.map((e: { status: string }) => e.status), ['pending_approval', 'placed']);
      assert.equal(Date.parse(ok.body.promisedBy) - Date.parse(a.promisedBy), 3_600_000, 'the promise runs from the approval');
      assert.equal((await post(`/api/v1/redemptions/${a.id}/approve`, {})).status, 409, 'once');
      assert.equal((await post(`/api/v1/redemptions/${b.id}/reject`, {})).body.errors[0].path, 'reason');
      const no = await post(`/api/v1/redemptions/${b.id}/reject`, { reason: 'team is short-staffed that week' });
      assert.equal(no.status, 200, no.text);
      assert.equal(no.body.status, 'rejected');
      assert.deepEqual([await balance(p.id), await stock(r.id)], [600, 1]);
      assert.equal((await post(`/api/v1/redemptions/${b.id}/reject`, { reason: 'again' })).status, 409);
      assert.equal((await post(`/api/v1/redemptions/${a.id}/reject`, { reason: 'too late' })).status, 409, 'a placed order is not rejected');
      assert.equal(await balance(p.id), 600);
      clock.t -= 3_600_000;
      await verify();
    });

    test('the answer to a redemption is the order exactly as a fresh GET shows it, whatever the reward reads', async () => {
      const team = await post('/api/v1/teams', { name: `Engineering ${++n}` });
      assert.equal(team.status, 201, team.text);
      const gold = await post('/api/v1/accounts', { kind: 'customer', name: `Gold ${n}`, externalId: `GOLD-${n}`, tier: 'gold' });
      assert.equal(gold.status, 201, gold.text);
      const engineer = await post('/api/v1/people', { kind: 'employee', externalId: `ENG-${n}`, name: 'Grace Hopper', teamId: team.body.id });
      const contact = await post('/api/v1/people', { kind: 'customer', externalId: `CON-${n}`, name: 'Ada Customer', accountId: gold.body.id });
      for (const p of [engineer, contact]) assert.equal((await post(`/api/v1/people/${p.body.id}/adjustments`, { points: 10_000, reason: 'test' })).status, 201);
      const keys = { engineer: await ws.key('participant', { personId: engineer.body.id }), contact: await ws.key('participant', { personId: contact.body.id }) };
      const hoodie = await reward({ title: 'Team hoodie', kind: 'merchandise', cost: 700, ships: true, audience: { teams: [team.body.id] }, limit: { count: 2, per: 'month' }, variants: [{ name: 'S', stock: 3 }, { name: 'M', stock: 3 }] });
      const pass = await reward({ title: 'Summit pass', kind: 'experience', cost: 900, stock: 4, audience: { kinds: ['customer'], accountTiers: ['gold'] }, limit: { count: 1, per: 'ever' } });
      const cases: [string, Record<string, unknown>][] = [
        [keys.engineer, { rewardId: hoodie.id, variantId: hoodie.variants[1]!.id, quantity: 2, shipping: ADDRESS }],
        [keys.contact, { rewardId: pass.id }],
      ];
      for (const [key, body] of cases) {
        const made = await post('/api/v1/redemptions', body, key);
        assert.equal(made.status, 201, made.text);
        const fresh = await get(`/api/v1/redemptions/${made.body.id}`, key);
        assert.equal(fresh.status, 200, fresh.text);
        assert.deepEqual(made.body, fresh.body, 'the answer is what was stored');
        assert.ok(made.body.earnedAt && made.body.personName && made.body.rewardTitle, made.text);
      }
      // The audiences were judged: a customer is not on the team, an engineer has no gold account.
      assert.equal((await post('/api/v1/redemptions', { rewardId: hoodie.id, variantId: hoodie.variants[0]!.id, shipping: ADDRESS }, keys.contact)).body.code, 'not_eligible');
      assert.equal((await post('/api/v1/redemptions', { rewardId: pass.id }, keys.engineer)).body.code, 'not_eligible');
      // And the limits were counted.
      assert.equal((await post('/api/v1/redemptions', { rewardId: pass.id }, keys.contact)).body.code, 'limit_reached');
      await verify();
    });

    test('a redemption reads and writes only its own workspace: another’s reward, variant and person are not found, and nothing moves', async () => {
      const theirs = (await t.call('POST', '/api/v1/rewards', { key: other.ownerKey, body: { title: 'Their shirt', kind: 'merchandise', cost: 10, variants: [{ name: 'L', stock: 5 }], audience: {} } })).body as { id: string; variants: { id: string }[] };
      const ours = await reward({ title: 'Our shirt', kind: 'merchandise', cost: 10, variants: [{ name: 'L', stock: 5 }], audience: {} });
      const p = await participant(1000);
      const before = { balance: await balance(p.id), orders: await orders() };
      const cases: [Record<string, unknown>, number, string][] = [
        [{ rewardId: theirs.id, variantId: theirs.variants[0]!.id, shipping: ADDRESS }, 404, 'not_found'],
        [{ rewardId: ours.id, variantId: theirs.variants[0]!.id, shipping: ADDRESS }, 400, 'validation_failed'],
      ];
      for (const [body, status, code] of cases) {
        const r = await post('/api/v1/redemptions', body, p.key);
        assert.deepEqual([r.status, r.body.code], [status, code], r.text);
      }
      // Their admin cannot redeem our reward for our participant either.
      assert.equal((await t.call('POST', '/api/v1/redemptions', { key: other.ownerKey, body: { rewardId: ours.id, personId: p.id } })).status, 404);
      assert.deepEqual({ balance: await balance(p.id), orders: await orders() }, before);
      assert.equal((await t.call('GET', `/api/v1/rewards/${theirs.id}`, { key: other.ownerKey })).body.stock, 5, 'their stock untouched');
      assert.equal(await stock(ours.id), 5);
    });

    test('an admin or an integration redeems on a participant’s behalf; a participant may not for someone else', async () => {
      const r = await reward({ title: 'Gift', kind: 'donation', cost: 100, audience: {} });
      const p = await participant(500);
      const q = await participant(500);
      const integration = await ws.key('integration');
      const byAdmin = await post('/api/v1/redemptions', { rewardId: r.id, personId: p.id });
      assert.equal(byAdmin.status, 201, byAdmin.text);
      assert.equal(byAdmin.body.personId, p.id);
      assert.equal((await post('/api/v1/redemptions', { rewardId: r.id, personId: p.id }, integration)).status, 201);
      assert.equal((await post('/api/v1/redemptions', { rewardId: r.id, personId: p.id }, q.key)).status, 403);
      assert.equal((await post('/api/v1/redemptions', { rewardId: r.id })).body.errors[0].path, 'personId', 'an admin without a person must name one');
      assert.equal((await post('/api/v1/redemptions', { rewardId: r.id, personId: p.id }, other.ownerKey)).status, 404);
      assert.equal(await balance(p.id), 300);
      assert.equal((await get(`/api/v1/redemptions/${byAdmin.body.id}`, q.key)).status, 404, 'not their order');
      assert.equal((await get(`/api/v1/redemptions/${byAdmin.body.id}`, p.key)).status, 200);
    });

    test('a redemption is one transaction whichever way it runs: a step that fails rolls all of it back, and one that must run asynchronously leaves nothing of a first try', async () => {
      // Its own app: the listeners added here stay for that app's life.
      const u = await createTestApp(dialect, { clock });
      try {
        const uw = await u.workspace('Listeners');
        const call = (method: string, url: string, body?: unknown, key = uw.ownerKey) => u.call(method, url, { key, body });
        const failing = (title: string) => { if (title === 'Boom') throw new Error('a step listener failed'); };
        let heard = 0;
        // A listener that fails for one reward (synchronous and asynchronous forms alike).
        u.services.redemptions.onStep(async (_tx, c) => failing(c.rewardTitle ?? ''), (_sqlite, c) => failing(c.rewardTitle ?? ''));
        const person = (await call('POST', '/api/v1/people', { kind: 'employee', externalId: 'L-1', name: 'Lin Listener' })).body;
        assert.equal((await call('POST', `/api/v1/people/${person.id}/adjustments`, { points: 1000, reason: 'test' })).status, 201);
        const key = await uw.key('participant', { personId: person.id });
        const make = async (title: string) => (await call('POST', '/api/v1/rewards', { title, kind: 'custom_perk', cost: 100, stock: 5, audience: {} })).body.id as string;
        const boom = await make('Boom');
        const state = async (rewardId: string) => ({
          balance: (await call('GET', `/api/v1/people/${person.id}/wallet`)).body.balance,
          stock: (await call('GET', `/api/v1/rewards/${rewardId}`)).body.stock,
          orders: (await call('GET', '/api/v1/redemptions?limit=200')).body.data.length,
          messages: (await u.services.db.selectFrom('outbox').select('id').where('workspace_id', '=', uw.id).where('topic', '=', 'order.placed').execute()).length,
        });
        const before = await state(boom);
        const failed = await call('POST', '/api/v1/redemptions', { rewardId: boom }, key);
        assert.equal(failed.status, 500, failed.text);
        assert.deepEqual(await state(boom), before, 'no points, stock, order or message moved');

        // A listener with no synchronous form: on SQLite the synchronous body rolls back once it
        // reaches it (the stock taken, the transfer, the order, its step and message written) and
        // the asynchronous body runs instead, once.
        u.services.redemptions.onStep(async () => void heard++);
        const mug = await make('Mug');
        const made = await call('POST', '/api/v1/redemptions', { rewardId: mug }, key);
        assert.equal(made.status, 201, made.text);
        assert.equal(heard, 1);
        assert.deepEqual(await state(mug), { balance: 900, stock: 4, orders: 1, messages: 1 });
        const fresh = await call('GET', `/api/v1/redemptions/${made.body.id}`, undefined, key);
        assert.deepEqual(made.body, fresh.body, 'the answer is what was stored');
        assert.equal((await u.services.ledger.verify(uw.id)).ok, true, 'the ledger verifies');
      } finally {
        await u.close();
      }
    });
  });
}
