import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { systemContext } from '../../src/core/auth.js';
import { startTestServer, ownerRequest } from '../support/app.js';
import { ensureWebBuilt, field, openBrowser, selectOption, signIn, journeySteps, type BrowserSession } from '../support/browser.js';

const DAY = 86_400_000;

describe('journey: build a program, simulate it, launch it, earn from it', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let b: BrowserSession;
  let patId = '';
  let programId = '';
  const patEmail = 'pat@browser.test';
  const patPassword = 'pat-participant-password';
  const call = (method: string, url: string, body?: unknown) => ownerRequest(server, method, url, body);
  const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

  before(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    const team = (await call('POST', '/api/v1/teams', { name: 'Support', externalId: 'T-SUP' })).body;
    patId = (await call('POST', '/api/v1/people', { kind: 'employee', externalId: 'E-100', name: 'Pat Participant', teamId: team.id })).body.id;
    const samId = (await call('POST', '/api/v1/people', { kind: 'employee', externalId: 'E-101', name: 'Sam Second', teamId: team.id })).body.id;
    // History for the simulation: no program is live yet, so these earn nothing.
    const training = (id: string, personId: string, days: number, score: number) => ({ id, source: 'lms', type: 'training.completed', occurredAt: ago(days), personId, properties: { course: 'Onboarding', score } });
    const sent = await call('POST', '/api/v1/events', {
      events: [training('h-1', patId, 10, 90), training('h-2', patId, 20, 95), training('h-3', patId, 40, 70), training('h-4', samId, 15, 85)],
    });
    assert.equal(sent.body.summary.accepted, 4);
    // A participant user linked to Pat.
    await server.services.access.createUser(systemContext(server.workspaceId), { email: patEmail, name: 'Pat Participant', role: 'participant', personId: patId, password: patPassword });
    b = await openBrowser(server.url);
    await signIn(b.page, server.adminEmail, server.adminPassword);
  });
  after(async () => {
    await b?.close();
    await server?.close();
  });
  const step = journeySteps(() => b, import.meta.filename);
  const rule = () => b.page.getByRole('region', { name: 'Rule 1' });
  const condition = () => rule().getByRole('group', { name: 'Condition 1' });

  step('opens Programs from the navigation: none yet', async () => {
    const { page } = b;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Programs' }).click();
    await page.getByRole('heading', { name: 'Programs' }).waitFor();
    await page.getByRole('table', { name: 'Programs' }).getByText('No programs yet').waitFor();
  });

  step('builds a rule with the form; an empty value is flagged before anything is sent', async () => {
    const { page } = b;
    await page.getByRole('link', { name: 'New program' }).click();
    await page.getByRole('heading', { name: 'New program' }).waitFor();
    await field(page, 'Program name').fill('Learning rewards');
    await field(page, 'Description').fill('Points for courses passed with a good score.');
    await selectOption(page, 'Kinds of people', 'Employees');
    await page.keyboard.press('Escape');
    await field(page, 'Budget (points)').fill('10000');

    await page.getByRole('button', { name: 'Add rule' }).click();
    await field(rule(), 'Rule name').fill('Course completed');
    await selectOption(rule(), 'When this event happens', 'training.completed');
    await rule().getByRole('button', { name: 'Add condition' }).click();
    await selectOption(condition(), 'Fact', 'score (number)');
    await selectOption(condition(), 'Operator', 'is at least');
    await field(rule(), 'Points').fill('50');
    await rule().getByLabel('Limit what each recipient earns from this rule').check({ force: true });
    await field(rule(), 'At most (times)').fill('2');
    await rule().getByText(/score is at least \(no value yet\)/).waitFor();

    await page.getByRole('button', { name: 'Save as draft' }).click();
    await page.getByRole('alert').filter({ hasText: 'Not saved yet' }).getByText('Rule 1 “Course completed” › condition 1 › value').waitFor();
    await condition().getByText('Enter a value').waitFor();
    assert.equal(await field(condition(), 'Value').getAttribute('aria-invalid'), 'true');
    await field(condition(), 'Value').fill('80');
    await condition().getByText('Enter a value').waitFor({ state: 'detached' });
    assert.equal((await call('GET', '/api/v1/programs')).body.data.length, 0);
  });

  step('the JSON view follows the form, edits flow back, and invalid JSON is flagged', async () => {
    const { page } = b;
    await page.getByText('JSON', { exact: true }).click();
    const json = field(page, 'Program as JSON');
    const text = await json.inputValue();
    const body = JSON.parse(text);
    assert.equal(body.name, 'Learning rewards');
    assert.deepEqual(body.audience, { kinds: ['employee'] });
    assert.deepEqual(body.rules[0].if, { all: [{ fact: 'event.properties.score', op: 'gte', value: 80 }] });
    assert.deepEqual(body.rules[0].award, { points: 50 });
    assert.deepEqual(body.rules[0].cap, { times: 2, per: 'month' });

    await json.fill(`${text}}`);
    await page.getByText(/Not valid JSON/).first().waitFor();
    assert.equal(await page.getByRole('button', { name: 'Save as draft' }).isDisabled(), true);

    // A bigger budget, and a fact training.completed does not have (only the API knows the rest).
    body.budget = 12000;
    body.rules[0].if.all[0].fact = 'event.properties.grade';
    await json.fill(JSON.stringify(body, null, 2));
    await page.getByText(/Not valid JSON/).first().waitFor({ state: 'detached' });
    await page.getByText('Form', { exact: true }).click();
    assert.equal(await field(page, 'Budget (points)').inputValue(), '12,000');
    assert.equal(await field(condition(), 'Value').inputValue(), '80');
  });

  step('the API’s validation error lands on the condition’s fact', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Save as draft' }).click();
    const summary = page.getByRole('alert').filter({ hasText: 'The program was not saved' });
    await summary.getByText('Rule 1 “Course completed” › condition 1 › fact').waitFor();
    await condition().getByText('the event type has no property grade: event.properties.grade').waitFor();
    assert.equal(await field(condition(), 'Fact').getAttribute('aria-invalid'), 'true');
    assert.equal((await call('GET', '/api/v1/programs')).body.data.length, 0);

    await selectOption(condition(), 'Fact', 'score (number)');
    await field(condition(), 'Value').fill('80');
    await condition().getByText(/has no property grade/).waitFor({ state: 'detached' });
    await summary.waitFor({ state: 'detached' });
  });

  step('saves the draft and opens its page', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Save as draft' }).click();
    await page.waitForURL(/\/programs\/prg_[0-9a-z]{26}$/);
    programId = page.url().split('/').pop()!;
    await page.getByRole('heading', { name: 'Learning rewards' }).waitFor();
    assert.equal(await page.getByTestId('program-status').innerText(), 'DRAFT');
    const saved = (await call('GET', `/api/v1/programs/${programId}`)).body;
    assert.equal(saved.status, 'draft');
    assert.equal(saved.budget, 12000);
    assert.equal(saved.rules[0].id, 'course-completed');
  });

  step('simulates the last 90 days and shows the report', async () => {
    const { page } = b;
    await page.getByRole('tab', { name: 'Simulate' }).click();
    await page.getByRole('button', { name: 'Run simulation' }).click();
    const report = page.getByRole('region', { name: 'Simulation report' });
    await report.waitFor();
    // Three events score 80 or more (Pat twice, Sam once); the 70 does not count.
    await report.getByText('4 events from').waitFor();
    const stat = (label: string) => report.getByText(label, { exact: true }).locator('..');
    assert.match(await stat('points awarded').innerText(), /150/);
    assert.match(await stat('Cost').innerText(), /\$1\.50/);
    assert.match(await stat('Earners').innerText(), /\b2\b/);
    assert.match(await stat('Budget used').innerText(), /1\.3%/);
    const byRule = report.getByRole('table', { name: 'Simulation by rule' }).getByRole('row', { name: /Course completed/ });
    assert.match(await byRule.innerText(), /3\s+150/);
    const top = report.getByRole('table', { name: 'Top earners' });
    await top.getByRole('row', { name: /Pat Participant\s+100/ }).waitFor();
    await top.getByRole('row', { name: /Sam Second\s+50/ }).waitFor();
    await report.getByRole('img', { name: /Budget burn by week/ }).waitFor();
  });

  step('adds a goal with tiers from the program page; the API’s errors land on the fields', async () => {
    const { page } = b;
    await page.getByRole('tab', { name: 'Overview' }).click();
    await page.getByRole('button', { name: 'New goal' }).click();
    const form = page.getByRole('form', { name: 'New goal' });
    await selectOption(form, 'Counts events of type', 'training.completed');
    await form.getByRole('button', { name: 'Add condition' }).click();
    const cond = form.getByRole('group', { name: 'Goal condition 1' });
    await selectOption(cond, 'Fact', 'score (number)');
    await selectOption(cond, 'Operator', 'is at least');
    await field(cond, 'Value').fill('70');
    await selectOption(form, 'Period', 'Over the whole program');
    await field(form, 'Default target').fill('2');
    // The default tiers are 80% and 100%: make them 100% → 25 and 150% → 40.
    await form.getByLabel('Tier 1 percent of target').fill('100');
    await form.getByLabel('Tier 1 points').fill('25');
    await form.getByLabel('Tier 2 percent of target').fill('150');
    await form.getByLabel('Tier 2 points').fill('40');
    await form.getByRole('button', { name: 'Create goal' }).click();
    await form.getByText('give the goal a name').waitFor();
    assert.equal(await field(form, 'Goal name').getAttribute('aria-invalid'), 'true');
    assert.deepEqual((await call('GET', `/api/v1/goals?programId=${programId}`)).body.data, []);
    await field(form, 'Goal name').fill('Course count');
    await form.getByText('give the goal a name').waitFor({ state: 'detached' });
    await form.getByText('Reaching the top tier pays 65 points in all').waitFor();
    await b.screenshot('program-new-goal');
    await form.getByRole('button', { name: 'Create goal' }).click();
    await form.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'Course count' }).waitFor();
    const goals = (await call('GET', `/api/v1/goals?programId=${programId}`)).body.data;
    assert.deepEqual(
      goals.map((g: any) => [g.name, g.metric, g.period, g.scope, g.target, g.tiers]),
      [['Course count', { on: 'training.completed', if: { all: [{ fact: 'event.properties.score', op: 'gte', value: 70 }] }, aggregate: 'count' }, 'program', 'person', 2, [{ percent: 100, points: 25 }, { percent: 150, points: 40 }]]],
    );
  });

  step('the goal’s tiers show in the simulation: who reaches each tier and what it pays', async () => {
    const { page } = b;
    // Pat completed three courses (150% of 2: both tiers), Sam one (50%: none).
    await page.getByRole('tab', { name: 'Simulate' }).click();
    await page.getByRole('button', { name: /^Run (simulation|again)$/ }).click();
    const report = page.getByRole('region', { name: 'Simulation report' });
    const stat = (label: string) => report.getByText(label, { exact: true }).locator('..');
    await stat('points awarded').getByText('215').waitFor();
    assert.match(await stat('points awarded').innerText(), /150 from rules, 65 from goal tiers/);
    const tiers = report.getByRole('table', { name: 'Simulation by goal tier' });
    await tiers.getByRole('row', { name: /Course count/ }).waitFor();
    assert.match(await tiers.getByRole('row', { name: /^100% of target/ }).innerText(), /25\s+1 person\s+1\s+25\s+0/);
    assert.match(await tiers.getByRole('row', { name: /^150% of target/ }).innerText(), /40\s+1 person\s+1\s+40\s+0/);
    await b.screenshot('program-simulation-goal-tiers');
  });

  step('launches the program after confirmation', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Launch' }).click();
    const dialog = page.getByRole('dialog', { name: 'Launch Learning rewards?' });
    await dialog.getByText(/12,000 points/).waitFor();
    await dialog.getByRole('button', { name: 'Launch' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByTestId('program-status').getByText('Active').waitFor();
    assert.equal((await call('GET', `/api/v1/programs/${programId}`)).body.status, 'active');
  });

  step('an event sent through the API earns points', async () => {
    const r = await call('POST', '/api/v1/events', { id: 'live-1', source: 'lms', type: 'training.completed', occurredAt: new Date().toISOString(), personId: patId, properties: { course: 'Advanced', score: 88 } });
    assert.equal(r.body.status, 'accepted');
    assert.deepEqual(
      r.body.effects.map((e: any) => [e.programId, e.outcome, e.points]),
      [[programId, 'awarded', 50]],
    );
  });

  step('uploads quotas for the goal from a CSV file; a bad row sets none', async () => {
    const { page } = b;
    await page.reload();
    await page.getByRole('tab', { name: 'Overview' }).click();
    const card = page.getByRole('region', { name: 'Goal Course count' });
    // The page settles first, as a user sees it: the activity chart (loaded on demand) appearing
    // above the goal moves the card down, and a click aimed before that lands beside the button.
    await page.getByRole('img', { name: /awarded since/ }).waitFor();
    await card.getByRole('row', { name: /Pat Participant/ }).waitFor();
    await card.getByRole('button', { name: 'Upload quotas' }).click();
    const dialog = page.getByRole('dialog', { name: 'Quotas for Course count' });
    const file = (text: string) => ({ name: 'quotas.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
    await dialog.locator('input[type="file"]').setInputFiles(file('personExternalId,period,target\nE-100,all,5\nNOBODY,all,3\n'));
    await dialog.getByRole('button', { name: 'Upload quotas' }).click();
    await dialog.getByRole('alert').getByText(/row 2: personExternalId/).waitFor();
    await b.screenshot('goal-quotas-rejected');
    await dialog.locator('input[type="file"]').setInputFiles(file('personExternalId,period,target\nE-100,all,5\n'));
    await dialog.getByRole('button', { name: 'Upload quotas' }).click();
    await dialog.getByRole('status').getByText('1 quota set').waitFor();
    await dialog.getByRole('button', { name: 'Done' }).click();
    await card.getByText('Counted over the whole life of the program.').waitFor();
    // Pat has one course since the launch: 1 of 5.
    await card.getByRole('table', { name: 'Progress on Course count' }).getByRole('row', { name: /Pat Participant\s+1\s+of 5/ }).waitFor();
    const progress = (await call('GET', `/api/v1/goals/${(await call('GET', `/api/v1/goals?programId=${programId}`)).body.data[0].id}/progress?subjectId=${patId}`)).body;
    assert.deepEqual([progress.subjects[0].value, progress.subjects[0].target], [1, 5]);
    await b.screenshot('goal-quotas-set');
  });

  step('awards points to several people from a CSV file, with a reason; a bad row pays nobody', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Award points (CSV)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Award points from Learning rewards' });
    const file = (text: string) => ({ name: 'awards.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
    await field(dialog, 'Reason').fill('Mentoring week');
    await dialog.locator('input[type="file"]').setInputFiles(file('personExternalId,points\nE-101,30\nE-999,10\n'));
    await dialog.getByRole('button', { name: 'Award points' }).click();
    await dialog.getByRole('alert').getByText(/row 2: personExternalId/).waitFor();
    await dialog.locator('input[type="file"]').setInputFiles(file('personExternalId,points\nE-101,30\n'));
    await dialog.getByRole('button', { name: 'Award points' }).click();
    await dialog.getByRole('status').getByText('30 points to 1 person.').waitFor();
    await b.screenshot('program-bulk-award');
    await dialog.getByRole('button', { name: 'Done' }).click();
    const sam = (await call('GET', '/api/v1/people?externalId=E-101')).body.data[0];
    const history = (await call('GET', `/api/v1/people/${sam.id}/transfers`)).body.data;
    assert.deepEqual([history[0].cause, history[0].amount, history[0].reason, history[0].programId], ['bulk_award', 30, 'Mentoring week', programId]);
    assert.equal(history.length, 1, 'the bad file paid nobody');
  });

  step('the participant sees the points and why on their page', async () => {
    const { page, context } = b;
    await context.clearCookies();
    await signIn(page, patEmail, patPassword);
    await page.waitForURL(/\/me$/);
    await page.getByRole('heading', { name: 'Welcome, Pat' }).waitFor();
    assert.equal(await page.getByTestId('wallet-balance').innerText(), '50');
    const line = page.getByTestId('wallet-line').filter({ hasText: 'Course completed' });
    await line.waitFor();
    assert.match(await line.innerText(), /\+50/);
    assert.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Programs' }).count(), 0);
  });
});
