import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, DIALECTS, type TestApp, type TestWorkspace } from '../../../test/support/app.js';

const DAY = 24 * 3600 * 1000;
const r1 = (x: number) => Math.round(x * 10) / 10;

for (const dialect of DIALECTS) {
  describe(`customer engagement score per contact and account (${dialect})`, () => {
    const start = Date.parse('2026-09-01T09:00:00Z');
    const clock = { t: start, now: () => clock.t };
    let t: TestApp;
    let ws: TestWorkspace;
    let other: TestWorkspace;
    const ids: Record<string, string> = {};
    let managerKey = '';
    const call = (method: string, url: string, body?: unknown, key = ws.ownerKey) => t.call(method, url, { key, body });
    const ok = async (method: string, url: string, body?: unknown) => {
      const r = await call(method, url, body);
      assert.ok(r.status < 300, `${method} ${url}: ${r.text}`);
      return r.body;
    };
    /** Opens an identified (or confidential) survey to one person and submits their answers through their link. */
    async function answer(personId: string, privacy: string, question: Record<string, unknown>, value: number) {
      const s = await ok('POST', '/api/v1/surveys', { title: 'Q', kind: 'nps', privacy, audience: { people: [personId] }, questions: [{ id: 'q_x', ...question }] });
      await ok('POST', `/api/v1/surveys/${s.id}/open`);
      const msgs = (await t.services.db.selectFrom('outbox').selectAll().where('topic', '=', 'survey.invitation').orderBy('available_at').orderBy('id').execute()) as { payload: string }[];
      const url = msgs.map((m) => JSON.parse(m.payload) as { surveyId: string; vars: { surveyUrl: string } }).find((p) => p.surveyId === s.id)!.vars.surveyUrl;
      const r = await t.app.inject({ method: 'POST', url: `/api/v1/survey-responses/${url.slice(url.lastIndexOf('/s/') + 3)}/submit`, payload: { answers: { q_x: value } } });
      assert.equal(r.statusCode, 200, r.body);
    }
    const event = (person: string, at: number, n: number) => ok('POST', '/api/v1/events', { id: `R-${n}`, type: 'review.posted', personExternalId: person, occurredAt: new Date(at).toISOString(), properties: { rating: 5 } });

    before(async () => {
      t = await createTestApp(dialect, { clock });
      ws = await t.workspace('Acme');
      other = await t.workspace('Other Co');
      const person = async (name: string, body: Record<string, unknown>) => (ids[name] = (await ok('POST', '/api/v1/people', { name, externalId: name, ...body })).id);
      await person('mia', { kind: 'employee' });
      const team = await ok('POST', '/api/v1/teams', { name: 'Support', managerId: ids.mia });
      await person('emma', { kind: 'employee', teamId: team.id });
      ids.gold = (await ok('POST', '/api/v1/accounts', { kind: 'customer', name: 'Gold Corp', externalId: 'A-GOLD', tier: 'gold' })).id;
      ids.silver = (await ok('POST', '/api/v1/accounts', { kind: 'customer', name: 'Silver Ltd', externalId: 'A-SILVER', tier: 'silver' })).id;
      await person('cora', { kind: 'customer', accountId: ids.gold });
      await person('carl', { kind: 'customer', accountId: ids.gold });
      await person('dan', { kind: 'customer', accountId: ids.silver });
      await ok('POST', '/api/v1/assignments', { accountId: ids.gold, personId: ids.emma, role: 'support' });
      managerKey = await ws.key('manager', { personId: ids.mia });
      const prg = await ok('POST', '/api/v1/programs', { name: 'Gold reviews', audience: { accountTiers: ['gold'] }, budget: 100_000, rules: [{ name: 'Review', on: 'review.posted', award: { points: 10 } }] });
      await ok('POST', `/api/v1/programs/${prg.id}/activate`, {});
      // The score reads its weights from the workspace's survey settings: a target of 10 events.
      const settings = await ok('GET', '/api/v1/survey-settings');
      await ok('PUT', '/api/v1/survey-settings', { ...settings, customerScore: { ...settings.customerScore, frequencyTargetPer90Days: 10 } });
      // 100 days later: cora reviewed 99, 40 and 10 days ago; carl and dan never.
      clock.t = start + 100 * DAY;
      await event('cora', start + 1 * DAY, 1);
      await event('cora', start + 60 * DAY, 2);
      await event('cora', start + 90 * DAY, 3);
      await answer(ids.cora!, 'identified', { type: 'likelihood', text: 'Recommend us?' }, 9);
      await answer(ids.cora!, 'confidential', { type: 'likelihood', text: 'Recommend us?' }, 0);
      await answer(ids.carl!, 'identified', { type: 'csat', text: 'Happy?' }, 4);
    });
    after(async () => t.close());

    test("a contact's score: sentiment, recency, frequency, participation weighted as docs/scoring.md says", async () => {
      const r = await call('GET', `/api/v1/people/${ids.cora}/engagement`);
      assert.equal(r.status, 200, r.text);
      const sentiment = 90; // likelihood 9 × 10; the confidential 0 is left out
      const recency = 100 * 0.5 ** (10 / 30);
      const frequency = (2 / 10) * 100; // two events in 90 days, target 10
      const participation = 100; // the one program whose audience holds her paid her
      assert.deepEqual(r.body.components, { sentiment: r1(sentiment), recency: r1(recency), frequency: r1(frequency), participation: r1(participation) });
      assert.equal(r.body.score, r1(0.4 * sentiment + 0.2 * recency + 0.2 * frequency + 0.2 * participation));
      assert.equal(r.body.classification, 'engaged');
      assert.deepEqual(r.body.weights, { sentiment: 0.4, recency: 0.2, frequency: 0.2, participation: 0.2 });
      assert.deepEqual(r.body.inputs, { nps: 100, csat: null, surveyAnswers: 1, lastEventAt: new Date(start + 90 * DAY).toISOString(), eventsLast90Days: 2, programs: 1 });
    });

    test('missing components are left out and the weights renormalised; nothing at all is a null score', async () => {
      const carl = (await call('GET', `/api/v1/people/${ids.carl}/engagement`)).body;
      assert.deepEqual(carl.components, { sentiment: 75, recency: null, frequency: null, participation: 0 });
      assert.equal(carl.score, r1((0.4 * 75 + 0.2 * 0) / 0.6));
      assert.equal(carl.classification, 'not_engaged');
      const dan = (await call('GET', `/api/v1/people/${ids.dan}/engagement`)).body;
      assert.equal(dan.score, null);
      assert.equal(dan.classification, null);
      assert.deepEqual(dan.components, { sentiment: null, recency: null, frequency: null, participation: null });
    });

    test("an account's score covers its contacts and its events", async () => {
      const r = await call('GET', `/api/v1/accounts/${ids.gold}/engagement`);
      assert.equal(r.status, 200, r.text);
      const sentiment = (90 + 75) / 2;
      const recency = 100 * 0.5 ** (10 / 30);
      assert.equal(r.body.components.sentiment, sentiment);
      assert.equal(r.body.score, r1(0.4 * sentiment + 0.2 * recency + 0.2 * 20 + 0.2 * 100));
      assert.equal(r.body.classification, 'not_engaged');
      assert.deepEqual([r.body.inputs.nps, r.body.inputs.csat, r.body.inputs.surveyAnswers], [100, 100, 2]);
    });

    test('a manager reads the accounts their team serves and their contacts, 404 for others; participants and analysts 403; another workspace 404', async () => {
      assert.equal((await call('GET', `/api/v1/accounts/${ids.gold}/engagement`, undefined, managerKey)).status, 200);
      assert.equal((await call('GET', `/api/v1/people/${ids.cora}/engagement`, undefined, managerKey)).status, 200);
      assert.equal((await call('GET', `/api/v1/accounts/${ids.silver}/engagement`, undefined, managerKey)).status, 404);
      assert.equal((await call('GET', `/api/v1/people/${ids.dan}/engagement`, undefined, managerKey)).status, 404);
      const participant = await ws.key('participant', { personId: ids.cora });
      assert.equal((await call('GET', `/api/v1/people/${ids.cora}/engagement`, undefined, participant)).status, 403);
      assert.equal((await call('GET', `/api/v1/accounts/${ids.gold}/engagement`, undefined, await ws.key('analyst'))).status, 403);
      assert.equal((await call('GET', `/api/v1/accounts/${ids.gold}/engagement`, undefined, other.ownerKey)).status, 404);
      assert.equal((await call('GET', `/api/v1/people/${ids.cora}/engagement`, undefined, other.ownerKey)).status, 404);
      assert.equal((await call('GET', '/api/v1/people/per_nope/engagement')).status, 400);
      const bad = await call('GET', '/api/v1/accounts/acc_nope/engagement');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errors[0].path, 'params.id');
      assert.equal((await call('GET', `/api/v1/accounts/acc_${'0'.repeat(26)}/engagement`)).status, 404);
    });
  });
}
