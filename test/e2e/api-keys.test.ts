import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../support/app.js';
import { ensureWebBuilt, field, openBrowser, selectOption, signIn, journeySteps, type BrowserSession } from '../support/browser.js';

describe('journey: create an API key, use it, revoke it', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let b: BrowserSession;
  let key = '';
  const withKey = (k: string) => fetch(`${server.url}/api/v1/session`, { headers: { authorization: `Bearer ${k}` } });

  before(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    b = await openBrowser(server.url);
    await signIn(b.page, server.adminEmail, server.adminPassword);
  });
  after(async () => {
    await b?.close();
    await server?.close();
  });
  const step = journeySteps(() => b, import.meta.filename);
  const row = (name: string) => b.page.getByRole('table', { name: 'API keys' }).getByRole('row', { name: new RegExp(name) });

  step('opens API keys from the navigation', async () => {
    const { page } = b;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    // The test server's owner key is listed already.
    await row('owner').waitFor();
  });

  step('creates a key and shows it once, with a copy button and a warning', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Create API key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create an API key' });
    await field(dialog, 'Name').fill('CRM sync');
    await selectOption(dialog, 'Role', 'Integration');
    await dialog.getByRole('button', { name: 'Create key' }).click();

    const shown = page.getByRole('dialog', { name: 'Your new API key' });
    await shown.getByText('This is the only time the key is shown').waitFor();
    key = (await shown.getByTestId('secret-value').innerText()).trim();
    assert.match(key, /^tnd_\S{20,}$/);
    await shown.getByRole('button', { name: 'Copy' }).waitFor();

    const r = await withKey(key);
    assert.equal(r.status, 200);
    const s = (await r.json()) as { kind: string; role: string };
    assert.equal(s.kind, 'api_key');
    assert.equal(s.role, 'integration');

    await shown.getByRole('button', { name: 'I have stored the key' }).click();
    await shown.waitFor({ state: 'hidden' });
  });

  step('lists the key by its name, role and last characters, never the key itself', async () => {
    const { page } = b;
    const r = row('CRM sync');
    await r.waitFor();
    const text = await r.innerText();
    assert.match(text, /Integration/);
    assert.ok(text.includes(key.slice(-4)), `the hint (…${key.slice(-4)}) is shown`);
    assert.ok(!(await page.content()).includes(key), 'the full key is gone from the page');
    assert.match(text, /Active/i);
  });

  step('revokes the key after confirmation; the key stops working', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Revoke CRM sync' }).click();
    const dialog = page.getByRole('dialog', { name: /Revoke “CRM sync”\?/ });
    await dialog.getByText('stops working at once').waitFor();
    await dialog.getByRole('button', { name: 'Revoke key' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await row('CRM sync').getByText(/Revoked/i).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Revoke CRM sync' }).count(), 0);
    assert.equal((await withKey(key)).status, 401);
  });
});
