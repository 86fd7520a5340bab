import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, DIALECTS, type TestApp, type TestWorkspace } from '../../../test/support/app.js';
import { startReceiver, type Receiver } from '../../../test/support/webhook-receiver.js';

for (const dialect of DIALECTS) {
  describe(`the engine publishes event.accepted and points.awarded to subscribed endpoints (${dialect})`, () => {
    let t: TestApp;
    let ws: TestWorkspace;
    let quiet: TestWorkspace;
    let receiver: Receiver;
    const people: Record<string, string> = {};
    const post = (url: string, body: unknown, key = ws.ownerKey) => t.call('POST', url, { key, body });
    const outboxTopics = async (workspaceId: string) =>
      (await t.services.db.selectFrom('outbox').select('topic').where('workspace_id', '=', workspaceId).execute()).map((r: { topic: string }) => r.topic).sort();

    before(async () => {
      t = await createTestApp(dialect);
      receiver = await startReceiver();
      for (const [name, w] of [['ws', (ws = await t.workspace('Publisher Co'))], ['quiet', (quiet = await t.workspace('Quiet Co'))]] as const) {
        people[name] = (await post('/api/v1/people', { kind: 'employee', externalId: 'E1', name: 'Eve Earner' }, w.ownerKey)).body.id;
        const p = await post('/api/v1/programs', { name: 'Tickets', audience: { kinds: ['employee'] }, budget: 1000, rules: [{ name: 'Ticket', on: 'ticket.resolved', award: { points: 5 } }] }, w.ownerKey);
        await post(`/api/v1/programs/${p.body.id}/activate`, {}, w.ownerKey);
      }
      const e = await post('/api/v1/webhook-endpoints', { url: `${receiver.url}/hook`, eventTypes: ['event.accepted', 'points.awarded'] });
      assert.equal(e.status, 201, e.text);
    });
    after(async () => {
      await receiver.close();
      await t.close();
    });

    test('an accepted event and its award each reach the endpoint once, with Tandem\'s ids', async () => {
      const sent = await post('/api/v1/events', { id: 'T-1', occurredAt: '2026-11-20T10:00:00Z', type: 'ticket.resolved', personId: people.ws });
      assert.equal(sent.status, 201, sent.text);
      assert.deepEqual(await outboxTopics(ws.id), ['event.accepted', 'points.awarded']);
      const w = t.services.comms.worker({ random: () => 0.5 });
      await w.drain();
      await w.close();
      const bodies = receiver.received.map((r) => JSON.parse(r.body) as { type: string; data: Record<string, unknown> });
      const accepted = bodies.find((b) => b.type === 'event.accepted')!;
      const awarded = bodies.find((b) => b.type === 'points.awarded')!;
      assert.equal(bodies.length, 2);
      assert.deepEqual([accepted.data.eventId, accepted.data.id, accepted.data.type, accepted.data.personId], [sent.body.eventId, 'T-1', 'ticket.resolved', people.ws]);
      assert.deepEqual([awarded.data.eventId, awarded.data.personId, awarded.data.points, awarded.data.transferId], [sent.body.eventId, people.ws, 5, sent.body.effects[0].transferId]);
    });

    test('a workspace with no webhook endpoint writes only what its participants are told (points.awarded for the inbox), not event.accepted', async () => {
      const sent = await post('/api/v1/events', { id: 'Q-1', occurredAt: '2026-11-20T10:00:00Z', type: 'ticket.resolved', personId: people.quiet }, quiet.ownerKey);
      assert.equal(sent.status, 201, sent.text);
      assert.equal(sent.body.effects[0].points, 5);
      assert.deepEqual(await outboxTopics(quiet.id), ['points.awarded']);
    });
  });
}
