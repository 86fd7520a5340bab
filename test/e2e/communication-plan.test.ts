import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, ownerRequest, runWorker } from '../support/app.js';
import { ensureWebBuilt, openBrowser, signIn, journeySteps, type BrowserSession } from '../support/browser.js';

describe('journey: a program manager plans the program’s messages and watches its cadence', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let b: BrowserSession;
  let programId = '';
  const people: string[] = [];
  const call = (method: string, url: string, body?: unknown) => ownerRequest(server, method, url, body);
  /** What `serve` does in the background: the worker runs the plans and delivers the outbox. */
  const deliver = () => runWorker(server);

  before(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    for (const [i, name] of ['Dana Doe', 'Eli Roe', 'Fay Poe', 'Gus Low'].entries()) people.push((await call('POST', '/api/v1/people', { kind: 'employee', externalId: `E-${i}`, name, email: `p${i}@browser.test` })).body.id);
    const program = await call('POST', '/api/v1/programs', {
      name: 'Customer Heroes',
      audience: { kinds: ['employee'] },
      budget: 50000,
      endsAt: new Date(Date.now() + 60 * 86400_000).toISOString(),
      rules: [{ name: 'Ticket resolved', on: 'ticket.resolved', award: { points: 50 } }],
    });
    programId = program.body.id;
    assert.equal((await call('POST', `/api/v1/programs/${programId}/activate`)).body.status, 'active');
    // Two of four hear from the program (points earned).
    for (const id of people.slice(0, 2)) assert.equal((await call('POST', '/api/v1/events', { id: `T-${id}`, type: 'ticket.resolved', occurredAt: new Date(Date.now() - 60_000).toISOString(), personId: id })).status, 201);
    await deliver();
    b = await openBrowser(server.url);
    await signIn(b.page, server.adminEmail, server.adminPassword);
  });
  after(async () => {
    await b?.close();
    await server?.close();
  });
  const step = journeySteps(() => b, import.meta.filename);

  step('the Communication tab shows the cadence under target and who was not reached', async () => {
    const { page } = b;
    await page.goto(`/programs/${programId}`);
    await page.getByRole('tab', { name: 'Communication' }).click();
    await page.getByRole('heading', { name: 'Cadence' }).waitFor();
    assert.equal(await page.getByTestId('cadence-share').textContent(), '50%');
    await page.getByText('Below target').waitFor();
    await page.getByRole('cell', { name: 'Fay Poe' }).waitFor();
    await page.getByRole('cell', { name: 'Gus Low' }).waitFor();
    await page.getByText('No messages planned yet.').waitFor();
    await b.screenshot('communication-plan--empty');
  });

  step('adding a weekly progress statement: the cron helper shows the next runs, a bad cron is named', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Add message' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a message to the plan' });
    await dialog.getByTestId('cron-next-runs').getByText(/Next runs \(UTC\): Monday/).waitFor();
    const cron = dialog.getByRole('textbox', { name: 'Cron expression' });
    await cron.fill('61 9 * * *');
    await dialog.getByText(/Invalid value for minute/).waitFor();
    await cron.fill('0 9 * * MON');
    await dialog.getByTestId('cron-next-runs').waitFor();
    await b.screenshot('communication-plan--editor');
    await dialog.getByRole('button', { name: 'Add to the plan' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const card = page.getByRole('region', { name: 'Plan entry Progress statement' });
    await card.getByText('Scheduled').waitFor();
    await card.getByText(/^Next: Monday/).waitFor();
    await card.getByText('Every Monday at 09:00 (UTC)').waitFor();
  });

  step('editing the statement: the form opens with its schedule, and a new preset reads in words', async () => {
    const { page } = b;
    const card = page.getByRole('region', { name: 'Plan entry Progress statement' });
    await card.getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit the message (progress statement)' });
    const cron = dialog.getByRole('textbox', { name: 'Cron expression' });
    assert.equal(await cron.inputValue(), '0 9 * * MON');
    await cron.fill('30 8 * * MON-FRI');
    await dialog.getByTestId('cron-next-runs').getByText(/08:30/).waitFor();
    await b.screenshot('communication-plan--edit');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await card.getByText('Every weekday at 08:30 (UTC)').waitFor();
  });

  step('a custom announcement sent now reaches everyone, and the cadence is back on target', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Add message' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a message to the plan' });
    await dialog.getByLabel('Message', { exact: true }).click();
    await page.getByRole('option', { name: 'Custom announcement' }).click();
    await dialog.getByText('Send once', { exact: true }).click();
    // Thirty days ahead, at 10:00 (the browser runs in UTC, like the workspace).
    await dialog.getByLabel('Send at').fill(`${new Date(Date.now() + 30 * 86400_000).toISOString().slice(0, 10)}T10:00`);
    await dialog.getByRole('textbox', { name: 'Subject' }).fill('Double points on Friday, {{personName}}');
    await dialog.getByRole('textbox', { name: 'Text' }).fill('Every ticket resolved this Friday counts twice in {{programName}}.');
    await dialog.getByRole('button', { name: 'Add to the plan' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const card = page.getByRole('region', { name: 'Plan entry Announcement' });
    await card.getByRole('button', { name: 'Send now' }).click();
    const confirm = page.getByRole('dialog', { name: /Send “Announcement” now/ });
    await confirm.getByRole('button', { name: 'Send now' }).click();
    await confirm.getByText('Sent to 4 participants.', { exact: false }).waitFor();
    await confirm.getByRole('button', { name: 'Done' }).click();
    await deliver();
    await page.reload();
    await page.getByRole('heading', { name: 'Cadence' }).waitFor();
    assert.equal(await page.getByTestId('cadence-share').textContent(), '100%');
    await page.getByText('On target').waitFor();
    const announcement = page.getByRole('region', { name: 'Plan entry Announcement' });
    await announcement.getByText(/Last sent .* to 4 participants/).waitFor();
    await announcement.getByText('Scheduled').waitFor(); // the one-off time still comes
    await b.screenshot('communication-plan--sent');
    const inbox = await call('GET', `/api/v1/programs/${programId}/cadence`);
    assert.equal(inbox.body.reached, 4);
  });
});
