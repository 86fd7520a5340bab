import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, DIALECTS, type TestApp, type TestWorkspace } from '../../../test/support/app.js';

const tokenOf = (url: string) => url.slice(url.lastIndexOf('/s/') + 3);

for (const dialect of DIALECTS) {
  describe(`surveys: definitions, distribution, taking by link, privacy (${dialect})`, () => {
    const clock = { t: Date.parse('2026-12-10T10:00:00Z'), now: () => clock.t };
    let t: TestApp;
    let ws: TestWorkspace;
    let other: TestWorkspace;
    const people: Record<string, { id: string; key: string }> = {};
    let teamSales = '';
    const call = (method: string, url: string, body?: unknown, key = ws.ownerKey) => t.call(method, url, { key, body });
    const pub = (method: string, url: string, body?: unknown, ip = '10.0.0.1') => t.app.inject({ method: method as 'GET', url, payload: body as object, remoteAddress: ip }).then((r) => ({ status: r.statusCode, body: r.body ? JSON.parse(r.body) : undefined, headers: r.headers }));
    const rows = (table: string) => t.services.db.selectFrom(table).selectAll().execute() as Promise<Record<string, unknown>[]>;
    /** The link each person got, read from the outbox message that carries it. */
    async function links(surveyId: string, topic = 'survey.invitation') {
      const msgs = (await t.services.db.selectFrom('outbox').selectAll().where('topic', '=', topic).orderBy('available_at').orderBy('id').execute()) as { payload: string }[];
      const out = new Map<string, string>();
      for (const m of msgs) {
        const p = JSON.parse(m.payload) as { personId: string; surveyId: string; vars: { surveyUrl: string } };
        if (p.surveyId === surveyId) out.set(p.personId, tokenOf(p.vars.surveyUrl));
      }
      return out;
    }
    async function openSurvey(body: Record<string, unknown>) {
      const c = await call('POST', '/api/v1/surveys', body);
      assert.equal(c.status, 201, c.text);
      const o = await call('POST', `/api/v1/surveys/${c.body.id}/open`);
      assert.equal(o.status, 200, o.text);
      return o.body as { id: string; invited: number; questions: { id: string }[] };
    }

    before(async () => {
      t = await createTestApp(dialect, { clock });
      ws = await t.workspace('Acme');
      other = await t.workspace('Other Co');
      const sales = await call('POST', '/api/v1/teams', { name: 'Sales', externalId: 'T-SALES' });
      teamSales = sales.body.id;
      const gold = await call('POST', '/api/v1/accounts', { kind: 'customer', name: 'Gold Corp', externalId: 'A-GOLD', tier: 'gold' });
      const make = async (name: string, body: Record<string, unknown>) => {
        const p = await call('POST', '/api/v1/people', { name, externalId: name, email: `${name}@acme.test`, ...body });
        assert.equal(p.status, 201, p.text);
        people[name] = { id: p.body.id, key: await ws.key('participant', { personId: p.body.id }) };
      };
      await make('emma', { kind: 'employee', teamId: teamSales, hireDate: '2025-06-01' });
      await make('sam', { kind: 'employee', teamId: teamSales, hireDate: '2019-01-15' });
      await make('ana', { kind: 'employee', teamId: teamSales });
      await make('cora', { kind: 'customer', accountId: gold.body.id });
    });
    after(async () => t.close());

    test('lists the templates, each with its questions and driver tags', async () => {
      const r = await call('GET', '/api/v1/survey-templates');
      assert.equal(r.status, 200, r.text);
      const ids = r.body.data.map((x: { id: string }) => x.id);
      assert.deepEqual(ids, ['employee-engagement', 'enps-pulse', 'customer-nps', 'support-csat', 'partner-satisfaction']);
      const eng = r.body.data[0];
      const drivers = new Set(eng.questions.map((q: { driver: string | null }) => q.driver).filter(Boolean));
      assert.deepEqual([...drivers].sort(), ['autonomy', 'competence', 'engagement', 'growth', 'management', 'recognition', 'social_value']);
      const nps = r.body.data[2];
      assert.deepEqual(nps.questions.find((q: { id: string }) => q.id === 'q_improve').showIf, { question: 'q_nps', in: [0, 1, 2, 3, 4, 5, 6, 7, 8] });
    });

    test('creates a draft from a template, with its questions', async () => {
      const r = await call('POST', '/api/v1/surveys', { template: 'employee-engagement', audience: { kinds: ['employee'] } });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.body.status, 'draft');
      assert.equal(r.body.privacy, 'anonymous');
      assert.equal(r.body.kind, 'engagement');
      assert.equal(r.body.questions.length, 17);
      assert.match(r.body.id, /^srv_/);
    });

    test('bad input is 400 naming the field, and nothing is stored', async () => {
      const before = (await rows('surveys')).length;
      const cases: [unknown, string][] = [
        [{ kind: 'engagement' }, 'title'],
        [{ title: 'x', kind: 'weird' }, 'kind'],
        [{ title: 'x', kind: 'pulse', template: 'nope' }, 'template'],
        [{ title: 'x', kind: 'pulse', questions: [{ type: 'single_choice', text: 'Pick' }] }, 'questions.0.options'],
        [{ title: 'x', kind: 'pulse', questions: [{ type: 'agreement', text: 'A' }, { type: 'text', text: 'B', showIf: { question: 'q_missing', in: [1] } }] }, 'questions.1.showIf.question'],
        [{ title: 'x', kind: 'pulse', questions: [{ id: 'q_a', type: 'agreement', text: 'A' }, { type: 'text', text: 'B', showIf: { question: 'q_a', in: [9] } }] }, 'questions.1.showIf.in.0'],
        [{ title: 'x', kind: 'pulse', questions: [{ id: 'q_a', type: 'agreement', text: 'A' }, { id: 'q_a', type: 'text', text: 'B' }] }, 'questions.1.id'],
        [{ title: 'x', kind: 'pulse', questions: [{ type: 'text', text: 'B', driver: 'growth' }] }, 'questions.0.driver'],
        [{ title: 'x', kind: 'pulse', opensAt: '2027-01-02T00:00:00Z', closesAt: '2027-01-01T00:00:00Z' }, 'closesAt'],
      ];
      for (const [body, path] of cases) {
        const r = await call('POST', '/api/v1/surveys', body);
        assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
        assert.match(String(r.headers['content-type']), /application\/problem\+json/);
        assert.ok(r.body.errors.some((e: { path: string }) => e.path === path), `${path} in ${r.text}`);
      }
      assert.equal((await rows('surveys')).length, before);
    });

    test('opening invites the audience: one invitation and one message each, the link in it, and locks the questions', async () => {
      const s = await openSurvey({ title: 'Pulse', kind: 'pulse', privacy: 'confidential', audience: { kinds: ['employee'] }, questions: [{ id: 'q_mood', type: 'agreement', text: 'I am fine', driver: 'engagement' }] });
      assert.equal(s.invited, 3);
      const inv = (await rows('survey_invitations')).filter((r) => r.survey_id === s.id);
      assert.equal(inv.length, 3);
      assert.deepEqual(inv.map((r) => r.person_id).sort(), [people.emma!.id, people.sam!.id, people.ana!.id].sort());
      const emmaInv = inv.find((r) => r.person_id === people.emma!.id)!;
      assert.equal(emmaInv.team_id, teamSales);
      assert.equal(emmaInv.tenure_band, '1_2y');
      assert.equal(inv.find((r) => r.person_id === people.sam!.id)!.tenure_band, '5y_plus');
      const l = await links(s.id);
      assert.equal(l.size, 3);
      // The token itself is never stored: only its hash.
      for (const tok of l.values()) assert.ok(!inv.some((r) => r.token_hash === tok));
      const q = await call('PUT', `/api/v1/surveys/${s.id}/questions`, { questions: [] });
      assert.equal(q.status, 409, q.text);
      const p = await call('PATCH', `/api/v1/surveys/${s.id}`, { privacy: 'identified' });
      assert.equal(p.status, 409, p.text);
      assert.equal((await call('PATCH', `/api/v1/surveys/${s.id}`, { title: 'Pulse (Dec)' })).body.title, 'Pulse (Dec)');
      // The worker turns the messages into inbox messages and emails.
      const w = t.services.comms.worker();
      await w.drain();
      await w.close();
      const inbox = await call('GET', '/api/v1/me/inbox', undefined, people.emma!.key);
      assert.equal(inbox.status, 200, inbox.text);
      const m = inbox.body.data.find((x: { type: string }) => x.type === 'survey.invitation');
      assert.ok(m, inbox.text);
      assert.match(m.title, /Pulse/);
      assert.ok(m.body.includes(`/s/${l.get(people.emma!.id)}`));
      const mail = (await rows('emails')).filter((e) => e.type === 'survey.invitation' && e.person_id === people.emma!.id);
      assert.equal(mail.length, 1);
      assert.ok(String(mail[0]!.text).includes(`/s/${l.get(people.emma!.id)}`));
    });

    test('a participant takes a survey: reads it, saves part, resumes, submits once; then 410', async () => {
      const s = await openSurvey({
        title: 'NPS', kind: 'nps', privacy: 'identified', audience: { kinds: ['customer'] },
        questions: [
          { id: 'q_nps', type: 'likelihood', text: 'Recommend us?' },
          { id: 'q_low', type: 'text', text: 'What went wrong?', showIf: { question: 'q_nps', in: [0, 1, 2, 3, 4, 5, 6] } },
          { id: 'q_use', type: 'multiple_choice', text: 'What do you use?', required: false, options: [{ value: 'app', label: 'App' }, { value: 'web', label: 'Web' }] },
        ],
      });
      const tok = (await links(s.id)).get(people.cora!.id)!;
      const g = await pub('GET', `/api/v1/survey-responses/${tok}`);
      assert.equal(g.status, 200, JSON.stringify(g.body));
      assert.deepEqual(g.body.progress, { answered: 0, total: 2 });
      const bad = await pub('PUT', `/api/v1/survey-responses/${tok}`, { answers: { q_nps: 11 } });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errors[0].path, 'answers.q_nps');
      const unknown = await pub('PUT', `/api/v1/survey-responses/${tok}`, { answers: { q_nope: 1 } });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.errors[0].path, 'answers.q_nope');
      const saved = await pub('PUT', `/api/v1/survey-responses/${tok}`, { answers: { q_nps: 3 } });
      assert.equal(saved.status, 200);
      assert.deepEqual(saved.body.progress, { answered: 1, total: 3 });
      const resumed = await pub('GET', `/api/v1/survey-responses/${tok}`);
      assert.deepEqual(resumed.body.answers, { q_nps: 3 });
      // The follow-up shown by the low score is required.
      const missing = await pub('POST', `/api/v1/survey-responses/${tok}/submit`);
      assert.equal(missing.status, 400);
      assert.deepEqual(missing.body.errors.map((e: { path: string }) => e.path), ['answers.q_low']);
      assert.equal((await rows('survey_responses')).filter((r) => r.survey_id === s.id).length, 0);
      const ok = await pub('POST', `/api/v1/survey-responses/${tok}/submit`, { answers: { q_low: 'Slow support', q_use: ['app', 'web'] } });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      const again = await pub('POST', `/api/v1/survey-responses/${tok}/submit`, { answers: { q_low: 'x' } });
      assert.equal(again.status, 410);
      assert.equal(again.body.code, 'already_submitted');
      assert.equal((await pub('GET', `/api/v1/survey-responses/${tok}`)).status, 410);
      const resp = (await rows('survey_responses')).filter((r) => r.survey_id === s.id);
      assert.equal(resp.length, 1);
      assert.equal(resp[0]!.person_id, people.cora!.id);
      assert.equal(resp[0]!.account_tier, 'gold');
      const answers = (await rows('survey_answers')).filter((r) => r.response_id === resp[0]!.id);
      assert.deepEqual(answers.map((a) => [a.question_id, a.value_num, a.value_text, a.comment]).sort(), [['q_low', null, null, 'Slow support'], ['q_nps', 3, null, null], ['q_use', null, 'app', null], ['q_use', null, 'web', null]].sort());
      assert.equal((await call('GET', `/api/v1/surveys/${s.id}`)).body.responses, 1);
    });

    test('an anonymous response stores no person, no invitation id, a random id and the day only', async () => {
      const s = await openSurvey({ title: 'Anon', kind: 'enps', privacy: 'anonymous', audience: { kinds: ['employee'] }, questions: [{ id: 'q_enps', type: 'likelihood', text: 'Recommend?' }] });
      const l = await links(s.id);
      const inv = (await rows('survey_invitations')).filter((r) => r.survey_id === s.id);
      for (const [i, name] of ['emma', 'sam'].entries()) {
        clock.t += 61_000;
        const r = await pub('POST', `/api/v1/survey-responses/${l.get(people[name]!.id)}/submit`, { answers: { q_enps: 7 + i } });
        assert.equal(r.status, 200, JSON.stringify(r.body));
      }
      const resp = (await rows('survey_responses')).filter((r) => r.survey_id === s.id);
      assert.equal(resp.length, 2);
      const personIds = Object.values(people).map((p) => p.id);
      const invIds = inv.map((r) => String(r.id));
      for (const r of resp) {
        assert.equal(r.person_id, null);
        assert.equal(Number(r.submitted_on) % (24 * 3600 * 1000), 0);
        assert.match(String(r.id), /^rsp_[0-9a-z]{26}$/);
        // no column holds a person or an invitation
        for (const v of Object.values(r)) assert.ok(!personIds.includes(String(v)) && !invIds.includes(String(v)), `${String(v)} links a person`);
        assert.equal(r.team_id, teamSales);
      }
      const used = (await rows('survey_invitations')).filter((r) => r.survey_id === s.id && r.status === 'responded');
      assert.equal(used.length, 2);
      for (const u of used) assert.equal(u.responded_at, null);
      assert.equal((await call('GET', `/api/v1/surveys/${s.id}`)).body.responseRate, 0.667);
    });

    test('exactly one response under 20 concurrent submits of one link', async () => {
      const s = await openSurvey({ title: 'Race', kind: 'pulse', privacy: 'anonymous', audience: { people: [people.ana!.id] }, questions: [{ id: 'q_a', type: 'agreement', text: 'A' }] });
      const tok = (await links(s.id)).get(people.ana!.id)!;
      const results = await Promise.all(Array.from({ length: 20 }, () => pub('POST', `/api/v1/survey-responses/${tok}/submit`, { answers: { q_a: 4 } })));
      const codes = results.map((r) => r.status).sort();
      assert.equal(codes.filter((c) => c === 200).length, 1, codes.join(','));
      assert.equal(codes.filter((c) => c === 410).length, 19, codes.join(','));
      assert.equal((await rows('survey_responses')).filter((r) => r.survey_id === s.id).length, 1);
      assert.equal((await rows('survey_answers')).filter((r) => r.survey_id === s.id).length, 1);
    });

    test('an unknown link is 404; a closed survey 409; a survey not yet open 409; reminders reach only who has not answered', async () => {
      assert.equal((await pub('GET', `/api/v1/survey-responses/${'x'.repeat(43)}`)).status, 404);
      const later = new Date(clock.t + 2 * 24 * 3600 * 1000).toISOString();
      const future = await openSurvey({ title: 'Later', kind: 'pulse', audience: { people: [people.emma!.id] }, opensAt: later, questions: [{ id: 'q_a', type: 'agreement', text: 'A' }] });
      const ftok = (await links(future.id)).get(people.emma!.id)!;
      const nf = await pub('GET', `/api/v1/survey-responses/${ftok}`);
      assert.equal(nf.status, 409);
      assert.equal(nf.body.code, 'survey_not_open');
      const s = await openSurvey({ title: 'Closing', kind: 'pulse', audience: { kinds: ['employee'] }, questions: [{ id: 'q_a', type: 'agreement', text: 'A' }] });
      const l = await links(s.id);
      assert.equal((await pub('POST', `/api/v1/survey-responses/${l.get(people.emma!.id)}/submit`, { answers: { q_a: 5 } })).status, 200);
      const rem = await call('POST', `/api/v1/surveys/${s.id}/remind`);
      assert.equal(rem.status, 200, rem.text);
      assert.equal(rem.body.reminded, 2);
      const reminders = await links(s.id, 'survey.reminder');
      assert.deepEqual([...reminders.keys()].sort(), [people.sam!.id, people.ana!.id].sort());
      assert.equal(reminders.get(people.sam!.id), l.get(people.sam!.id), 'the reminder carries the same link');
      assert.equal((await call('POST', `/api/v1/surveys/${s.id}/close`)).body.status, 'closed');
      const closed = await pub('PUT', `/api/v1/survey-responses/${l.get(people.sam!.id)}`, { answers: { q_a: 2 } });
      assert.equal(closed.status, 409);
      assert.equal(closed.body.code, 'survey_closed');
      assert.equal((await call('POST', `/api/v1/surveys/${s.id}/remind`)).status, 409);
      assert.equal((await call('POST', `/api/v1/surveys/${s.id}/open`)).status, 409);
    });

    test('unknown links from one address are throttled (429), others are not', async () => {
      let last = 0;
      for (let i = 0; i < 31; i++) last = (await pub('GET', `/api/v1/survey-responses/${'y'.repeat(40)}${i}`, undefined, '10.9.9.9')).status;
      assert.equal(last, 429);
      assert.equal((await pub('GET', `/api/v1/survey-responses/${'y'.repeat(43)}`, undefined, '10.9.9.8')).status, 404);
    });

    test('a participant cannot manage or read surveys; another workspace sees none of them', async () => {
      const mine = (await call('GET', '/api/v1/surveys')).body.data[0];
      assert.equal((await call('POST', '/api/v1/surveys', { title: 'x', kind: 'pulse' }, people.emma!.key)).status, 403);
      assert.equal((await call('GET', '/api/v1/surveys', undefined, people.emma!.key)).status, 403);
      const manager = await ws.key('manager');
      assert.equal((await call('GET', `/api/v1/surveys/${mine.id}`, undefined, manager)).status, 200);
      assert.equal((await call('POST', `/api/v1/surveys/${mine.id}/close`, undefined, manager)).status, 403);
      assert.equal((await call('GET', `/api/v1/surveys/${mine.id}`, undefined, other.ownerKey)).status, 404);
      assert.equal((await call('PATCH', `/api/v1/surveys/${mine.id}`, { title: 'hijack' }, other.ownerKey)).status, 404);
      assert.equal((await call('GET', '/api/v1/surveys', undefined, other.ownerKey)).body.data.length, 0);
      assert.equal((await call('GET', '/api/v1/surveys')).body.data.find((s: { id: string }) => s.id === mine.id).title, mine.title);
    });

    test("another workspace's owner gets 404 from every action on a survey, and nothing changes", async () => {
      const draft = (await call('POST', '/api/v1/surveys', { template: 'enps-pulse', audience: { people: [people.sam!.id] } })).body;
      const before = await call('GET', `/api/v1/surveys/${draft.id}`);
      for (const [method, path, body] of [
        ['PUT', 'questions', { questions: [] }],
        ['POST', 'open', undefined],
        ['POST', 'close', undefined],
        ['POST', 'remind', undefined],
      ] as const) {
        const r = await call(method, `/api/v1/surveys/${draft.id}/${path}`, body, other.ownerKey);
        assert.equal(r.status, 404, `${method} ${path}: ${r.text}`);
      }
      assert.deepEqual((await call('GET', `/api/v1/surveys/${draft.id}`)).body, before.body);
      assert.equal((await rows('survey_invitations')).filter((r) => r.survey_id === draft.id).length, 0);
    });

    test('bad questions for a draft are 400 naming the question, and the old questions stay', async () => {
      const draft = (await call('POST', '/api/v1/surveys', { template: 'customer-nps' })).body;
      const r = await call('PUT', `/api/v1/surveys/${draft.id}/questions`, { questions: [{ id: 'q_a', type: 'multiple_choice', text: 'Pick', options: [{ value: 'x', label: 'X' }, { value: 'x', label: 'Again' }] }] });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.body.errors[0].path, 'questions.0.options');
      const after = (await call('GET', `/api/v1/surveys/${draft.id}`)).body;
      assert.deepEqual(after.questions.map((q: { id: string }) => q.id), ['q_nps', 'q_why', 'q_improve']);
      const ok = await call('PUT', `/api/v1/surveys/${draft.id}/questions`, { questions: [{ id: 'q_a', type: 'csat', text: 'Happy?' }] });
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual(ok.body.questions.map((q: { id: string; scale: unknown }) => [q.id, q.scale]), [['q_a', { min: 1, max: 5 }]]);
    });

    test('a draft tells how many people opening it would invite, and opening invites exactly those; managers 403, another workspace 404, a bad id 400', async () => {
      const draft = (await call('POST', '/api/v1/surveys', { template: 'enps-pulse', audience: { kinds: ['employee'], teams: [teamSales] } })).body;
      const size = await call('GET', `/api/v1/surveys/${draft.id}/audience`);
      assert.equal(size.status, 200, size.text);
      assert.deepEqual(size.body, { people: 3 });
      assert.deepEqual((await call('GET', `/api/v1/surveys/${draft.id}/audience`, undefined, await ws.key('manager'))).status, 403);
      assert.equal((await call('GET', `/api/v1/surveys/${draft.id}/audience`, undefined, other.ownerKey)).status, 404);
      const bad = await call('GET', '/api/v1/surveys/srv_nope/audience');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errors[0].path, 'params.id');
      assert.deepEqual((await call('GET', `/api/v1/surveys/${(await call('POST', '/api/v1/surveys', { template: 'enps-pulse', audience: { kinds: ['partner'] } })).body.id}/audience`)).body, { people: 0 });
      assert.equal((await call('POST', `/api/v1/surveys/${draft.id}/open`)).body.invited, size.body.people);
    });
  });
}
