import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, ownerRequest } from '../support/app.js';
import { startReceiver, type Receiver } from '../support/webhook-receiver.js';
import { ensureWebBuilt, field, openBrowser, signIn, journeySteps, type BrowserSession } from '../support/browser.js';

describe('journey: an admin adds a webhook endpoint, sees a failed delivery and replays it', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let b: BrowserSession;
  let receiver: Receiver;
  let down = true;
  const api = (method: string, path: string, body?: unknown) => ownerRequest(server, method, path, body);
  const drain = async () => {
    const w = server.services.comms.worker({ random: () => 0.5 });
    await w.drain();
    await w.close();
  };

  before(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    // The receiver is down (503) until the test brings it back.
    receiver = await startReceiver({ handler: () => (down ? 503 : 200) });
    b = await openBrowser(server.url);
    await signIn(b.page, server.adminEmail, server.adminPassword);
  });
  after(async () => {
    await b?.close();
    await receiver?.close();
    await server?.close();
  });
  const step = journeySteps(() => b, import.meta.filename);

  step('adds an endpoint from the Webhooks page and is shown its secret once', async () => {
    const { page } = b;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
    await page.getByText('No webhook endpoints yet').waitFor();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a webhook endpoint' });
    await field(dialog, 'URL').fill(`${receiver.url}/tandem`);
    await field(dialog, 'Description').fill('CRM points feed');
    await dialog.getByRole('button', { name: 'Add endpoint' }).click();
    const shown = page.getByRole('dialog', { name: 'Your endpoint’s signing secret' });
    const secret = (await shown.getByTestId('secret-value').innerText()).trim();
    assert.match(secret, /^whsec_/);
    await shown.getByRole('button', { name: 'I have stored the secret' }).click();
    await page.getByRole('table', { name: 'Webhook endpoints' }).getByRole('row', { name: /CRM points feed/ }).waitFor();
  });

  step('a participant earns points; the delivery fails and the log says so', async () => {
    const person = await api('POST', '/api/v1/people', { kind: 'employee', externalId: 'HOOK-1', name: 'Hana Hook' });
    const program = await api('POST', '/api/v1/programs', { name: 'Tickets', audience: { kinds: ['employee'] }, budget: 1000, rules: [{ name: 'Ticket', on: 'ticket.resolved', award: { points: 7 } }] });
    await api('POST', `/api/v1/programs/${program.body.id}/activate`);
    const sent = await api('POST', '/api/v1/events', { id: 'HOOK-T1', occurredAt: new Date().toISOString(), type: 'ticket.resolved', personId: person.body.id });
    assert.equal(sent.status, 201);
    await drain();
    assert.equal(receiver.received.length, 1);
    assert.equal(receiver.accepted.size, 0, 'the receiver was down');

    const { page } = b;
    await page.getByRole('button', { name: /^Deliveries of / }).click();
    const log = page.getByRole('table', { name: /^Deliveries to / });
    const row = log.getByRole('row', { name: /points\.awarded/ });
    await row.getByText('HTTP 503').waitFor();
    await row.getByText('retrying').waitFor();
  });

  step('replays the delivery once the receiver is back: it arrives, with a new delivery id', async () => {
    down = false;
    const { page } = b;
    const log = page.getByRole('table', { name: /^Deliveries to / });
    await log.getByRole('button', { name: /^Replay whd_/ }).first().click();
    await log.getByText('replay', { exact: true }).waitFor();
    await drain();
    assert.equal(receiver.accepted.size, 1, 'the replay was accepted');
    const replayed = JSON.parse(receiver.received.at(-1)!.body) as { type: string; data: { points: number } };
    assert.equal(replayed.type, 'points.awarded');
    assert.equal(replayed.data.points, 7);
    await page.reload();
    await page.getByRole('button', { name: /^Deliveries of / }).click();
    await page.getByRole('table', { name: /^Deliveries to / }).getByText('delivered').first().waitFor();
    await page.screenshot({ path: 'test-results/webhooks-page.png', fullPage: true });
  });
});
