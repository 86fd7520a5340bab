import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, ownerRequest } from '../support/app.js';
import { ensureWebBuilt, field, openBrowser, selectOption, signIn, journeySteps, type BrowserSession } from '../support/browser.js';

interface Team {
  id: string;
  name: string;
  externalId: string | null;
  parentId: string | null;
}

describe('journey: create a team', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let b: BrowserSession;
  const teams = async (): Promise<Team[]> =>
    ((await ownerRequest(server, 'GET', '/api/v1/teams?limit=500')).body as { data: Team[] }).data;

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

  step('opens Teams from the navigation and shows that there are none yet', async () => {
    const { page } = b;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Teams' }).click();
    await page.getByRole('heading', { name: 'Teams' }).waitFor();
    await page.getByText('No teams yet').waitFor();
  });

  step('shows the field error next to the input when the name is missing', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Create team' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a team' });
    await dialog.getByRole('button', { name: 'Create team' }).click();
    // The API's per-field error (path "name") is shown under the input it names.
    await dialog.getByRole('alert').filter({ hasText: 'Please correct the highlighted fields' }).waitFor();
    assert.equal(await field(dialog, 'Team name').getAttribute('aria-invalid'), 'true');
    assert.deepEqual(await teams(), []);
  });

  step('creates a top-level team', async () => {
    const { page } = b;
    const dialog = page.getByRole('dialog', { name: 'Create a team' });
    await field(dialog, 'Team name').fill('Engineering');
    await field(dialog, 'External ID').fill('T-ENG');
    await dialog.getByRole('button', { name: 'Create team' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('table', { name: 'Teams' }).getByRole('row', { name: /Engineering/ }).waitFor();
    const [eng] = await teams();
    assert.equal(eng?.name, 'Engineering');
    assert.equal(eng?.externalId, 'T-ENG');
  });

  step('creates a sub-team under it, chosen from the parent list', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Create team' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a team' });
    await field(dialog, 'Team name').fill('Platform');
    await selectOption(dialog, 'Parent team', 'Engineering');
    await dialog.getByRole('button', { name: 'Create team' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('table', { name: 'Teams' }).getByRole('row', { name: /Platform/ }).waitFor();
    const all = await teams();
    const eng = all.find((t) => t.name === 'Engineering')!;
    assert.equal(all.find((t) => t.name === 'Platform')?.parentId, eng.id);
  });

  step('renames the sub-team', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Edit Platform' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit Platform' });
    await field(dialog, 'Team name').fill('Platform Engineering');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('table', { name: 'Teams' }).getByRole('row', { name: /Platform Engineering/ }).waitFor();
    assert.ok((await teams()).some((t) => t.name === 'Platform Engineering'));
  });

  step('refuses to delete a team that has a sub-team, and says why', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'More actions for Engineering' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete Engineering?' });
    await dialog.getByRole('button', { name: 'Delete team' }).click();
    await dialog.getByRole('alert').filter({ hasText: /1 sub-team/ }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await teams()).length, 2);
  });

  step('deletes the empty sub-team', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'More actions for Platform Engineering' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete Platform Engineering?' });
    await dialog.getByRole('button', { name: 'Delete team' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('table', { name: 'Teams' }).getByRole('row', { name: /Platform Engineering/ }).waitFor({ state: 'detached' });
    assert.deepEqual((await teams()).map((t) => t.name), ['Engineering']);
  });
});
