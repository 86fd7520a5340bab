import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createTestApp, DIALECTS, type TestApp } from '../../../test/support/app.js';
import { anonymity, DIMENSIONS, type Cell, type Dimension, type Group } from './anonymity.js';
import { respondentScores } from './scores.js';
import { DEFAULT_SURVEY_SETTINGS } from './settings.js';

// Anonymity holds (issue #7): generated populations and responses, then sequences of report
// queries with any filters and breakdowns; no answer shows a group below k, and no two shown
// groups nested one in the other differ by 1…k−1 responses. Fixed seeds; TANDEM_DEEP=1 runs more.

const DEEP = !!process.env.TANDEM_DEEP;
const TEAMS = ['tea_a', 'tea_b', 'tea_c', null];
const TENURES = ['under_1y', '1_2y', '2_5y', '5y_plus', null];
const KINDS = ['employee', 'customer', null];
const TIERS = ['gold', 'silver', null];
const VALUES: Record<Dimension, (string | null)[]> = { team_id: TEAMS, tenure_band: TENURES, person_kind: KINDS, account_tier: TIERS };

type Person = Record<Dimension, string | null> & { e: number; x: number; nps: number; text: boolean };
const person = fc.record({
  team_id: fc.constantFrom(...TEAMS),
  tenure_band: fc.constantFrom(...TENURES),
  person_kind: fc.constantFrom(...KINDS),
  account_tier: fc.constantFrom(...TIERS),
  e: fc.integer({ min: 1, max: 5 }),
  x: fc.integer({ min: 1, max: 5 }),
  nps: fc.integer({ min: 0, max: 10 }),
  text: fc.boolean(),
});
/** Populations clustered on a few values, so that many groups sit near k. */
const population = fc.array(person, { minLength: 0, maxLength: 70 });

const members = (pop: readonly Person[], g: Group) => pop.map((p, i) => (DIMENSIONS.every((d) => g[d] === undefined || p[d] === g[d]) ? i : -1)).filter((i) => i >= 0);
const subset = (a: number[], b: Set<number>) => a.every((x) => b.has(x));

/** Every shown group against every other: at least k each; nested ones differ by 0 or at least k. */
function assertNoSmallGroup(shown: { group: Group; n: number; where: string }[], pop: readonly Person[], k: number) {
  const sets = shown.map((s) => ({ ...s, m: members(pop, s.group) }));
  for (const s of sets) {
    assert.ok(s.n >= k, `${s.where} shows ${s.n} < k=${k}`);
    assert.equal(s.n, s.m.length, `${s.where} counts ${s.n}, the population has ${s.m.length}`);
  }
  for (const a of sets) {
    for (const b of sets) {
      if (a.m.length >= b.m.length || !subset(a.m, new Set(b.m))) continue;
      const diff = b.m.length - a.m.length;
      assert.ok(diff >= k, `${a.where} (${a.m.length}) inside ${b.where} (${b.m.length}): they differ by ${diff} < k=${k}`);
    }
  }
}

const cellsOf = (pop: readonly Person[]): Cell[] => {
  const m = new Map<string, Cell>();
  for (const p of pop) {
    const values = Object.fromEntries(DIMENSIONS.map((d) => [d, p[d]])) as Cell['values'];
    const key = JSON.stringify(values);
    const c = m.get(key) ?? { values, n: 0 };
    c.n++;
    m.set(key, c);
  }
  return [...m.values()];
};

/** Every group of the lattice: any or one value (null included) per dimension. */
function allGroups(): Group[] {
  let out: Group[] = [{}];
  for (const d of DIMENSIONS) out = out.flatMap((g) => [g, ...VALUES[d].map((v) => ({ ...g, [d]: v }))]);
  return out;
}

describe('anonymity rules (pure): over every group of the lattice', () => {
  const groups = allGroups();
  test('every shown group ≥ k, nested shown groups differ by 0 or ≥ k, and every split hides 0 or ≥ k together', () => {
    fc.assert(
      fc.property(population, fc.constantFrom(3, 5), (pop, k) => {
        const a = anonymity(cellsOf(pop), k);
        const shown = groups.filter((g) => !a.suppression(g)).map((g) => ({ group: g, n: a.count(g), where: JSON.stringify(g) }));
        assertNoSmallGroup(shown, pop, k);
        for (const g of groups) {
          if (a.count(g) < k) continue;
          for (const d of DIMENSIONS) {
            if (g[d] !== undefined) continue;
            const hidden = VALUES[d].map((v) => ({ ...g, [d]: v })).filter((c) => a.suppression(c)).reduce((s, c) => s + a.count(c), 0);
            assert.ok(hidden === 0 || hidden >= k, `${JSON.stringify(g)} split by ${d} hides ${hidden} < k`);
          }
        }
      }),
      { numRuns: DEEP ? 1500 : 120, seed: 20261215 },
    );
  });

  test('a hand-made case: one small team hides the next-smallest beside it; a group one short of its parent is hidden', () => {
    const cell = (team: string, n: number, tenure: string | null = null): Cell => ({ values: { team_id: team, tenure_band: tenure, person_kind: null, account_tier: null }, n });
    const a = anonymity([cell('a', 12), cell('b', 7), cell('c', 2)], 5);
    assert.equal(a.suppression({}), null);
    assert.equal(a.suppression({ team_id: 'a' }), null);
    assert.equal(a.suppression({ team_id: 'b' }), 'differencing');
    assert.equal(a.suppression({ team_id: 'c' }), 'below_threshold');
    const b = anonymity([cell('a', 10, 'x'), cell('a', 3, 'y')], 5);
    assert.equal(b.suppression({ team_id: 'a' }), null);
    assert.equal(b.suppression({ tenure_band: 'x' }), 'differencing', 'tenure x is team a but 3');
    assert.equal(b.suppression({ tenure_band: 'x', team_id: 'a' }), 'differencing');
  });
});

for (const dialect of DIALECTS) {
  describe(`anonymity through the report API: generated populations and query sequences (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(dialect);
    });
    after(async () => t.close());

    const query = fc.record(
      {
        team: fc.constantFrom('tea_a', 'tea_b', 'tea_c'),
        tenureBand: fc.constantFrom('under_1y', '1_2y', '2_5y', '5y_plus'),
        personKind: fc.constantFrom('employee', 'customer'),
        accountTier: fc.constantFrom('gold', 'silver'),
        breakdown: fc.constantFrom('team', 'tenure_band', 'person_kind', 'account_tier'),
      },
      { requiredKeys: [] },
    );
    const FIELD: Record<string, Dimension> = { team: 'team_id', tenureBand: 'tenure_band', personKind: 'person_kind', accountTier: 'account_tier', tenure_band: 'tenure_band', person_kind: 'person_kind', account_tier: 'account_tier' };

    test('no answer, nor any two answers, reveals a group below k', async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(population, fc.constantFrom(3, 5), fc.constantFrom('anonymous', 'confidential'), fc.array(query, { minLength: 1, maxLength: 6 }), async (pop, k, privacy, queries) => {
          run++;
          const ws = await t.workspace(`Prop ${run}`);
          const settings = await t.call('PUT', '/api/v1/survey-settings', { key: ws.ownerKey, body: { ...DEFAULT_SURVEY_SETTINGS, k, commentK: 2 * k } });
          assert.equal(settings.status, 200, settings.text);
          const questions = [
            { id: 'q_e', type: 'agreement', text: 'Engaged?', driver: 'engagement' },
            { id: 'q_x', type: 'agreement', text: 'Growing?', driver: 'growth' },
            { id: 'q_n', type: 'likelihood', text: 'Recommend?' },
            { id: 'q_t', type: 'text', text: 'Why?', required: false },
          ] as const;
          const c = await t.call('POST', '/api/v1/surveys', { key: ws.ownerKey, body: { title: 'Generated', kind: 'pulse', privacy, questions } });
          assert.equal(c.status, 201, c.text);
          const sid = c.body.id as string;
          const db = t.services.db;
          await db.updateTable('surveys').set({ status: 'closed', opened_at: 1, closed_at: 2, response_count: pop.length }).where('id', '=', sid).execute();
          const qs = questions.map((q) => ({ id: q.id, type: q.type, driver: 'driver' in q ? q.driver : null }));
          const responses = pop.map((p, i) => ({
            workspace_id: ws.id, survey_id: sid, id: `rsp_${String(i).padStart(4, '0')}`, person_id: null, team_id: p.team_id, tenure_band: p.tenure_band, person_kind: p.person_kind, account_tier: p.account_tier, submitted_on: 0, released: 1,
            ...respondentScores(qs, { q_e: p.e, q_x: p.x, q_n: p.nps }, DEFAULT_SURVEY_SETTINGS),
          }));
          const answers = pop.flatMap((p, i) => [
            ...(['q_e', 'q_x', 'q_n'] as const).map((q) => ({ workspace_id: ws.id, survey_id: sid, response_id: responses[i]!.id, question_id: q, seq: 0, value_num: q === 'q_e' ? p.e : q === 'q_x' ? p.x : p.nps, value_text: null, comment: null })),
            ...(p.text ? [{ workspace_id: ws.id, survey_id: sid, response_id: responses[i]!.id, question_id: 'q_t', seq: 0, value_num: null, value_text: null, comment: `said ${i}` }] : []),
          ]);
          if (responses.length) await db.insertInto('survey_responses').values(responses).execute();
          for (let i = 0; i < answers.length; i += 200) await db.insertInto('survey_answers').values(answers.slice(i, i + 200)).execute();

          const shown: { group: Group; n: number; where: string }[] = [];
          for (const q of queries) {
            const qsText = new URLSearchParams(q as Record<string, string>).toString();
            const r = await t.call('GET', `/api/v1/surveys/${sid}/report?${qsText}`, { key: ws.ownerKey });
            assert.equal(r.status, 200, r.text);
            const g: Group = {};
            for (const [f, v] of Object.entries(q)) if (f !== 'breakdown') g[FIELD[f]!] = v;
            const b = r.body;
            if (b.responses !== null) {
              shown.push({ group: g, n: b.responses, where: `?${qsText}` });
              for (const w of b.waves) if (w.responses !== null) assert.equal(w.responses, b.responses);
            } else {
              assert.ok(b.suppressed, 'a hidden group says why');
              assert.deepEqual([b.nps, b.engagement, b.questions, b.drivers, b.comments.items], [null, null, [], [], []]);
            }
            if (b.comments.items.length) assert.ok(b.responses >= 2 * k, `comments of a group of ${b.responses}`);
            if (b.breakdown) {
              const dim = FIELD[q.breakdown!]!;
              let shownSum = 0;
              for (const cell of b.breakdown.cells) {
                if (cell.suppressed) {
                  assert.deepEqual([cell.responses, cell.nps, cell.engagement, cell.drivers], [null, null, null, []], 'a suppressed cell has no figures');
                  continue;
                }
                shownSum += cell.responses;
                shown.push({ group: { ...g, [dim]: cell.value }, n: cell.responses, where: `?${qsText} cell ${cell.value}` });
              }
              if (b.responses !== null) {
                const rest = b.responses - shownSum;
                assert.ok(rest === 0 || rest >= k, `?${qsText}: the suppressed cells hold ${rest} < k=${k} together`);
              }
            }
          }
          assertNoSmallGroup(shown, pop, k);
        }),
        { numRuns: DEEP ? 150 : 12, seed: 20261216 },
      );
    });
  });
}
