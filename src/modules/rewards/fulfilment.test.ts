import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { createTestApp, DIALECTS, type TestApp, type TestWorkspace } from '../../../test/support/app.js';
import { percentile, safeCell } from './fulfilment.service.js';

const ADDRESS = { name: 'Emma Stone', line1: '1 Rue de la Paix, Bât. B', city: 'Paris', postalCode: '75002', country: 'FR' };
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const CSV = { 'content-type': 'text/csv' };
const csvRows = (text: string) => parse<Record<string, string>>(text, { columns: true });

describe('fulfilment: pure parts', () => {
  test('nearest-rank percentiles of known values', () => {
    const v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    assert.deepEqual([percentile(v, 0.5), percentile(v, 0.95), percentile([7], 0.95), percentile([], 0.5)], [5, 10, 7, null]);
    assert.equal(percentile([10, 20, 30, 40], 0.5), 20);
  });
  test('a cell a spreadsheet would run as a formula is written as text', () => {
    assert.deepEqual(['=1+1', '+33 1', '-2', '@SUM(A1)', '\tx', 'Emma', '', null].map(safeCell), ["'=1+1", "'+33 1", "'-2", "'@SUM(A1)", "'\tx", 'Emma', '', '']);
  });
});

for (const dialect of DIALECTS) {
  describe(`rewards: fulfilment after an order is placed (${dialect})`, () => {
    const clock = { t: Date.parse('2026-12-07T09:00:00Z'), now: () => clock.t };
    let t: TestApp;
    let ws: TestWorkspace;
    let other: TestWorkspace;
    let n = 0;
    const post = (url: string, body: unknown, key = ws.ownerKey) => t.call('POST', url, { key, body });
    const get = (url: string, key = ws.ownerKey) => t.call('GET', url, { key });
    const csvPost = (payload: string, key = ws.ownerKey) => t.call('POST', '/api/v1/redemptions/tracking', { key, payload, headers: CSV });
    const reward = async (body: Record<string, unknown>, key = ws.ownerKey) => {
      const r = await post('/api/v1/rewards', { audience: {}, ...body }, key);
      assert.equal(r.status, 201, r.text);
      return r.body as { id: string; variants: { id: string }[] };
    };
    const participant = async (points: number, name = `Person ${n + 1}`, w = ws) => {
      const p = await post('/api/v1/people', { kind: 'employee', externalId: `F-${++n}`, name, email: `p${n}@example.com` }, w.ownerKey);
      assert.equal(p.status, 201, p.text);
      if (points) assert.equal((await post(`/api/v1/people/${p.body.id}/adjustments`, { points, reason: 'test' }, w.ownerKey)).status, 201);
      return { id: p.body.id as string, email: `p${n}@example.com`, key: await w.key('participant', { personId: p.body.id }) };
    };
    const order = async (rewardId: string, who: { key: string }, extra: Record<string, unknown> = { shipping: ADDRESS }) => {
      const o = await post('/api/v1/redemptions', { rewardId, ...extra }, who.key);
      assert.equal(o.status, 201, o.text);
      return o.body as { id: string; status: string; points: number; promisedBy: string; transferId: string };
    };
    const balance = async (personId: string) => (await get(`/api/v1/people/${personId}/wallet`)).body.balance as number;
    const status = async (id: string) => (await get(`/api/v1/redemptions/${id}`)).body.status as string;
    const verify = async () => assert.equal((await t.services.ledger.verify(ws.id)).ok, true, 'the ledger verifies');
    const work = async () => {
      const w = t.services.comms.worker({ random: () => 0.5 });
      await w.drain();
      await w.close();
    };
    const inbox = async (key: string) => (await t.call('GET', '/api/v1/me/inbox?limit=100', { key })).body.data as { type: string; title: string; body: string; data: Record<string, unknown> }[];

    before(async () => {
      t = await createTestApp(dialect, { clock });
      ws = await t.workspace('Acme');
      other = await t.workspace('Other');
    });
    after(async () => t.close());

    test('each move goes only from the statuses that allow it, once; shipping keeps carrier and tracking, delivering its time', async () => {
      const r = await reward({ title: 'Hoodie', kind: 'merchandise', cost: 100, stock: 10, provider: 'manual' });
      const p = await participant(1000);
      const o = await order(r.id, p);
      assert.equal(o.status, 'placed');
      const refused = async (action: string, body: unknown, now: string) => {
        const x = await post(`/api/v1/redemptions/${o.id}/${action}`, body);
        assert.equal(x.status, 409, `${action} from ${now}: ${x.text}`);
        assert.equal(x.body.code, 'conflict');
        assert.match(x.body.detail, new RegExp(`this one is ${now}`));
      };
      const proc = await post(`/api/v1/redemptions/${o.id}/process`, {});
      assert.equal(proc.status, 200, proc.text);
      assert.equal(proc.body.status, 'processing');
      await refused('process', {}, 'processing');
      assert.equal((await post(`/api/v1/redemptions/${o.id}/ship`, { carrier: 'DHL' })).body.errors[0].path, 'trackingNumber');
      assert.equal((await post(`/api/v1/redemptions/${o.id}/ship`, { carrier: 'DHL', trackingNumber: '1', trackingUrl: 'javascript:alert(1)' })).body.errors[0].path, 'trackingUrl');
      assert.equal(await status(o.id), 'processing', 'bad input changes nothing');
      clock.t += DAY;
      const ship = await post(`/api/v1/redemptions/${o.id}/ship`, { carrier: 'DHL', trackingNumber: 'JD0146', trackingUrl: 'https://dhl.example/t/JD0146' });
      assert.equal(ship.status, 200, ship.text);
      assert.deepEqual([ship.body.status, ship.body.carrier, ship.body.trackingNumber, ship.body.trackingUrl, ship.body.deliveredAt, ship.body.late], ['shipped', 'DHL', 'JD0146', 'https://dhl.example/t/JD0146', null, false]);
      await refused('ship', { carrier: 'UPS', trackingNumber: '2' }, 'shipped');
      await refused('process', {}, 'shipped');
      clock.t += DAY;
      const done = await post(`/api/v1/redemptions/${o.id}/deliver`, { note: 'left with reception' });
      assert.equal(done.status, 200, done.text);
      assert.deepEqual([done.body.status, done.body.deliveredAt, done.body.late], ['delivered', new Date(clock.t).toISOString(), false]);
      assert.deepEqual(done.body.timeline.map((e: { status: string }) => e.status), ['placed', 'processing', 'shipped', 'delivered']);
      assert.equal(done.body.timeline[2].note, 'DHL JD0146');
      for (const [a, b] of [['deliver', {}], ['fail', { reason: 'x' }], ['ship', { carrier: 'UPS', trackingNumber: '2' }], ['process', {}]] as const) await refused(a, b, 'delivered');
      assert.equal((await post(`/api/v1/redemptions/${o.id}/cancel`, { reason: 'too late' })).status, 409);
      // A perk that never ships is delivered straight from placed; a pending order moves only by approval.
      const perk = await reward({ title: 'Lunch with the CEO', kind: 'experience', cost: 100, ships: false, requiresApproval: true });
      const q = await order(perk.id, p, {});
      assert.equal(q.status, 'pending_approval');
      for (const a of ['process', 'deliver']) assert.equal((await post(`/api/v1/redemptions/${q.id}/${a}`, {})).status, 409, a);
      assert.equal((await post(`/api/v1/redemptions/${q.id}/fail`, { reason: 'x' })).status, 409);
      assert.equal((await post(`/api/v1/redemptions/${q.id}/approve`, {})).status, 200);
      assert.equal((await post(`/api/v1/redemptions/${q.id}/deliver`, {})).body.status, 'delivered');
      clock.t -= 2 * DAY;
      await verify();
    });

    test('staff only, in their own workspace: a participant is refused, another workspace sees 404 and changes nothing', async () => {
      const r = await reward({ title: 'Mug', kind: 'merchandise', cost: 50, stock: 5 });
      const p = await participant(500);
      const o = await order(r.id, p);
      const manager = await ws.key('manager');
      for (const [a, b] of [['process', {}], ['ship', { carrier: 'DHL', trackingNumber: '1' }], ['deliver', {}], ['fail', { reason: 'x' }]] as const) {
        assert.equal((await post(`/api/v1/redemptions/${o.id}/${a}`, b, p.key)).status, 403, `${a}: participant`);
        assert.equal((await post(`/api/v1/redemptions/${o.id}/${a}`, b, manager)).status, 403, `${a}: team manager`);
        assert.equal((await post(`/api/v1/redemptions/${o.id}/${a}`, b, other.ownerKey)).status, 404, `${a}: another workspace`);
      }
      assert.equal((await post('/api/v1/redemptions/bulk', { ids: [o.id], action: 'process' }, p.key)).status, 403);
      assert.equal((await get('/api/v1/redemptions/fulfilment.csv', p.key)).status, 403);
      assert.equal((await csvPost(`orderId,carrier,trackingNumber\n${o.id},DHL,1\n`, p.key)).status, 403);
      assert.equal((await get('/api/v1/rewards/delivery-report', p.key)).status, 403);
      const bulk = await post('/api/v1/redemptions/bulk', { ids: [o.id], action: 'process' }, other.ownerKey);
      assert.deepEqual(bulk.body.results, [{ id: o.id, ok: false, status: null, code: 'not_found', detail: 'Redemption not found' }]);
      const imported = await csvPost(`orderId,carrier,trackingNumber\n${o.id},DHL,1\n`, other.ownerKey);
      assert.equal(imported.status, 200, imported.text);
      assert.deepEqual([imported.body.shipped, imported.body.rows[0].code], [0, 'not_found']);
      assert.equal(await status(o.id), 'placed');
    });

    test('failing an order refunds exactly its points by a reversal and releases its stock, once', async () => {
      const r = await reward({ title: 'Shirt', kind: 'merchandise', cost: 300, variants: [{ name: 'M', stock: 3 }] });
      const p = await participant(1000);
      const o = await order(r.id, p, { variantId: r.variants[0]!.id, quantity: 2, shipping: ADDRESS });
      assert.deepEqual([await balance(p.id), (await get(`/api/v1/rewards/${r.id}`)).body.variants[0].stock], [400, 1]);
      assert.equal((await post(`/api/v1/redemptions/${o.id}/fail`, {})).body.errors[0].path, 'reason');
      assert.equal((await post(`/api/v1/redemptions/${o.id}/process`, {})).status, 200);
      const f = await post(`/api/v1/redemptions/${o.id}/fail`, { reason: 'the supplier discontinued it' });
      assert.equal(f.status, 200, f.text);
      assert.equal(f.body.status, 'failed');
      assert.deepEqual([await balance(p.id), (await get(`/api/v1/rewards/${r.id}`)).body.variants[0].stock], [1000, 3]);
      const history = (await get(`/api/v1/people/${p.id}/transfers`)).body.data;
      assert.equal(history[0].id, f.body.refundTransferId);
      assert.deepEqual([history[0].amount, history[0].cause, history[0].reversesId], [600, 'reversal', o.transferId ?? history[0].reversesId]);
      assert.equal((await post(`/api/v1/redemptions/${o.id}/fail`, { reason: 'again' })).status, 409);
      assert.equal(await balance(p.id), 1000, 'refunded once');
      await verify();
    });

    test('bulk: each order moves on its own and answers its own result; a missing field is a 400 that moves nothing', async () => {
      const r = await reward({ title: 'Cap', kind: 'merchandise', cost: 10, stock: 20 });
      const p = await participant(1000);
      const a = await order(r.id, p);
      const b = await order(r.id, p);
      const c = await order(r.id, p);
      const foreign = await order((await reward({ title: 'Theirs', kind: 'merchandise', cost: 10 }, other.ownerKey)).id, await participant(100, 'Them', other));
      assert.equal((await post(`/api/v1/redemptions/${c.id}/ship`, { carrier: 'UPS', trackingNumber: 'U1' })).status, 200);
      const missing = await post('/api/v1/redemptions/bulk', { ids: [a.id, b.id], action: 'ship', carrier: 'DHL' });
      assert.equal(missing.status, 400);
      assert.equal(missing.body.errors[0].path, 'trackingNumber');
      assert.equal(await status(a.id), 'placed');
      assert.equal((await post('/api/v1/redemptions/bulk', { ids: [a.id], action: 'teleport' })).body.errors[0].path, 'action');
      const res = await post('/api/v1/redemptions/bulk', { ids: [a.id, c.id, foreign.id, b.id], action: 'ship', carrier: 'DHL', trackingNumber: 'BULK-1' });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual([res.body.ok, res.body.failed], [2, 2]);
      assert.deepEqual(res.body.results.map((x: { id: string; ok: boolean; status: string | null; code: string | null }) => [x.id, x.ok, x.status, x.code]), [
        [a.id, true, 'shipped', null],
        [c.id, false, null, 'conflict'],
        [foreign.id, false, null, 'not_found'],
        [b.id, true, 'shipped', null],
      ]);
      assert.match(res.body.results[1].detail, /this one is shipped/);
      assert.equal((await get(`/api/v1/redemptions/${c.id}`)).body.trackingNumber, 'U1', 'the refused order keeps its tracking');
      assert.equal((await t.call('GET', `/api/v1/redemptions/${foreign.id}`, { key: other.ownerKey })).body.status, 'placed');
      const delivered = await post('/api/v1/redemptions/bulk', { ids: [a.id, b.id], action: 'deliver' });
      assert.deepEqual(delivered.body.results.map((x: { status: string }) => x.status), ['delivered', 'delivered']);
    });

    test('the CSV export lists the queue with safe, quoted cells, filtered, and never another workspace’s orders', async () => {
      const r = await reward({ title: 'Backpack, large', kind: 'merchandise', cost: 10, variants: [{ name: 'Navy', stock: 5 }] });
      const tricky = await participant(100, '=HYPERLINK("http://evil")');
      const o = await order(r.id, tricky, { variantId: r.variants[0]!.id, shipping: { ...ADDRESS, line2: '+33 "top" floor', region: 'IDF' } });
      await order((await reward({ title: 'Theirs too', kind: 'merchandise', cost: 10 }, other.ownerKey)).id, await participant(100, 'Them', other));
      const res = await get(`/api/v1/redemptions/fulfilment.csv?rewardId=${r.id}`);
      assert.equal(res.status, 200, res.text);
      assert.match(String(res.headers['content-type']), /^text\/csv/);
      const rows = csvRows(res.text);
      assert.equal(rows.length, 1);
      assert.deepEqual(rows[0], {
        orderId: o.id,
        createdAt: new Date(clock.t).toISOString(),
        promisedBy: o.promisedBy,
        status: 'placed',
        reward: 'Backpack, large',
        variant: 'Navy',
        quantity: '1',
        shippingName: 'Emma Stone',
        shippingLine1: '1 Rue de la Paix, Bât. B',
        shippingLine2: `'+33 "top" floor`,
        shippingCity: 'Paris',
        shippingRegion: 'IDF',
        shippingPostalCode: '75002',
        shippingCountry: 'FR',
        personName: `'=HYPERLINK("http://evil")`,
        personEmail: tricky.email,
        carrier: '',
        trackingNumber: '',
        trackingUrl: '',
      });
      assert.match(res.text, /"Backpack, large"/, 'a comma is quoted');
      const all = csvRows((await get('/api/v1/redemptions/fulfilment.csv')).text);
      assert.ok(all.length > 1);
      assert.ok(!all.some((x) => x.reward!.startsWith('Theirs')), 'no order of another workspace');
      const theirs = csvRows((await t.call('GET', '/api/v1/redemptions/fulfilment.csv', { key: other.ownerKey })).text);
      assert.ok(theirs.length >= 1 && theirs.every((x) => x.reward!.startsWith('Theirs')));
      const shipped = csvRows((await get('/api/v1/redemptions/fulfilment.csv?status=shipped')).text);
      assert.ok(shipped.length >= 1 && shipped.every((x) => x.status === 'shipped'));
      assert.equal(csvRows((await get('/api/v1/redemptions/fulfilment.csv?provider=webhook')).text).length, 0);
      assert.equal((await get('/api/v1/redemptions/fulfilment.csv?status=lost')).body.errors[0].path, 'querystring.status');
    });

    test('the tracking import ships the good lines, reports the bad ones by line, and a bad header ships nothing', async () => {
      const r = await reward({ title: 'Bottle', kind: 'merchandise', cost: 10, stock: 10 });
      const p = await participant(1000);
      const [a, b, c, d] = [await order(r.id, p), await order(r.id, p), await order(r.id, p), await order(r.id, p)];
      await post(`/api/v1/redemptions/${d.id}/deliver`, {});
      for (const [file, path] of [
        [`orderId,carrier,trackingNumber,colour\n${a.id},DHL,1,red\n`, 'header.colour'],
        [`orderId,carrier\n${a.id},DHL\n`, 'header.trackingNumber'],
        [`orderId,carrier,trackingNumber,carrier\n${a.id},DHL,1,UPS\n`, 'header.carrier'],
        ['', 'file'],
        [`orderId,carrier,trackingNumber\n"${a.id},DHL,1\n`, 'file'],
      ] as const) {
        const x = await csvPost(file);
        assert.equal(x.status, 400, `${path}: ${x.text}`);
        assert.equal(x.body.errors[0].path, path, x.text);
      }
      assert.equal(await status(a.id), 'placed', 'a bad file ships nothing');
      const file = [
        'orderId,carrier,trackingNumber,trackingUrl',
        `${a.id},DHL,JD1,https://dhl.example/JD1`,
        `${b.id},"La Poste, Colissimo",6A123,`,
        'red_00000000000000000000000000,DHL,X,',
        `${c.id},DHL,,`,
        `${d.id},DHL,JD4,`,
        `not-an-id,DHL,JD5,`,
        `${c.id},UPS,1Z9,ftp://nope`,
      ].join('\n');
      const x = await csvPost(file);
      assert.equal(x.status, 200, x.text);
      assert.deepEqual([x.body.shipped, x.body.failed], [2, 5]);
      assert.deepEqual(x.body.rows.map((row: { row: number; ok: boolean; code: string | null }) => [row.row, row.ok, row.code]), [
        [2, true, null],
        [3, true, null],
        [4, false, 'not_found'],
        [5, false, 'validation_failed'],
        [6, false, 'conflict'],
        [7, false, 'validation_failed'],
        [8, false, 'validation_failed'],
      ]);
      assert.match(x.body.rows[3].detail, /trackingNumber/);
      assert.match(x.body.rows[6].detail, /trackingUrl/);
      const got = (await get(`/api/v1/redemptions/${b.id}`)).body;
      assert.deepEqual([got.status, got.carrier, got.trackingNumber, got.trackingUrl], ['shipped', 'La Poste, Colissimo', '6A123', null]);
      assert.deepEqual([await status(c.id), await status(d.id)], ['placed', 'delivered'], 'bad lines change nothing');
      // The exported file, filled in, comes back in: the export's columns beyond tracking are refused by name.
      const exported = (await get(`/api/v1/redemptions/fulfilment.csv?rewardId=${r.id}&status=placed`)).text;
      assert.equal((await csvPost(exported)).body.errors[0].path, 'header.createdAt');
    });

    test('each step writes the participant’s message (inbox) and the redemption webhook topics, in the step’s transaction', async () => {
      const hook = await post('/api/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/hook', eventTypes: ['redemption.created', 'redemption.updated'] });
      assert.equal(hook.status, 201, hook.text);
      const r = await reward({ title: 'Headphones', kind: 'merchandise', cost: 200, stock: 5, requiresApproval: true });
      const p = await participant(1000, 'Ivy Inbox');
      const o = await order(r.id, p);
      await post(`/api/v1/redemptions/${o.id}/approve`, {});
      await post(`/api/v1/redemptions/${o.id}/process`, {});
      await post(`/api/v1/redemptions/${o.id}/ship`, { carrier: 'DHL', trackingNumber: 'JD77', trackingUrl: 'https://dhl.example/JD77' });
      await post(`/api/v1/redemptions/${o.id}/deliver`, {});
      // A refused move writes nothing.
      assert.equal((await post(`/api/v1/redemptions/${o.id}/deliver`, {})).status, 409);
      const q = await order(r.id, p);
      await post(`/api/v1/redemptions/${q.id}/reject`, { reason: 'one per team this quarter' });
      const topics = (await t.services.db.selectFrom('outbox').select(['topic', 'payload']).where('workspace_id', '=', ws.id).where('topic', 'like', 'redemption.%').execute()) as { topic: string; payload: string }[];
      const mine = topics.map((m) => ({ topic: m.topic, ...(JSON.parse(m.payload) as { id: string; status: string; previousStatus: string | null; carrier: string | null }) })).filter((m) => m.id === o.id);
      assert.deepEqual(mine.map((m) => [m.topic, m.previousStatus, m.status]), [
        ['redemption.created', null, 'pending_approval'],
        ['redemption.updated', 'pending_approval', 'placed'],
        ['redemption.updated', 'placed', 'processing'],
        ['redemption.updated', 'processing', 'shipped'],
        ['redemption.updated', 'shipped', 'delivered'],
      ]);
      assert.equal(mine[3]!.carrier, 'DHL');
      await work();
      const messages = (await inbox(p.key)).filter((m) => m.type.startsWith('order.')).reverse();
      assert.deepEqual(messages.map((m) => m.type), ['order.placed', 'order.approved', 'order.processing', 'order.shipped', 'order.delivered', 'order.placed', 'order.cancelled']);
      assert.match(messages[0]!.body, /waits for approval/);
      assert.match(messages[3]!.body, /DHL, tracking number JD77/);
      assert.match(messages[3]!.body, /https:\/\/dhl\.example\/JD77/);
      assert.equal(messages[4]!.title, 'Delivered: Headphones');
      assert.equal(messages[6]!.title, 'Your order of Headphones was not approved');
      assert.match(messages[6]!.body, /one per team this quarter/);
      assert.match(messages[6]!.body, /The 200 points it cost are back/);
      assert.equal((await inbox(await ws.key('participant', { personId: (await participant(0)).id }))).filter((m) => m.type.startsWith('order.')).length, 0, 'nobody else hears of it');
    });

    test('a late order alerts the workspace’s reward managers once, whichever worker checks', async () => {
      const r = await reward({ title: 'Trophy', kind: 'recognition_award', cost: 10, stock: 10 });
      const p = await participant(100, 'Lena Late');
      const pat = (await post('/api/v1/people', { kind: 'employee', externalId: 'PAT', name: 'Pat Rewards' })).body.id as string;
      const u = await post('/api/v1/users', { email: 'pat@acme.example', role: 'program_manager', personId: pat, password: 'a long enough password 1' });
      assert.equal(u.status, 201, u.text);
      const theirPm = (await post('/api/v1/people', { kind: 'employee', externalId: 'THEIR-PM', name: 'Their PM' }, other.ownerKey)).body.id as string;
      assert.equal((await post('/api/v1/users', { email: 'pm@other.example', role: 'admin', personId: theirPm, password: 'a long enough password 2' }, other.ownerKey)).status, 201);
      const o = await order(r.id, p);
      const onTime = await order(r.id, p);
      assert.equal((await get(`/api/v1/redemptions/${o.id}`)).body.late, false);
      clock.t = Date.parse(o.promisedBy) + 2 * DAY;
      await post(`/api/v1/redemptions/${onTime.id}/deliver`, {});
      assert.equal((await get(`/api/v1/redemptions/${o.id}`)).body.late, true, 'open past its promise');
      assert.equal((await get(`/api/v1/redemptions/${onTime.id}`)).body.late, true, 'delivered after its promise');
      // Two workers check at once, then again later: one alert.
      const counts = await Promise.all([t.services.fulfilment.checkLate(), t.services.fulfilment.checkLate()]);
      assert.ok(counts.reduce((a, b) => a + b, 0) >= 1);
      await t.services.fulfilment.checkLate();
      clock.t += DAY;
      await t.services.fulfilment.checkLate();
      await work();
      const alerts = (await inbox(await ws.key('participant', { personId: pat }))).filter((m) => m.type === 'order.late');
      const forO = alerts.filter((m) => m.data.orderId === o.id);
      assert.equal(forO.length, 1, 'alerted once');
      assert.match(forO[0]!.title, /Late order: Trophy for Lena Late/);
      assert.match(forO[0]!.body, /2 day\(s\) late/);
      assert.ok(!alerts.some((m) => m.data.orderId === onTime.id), 'a delivered order is not alerted');
      const theirs = (await inbox(await other.key('participant', { personId: theirPm }))).filter((m) => m.type === 'order.late');
      assert.ok(theirs.length >= 1, 'their own late orders reach them');
      assert.ok(!theirs.some((m) => m.data.orderId === o.id), 'another workspace’s managers never hear of this one');
      assert.equal((await inbox(p.key)).filter((m) => m.type === 'order.late').length, 0, 'the participant is not alerted');
      clock.t = Date.parse('2026-12-07T09:00:00Z');
    });

    test('the delivery report gives p50, p95, on-time share and late open orders per provider and per reward on known orders', async () => {
      const rt = await createTestApp(dialect, { clock });
      try {
        const w = await rt.workspace('Report Co');
        const call = (m: string, url: string, body?: unknown, key = w.ownerKey) => rt.call(m, url, { key, body });
        const start = Date.parse('2027-03-01T00:00:00Z');
        clock.t = start;
        const empty = await call('GET', '/api/v1/rewards/delivery-report?from=2027-01-01T00:00:00Z&to=2027-02-01T00:00:00Z');
        assert.equal(empty.status, 200, empty.text);
        assert.deepEqual(empty.body.total, { orders: 0, delivered: 0, p50Minutes: null, p95Minutes: null, onTimeShare: null, lateOpen: 0, earnToOrderP50Minutes: null });
        assert.deepEqual([empty.body.providers, empty.body.rewards], [[], []]);
        assert.equal((await call('GET', '/api/v1/rewards/delivery-report?from=2027-02-01T00:00:00Z&to=2027-01-01T00:00:00Z')).body.errors[0].path, 'from');
        const person = (await call('POST', '/api/v1/people', { kind: 'employee', externalId: 'R1', name: 'Rita' })).body.id as string;
        // Earned in two lots: 20 points four days before the orders, the rest two days before.
        clock.t = start - 4 * DAY;
        await call('POST', `/api/v1/people/${person}/adjustments`, { points: 20, reason: 'test' });
        clock.t = start - 2 * DAY;
        await call('POST', `/api/v1/people/${person}/adjustments`, { points: 100_000, reason: 'test' });
        clock.t = start;
        const key = await w.key('participant', { personId: person });
        // Manual merchandise promises 10 days (14,400 minutes); five orders delivered after 1, 2, 3, 4 and 12 days; one open past its promise.
        const hoodie = (await call('POST', '/api/v1/rewards', { title: 'Hoodie', kind: 'merchandise', cost: 10, audience: {}, promisedDeliveryMinutes: 14_400 })).body;
        const perk = (await call('POST', '/api/v1/rewards', { title: 'Day off', kind: 'time_off', cost: 10, audience: {}, ships: false, promisedDeliveryMinutes: 60 })).body;
        assert.ok(hoodie.id && perk.id, JSON.stringify(hoodie));
        const ids: string[] = [];
        for (let i = 0; i < 6; i++) ids.push((await call('POST', '/api/v1/redemptions', { rewardId: hoodie.id, shipping: ADDRESS }, key)).body.id);
        const perkId = (await call('POST', '/api/v1/redemptions', { rewardId: perk.id }, key)).body.id as string;
        // Earn → order: the first two orders spent the older lot (4 days), the rest the newer (2 days).
        for (const [i, days] of [[0, 1], [1, 2], [2, 3], [3, 4], [4, 12]] as const) {
          clock.t = start + days * DAY;
          assert.equal((await call('POST', `/api/v1/redemptions/${ids[i]}/deliver`, {})).status, 200);
        }
        clock.t = start + 30 * MIN;
        assert.equal((await call('POST', `/api/v1/redemptions/${perkId}/deliver`, {})).status, 200);
        clock.t = start + 20 * DAY;
        const rep = await call('GET', '/api/v1/rewards/delivery-report?from=2027-03-01T00:00:00Z&to=2027-03-02T00:00:00Z');
        assert.equal(rep.status, 200, rep.text);
        assert.deepEqual(rep.body.total, { orders: 7, delivered: 6, p50Minutes: 2 * 1440, p95Minutes: 12 * 1440, onTimeShare: 0.8333, lateOpen: 1, earnToOrderP50Minutes: 2 * 1440 });
        assert.deepEqual(rep.body.providers.map((x: { provider: string; orders: number }) => [x.provider, x.orders]), [['manual', 7]]);
        const byReward = Object.fromEntries(rep.body.rewards.map((x: { rewardTitle: string }) => [x.rewardTitle, x]));
        assert.deepEqual(byReward.Hoodie, { rewardId: hoodie.id, rewardTitle: 'Hoodie', provider: 'manual', orders: 6, delivered: 5, p50Minutes: 3 * 1440, p95Minutes: 12 * 1440, onTimeShare: 0.8, lateOpen: 1, earnToOrderP50Minutes: 2 * 1440 });
        assert.deepEqual([byReward['Day off'].p50Minutes, byReward['Day off'].onTimeShare, byReward['Day off'].earnToOrderP50Minutes], [30, 1, 2 * 1440]);
        // Another workspace's report never counts these orders.
        const them = await rt.workspace('Elsewhere');
        assert.equal((await rt.call('GET', '/api/v1/rewards/delivery-report?from=2027-03-01T00:00:00Z&to=2027-03-02T00:00:00Z', { key: them.ownerKey })).body.total.orders, 0);
        assert.equal((await call('GET', `/api/v1/redemptions/${ids[0]}`)).body.earnedAt, new Date(start - 4 * DAY).toISOString());
        assert.equal((await call('GET', `/api/v1/redemptions/${ids[2]}`)).body.earnedAt, new Date(start - 2 * DAY).toISOString());
      } finally {
        clock.t = Date.parse('2026-12-07T09:00:00Z');
        await rt.close();
      }
    });
  });
}
