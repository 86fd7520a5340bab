import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { systemContext } from '../../src/core/auth.js';
import { startTestServer, ownerRequest, runWorker } from '../support/app.js';
import { ensureWebBuilt, openBrowser, signIn, journeySteps, type BrowserSession } from '../support/browser.js';

describe('journey: a participant earns points and reads the message in the inbox; the admin sees the mail and edits its template', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let b: BrowserSession;
  let danaId = '';
  const danaEmail = 'dana@browser.test';
  const danaPassword = 'dana-participant-password';
  const call = (method: string, url: string, body?: unknown) => ownerRequest(server, method, url, body);
  /** What `serve` does in the background: the worker delivers the outbox. */
  const deliver = () => runWorker(server);
  const bell = () => b.page.getByTestId('inbox-bell');

  before(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    danaId = (await call('POST', '/api/v1/people', { kind: 'employee', externalId: 'D-1', name: 'Dana Doe', email: danaEmail })).body.id;
    const program = (
      await call('POST', '/api/v1/programs', {
        name: 'Customer Heroes',
        audience: { kinds: ['employee'] },
        budget: 50000,
        rules: [{ name: 'Ticket resolved', on: 'ticket.resolved', award: { points: 50 } }],
      })
    ).body;
    assert.equal((await call('POST', `/api/v1/programs/${program.id}/activate`)).body.status, 'active');
    await server.services.access.createUser(systemContext(server.workspaceId), { email: danaEmail, name: 'Dana Doe', role: 'participant', personId: danaId, password: danaPassword });
    b = await openBrowser(server.url);
    await signIn(b.page, danaEmail, danaPassword);
  });
  after(async () => {
    await b?.close();
    await server?.close();
  });
  const step = journeySteps(() => b, import.meta.filename);

  step('the inbox starts empty, and the bell shows nothing unread', async () => {
    const { page } = b;
    await bell().waitFor();
    assert.equal(await bell().getAttribute('aria-label'), 'Inbox: nothing unread');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    await page.getByText('No messages yet').waitFor();
  });

  step('after earning points (an event posted with an API key), the bell counts one unread message', async () => {
    const { page } = b;
    const sent = await call('POST', '/api/v1/events', { id: 'T-1', type: 'ticket.resolved', occurredAt: new Date(Date.now() - 60_000).toISOString(), personId: danaId });
    assert.equal(sent.status, 201);
    await deliver();
    await page.reload();
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    await page.getByRole('link', { name: 'Inbox: 1 unread' }).waitFor();
    const message = page.getByTestId('inbox-message');
    await message.getByText('You earned 50 points').waitFor();
    assert.equal(await message.getAttribute('data-read'), 'false');
    await page.getByTestId('inbox-unread').getByText('1 unread message').waitFor();
    await b.screenshot('inbox-unread');
  });

  step('reading the message shows it and the unread count drops', async () => {
    const { page } = b;
    await page.getByTestId('inbox-message').getByRole('button').click();
    await page.getByTestId('inbox-message-body').getByText(/You earned 50 points for Ticket resolved in Customer Heroes/).waitFor();
    await page.getByRole('link', { name: 'Inbox: nothing unread' }).waitFor();
    await page.getByTestId('inbox-unread').getByText('All caught up').waitFor();
    assert.equal(await page.getByTestId('inbox-message').getAttribute('data-read'), 'true');
    await b.screenshot('inbox-read');
  });

  step('on Notifications she turns points-earned email off and gathers the messages into a daily digest; it holds after a reload', async () => {
    const { page } = b;
    await page.getByRole('link', { name: 'Notification settings' }).click();
    await page.getByRole('heading', { name: 'Notifications' }).waitFor();
    const row = page.getByTestId('pref-points.awarded');
    await row.getByRole('switch', { name: 'points earned by email' }).click({ force: true });
    await page.getByRole('status').getByText('Saved').waitFor();
    await row.getByText('Daily digest').click();
    await page.getByText(/You get points earned in a daily digest/).waitFor();
    await page.reload();
    await page.getByText(/You get points earned in a daily digest/).waitFor();
    assert.equal(await page.getByTestId('pref-points.awarded').getByRole('switch', { name: 'points earned by email' }).isChecked(), false);
    await b.screenshot('notification-preferences');
    const prefs = (await call('GET', `/api/v1/people/${danaId}/notification-preferences`)).body;
    assert.deepEqual(prefs.types[0], { type: 'points.awarded', label: 'points earned', inbox: true, email: false, frequency: 'daily' });
  });

  step('the admin finds the email on Sent mail, stored (no SMTP server), with its HTML', async () => {
    const { page } = b;
    await b.context.clearCookies();
    await signIn(page, server.adminEmail, server.adminPassword);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sent mail' }).click();
    await page.getByRole('heading', { name: 'Sent mail' }).waitFor();
    await page.getByText('Emails are kept here, not sent').waitFor();
    const row = page.getByTestId('sent-mail-row').filter({ hasText: danaEmail });
    await row.getByText('Stored').waitFor();
    await b.screenshot('sent-mail');
    await row.click();
    const dialog = page.getByRole('dialog', { name: 'You earned 50 points' });
    await dialog.waitFor();
    await dialog.frameLocator('iframe[title="Email (HTML)"]').getByText('Unsubscribe from points earned emails').waitFor();
    await b.screenshot('sent-mail-open');
    await page.keyboard.press('Escape');
  });

  step("the admin gives the workspace's emails a colour in Settings", async () => {
    const { page } = b;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('textbox', { name: 'Email colour' }).fill('#aa3300');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').getByText('Saved').waitFor();
    assert.equal((await call('GET', '/api/v1/workspace')).body.brandColor, '#aa3300');
    await b.screenshot('settings-brand');
  });

  step('the admin changes the template, sees the preview follow, and saves it', async () => {
    const { page } = b;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Message templates' }).click();
    await page.getByRole('heading', { name: 'Message templates' }).waitFor();
    const subject = page.getByRole('textbox', { name: 'Subject' });
    await subject.fill('+{{points}} {{pointsLabel}} for {{ruleName}}');
    await page.getByText('+50 points for Ticket resolved').first().waitFor();
    // The preview wears the workspace's colour.
    await page.frameLocator('iframe[title="Email preview"]').locator('td[style*="background:#aa3300"]').waitFor();
    await b.screenshot('message-templates');
    await page.getByRole('button', { name: 'Save template' }).click();
    await page.getByRole('status').getByText('Saved.').waitFor();
    await page.getByText('Customised').waitFor();
  });
});
