import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { systemContext } from '../../src/core/auth.js';
import { startTestServer, ownerRequest } from '../support/app.js';
import { ensureWebBuilt, openBrowser, signIn, journeySteps, type BrowserSession } from '../support/browser.js';

describe('journey: an admin ships two orders in bulk from the fulfilment queue and marks one delivered; the participant sees it delivered, with its tracking, on My orders', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let b: BrowserSession;
  const call = (method: string, url: string, body?: unknown) => ownerRequest(server, method, url, body);
  const address = (name: string) => ({ name, line1: '1 Rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' });
  let emmaOrder = '';
  let samOrder = '';

  before(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    const hoodie = (await call('POST', '/api/v1/rewards', { title: 'Team hoodie', kind: 'merchandise', cost: 400, audience: {}, provider: 'manual' })).body.id as string;
    for (const [name, email] of [['Emma', 'emma@ship.test'], ['Sam', 'sam@ship.test']] as const) {
      const p = (await call('POST', '/api/v1/people', { kind: 'employee', externalId: email, name, email })).body.id as string;
      await server.services.access.createUser(systemContext(server.workspaceId), { email, name, role: 'participant', personId: p, password: `${name}-password-123` });
      assert.equal((await call('POST', `/api/v1/people/${p}/adjustments`, { points: 1000, reason: 'welcome' })).status, 201);
      const o = await call('POST', '/api/v1/redemptions', { rewardId: hoodie, personId: p, shipping: address(name) });
      assert.equal(o.status, 201, JSON.stringify(o.body));
      if (name === 'Emma') emmaOrder = o.body.id;
      else samOrder = o.body.id;
    }
    b = await openBrowser(server.url);
  });
  after(async () => {
    await b?.close();
    await server?.close();
  });
  const step = journeySteps(() => b, import.meta.filename);

  step('the admin selects both orders waiting to be fulfilled and marks them shipped with a carrier and tracking', async () => {
    const { page } = b;
    await signIn(page, server.adminEmail, server.adminPassword);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Orders' }).click();
    await page.getByRole('heading', { name: 'Orders' }).waitFor();
    await page.getByRole('tab', { name: 'To fulfil' }).waitFor();
    await page.getByTestId('order-row').nth(1).waitFor();
    assert.equal(await page.getByTestId('order-row').count(), 2);
    await page.getByRole('checkbox', { name: 'Select all orders on this page' }).check({ force: true });
    await page.getByTestId('bulk-bar').getByRole('button', { name: 'Mark shipped…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Ship 2 orders' });
    await dialog.getByRole('textbox', { name: 'Carrier' }).fill('DHL');
    await dialog.getByRole('textbox', { name: 'Tracking number' }).fill('JD0146000062');
    await dialog.getByRole('textbox', { name: 'Tracking link' }).fill('https://dhl.example/track/JD0146000062');
    await b.screenshot('fulfilment-ship-dialog');
    await dialog.getByRole('button', { name: 'Mark shipped' }).click();
    await page.getByTestId('bulk-outcome').getByText('2 orders moved').waitFor();
    await page.getByText('No order is ordered.').waitFor();
    for (const id of [emmaOrder, samOrder]) {
      const o = (await call('GET', `/api/v1/redemptions/${id}`)).body;
      assert.deepEqual([o.status, o.carrier, o.trackingNumber], ['shipped', 'DHL', 'JD0146000062']);
    }
  });

  step('on the Shipped tab the admin opens Emma’s order and marks it delivered; its timeline shows each step', async () => {
    const { page } = b;
    await page.getByRole('tab', { name: 'Shipped' }).click();
    await page.getByTestId('order-row').filter({ hasText: 'Emma' }).getByRole('button', { name: 'Details' }).click();
    const detail = page.getByTestId('order-detail');
    await detail.getByRole('link', { name: 'JD0146000062' }).waitFor();
    await detail.getByRole('button', { name: 'Mark delivered' }).click();
    await detail.getByText('Delivered', { exact: true }).first().waitFor();
    await b.screenshot('fulfilment-order-delivered');
    const o = (await call('GET', `/api/v1/redemptions/${emmaOrder}`)).body;
    assert.equal(o.status, 'delivered');
    assert.deepEqual(o.timeline.map((e: { status: string }) => e.status), ['placed', 'shipped', 'delivered']);
    assert.equal((await call('GET', `/api/v1/redemptions/${samOrder}`)).body.status, 'shipped', 'only Emma’s order moved');
  });

  step('Emma sees her order delivered on My orders, with the carrier and a tracking link', async () => {
    const { page } = b;
    await b.context.clearCookies();
    await signIn(page, 'emma@ship.test', 'Emma-password-123');
    await page.goto('/orders');
    await page.getByRole('heading', { name: 'My orders' }).waitFor();
    const order = page.getByTestId('order').filter({ hasText: 'Team hoodie' });
    await order.getByTestId('order-status').getByText('Delivered').waitFor();
    await order.getByTestId('order-tracking').getByText('Sent with DHL').waitFor();
    assert.equal(await order.getByRole('link', { name: 'JD0146000062' }).getAttribute('href'), 'https://dhl.example/track/JD0146000062');
    await b.screenshot('my-orders-delivered');
  });
});
