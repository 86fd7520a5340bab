import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { systemContext } from '../../src/core/auth.js';
import { startTestServer, ownerRequest } from '../support/app.js';
import { ensureWebBuilt, openBrowser, signIn, journeySteps, type BrowserSession } from '../support/browser.js';

describe('journey: an employee and a customer contact browse the one catalog, each sees their audience; the employee saves up for a reward, redeems one and cancels it; both redeem the same reward', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let b: BrowserSession;
  const call = (method: string, url: string, body?: unknown) => ownerRequest(server, method, url, body);
  const user = async (kind: string, name: string, email: string, extra: Record<string, unknown> = {}) => {
    const p = (await call('POST', '/api/v1/people', { kind, externalId: email, name, email, ...extra })).body;
    await server.services.access.createUser(systemContext(server.workspaceId), { email, name, role: 'participant', personId: p.id, password: `${name}-password-123` });
    return p.id as string;
  };

  before(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    const everyone = { kinds: ['employee', 'customer', 'partner'] };
    for (const r of [
      { title: 'Coffee voucher', kind: 'gift_card', cost: 500, category: 'Gift cards', audience: everyone, provider: 'manual' },
      { title: 'Team hoodie', kind: 'merchandise', cost: 4000, category: 'Merchandise', audience: everyone },
      { title: 'An afternoon off', kind: 'time_off', cost: 6000, category: 'Time', audience: { kinds: ['employee'] } },
    ])
      assert.equal((await call('POST', '/api/v1/rewards', r)).status, 201);
    const emma = await user('employee', 'Emma', 'emma@browser.test');
    const acc = (await call('POST', '/api/v1/accounts', { kind: 'customer', name: 'Gold Corp', externalId: 'A1' })).body.id;
    const cora = await user('customer', 'Cora', 'cora@browser.test', { accountId: acc });
    assert.equal((await call('POST', `/api/v1/people/${emma}/adjustments`, { points: 1000, reason: 'welcome bonus' })).status, 201);
    assert.equal((await call('POST', `/api/v1/people/${cora}/adjustments`, { points: 700, reason: 'loyalty welcome' })).status, 201);
    b = await openBrowser(server.url);
  });
  after(async () => {
    await b?.close();
    await server?.close();
  });
  const step = journeySteps(() => b, import.meta.filename);
  /** Waits until the page shows n reward cards. */
  const cards = async (n: number) => {
    for (let i = 0; i < 150; i++) {
      if ((await b.page.getByTestId('reward-card').count()) === n) return;
      await b.page.waitForTimeout(100);
    }
    assert.fail(`expected ${n} reward cards, saw ${await b.page.getByTestId('reward-card').count()}`);
  };

  step('the employee sees the whole catalog with her balance, and what she can afford', async () => {
    const { page } = b;
    await signIn(page, 'emma@browser.test', 'Emma-password-123');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rewards' }).click();
    await page.getByRole('heading', { name: 'Rewards' }).waitFor();
    await page.getByTestId('catalog-balance').getByText('1,000 points').waitFor();
    await cards(3);
    await page.getByTestId('reward-card').filter({ hasText: 'Coffee voucher' }).getByText('You have enough to redeem this').waitFor();
    await page.getByTestId('reward-card').filter({ hasText: 'Team hoodie' }).getByText('3,000 points to go').waitFor();
    await page.getByRole('switch', { name: 'Only what I can afford now' }).click({ force: true });
    await cards(1);
    await page.getByRole('switch', { name: 'Only what I can afford now' }).click({ force: true });
    await page.locator('.mantine-SegmentedControl-label', { hasText: 'Merchandise' }).click();
    await cards(1);
    await b.screenshot('catalog-employee');
  });

  step('she adds the hoodie to her wish list and sees how far she is', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Add Team hoodie to wish list' }).click();
    const list = page.getByTestId('wishlist');
    await list.getByText('Team hoodie').waitFor();
    await list.getByText('3,000 points to go').waitFor();
    await page.getByRole('button', { name: 'Remove Team hoodie from wish list' }).waitFor();
    await b.screenshot('catalog-wishlist');
  });

  step('the hoodie has a page of its own: what it is, what she has, how far she is, her wish', async () => {
    const { page } = b;
    await page.getByTestId('reward-card').filter({ hasText: 'Team hoodie' }).getByRole('link', { name: 'Team hoodie' }).click();
    await page.getByRole('heading', { name: 'Team hoodie', level: 2 }).waitFor();
    const cost = page.getByTestId('reward-cost');
    await cost.getByText('4,000 points').waitFor();
    await cost.getByText('1,000 points').waitFor();
    await cost.getByText('3,000 points to go').waitFor();
    assert.equal(await cost.getByRole('button', { name: 'Not enough points yet' }).isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: 'Remove Team hoodie from wish list' }).getAttribute('aria-pressed'), 'true');
    await b.screenshot('reward-page');
    await page.getByRole('link', { name: '← All rewards' }).click();
    await page.getByRole('heading', { name: 'Rewards' }).waitFor();
    await cards(3);
  });

  step('she redeems the coffee voucher: the dialog shows the cost and what is left, and the order appears with its timeline', async () => {
    const { page } = b;
    await page.locator('.mantine-SegmentedControl-label', { hasText: 'All' }).click();
    await cards(3);
    await page.getByTestId('reward-card').filter({ hasText: 'Coffee voucher' }).getByRole('button', { name: 'Redeem' }).click();
    const dialog = page.getByRole('dialog', { name: 'Redeem Coffee voucher' });
    const summary = dialog.getByTestId('redeem-summary');
    await summary.getByText('1,000 points').waitFor();
    await summary.getByText('− 500 points').waitFor();
    await summary.getByRole('row', { name: /Left after this order/ }).getByText('500 points').waitFor();
    await b.screenshot('redeem-dialog');
    await dialog.getByRole('button', { name: 'Redeem for 500 points' }).click();
    await page.getByRole('dialog', { name: 'Ordered' }).getByText('Your order is in').waitFor();
    await page.getByRole('link', { name: 'See my orders' }).click();
    await page.getByRole('heading', { name: 'My orders' }).waitFor();
    const order = page.getByTestId('order').filter({ hasText: 'Coffee voucher' });
    await order.getByTestId('order-status').getByText('Ordered').waitFor();
    await b.screenshot('my-orders');
    const orders = await call('GET', '/api/v1/redemptions');
    assert.equal(orders.body.data.length, 1);
    assert.equal(orders.body.data[0].points, 500);
  });

  step('she cancels it and the points come back', async () => {
    const { page } = b;
    await page.getByTestId('order').filter({ hasText: 'Coffee voucher' }).getByRole('button', { name: 'Cancel' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel Coffee voucher?' });
    await dialog.getByRole('textbox', { name: 'Why?' }).fill('ordered by mistake');
    await dialog.getByRole('button', { name: 'Cancel the order' }).click();
    await page.getByTestId('order-status').getByText('Cancelled').waitFor();
    await page.getByText('ordered by mistake').waitFor();
    await page.getByRole('link', { name: 'Back to rewards' }).click();
    await page.getByTestId('catalog-balance').getByText('1,000 points').waitFor();
  });

  step('the customer contact sees the same catalog without the employees-only reward', async () => {
    const { page } = b;
    await b.context.clearCookies();
    await signIn(page, 'cora@browser.test', 'Cora-password-123');
    await page.goto('/rewards');
    await page.getByRole('heading', { name: 'Rewards' }).waitFor();
    await cards(2);
    assert.equal(await page.getByText('An afternoon off').count(), 0);
    await page.getByTestId('catalog-balance').getByText('700 points').waitFor();
  });

  step('she redeems the same coffee voucher the employee chose, and sees her order', async () => {
    const { page } = b;
    await page.getByTestId('reward-card').filter({ hasText: 'Coffee voucher' }).getByRole('button', { name: 'Redeem' }).click();
    const dialog = page.getByRole('dialog', { name: 'Redeem Coffee voucher' });
    await dialog.getByTestId('redeem-summary').getByRole('row', { name: /Left after this order/ }).getByText('200 points').waitFor();
    await dialog.getByRole('button', { name: 'Redeem for 500 points' }).click();
    await page.getByRole('link', { name: 'See my orders' }).click();
    await page.getByTestId('order').filter({ hasText: 'Coffee voucher' }).getByTestId('order-status').getByText('Ordered').waitFor();
    await b.screenshot('my-orders-customer');
    const orders = (await call('GET', '/api/v1/redemptions')).body.data as { personId: string; rewardId: string; status: string }[];
    assert.equal(orders.length, 2);
    assert.equal(new Set(orders.map((o) => o.rewardId)).size, 1, 'one reward, redeemed by an employee and a customer contact');
    assert.deepEqual(orders.map((o) => o.status).sort(), ['cancelled', 'placed']);
  });
});
