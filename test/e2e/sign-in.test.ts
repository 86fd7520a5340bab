import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../support/app.js';
import { ensureWebBuilt, field, openBrowser, signIn, journeySteps, type BrowserSession } from '../support/browser.js';

describe('journey: sign in and out', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let b: BrowserSession;
  before(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    b = await openBrowser(server.url);
  });
  after(async () => {
    await b?.close();
    await server?.close();
  });
  const step = journeySteps(() => b, import.meta.filename);

  step('sends a signed-out visitor to the sign-in page, keeping the page asked for', async () => {
    const { page } = b;
    await page.goto('/teams');
    await page.waitForURL(/\/sign-in\?next=%2Fteams$/);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  step('says "Wrong email or password" for a wrong password', async () => {
    const { page } = b;
    await field(page, 'Email').fill(server.adminEmail);
    await field(page, 'Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong email or password' }).waitFor();
    assert.match(page.url(), /\/sign-in/);
  });

  step('pauses sign-in after repeated failures and says when to try again', async () => {
    const { page } = b;
    await field(page, 'Email').fill('someone-else@browser.test');
    await field(page, 'Password').fill('guess-0');
    const alert = page.getByRole('alert');
    for (let i = 1; i <= 8; i++) {
      await field(page, 'Password').fill(`guess-${i}`);
      const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/session') && r.request().method() === 'POST');
      await page.getByRole('button', { name: 'Sign in' }).click();
      if ((await answered).status() === 429) break;
    }
    await alert.filter({ hasText: 'Too many attempts' }).waitFor();
    assert.match(await alert.innerText(), /Try again in \d+ minutes? \(at \d\d:\d\d\)/);
  });

  step('signs in and opens the page asked for, with the workspace and user in the header', async () => {
    const { page } = b;
    await field(page, 'Email').fill(server.adminEmail);
    await field(page, 'Password').fill(server.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/teams$/);
    await page.getByRole('heading', { name: 'Teams' }).waitFor();
    const header = page.getByRole('banner');
    await header.getByText('Browser Test Co').waitFor();
    await header.getByRole('button', { name: /Account menu for Alex Admin/ }).waitFor();
    // Every page an owner may open is in the navigation.
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const name of ['People', 'Teams', 'Accounts', 'Import', 'API keys', 'Settings']) await nav.getByRole('link', { name }).waitFor();
  });

  step('shows a 404 page for an unknown address', async () => {
    const { page } = b;
    await page.goto('/no/such/page');
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await page.getByRole('link', { name: 'Back to Tandem' }).click();
    await page.waitForURL(/\/people$/);
  });

  step('signs out from the user menu, and the app asks to sign in again', async () => {
    const { page } = b;
    await page.getByRole('button', { name: /Account menu/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(/\/sign-in(\?|$)/);
    await page.goto('/people');
    await page.waitForURL(/\/sign-in\?next=%2Fpeople$/);
  });

  step('signs in again and signs out everywhere', async () => {
    const { page } = b;
    await signIn(page, server.adminEmail, server.adminPassword);
    await page.getByRole('button', { name: /Account menu/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out everywhere' }).click();
    await page.getByRole('dialog', { name: 'Sign out everywhere?' }).getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.waitForURL(/\/sign-in(\?|$)/);
    const r = await page.request.get('/api/v1/session');
    assert.equal(r.status(), 401);
  });
});
