import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestApp, DIALECTS, type TestApp, type TestWorkspace } from '../../../test/support/app.js';
import { diffSnapshots, snapshotDb } from '../../../test/security/db-snapshot.js';

const ADDRESS = { name: 'Emma Stone', line1: '1 Rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' };
const VENDOR_SCRIPT = path.resolve(import.meta.dirname, '../../../test/support/vendor-process.ts');

/** A port free now (the app listens on it, so the callback URL it gives vendors is right). */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
    s.on('error', reject);
  });

/** The vendor process, and every JSON line it said. */
async function startVendor(secret: string) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', VENDOR_SCRIPT], { env: { ...process.env, VENDOR_SECRET: secret }, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: Record<string, unknown>[] = [];
  readline.createInterface({ input: child.stdout! }).on('line', (l) => lines.push(JSON.parse(l) as Record<string, unknown>));
  for (let i = 0; i < 200 && !lines.some((l) => l.listening); i++) await sleep(50);
  const port = lines.find((l) => l.listening)?.listening as number;
  assert.ok(port, 'the vendor process listens');
  return { url: `http://127.0.0.1:${port}/orders`, lines, stop: () => new Promise<void>((r) => (child.exitCode !== null ? r() : (child.once('exit', () => r()), child.kill('SIGTERM')))) };
}

const sign = (body: string, secret: string, t = Math.floor(Date.now() / 1000)) => `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;

for (const dialect of DIALECTS) {
  describe(`rewards: webhook fulfilment vendors (${dialect})`, () => {
    let t: TestApp & { db: { file?: string } };
    let ws: TestWorkspace;
    let other: TestWorkspace;
    let vendor: Awaited<ReturnType<typeof startVendor>>;
    let v: { id: string; secret: string; callbackUrl: string };
    let reward: { id: string };
    let n = 0;
    const post = (url: string, body: unknown, key = ws.ownerKey) => t.call('POST', url, { key, body });
    const get = (url: string, key = ws.ownerKey) => t.call('GET', url, { key });
    const participant = async (points: number, w = ws) => {
      const p = await t.call('POST', '/api/v1/people', { key: w.ownerKey, body: { kind: 'employee', externalId: `V-${++n}`, name: `Person ${n}` } });
      assert.equal(p.status, 201, p.text);
      if (points) assert.equal((await t.call('POST', `/api/v1/people/${p.body.id}/adjustments`, { key: w.ownerKey, body: { points, reason: 'test' } })).status, 201);
      return { id: p.body.id as string, key: await w.key('participant', { personId: p.body.id }) };
    };
    /** A callback as a vendor sends it (signed unless told otherwise). */
    const callback = (vendorId: string, body: Record<string, unknown>, signature?: string | null) => {
      const payload = JSON.stringify(body);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (signature !== null) headers['tandem-signature'] = signature ?? sign(payload, v.secret);
      return t.call('POST', `/api/v1/fulfilment/callbacks/${vendorId}`, { payload, headers });
    };
    const order = async (p: { key: string }, rewardId = reward.id) => {
      const o = await post('/api/v1/redemptions', { rewardId, shipping: ADDRESS }, p.key);
      assert.equal(o.status, 201, o.text);
      return o.body as { id: string; status: string; personId: string };
    };
    const drain = async () => {
      const w = t.services.comms.worker({ random: () => 0 });
      try {
        return await w.drain();
      } finally {
        await w.close();
      }
    };

    before(async () => {
      const port = await freePort();
      t = await createTestApp(dialect, { services: { publicUrl: `http://127.0.0.1:${port}` } });
      await t.app.listen({ port, host: '127.0.0.1' });
      ws = await t.workspace('Acme');
      other = await t.workspace('Other');
      // The vendor is registered first (its secret is shown once), then its process starts with it.
      const created = await post('/api/v1/fulfilment-vendors', { name: 'Gifts & Co', url: 'http://127.0.0.1:9/orders' });
      assert.equal(created.status, 201, created.text);
      v = created.body;
      vendor = await startVendor(v.secret);
      assert.equal((await t.call('PATCH', `/api/v1/fulfilment-vendors/${v.id}`, { key: ws.ownerKey, body: { url: vendor.url } })).status, 200);
      const r = await post('/api/v1/rewards', { title: 'Headphones', kind: 'merchandise', cost: 300, stock: 20, provider: 'webhook', vendorId: v.id });
      assert.equal(r.status, 201, r.text);
      reward = r.body;
    });
    after(async () => {
      await vendor?.stop();
      await t.close();
    });

    test('a vendor’s secret is shown once and sealed at rest; a webhook reward must name a vendor of its workspace', async () => {
      assert.match(v.secret, /^fvsec_/);
      assert.match(v.callbackUrl, new RegExp(`^http://127\\.0\\.0\\.1:\\d+/api/v1/fulfilment/callbacks/${v.id}$`));
      const got = await get(`/api/v1/fulfilment-vendors/${v.id}`);
      assert.equal(got.status, 200);
      assert.equal(got.body.secret, undefined);
      assert.deepEqual(got.body.rewards.map((x: { id: string }) => x.id), [reward.id]);
      const dump = JSON.stringify([...(await snapshotDb(t.services.db)).entries()].map(([k, x]) => [k, [...x.values()]]));
      assert.ok(!dump.includes(v.secret), 'the vendor secret is stored sealed');
      const bad = [
        [{ title: 'X', kind: 'experience', cost: 10, provider: 'webhook' }, 'vendorId'],
        [{ title: 'X', kind: 'experience', cost: 10, provider: 'webhook', vendorId: 'fvn_00000000000000000000000000' }, 'vendorId'],
        [{ title: 'X', kind: 'experience', cost: 10, provider: 'manual', vendorId: v.id }, 'vendorId'],
      ] as const;
      for (const [body, field] of bad) {
        const res = await post('/api/v1/rewards', body);
        assert.equal(res.status, 400, res.text);
        assert.equal(res.body.errors[0].path, field);
      }
      assert.equal((await t.call('POST', '/api/v1/rewards', { key: other.ownerKey, body: { title: 'X', kind: 'experience', cost: 10, provider: 'webhook', vendorId: v.id } })).status, 400, 'another workspace’s vendor is no vendor');
      assert.equal((await get(`/api/v1/fulfilment-vendors/${v.id}`, other.ownerKey)).status, 404);
      assert.equal((await get('/api/v1/fulfilment-vendors', other.ownerKey)).body.data.length, 0);
      const p = await participant(0);
      assert.equal((await get('/api/v1/fulfilment-vendors', p.key)).status, 403);
      assert.equal((await post('/api/v1/fulfilment-vendors', { name: 'Mine', url: 'http://127.0.0.1:9/' }, p.key)).status, 403);
      assert.equal((await post('/api/v1/fulfilment-vendors', { name: 'Bad', url: 'ftp://example.com/' })).body.errors[0].path, 'url');
      assert.equal((await t.call('DELETE', `/api/v1/fulfilment-vendors/${v.id}`, { key: ws.ownerKey })).status, 409, 'a reward still sends orders there');
    });

    test('an order goes to the real vendor process through the outbox, signed; its callbacks ship and deliver it', async () => {
      const emma = await participant(1000);
      const o = await order(emma);
      assert.equal(o.status, 'placed');
      const stats = await drain();
      assert.ok(stats.delivered >= 1, JSON.stringify(stats));
      const received = vendor.lines.find((l) => l.orderId === o.id && l.received);
      assert.ok(received, `the vendor got the order: ${JSON.stringify(vendor.lines)}`);
      assert.equal(received.type, 'order.placed');
      assert.equal(received.reward, 'Headphones');
      assert.deepEqual(received.shipping, ADDRESS);
      let now: { status: string; timeline: { status: string; note: string | null }[] } | undefined;
      for (let i = 0; i < 200; i++) {
        now = (await get(`/api/v1/redemptions/${o.id}`, emma.key)).body;
        if (now!.status === 'delivered') break;
        await sleep(50);
      }
      assert.equal(now!.status, 'delivered', JSON.stringify(vendor.lines));
      assert.deepEqual(now!.timeline.map((s) => s.status), ['placed', 'shipped', 'delivered']);
      assert.match(now!.timeline[1]!.note!, /UPS.*1Z999AA10123456784/);
      assert.ok(vendor.lines.filter((l) => l.orderId === o.id && l.callback).every((l) => l.answer === 200), JSON.stringify(vendor.lines));
      assert.equal((await t.services.ledger.verify(ws.id)).ok, true);
    });

    test('bad, stale, replayed, misdirected and backward callbacks are refused and change nothing', async () => {
      const sam = await participant(1000);
      const o = await order(sam);
      await drain();
      for (let i = 0; i < 200 && (await get(`/api/v1/redemptions/${o.id}`)).body.status !== 'delivered'; i++) await sleep(50);
      const open = await order(sam);
      // A second vendor, and an order of another workspace.
      const v2 = (await post('/api/v1/fulfilment-vendors', { name: 'Other vendor', url: 'http://127.0.0.1:9/' })).body as { id: string; secret: string };
      const ov = (await t.call('POST', '/api/v1/fulfilment-vendors', { key: other.ownerKey, body: { name: 'Theirs', url: 'http://127.0.0.1:9/' } })).body as { id: string; secret: string };
      const theirReward = await t.call('POST', '/api/v1/rewards', { key: other.ownerKey, body: { title: 'Their thing', kind: 'merchandise', cost: 10, stock: 5, provider: 'webhook', vendorId: ov.id } });
      const theirs = await order(await participant(100, other), theirReward.body.id);
      const before = await snapshotDb(t.services.db);
      const body = (x: Record<string, unknown> = {}) => ({ id: `probe-${++n}`, orderId: open.id, status: 'processing', ...x });
      const stale = JSON.stringify(body());
      const misdirected = body();
      const replayed = { id: `cb-${o.id}-shipped`, orderId: o.id, status: 'shipped' };
      const cases: [string, Promise<{ status: number; body: any; text: string }>, number][] = [
        ['unknown vendor', callback('fvn_00000000000000000000000000', body()), 404],
        ['no signature', callback(v.id, body(), null), 401],
        ['bad signature', callback(v.id, body(), sign(JSON.stringify(body()), 'not-the-secret')), 401],
        ['signed with another vendor’s secret', callback(v.id, body(), sign(JSON.stringify(body()), v2.secret)), 401],
        ['stale timestamp', t.call('POST', `/api/v1/fulfilment/callbacks/${v.id}`, { payload: stale, headers: { 'content-type': 'application/json', 'tandem-signature': sign(stale, v.secret, Math.floor(Date.now() / 1000) - 301) } }), 401],
        ['replayed callback id', callback(v.id, replayed), 409],
        ['unknown order', callback(v.id, body({ orderId: 'red_00000000000000000000000000' })), 404],
        ['order of another vendor', callback(v2.id, misdirected, sign(JSON.stringify(misdirected), v2.secret)), 404],
        ['order of another workspace', callback(v.id, body({ orderId: theirs.id })), 404],
        ['backward move', callback(v.id, { id: `back-${++n}`, orderId: o.id, status: 'processing' }), 409],
        ['bad status', callback(v.id, body({ status: 'lost' })), 400],
      ];
      for (const [what, pending, status] of cases) {
        const res = await pending;
        assert.equal(res.status, status, `${what}: ${res.text}`);
        assert.match(res.text, /"code"/, `${what} answers problem+json`);
      }
      assert.deepEqual(diffSnapshots(before, await snapshotDb(t.services.db)), [], 'nothing changed');
      assert.equal((await get(`/api/v1/redemptions/${theirs.id}`, other.ownerKey)).body.status, 'placed');
    });

    test('a failed report refunds the points and releases the stock; a failed order moves no further', async () => {
      const dana = await participant(1000);
      const stockBefore = (await get(`/api/v1/rewards/${reward.id}`)).body.stock as number;
      const o = await order(dana);
      assert.equal((await get(`/api/v1/people/${dana.id}/wallet`)).body.balance, 700);
      const processing = await callback(v.id, { id: `p-${o.id}`, orderId: o.id, status: 'processing' });
      assert.equal(processing.status, 200, processing.text);
      const failed = await callback(v.id, { id: `f-${o.id}`, orderId: o.id, status: 'failed', reason: 'discontinued by the maker' });
      assert.equal(failed.status, 200, failed.text);
      assert.deepEqual(failed.body, { orderId: o.id, status: 'failed' });
      const after = (await get(`/api/v1/redemptions/${o.id}`, dana.key)).body;
      assert.deepEqual(after.timeline.map((s: { status: string }) => s.status), ['placed', 'processing', 'failed']);
      assert.ok(after.refundTransferId);
      assert.equal((await get(`/api/v1/people/${dana.id}/wallet`)).body.balance, 1000);
      assert.equal((await get(`/api/v1/rewards/${reward.id}`)).body.stock, stockBefore);
      assert.equal((await callback(v.id, { id: `d-${o.id}`, orderId: o.id, status: 'delivered' })).status, 409);
      assert.equal((await t.services.ledger.verify(ws.id)).ok, true);
    });
  });
}
