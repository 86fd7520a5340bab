import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext } from 'playwright-core';
import { startTestServer, ownerRequest } from '../support/app.js';
import path from 'node:path';
import { ensureWebBuilt, openBrowser, signIn, journeySteps, RESULTS_DIR, type BrowserSession } from '../support/browser.js';

// Issue #7's public link: an admin switches it on for an anonymous survey in the builder, and
// two visitors on phones answer through the same link, each on a fresh single-use sheet.
describe('journey: an admin shares an anonymous survey by public link; two visitors answer on their phones', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let b: BrowserSession & { consoleErrors: string[] };
  const phones: BrowserContext[] = [];
  let surveyId = '';
  let linkPath = '';
  const call = (method: string, url: string, body?: unknown) => ownerRequest(server, method, url, body);
  const phone = async () => {
    const c = await b.browser.newContext({ baseURL: server.url, viewport: { width: 390, height: 844 }, locale: 'en-GB', timezoneId: 'UTC', hasTouch: true, isMobile: true });
    c.setDefaultTimeout(15_000);
    phones.push(c);
    return c.newPage();
  };

  before(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    const s = await call('POST', '/api/v1/surveys', {
      title: 'Office move pulse',
      kind: 'pulse',
      privacy: 'anonymous',
      audience: { kinds: [] },
      questions: [
        { id: 'q_space', type: 'agreement', text: 'The new office lets me focus.', driver: 'autonomy' },
        { id: 'q_idea', type: 'text', text: 'One thing we should change?', required: false },
      ],
    });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    surveyId = s.body.id;
    b = await openBrowser(server.url);
  });
  after(async () => {
    for (const c of phones) await c.close().catch(() => undefined);
    await b?.close();
    await server?.close();
  });
  const step = journeySteps(() => b, import.meta.filename);

  step('the admin switches the public link on in the builder and sees the link', async () => {
    const { page } = b;
    await signIn(page, server.adminEmail, server.adminPassword);
    await page.goto(`/admin/surveys/${surveyId}`);
    await page.getByRole('heading', { name: /Office move pulse/ }).waitFor();
    await page.getByRole('switch', { name: 'Also a public link anyone can answer by' }).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').getByText('Saved').waitFor();
    const shown = page.getByText(/^Public link:/).getByRole('link');
    await shown.waitFor();
    const saved = (await call('GET', `/api/v1/surveys/${surveyId}`)).body;
    assert.equal(saved.publicLink, true);
    assert.equal(await shown.textContent(), saved.publicUrl);
    linkPath = new URL(saved.publicUrl as string).pathname;
    assert.match(linkPath, /^\/s\/p\/[A-Za-z0-9_-]{43}$/);
    await b.screenshot('public-link-builder');
    // Opened with nobody invited: the link is how people answer.
    const opened = await call('POST', `/api/v1/surveys/${surveyId}/open`);
    assert.equal(opened.status, 200, JSON.stringify(opened.body));
    assert.equal(opened.body.invited, 0);
  });

  step('a first visitor opens the link on a phone, answers and submits; a reload in that tab says the sheet was used', async () => {
    const page = await phone();
    await page.goto(linkPath);
    await page.getByRole('heading', { name: 'Office move pulse' }).waitFor();
    assert.match(new URL(page.url()).pathname, /^\/s\/[A-Za-z0-9_-]+$/);
    assert.ok(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth + 1'));
    await page.getByRole('radio', { name: 'Agree', exact: true }).check();
    await page.getByLabel(/One thing we should change/).fill('Quieter meeting rooms');
    await page.getByRole('button', { name: 'Submit answers' }).click();
    await page.getByText('Thank you — your answers are in').waitFor();
    await page.screenshot({ path: path.join(RESULTS_DIR, 'public-link-thanks.png') });
    await page.goto(linkPath);
    await page.getByText('This link has been used').waitFor();
  });

  step('a second visitor gets a fresh sheet from the same link; the responses name nobody', async () => {
    const page = await phone();
    await page.goto(linkPath);
    await page.getByRole('heading', { name: 'Office move pulse' }).waitFor();
    await page.getByText('0 of 2 answered').waitFor();
    await page.getByRole('radio', { name: 'Strongly agree', exact: true }).check();
    await page.getByRole('button', { name: 'Submit answers' }).click();
    await page.getByText('Thank you — your answers are in').waitFor();
    const survey = (await call('GET', `/api/v1/surveys/${surveyId}`)).body;
    assert.deepEqual([survey.invited, survey.responses], [2, 2]);
    const responses = (await server.services.db.selectFrom('survey_responses').select(['person_id', 'team_id']).where('survey_id', '=', surveyId).execute()) as { person_id: string | null; team_id: string | null }[];
    assert.deepEqual(responses, [{ person_id: null, team_id: null }, { person_id: null, team_id: null }]);
  });
});
