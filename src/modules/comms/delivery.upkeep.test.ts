// The worker's upkeep: endpoint secrets sealed at rest (and plain ones from before sealed
// lazily), and the retention of what it settled (outbox rows, the delivery log), on an
// injectable clock.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestApp, DIALECTS, type TestApp, type TestWorkspace } from '../../../test/support/app.js';
import { startReceiver, type Receiver } from '../../../test/support/webhook-receiver.js';
import { openDatabase } from '../../core/db/db.js';
import { createServices } from '../../app.js';
import { verifySignature } from './webhooks.signing.js';
import { RETRY_WINDOW_MS } from './delivery.worker.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

for (const dialect of DIALECTS) {
  describe(`comms: secrets sealed at rest and retention of settled deliveries (${dialect})`, () => {
    const clock = { t: Math.floor(Date.now() / 1000) * 1000 + 60_000, now: () => clock.t };
    let t: TestApp & { db: { url?: string; file?: string } };
    let ws: TestWorkspace;
    const receivers: Receiver[] = [];
    const worker = (opts: Parameters<TestApp['services']['comms']['worker']>[0] = {}) => t.services.comms.worker({ random: () => 0.5, batchSize: 50, concurrency: 8, ...opts });

    before(async () => {
      t = await createTestApp(dialect, { clock });
      ws = await t.workspace('Upkeep Co');
    });
    after(async () => {
      for (const r of receivers) await r.close();
      await t.close();
    });

    const receiver = async (handler?: () => number) => {
      const r = await startReceiver({ handler });
      receivers.push(r);
      return r;
    };
    const createEndpoint = async (url: string) => {
      const r = await t.call('POST', '/api/v1/webhook-endpoints', { key: ws.ownerKey, body: { url, eventTypes: ['points.awarded'] } });
      assert.equal(r.status, 201, r.text);
      return r.body as { id: string; secret: string };
    };
    const stored = (id: string) => t.services.db.selectFrom('webhook_endpoints').select(['secret', 'previous_secret']).where('id', '=', id).executeTakeFirstOrThrow() as Promise<{ secret: string; previous_secret: string | null }>;
    const enqueue = (payload: unknown) => t.services.outbox.enqueue(t.services.db, { workspaceId: ws.id, topic: 'points.awarded', payload });
    const verifies = (r: Receiver, secret: string) => {
      const last = r.received.at(-1)!;
      return verifySignature(last.body, last.signature, secret, Number(/t=(\d+)/.exec(last.signature)![1]));
    };
    const count = async (table: string, where: Record<string, string>) => {
      let q = t.services.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n'));
      for (const [k, v] of Object.entries(where)) q = q.where(k, '=', v);
      return Number((await q.executeTakeFirstOrThrow()).n);
    };
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

    test('an endpoint secret is stored sealed (the column holds no part of it) and deliveries still verify with the secret shown once', async () => {
      const r = await receiver();
      const e = await createEndpoint(r.url);
      const row = await stored(e.id);
      assert.match(row.secret, /^enc1:/);
      assert.ok(!row.secret.includes(e.secret) && !row.secret.includes(e.secret.slice(6, 26)), 'the stored column does not contain the secret');
      await enqueue({ n: 1 });
      await worker().drain();
      assert.equal(r.received.length, 1);
      assert.ok(verifies(r, e.secret));
      // The answer of a read never carries it.
      assert.equal((await t.call('GET', `/api/v1/webhook-endpoints/${e.id}`, { key: ws.ownerKey })).body.secret, undefined);
    });

    test('a rotation stores both secrets sealed; deliveries verify with either during the overlap', async () => {
      const r = await receiver();
      const e = await createEndpoint(r.url);
      const rotated = await t.call('POST', `/api/v1/webhook-endpoints/${e.id}/rotate-secret`, { key: ws.ownerKey });
      assert.equal(rotated.status, 200, rotated.text);
      const row = await stored(e.id);
      assert.match(row.secret, /^enc1:/);
      assert.match(row.previous_secret!, /^enc1:/);
      assert.ok(!row.secret.includes(rotated.body.secret) && !row.previous_secret!.includes(e.secret));
      await enqueue({ n: 2 });
      await worker().drain();
      assert.ok(verifies(r, e.secret) && verifies(r, rotated.body.secret));
    });

    test('a secret stored in plain text before encryption still signs, and the upkeep seals it in place', async () => {
      const r = await receiver();
      const e = await createEndpoint(r.url);
      const legacy = 'whsec_legacyPlainSecretWrittenBeforeEncryption0';
      const legacyOld = 'whsec_legacyPreviousSecretWrittenBeforeEncrypt1';
      await t.services.db.updateTable('webhook_endpoints').set({ secret: legacy, previous_secret: legacyOld, previous_secret_expires_at: clock.t + HOUR }).where('id', '=', e.id).execute();
      await enqueue({ n: 3 });
      await worker().drain();
      assert.ok(verifies(r, legacy) && verifies(r, legacyOld));
      const w = worker();
      const done = await w.upkeep();
      await w.close();
      assert.ok(done.secretsSealed >= 1, JSON.stringify(done));
      const row = await stored(e.id);
      assert.match(row.secret, /^enc1:/);
      assert.match(row.previous_secret!, /^enc1:/);
      assert.ok(!row.secret.includes(legacy) && !row.previous_secret!.includes(legacyOld));
      await enqueue({ n: 4 });
      await worker().drain();
      assert.ok(verifies(r, legacy) && verifies(r, legacyOld), 'the sealed values are the same secrets');
      assert.equal((await worker().upkeep()).secretsSealed, 0, 'nothing left to seal');
    });

    test('a worker started with another TANDEM_SECRET sends nothing unsigned: the attempt fails and the right worker delivers it later', async () => {
      const r = await receiver();
      const e = await createEndpoint(r.url);
      const second = dialect === 'postgres' ? openDatabase({ dialect, url: t.db.url, poolSize: 2 }) : undefined;
      try {
        const other = createServices(second ?? t.services.database, clock, { secret: 'another-secret-0123456789abcdefghijklmnopqrstuv' });
        await enqueue({ n: 5 });
        const before = receivers.map((x) => x.received.length);
        const w = other.comms.worker({ random: () => 0.5 });
        const stats = await w.drain();
        await w.close();
        assert.equal(stats.failed, receivers.length, 'one failed attempt per endpoint');
        assert.deepEqual(receivers.map((x) => x.received.length), before, 'no request went out');
        const [d] = (await t.call('GET', `/api/v1/webhook-endpoints/${e.id}/deliveries`, { key: ws.ownerKey })).body.data;
        assert.equal(d.status, 'pending');
        assert.match(d.attempts[0].error, /TANDEM_SECRET/);
        await runUntil(clock.t + HOUR);
        assert.equal(r.received.length, 1);
        assert.ok(verifies(r, e.secret));
      } finally {
        await second?.close();
      }
    });

    test('a first attempt that succeeds is logged on its delivery row alone: the log shows its status, duration and time', async () => {
      const r = await receiver();
      const e = await createEndpoint(r.url);
      await enqueue({ n: 'logged' });
      await worker().drain();
      const [d] = (await t.call('GET', `/api/v1/webhook-endpoints/${e.id}/deliveries`, { key: ws.ownerKey })).body.data;
      assert.equal(d.status, 'delivered');
      assert.equal(d.attempts.length, 1);
      assert.equal(d.attempts[0].statusCode, 200);
      assert.equal(d.attempts[0].error, null);
      assert.equal(d.attempts[0].at, new Date(clock.t).toISOString());
      assert.ok(Number.isInteger(d.attempts[0].durationMs) && d.attempts[0].durationMs >= 0);
      assert.equal(await count('webhook_attempts', { delivery_id: d.id }), 0, 'no attempt row');
      const row = await t.services.db.selectFrom('webhook_deliveries').select(['last_duration_ms', 'attempts']).where('id', '=', d.id).executeTakeFirstOrThrow();
      assert.equal(row.last_duration_ms, d.attempts[0].durationMs);
      assert.equal(row.attempts, 1);
    });

    test('retention: delivered rows go after 7 days and the delivery log after 30; dead letters stay and can still be retried', async () => {
      let accept = false;
      const ok = await receiver();
      const flaky = await receiver(() => (accept ? 200 : 503));
      const good = await createEndpoint(ok.url);
      const bad = await createEndpoint(flaky.url);
      const start = clock.t;
      await enqueue({ n: 'kept' });
      await enqueue({ n: 'discarded' });
      await runUntil(start + RETRY_WINDOW_MS + HOUR);
      const dead = (await t.call('GET', '/api/v1/dead-letters?limit=100', { key: ws.ownerKey })).body.data.filter((x: { payload: { endpointId?: string } }) => x.payload.endpointId === bad.id);
      assert.equal(dead.length, 2);
      assert.equal((await t.call('DELETE', `/api/v1/dead-letters/${dead[1].id}`, { key: ws.ownerKey })).status, 204);
      const settledAt = clock.t;
      const domainIds = (await t.services.db.selectFrom('webhook_deliveries').select('event_id').where('endpoint_id', '=', good.id).execute()).map((x) => x.event_id as string);
      assert.equal(domainIds.length, 2);
      const outboxRow = (id: string) => t.services.db.selectFrom('outbox').select('status').where('id', '=', id).executeTakeFirst();
      const deliveries = async (endpointId: string) => (await t.call('GET', `/api/v1/webhook-endpoints/${endpointId}/deliveries?limit=100`, { key: ws.ownerKey })).body.data as { id: string; status: string; attempts: unknown[] }[];

      // The messages were fanned out (settled) at the start, the dead letter discarded a day later.
      clock.t = start + 7 * DAY - HOUR;
      const w = worker();
      let done = await w.upkeep();
      for (const id of domainIds) assert.equal((await outboxRow(id))?.status, 'delivered', 'kept until 7 days have passed');

      clock.t = start + 7 * DAY + HOUR;
      done = await w.upkeep();
      assert.ok(done.outboxPurged >= 2, JSON.stringify(done));
      for (const id of domainIds) assert.equal(await outboxRow(id), undefined, 'a delivered message is gone after 7 days');
      assert.equal((await outboxRow(dead[1].id))?.status, 'discarded', 'discarded a day later: kept a day longer');

      clock.t = settledAt + 7 * DAY + HOUR;
      await w.upkeep();
      assert.equal(await outboxRow(dead[1].id), undefined, 'a discarded dead letter is gone 7 days after it was discarded');
      assert.equal((await outboxRow(dead[0].id))?.status, 'dead', 'a dead letter stays');
      assert.equal((await deliveries(good.id)).length, 2, 'the delivery log is kept 30 days');

      clock.t = settledAt + 30 * DAY + HOUR;
      done = await w.upkeep();
      assert.ok(done.deliveriesPurged >= 3, JSON.stringify(done));
      assert.equal((await deliveries(good.id)).length, 0);
      const left = await deliveries(bad.id);
      assert.deepEqual(left.map((d) => d.id), [dead[0].id], 'the dead delivery stays with its attempts; the discarded one is gone');
      assert.ok(left[0]!.attempts.length > 10);
      assert.equal(await count('webhook_attempts', { delivery_id: dead[1].id }), 0, 'attempts go with their delivery');
      await w.close();

      accept = true;
      assert.equal((await t.call('POST', `/api/v1/dead-letters/${dead[0].id}/retry`, { key: ws.ownerKey })).status, 200);
      await worker().drain();
      assert.equal((await deliveries(bad.id))[0]!.status, 'delivered', 'the dead letter kept for a month is delivered on retry');
    });

    test('retention is configurable, and start() runs the upkeep by itself', async () => {
      assert.throws(() => worker({ retention: { outboxDays: 0 } }), /outboxDays/);
      const r = await receiver();
      await createEndpoint(r.url);
      await enqueue({ n: 'short' });
      await worker().drain();
      const id = (await t.services.db.selectFrom('outbox').select('id').where('topic', '=', 'points.awarded').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow()).id as string;
      clock.t += DAY + HOUR;
      const w = worker({ retention: { outboxDays: 1 }, upkeepEveryMs: 50, pollMs: 20 });
      const running = w.start();
      const deadline = Date.now() + 10_000;
      while ((await count('outbox', { id })) > 0 && Date.now() < deadline) await sleep(20);
      await running.stop();
      await w.close();
      assert.equal(await count('outbox', { id }), 0, 'purged after one day by the running worker');
    });
  });
}
