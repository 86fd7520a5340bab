import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, DIALECTS, type TestApp, type TestWorkspace } from '../../../test/support/app.js';

// Survey reports on fixed fixtures: every score is computed again here, from the answers given,
// by a plain reference implementation, and compared with the API's answer.

const tokenOf = (url: string) => url.slice(url.lastIndexOf('/s/') + 3);
const near = (actual: number | null | undefined, expected: number, what: string, tol = 0.011) => assert.ok(actual !== null && actual !== undefined && Math.abs(actual - expected) <= tol, `${what}: ${actual} ≠ ${expected}`);

/** Reference figures, written out plainly. */
const ref = {
  nps(xs: number[]) {
    const n = xs.length;
    const p = xs.filter((x) => x >= 9).length / n;
    const d = xs.filter((x) => x <= 6).length / n;
    const se = Math.sqrt((p + d - (p - d) ** 2) / n);
    const score = (p - d) * 100;
    return { score, low: Math.max(-100, score - 196 * se), high: Math.min(100, score + 196 * se) };
  },
  wilson(hits: number, n: number) {
    const z = 1.96;
    const p = hits / n;
    const denom = 1 + (z * z) / n;
    const mid = p + (z * z) / (2 * n);
    const rad = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
    return { score: 100 * p, low: (100 * (mid - rad)) / denom, high: (100 * (mid + rad)) / denom };
  },
  pearson(xs: number[], ys: number[]) {
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
    const my = ys.reduce((a, b) => a + b, 0) / ys.length;
    let num = 0;
    let dx = 0;
    let dy = 0;
    for (let i = 0; i < xs.length; i++) {
      num += (xs[i]! - mx) * (ys[i]! - my);
      dx += (xs[i]! - mx) ** 2;
      dy += (ys[i]! - my) ** 2;
    }
    return num / Math.sqrt(dx * dy);
  },
};

interface Answers {
  q_e1: number;
  q_e2: number;
  q_comp: number;
  q_auto: number;
  q_enps: number;
  q_csat: number;
  q_pick: string;
  q_text?: string;
}
/** The fixed answers of respondent i. */
const answersOf = (i: number): Answers => ({
  q_e1: 1 + ((i * 7) % 5),
  q_e2: 1 + ((i * 3) % 5),
  q_comp: 1 + ((i * 7 + (i % 2)) % 5),
  q_auto: 1 + ((i * 2) % 5),
  q_enps: (i * 5) % 11,
  q_csat: 1 + (i % 5),
  q_pick: i % 3 ? 'a' : 'b',
  ...(i % 2 ? {} : { q_text: `comment ${i}` }),
});
const QUESTIONS = [
  { id: 'q_e1', type: 'agreement', text: 'I look forward to work', driver: 'engagement' },
  { id: 'q_e2', type: 'agreement', text: 'I give extra effort', driver: 'engagement' },
  { id: 'q_comp', type: 'agreement', text: 'I am good at my job', driver: 'competence' },
  { id: 'q_auto', type: 'agreement', text: 'I decide how I work', driver: 'autonomy' },
  { id: 'q_enps', type: 'likelihood', text: 'Recommend us as an employer?' },
  { id: 'q_csat', type: 'csat', text: 'Satisfied with IT support?' },
  { id: 'q_pick', type: 'single_choice', text: 'Office or home?', options: [{ value: 'a', label: 'Office' }, { value: 'b', label: 'Home' }] },
  { id: 'q_text', type: 'text', text: 'Anything else?', required: false },
];
const index = (a: Answers) => ((a.q_e1 + a.q_e2) / 2 - 1) * 25;

for (const dialect of DIALECTS) {
  describe(`survey reports: scores, anonymity, scoping (${dialect})`, () => {
    const clock = { t: Date.parse('2026-12-14T09:00:00Z'), now: () => clock.t };
    let t: TestApp;
    let ws: TestWorkspace;
    let other: TestWorkspace;
    let managerKey = '';
    let participantKey = '';
    let analystKey = '';
    const teams: Record<string, string> = {};
    /** respondent i → team, in the order they answer */
    const plan: { team: string; i: number }[] = [];
    const call = (method: string, url: string, body?: unknown, key = ws.ownerKey) => t.call(method, url, { key, body });
    const submit = (tok: string, answers: unknown) => t.app.inject({ method: 'POST', url: `/api/v1/survey-responses/${tok}/submit`, payload: { answers } as object, remoteAddress: '10.1.1.1' });

    /** Opens a survey of the fixture's questions to every employee and has them all answer. */
    async function answeredSurvey(privacy: string, title: string, only?: (i: number) => boolean) {
      const c = await call('POST', '/api/v1/surveys', { title, kind: 'engagement', privacy, audience: { kinds: ['employee'] }, questions: QUESTIONS });
      assert.equal(c.status, 201, c.text);
      const o = await call('POST', `/api/v1/surveys/${c.body.id}/open`);
      assert.equal(o.status, 200, o.text);
      const msgs = (await t.services.db.selectFrom('outbox').selectAll().where('topic', '=', 'survey.invitation').orderBy('available_at').orderBy('id').execute()) as { payload: string }[];
      const links = new Map<string, string>();
      for (const m of msgs) {
        const p = JSON.parse(m.payload) as { personId: string; surveyId: string; vars: { surveyUrl: string } };
        if (p.surveyId === c.body.id) links.set(p.personId, tokenOf(p.vars.surveyUrl));
      }
      const given: Answers[] = [];
      for (const p of plan) {
        if (only && !only(p.i)) continue;
        const a = answersOf(p.i);
        const r = await submit(links.get(personIds[p.i]!)!, a);
        assert.equal(r.statusCode, 200, r.body);
        given.push(a);
      }
      return { id: c.body.id as string, given };
    }
    const personIds: string[] = [];

    before(async () => {
      t = await createTestApp(dialect, { clock });
      ws = await t.workspace('Acme');
      other = await t.workspace('Other Co');
      const boss = await call('POST', '/api/v1/people', { name: 'Mona Manager', externalId: 'boss', kind: 'employee' });
      for (const [name, ext] of [['Sales', 'T-S'], ['Support', 'T-P'], ['Ops', 'T-O']] as const) {
        const r = await call('POST', '/api/v1/teams', { name, externalId: ext, ...(name === 'Sales' ? { managerId: boss.body.id } : {}) });
        assert.equal(r.status, 201, r.text);
        teams[name] = r.body.id;
      }
      // Sales 12, Support 7, Ops 2 (the manager answers nothing: no team of her own).
      const sizes: [string, number][] = [['Sales', 12], ['Support', 7], ['Ops', 2]];
      let i = 0;
      for (const [team, n] of sizes) {
        for (let j = 0; j < n; j++, i++) {
          const p = await call('POST', '/api/v1/people', { name: `P${i}`, externalId: `p${i}`, kind: 'employee', teamId: teams[team] });
          assert.equal(p.status, 201, p.text);
          personIds[i] = p.body.id;
          plan.push({ team, i });
        }
      }
      managerKey = await ws.key('manager', { personId: boss.body.id });
      participantKey = await ws.key('participant', { personId: personIds[0] });
      analystKey = await ws.key('analyst');
    });
    after(async () => t.close());

    test('settings: defaults, replace, weights must sum to 1, thresholds in order, roles', async () => {
      const g = await call('GET', '/api/v1/survey-settings');
      assert.equal(g.status, 200, g.text);
      assert.deepEqual(g.body, { k: 5, commentK: 10, engagedAtOrAbove: 75, activelyDisengagedBelow: 40, customerScore: { weights: { sentiment: 0.4, recency: 0.2, frequency: 0.2, participation: 0.2 }, recencyHalfLifeDays: 30, frequencyTargetPer90Days: 6 } });
      const bad = await call('PUT', '/api/v1/survey-settings', { ...g.body, customerScore: { ...g.body.customerScore, weights: { sentiment: 0.5, recency: 0.2, frequency: 0.2, participation: 0.2 } } });
      assert.equal(bad.status, 400, bad.text);
      assert.match(String(bad.headers['content-type']), /problem\+json/);
      assert.ok(bad.body.errors.some((e: { path: string }) => e.path === 'customerScore.weights'), bad.text);
      const order = await call('PUT', '/api/v1/survey-settings', { ...g.body, activelyDisengagedBelow: 80 });
      assert.equal(order.status, 400, order.text);
      assert.ok(order.body.errors.some((e: { path: string }) => e.path === 'activelyDisengagedBelow'), order.text);
      const low = await call('PUT', '/api/v1/survey-settings', { ...g.body, k: 1 });
      assert.equal(low.status, 400, low.text);
      assert.ok(low.body.errors.some((e: { path: string }) => e.path === 'k'), low.text);
      assert.deepEqual((await call('GET', '/api/v1/survey-settings')).body, g.body, 'nothing changed');
      assert.equal((await call('PUT', '/api/v1/survey-settings', g.body, analystKey)).status, 403);
      assert.equal((await call('GET', '/api/v1/survey-settings', undefined, participantKey)).status, 403);
      assert.equal((await call('GET', '/api/v1/survey-settings', undefined, analystKey)).status, 200);
      const changed = await call('PUT', '/api/v1/survey-settings', { ...g.body, commentK: 12, customerScore: { ...g.body.customerScore, weights: { sentiment: 0.25, recency: 0.25, frequency: 0.25, participation: 0.25 } } });
      assert.equal(changed.status, 200, changed.text);
      assert.equal(changed.body.commentK, 12);
      // Another workspace keeps its own (the defaults).
      assert.equal((await call('GET', '/api/v1/survey-settings', undefined, other.ownerKey)).body.commentK, 10);
      assert.equal((await call('PUT', '/api/v1/survey-settings', g.body)).status, 200);
    });

    test('scores on a fixed fixture match a reference computation; breakdown cells below k and their complement are suppressed', async () => {
      const { id, given } = await answeredSurvey('confidential', 'Engagement Q4');
      const r = await call('GET', `/api/v1/surveys/${id}/report`);
      assert.equal(r.status, 200, r.text);
      const b = r.body;
      assert.equal(b.responses, 21);
      assert.equal(b.invited, 22);
      assert.equal(b.suppressed, null);
      const n = ref.nps(given.map((a) => a.q_enps));
      near(b.nps.score, n.score, 'nps');
      near(b.nps.low, n.low, 'nps low');
      near(b.nps.high, n.high, 'nps high');
      assert.equal(b.nps.promoters + b.nps.passives + b.nps.detractors, 21);
      const w = ref.wilson(given.filter((a) => a.q_csat >= 4).length, 21);
      near(b.csat.score, w.score, 'csat');
      near(b.csat.low, w.low, 'csat low');
      near(b.csat.high, w.high, 'csat high');
      const idx = given.map(index);
      near(b.engagement.index, idx.reduce((x, y) => x + y, 0) / 21, 'index');
      near(b.engagement.engaged, idx.filter((x) => x >= 75).length / 21, 'engaged', 0.0002);
      near(b.engagement.activelyDisengaged, idx.filter((x) => x < 40).length / 21, 'disengaged', 0.0002);
      near(b.engagement.notEngaged, idx.filter((x) => x >= 40 && x < 75).length / 21, 'not engaged', 0.0002);
      const rc = ref.pearson(given.map((a) => a.q_comp), idx);
      const ra = ref.pearson(given.map((a) => a.q_auto), idx);
      const comp = b.drivers.find((d: { driver: string }) => d.driver === 'competence');
      const auto = b.drivers.find((d: { driver: string }) => d.driver === 'autonomy');
      near(comp.correlation, rc, 'r competence', 0.0002);
      near(auto.correlation, ra, 'r autonomy', 0.0002);
      near(comp.varianceExplained, rc * rc, 'r² competence', 0.0002);
      assert.deepEqual(b.drivers.map((d: { rank: number }) => d.rank), [1, 2]);
      assert.equal(b.drivers[0].driver, rc > ra ? 'competence' : 'autonomy');
      near(comp.mean, given.reduce((x, a) => x + a.q_comp, 0) / 21, 'competence mean', 0.001);
      near(comp.favourable, (100 * given.filter((a) => a.q_comp >= 4).length) / 21, 'competence favourable');
      const qe = b.questions.find((q: { id: string }) => q.id === 'q_enps');
      assert.deepEqual(qe.distribution.map((d: { value: number }) => d.value), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      for (const d of qe.distribution) assert.equal(d.count, given.filter((a) => a.q_enps === d.value).length, `q_enps ${d.value}`);
      near(qe.favourable, (100 * given.filter((a) => a.q_enps >= 9).length) / 21, 'enps favourable');
      const pick = b.questions.find((q: { id: string }) => q.id === 'q_pick');
      assert.deepEqual(pick.distribution, [{ value: 'a', label: 'Office', count: given.filter((a) => a.q_pick === 'a').length }, { value: 'b', label: 'Home', count: given.filter((a) => a.q_pick === 'b').length }]);
      // Comments: 21 ≥ 10, shown without any person (confidential).
      assert.equal(b.comments.suppressed, null);
      assert.equal(b.comments.count, given.filter((a) => a.q_text).length);
      assert.ok(b.comments.items.every((c: { person: unknown }) => c.person === null));
      assert.deepEqual(b.comments.items.map((c: { text: string }) => c.text).sort(), given.filter((a) => a.q_text).map((a) => a.q_text).sort());
      assert.equal(b.responsesOverTime.at(-1).cumulative, 21);
      assert.equal(b.waves.at(-1).surveyId, id);

      // By team: Ops (2) is below k; Support (7) would be total − Sales − Ops, so it goes too.
      const bt = await call('GET', `/api/v1/surveys/${id}/report?breakdown=team`);
      assert.equal(bt.status, 200, bt.text);
      const cells = Object.fromEntries(bt.body.breakdown.cells.map((c: { label: string }) => [c.label, c]));
      assert.equal(cells.Sales.responses, 12);
      assert.equal(cells.Sales.suppressed, null);
      const sales = plan.filter((p) => p.team === 'Sales').map((p) => answersOf(p.i));
      const ns = ref.nps(sales.map((a) => a.q_enps));
      near(cells.Sales.nps.score, ns.score, 'sales nps');
      near(cells.Sales.engagement.index, sales.map(index).reduce((x, y) => x + y, 0) / 12, 'sales index');
      assert.deepEqual([cells.Ops.suppressed, cells.Ops.responses, cells.Ops.nps, cells.Ops.drivers], ['below_threshold', null, null, []]);
      assert.deepEqual([cells.Support.suppressed, cells.Support.responses, cells.Support.engagement], ['differencing', null, null]);
      // The same holds when Support is asked for directly.
      const sup = await call('GET', `/api/v1/surveys/${id}/report?team=${teams.Support}`);
      assert.equal(sup.status, 200, sup.text);
      assert.deepEqual([sup.body.suppressed, sup.body.responses, sup.body.nps, sup.body.questions, sup.body.comments.items], ['differencing', null, null, [], []]);
      // Sales alone: 12 ≥ 10 comments shown.
      const s2 = await call('GET', `/api/v1/surveys/${id}/report?team=${teams.Sales}`);
      assert.equal(s2.body.responses, 12);
      assert.equal(s2.body.comments.count, sales.filter((a) => a.q_text).length);
    });

    test('identified surveys show every group and comments with their person', async () => {
      const { id } = await answeredSurvey('identified', 'Named', (i) => i >= 12 && i < 19);
      const r = await call('GET', `/api/v1/surveys/${id}/report?breakdown=team`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.responses, 7);
      assert.equal(r.body.comments.suppressed, null);
      assert.ok(r.body.comments.items.length > 0);
      for (const c of r.body.comments.items) assert.match(c.person.id, /^per_/);
      assert.equal(r.body.breakdown.cells[0].responses, 7);
    });

    test('an anonymous survey while open releases its results in steps of k', async () => {
      const { id } = await answeredSurvey('anonymous', 'Pulse', (i) => i < 7);
      const r = await call('GET', `/api/v1/surveys/${id}/report`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.released, 5);
      assert.equal(r.body.responses, 5);
      const closed = await call('POST', `/api/v1/surveys/${id}/close`);
      assert.equal(closed.status, 200, closed.text);
      const after2 = await call('GET', `/api/v1/surveys/${id}/report`);
      assert.equal(after2.body.released, null);
      assert.equal(after2.body.responses, 7);
      // A second wave of the same kind: the first is listed before it, under the same filter.
      const second = await answeredSurvey('anonymous', 'Pulse 2', (i) => i < 12);
      await call('POST', `/api/v1/surveys/${second.id}/close`);
      const w = await call('GET', `/api/v1/surveys/${second.id}/report`);
      const titles = w.body.waves.map((x: { title: string }) => x.title);
      assert.deepEqual(titles.slice(-2), ['Pulse', 'Pulse 2']);
      assert.equal(w.body.waves.at(-2).responses, 7);
    });

    test('a manager sees their own team only; participants 403; other workspaces and unknown surveys 404; bad queries 400', async () => {
      const { id } = await answeredSurvey('confidential', 'Scoping', (i) => i < 12);
      const m = await call('GET', `/api/v1/surveys/${id}/report`, undefined, managerKey);
      assert.equal(m.status, 200, m.text);
      assert.equal(m.body.filter.team, teams.Sales);
      assert.equal(m.body.responses, 12);
      const mt = await call('GET', `/api/v1/surveys/${id}/report?breakdown=team`, undefined, managerKey);
      assert.deepEqual(mt.body.breakdown.cells.map((c: { value: string }) => c.value), [teams.Sales]);
      const other2 = await call('GET', `/api/v1/surveys/${id}/report?team=${teams.Support}`, undefined, managerKey);
      assert.equal(other2.status, 403, other2.text);
      assert.equal((await call('GET', `/api/v1/surveys/${id}/report`, undefined, participantKey)).status, 403);
      assert.equal((await call('GET', `/api/v1/surveys/${id}/report`, undefined, other.ownerKey)).status, 404);
      assert.equal((await call('GET', `/api/v1/surveys/srv_00000000000000000000000000/report`)).status, 404);
      for (const [qs, path] of [['tenureBand=decades', 'tenureBand'], ['breakdown=planet', 'breakdown'], ['colour=red', 'colour']] as const) {
        const r = await call('GET', `/api/v1/surveys/${id}/report?${qs}`);
        assert.equal(r.status, 400, r.text);
        assert.match(String(r.headers['content-type']), /problem\+json/);
        assert.ok(JSON.stringify(r.body.errors).includes(path), `${path}: ${r.text}`);
      }
    });
  });
}
