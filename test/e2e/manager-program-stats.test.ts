import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { systemContext } from '../../src/core/auth.js';
import { startTestServer, ownerRequest } from '../support/app.js';
import { ensureWebBuilt, openBrowser, signIn, journeySteps, type BrowserSession } from '../support/browser.js';

describe('journey: a manager reads a program’s activity for their teams only', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let b: BrowserSession;
  let programId = '';
  const email = 'mona@browser.test';
  const password = 'mona-manager-password';
  const analystEmail = 'ann@browser.test';
  const call = (method: string, url: string, body?: unknown) => ownerRequest(server, method, url, body);

  before(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    const monaId = (await call('POST', '/api/v1/people', { kind: 'employee', externalId: 'M-1', name: 'Mona Manager' })).body.id;
    const east = (await call('POST', '/api/v1/teams', { name: 'East', externalId: 'T-EAST', managerId: monaId })).body.id;
    const west = (await call('POST', '/api/v1/teams', { name: 'West', externalId: 'T-WEST' })).body.id;
    const ids: string[] = [];
    for (const [i, team] of [east, east, west].entries()) ids.push((await call('POST', '/api/v1/people', { kind: 'employee', externalId: `E-${i}`, name: `Person ${i}`, teamId: team })).body.id);
    programId = (await call('POST', '/api/v1/programs', { name: 'Support heroes', audience: { kinds: ['employee'] }, budget: 10_000, rules: [{ name: 'Ticket', on: 'ticket.resolved', award: { points: 25 } }] })).body.id;
    assert.equal((await call('POST', `/api/v1/programs/${programId}/activate`)).body.status, 'active');
    const goal = await call('POST', '/api/v1/goals', { programId, name: 'Tickets resolved', metric: { on: 'ticket.resolved', aggregate: 'count' }, period: 'program', target: 2, tiers: [{ percent: 100, points: 10 }] });
    assert.equal(goal.status, 201);
    const at = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
    // East: 2 tickets and 1 ticket (75 points), and Person 0 reaches the goal (10 more); West: 4
    // tickets (100 points and a tier), which Mona must not see.
    const events = [[0, 5], [0, 4], [1, 3], [2, 5], [2, 4], [2, 3], [2, 2]].map(([who, h], n) => ({ id: `t-${n}`, type: 'ticket.resolved', occurredAt: at(h!), personId: ids[who!] }));
    assert.equal((await call('POST', '/api/v1/events', { events })).body.summary.accepted, 7);
    await server.services.access.createUser(systemContext(server.workspaceId), { email, name: 'Mona Manager', role: 'manager', personId: monaId, password });
    await server.services.access.createUser(systemContext(server.workspaceId), { email: analystEmail, name: 'Ann Analyst', role: 'analyst', personId: null, password });
    b = await openBrowser(server.url);
    await signIn(b.page, email, password);
  });
  after(async () => {
    await b?.close();
    await server?.close();
  });
  const step = journeySteps(() => b, import.meta.filename);

  step('the program’s activity counts East’s people only, and says so', async () => {
    const { page } = b;
    await page.goto(`/programs/${programId}`);
    await page.getByRole('heading', { name: 'Support heroes' }).waitFor();
    const note = page.getByTestId('stats-narrowed');
    await note.getByText(/cover the 2 people in the team you manage/).waitFor();
    const stat = (label: string) => page.getByText(label, { exact: true }).locator('..');
    assert.match(await stat('points awarded').innerText(), /\b85\b[\s\S]*4 awards/);
    assert.match(await stat('Earners').innerText(), /\b2\b/);
    // The goal lists East's two people only: Person 0 (2 of 2) and Person 1 (1 of 2).
    const goal = page.getByRole('region', { name: 'Goal Tickets resolved' });
    const rows = goal.getByRole('table', { name: 'Progress on Tickets resolved' }).getByRole('row');
    await rows.filter({ hasText: 'Person 0' }).waitFor();
    await rows.filter({ hasText: 'Person 1' }).waitFor();
    assert.equal(await rows.filter({ hasText: 'Person 2' }).count(), 0);
    assert.equal(await page.getByText('Top earners since', { exact: false }).count(), 0);
    await page.getByRole('img', { name: /85 points awarded since/ }).waitFor();
    await b.screenshot('manager-program-activity');
  });

  step('an analyst reads the goal’s figures, not each person’s progress', async () => {
    const { page, context } = b;
    await context.clearCookies();
    await signIn(page, analystEmail, password);
    await page.goto(`/programs/${programId}`);
    const goal = page.getByRole('region', { name: 'Goal Tickets resolved' });
    await goal.getByText('Your role sees the figures above, not each person\'s progress.').waitFor();
    const stat = (label: string) => goal.getByText(label, { exact: true }).locator('..');
    // Everyone: Person 0 (2 of 2), Person 1 (1 of 2), Person 2 (4 of 2).
    assert.match(await stat('People').innerText(), /\b3\b/);
    assert.match(await stat('Reached 100%').innerText(), /\b2\b/);
    assert.equal(await goal.getByRole('table').count(), 0);
    await b.screenshot('analyst-goal-summary');
  });
});
