import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { systemContext } from '../../src/core/auth.js';
import { startTestServer, ownerRequest } from '../support/app.js';
import { ensureWebBuilt, field, openBrowser, signIn, journeySteps, type BrowserSession } from '../support/browser.js';

/** A real 2×2 PNG: the server checks the bytes, not only the Content-Type. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==', 'base64');

describe('journey: an admin adds a reward with an image in the catalog editor, and a participant sees it with its image', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let b: BrowserSession;

  before(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    const pia = (await ownerRequest(server, 'POST', '/api/v1/people', { kind: 'employee', externalId: 'pia', name: 'Pia', email: 'pia@browser.test' })).body as { id: string };
    await server.services.access.createUser(systemContext(server.workspaceId), { email: 'pia@browser.test', name: 'Pia', role: 'participant', personId: pia.id, password: 'Pia-password-123' });
    b = await openBrowser(server.url);
  });
  after(async () => {
    await b?.close();
    await server?.close();
  });
  const step = journeySteps(() => b, import.meta.filename);

  step('the admin creates a reward in the editor, uploading its image before saving', async () => {
    const { page } = b;
    await signIn(page, server.adminEmail, server.adminPassword);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Catalog' }).click();
    await page.getByRole('heading', { name: 'Reward catalog' }).waitFor();
    await page.getByText('No rewards yet').waitFor();
    await page.getByRole('link', { name: 'New reward' }).click();
    await page.getByRole('heading', { name: 'New reward' }).waitFor();
    await page.getByRole('button', { name: 'Create reward' }).click();
    await page.getByText('Please correct the highlighted fields').waitFor();
    await field(page, 'Title').fill('Desk plant');
    await field(page, 'Description').fill('A small plant for your desk.');
    await field(page, 'Category').fill('Office');
    await field(page, 'Cost (points)').fill('250');
    await page.locator('input[type=file]').setInputFiles({ name: 'plant.png', mimeType: 'image/png', buffer: PNG });
    await page.getByRole('img', { name: 'Image 1' }).waitFor();
    await page.getByRole('button', { name: 'Create reward' }).click();
    await page.getByRole('heading', { name: 'Reward catalog' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'Desk plant' });
    await row.getByText('250 points').waitFor();
    await row.getByText('Active').waitFor();
    const list = (await ownerRequest(server, 'GET', '/api/v1/rewards')).body as { data: { title: string; images: { contentType: string; bytes: number }[] }[] };
    assert.deepEqual(list.data.map((r) => [r.title, r.images.map((i) => [i.contentType, i.bytes])]), [['Desk plant', [['image/png', PNG.length]]]]);
    await b.screenshot('reward-editor-catalog');
  });

  step('the participant finds it in her catalog, with its image', async () => {
    const { page } = b;
    await b.context.clearCookies();
    await signIn(page, 'pia@browser.test', 'Pia-password-123');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rewards' }).click();
    const card = page.getByTestId('reward-card').filter({ hasText: 'Desk plant' });
    await card.waitFor();
    const img = card.getByRole('img', { name: 'Desk plant' });
    await img.waitFor();
    assert.equal(await img.evaluate((el) => (el as unknown as { complete: boolean; naturalWidth: number }).complete && (el as unknown as { naturalWidth: number }).naturalWidth), 2, 'the uploaded image loads');
    await b.screenshot('reward-editor-participant');
  });
});
