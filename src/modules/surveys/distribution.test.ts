import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../core/db/db.js';
import { createServices } from '../../app.js';
import { createTestApp, DIALECTS, TEST_SECRET, type TestApp, type TestWorkspace } from '../../../test/support/app.js';

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
const tokenOf = (url: string) => url.slice(url.lastIndexOf('/s/') + 3);

for (const dialect of DIALECTS) {
  describe(`surveys distribution: reminder schedule, event triggers, public link (${dialect})`, () => {
    const clock = { t: Date.parse('2026-12-15T09:00:00Z'), now: () => clock.t };
    let t: TestApp & { db: { file?: string; url?: string } };
    let ws: TestWorkspace;
    let other: TestWorkspace;
    const people: Record<string, { id: string; key: string }> = {};
    const call = (method: string, url: string, body?: unknown, key = ws.ownerKey) => t.call(method, url, { key, body });
    const pub = (method: string, url: string, body?: unknown, ip = '10.1.0.1') => t.app.inject({ method: method as 'GET', url, payload: body as object, remoteAddress: ip }).then((r) => ({ status: r.statusCode, body: r.body ? JSON.parse(r.body) : undefined }));
    const rows = (table: string) => t.services.db.selectFrom(table).selectAll().execute() as Promise<Record<string, unknown>[]>;
    const messages = async (topic: string, surveyId: string) =>
      ((await t.services.db.selectFrom('outbox').selectAll().where('topic', '=', topic).orderBy('available_at').orderBy('id').execute()) as { payload: string; available_at: number }[])
        .map((m) => ({ ...(JSON.parse(m.payload) as { personId: string; surveyId: string; vars: { surveyUrl: string } }), availableAt: Number(m.available_at) }))
        .filter((m) => m.surveyId === surveyId);
    async function drain() {
      const w = t.services.comms.worker();
      await w.drain();
      await w.close();
    }
    async function openSurvey(body: Record<string, unknown>) {
      const c = await call('POST', '/api/v1/surveys', body);
      assert.equal(c.status, 201, c.text);
      const o = await call('POST', `/api/v1/surveys/${c.body.id}/open`);
      assert.equal(o.status, 200, o.text);
      return o.body as { id: string; invited: number; nextReminderAt: string | null; publicUrl: string | null };
    }

    before(async () => {
      t = await createTestApp(dialect, { clock });
      ws = await t.workspace('Acme');
      other = await t.workspace('Other Co');
      const team = await call('POST', '/api/v1/teams', { name: 'Support', externalId: 'T-SUP' });
      const gold = await call('POST', '/api/v1/accounts', { kind: 'customer', name: 'Gold Corp', externalId: 'A-GOLD', tier: 'gold' });
      const make = async (name: string, body: Record<string, unknown>) => {
        const p = await call('POST', '/api/v1/people', { name, externalId: name, email: `${name}@acme.test`, ...body });
        assert.equal(p.status, 201, p.text);
        people[name] = { id: p.body.id, key: await ws.key('participant', { personId: p.body.id }) };
      };
      await make('emma', { kind: 'employee', teamId: team.body.id, hireDate: '2024-01-10' });
      await make('sam', { kind: 'employee', teamId: team.body.id });
      await make('ana', { kind: 'employee', teamId: team.body.id });
      await make('cora', { kind: 'customer', accountId: gold.body.id });
      await make('carl', { kind: 'customer', accountId: gold.body.id });
    });
    after(async () => t.close());

    describe('reminder schedule', () => {
      test('reminderDays is set on create and PATCH while a draft; bad days are 400 naming the field; locked once open', async () => {
        const c = await call('POST', '/api/v1/surveys', { template: 'enps-pulse', reminderDays: [7, 3, 3] });
        assert.equal(c.status, 201, c.text);
        assert.deepEqual(c.body.reminderDays, [3, 7]);
        for (const [days, path] of [[[0], 'reminderDays.0'], [[61], 'reminderDays.0'], [[1, 2, 3, 4, 5, 6], 'reminderDays'], [[1.5], 'reminderDays.0']] as const) {
          const r = await call('PATCH', `/api/v1/surveys/${c.body.id}`, { reminderDays: days });
          assert.equal(r.status, 400, r.text);
          assert.ok(r.body.errors.some((e: { path: string }) => e.path === path), `${path} in ${r.text}`);
        }
        assert.deepEqual((await call('GET', `/api/v1/surveys/${c.body.id}`)).body.reminderDays, [3, 7]);
        const p = await call('PATCH', `/api/v1/surveys/${c.body.id}`, { reminderDays: [2] });
        assert.deepEqual(p.body.reminderDays, [2]);
        const o = await call('POST', `/api/v1/surveys/${c.body.id}/open`);
        assert.equal(o.body.nextReminderAt, new Date(clock.t + 2 * DAY).toISOString());
        assert.equal((await call('PATCH', `/api/v1/surveys/${c.body.id}`, { reminderDays: [4] })).status, 409);
        assert.equal((await call('PATCH', `/api/v1/surveys/${c.body.id}`, { reminderDays: [4] }, other.ownerKey)).status, 404);
        await call('POST', `/api/v1/surveys/${c.body.id}/close`);
      });

      test('two workers remind non-responders once on each listed day, and never after the close', async () => {
        const s = await openSurvey({ title: 'Pulse', kind: 'pulse', privacy: 'confidential', reminderDays: [3, 7], audience: { kinds: ['employee'] }, questions: [{ id: 'q_a', type: 'agreement', text: 'A' }] });
        const closing = await openSurvey({ title: 'Closing', kind: 'pulse', reminderDays: [3], audience: { kinds: ['employee'] }, questions: [{ id: 'q_a', type: 'agreement', text: 'A' }] });
        await call('POST', `/api/v1/surveys/${closing.id}/close`);
        const opened = clock.t;
        const links = await messages('survey.invitation', s.id);
        const emma = links.find((m) => m.personId === people.emma!.id)!;
        assert.equal((await pub('POST', `/api/v1/survey-responses/${tokenOf(emma.vars.surveyUrl)}/submit`, { answers: { q_a: 4 } })).status, 200);
        // On PostgreSQL a second process: its own services and connections over the same database.
        // (SQLite has one writer process; two connections in one process would block each other.)
        const db2 = dialect === 'postgres' ? openDatabase({ dialect, url: t.db.url!, poolSize: 3 }) : null;
        const second = db2 ? createServices(db2, clock, { publicUrl: 'http://127.0.0.1', secret: TEST_SECRET }) : t.services;
        try {
          const both = () => Promise.all([t.services.surveys.tick(), second.surveys.tick()]);
          clock.t = opened + 3 * DAY - 1000;
          assert.deepEqual(await both(), [0, 0]);
          assert.equal((await messages('survey.reminder', s.id)).length, 0);
          clock.t = opened + 3 * DAY;
          const day3 = await both();
          assert.equal(day3[0] + day3[1], 2, `one worker reminds both: ${day3.join(',')}`);
          const r3 = await messages('survey.reminder', s.id);
          assert.deepEqual(r3.map((m) => m.personId).sort(), [people.sam!.id, people.ana!.id].sort());
          assert.equal(r3.find((m) => m.personId === people.sam!.id)!.vars.surveyUrl, links.find((m) => m.personId === people.sam!.id)!.vars.surveyUrl, 'the same link again');
          clock.t = opened + 5 * DAY;
          assert.deepEqual(await both(), [0, 0]);
          clock.t = opened + 7 * DAY + 5000;
          const day7 = await both();
          assert.equal(day7[0] + day7[1], 2);
          clock.t = opened + 30 * DAY;
          assert.deepEqual(await both(), [0, 0]);
          assert.equal((await messages('survey.reminder', s.id)).length, 4);
          const after = (await call('GET', `/api/v1/surveys/${s.id}`)).body;
          assert.equal(after.nextReminderAt, null);
          assert.equal(after.lastRemindedAt, new Date(opened + 7 * DAY + 5000).toISOString());
          assert.equal((await messages('survey.reminder', closing.id)).length, 0, 'a closed survey reminds nobody');
          const audit = (await rows('audit_log')).filter((a) => a.action === 'survey.reminded' && a.target_id === s.id);
          assert.equal(audit.length, 2);
        } finally {
          await db2?.close();
        }
      });
    });

    describe('event triggers', () => {
      let csat: { id: string; invited: number };
      let trigger: { id: string };
      let n = 0;
      const ticket = (contact: string, extra: Record<string, unknown> = {}) =>
        call('POST', '/api/v1/events', { id: `T-${++n}`, source: 'helpdesk', type: 'ticket.resolved', personExternalId: 'emma', occurredAt: new Date(clock.t - 60_000).toISOString(), properties: { ticketId: `T-${n}`, contactExternalId: contact }, ...extra });
      const triggered = async () => (await rows('survey_invitations')).filter((r) => r.survey_id === csat.id);

      before(async () => {
        csat = await openSurvey({ template: 'support-csat', audience: { kinds: [] } });
      });

      test('a survey opened with an empty audience ({ kinds: [] } or people: []) stays open and invites nobody', async () => {
        assert.equal(csat.invited, 0);
        const list = await openSurvey({ template: 'support-csat', audience: { people: [] } });
        assert.equal(list.invited, 0);
        assert.equal((await call('GET', `/api/v1/surveys/${list.id}`)).body.status, 'open');
        assert.equal((await rows('survey_invitations')).filter((r) => r.survey_id === csat.id || r.survey_id === list.id).length, 0);
      });

      test('bad triggers are 400 naming the field; anonymous surveys refuse them naming sendTo; nothing is stored', async () => {
        const anon = (await call('POST', '/api/v1/surveys', { template: 'enps-pulse' })).body;
        const good = { on: 'ticket.resolved', sendTo: { property: 'contactExternalId' }, handledBy: 'person', delayMinutes: 120, oncePerDays: 30 };
        const cases: [string, unknown, string][] = [
          [csat.id, { ...good, on: 'ticket.vanished' }, 'on'],
          [csat.id, { ...good, if: { fact: 'event.properties.nope', op: 'eq', value: 1 } }, 'if.fact'],
          [csat.id, { ...good, if: { fact: 'event.properties.priority', op: 'eq', value: 'sometimes' } }, 'if.value'],
          [csat.id, { ...good, if: { fact: 'x', op: 'near' } }, 'if'],
          [csat.id, { ...good, sendTo: { property: 'customer' } }, 'sendTo.property'],
          [csat.id, { ...good, handledBy: { property: 'agent' } }, 'handledBy.property'],
          [csat.id, { ...good, delayMinutes: -1 }, 'delayMinutes'],
          [csat.id, { ...good, oncePerDays: 400 }, 'oncePerDays'],
          [csat.id, { ...good, extra: 1 }, 'extra'],
          [anon.id, good, 'sendTo'],
        ];
        for (const [id, body, path] of cases) {
          const r = await call('POST', `/api/v1/surveys/${id}/triggers`, body);
          assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
          assert.match(String(r.headers['content-type']), /application\/problem\+json/);
          assert.ok(r.body.errors.some((e: { path: string }) => e.path === path || e.path.startsWith(`${path}.`)), `${path} in ${r.text}`);
        }
        assert.equal((await rows('survey_triggers')).length, 0);
      });

      test('a draft with triggers cannot become anonymous (400 naming privacy), and keeps its privacy', async () => {
        const draft = (await call('POST', '/api/v1/surveys', { template: 'support-csat', audience: { kinds: [] } })).body;
        const made = await call('POST', `/api/v1/surveys/${draft.id}/triggers`, { on: 'ticket.resolved', sendTo: 'person', handledBy: null, delayMinutes: 0, oncePerDays: 0 });
        assert.equal(made.status, 201, made.text);
        const r = await call('PATCH', `/api/v1/surveys/${draft.id}`, { privacy: 'anonymous' });
        assert.equal(r.status, 400, r.text);
        assert.equal(r.body.errors[0].path, 'privacy');
        assert.equal((await call('GET', `/api/v1/surveys/${draft.id}`)).body.privacy, 'identified');
        assert.equal((await call('DELETE', `/api/v1/surveys/${draft.id}/triggers/${made.body.id}`)).status, 204);
        assert.equal((await call('PATCH', `/api/v1/surveys/${draft.id}`, { privacy: 'anonymous' })).body.privacy, 'anonymous');
      });

      test('permissions: staff manage, a manager reads, a participant gets 403, another workspace 404', async () => {
        const body = { on: 'ticket.resolved', sendTo: { property: 'contactExternalId' }, handledBy: 'person', delayMinutes: 120, oncePerDays: 30 };
        const manager = await ws.key('manager');
        assert.equal((await call('POST', `/api/v1/surveys/${csat.id}/triggers`, body, manager)).status, 403);
        assert.equal((await call('POST', `/api/v1/surveys/${csat.id}/triggers`, body, people.cora!.key)).status, 403);
        assert.equal((await call('GET', `/api/v1/surveys/${csat.id}/triggers`, undefined, people.cora!.key)).status, 403);
        assert.equal((await call('POST', `/api/v1/surveys/${csat.id}/triggers`, body, other.ownerKey)).status, 404);
        assert.equal((await call('GET', `/api/v1/surveys/${csat.id}/triggers`, undefined, other.ownerKey)).status, 404);
        const r = await call('POST', `/api/v1/surveys/${csat.id}/triggers`, body);
        assert.equal(r.status, 201, r.text);
        trigger = r.body;
        assert.match(trigger.id, /^svt_/);
        const list = await call('GET', `/api/v1/surveys/${csat.id}/triggers`, undefined, manager);
        assert.equal(list.status, 200, list.text);
        assert.deepEqual(list.body.data.map((x: { id: string; on: string; sent: number }) => [x.id, x.on, x.sent]), [[trigger.id, 'ticket.resolved', 0]]);
        assert.equal((await call('DELETE', `/api/v1/surveys/${csat.id}/triggers/${trigger.id}`, undefined, other.ownerKey)).status, 404);
        assert.equal((await call('DELETE', `/api/v1/surveys/${csat.id}/triggers/${trigger.id}`, undefined, manager)).status, 403);
        assert.equal((await rows('survey_triggers')).length, 1);
      });

      test('ticket.resolved sends the CSAT survey to the contact once, 2 hours later, at most once per 30 days, linked to the event and the employee', async () => {
        const t0 = clock.t;
        const first = await ticket('cora');
        assert.equal(first.status, 201, first.text);
        const eventId = first.body.eventId as string;
        await drain();
        let inv = await triggered();
        assert.equal(inv.length, 1);
        assert.equal(inv[0]!.person_id, people.cora!.id);
        assert.equal(inv[0]!.event_id, eventId);
        assert.equal(inv[0]!.handled_by, people.emma!.id);
        assert.equal(inv[0]!.trigger_id, trigger.id);
        assert.equal(inv[0]!.account_tier, 'gold');
        assert.equal(inv[0]!.person_kind, 'customer');
        const msgs = await messages('survey.invitation', csat.id);
        assert.equal(msgs.length, 1);
        assert.equal(msgs[0]!.personId, people.cora!.id);
        assert.equal(msgs[0]!.availableAt, t0 + 2 * HOUR);
        // Not in the inbox before the delay; there after it.
        const inbox = async () => (await call('GET', '/api/v1/me/inbox', undefined, people.cora!.key)).body.data.filter((x: { type: string; data: { surveyId: string } }) => x.type === 'survey.invitation' && x.data.surveyId === csat.id);
        assert.equal((await inbox()).length, 0);
        clock.t = t0 + 2 * HOUR;
        await drain();
        assert.equal((await inbox()).length, 1);

        // Within 30 days: nothing more for cora; a duplicate and a reversal create nothing.
        clock.t = t0 + 10 * DAY;
        assert.equal((await ticket('cora')).status, 201);
        const dup = await call('POST', '/api/v1/events', { id: 'T-1', source: 'helpdesk', type: 'ticket.resolved', personExternalId: 'emma', occurredAt: new Date(t0).toISOString(), properties: { contactExternalId: 'carl' } });
        assert.equal(dup.body.status, 'duplicate', dup.text);
        const rev = await call('POST', '/api/v1/events', { id: 'T-R', source: 'helpdesk', type: 'ticket.resolved', personExternalId: 'emma', occurredAt: new Date(clock.t).toISOString(), properties: { contactExternalId: 'carl' }, reverses: 'T-2' });
        assert.equal(rev.status, 201, rev.text);
        await drain();
        inv = await triggered();
        assert.equal(inv.length, 1, 'no second invitation within 30 days, none from a duplicate or a reversal');

        // After 30 days: one more.
        clock.t = t0 + 30 * DAY + HOUR;
        const third = await ticket('cora');
        await drain();
        inv = await triggered();
        assert.equal(inv.length, 2);
        assert.ok(inv.some((r) => r.event_id === third.body.eventId), 'the new invitation answers the new event');
        const list = await call('GET', `/api/v1/surveys/${csat.id}/triggers`);
        assert.equal(list.body.data[0].sent, 2);
        assert.equal((await call('GET', `/api/v1/surveys/${csat.id}`)).body.invited, 2);

        // The submitted response keeps the event and the employee.
        const link = (await messages('survey.invitation', csat.id)).find((m) => m.personId === people.cora!.id)!;
        const questions = (await call('GET', `/api/v1/surveys/${csat.id}`)).body.questions as { id: string; type: string; required: boolean }[];
        const answers = Object.fromEntries(questions.filter((q) => q.required).map((q) => [q.id, q.type === 'csat' ? 5 : q.type === 'single_choice' ? 'yes' : 'fine']));
        const sub = await pub('POST', `/api/v1/survey-responses/${tokenOf(link.vars.surveyUrl)}/submit`, { answers });
        assert.equal(sub.status, 200, JSON.stringify(sub.body));
        const resp = (await rows('survey_responses')).filter((r) => r.survey_id === csat.id);
        assert.equal(resp.length, 1);
        assert.equal(resp[0]!.person_id, people.cora!.id);
        assert.equal(resp[0]!.event_id, eventId);
        assert.equal(resp[0]!.handled_by, people.emma!.id);
      });

      test('a condition filters the events; a deleted trigger sends nothing more', async () => {
        const urgent = await call('POST', `/api/v1/surveys/${csat.id}/triggers`, { on: 'ticket.resolved', if: { fact: 'event.properties.priority', op: 'eq', value: 'urgent' }, sendTo: { property: 'contactExternalId' }, handledBy: null, delayMinutes: 0, oncePerDays: 0 });
        assert.equal(urgent.status, 201, urgent.text);
        assert.equal((await call('DELETE', `/api/v1/surveys/${csat.id}/triggers/${trigger.id}`)).status, 204);
        const before = (await triggered()).length;
        await ticket('carl', { properties: { contactExternalId: 'carl', priority: 'low' } });
        await drain();
        assert.equal((await triggered()).length, before, 'a low-priority ticket does not match');
        await ticket('carl', { properties: { contactExternalId: 'carl', priority: 'urgent' } });
        await drain();
        const inv = (await triggered()).filter((r) => r.trigger_id === urgent.body.id);
        assert.equal(inv.length, 1);
        assert.equal(inv[0]!.person_id, people.carl!.id);
        assert.equal(inv[0]!.handled_by, null);
        assert.equal((await triggered()).filter((r) => r.trigger_id === trigger.id).length, 2, 'the deleted trigger sent nothing more');
      });
    });

    describe('public link', () => {
      test('only anonymous surveys get a public link (400 naming publicLink); another workspace gets 404', async () => {
        const idf = (await call('POST', '/api/v1/surveys', { template: 'customer-nps' })).body;
        const r = await call('PATCH', `/api/v1/surveys/${idf.id}`, { publicLink: true });
        assert.equal(r.status, 400, r.text);
        assert.equal(r.body.errors[0].path, 'publicLink');
        const c = await call('POST', '/api/v1/surveys', { template: 'customer-nps', publicLink: true });
        assert.equal(c.status, 400, c.text);
        assert.equal(c.body.errors[0].path, 'publicLink');
        const anon = (await call('POST', '/api/v1/surveys', { template: 'enps-pulse' })).body;
        assert.equal((await call('PATCH', `/api/v1/surveys/${anon.id}`, { publicLink: true }, other.ownerKey)).status, 404);
        assert.equal((await call('PATCH', `/api/v1/surveys/${anon.id}`, { publicLink: true }, await ws.key('manager'))).status, 403);
        assert.equal((await call('GET', `/api/v1/surveys/${anon.id}`)).body.publicUrl, null);
      });

      test('a public link starts fresh single-use tokens; responses name nobody; 404 unknown, 409 not open or closed, 429 past the limit', async () => {
        const c = await call('POST', '/api/v1/surveys', { title: 'Open door', kind: 'pulse', privacy: 'anonymous', audience: { kinds: [] }, questions: [{ id: 'q_a', type: 'agreement', text: 'A' }] });
        const p = await call('PATCH', `/api/v1/surveys/${c.body.id}`, { publicLink: true });
        assert.equal(p.status, 200, p.text);
        assert.equal(p.body.publicLink, true);
        assert.match(p.body.publicUrl, /^http:\/\/127\.0\.0\.1\/s\/p\/[A-Za-z0-9_-]{43}$/);
        const link = p.body.publicUrl.slice(p.body.publicUrl.lastIndexOf('/') + 1);
        const draft = await pub('POST', `/api/v1/survey-links/${link}/start`);
        assert.equal(draft.status, 409);
        assert.equal(draft.body.code, 'survey_not_open');
        assert.equal((await call('POST', `/api/v1/surveys/${c.body.id}/open`)).status, 200);
        assert.equal((await pub('POST', `/api/v1/survey-links/${'z'.repeat(43)}/start`)).status, 404);
        const starts = [];
        for (const ip of ['10.2.0.1', '10.2.0.2']) {
          const s = await pub('POST', `/api/v1/survey-links/${link}/start`, undefined, ip);
          assert.equal(s.status, 200, JSON.stringify(s.body));
          assert.equal(s.body.url, `http://127.0.0.1/s/${s.body.token}`);
          starts.push(s.body.token as string);
        }
        assert.notEqual(starts[0], starts[1]);
        assert.equal((await pub('GET', `/api/v1/survey-responses/${starts[0]}`)).status, 200);
        for (const [i, tok] of starts.entries()) assert.equal((await pub('POST', `/api/v1/survey-responses/${tok}/submit`, { answers: { q_a: 3 + i } })).status, 200);
        assert.equal((await pub('POST', `/api/v1/survey-responses/${starts[0]}/submit`, { answers: { q_a: 1 } })).status, 410);
        const resp = (await rows('survey_responses')).filter((r) => r.survey_id === c.body.id);
        assert.equal(resp.length, 2);
        for (const r of resp) {
          assert.equal(r.person_id, null);
          assert.equal(r.team_id, null);
          assert.equal(Number(r.submitted_on) % DAY, 0);
        }
        const inv = (await rows('survey_invitations')).filter((r) => r.survey_id === c.body.id);
        assert.equal(inv.length, 2);
        for (const r of inv) assert.equal(r.person_id, null);
        const survey = (await call('GET', `/api/v1/surveys/${c.body.id}`)).body;
        assert.deepEqual([survey.invited, survey.responses], [2, 2]);
        // One address: 20 starts in 10 minutes, then 429; another address still starts.
        let last = 0;
        for (let i = 0; i < 21; i++) last = (await pub('POST', `/api/v1/survey-links/${link}/start`, undefined, '10.3.3.3')).status;
        assert.equal(last, 429);
        assert.equal((await pub('POST', `/api/v1/survey-links/${link}/start`, undefined, '10.3.3.4')).status, 200);
        // Switched off: the old link is unknown; switched on again: the same link works.
        assert.equal((await call('PATCH', `/api/v1/surveys/${c.body.id}`, { publicLink: false })).body.publicUrl, null);
        assert.equal((await pub('POST', `/api/v1/survey-links/${link}/start`, undefined, '10.3.3.5')).status, 404);
        assert.equal((await call('PATCH', `/api/v1/surveys/${c.body.id}`, { publicLink: true })).body.publicUrl, p.body.publicUrl);
        await call('POST', `/api/v1/surveys/${c.body.id}/close`);
        const closed = await pub('POST', `/api/v1/survey-links/${link}/start`, undefined, '10.3.3.6');
        assert.equal(closed.status, 409);
        assert.equal(closed.body.code, 'survey_closed');
      });
    });
  });
}
