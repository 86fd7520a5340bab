// Message lists: a batch of events writes one outbox row per topic holding each message under
// its own msg_ id (src/core/outbox.ts); the worker splits it at fan-out, a chunk at a time, and
// every guarantee of a message with a row of its own holds: one signed delivery per endpoint
// under the same delivery id, the delivery log, one inbox message per participant, retries per
// endpoint, and a crash between chunks sends no message twice under a new id.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createTestApp, DIALECTS, type TestApp } from '../../../test/support/app.js';
import { startReceiver, type Receiver, type Received } from '../../../test/support/webhook-receiver.js';
import { deliveryIdOf } from './delivery.worker.js';
import { messagesOfList } from '../../core/outbox.js';
import { verifySignature } from './webhooks.signing.js';

const MINUTE = 60_000;

for (const dialect of DIALECTS) {
  describe(`comms: message lists, one outbox row per batch and topic (${dialect})`, () => {
    const clock = { t: Date.parse('2026-11-24T09:00:00Z'), now: () => clock.t };
    let t: TestApp;
    const closers: (() => Promise<void>)[] = [];
    let n = 0;
    const worker = (batchSize: number) => {
      const w = t.services.comms.worker({ random: () => 0.5, batchSize, concurrency: 4 });
      closers.push(() => w.close());
      return w;
    };

    before(async () => {
      t = await createTestApp(dialect, { clock });
    });
    after(async () => {
      for (const c of closers) await c();
      await t.close();
    });

    /** A workspace with two employees, a program paying 5 points a resolved ticket, and endpoints at `urls` (each with its event types). */
    async function setup(endpoints: { url: string; eventTypes: string[] }[]) {
      const ws = await t.workspace(`Lists ${++n}`);
      const post = (url: string, body: unknown, key = ws.ownerKey) => t.call('POST', url, { key, body });
      const people: string[] = [];
      for (const name of ['Ann Ames', 'Ben Bell']) people.push((await post('/api/v1/people', { kind: 'employee', externalId: name, name })).body.id);
      const keys = await Promise.all(people.map((personId) => ws.key('participant', { personId })));
      const p = await post('/api/v1/programs', { name: 'Tickets', audience: { kinds: ['employee'] }, budget: 100_000, rules: [{ name: 'Ticket', on: 'ticket.resolved', award: { points: 5 } }] });
      assert.equal((await post(`/api/v1/programs/${p.body.id}/activate`, {})).status, 200);
      const made: { id: string; secret: string }[] = [];
      for (const e of endpoints) {
        const r = await post('/api/v1/webhook-endpoints', e);
        assert.equal(r.status, 201, r.text);
        made.push(r.body);
      }
      /** Posts one batch of `count` events, Ann's and Ben's in turn; answers their event ids. */
      const sendBatch = async (count: number) => {
        const events = Array.from({ length: count }, (_, i) => ({ id: `L${n}-${i}`, occurredAt: '2026-11-24T08:00:00Z', type: 'ticket.resolved', personId: people[i % 2] }));
        const r = await post('/api/v1/events', { events });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.body.summary.accepted, count);
        return r.body.results.map((x: { eventId: string }) => x.eventId) as string[];
      };
      const rows = async (topic: string) =>
        (await t.services.db.selectFrom('outbox').selectAll().where('workspace_id', '=', ws.id).where('topic', '=', topic).orderBy('id').execute()) as { id: string; payload: string; status: string; fanned_out: number }[];
      const deliveries = async (endpointId: string) => {
        const r = await t.call('GET', `/api/v1/webhook-endpoints/${endpointId}/deliveries?limit=500`, { key: ws.ownerKey });
        assert.equal(r.status, 200, r.text);
        return r.body.data as { id: string; eventId: string; eventType: string; status: string; attempts: unknown[] }[];
      };
      const inbox = async (key: string) => (await t.call('GET', '/api/v1/me/inbox', { key })).body.data as { type: string }[];
      return { ws, people, keys, endpoints: made, sendBatch, rows, deliveries, inbox };
    }

    const receiver = async (handler?: (r: Omit<Received, 'status'>, n: number) => number): Promise<Receiver> => {
      const r = await startReceiver({ handler });
      closers.push(() => r.close());
      return r;
    };
    // A list row's messages as the fan-out reads them (outbox.ts: either layout of the payload).
    const messagesOf = (payload: string) => messagesOfList(payload).map(([id, p]) => [id, JSON.parse(p)] as [string, { eventId: string; personId: string; points: number; transferId?: string }]);

    test('a batch of events writes one points.awarded row listing each award under its own msg_ id, fanned out a chunk at a time into one signed delivery and one inbox message per award', async () => {
      const r = await receiver();
      const s = await setup([{ url: r.url, eventTypes: ['points.awarded'] }]);
      const ep = s.endpoints[0]!;
      const eventIds = await s.sendBatch(5);

      const [row, ...more] = await s.rows('points.awarded');
      assert.equal(more.length, 0, 'one row for the batch');
      assert.match(row!.id, /^msb_/);
      const list = messagesOf(row!.payload);
      assert.deepEqual(list.map(([, p]) => p.eventId), eventIds);
      assert.ok(list.every(([id, p]) => /^msg_[0-9a-z]{26}$/.test(id) && p.points === 5));
      assert.equal((await s.rows('event.accepted')).length, 0, 'no endpoint subscribes to event.accepted');

      await worker(2).drain();
      const ids = list.map(([id]) => id);
      assert.deepEqual(r.received.map((x) => (JSON.parse(x.body) as { id: string }).id).sort(), [...ids].sort());
      for (const x of r.received) {
        const body = JSON.parse(x.body) as { id: string; type: string; data: { eventId: string } };
        assert.equal(x.deliveryId, deliveryIdOf(body.id, ep.id));
        assert.equal(body.type, 'points.awarded');
        assert.equal(body.data.eventId, list.find(([id]) => id === body.id)![1].eventId);
        assert.ok(verifySignature(x.body, x.signature, ep.secret, Math.floor(clock.t / 1000)));
      }
      const log = await s.deliveries(ep.id);
      assert.deepEqual(log.map((d) => d.eventId).sort(), [...ids].sort());
      assert.ok(log.every((d) => d.status === 'delivered'));
      assert.deepEqual([(await s.inbox(s.keys[0]!)).length, (await s.inbox(s.keys[1]!)).length], [3, 2], 'one inbox message per award');
      const [after] = await s.rows('points.awarded');
      assert.deepEqual([after!.status, Number(after!.fanned_out), Number((after as unknown as { attempts: number }).attempts)], ['delivered', 5, 3], 'claimed three times: 2, 2 and 1 messages');
    });

    test('a worker that dies between chunks: the next resumes after the last chunk recorded, sends the chunk in flight again under the same delivery ids, and no message is delivered or told twice', async () => {
      // A receiver that can hold its answers: the worker holding them stands for one that died mid-chunk.
      let hold = false;
      const held: (() => void)[] = [];
      const seen: string[] = [];
      const server = http.createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          seen.push(String(req.headers['tandem-delivery-id']));
          const answer = () => res.end('ok');
          if (hold) held.push(answer);
          else answer();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      closers.push(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
      const s = await setup([{ url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks`, eventTypes: ['points.awarded'] }]);
      const ep = s.endpoints[0]!;
      await s.sendBatch(5);
      const [row] = await s.rows('points.awarded');
      const ids = messagesOf(row!.payload).map(([id]) => id);
      const dids = ids.map((id) => deliveryIdOf(id, ep.id));

      assert.equal((await worker(2).runOnce()).claimed, 1);
      const [step1] = await s.rows('points.awarded');
      assert.deepEqual([step1!.status, Number(step1!.fanned_out)], ['pending', 2], 'the first chunk is recorded, the list is due again');

      hold = true;
      const dying = worker(2).runOnce();
      while (seen.length < 4) await new Promise((resolve) => setTimeout(resolve, 5));
      hold = false;
      clock.t += 6 * MINUTE; // past the dying worker's lease
      await worker(2).drain();
      for (const answer of held) answer();
      await dying; // its answers came too late: its claim is another's, it records nothing

      assert.deepEqual(seen.slice(0, 2).sort(), dids.slice(0, 2).sort());
      const count = (id: string) => seen.filter((x) => x === id).length;
      assert.deepEqual(dids.map(count), [1, 1, 2, 2, 1], 'only the chunk in flight is sent again, under its delivery ids');
      const log = await s.deliveries(ep.id);
      assert.deepEqual(log.map((d) => d.id).sort(), [...dids].sort());
      assert.ok(log.every((d) => d.status === 'delivered' && d.attempts.length === 1), 'each delivery recorded once, with one attempt');
      assert.deepEqual([(await s.inbox(s.keys[0]!)).length, (await s.inbox(s.keys[1]!)).length], [3, 2], 'the inbox keeps one message per award');
      const [done] = await s.rows('points.awarded');
      assert.deepEqual([done!.status, Number(done!.fanned_out)], ['delivered', 5]);
    });

    test('a mixed claim (message lists of two topics, messages with rows of their own, an endpoint failing once) delivers each message to each subscriber once, retrying per endpoint', async () => {
      let failed = false;
      const sure = await receiver();
      // The catch-all endpoint fails its first request, whatever it is; that delivery alone is retried.
      const flaky = await receiver(() => (failed ? 200 : ((failed = true), 503)));
      const s = await setup([
        { url: sure.url, eventTypes: ['points.awarded'] },
        { url: flaky.url, eventTypes: ['*'] },
      ]);
      const [sureEp, flakyEp] = [s.endpoints[0]!, s.endpoints[1]!];
      await s.sendBatch(4);
      for (const i of [1, 2]) await t.services.outbox.enqueue(t.services.db, { workspaceId: s.ws.id, topic: 'points.awarded', payload: { alone: i } });
      const lists = [...(await s.rows('points.awarded')), ...(await s.rows('event.accepted'))].filter((r) => r.id.startsWith('msb_'));
      assert.equal(lists.length, 2, 'one list row per topic');
      const awarded = messagesOf(lists.find((l) => messagesOf(l.payload)[0]![1].transferId)!.payload).map(([id]) => id);
      const accepted = messagesOf(lists.find((l) => !awarded.includes(messagesOf(l.payload)[0]![0]))!.payload).map(([id]) => id);
      const alone = (await s.rows('points.awarded')).filter((r) => r.id.startsWith('msg_')).map((r) => r.id);

      // 5 messages a claim: the two rows of their own and 3 of the first list; the second list waits.
      for (let i = 0; i < 10; i++) {
        await worker(5).drain();
        const next = await t.services.db.selectFrom('outbox').select((eb) => eb.fn.min('available_at').as('at')).where('workspace_id', '=', s.ws.id).where('status', '=', 'pending').executeTakeFirst();
        if (next?.at == null) break;
        clock.t = Math.max(clock.t, Number(next.at));
      }
      const sureLog = await s.deliveries(sureEp.id);
      const flakyLog = await s.deliveries(flakyEp.id);
      assert.deepEqual(sureLog.map((d) => d.eventId).sort(), [...awarded, ...alone].sort());
      assert.deepEqual(flakyLog.map((d) => d.eventId).sort(), [...awarded, ...accepted, ...alone].sort());
      for (const [ep, log] of [[sureEp, sureLog], [flakyEp, flakyLog]] as const) {
        assert.ok(log.every((d) => d.status === 'delivered' && d.id === deliveryIdOf(d.eventId, ep.id)));
      }
      assert.deepEqual(flakyLog.map((d) => d.attempts.length).sort(), [...Array(flakyLog.length - 1).fill(1), 2], 'one delivery failed once, then succeeded');
      assert.equal(sure.accepted.size, sureLog.length);
      assert.equal(flaky.accepted.size, flakyLog.length);
      assert.equal(sure.received.length, sureLog.length, 'the sure endpoint was sent each message once');
      assert.deepEqual([(await s.inbox(s.keys[0]!)).length, (await s.inbox(s.keys[1]!)).length], [2, 2]);
      const left = await t.services.db.selectFrom('outbox').select('id').where('workspace_id', '=', s.ws.id).where('status', '!=', 'delivered').execute();
      assert.deepEqual(left, []);
    });
  });
}
