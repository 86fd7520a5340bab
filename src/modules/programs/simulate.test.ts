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
    let liveCapped = '';
    const people: string[] = [];
    before(async () => {
      t = await createTestApp(dialect);
      ws = await t.workspace('Sim Co');
      key = ws.ownerKey;
      const acc = (await post('/api/v1/accounts', { kind: 'partner', externalId: 'P', name: 'Partner Co' })).body.id;
      for (let i = 0; i < 6; i++) people.push((await post('/api/v1/people', { kind: 'partner', externalId: `R${i}`, name: `Rep ${i}`, accountId: acc })).body.id);
      live = (await post('/api/v1/programs', { name: 'Live', audience: { kinds: ['partner'] }, budget: 1_000_000, rules })).body.id;
      await post(`/api/v1/programs/${live}/activate`, {});
      liveCapped = (await post('/api/v1/programs', { name: 'Live capped', audience: { kinds: ['partner'] }, budget: 1_000_000, cap: { points: 70, per: 'week' }, rules })).body.id;
      await post(`/api/v1/programs/${liveCapped}/activate`, {});
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

    test('a program cap in a simulation holds back what the live program held back', async () => {
      const draft = (await post('/api/v1/programs', { name: 'Capped twin', audience: { kinds: ['partner'] }, budget: 1_000_000, cap: { points: 70, per: 'week' }, rules })).body.id;
      const sim = await post(`/api/v1/programs/${draft}/simulate`, { from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z' });
      assert.equal(sim.status, 200, JSON.stringify(sim.body));
      const paid = await t.services.db.selectFrom('transfers').select(['credit_account', (eb) => eb.fn.sum('amount').as('s')]).where('workspace_id', '=', ws.id).where('program_id', '=', liveCapped).where('cause', '=', 'event').groupBy('credit_account').execute();
      const byPerson = new Map(paid.map((r) => [r.credit_account.slice('wallet:'.length), Number(r.s)]));
      assert.equal(sim.body.points, [...byPerson.values()].reduce((a, b) => a + b, 0));
      for (const e of sim.body.topEarners) assert.equal(e.points, byPerson.get(e.personId), e.personId);
      assert.ok(sim.body.perRule.reduce((a: number, r: { capped: number }) => a + r.capped, 0) > 0, 'the cap held some back');
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

for (const dialect of DIALECTS) {
  describe(`simulation of goals and tiers (${dialect})`, () => {
    let t: TestApp;
    let ws: TestWorkspace;
    let key: string;
    const post = (url: string, body: unknown) => t.call('POST', url, { key, body });
    const people: Record<string, string> = {};
    const rules = [{ name: 'Sale', on: 'sale.closed', award: { points: 10 } }];
    const goalSpecs = [
      { name: 'Monthly revenue', metric: { on: 'sale.closed', aggregate: 'sum', fact: 'event.properties.revenue' }, period: 'month', target: 10_000, tiers: [{ percent: 80, points: 500 }, { percent: 100, points: 1000 }, { percent: 120, points: 2500 }] },
      { name: 'Team deals', metric: { on: 'sale.closed', aggregate: 'count' }, period: 'month', scope: 'team', tiers: [{ percent: 50, points: 20 }, { percent: 100, points: 50 }] },
    ];
    // Every sale of the test in this month, a few seconds apart, so no goal period has closed.
    const monthStart = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1);
    const window = { from: new Date(monthStart).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() };
    const count = async (table: 'transfers' | 'goal_progress' | 'goal_payouts' | 'goal_contributions' | 'award_outcomes') =>
      Number((await t.services.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where('workspace_id', '=', ws.id).executeTakeFirstOrThrow()).n);
    /** A program with the rules and both goals; Bob has a quota of his own. */
    async function program(name: string, budget: number) {
      const id = (await post('/api/v1/programs', { name, audience: { kinds: ['employee'] }, budget, rules })).body.id as string;
      const goalIds: string[] = [];
      for (const g of goalSpecs) {
        const r = await post('/api/v1/goals', { programId: id, ...g });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        goalIds.push(r.body.id);
      }
      assert.equal((await t.call('PUT', `/api/v1/goals/${goalIds[0]}/targets`, { key, body: { targets: [{ personExternalId: 'BOB', period: 'all', target: 5_000 }] } })).status, 200);
      assert.equal((await t.call('PUT', `/api/v1/goals/${goalIds[1]}/targets`, { key, body: { targets: [{ teamExternalId: 'SALES', period: 'all', target: 6 }] } })).status, 200);
      return { id, goalIds };
    }
    let live: { id: string; goalIds: string[] };

    before(async () => {
      t = await createTestApp(dialect);
      ws = await t.workspace('Tier Sim Co');
      key = ws.ownerKey;
      const team = (await post('/api/v1/teams', { name: 'Sales', externalId: 'SALES' })).body.id;
      for (const name of ['ada', 'bob', 'cy']) people[name] = (await post('/api/v1/people', { kind: 'employee', externalId: name.toUpperCase(), name, teamId: team })).body.id;
      live = await program('Live quota', 1_000_000);
      assert.equal((await post(`/api/v1/programs/${live.id}/activate`, {})).status, 200);
      // Ada: 7,999 (under 80%), then 1 (exactly 80%), then 4,000 (crosses 100% and 120% at once).
      // Bob: 4,000 against his own quota of 5,000 (80%). Cy: 100. Six sales: the team's 100%.
      const sales: [string, number][] = [['ada', 7_999], ['ada', 1], ['bob', 4_000], ['ada', 4_000], ['cy', 100], ['bob', 50]];
      const base = Math.max(monthStart + 60_000, Date.now() - 10 * 60_000);
      const events = sales.map(([who, revenue], i) => ({ id: `s${i}`, occurredAt: new Date(base + i * 1000).toISOString(), type: 'sale.closed', personId: people[who], properties: { revenue, margin: 0.3 } }));
      const r = await post('/api/v1/events', { events });
      assert.equal(r.body.summary.accepted, events.length, JSON.stringify(r.body));
    });
    after(() => t.close());

    test('goal tiers in a simulation equal what the live engine paid for the same events, and nothing is written', async () => {
      const draft = await program('Draft quota', 1_000_000);
      const before = await Promise.all((['transfers', 'goal_progress', 'goal_payouts', 'goal_contributions', 'award_outcomes'] as const).map(count));
      const sim = await post(`/api/v1/programs/${draft.id}/simulate`, window);
      assert.equal(sim.status, 200, JSON.stringify(sim.body));
      const paid = await t.services.db
        .selectFrom('transfers')
        .select(['goal_id', 'rule_id', 'cause', 'credit_account', 'amount'])
        .where('workspace_id', '=', ws.id)
        .where('program_id', '=', live.id)
        .where('cause', 'in', ['event', 'goal_tier'])
        .execute();
      const liveTier = (goal: string, percent: number) => paid.filter((x) => x.goal_id === goal && x.rule_id === `tier:${percent}`).reduce((s, x) => s + Number(x.amount), 0);
      const liveGoalPoints = paid.filter((x) => x.cause === 'goal_tier').reduce((s, x) => s + Number(x.amount), 0);
      assert.ok(liveGoalPoints > 0);
      assert.equal(sim.body.goalPoints, liveGoalPoints);
      assert.equal(sim.body.rulePoints, 60);
      assert.equal(sim.body.points, paid.reduce((s, x) => s + Number(x.amount), 0));
      for (const [i, goalId] of draft.goalIds.entries()) {
        const g = sim.body.perGoal.find((x: { goalId: string }) => x.goalId === goalId);
        for (const tier of g.tiers) assert.equal(tier.points, liveTier(live.goalIds[i]!, tier.percent), `${g.name} ${tier.percent}%`);
      }
      // Ada crossed all three tiers, Bob 80% of his own quota, Cy none.
      const revenue = sim.body.perGoal.find((x: { goalId: string }) => x.goalId === draft.goalIds[0]);
      assert.deepEqual(revenue.tiers.map((x: { percent: number; reached: number; awards: number }) => [x.percent, x.reached, x.awards]), [[80, 2, 2], [100, 1, 1], [120, 1, 1]]);
      // The team crossed both tiers: each pays the three members once.
      const team = sim.body.perGoal.find((x: { goalId: string }) => x.goalId === draft.goalIds[1]);
      assert.deepEqual(team.tiers.map((x: { reached: number; awards: number; points: number }) => [x.reached, x.awards, x.points]), [[1, 3, 60], [1, 3, 150]]);
      // Per person, the simulation pays what the wallets got.
      for (const e of sim.body.topEarners) {
        const wallet = await t.call('GET', `/api/v1/people/${e.personId}/wallet`, { key });
        assert.equal(e.points, wallet.body.balance);
      }
      assert.equal(sim.body.earners, 3);
      assert.equal(sim.body.distribution.max, 10 * 3 + 500 + 1000 + 2500 + 20 + 50);
      assert.equal(sim.body.burnByWeek.at(-1).cumulative, sim.body.points);
      const after = await Promise.all((['transfers', 'goal_progress', 'goal_payouts', 'goal_contributions', 'award_outcomes'] as const).map(count));
      assert.deepEqual(after, before);
    });

    test('tiers the budget cannot cover are counted as not paid, and the budget is never exceeded', async () => {
      const draft = await program('Thin quota', 1_000);
      const sim = await post(`/api/v1/programs/${draft.id}/simulate`, window);
      assert.equal(sim.status, 200, JSON.stringify(sim.body));
      assert.ok(sim.body.points <= 1_000);
      const unpaid = sim.body.perGoal.flatMap((g: { tiers: { budgetExhausted: number }[] }) => g.tiers).reduce((s: number, x: { budgetExhausted: number }) => s + x.budgetExhausted, 0);
      assert.ok(unpaid > 0);
      assert.ok(sim.body.burnByWeek.every((w: { budgetLeft: number }) => w.budgetLeft >= 0));
    });

    test('a goal period that has closed since still counts in a simulation', async () => {
      const old = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 4, 10);
      const r = await post('/api/v1/events', { events: [{ id: 'old1', occurredAt: new Date(old).toISOString(), type: 'sale.closed', personId: people.cy, properties: { revenue: 12_000, margin: 0.3 } }] });
      assert.deepEqual(r.body.results[0].effects.filter((e: { ruleId: string }) => e.ruleId?.startsWith('goal:')), [], 'live: the closed period pays nothing');
      const draft = await program('Look back', 1_000_000);
      const from = Date.UTC(new Date(old).getUTCFullYear(), new Date(old).getUTCMonth(), 1);
      const sim = await post(`/api/v1/programs/${draft.id}/simulate`, { from: new Date(from).toISOString(), to: new Date(from + 28 * 86_400_000).toISOString() });
      assert.equal(sim.status, 200);
      // 12,000 of 10,000 crosses all three revenue tiers; one sale of the team's six reaches no tier.
      assert.equal(sim.body.goalPoints, 500 + 1000 + 2500);
      assert.equal(sim.body.rulePoints, 10);
    });
  });
}
