import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { systemContext } from '../../src/core/auth.js';
import { startTestServer, ownerRequest } from '../support/app.js';
import { ensureWebBuilt, field, openBrowser, selectOption, signIn, journeySteps, type BrowserSession } from '../support/browser.js';

describe('journey: reverse an event in the explorer; the wallet says why', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let b: BrowserSession;
  let rileyId = '';
  const rileyEmail = 'riley@browser.test';
  const rileyPassword = 'riley-participant-password';
  const call = (method: string, url: string, body?: unknown) => ownerRequest(server, method, url, body);

  before(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    const account = (await call('POST', '/api/v1/accounts', { kind: 'partner', externalId: 'P-1', name: 'Northwind Partners' })).body;
    rileyId = (await call('POST', '/api/v1/people', { kind: 'partner', externalId: 'R-1', name: 'Riley Reseller', accountId: account.id })).body.id;
    const program = (
      await call('POST', '/api/v1/programs', {
        name: 'Partner certifications',
        audience: { kinds: ['partner'] },
        budget: 50000,
        rules: [{ name: 'Certification', on: 'certification.earned', award: { points: 500 } }],
      })
    ).body;
    assert.equal((await call('POST', `/api/v1/programs/${program.id}/activate`)).body.status, 'active');
    // The same certification, entered twice by the LMS under two ids.
    const cert = (id: string, minutesAgo: number, personId = rileyId, accountId = account.id) => ({ id, source: 'lms', type: 'certification.earned', occurredAt: new Date(Date.now() - minutesAgo * 60_000).toISOString(), personId, accountId, properties: { certification: 'Cloud Architect', level: 'expert' } });
    // Another partner's rep, whose event the account filter leaves out.
    const other = (await call('POST', '/api/v1/accounts', { kind: 'partner', externalId: 'P-2', name: 'Contoso Resellers' })).body;
    const sam = (await call('POST', '/api/v1/people', { kind: 'partner', externalId: 'R-2', name: 'Sam Seller', accountId: other.id })).body.id;
    const sent = await call('POST', '/api/v1/events', { events: [cert('cert-1', 30), cert('cert-2', 20), cert('cert-sam', 25, sam, other.id)] });
    assert.equal(sent.body.summary.accepted, 3);
    await server.services.access.createUser(systemContext(server.workspaceId), { email: rileyEmail, name: 'Riley Reseller', role: 'participant', personId: rileyId, password: rileyPassword });
    b = await openBrowser(server.url);
    await signIn(b.page, server.adminEmail, server.adminPassword);
  });
  after(async () => {
    await b?.close();
    await server?.close();
  });
  const step = journeySteps(() => b, import.meta.filename);
  const table = () => b.page.getByRole('table', { name: 'Events' });
  const line = (text: string | RegExp) => b.page.getByTestId('wallet-line').filter({ hasText: text });

  step('finds the person’s events in the explorer', async () => {
    const { page } = b;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Events' }).click();
    await page.getByRole('heading', { name: 'Events' }).waitFor();
    await selectOption(page, 'Person', /Riley Reseller/, 'Riley');
    await table().getByRole('button', { name: 'Show details of certification.earned cert-1' }).waitFor();
    await table().getByRole('button', { name: 'Show details of certification.earned cert-2' }).waitFor();
    assert.equal(await table().getByText('+500 points').count(), 2);
  });

  step('narrows the explorer to an account', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Clear person' }).click();
    await table().getByRole('button', { name: 'Show details of certification.earned cert-sam' }).waitFor();
    await selectOption(page, 'Account', /Northwind Partners/, 'North');
    await table().getByRole('button', { name: 'Show details of certification.earned cert-sam' }).waitFor({ state: 'detached' });
    await table().getByRole('button', { name: 'Show details of certification.earned cert-1' }).waitFor();
    await table().getByRole('button', { name: 'Show details of certification.earned cert-2' }).waitFor();
    await b.screenshot('events-by-account');
  });

  step('a row opens on its properties and effects, with names', async () => {
    const { page } = b;
    await table().getByRole('button', { name: 'Show details of certification.earned cert-2' }).click();
    const details = page.getByRole('region', { name: 'Details of event cert-2' });
    await details.getByRole('table', { name: 'Properties' }).getByRole('row', { name: /level\s+expert/ }).waitFor();
    const effect = details.getByRole('table', { name: 'Effects' }).getByRole('row', { name: /Partner certifications/ });
    await effect.waitFor();
    const text = await effect.innerText();
    assert.match(text, /Certification/);
    assert.match(text, /Awarded/i);
    assert.match(text, /Riley Reseller/);
    assert.match(text, /500/);
  });

  step('reverses the event after confirmation, with a required reason', async () => {
    const { page } = b;
    const details = page.getByRole('region', { name: 'Details of event cert-2' });
    await details.getByRole('button', { name: 'Reverse this event' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reverse this event?' });
    await dialog.getByText(/500 points it awarded are taken back/).waitFor();
    assert.equal(await dialog.getByRole('button', { name: 'Reverse event' }).isDisabled(), true);
    await field(dialog, 'Reason').fill('entered twice');
    await dialog.getByRole('button', { name: 'Reverse event' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await details.getByText(/Reason: entered twice/).waitFor();
    const row = table()
      .getByRole('row')
      .filter({ has: page.getByRole('button', { name: /details of certification\.earned cert-2/ }) });
    await row.getByText('Reversed', { exact: true }).waitFor();
    assert.equal(await details.getByRole('button', { name: 'Reverse this event' }).count(), 0);
    const events = (await call('GET', `/api/v1/events?personId=${rileyId}`)).body.data;
    assert.deepEqual(
      events.map((e: any) => [e.id, e.status, e.reversalReason]),
      [
        ['cert-2', 'reversed', 'entered twice'],
        ['cert-1', 'accepted', null],
      ],
    );
  });

  step('the wallet, opened from People, tells the reversal in words', async () => {
    const { page } = b;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'People' }).click();
    await page.getByRole('link', { name: 'Wallet of Riley Reseller' }).click();
    await page.getByRole('heading', { name: 'Riley Reseller' }).waitFor();
    await page.getByTestId('wallet-balance').getByText('500').waitFor();
    const reversal = line('Reversal: entered twice');
    assert.match(await reversal.innerText(), /Takes back: Certification — Partner certifications/);
    assert.match(await reversal.innerText(), /−500/);
    assert.equal(await line('Certification — Partner certifications').filter({ hasText: '+500' }).count(), 2);
  });

  step('an admin adjusts the balance with a reason', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Adjust balance' }).click();
    const dialog = page.getByRole('dialog', { name: 'Adjust Riley Reseller’s balance' });
    await field(dialog, 'Points').fill('75');
    await field(dialog, 'Reason').fill('Missed award in March');
    await dialog.getByRole('button', { name: 'Add 75 points' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await line('Adjustment by an admin: Missed award in March').getByText('+75').waitFor();
    await page.getByTestId('wallet-balance').getByText('575').waitFor();
  });

  step('the participant sees the same history on their own page', async () => {
    const { page, context } = b;
    await context.clearCookies();
    await signIn(page, rileyEmail, rileyPassword);
    await page.waitForURL(/\/me$/);
    await page.getByTestId('wallet-balance').getByText('575').waitFor();
    await line('Adjustment by an admin: Missed award in March').getByText('+75').waitFor();
    await line('Reversal: entered twice').getByText('−500').waitFor();
    assert.equal(await line(/^.*Certification/).filter({ hasText: '+500' }).count(), 2);
    await page.getByText('Your balance', { exact: true }).waitFor();
  });
});
