import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, DIALECTS, type TestApp, type TestWorkspace } from '../../../test/support/app.js';
import { ZBatchEventResult, ZEventResult } from './events.schema.js';

for (const dialect of DIALECTS) {
  describe(`events → rules → programs → ledger (${dialect})`, () => {
    let t: TestApp;
    let ws: TestWorkspace;
    let key: string;
    const ids: Record<string, any> = {};
    const post = async (url: string, body: unknown) => t.call('POST', url, { key, body });
    const balance = async (personId: string) => (await t.call('GET', `/api/v1/people/${personId}/wallet`, { key })).body.balance as number;
    const send = (events: Record<string, unknown>[]) => post('/api/v1/events', { events });
    let seq = 0;
    const ev = (fields: Record<string, unknown>) => ({ id: `e${++seq}`, occurredAt: '2026-11-02T10:00:00Z', ...fields });

    before(async () => {
      t = await createTestApp(dialect);
      ws = await t.workspace('Engine Co');
      key = ws.ownerKey;
      await t.call('PATCH', '/api/v1/workspace', { key, body: { timezone: 'Europe/Paris' } });
      const sales = await post('/api/v1/teams', { name: 'Sales', externalId: 'SALES' });
      const east = await post('/api/v1/teams', { name: 'Sales East', externalId: 'EAST', parentId: sales.body.id });
      ids.boss = (await post('/api/v1/people', { kind: 'employee', externalId: 'BOSS', name: 'Bea Boss', teamId: sales.body.id })).body.id;
      ids.lead = (await post('/api/v1/people', { kind: 'employee', externalId: 'LEAD', name: 'Lee Lead', teamId: east.body.id })).body.id;
      ids.am1 = (await post('/api/v1/people', { kind: 'employee', externalId: 'AM1', name: 'Ann Manager', teamId: east.body.id })).body.id;
      ids.am2 = (await post('/api/v1/people', { kind: 'employee', externalId: 'AM2', name: 'Abe Manager', teamId: east.body.id })).body.id;
      await t.call('PATCH', `/api/v1/teams/${sales.body.id}`, { key, body: { managerId: ids.boss } });
      await t.call('PATCH', `/api/v1/teams/${east.body.id}`, { key, body: { managerId: ids.lead } });
      ids.customerAcc = (await post('/api/v1/accounts', { kind: 'customer', externalId: 'CUST', name: 'Blue Foods', tier: 'gold' })).body.id;
      ids.partnerAcc = (await post('/api/v1/accounts', { kind: 'partner', externalId: 'PART', name: 'Nova Partners', tier: 'silver' })).body.id;
      ids.buyer = (await post('/api/v1/people', { kind: 'customer', externalId: 'BUYER', name: 'Bo Buyer', accountId: ids.customerAcc })).body.id;
      ids.rep = (await post('/api/v1/people', { kind: 'partner', externalId: 'REP', name: 'Rae Rep', accountId: ids.partnerAcc })).body.id;
      ids.rep2 = (await post('/api/v1/people', { kind: 'partner', externalId: 'REP2', name: 'Ray Rep', accountId: ids.partnerAcc })).body.id;
      await post('/api/v1/assignments', { personId: ids.am1, accountId: ids.customerAcc, role: 'account_manager' });
      await post('/api/v1/assignments', { personId: ids.am2, accountId: ids.customerAcc, role: 'account_manager' });
      await post('/api/v1/assignments', { personId: ids.lead, accountId: ids.customerAcc, role: 'support' });

      const partner = await post('/api/v1/programs', {
        name: 'Partner steps to the sale',
        audience: { kinds: ['partner'] },
        budget: 1_000_000,
        pointValueCents: 1,
        rules: [
          { name: 'Certification', on: 'certification.earned', award: { points: 500 }, cap: { times: 3, per: 'year' } },
          { name: 'Training', on: 'training.completed', award: { points: 40 }, cap: { points: 100, per: 'month' } },
        ],
      });
      assert.equal(partner.status, 201, JSON.stringify(partner.body));
      ids.partnerProgram = partner.body.id;
      const customer = await post('/api/v1/programs', {
        name: 'Customer revenue, shared with the account team',
        audience: { kinds: ['customer'] },
        budget: 1_000_000,
        rules: [
          {
            name: 'Revenue at good margin',
            on: 'sale.closed',
            if: { all: [{ fact: 'event.properties.margin', op: 'gte', value: 0.2 }] },
            award: { pointsPer: { fact: 'event.properties.revenue', every: 1000, round: 'down' }, multipliers: [{ if: { fact: 'time.dayOfWeek', op: 'in', value: [6, 7] }, factor: 2 }] },
            recipient: ['person', { accountTeam: { roles: ['account_manager'], split: 'equal' } }],
          },
        ],
      });
      assert.equal(customer.status, 201, JSON.stringify(customer.body));
      ids.customerProgram = customer.body.id;
      for (const id of [ids.partnerProgram, ids.customerProgram]) assert.equal((await post(`/api/v1/programs/${id}/activate`, {})).status, 200);
    });
    after(() => t.close());

    test('a new program is a draft, and awards nothing until activated', async () => {
      const p = await post('/api/v1/programs', { name: 'Draft only', audience: { kinds: ['employee'] }, budget: 10, rules: [{ name: 'Any ticket', on: 'ticket.resolved', award: { points: 5 } }] });
      assert.equal(p.body.status, 'draft');
      assert.equal(p.body.rules[0].id, 'any-ticket');
      const r = await send([ev({ type: 'ticket.resolved', personId: ids.am1 })]);
      assert.deepEqual(r.body.results[0].effects, []);
    });

    test('fixed points to the person, within the audience only', async () => {
      const r = await send([ev({ type: 'certification.earned', personExternalId: 'REP', properties: { certification: 'Cloud 101' } }), ev({ type: 'certification.earned', personId: ids.am1, properties: { certification: 'Cloud 101' } })]);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.summary, { accepted: 2, duplicate: 0, rejected: 0 });
      assert.equal(r.body.results[0].effects[0].points, 500);
      assert.equal(r.body.results[0].effects[0].recipientId, ids.rep);
      assert.equal(r.body.results[0].effects[0].ruleId, 'certification');
      assert.match(r.body.results[0].effects[0].transferId, /^trf_/);
      assert.deepEqual(r.body.results[1].effects, [], 'employees are not in the partner audience');
      assert.equal(await balance(ids.rep), 500);
    });

    test('points per unit with rounding, a weekend multiplier in the workspace time zone, and the account team split', async () => {
      // Saturday 00:30 in Paris is still Friday in UTC: the workspace's time zone decides.
      const weekday = await send([ev({ type: 'sale.closed', personId: ids.buyer, occurredAt: '2026-11-06T10:00:00Z', properties: { revenue: 25_999, margin: 0.3 } })]);
      const weekend = await send([ev({ type: 'sale.closed', personId: ids.buyer, occurredAt: '2026-11-06T23:30:00Z', properties: { revenue: 10_000, margin: 0.3 } })]);
      const lowMargin = await send([ev({ type: 'sale.closed', personId: ids.buyer, properties: { revenue: 99_000, margin: 0.1 } })]);
      const pts = (r: typeof weekday) => Object.fromEntries(r.body.results[0].effects.map((e: { recipientId: string; points: number }) => [e.recipientId, e.points]));
      assert.equal(pts(weekday)[ids.buyer], 25);
      assert.equal(pts(weekday)[ids.am1]! + pts(weekday)[ids.am2]!, 25, 'the split adds up to the award');
      assert.equal(pts(weekday)[ids.lead], undefined, 'support is not in the roles');
      assert.equal(pts(weekend)[ids.buyer], 20);
      assert.deepEqual(lowMargin.body.results[0].effects, []);
    });

    test('replaying a batch three times changes nothing after the first', async () => {
      const batch = [ev({ type: 'certification.earned', personId: ids.rep2, properties: { certification: 'Net 1' } }), ev({ type: 'training.completed', personId: ids.rep2, properties: { course: 'Intro' } })];
      const first = await send(batch);
      assert.deepEqual(first.body.summary, { accepted: 2, duplicate: 0, rejected: 0 });
      const after1 = await balance(ids.rep2);
      for (let i = 0; i < 3; i++) {
        const again = await send(batch);
        assert.deepEqual(again.body.summary, { accepted: 0, duplicate: 2, rejected: 0 });
        assert.equal(again.body.results[0].eventId, first.body.results[0].eventId);
      }
      assert.equal(await balance(ids.rep2), after1);
    });

    test('one bad event never blocks the others; a single bad event answers 4xx naming the field', async () => {
      const r = await send([
        ev({ type: 'certification.earned', personId: ids.rep2, properties: { certification: 'Net 2' } }),
        ev({ type: 'certification.earned', personExternalId: 'NOBODY', properties: { certification: 'x' } }),
        ev({ type: 'sale.closed', personId: ids.buyer, properties: { revenue: 'lots' } }),
        ev({ type: 'no.such.type', personId: ids.buyer }),
        { id: 'bad-shape', type: 'sale.closed' },
      ]);
      assert.deepEqual(r.body.results.map((x: { status: string }) => x.status), ['accepted', 'rejected', 'rejected', 'rejected', 'rejected']);
      assert.equal(r.body.results[1].code, 'not_found');
      assert.equal(r.body.results[2].errors[0].path, 'properties.revenue');
      assert.equal(r.body.results[3].errors[0].path, 'type');
      assert.deepEqual(r.body, ZBatchEventResult.parse(r.body), 'a batch answer is exactly in its documented shape');
      const single = await post('/api/v1/events', ev({ type: 'sale.closed', personId: ids.buyer, properties: { revenue: 10, colour: 'red' } }));
      assert.equal(single.status, 400);
      assert.equal(single.body.errors[0].path, 'properties.colour');
      const ok = await post('/api/v1/events', ev({ type: 'review.posted', personId: ids.buyer, properties: { rating: 5 } }));
      assert.equal(ok.status, 201);
      assert.equal(ok.body.status, 'accepted');
    });

    test('a batch holds 1 to 1,000 events; a reversal must name an earlier event', async () => {
      const many = Array.from({ length: 1001 }, (_, i) => ev({ id: `many-${i}`, type: 'review.posted', personId: ids.buyer, properties: { rating: 3 } }));
      assert.equal((await send(many)).status, 400);
      assert.equal((await post('/api/v1/events', { events: [] })).status, 400);
      const orphan = await post('/api/v1/events', ev({ type: 'review.posted', personId: ids.buyer, properties: { rating: 3 }, reverses: 'never-sent' }));
      assert.equal(orphan.status, 404);
      assert.equal(orphan.body.errors[0].path, 'reverses');
    });

    test('a rejected event does not use up its id: a corrected resend is accepted', async () => {
      const bad = await post('/api/v1/events', { id: 'fix-me', occurredAt: '2026-11-02T10:00:00Z', type: 'sale.closed', personId: ids.buyer, properties: {} });
      assert.equal(bad.status, 400);
      const good = await post('/api/v1/events', { id: 'fix-me', occurredAt: '2026-11-02T10:00:00Z', type: 'sale.closed', personId: ids.buyer, properties: { revenue: 1000, margin: 0.5 } });
      assert.equal(good.status, 201);
    });

    test('a times cap: the award that reaches the cap is paid, the one after it is not', async () => {
      const p = await post('/api/v1/people', { kind: 'partner', externalId: 'CAPPY', name: 'Cap Py', accountId: ids.partnerAcc });
      const certs = [1, 2, 3, 4].map((n) => ev({ type: 'certification.earned', personId: p.body.id, properties: { certification: `C${n}` } }));
      const r = await send(certs);
      assert.deepEqual(r.body.results.map((x: { effects: { outcome: string }[] }) => x.effects[0]!.outcome), ['awarded', 'awarded', 'awarded', 'capped']);
      assert.equal(await balance(p.body.id), 1500);
      // A late event counts in the period it occurred in: last year still had room.
      const lastYear = await send([ev({ type: 'certification.earned', personId: p.body.id, occurredAt: '2025-12-31T22:30:00Z', properties: { certification: 'C5' } })]);
      assert.equal(lastYear.body.results[0].effects[0].outcome, 'awarded');
      // 23:30 UTC on 31 December is already 2026 in Paris: that year is full.
      const newYearInParis = await send([ev({ type: 'certification.earned', personId: p.body.id, occurredAt: '2025-12-31T23:30:00Z', properties: { certification: 'C6' } })]);
      assert.equal(newYearInParis.body.results[0].effects[0].outcome, 'capped');
    });

    test('a points cap pays what is left of it; a reversal frees the room', async () => {
      const p = await post('/api/v1/people', { kind: 'partner', externalId: 'TRAINEE', name: 'Tra Inee', accountId: ids.partnerAcc });
      const r = await send([1, 2, 3].map((n) => ev({ type: 'training.completed', personId: p.body.id, properties: { course: `T${n}` } })));
      assert.deepEqual(r.body.results.map((x: { effects: { points: number }[] }) => x.effects[0]!.points), [40, 40, 20]);
      assert.equal(await balance(p.body.id), 100);
      const rev = await post(`/api/v1/events/${r.body.results[0].eventId}/reverse`, { reason: 'entered twice' });
      assert.equal(rev.status, 200);
      assert.equal(rev.body.reversedTransfers[0].amount, 40);
      assert.equal(await balance(p.body.id), 60);
      const again = await send([ev({ type: 'training.completed', personId: p.body.id, properties: { course: 'T4' } })]);
      assert.equal(again.body.results[0].effects[0].points, 40);
      assert.equal((await post(`/api/v1/events/${r.body.results[0].eventId}/reverse`, { reason: 'again' })).status, 409);
      const history = await t.call('GET', `/api/v1/people/${p.body.id}/transfers`, { key });
      assert.equal(history.body.data[1].cause, 'reversal');
      assert.equal(history.body.data[1].reason, 'entered twice');
    });

    test('a reversal in the same batch as its target cancels it', async () => {
      const p = await post('/api/v1/people', { kind: 'partner', externalId: 'SAMEBATCH', name: 'Same Batch', accountId: ids.partnerAcc });
      const r = await send([
        { id: 'sb-1', occurredAt: '2026-11-03T10:00:00Z', type: 'certification.earned', personId: p.body.id, properties: { certification: 'Y' } },
        { id: 'sb-1-undo', occurredAt: '2026-11-03T11:00:00Z', type: 'certification.earned', personId: p.body.id, properties: { certification: 'Y' }, reverses: 'sb-1' },
      ]);
      assert.deepEqual(r.body.summary, { accepted: 2, duplicate: 0, rejected: 0 });
      assert.equal(await balance(p.body.id), 0);
      const undo = await t.call('GET', `/api/v1/events/${r.body.results[1].eventId}`, { key });
      assert.equal(undo.body.reverses, r.body.results[0].eventId);
    });

    test('an event whose reverses names an earlier one cancels it', async () => {
      const p = await post('/api/v1/people', { kind: 'partner', externalId: 'UNDO', name: 'Un Do', accountId: ids.partnerAcc });
      await send([{ id: 'cert-undo', occurredAt: '2026-11-03T10:00:00Z', type: 'certification.earned', personId: p.body.id, properties: { certification: 'X' } }]);
      assert.equal(await balance(p.body.id), 500);
      const r = await send([{ id: 'cert-undo-cancel', occurredAt: '2026-11-04T10:00:00Z', type: 'certification.earned', personId: p.body.id, properties: { certification: 'X' }, reverses: 'cert-undo' }]);
      assert.equal(r.body.results[0].status, 'accepted');
      assert.equal(await balance(p.body.id), 0);
      const log = await t.call('GET', `/api/v1/events?personId=${p.body.id}`, { key });
      assert.deepEqual(log.body.data.map((e: { status: string }) => e.status).sort(), ['accepted', 'reversed']);
    });

    test('a budget never goes below zero: the award it cannot cover is recorded as budget_exhausted', async () => {
      const prg = await post('/api/v1/programs', { name: 'Tiny budget', audience: { kinds: ['employee'] }, budget: 150, rules: [{ name: 'Ticket', on: 'ticket.resolved', award: { points: 100 } }] });
      await post(`/api/v1/programs/${prg.body.id}/activate`, {});
      const r = await send([ev({ type: 'ticket.resolved', personId: ids.am1 }), ev({ type: 'ticket.resolved', personId: ids.am2 })]);
      const outcomes = r.body.results.map((x: { effects: { programId: string; outcome: string }[] }) => x.effects.find((e) => e.programId === prg.body.id)!.outcome);
      assert.deepEqual(outcomes, ['awarded', 'budget_exhausted']);
      assert.equal((await t.call('GET', `/api/v1/programs/${prg.body.id}`, { key })).body.budgetRemaining, 50);
      await post(`/api/v1/programs/${prg.body.id}/end`, {});
      const ended = await t.call('GET', `/api/v1/programs/${prg.body.id}`, { key });
      assert.equal(ended.body.status, 'ended');
      assert.equal(ended.body.budgetRemaining, 0, 'the unspent budget went back to funding');
    });

    test('the manager of the person’s team is a recipient; a team lead’s manager is the one above', async () => {
      const prg = await post('/api/v1/programs', { name: 'Kudos to managers', audience: { kinds: ['employee'] }, budget: 10_000, rules: [{ name: 'Referral', on: 'referral.made', award: { points: 10 }, recipient: 'manager' }] });
      await post(`/api/v1/programs/${prg.body.id}/activate`, {});
      const r = await send([ev({ type: 'referral.made', personId: ids.am1 }), ev({ type: 'referral.made', personId: ids.lead })]);
      assert.equal(r.body.results[0].effects[0].recipientId, ids.lead);
      assert.equal(r.body.results[1].effects[0].recipientId, ids.boss);
      await post(`/api/v1/programs/${prg.body.id}/end`, {});
    });

    test('held-out people earn nothing, always the same people, and their events are kept and marked', async () => {
      const people = [];
      for (let i = 0; i < 20; i++) people.push((await post('/api/v1/people', { kind: 'employee', externalId: `H${i}`, name: `Held ${i}` })).body.id as string);
      const prg = await post('/api/v1/programs', { name: 'Holdout', audience: { people }, budget: 100_000, holdoutPercent: 50, rules: [{ name: 'Attend', on: 'attendance.recorded', award: { points: 7 } }] });
      await post(`/api/v1/programs/${prg.body.id}/activate`, {});
      const first = await send(people.map((p) => ev({ type: 'attendance.recorded', personId: p })));
      const second = await send(people.map((p) => ev({ type: 'attendance.recorded', personId: p })));
      const held = (r: typeof first) => r.body.results.map((x: { effects: { outcome: string }[] }) => x.effects[0]!.outcome === 'holdout');
      assert.deepEqual(held(first), held(second));
      const n = held(first).filter(Boolean).length;
      assert.ok(n > 2 && n < 18, `about half held out (${n})`);
      for (const [i, p] of people.entries()) assert.equal(await balance(p), held(first)[i] ? 0 : 14);
      await post(`/api/v1/programs/${prg.body.id}/end`, {});
    });

    test('editing a live program creates a version from a time; earlier events keep the old rules', async () => {
      const prg = await post('/api/v1/programs', { name: 'Versioned', audience: { kinds: ['customer'] }, budget: 100_000, rules: [{ name: 'Review', on: 'review.posted', award: { points: 10 } }] });
      await post(`/api/v1/programs/${prg.body.id}/activate`, {});
      const v2 = await t.call('PATCH', `/api/v1/programs/${prg.body.id}`, { key, body: { rules: [{ name: 'Review', on: 'review.posted', award: { points: 30 } }], effectiveFrom: '2026-11-10T00:00:00Z' } });
      assert.equal(v2.status, 200);
      assert.equal(v2.body.version, 2);
      const r = await send([ev({ type: 'review.posted', personId: ids.buyer, occurredAt: '2026-11-09T12:00:00Z', properties: { rating: 4 } }), ev({ type: 'review.posted', personId: ids.buyer, occurredAt: '2026-11-11T12:00:00Z', properties: { rating: 4 } })]);
      const mine = (i: number) => r.body.results[i].effects.find((e: { programId: string }) => e.programId === prg.body.id);
      assert.deepEqual([mine(0).points, mine(0).programVersion], [10, 1]);
      assert.deepEqual([mine(1).points, mine(1).programVersion], [30, 2]);
      await post(`/api/v1/programs/${prg.body.id}/end`, {});
    });

    test('rules are checked against the event types: 400 naming the path', async () => {
      const bad = await post('/api/v1/programs', {
        name: 'Broken',
        audience: { kinds: ['customer'] },
        budget: 1,
        rules: [
          { name: 'ok', on: 'sale.closed', award: { points: 1 } },
          { name: 'unknown fact', on: 'sale.closed', if: { all: [{ fact: 'event.properties.colour', op: 'eq', value: 'red' }] }, award: { points: 1 } },
          { name: 'wrong op', on: 'sale.closed', if: { fact: 'event.properties.sku', op: 'between', value: [1, 2] }, award: { points: 1 } },
          { name: 'unknown type', on: 'sale.opened', award: { points: 1 } },
          { name: 'wrong value', on: 'certification.earned', if: { fact: 'event.properties.level', op: 'eq', value: 'wizard' }, award: { points: 1 } },
        ],
      });
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.body.errors.map((e: { path: string }) => e.path).sort(), ['rules[1].if.all[0].fact', 'rules[2].if.op', 'rules[3].on', 'rules[4].if.value']);
    });

    test('declared event types extend the vocabulary for events and rules', async () => {
      const dup = await post('/api/v1/event-types', { name: 'sale.closed', properties: {} });
      assert.equal(dup.status, 409);
      const et = await post('/api/v1/event-types', { name: 'webinar.attended', properties: { minutes: { type: 'integer', required: true }, track: { type: 'enum', values: ['sales', 'tech'] } } });
      assert.equal(et.status, 201);
      const prg = await post('/api/v1/programs', { name: 'Webinars', audience: { kinds: ['partner'] }, budget: 1000, rules: [{ name: 'Long webinar', on: 'webinar.attended', if: { all: [{ fact: 'event.properties.minutes', op: 'gte', value: 45 }, { fact: 'event.properties.track', op: 'eq', value: 'tech' }] }, award: { points: 15 } }] });
      assert.equal(prg.status, 201);
      await post(`/api/v1/programs/${prg.body.id}/activate`, {});
      const r = await send([ev({ type: 'webinar.attended', personId: ids.rep2, properties: { minutes: 60, track: 'tech' } }), ev({ type: 'webinar.attended', personId: ids.rep2, properties: { minutes: 60, track: 'biz' } })]);
      assert.equal(r.body.results[0].effects[0].points, 15);
      assert.equal(r.body.results[1].status, 'rejected');
      const types = await t.call('GET', '/api/v1/event-types', { key });
      assert.ok(types.body.data.some((x: { name: string; builtIn: boolean }) => x.name === 'sale.closed' && x.builtIn));
    });

    test('8 concurrent clients sending overlapping batches apply every event exactly once', async () => {
      const p = await post('/api/v1/people', { kind: 'customer', externalId: 'CONC', name: 'Con Current', accountId: ids.customerAcc });
      const all = Array.from({ length: 60 }, (_, i) => ({ id: `conc-${i}`, occurredAt: '2026-11-02T10:00:00Z', type: 'sale.closed', personId: p.body.id, properties: { revenue: 1000 * (i + 1), margin: 0.5 } }));
      const batches = Array.from({ length: 8 }, (_, c) => all.slice(c * 5, c * 5 + 30));
      const results = await Promise.all(batches.map((b) => send(b)));
      for (const r of results) assert.equal(r.status, 200, JSON.stringify(r.body));
      const accepted = results.reduce((s, r) => s + r.body.summary.accepted, 0);
      assert.equal(accepted, new Set(batches.flat().map((e) => e.id)).size);
      const expected = batches.flat().filter((e, i, a) => a.findIndex((x) => x.id === e.id) === i).reduce((s, e) => s + Math.floor(e.properties.revenue / 1000), 0);
      assert.equal(await balance(p.body.id), expected);
      const v = await t.services.ledger.verify(ws.id);
      assert.deepEqual(v.problems, []);
    });


    test('single events sent at once are written together, each request answered as if alone', async () => {
      const p = await post('/api/v1/people', { kind: 'customer', externalId: 'GRP', name: 'Gro Up', accountId: ids.customerAcc });
      const one = (id: string, revenue: unknown) => post('/api/v1/events', { id, occurredAt: '2026-11-03T10:00:00Z', type: 'sale.closed', personId: p.body.id, properties: { revenue, margin: 0.5 } });
      // 30 requests in flight together: 24 distinct events, 3 sent twice, 3 invalid.
      const calls = [
        ...Array.from({ length: 24 }, (_, i) => one(`grp-${i}`, 1000 * (i + 1))),
        one('grp-0', 1000),
        one('grp-1', 2000),
        one('grp-2', 3000),
        one('grp-bad-1', 'lots'),
        one('grp-bad-2', 'lots'),
        one('grp-bad-3', 'lots'),
      ];
      const answers = await Promise.all(calls);
      assert.deepEqual(answers.slice(0, 24).map((a) => [a.status, a.body.status]), Array.from({ length: 24 }, () => [201, 'accepted']));
      assert.deepEqual(answers.slice(24, 27).map((a) => [a.status, a.body.status, a.body.eventId]), answers.slice(0, 3).map((a) => [200, 'duplicate', a.body.eventId]));
      for (const a of answers.slice(27)) {
        assert.equal(a.status, 400);
        assert.equal(a.body.errors[0].path, 'properties.revenue');
      }
      assert.equal(answers[5]!.body.effects.length, 3, 'each answer lists its own effects (the buyer and two account managers)');
      // The answers are written without Zod's encoding: they are exactly in the documented shape.
      for (const a of answers.slice(0, 27)) assert.deepEqual(a.body, ZEventResult.parse(a.body));
      assert.equal(await balance(p.body.id), (24 * 25) / 2);
      const again = await one('grp-bad-1', 5000);
      assert.equal(again.status, 201, 'a rejected single event did not use up its id');
    });
    test('another workspace’s people, events and wallets are invisible', async () => {
      const other = await t.workspace('Other Co');
      const r = await t.call('POST', '/api/v1/events', { key: other.ownerKey, body: ev({ type: 'review.posted', personId: ids.buyer, properties: { rating: 1 } }) });
      assert.equal(r.status, 404);
      assert.equal((await t.call('GET', `/api/v1/people/${ids.rep}/wallet`, { key: other.ownerKey })).status, 404);
      assert.equal((await t.call('GET', `/api/v1/programs/${ids.partnerProgram}`, { key: other.ownerKey })).status, 404);
      assert.deepEqual((await t.call('GET', '/api/v1/events', { key: other.ownerKey })).body.data, []);
    });

    test('a participant reads their own wallet and no one else’s', async () => {
      const mine = await ws.key('participant', { personId: ids.rep });
      const w = await t.call('GET', `/api/v1/people/${ids.rep}/wallet`, { key: mine });
      assert.equal(w.status, 200);
      assert.ok(w.body.balance >= 500);
      assert.equal((await t.call('GET', `/api/v1/people/${ids.rep2}/wallet`, { key: mine })).status, 404);
      assert.equal((await t.call('POST', '/api/v1/events', { key: mine, body: ev({ type: 'review.posted', personId: ids.rep }) })).status, 403);
    });

    test('the ledger verifies after everything above', async () => {
      const v = await t.services.ledger.verify(ws.id);
      assert.deepEqual(v.problems, []);
      assert.equal(v.ok, true);
    });
  });
}
