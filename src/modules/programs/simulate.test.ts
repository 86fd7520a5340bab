import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, DIALECTS, type TestApp, type TestWorkspace } from '../../../test/support/app.js';

for (const dialect of DIALECTS) {
  describe(`simulation (${dialect})`, () => {
    let t: TestApp;
    let ws: TestWorkspace;
    let key: string;
    const post = (url: string, body: unknown) => t.call('POST', url, { key, body });
    const rules = [
      { name: 'Training', on: 'training.completed', award: { points: 30 }, cap: { times: 2, per: 'week' } },
      { name: 'Big deal', on: 'deal.registered', if: { fact: 'event.properties.dealValue', op: 'gte', value: 500_000 }, award: { pointsPer: { fact: 'event.properties.dealValue', every: 100_000, round: 'down' } } },
    ];
    let live = '';
    const people: string[] = [];
    before(async () => {
      t = await createTestApp(dialect);
      ws = await t.workspace('Sim Co');
      key = ws.ownerKey;
      const acc = (await post('/api/v1/accounts', { kind: 'partner', externalId: 'P', name: 'Partner Co' })).body.id;
      for (let i = 0; i < 6; i++) people.push((await post('/api/v1/people', { kind: 'partner', externalId: `R${i}`, name: `Rep ${i}`, accountId: acc })).body.id);
      live = (await post('/api/v1/programs', { name: 'Live', audience: { kinds: ['partner'] }, budget: 1_000_000, rules })).body.id;
      await post(`/api/v1/programs/${live}/activate`, {});
      const events = [];
      let n = 0;
      for (let day = 0; day < 21; day++) {
        for (const [i, p] of people.entries()) {
          const at = new Date(Date.UTC(2026, 9, 1 + day, 9 + i)).toISOString();
          events.push({ id: `t${n++}`, occurredAt: at, type: 'training.completed', personId: p, properties: { course: 'x' } });
          if ((day + i) % 4 === 0) events.push({ id: `d${n++}`, occurredAt: at, type: 'deal.registered', personId: p, properties: { dealValue: (i + 1) * 300_000 } });
        }
      }
      const r = await post('/api/v1/events', { events });
      assert.equal(r.body.summary.accepted, events.length);
    });
    after(() => t.close());

    test('a draft with the same rules forecasts exactly what the live program paid, and writes nothing', async () => {
      const draft = (await post('/api/v1/programs', { name: 'Draft twin', audience: { kinds: ['partner'] }, budget: 1_000_000, pointValueCents: 2, currency: 'EUR', rules })).body.id;
      const transfersBefore = await t.services.db.selectFrom('transfers').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      const sim = await post(`/api/v1/programs/${draft}/simulate`, { from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z' });
      assert.equal(sim.status, 200, JSON.stringify(sim.body));
      const paid = await t.services.db.selectFrom('transfers').select((eb) => eb.fn.sum('amount').as('s')).where('workspace_id', '=', ws.id).where('program_id', '=', live).where('cause', '=', 'event').executeTakeFirstOrThrow();
      assert.equal(sim.body.points, Number(paid.s));
      assert.deepEqual(sim.body.cost, { amountCents: sim.body.points * 2, currency: 'EUR' });
      assert.equal(sim.body.earners, 6);
      // One training a day for 21 days from Thursday 1 October: two a week are paid, the rest capped.
      const perWeek = new Map<number, number>();
      for (let day = 0; day < 21; day++) {
        const d = new Date(Date.UTC(2026, 9, 1 + day));
        const monday = Date.UTC(2026, 9, 1 + day - ((d.getUTCDay() + 6) % 7));
        perWeek.set(monday, (perWeek.get(monday) ?? 0) + 1);
      }
      const capped = [...perWeek.values()].reduce((s, n) => s + Math.max(0, n - 2), 0) * 6;
      assert.equal(sim.body.perRule.find((r: { ruleId: string }) => r.ruleId === 'training').capped, capped);
      assert.equal(sim.body.burnByWeek.at(-1).cumulative, sim.body.points);
      assert.ok(sim.body.distribution.gini > 0 && sim.body.distribution.gini < 1);
      assert.equal(sim.body.topEarners[0].points, sim.body.distribution.max);
      assert.ok(sim.body.topEarners.every((e: { points: number }, i: number, a: { points: number }[]) => i === 0 || a[i - 1]!.points >= e.points));
      const transfersAfter = await t.services.db.selectFrom('transfers').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(transfersAfter.n), Number(transfersBefore.n));
      assert.equal((await t.call('GET', `/api/v1/programs/${draft}`, { key })).body.status, 'draft');
    });

    test('a small budget shows where it runs out', async () => {
      const draft = (await post('/api/v1/programs', { name: 'Thin', audience: { kinds: ['partner'] }, budget: 500, rules })).body.id;
      const sim = await post(`/api/v1/programs/${draft}/simulate`, { from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z' });
      assert.ok(sim.body.points <= 500);
      assert.ok(sim.body.perRule.reduce((s: number, r: { budgetExhausted: number }) => s + r.budgetExhausted, 0) > 0);
      assert.ok(sim.body.burnByWeek.every((w: { budgetLeft: number }) => w.budgetLeft >= 0));
    });

    test('bad windows are refused; other workspaces cannot simulate', async () => {
      assert.equal((await post(`/api/v1/programs/${live}/simulate`, { from: '2026-11-01T00:00:00Z', to: '2026-10-01T00:00:00Z' })).status, 400);
      assert.equal((await post(`/api/v1/programs/${live}/simulate`, { from: '2024-01-01T00:00:00Z', to: '2026-10-01T00:00:00Z' })).status, 400);
      const other = await t.workspace('Other');
      assert.equal((await t.call('POST', `/api/v1/programs/${live}/simulate`, { key: other.ownerKey, body: { from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z' } })).status, 404);
    });
  });
}
