import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, ownerRequest } from '../support/app.js';
import { ensureWebBuilt, field, openBrowser, selectOption, signIn, journeySteps, type BrowserSession } from '../support/browser.js';

interface Person {
  id: string;
  kind: string;
  externalId: string;
  name: string | null;
  email: string | null;
  teamId: string | null;
  hireDate: string | null;
  status: string;
  attributes: Record<string, unknown>;
}

describe('journey: add a person', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let b: BrowserSession;
  let salesId = '';
  const call = async (method: string, url: string, body?: unknown) => (await ownerRequest(server, method, url, body)).body;
  const people = async (): Promise<Person[]> => (await call('GET', '/api/v1/people?limit=500')).data;

  before(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    salesId = (await call('POST', '/api/v1/teams', { name: 'Sales', externalId: 'T-SALES' })).id;
    await call('POST', '/api/v1/teams', { name: 'Support', externalId: 'T-SUPPORT' });
    b = await openBrowser(server.url);
    await signIn(b.page, server.adminEmail, server.adminPassword);
  });
  after(async () => {
    await b?.close();
    await server?.close();
  });
  const step = journeySteps(() => b, import.meta.filename);
  const table = () => b.page.getByRole('table', { name: 'People' });

  step('lands on People, empty for a new workspace', async () => {
    const { page } = b;
    await page.waitForURL(/\/people$/);
    await table().getByText('No people yet').waitFor();
  });

  step('adds an employee with a team, a hire date and an attribute', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Add person' }).click();
    const drawer = page.getByRole('dialog', { name: 'Add a person' });
    await field(drawer, 'Name').fill('Ada Lovelace');
    await field(drawer, 'External ID').fill('E-1001');
    await field(drawer, 'Email').fill('ada@example.com');
    await selectOption(drawer, 'Team', 'Sales', 'Sal');
    await field(drawer, 'Hire date').fill('2024-03-01');
    await drawer.getByRole('button', { name: 'Add attribute' }).click();
    await field(drawer, 'Attribute 1 name').fill('region');
    await field(drawer, 'Attribute 1 value').fill('EMEA');
    await drawer.getByRole('button', { name: 'Add person' }).click();
    await drawer.waitFor({ state: 'hidden' });

    const row = table().getByRole('row', { name: /Ada Lovelace/ });
    await row.getByText('Sales').waitFor();
    await row.getByText('E-1001').waitFor();
    const [ada] = await people();
    assert.equal(ada?.kind, 'employee');
    assert.equal(ada?.email, 'ada@example.com');
    assert.equal(ada?.teamId, salesId);
    assert.equal(ada?.hireDate, '2024-03-01');
    assert.deepEqual(ada?.attributes, { region: 'EMEA' });
  });

  step('shows the API error next to the field: an external ID already taken', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Add person' }).click();
    const drawer = page.getByRole('dialog', { name: 'Add a person' });
    await field(drawer, 'Name').fill('Someone Else');
    await field(drawer, 'External ID').fill('E-1001');
    await drawer.getByRole('button', { name: 'Add person' }).click();
    await drawer.getByText('a person with this external id exists').waitFor();
    assert.equal(await field(drawer, 'External ID').getAttribute('aria-invalid'), 'true');
    await drawer.getByRole('button', { name: 'Cancel' }).click();
    await drawer.waitFor({ state: 'hidden' });
    assert.equal((await people()).length, 1);
  });

  step('edits the person: moves them to another team and removes the attribute', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Edit Ada Lovelace' }).click();
    const drawer = page.getByRole('dialog', { name: 'Edit person' });
    assert.equal(await field(drawer, 'Name').inputValue(), 'Ada Lovelace');
    await selectOption(drawer, 'Team', 'Support', 'Supp');
    await drawer.getByRole('button', { name: 'Remove attribute region' }).click();
    await drawer.getByRole('button', { name: 'Save changes' }).click();
    await drawer.waitFor({ state: 'hidden' });
    await table().getByRole('row', { name: /Ada Lovelace/ }).getByText('Support').waitFor();
    const [ada] = await people();
    assert.notEqual(ada?.teamId, salesId);
    assert.deepEqual(ada?.attributes, {});
  });

  step('finds the person by search and by team filter', async () => {
    const { page } = b;
    await call('POST', '/api/v1/people', { kind: 'employee', externalId: 'E-1002', name: 'Grace Hopper', teamId: salesId });
    await page.reload();
    await table().getByRole('row', { name: /Grace Hopper/ }).waitFor();
    await field(page, 'Search').fill('lovelace');
    await table().getByRole('row', { name: /Grace Hopper/ }).waitFor({ state: 'detached' });
    await table().getByRole('row', { name: /Ada Lovelace/ }).waitFor();
    await field(page, 'Search').fill('');
    await selectOption(page, 'Team', 'Sales');
    await table().getByRole('row', { name: /Grace Hopper/ }).waitFor();
    await table().getByRole('row', { name: /Ada Lovelace/ }).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Clear team' }).click();
    await table().getByRole('row', { name: /Ada Lovelace/ }).waitFor();
  });

  step('deactivates the person after confirmation', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'More actions for Ada Lovelace' }).click();
    await page.getByRole('menuitem', { name: 'Deactivate' }).click();
    const dialog = page.getByRole('dialog', { name: 'Deactivate this person?' });
    await dialog.getByRole('button', { name: 'Deactivate' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await table().getByRole('row', { name: /Ada Lovelace/ }).getByText('Inactive').waitFor();
    assert.equal((await people()).find((p) => p.externalId === 'E-1001')?.status, 'inactive');
  });
});
