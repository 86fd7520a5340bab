import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, DIALECTS, TEST_SECRET, type TestApp, type TestWorkspace } from '../../../test/support/app.js';
import { startReceiver, type Receiver, type Received } from '../../../test/support/webhook-receiver.js';
import { openDatabase } from '../../core/db/db.js';
import { createServices } from '../../app.js';
import { verifySignature } from './webhooks.signing.js';
import { BACKOFF, DISABLE_AFTER_MS, RETRY_WINDOW_MS } from './delivery.worker.js';

const HOUR = 3600_000;

for (const dialect of DIALECTS) {
  describe(`comms: webhook endpoints and the delivery worker (${dialect})`, () => {
    // The clock the worker and the API read; tests move it, nothing sleeps.
    const clock = { t: Math.floor(Date.now() / 1000) * 1000 + 60_000, now: () => clock.t };
    let t: TestApp & { db: { url?: string; file?: string } };
    let ws: TestWorkspace;
    const receivers: Receiver[] = [];
    // Jitter fixed at 0.5 of its range, so the spacing of retries is exact.
    const worker = () => t.services.comms.worker({ random: () => 0.5, batchSize: 50, concurrency: 8 });

    before(async () => {
      t = await createTestApp(dialect, { clock });
      ws = await t.workspace('Hooks Co');
    });
    after(async () => {
      for (const r of receivers) await r.close();
      await t.close();
    });

    const receiver = async (handler?: (r: Omit<Received, 'status'>, n: number) => number) => {
      const r = await startReceiver({ handler });
      receivers.push(r);
      return r;
    };
    const createEndpoint = async (url: string, eventTypes: string[] = ['points.awarded'], key = ws.ownerKey) => {
      const r = await t.call('POST', '/api/v1/webhook-endpoints', { key, body: { url, eventTypes } });
      assert.equal(r.status, 201, r.text);
      return r.body as { id: string; secret: string };
    };
    const enqueue = (topic: string, payload: unknown, workspaceId = ws.id) => t.services.outbox.enqueue(t.services.db, { workspaceId, topic, payload });
    const deliveriesOf = async (endpointId: string, key = ws.ownerKey) => {
      const r = await t.call('GET', `/api/v1/webhook-endpoints/${endpointId}/deliveries?limit=500`, { key });
      assert.equal(r.status, 200, r.text);
      return r.body.data as { id: string; eventId: string; status: string; replayOf: string | null; attempts: { statusCode: number | null; at: string; error: string | null }[] }[];
    };
    /** Runs the worker at each moment something falls due, up to `until` (then the clock stays there). */
    async function runUntil(until: number) {
      const w = worker();
      for (;;) {
        await w.drain();
        const next = await t.services.db.selectFrom('outbox').select((eb) => eb.fn.min('available_at').as('at')).where('status', '=', 'pending').executeTakeFirst();
        const at = next?.at == null ? null : Number(next.at);
        if (at === null || at > until) break;
        clock.t = Math.max(clock.t, at);
      }
      clock.t = Math.max(clock.t, until);
      await w.close();
    }

    test('creates an endpoint with its secret shown once; lists, reads, updates and deletes it', async () => {
      const made = await t.call('POST', '/api/v1/webhook-endpoints', { key: ws.ownerKey, body: { url: 'https://hooks.example.com/tandem', eventTypes: ['points.awarded', 'goal.tier_reached'], description: 'CRM' } });
      assert.equal(made.status, 201, made.text);
      assert.match(made.body.id, /^whe_[0-9a-z]{26}$/);
      assert.match(made.body.secret, /^whsec_[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(made.body.eventTypes, ['points.awarded', 'goal.tier_reached']);
      assert.equal(made.body.enabled, true);
      const got = await t.call('GET', `/api/v1/webhook-endpoints/${made.body.id}`, { key: ws.ownerKey });
      assert.equal(got.status, 200);
      assert.equal(got.body.secret, undefined);
      const listed = await t.call('GET', '/api/v1/webhook-endpoints', { key: ws.ownerKey });
      assert.ok(listed.body.data.some((e: { id: string; secret?: string }) => e.id === made.body.id && e.secret === undefined));
      const patched = await t.call('PATCH', `/api/v1/webhook-endpoints/${made.body.id}`, { key: ws.ownerKey, body: { url: 'http://hooks.example.com/v2', eventTypes: ['*'], enabled: false } });
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.body.url, 'http://hooks.example.com/v2');
      assert.deepEqual(patched.body.eventTypes, ['*']);
      assert.equal(patched.body.enabled, false);
      assert.equal(patched.body.disabledReason, 'disabled by hand');
      assert.equal((await t.call('DELETE', `/api/v1/webhook-endpoints/${made.body.id}`, { key: ws.ownerKey })).status, 204);
      assert.equal((await t.call('GET', `/api/v1/webhook-endpoints/${made.body.id}`, { key: ws.ownerKey })).status, 404);
    });

    test('refuses URLs that are not http(s), carry credentials or do not parse, and unknown event types, naming the field and writing nothing', async () => {
      const before = await t.services.db.selectFrom('webhook_endpoints').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      const bad: [unknown, string][] = [
        [{ url: 'ftp://hooks.example.com/x', eventTypes: ['points.awarded'] }, 'url'],
        [{ url: 'file:///etc/passwd', eventTypes: ['points.awarded'] }, 'url'],
        [{ url: 'not a url', eventTypes: ['points.awarded'] }, 'url'],
        [{ url: 'https://user:pw@hooks.example.com/', eventTypes: ['points.awarded'] }, 'url'],
        [{ url: 'https://hooks.example.com/', eventTypes: ['points.stolen'] }, 'eventTypes.0'],
        [{ url: 'https://hooks.example.com/', eventTypes: [] }, 'eventTypes'],
      ];
      for (const [body, path] of bad) {
        const r = await t.call('POST', '/api/v1/webhook-endpoints', { key: ws.ownerKey, body });
        assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
        assert.match(String(r.headers['content-type']), /application\/problem\+json/);
        assert.equal(r.body.code, 'validation_failed');
        assert.equal(r.body.errors[0].path, path, r.text);
      }
      const after = await t.services.db.selectFrom('webhook_endpoints').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(after.n), Number(before.n));
    });

    test("another workspace gets 404 for an endpoint, its log, its replay and its dead letters; a participant 403; no credentials 401", async () => {
      const r = await receiver();
      const e = await createEndpoint(r.url);
      await enqueue('points.awarded', { personId: 'per_x', points: 5 });
      await worker().drain();
      const [d] = await deliveriesOf(e.id);
      const other = await t.workspace('Other Hooks Co');
      for (const [method, url] of [
        ['GET', `/api/v1/webhook-endpoints/${e.id}`],
        ['PATCH', `/api/v1/webhook-endpoints/${e.id}`],
        ['DELETE', `/api/v1/webhook-endpoints/${e.id}`],
        ['POST', `/api/v1/webhook-endpoints/${e.id}/rotate-secret`],
        ['GET', `/api/v1/webhook-endpoints/${e.id}/deliveries`],
        ['POST', `/api/v1/webhook-endpoints/${e.id}/deliveries/${d!.id}/replay`],
        ['POST', `/api/v1/dead-letters/${d!.id}/retry`],
        ['DELETE', `/api/v1/dead-letters/${d!.id}`],
      ] as const) {
        const res = await t.call(method, url, { key: other.ownerKey, body: method === 'PATCH' ? { enabled: false } : undefined });
        assert.equal(res.status, 404, `${method} ${url}: ${res.text}`);
        assert.ok(!res.text.includes(e.id), res.text);
      }
      assert.equal((await t.call('GET', '/api/v1/webhook-endpoints', { key: other.ownerKey })).body.data.length, 0);
      const participant = await ws.key('program_manager');
      assert.equal((await t.call('GET', '/api/v1/webhook-endpoints', { key: participant })).status, 403);
      assert.equal((await t.call('GET', '/api/v1/dead-letters', { key: participant })).status, 403);
      assert.equal((await t.call('GET', '/api/v1/webhook-endpoints')).status, 401);
      assert.equal((await t.call('GET', `/api/v1/webhook-endpoints/${e.id}`, { key: ws.ownerKey })).body.enabled, true);
    });

    test('a receiver that fails the first attempts then accepts gets exactly one accepted delivery, signed, retried by the backoff', async () => {
      const r = await receiver((_req, n) => (n < 3 ? 500 : 200));
      const e = await createEndpoint(r.url);
      const other = await createEndpoint(r.url, ['goal.tier_reached']);
      const created = clock.t;
      await enqueue('points.awarded', { personId: 'per_1', points: 250 });
      await runUntil(clock.t + 2 * HOUR);
      assert.equal(r.received.length, 4);
      assert.deepEqual(r.received.map((x) => x.status), [500, 500, 500, 200]);
      assert.equal(new Set(r.received.map((x) => x.deliveryId)).size, 1, 'the delivery id is stable across retries');
      assert.equal(r.answeredOk.get(r.received[0]!.deliveryId), 1, 'accepted exactly once');
      for (const x of r.received) {
        const ts = Number(/t=(\d+)/.exec(x.signature)![1]);
        assert.ok(verifySignature(x.body, x.signature, e.secret, ts), `signature ${x.signature}`);
        assert.ok(!verifySignature(x.body, x.signature, other.secret, ts));
      }
      const body = JSON.parse(r.received[0]!.body);
      assert.deepEqual(Object.keys(body), ['id', 'type', 'createdAt', 'data']);
      assert.equal(body.type, 'points.awarded');
      assert.equal(body.createdAt, new Date(created).toISOString());
      assert.deepEqual(body.data, { personId: 'per_1', points: 250 });
      const [d] = await deliveriesOf(e.id);
      assert.equal(d!.id, r.received[0]!.deliveryId);
      assert.equal(d!.status, 'delivered');
      assert.deepEqual(d!.attempts.map((a) => a.statusCode), [500, 500, 500, 200]);
      const at = d!.attempts.map((a) => Date.parse(a.at));
      assert.equal(at[0], created);
      const gaps = at.slice(1).map((x, i) => x - at[i]!);
      const expected = [1, 2, 3].map((n) => {
        const base = Math.min(BACKOFF.baseMs * 2 ** (n - 1), BACKOFF.maxMs);
        return base + Math.floor(0.5 * base * BACKOFF.jitter);
      });
      assert.deepEqual(gaps, expected);
      assert.equal((await deliveriesOf(other.id)).length, 0, 'an endpoint not subscribed to the type gets nothing');
    });

    test('after a rotation deliveries carry both signatures for 24 hours, then only the new one', async () => {
      const r = await receiver();
      const e = await createEndpoint(r.url);
      const rotated = await t.call('POST', `/api/v1/webhook-endpoints/${e.id}/rotate-secret`, { key: ws.ownerKey });
      assert.equal(rotated.status, 200, rotated.text);
      assert.notEqual(rotated.body.secret, e.secret);
      assert.equal(rotated.body.previousSecretExpiresAt, new Date(clock.t + 24 * HOUR).toISOString());
      await enqueue('points.awarded', { n: 1 });
      await worker().drain();
      const during = r.received.at(-1)!;
      const ts = Number(/t=(\d+)/.exec(during.signature)![1]);
      assert.equal(during.signature.match(/v1=/g)!.length, 2);
      assert.ok(verifySignature(during.body, during.signature, e.secret, ts), 'the old secret verifies during the overlap');
      assert.ok(verifySignature(during.body, during.signature, rotated.body.secret, ts), 'the new secret verifies');
      clock.t += 24 * HOUR + 1000;
      await enqueue('points.awarded', { n: 2 });
      await worker().drain();
      const afterwards = r.received.at(-1)!;
      const ts2 = Number(/t=(\d+)/.exec(afterwards.signature)![1]);
      assert.equal(afterwards.signature.match(/v1=/g)!.length, 1);
      assert.ok(!verifySignature(afterwards.body, afterwards.signature, e.secret, ts2), 'the old secret no longer verifies');
      assert.ok(verifySignature(afterwards.body, afterwards.signature, rotated.body.secret, ts2));
    });

    test('a delivery failing for 24 hours becomes a dead letter; an admin retries one and discards another', async () => {
      let accept = false;
      const r = await receiver(() => (accept ? 200 : 503));
      const e = await createEndpoint(r.url);
      const start = clock.t;
      await enqueue('points.awarded', { n: 'a' });
      await enqueue('points.awarded', { n: 'b' });
      await runUntil(start + RETRY_WINDOW_MS + HOUR);
      const ds = await deliveriesOf(e.id);
      assert.equal(ds.length, 2);
      for (const d of ds) {
        assert.equal(d.status, 'dead');
        assert.equal(Date.parse(d.attempts.at(-1)!.at) - Date.parse(d.attempts[0]!.at), RETRY_WINDOW_MS, 'the last attempt is 24 hours after the first');
        assert.ok(d.attempts.length > 10 && d.attempts.every((a) => a.statusCode === 503));
      }
      const dead = await t.call('GET', '/api/v1/dead-letters', { key: ws.ownerKey });
      assert.equal(dead.status, 200);
      const mine = dead.body.data.filter((x: { payload: { endpointId?: string } }) => x.payload.endpointId === e.id);
      assert.equal(mine.length, 2);
      assert.equal(mine[0].lastError, 'HTTP 503');
      const endpoint = await t.call('GET', `/api/v1/webhook-endpoints/${e.id}`, { key: ws.ownerKey });
      assert.equal(endpoint.body.enabled, true, 'one day of failures does not disable an endpoint');

      accept = true;
      const retried = await t.call('POST', `/api/v1/dead-letters/${mine[0].id}/retry`, { key: ws.ownerKey });
      assert.equal(retried.status, 200, retried.text);
      assert.equal((await t.call('POST', `/api/v1/dead-letters/${mine[0].id}/retry`, { key: ws.ownerKey })).status, 409, 'a message no longer dead');
      assert.equal((await t.call('DELETE', `/api/v1/dead-letters/${mine[1].id}`, { key: ws.ownerKey })).status, 204);
      await worker().drain();
      const after = new Map((await deliveriesOf(e.id)).map((d) => [d.id, d.status]));
      assert.equal(after.get(mine[0].id), 'delivered');
      assert.equal(after.get(mine[1].id), 'discarded');
      assert.equal(r.answeredOk.get(mine[0].id), 1);
      assert.equal(r.answeredOk.get(mine[1].id), undefined);
      const left = (await t.call('GET', '/api/v1/dead-letters', { key: ws.ownerKey })).body.data.map((x: { id: string }) => x.id);
      assert.ok(!left.includes(mine[0].id) && !left.includes(mine[1].id));
      assert.equal((await t.call('POST', '/api/v1/dead-letters/msg_00000000000000000000000000/retry', { key: ws.ownerKey })).status, 404);
    });

    test('a replay sends the same event again under a new delivery id', async () => {
      const r = await receiver();
      const e = await createEndpoint(r.url);
      await enqueue('points.awarded', { n: 'replayed' });
      await worker().drain();
      const [first] = await deliveriesOf(e.id);
      const replay = await t.call('POST', `/api/v1/webhook-endpoints/${e.id}/deliveries/${first!.id}/replay`, { key: ws.ownerKey });
      assert.equal(replay.status, 202, replay.text);
      assert.equal(replay.body.replayOf, first!.id);
      assert.notEqual(replay.body.id, first!.id);
      await worker().drain();
      assert.equal(r.received.length, 2);
      assert.deepEqual(r.received.map((x) => x.deliveryId), [first!.id, replay.body.id]);
      assert.equal(r.received[0]!.body, r.received[1]!.body, 'the same body: the same event id');
      assert.equal((await t.call('POST', `/api/v1/webhook-endpoints/${e.id}/deliveries/whd_00000000000000000000000000/replay`, { key: ws.ownerKey })).status, 404);
    });

    test('an endpoint failing for 3 days is disabled, its owner told by a webhook.disabled message, its pending deliveries dead-lettered', async () => {
      const failing = await receiver(() => 500);
      const watcher = await receiver();
      const e = await createEndpoint(failing.url);
      await createEndpoint(watcher.url, ['webhook.disabled']);
      const start = clock.t;
      for (let k = 0; clock.t < start + DISABLE_AFTER_MS + 12 * HOUR; k++) {
        await enqueue('points.awarded', { k });
        await runUntil(clock.t + 6 * HOUR);
        const now = await t.call('GET', `/api/v1/webhook-endpoints/${e.id}`, { key: ws.ownerKey });
        if (clock.t - start < DISABLE_AFTER_MS) assert.equal(now.body.enabled, true, `still enabled after ${(clock.t - start) / HOUR} hours`);
      }
      const endpoint = (await t.call('GET', `/api/v1/webhook-endpoints/${e.id}`, { key: ws.ownerKey })).body;
      assert.equal(endpoint.enabled, false);
      assert.equal(endpoint.disabledReason, 'failed for 3 days');
      assert.equal(endpoint.failingSince, new Date(start).toISOString());
      const told = watcher.received.map((x) => JSON.parse(x.body));
      assert.equal(told.length, 1);
      assert.equal(told[0].type, 'webhook.disabled');
      assert.equal(told[0].data.endpointId, e.id);
      assert.equal(told[0].data.owner, `key:key_${ws.ownerKey.split('_')[1]}`, 'the owner is who created the endpoint');
      const ds = await deliveriesOf(e.id);
      assert.ok(ds.every((d) => d.status === 'dead'), JSON.stringify(ds.map((d) => d.status)));
      // Enabled again by hand, it starts a new count.
      const enabled = await t.call('PATCH', `/api/v1/webhook-endpoints/${e.id}`, { key: ws.ownerKey, body: { enabled: true } });
      assert.equal(enabled.body.failingSince, null);
      assert.equal(enabled.body.disabledReason, null);
      await t.call('PATCH', `/api/v1/webhook-endpoints/${e.id}`, { key: ws.ownerKey, body: { enabled: false } });
    });

    // On PostgreSQL each worker has its own pool, as two processes would. SQLite has one writer
    // (a second connection in one process would wait on the first synchronously): both workers
    // share the app's connection and interleave their claims.
    test('two workers at once deliver each of 300 messages exactly once', async () => {
      const r = await receiver();
      const e = await createEndpoint(r.url);
      const n = 300;
      for (let i = 0; i < n; i++) await enqueue('points.awarded', { i });
      const second = dialect === 'postgres' ? openDatabase({ dialect, url: t.db.url, poolSize: 5 }) : undefined;
      try {
        const other = second ? createServices(second, clock, { secret: TEST_SECRET }) : t.services;
        const w1 = t.services.comms.worker({ batchSize: 20, concurrency: 8 });
        const w2 = other.comms.worker({ batchSize: 20, concurrency: 8 });
        const [a, b] = await Promise.all([w1.drain(), w2.drain()]);
        await Promise.all([w1.close(), w2.close()]);
        assert.equal(r.received.length, n, `${r.received.length} requests for ${n} messages`);
        assert.equal(r.accepted.size, n);
        assert.ok([...r.answeredOk.values()].every((c) => c === 1));
        const ds = await deliveriesOf(e.id);
        assert.equal(ds.length, n);
        assert.ok(ds.every((d) => d.status === 'delivered' && d.attempts.length === 1));
        assert.ok(a.claimed > 0 && b.claimed > 0, `both workers took part (${a.claimed} and ${b.claimed} claims)`);
        const pending = await t.services.db.selectFrom('outbox').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow();
        assert.equal(Number(pending.n), 0);
      } finally {
        await second?.close();
      }
    });
  });
}
