import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, ownerRequest, runWorker, sentEmails } from '../support/app.js';
import { ensureWebBuilt, openBrowser, selectOption, signIn, journeySteps, type BrowserSession } from '../support/browser.js';

// Issue #7's event triggers and customer score, in the web app: a CX lead sets a CSAT survey to
// go out after each resolved ticket, a ticket comes in from the helpdesk, the contact answers,
// and the account's engagement card shows the answer.
describe('journey: a CX lead sends a CSAT after each resolved ticket; the contact answers; the account shows its engagement', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let b: BrowserSession & { consoleErrors: string[] };
  let surveyId = '';
  let accountId = '';
  const call = (method: string, url: string, body?: unknown) => ownerRequest(server, method, url, body);

  before(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    const acc = await call('POST', '/api/v1/accounts', { externalId: 'GM', kind: 'customer', name: 'Golden Motors', tier: 'gold' });
    assert.equal(acc.status, 201, JSON.stringify(acc.body));
    accountId = acc.body.id;
    assert.equal((await call('POST', '/api/v1/people', { kind: 'employee', externalId: 'emma', name: 'Emma Support', email: 'emma@helpdesk.test' })).status, 201);
    assert.equal((await call('POST', '/api/v1/people', { kind: 'customer', externalId: 'cora', name: 'Cora Contact', email: 'cora@golden.test', accountId })).status, 201);
    const s = await call('POST', '/api/v1/surveys', { template: 'support-csat', audience: { kinds: [] } });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    surveyId = s.body.id;
    b = await openBrowser(server.url);
  });
  after(async () => {
    await b?.close();
    await server?.close();
  });
  const step = journeySteps(() => b, import.meta.filename);

  step('in the builder, the CX lead adds a trigger: after an urgent ticket.resolved, invite the contact the ticket names', async () => {
    const { page } = b;
    await signIn(page, server.adminEmail, server.adminPassword);
    await page.goto(`/admin/surveys/${surveyId}`);
    const card = page.getByRole('region', { name: 'Sent after events' });
    await card.getByText(/No triggers yet/).waitFor();
    await selectOption(card, 'After this event', 'ticket.resolved', 'ticket');
    await selectOption(card, 'Invite', 'A person named in a property');
    await selectOption(card, 'Invite: property', 'contactExternalId');
    await selectOption(card, 'Handled by', 'The event’s person');
    await card.getByRole('textbox', { name: 'Wait' }).fill('0');
    await card.getByRole('button', { name: 'Add condition' }).click();
    const cond = card.getByRole('group', { name: 'Trigger condition 1' });
    await selectOption(cond, 'Fact', 'priority (choice)');
    await selectOption(cond, 'Value', 'urgent');
    await card.getByRole('button', { name: 'Add trigger' }).click();
    const row = card.getByRole('table', { name: 'Triggers' }).getByRole('row').nth(1);
    await row.getByText('ticket.resolved').waitFor();
    await row.getByText('the person in “contactExternalId”').waitFor();
    await row.getByText('once in 30 days').waitFor();
    await row.getByText(/^only when .*priority.*urgent/).waitFor();
    const list = (await call('GET', `/api/v1/surveys/${surveyId}/triggers`)).body.data;
    assert.deepEqual(list.map((t: Record<string, unknown>) => [t.on, t.sendTo, t.handledBy, t.delayMinutes, t.oncePerDays, t.if]), [['ticket.resolved', { property: 'contactExternalId' }, 'person', 0, 30, { all: [{ fact: 'event.properties.priority', op: 'eq', value: 'urgent' }] }]]);
    // The form is cleared, conditions too.
    assert.equal(await card.getByRole('group', { name: 'Trigger condition 1' }).count(), 0);
    // The form is ready for the next one.
    assert.equal(await card.getByRole('button', { name: 'Add trigger' }).isDisabled(), true);
    await b.screenshot('survey-triggers-builder');
  });

  step('a low-priority ticket sends nothing; an urgent one invites the contact; she answers; the trigger counts one sent', async () => {
    const { page } = b;
    assert.equal((await call('POST', `/api/v1/surveys/${surveyId}/open`)).status, 200);
    const ticket = (id: string, priority: string) => call('POST', '/api/v1/events', { id, source: 'helpdesk', type: 'ticket.resolved', personExternalId: 'emma', accountExternalId: 'GM', occurredAt: new Date(Date.now() - 60_000).toISOString(), properties: { ticketId: id, contactExternalId: 'cora', priority } });
    const low = await ticket('T-99', 'low');
    assert.equal(low.status, 201, JSON.stringify(low.body));
    await runWorker(server);
    assert.deepEqual(await sentEmails(server, 'survey.invitation'), [], 'the condition holds back a low-priority ticket');
    const ev = await ticket('T-100', 'urgent');
    assert.equal(ev.status, 201, JSON.stringify(ev.body));
    await runWorker(server);
    const mail = await sentEmails(server, 'survey.invitation');
    assert.deepEqual(mail.map((m) => m.to_address), ['cora@golden.test']);
    const token = /\/s\/([A-Za-z0-9_-]+)/.exec(mail[0]!.text)![1]!;
    const answered = await call('POST', `/api/v1/survey-responses/${token}/submit`, { answers: { q_csat: 5, q_resolved: 'yes' } });
    assert.equal(answered.status, 200, JSON.stringify(answered.body));
    await page.reload();
    const row = page.getByRole('region', { name: 'Sent after events' }).getByRole('table', { name: 'Triggers' }).getByRole('row').nth(1);
    assert.equal((await row.getByRole('cell').nth(5).textContent())?.trim(), '1');
  });

  step('the account page shows the customer engagement score with the CSAT answer and the ticket', async () => {
    const { page } = b;
    await page.goto(`/accounts/${accountId}`);
    const card = page.getByRole('region', { name: 'Customer engagement' });
    await card.getByText('From 1 survey answer · CSAT 100 %').waitFor();
    await card.getByText(/^Last activity /).waitFor();
    const api = (await call('GET', `/api/v1/accounts/${accountId}/engagement`)).body;
    assert.equal((await card.getByLabel('Engagement score').textContent())?.trim(), String(Math.round(api.score)));
    assert.equal(api.inputs.csat, 100);
    await b.screenshot('account-engagement');
  });

  step('removing the trigger asks first, then the list is empty', async () => {
    const { page } = b;
    await page.goto(`/admin/surveys/${surveyId}`);
    const card = page.getByRole('region', { name: 'Sent after events' });
    await card.getByRole('button', { name: 'Remove the trigger on ticket.resolved' }).click();
    await page.getByRole('dialog', { name: 'Remove this trigger?' }).getByRole('button', { name: 'Remove trigger' }).click();
    await card.getByText(/No triggers yet/).waitFor();
    assert.deepEqual((await call('GET', `/api/v1/surveys/${surveyId}/triggers`)).body.data, []);
    // The sign-in page's session check answers 401 before signing in; nothing else failed.
    assert.deepEqual(b.consoleErrors.filter((e) => !/status of 401/.test(e)), []);
  });
});
