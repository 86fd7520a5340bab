import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startTestServer, ownerRequest } from '../support/app.js';
import { ensureWebBuilt, openBrowser, signIn, journeySteps, type BrowserSession } from '../support/browser.js';

const TEAMS_CSV = ['externalId,name,parentExternalId,managerExternalId', 'T-OPS,Operations,,', 'T-OPS-EU,Operations Europe,T-OPS,'].join('\n');
// Row 2 is bad: its email is not one.
const PEOPLE_CSV = [
  'kind,externalId,name,email,teamExternalId,hireDate,attributes.site',
  'employee,E-1,Ada Lovelace,ada@example.com,T-OPS,2023-01-15,Paris',
  'employee,E-2,Bad Row,not-an-email,T-OPS,,',
  'employee,E-3,Grace Hopper,grace@example.com,T-OPS-EU,,Berlin',
].join('\n');

/** Clicks a segment of a SegmentedControl (its radio input is visually hidden behind the label). */
async function chooseSegment(page: Page, name: string) {
  const id = await page.getByRole('radio', { name, exact: true }).getAttribute('id');
  await page.locator(`label[for="${id}"]`).click();
  assert.equal(await page.getByRole('radio', { name, exact: true }).isChecked(), true);
}

async function upload(page: Page, name: string, text: string) {
  await page.locator('input[type="file"]').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });
}

describe('journey: import a CSV with one bad row and read the report', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let b: BrowserSession;
  const list = async (what: string): Promise<Record<string, unknown>[]> =>
    ((await ownerRequest(server, 'GET', `/api/v1/${what}?limit=500`)).body as { data: Record<string, unknown>[] }).data;
  const summary = (page: Page, label: string) => page.getByTestId(`summary-${label}`);

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

  step('imports teams from the Import page', async () => {
    const { page } = b;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Import' }).click();
    await page.getByRole('heading', { name: 'Import' }).waitFor();
    await chooseSegment(page, 'Teams');
    await page.getByText('Columns for teams').waitFor();
    await upload(page, 'teams.csv', TEAMS_CSV);
    await page.getByRole('button', { name: 'Import teams' }).click();
    await summary(page, 'created').getByText('2', { exact: true }).waitFor();
    await page.getByText('Every row was imported.').waitFor();
    assert.equal((await list('teams')).length, 2);
  });

  step('imports people: two rows created, the bad row rejected with its reasons', async () => {
    const { page } = b;
    await chooseSegment(page, 'People');
    await page.getByText('Columns for people').waitFor();
    await upload(page, 'people.csv', PEOPLE_CSV);
    await page.getByRole('button', { name: 'Import people' }).click();
    const report = page.getByTestId('import-report');
    await report.waitFor();
    await summary(page, 'created').getByText('2', { exact: true }).waitFor();
    await summary(page, 'rejected').getByText('1', { exact: true }).waitFor();
    await report.getByText('One row was rejected and changed nothing').waitFor();

    // The table opens on the rejected rows: row 2, with one line per error.
    const rows = report.getByRole('table', { name: 'Rows of the import' }).locator('tbody tr');
    assert.equal(await rows.count(), 1);
    const bad = rows.first();
    assert.equal(await bad.getAttribute('data-status'), 'rejected');
    const text = await bad.innerText();
    assert.match(text, /^2\s+E-2\s+rejected/i);
    assert.match(text, /email\s+Invalid email/i);

    // Every row, on request.
    await report.getByRole('switch', { name: 'Show only rejected rows' }).uncheck({ force: true });
    assert.equal(await rows.count(), 3);
    assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-status'))), ['created', 'rejected', 'created']);

    const people = await list('people');
    assert.deepEqual(people.map((p) => p.externalId).sort(), ['E-1', 'E-3']);
  });

  step('importing the same file again changes nothing', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Import people' }).click();
    await summary(page, 'unchanged').getByText('2', { exact: true }).waitFor();
    await summary(page, 'created').getByText('0', { exact: true }).waitFor();
    await summary(page, 'rejected').getByText('1', { exact: true }).waitFor();
    assert.equal((await list('people')).length, 2);
  });

  step('says why a file with an unknown column is not imported', async () => {
    const { page } = b;
    await upload(page, 'wrong.csv', 'kind,externalId,name,shoeSize\nemployee,E-9,Someone,44\n');
    await page.getByRole('button', { name: 'Import people' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'The file was not imported' });
    await alert.waitFor();
    assert.match(await alert.innerText(), /shoeSize/);
    assert.equal(await page.getByTestId('import-report').count(), 0);
  });

  step('the imported people are on the People page', async () => {
    const { page } = b;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'People' }).click();
    const table = page.getByRole('table', { name: 'People' });
    await table.getByRole('row', { name: /Ada Lovelace/ }).getByText('Operations').waitFor();
    await table.getByRole('row', { name: /Grace Hopper/ }).getByText('Operations Europe').waitFor();
    assert.equal(await table.getByRole('row', { name: /Bad Row/ }).count(), 0);
  });
});
