import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, DIALECTS, type TestApp, type TestWorkspace } from '../../../test/support/app.js';

for (const dialect of DIALECTS) {
  describe(`goals and tiers (${dialect})`, () => {
    let t: TestApp;
    let ws: TestWorkspace;
    let key: string;
    let programId = '';
    let goalId = '';
    let teamGoalId = '';
    const people: Record<string, string> = {};
    let teamId = '';
    const post = (url: string, body: unknown) => t.call('POST', url, { key, body });
    const balance = async (id: string) => (await t.call('GET', `/api/v1/people/${id}/wallet`, { key })).body.balance as number;
    const month = new Date().toISOString().slice(0, 7);
    const now = () => new Date(Date.now() - 60_000).toISOString();
    let n = 0;
    const sale = (personId: string, revenue: number, occurredAt = now()) => ({ id: `s${++n}`, occurredAt, type: 'sale.closed', personId, properties: { revenue, margin: 0.3 } });

    before(async () => {
      t = await createTestApp(dialect);
      ws = await t.workspace('Quota Co');
      key = ws.ownerKey;
      teamId = (await post('/api/v1/teams', { name: 'Sales', externalId: 'SALES' })).body.id;
      for (const name of ['ada', 'bob', 'cy']) people[name] = (await post('/api/v1/people', { kind: 'employee', externalId: name.toUpperCase(), name, teamId })).body.id;
      programId = (await post('/api/v1/programs', { name: 'Sales quota with tiers', audience: { kinds: ['employee'] }, budget: 100_000 })).body.id;
      const goal = await post('/api/v1/goals', {
        programId,
        name: 'Monthly revenue',
        metric: { on: 'sale.closed', aggregate: 'sum', fact: 'event.properties.revenue' },
        period: 'month',
        target: 10_000,
        tiers: [{ percent: 80, points: 500 }, { percent: 100, points: 1000 }, { percent: 120, points: 2500 }],
      });
      assert.equal(goal.status, 201, JSON.stringify(goal.body));
      goalId = goal.body.id;
      const team = await post('/api/v1/goals', { programId, name: 'Team deals', metric: { on: 'sale.closed', aggregate: 'count' }, period: 'month', scope: 'team', tiers: [{ percent: 100, points: 50 }] });
      teamGoalId = team.body.id;
      await t.call('PUT', `/api/v1/goals/${teamGoalId}/targets`, { key, body: { targets: [{ teamExternalId: 'SALES', period: 'all', target: 5 }] } });
      // A program with goals and no rules: rules are what activation asks for, so give it one.
      await t.call('PATCH', `/api/v1/programs/${programId}`, { key, body: { rules: [{ name: 'Referral', on: 'referral.made', award: { points: 1 } }] } });
      assert.equal((await post(`/api/v1/programs/${programId}/activate`, {})).status, 200);
    });
    after(() => t.close());

    test('tiers are paid once when crossed, and add up; one event can cross two', async () => {
      const a = await post('/api/v1/events', { events: [sale(people.ada!, 7_999)] });
      assert.deepEqual(a.body.results[0].effects.filter((e: { ruleId: string }) => e.ruleId?.startsWith(`goal:${goalId}`)), []);
      const b = await post('/api/v1/events', { events: [sale(people.ada!, 1)] });
      const tiers = (r: typeof b) => r.body.results[0].effects.filter((e: { ruleId: string }) => e.ruleId?.startsWith(`goal:${goalId}`)).map((e: { ruleId: string; points: number }) => [e.ruleId.split(':')[2], e.points]);
      assert.deepEqual(tiers(b), [['80', 500]], 'the award that reaches 80% exactly pays the first tier');
      const c = await post('/api/v1/events', { events: [sale(people.ada!, 4_000)] });
      assert.deepEqual(tiers(c), [['100', 1000], ['120', 2500]], 'crossing 120% from 80% pays both tiers');
      const d = await post('/api/v1/events', { events: [sale(people.ada!, 5_000)] });
      assert.deepEqual(tiers(d), [], 'a tier is paid once');
      assert.equal(await balance(people.ada!), 4000);
    });

    test('progress is readable per person and team at any time', async () => {
      const p = await t.call('GET', `/api/v1/goals/${goalId}/progress`, { key });
      assert.equal(p.status, 200);
      const ada = p.body.subjects.find((s: { subjectId: string }) => s.subjectId === people.ada);
      assert.deepEqual([ada.value, ada.target, ada.attainment, ada.tiersReached], [17_000, 10_000, 170, [80, 100, 120]]);
      const team = await t.call('GET', `/api/v1/goals/${teamGoalId}/progress?subjectId=${teamId}`, { key });
      assert.equal(team.body.subjects[0].value, 4);
      assert.equal(team.body.subjects[0].target, 5);
    });

    test('a team goal pays every member of the team when reached', async () => {
      const before = await balance(people.cy!);
      await post('/api/v1/events', { events: [sale(people.bob!, 100)] });
      assert.equal(await balance(people.cy!), before + 50);
      assert.equal(await balance(people.bob!), 50);
    });

    test('a reversal that drops the attainment takes back the tiers above it', async () => {
      const r = await post('/api/v1/events', { events: [sale(people.bob!, 8_500)] });
      assert.equal(await balance(people.bob!), 550);
      const eventId = r.body.results[0].eventId;
      const rev = await post(`/api/v1/events/${eventId}/reverse`, { reason: 'cancelled order' });
      assert.equal(rev.status, 200);
      assert.equal(await balance(people.bob!), 50, 'the 80% tier was taken back');
      const p = await t.call('GET', `/api/v1/goals/${goalId}/progress?subjectId=${people.bob}`, { key });
      assert.deepEqual(p.body.subjects[0].tiersReached, []);
      await post('/api/v1/events', { events: [sale(people.bob!, 8_000)] });
      assert.equal(await balance(people.bob!), 550, 'crossed again, paid again');
      assert.deepEqual((await t.services.ledger.verify(ws.id)).problems, []);
    });

    test('a late event counts in its own period; after the period closes it changes no payout', async () => {
      const lastMonth = new Date();
      lastMonth.setUTCDate(1);
      lastMonth.setUTCMonth(lastMonth.getUTCMonth() - 1);
      lastMonth.setUTCDate(10);
      const late = await post('/api/v1/events', { events: [sale(people.cy!, 9_000, lastMonth.toISOString())] });
      assert.equal(late.body.results[0].status, 'accepted');
      const p = await t.call('GET', `/api/v1/goals/${goalId}/progress?subjectId=${people.cy}&at=${lastMonth.toISOString()}`, { key });
      const closed = Date.now() > Date.parse(p.body.period.closesAt);
      assert.equal(p.body.subjects.length ? p.body.subjects[0].value : 0, closed ? 0 : 9_000);
      const old = new Date(Date.now() - 120 * 86_400_000).toISOString();
      const r = await post('/api/v1/events', { events: [sale(people.cy!, 50_000, old)] });
      assert.deepEqual(r.body.results[0].effects.filter((e: { ruleId: string }) => e.ruleId?.startsWith(`goal:${goalId}`)), [], 'a closed period pays nothing');
      const thisMonth = await t.call('GET', `/api/v1/goals/${goalId}/progress?subjectId=${people.cy}`, { key });
      assert.equal(thisMonth.body.subjects.find((s: { subjectId: string }) => s.subjectId === people.cy)?.value ?? 0, 0, 'the late sale did not leak into this month');
    });

    test('quotas per person and period come from a CSV; a bad row sets none', async () => {
      const bad = await t.call('POST', `/api/v1/goals/${goalId}/targets/import`, { key, payload: `personExternalId,period,target\nADA,${month},20000\nNOBODY,${month},5\n`, headers: { 'content-type': 'text/csv' } });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errors[0].path, 'targets[1].personExternalId');
      const wrongPeriod = await t.call('POST', `/api/v1/goals/${goalId}/targets/import`, { key, payload: 'personExternalId,period,target\nADA,2026-Q1,20000\n', headers: { 'content-type': 'text/csv' } });
      assert.equal(wrongPeriod.status, 400);
      const ok = await t.call('POST', `/api/v1/goals/${goalId}/targets/import`, { key, payload: `personExternalId,period,target\nADA,${month},20000\nBOB,all,9000\n`, headers: { 'content-type': 'text/csv' } });
      assert.equal(ok.status, 200);
      assert.equal(ok.body.set, 2);
      const p = await t.call('GET', `/api/v1/goals/${goalId}/progress?subjectId=${people.ada}`, { key });
      assert.deepEqual([p.body.subjects[0].target, p.body.subjects[0].attainment], [20_000, 85]);
    });

    test('a tier the budget could not cover is paid once the budget allows', async () => {
      const prg = (await post('/api/v1/programs', { name: 'Thin budget', audience: { kinds: ['employee'] }, budget: 100, cap: { points: 1000, per: 'month' }, rules: [{ name: 'Deal', on: 'deal.registered', award: { points: 10 } }] })).body.id;
      await post(`/api/v1/programs/${prg}/activate`, {});
      await post('/api/v1/goals', { programId: prg, name: 'Deals', metric: { on: 'deal.registered', aggregate: 'count' }, period: 'month', target: 2, tiers: [{ percent: 100, points: 500 }] });
      const who = people.cy!;
      const deal = (id: string) => ({ id, occurredAt: now(), type: 'deal.registered', personId: who, properties: {} });
      const r = await post('/api/v1/events', { events: [deal('tb-1'), deal('tb-2')] });
      const tier = r.body.results[1].effects.find((e: { ruleId: string }) => e.ruleId?.startsWith('goal:'));
      assert.equal(tier.outcome, 'budget_exhausted');
      await t.call('PATCH', `/api/v1/programs/${prg}`, { key, body: { budget: 10_000 } });
      const r2 = await post('/api/v1/events', { events: [deal('tb-3')] });
      const paid = r2.body.results[0].effects.find((e: { ruleId: string }) => e.ruleId?.startsWith('goal:'));
      assert.deepEqual([paid.outcome, paid.points], ['awarded', 500]);
    });

    test('reversing a tier does not reopen room under the program cap', async () => {
      const prg = (await post('/api/v1/programs', { name: 'Capped', audience: { kinds: ['employee'] }, budget: 100_000, cap: { points: 1000, per: 'month' }, rules: [{ name: 'Webinar', on: 'attendance.recorded', award: { points: 400 } }] })).body.id;
      await post(`/api/v1/programs/${prg}/activate`, {});
      await post('/api/v1/goals', { programId: prg, name: 'Attend', metric: { on: 'attendance.recorded', aggregate: 'count' }, period: 'month', target: 1, tiers: [{ percent: 100, points: 300 }] });
      const who = people.ada!;
      const before = await balance(who);
      const a = await post('/api/v1/events', { events: [{ id: 'cap-1', occurredAt: now(), type: 'attendance.recorded', personId: who }] });
      await post(`/api/v1/events/${a.body.results[0].eventId}/reverse`, { reason: 'test' });
      for (let i = 2; i <= 5; i++) await post('/api/v1/events', { events: [{ id: `cap-${i}`, occurredAt: now(), type: 'attendance.recorded', personId: who }] });
      const fromRules = (await t.services.db.selectFrom('transfers').select((eb) => eb.fn.sum('amount').as('s')).where('workspace_id', '=', ws.id).where('program_id', '=', prg).where('cause', '=', 'event').where('credit_account', '=', `wallet:${who}`).executeTakeFirstOrThrow()).s;
      const reversed = (await t.services.db.selectFrom('transfers').select((eb) => eb.fn.sum('amount').as('s')).where('workspace_id', '=', ws.id).where('program_id', '=', prg).where('cause', '=', 'reversal').where('goal_id', 'is', null).where('debit_account', '=', `wallet:${who}`).executeTakeFirstOrThrow()).s;
      assert.equal(Number(fromRules) - Number(reversed), 1000, 'the rules paid exactly the cap this month');
      assert.ok((await balance(who)) - before <= 1000 + 300);
    });

    test('a sum goal takes whole-number properties only', async () => {
      const r = await post('/api/v1/goals', { programId, name: 'Margins', metric: { on: 'sale.closed', aggregate: 'sum', fact: 'event.properties.margin' }, period: 'month', target: 1, tiers: [{ percent: 100, points: 1 }] });
      assert.equal(r.status, 400);
      assert.equal(r.body.errors[0].path, 'metric.fact');
    });

    test('a participant sees the programs they can earn from and their own goal progress', async () => {
      const mine = await ws.key('participant', { personId: people.ada });
      const r = await t.call('GET', '/api/v1/me/programs', { key: mine });
      assert.equal(r.status, 200);
      const quota = r.body.data.find((p: { programId: string }) => p.programId === programId);
      assert.ok(quota, 'the quota program is listed');
      assert.deepEqual(quota.rules.map((x: { name: string }) => x.name), ['Referral']);
      const g = quota.goals.find((x: { id: string }) => x.id === goalId);
      assert.equal(g.value, 17_000);
      assert.deepEqual([g.myTarget, g.tiersReached], [20_000, [80]], 'the quota set by CSV for this month');
      const acc = (await post('/api/v1/accounts', { kind: 'partner', externalId: 'PX', name: 'Partner X' })).body.id;
      const rep = (await post('/api/v1/people', { kind: 'partner', externalId: 'REPX', name: 'Rep X', accountId: acc })).body.id;
      const theirs = await t.call('GET', '/api/v1/me/programs', { key: await ws.key('participant', { personId: rep }) });
      assert.equal(theirs.body.data.find((p: { programId: string }) => p.programId === programId), undefined, 'not in the audience, not listed');
      assert.deepEqual((await t.call('GET', '/api/v1/me/programs', { key })).body.data, [], 'a key with no person has none');
    });

    test('goal metrics are checked against the event types', async () => {
      const r = await post('/api/v1/goals', { programId, name: 'Bad', metric: { on: 'sale.closed', aggregate: 'sum', fact: 'event.properties.sku' }, period: 'month', target: 1, tiers: [{ percent: 100, points: 1 }] });
      assert.equal(r.status, 400);
      assert.equal(r.body.errors[0].path, 'metric.fact');
      const other = await t.workspace('Elsewhere');
      assert.equal((await t.call('GET', `/api/v1/goals/${goalId}/progress`, { key: other.ownerKey })).status, 404);
    });

    test('an analyst (aggregates only) gets a per-person goal’s summary, not each person’s progress', async () => {
      const owner = await t.call('GET', `/api/v1/goals/${goalId}/progress`, { key });
      assert.equal(owner.body.hidden, false);
      assert.equal(owner.body.summary.subjects, owner.body.subjects.length);
      const withTarget = owner.body.subjects.filter((x: { attainment: number | null }) => x.attainment != null);
      assert.equal(owner.body.summary.reachedTarget, withTarget.filter((x: { attainment: number }) => x.attainment >= 100).length);
      const analyst = await ws.key('analyst');
      const a = await t.call('GET', `/api/v1/goals/${goalId}/progress`, { key: analyst });
      assert.equal(a.status, 200);
      assert.deepEqual([a.body.hidden, a.body.subjects], [true, []]);
      assert.deepEqual(a.body.summary, owner.body.summary);
      assert.ok(!JSON.stringify(a.body).includes('per_'), 'no person is named');
      const team = await t.call('GET', `/api/v1/goals/${teamGoalId}/progress`, { key: analyst });
      assert.deepEqual([team.body.hidden, team.body.subjects.map((x: { subjectId: string }) => x.subjectId)], [false, [teamId]], 'teams are not people');
    });

    test('a manager reads the progress of their own teams’ people and teams only', async () => {
      const max = (await post('/api/v1/people', { kind: 'employee', externalId: 'MAX', name: 'Max' })).body.id;
      const north = (await post('/api/v1/teams', { name: 'North', externalId: 'NORTH', managerId: max })).body.id;
      const dee = (await post('/api/v1/people', { kind: 'employee', externalId: 'DEE', name: 'Dee', teamId: north })).body.id;
      await post('/api/v1/events', { events: [sale(dee, 1_000)] });
      const everyone = await t.call('GET', `/api/v1/goals/${goalId}/progress`, { key });
      assert.ok(everyone.body.subjects.length > 1);
      const mgr = await ws.key('manager', { personId: max });
      const person = await t.call('GET', `/api/v1/goals/${goalId}/progress`, { key: mgr });
      assert.equal(person.status, 200);
      assert.deepEqual(person.body.subjects.map((s: { subjectId: string; value: number }) => [s.subjectId, s.value]), [[dee, 1_000]]);
      assert.equal(person.body.summary.subjects, 1, 'the summary counts their people only');
      assert.deepEqual((await t.call('GET', `/api/v1/goals/${goalId}/progress?subjectId=${people.ada}`, { key: mgr })).body.subjects, []);
      const team = await t.call('GET', `/api/v1/goals/${teamGoalId}/progress`, { key: mgr });
      assert.deepEqual(team.body.subjects.map((s: { subjectId: string }) => s.subjectId), [north], 'the Sales team is not theirs');
    });
  });
}
