import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, DIALECTS, type TestApp, type TestWorkspace } from '../../../test/support/app.js';

for (const dialect of DIALECTS) {
  describe(`programs: lifecycle, bulk awards, adjustments (${dialect})`, () => {
    let t: TestApp;
    let ws: TestWorkspace;
    let key: string;
    const people: string[] = [];
    let programId = '';
    const post = (url: string, body: unknown, k = key) => t.call('POST', url, { key: k, body });
    const balance = async (id: string) => (await t.call('GET', `/api/v1/people/${id}/wallet`, { key })).body.balance as number;
    before(async () => {
      t = await createTestApp(dialect);
      ws = await t.workspace('Programs Co');
      key = ws.ownerKey;
      for (let i = 0; i < 3; i++) people.push((await post('/api/v1/people', { kind: 'employee', externalId: `P${i}`, name: `Person ${i}` })).body.id);
      programId = (await post('/api/v1/programs', { name: 'Spot awards', audience: { kinds: ['employee'] }, budget: 1000, rules: [{ name: 'Ticket', on: 'ticket.resolved', award: { points: 1 } }] })).body.id;
    });
    after(() => t.close());

    test('moves draft → active → paused → active → ended, and refuses the rest', async () => {
      const draft = await t.call('GET', `/api/v1/programs/${programId}`, { key });
      assert.equal(draft.body.status, 'draft');
      assert.equal((await post(`/api/v1/programs/${programId}/pause`, {})).status, 409);
      const noRules = (await post('/api/v1/programs', { name: 'Empty', audience: {}, budget: 0 })).body.id;
      assert.equal((await post(`/api/v1/programs/${noRules}/activate`, {})).status, 400);
      assert.equal((await post(`/api/v1/programs/${programId}/activate`, {})).body.status, 'active');
      assert.equal((await post(`/api/v1/programs/${programId}/pause`, {})).body.status, 'paused');
      const paused = await post('/api/v1/events', { id: 'while-paused', occurredAt: new Date().toISOString(), type: 'ticket.resolved', personId: people[0] });
      assert.deepEqual(paused.body.effects, [], 'a paused program awards nothing');
      assert.equal((await post(`/api/v1/programs/${programId}/activate`, {})).body.status, 'active');
      const log = await t.call('GET', `/api/v1/audit-log?targetId=${programId}`, { key });
      assert.deepEqual(log.body.data.map((e: { action: string }) => e.action).reverse(), ['program.created', 'program.activated', 'program.paused', 'program.activated']);
    });

    test('a bulk award is all or nothing, from the budget, with a reason', async () => {
      const bad = await post(`/api/v1/programs/${programId}/awards`, { reason: 'Quarter party', awards: [{ personId: people[0], points: 10 }, { personExternalId: 'NOPE', points: 10 }] });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errors[0].path, 'awards[1].personExternalId');
      assert.equal(await balance(people[0]!), 0);
      const tooMuch = await post(`/api/v1/programs/${programId}/awards`, { reason: 'Too generous', awards: people.map((personId) => ({ personId, points: 400 })) });
      assert.equal(tooMuch.status, 409);
      assert.equal(tooMuch.body.code, 'budget_exhausted');
      const ok = await post(`/api/v1/programs/${programId}/awards`, { reason: 'Quarter party', awards: [...people.map((personId) => ({ personId, points: 100 })), { personExternalId: 'P0', points: 5 }] });
      assert.equal(ok.status, 201);
      assert.deepEqual([ok.body.recipients, ok.body.points], [4, 305]);
      assert.equal(await balance(people[0]!), 105);
      assert.equal((await t.call('GET', `/api/v1/programs/${programId}`, { key })).body.budgetRemaining, 695);
      const history = await t.call('GET', `/api/v1/people/${people[1]}/transfers`, { key });
      assert.deepEqual([history.body.data[0].cause, history.body.data[0].reason, history.body.data[0].programId], ['bulk_award', 'Quarter party', programId]);
    });

    test('an admin adjusts a wallet with a reason; it cannot go below zero; others may not', async () => {
      const up = await post(`/api/v1/people/${people[2]}/adjustments`, { points: 50, reason: 'Missed award in March' });
      assert.equal(up.status, 201);
      assert.equal(up.body.reason, 'Missed award in March');
      assert.equal(await balance(people[2]!), 150);
      const tooFar = await post(`/api/v1/people/${people[2]}/adjustments`, { points: -151, reason: 'Oops' });
      assert.equal(tooFar.status, 409);
      assert.equal(tooFar.body.code, 'insufficient_points');
      assert.equal((await post(`/api/v1/people/${people[2]}/adjustments`, { points: -20, reason: 'Correction' })).status, 201);
      assert.equal(await balance(people[2]!), 130);
      assert.equal((await post(`/api/v1/people/${people[2]}/adjustments`, { points: 0, reason: 'Nothing' })).status, 400);
      const pm = await ws.key('program_manager');
      assert.equal((await post(`/api/v1/people/${people[2]}/adjustments`, { points: 5, reason: 'Not mine to give' }, pm)).status, 403);
      const audit = await t.call('GET', `/api/v1/audit-log?action=wallet.adjusted`, { key });
      assert.equal(audit.body.data.length, 2);
    });

    test('a budget raised on a live program is funded; it cannot shrink below what is unspent', async () => {
      const r = await t.call('PATCH', `/api/v1/programs/${programId}`, { key, body: { budget: 2000 } });
      assert.equal(r.status, 200);
      assert.equal(r.body.budgetRemaining, 1695);
      const shrink = await t.call('PATCH', `/api/v1/programs/${programId}`, { key, body: { budget: 100 } });
      assert.equal(shrink.status, 409);
      assert.deepEqual((await t.services.ledger.verify(ws.id)).problems, []);
    });

    test('points expire N months after they were earned, oldest first; expiring soon is readable', async () => {
      assert.equal((await t.call('PATCH', '/api/v1/workspace', { key, body: { pointsExpireMonths: 2 } })).body.pointsExpireMonths, 2);
      const who = (await post('/api/v1/people', { kind: 'employee', externalId: 'EXP', name: 'Ex Pire' })).body.id;
      const ago = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
      const r = await post('/api/v1/events', { events: [
        { id: 'exp-old', occurredAt: ago(100), type: 'ticket.resolved', personId: who },
        { id: 'exp-soon', occurredAt: ago(50), type: 'ticket.resolved', personId: who },
        { id: 'exp-new', occurredAt: ago(1), type: 'ticket.resolved', personId: who },
      ] });
      assert.deepEqual(r.body.summary, { accepted: 3, duplicate: 0, rejected: 0 });
      let w = (await t.call('GET', `/api/v1/people/${who}/wallet`, { key })).body;
      assert.equal(w.balance, 3);
      assert.equal(w.expiringSoon.length, 2, 'the lot past its date and the one within 30 days');
      const out = await t.services.ledger.expire(ws.id);
      assert.ok(out.points >= 1);
      w = (await t.call('GET', `/api/v1/people/${who}/wallet`, { key })).body;
      assert.equal(w.balance, 2);
      assert.deepEqual(w.expiringSoon.map((l: { points: number }) => l.points), [1]);
      const again = await t.services.ledger.expire(ws.id);
      assert.equal(again.points, 0, 'running the job twice expires nothing more');
      const history = (await t.call('GET', `/api/v1/people/${who}/transfers`, { key })).body.data;
      assert.equal(history[0].cause, 'expiry');
      assert.deepEqual((await t.services.ledger.verify(ws.id)).problems, []);
      await t.call('PATCH', '/api/v1/workspace', { key, body: { pointsExpireMonths: null } });
    });

    test('expiry takes the expired lots, not merely the oldest; concurrent runs expire once', async () => {
      const who = (await post('/api/v1/people', { kind: 'employee', externalId: 'EXP2', name: 'Ex Two' })).body.id;
      const ago = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
      await post('/api/v1/events', { id: 'keep-forever', occurredAt: ago(120), type: 'ticket.resolved', personId: who });
      await t.call('PATCH', '/api/v1/workspace', { key, body: { pointsExpireMonths: 1 } });
      await post('/api/v1/events', { id: 'expire-me', occurredAt: ago(60), type: 'ticket.resolved', personId: who });
      await post('/api/v1/events', { id: 'expire-me-too', occurredAt: ago(59), type: 'ticket.resolved', personId: who });
      await Promise.all([t.services.ledger.expire(ws.id), t.services.ledger.expire(ws.id)]);
      const w = (await t.call('GET', `/api/v1/people/${who}/wallet`, { key })).body;
      assert.equal(w.balance, 1, 'the two expired points went, once');
      assert.deepEqual(w.lots.map((l: { expiresAt: string | null }) => l.expiresAt), [null], 'the lot without expiry stays');
      assert.deepEqual((await t.services.ledger.verify(ws.id)).problems, []);
      await t.call('PATCH', '/api/v1/workspace', { key, body: { pointsExpireMonths: null } });
    });

    test('a bulk award from a CSV file: all or nothing, bad cells named by row, the reason required', async () => {
      const prg = (await post('/api/v1/programs', { name: 'Spot CSV', audience: { kinds: ['employee'] }, budget: 500, rules: [{ name: 'Ticket', on: 'ticket.resolved', award: { points: 1 } }] })).body.id;
      await post(`/api/v1/programs/${prg}/activate`, {});
      const csv = (payload: string, reason = 'Hackathon prizes', k = key) =>
        t.call('POST', `/api/v1/programs/${prg}/awards/import?reason=${encodeURIComponent(reason)}`, { key: k, payload, headers: { 'content-type': 'text/csv' } });
      const left = async () => (await t.call('GET', `/api/v1/programs/${prg}`, { key })).body.budgetRemaining as number;
      const b1 = await balance(people[1]!);
      const badCell = await csv('personExternalId,points\nP1,100\nP2,ten\n');
      assert.equal(badCell.status, 400);
      assert.equal(badCell.body.errors[0].path, 'row 2: points');
      const nobody = await csv(`personId,personExternalId,points\n${people[1]},,100\n,NOPE,5\n`);
      assert.equal(nobody.status, 400);
      assert.equal(nobody.body.errors[0].path, 'awards[1].personExternalId');
      const noReason = await csv('personExternalId,points\nP1,100\n', 'x');
      assert.equal(noReason.status, 400);
      assert.equal(noReason.body.errors[0].path, 'querystring.reason');
      assert.equal((await csv('personExternalId,points\nP1,400\nP2,200\n')).status, 409, 'more than the budget holds');
      assert.equal((await csv('personExternalId,points\nP1,1\n', 'Hackathon prizes', await ws.key('program_manager'))).status, 403);
      assert.equal(await balance(people[1]!), b1, 'nothing was awarded');
      assert.equal(await left(), 500);
      const ok = await csv(`personId,personExternalId,points\n${people[1]},,100\n,P2,50\n`);
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
      assert.deepEqual([ok.body.recipients, ok.body.points], [2, 150]);
      assert.equal(await balance(people[1]!), b1 + 100);
      assert.equal(await left(), 350);
      const line = (await t.call('GET', `/api/v1/people/${people[2]}/transfers`, { key })).body.data[0];
      assert.deepEqual([line.cause, line.reason, line.programId, line.amount], ['bulk_award', 'Hackathon prizes', prg, 50]);
    });

    test('analysts read programs; participants cannot', async () => {
      const analyst = await ws.key('analyst');
      assert.equal((await t.call('GET', '/api/v1/programs', { key: analyst })).status, 200);
      assert.equal((await post('/api/v1/programs', { name: 'x', audience: {}, budget: 0 }, analyst)).status, 403);
      const participant = await ws.key('participant', { personId: people[0] });
      assert.equal((await t.call('GET', '/api/v1/programs', { key: participant })).status, 403);
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`program statistics (${dialect})`, () => {
    let t: TestApp;
    let key: string;
    let ws: TestWorkspace;
    const people: string[] = [];
    let programId = '';
    const post = (url: string, body: unknown) => t.call('POST', url, { key, body });
    before(async () => {
      t = await createTestApp(dialect);
      ws = await t.workspace('Stats Co');
      key = ws.ownerKey;
      for (let i = 0; i < 3; i++) people.push((await post('/api/v1/people', { kind: 'employee', externalId: `S${i}`, name: `Stat ${i}` })).body.id);
      programId = (await post('/api/v1/programs', { name: 'Tickets', audience: { kinds: ['employee'] }, budget: 55, pointValueCents: 2, rules: [{ name: 'Ticket', on: 'ticket.resolved', award: { points: 10 }, cap: { times: 2, per: 'day' } }] })).body.id;
      await post(`/api/v1/programs/${programId}/activate`, {});
    });
    after(() => t.close());

    test('points net of reversals, earners, capped and unpaid awards, weekly burn and top earners come from the ledger', async () => {
      const ev = (id: string, person: string, day: number) => ({ id, occurredAt: `2026-11-${String(day).padStart(2, '0')}T10:00:00Z`, type: 'ticket.resolved', personId: person });
      const sent = await post('/api/v1/events', { events: [
        ev('a1', people[0]!, 9), ev('a2', people[0]!, 9), ev('a3', people[0]!, 9), // the third is capped
        ev('b1', people[1]!, 10), ev('b2', people[1]!, 17),
        ev('c1', people[2]!, 17), ev('c2', people[2]!, 18), // the budget (55) cannot cover c2
      ] });
      assert.deepEqual(sent.body.summary, { accepted: 7, duplicate: 0, rejected: 0 });
      const b2 = sent.body.results[4].eventId;
      assert.equal((await post(`/api/v1/events/${b2}/reverse`, { reason: 'duplicate ticket' })).status, 200);

      const s = await t.call('GET', `/api/v1/programs/${programId}/stats`, { key });
      assert.equal(s.status, 200, JSON.stringify(s.body));
      assert.equal(s.body.points, 40);
      assert.deepEqual(s.body.cost, { amountCents: 80, currency: 'USD' });
      assert.equal(s.body.awards, 5);
      assert.equal(s.body.reversals, 1);
      assert.equal(s.body.reversedPoints, 10);
      assert.equal(s.body.earners, 3);
      assert.deepEqual(s.body.capped, { count: 1, pointsDue: 10 });
      assert.deepEqual(s.body.budgetExhausted, { count: 1, pointsDue: 10 });
      assert.equal(s.body.budgetRemaining, 15);
      assert.deepEqual(s.body.topEarners[0], { personId: people[0], points: 20 });
      assert.equal(s.body.topEarners.length, 3);
      const weeks = s.body.burnByWeek as { weekStart: string; points: number; cumulative: number }[];
      assert.equal(weeks[0]!.weekStart, '2026-11-09T00:00:00.000Z', 'weeks start on Monday in the workspace time zone');
      assert.deepEqual(weeks.slice(0, 2).map((w) => w.points), [30, 10], 'the week of the 9th: a1, a2, b1; the week of the 16th: c1 (b2 was reversed)');
      assert.equal(weeks.at(-1)!.cumulative, 40);

      const window = await t.call('GET', `/api/v1/programs/${programId}/stats?from=2026-11-16T00:00:00Z&to=2026-11-23T00:00:00Z`, { key });
      assert.equal(window.body.points, 10);
      assert.equal(window.body.budgetExhausted.count, 1);
      assert.equal(window.body.capped.count, 0);

      assert.equal((await t.call('GET', `/api/v1/programs/${programId}/stats?from=2026-11-20T00:00:00Z&to=2026-11-01T00:00:00Z`, { key })).status, 400);
      assert.equal((await t.call('GET', '/api/v1/programs/prg_00000000000000000000000000/stats', { key })).status, 404);

      const analyst = await t.call('GET', `/api/v1/programs/${programId}/stats`, { key: await ws.key('analyst') });
      assert.equal(analyst.status, 200);
      assert.equal(analyst.body.points, 40, 'an analyst reads the totals');
      assert.deepEqual(analyst.body.topEarners, [], 'but not who earned them');
      assert.equal((await t.call('GET', `/api/v1/programs/${programId}/stats`, { key: await ws.key('participant', { personId: people[0]! }) })).status, 403);
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`program statistics for a manager (${dialect})`, () => {
    let t: TestApp;
    let key: string;
    let ws: TestWorkspace;
    const p: Record<string, string> = {};
    let programId = '';
    const post = (url: string, body: unknown) => t.call('POST', url, { key, body });
    before(async () => {
      t = await createTestApp(dialect);
      ws = await t.workspace('Narrow Co');
      key = ws.ownerKey;
      // Org ─ East (managed by Mia) ─ East North; Org ─ West. Mia herself sits in Org.
      const org = (await post('/api/v1/teams', { name: 'Org' })).body.id;
      p.mia = (await post('/api/v1/people', { kind: 'employee', externalId: 'MIA', name: 'Mia', teamId: org })).body.id;
      const east = (await post('/api/v1/teams', { name: 'East', parentId: org, managerId: p.mia })).body.id;
      const north = (await post('/api/v1/teams', { name: 'East North', parentId: east })).body.id;
      const west = (await post('/api/v1/teams', { name: 'West', parentId: org })).body.id;
      for (const [name, team] of [['eve', east], ['ned', north], ['wes', west], ['wil', west]] as const) p[name] = (await post('/api/v1/people', { kind: 'employee', externalId: name.toUpperCase(), name, teamId: team })).body.id;
      programId = (await post('/api/v1/programs', { name: 'Tickets', audience: { kinds: ['employee'] }, budget: 10_000, pointValueCents: 3, rules: [{ name: 'Ticket', on: 'ticket.resolved', award: { points: 10 }, cap: { times: 2, per: 'day' } }] })).body.id;
      await post(`/api/v1/programs/${programId}/activate`, {});
      const ev = (id: string, who: string, day: number) => ({ id, occurredAt: `2026-11-${String(day).padStart(2, '0')}T10:00:00Z`, type: 'ticket.resolved', personId: p[who] });
      const sent = await post('/api/v1/events', { events: [
        ev('e1', 'eve', 9), ev('e2', 'eve', 9), ev('e3', 'eve', 9), // the third is capped
        ev('n1', 'ned', 17),
        ev('w1', 'wes', 10), ev('w2', 'wes', 10), ev('w3', 'wes', 10), ev('w4', 'wes', 10), // two capped
        ev('l1', 'wil', 11), ev('l2', 'wil', 18),
        ev('m1', 'mia', 12),
      ] });
      assert.equal(sent.body.summary.accepted, 11);
      assert.equal((await post(`/api/v1/events/${sent.body.results[9].eventId}/reverse`, { reason: 'duplicate' })).status, 200);
    });
    after(() => t.close());

    test('a manager sees the figures of their team subtree only, never anyone outside it', async () => {
      const all = await t.call('GET', `/api/v1/programs/${programId}/stats`, { key });
      assert.deepEqual([all.body.points, all.body.earners, all.body.awards, all.body.reversals, all.body.capped.count, all.body.narrowedTo], [70, 5, 8, 1, 3, null]);

      const mgrKey = await ws.key('manager', { personId: p.mia! });
      const mine = await t.call('GET', `/api/v1/programs/${programId}/stats`, { key: mgrKey });
      assert.equal(mine.status, 200, JSON.stringify(mine.body));
      // Eve (East) 20 and one capped, Ned (East North, under East) 10: nobody from West, nor Mia.
      assert.equal(mine.body.points, 30);
      assert.deepEqual(mine.body.cost, { amountCents: 90, currency: 'USD' });
      assert.equal(mine.body.earners, 2);
      assert.equal(mine.body.awards, 3);
      assert.equal(mine.body.reversals, 0);
      assert.equal(mine.body.reversedPoints, 0);
      assert.deepEqual(mine.body.capped, { count: 1, pointsDue: 10 });
      assert.deepEqual(mine.body.narrowedTo, { teams: 2, people: 2 });
      assert.equal(mine.body.burnByWeek.at(-1).cumulative, 30);
      assert.equal(mine.body.burnByWeek.reduce((s: number, w: { points: number }) => s + w.points, 0), 30);
      assert.deepEqual(mine.body.topEarners, [], 'a manager does not read wallets');
      const text = JSON.stringify(mine.body);
      for (const outsider of ['wes', 'wil', 'mia']) assert.ok(!text.includes(p[outsider]!), `${outsider} is not named`);

      const window = await t.call('GET', `/api/v1/programs/${programId}/stats?from=2026-11-16T00:00:00Z&to=2026-11-23T00:00:00Z`, { key: mgrKey });
      assert.deepEqual([window.body.points, window.body.earners, window.body.capped.count], [10, 1, 0]);
    });

    test('a manager of no team sees nothing', async () => {
      const nobody = await t.call('GET', `/api/v1/programs/${programId}/stats`, { key: await ws.key('manager', { personId: p.wes! }) });
      assert.equal(nobody.status, 200);
      assert.deepEqual([nobody.body.points, nobody.body.earners, nobody.body.awards, nobody.body.capped.count, nobody.body.burnByWeek.at(-1)?.cumulative ?? 0], [0, 0, 0, 0, 0]);
      assert.deepEqual(nobody.body.narrowedTo, { teams: 0, people: 0 });
    });
  });
}
