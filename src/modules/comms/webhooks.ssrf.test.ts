import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, DIALECTS, type TestApp, type TestWorkspace } from '../../../test/support/app.js';
import { startReceiver, type Receiver } from '../../../test/support/webhook-receiver.js';
import { isPrivateAddress } from './webhooks.ssrf.js';

test('private, loopback, link-local and reserved addresses are told from public ones', () => {
  for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '64:ff9b::a00:1', 'not-an-ip'])
    assert.equal(isPrivateAddress(a), true, a);
  for (const a of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '1.1.1.1']) assert.equal(isPrivateAddress(a), false, a);
});

for (const dialect of DIALECTS) {
  describe(`comms: no server-side request forgery in production mode (${dialect})`, () => {
    let t: TestApp;
    let ws: TestWorkspace;
    let r: Receiver;
    before(async () => {
      t = await createTestApp(dialect, { production: true });
      ws = await t.workspace('Prod Co');
      r = await startReceiver();
    });
    after(async () => {
      await r.close();
      await t.close();
    });

    test('refuses endpoints on loopback, link-local and private addresses, by address or by name, and writes nothing', async () => {
      const port = new URL(r.url).port;
      for (const url of [r.url, `http://localhost:${port}/x`, 'http://[::1]/x', 'http://10.0.0.8/x', 'http://169.254.169.254/latest/meta-data', 'https://192.168.0.10/', 'http://0.0.0.0/']) {
        const res = await t.call('POST', '/api/v1/webhook-endpoints', { key: ws.ownerKey, body: { url, eventTypes: ['points.awarded'] } });
        assert.equal(res.status, 400, `${url}: ${res.text}`);
        assert.equal(res.body.errors[0].path, 'url');
        assert.match(res.body.errors[0].message, /private address|does not resolve/);
      }
      assert.equal((await t.call('GET', '/api/v1/webhook-endpoints', { key: ws.ownerKey })).body.data.length, 0);
      const admin = await ws.key('admin');
      const ok = await t.call('POST', '/api/v1/webhook-endpoints', { key: admin, body: { url: r.url, eventTypes: ['points.awarded'], allowPrivateNetwork: true } });
      assert.equal(ok.status, 201, ok.text);
      const off = await t.call('PATCH', `/api/v1/webhook-endpoints/${ok.body.id}`, { key: admin, body: { allowPrivateNetwork: false } });
      assert.equal(off.status, 400, 'the flag cannot be removed while the URL needs it');
      await t.services.outbox.enqueue(t.services.db, { workspaceId: ws.id, topic: 'points.awarded', payload: { allowed: true } });
      const w = t.services.comms.worker();
      await w.drain();
      await w.close();
      assert.equal(r.received.length, 1, 'an endpoint allowed to reach private addresses is delivered to');
      assert.equal((await t.call('DELETE', `/api/v1/webhook-endpoints/${ok.body.id}`, { key: admin })).status, 204);
    });

    test('checks again at delivery time: an endpoint whose host now resolves to a private address is refused, by name or address', async () => {
      const port = new URL(r.url).port;
      const before = r.received.length;
      // Saved while allowed (or while the name resolved to a public address); the flag is then
      // taken off in the database, as a DNS change would leave it: only the delivery-time check stands.
      const ids: string[] = [];
      for (const url of [`http://localhost:${port}/hooks`, r.url]) {
        const made = await t.call('POST', '/api/v1/webhook-endpoints', { key: ws.ownerKey, body: { url, eventTypes: ['points.awarded'], allowPrivateNetwork: true } });
        assert.equal(made.status, 201, made.text);
        await t.services.db.updateTable('webhook_endpoints').set({ allow_private_network: 0 }).where('id', '=', made.body.id).execute();
        ids.push(made.body.id);
      }
      await t.services.outbox.enqueue(t.services.db, { workspaceId: ws.id, topic: 'points.awarded', payload: { refused: true } });
      const w = t.services.comms.worker();
      await w.drain();
      await w.close();
      assert.equal(r.received.length, before, 'nothing reached the receiver');
      for (const id of ids) {
        const log = await t.call('GET', `/api/v1/webhook-endpoints/${id}/deliveries`, { key: ws.ownerKey });
        assert.equal(log.body.data.length, 1);
        assert.equal(log.body.data[0].status, 'pending', 'refused attempts are retried like failures');
        assert.match(log.body.data[0].attempts[0].error, /private address/);
        assert.equal(log.body.data[0].attempts[0].statusCode, null);
      }
    });
  });
}
