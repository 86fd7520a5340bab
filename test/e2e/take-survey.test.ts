import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, ownerRequest, runWorker, sentEmails } from '../support/app.js';
import { ensureWebBuilt, openBrowser, journeySteps, type BrowserSession } from '../support/browser.js';

describe('journey: a participant opens their survey link on a phone, answers part, reloads, resumes and submits', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let b: BrowserSession & { consoleErrors: string[] };
  let link = '';
  let surveyId = '';
  const call = (method: string, url: string, body?: unknown) => ownerRequest(server, method, url, body);

  before(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    const dana = (await call('POST', '/api/v1/people', { kind: 'employee', externalId: 'D-1', name: 'Dana Doe', email: 'dana@browser.test' })).body.id as string;
    const s = await call('POST', '/api/v1/surveys', {
      title: 'Team pulse',
      kind: 'pulse',
      privacy: 'anonymous',
      audience: { people: [dana] },
      questions: [
        { id: 'q_tools', type: 'agreement', text: 'I have the tools to do my work well.', driver: 'competence' },
        { id: 'q_enps', type: 'likelihood', text: 'How likely are you to recommend working here?' },
        { id: 'q_why', type: 'text', text: 'What would make it better?', required: false, showIf: { question: 'q_enps', in: [0, 1, 2, 3, 4, 5, 6] } },
        { id: 'q_perks', type: 'multiple_choice', text: 'Which perks do you use?', required: false, options: [{ value: 'gym', label: 'Gym' }, { value: 'lunch', label: 'Lunch' }] },
      ],
    });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    surveyId = s.body.id;
    assert.equal((await call('POST', `/api/v1/surveys/${surveyId}/open`)).body.invited, 1);
    // The worker delivers the invitation; the link is in Dana's email, as she would get it.
    await runWorker(server);
    const mail = await sentEmails(server, 'survey.invitation');
    const m = /(http:\/\/\S+\/s\/[A-Za-z0-9_-]+)/.exec(mail[0]!.text);
    assert.ok(m, mail[0]?.text);
    link = new URL(m[1]!).pathname;
    b = await openBrowser(server.url, { viewport: { width: 390, height: 844 } });
  });
  after(async () => {
    await b?.close();
    await server?.close();
  });
  const step = journeySteps(() => b, import.meta.filename);

  step('the link opens the survey without signing in, with a progress bar', async () => {
    const { page } = b;
    await page.goto(link);
    await page.getByRole('heading', { name: 'Team pulse' }).waitFor();
    await page.getByText('0 of 3 answered').waitFor();
    assert.equal(await page.getByRole('progressbar').getAttribute('aria-valuenow'), '0');
    // Nothing overflows the phone's width.
    assert.ok(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth + 1'));
  });

  step('answers part; a low score shows the follow-up; answers are saved as they go', async () => {
    const { page } = b;
    await page.getByRole('radio', { name: 'Agree', exact: true }).check();
    await page.getByRole('radio', { name: '4', exact: true }).check();
    await page.getByLabel(/What would make it better/).fill('Fewer meetings');
    await page.getByTestId('save-state').getByText('Saved').waitFor();
    await page.getByText('3 of 4 answered').waitFor();
  });

  step('after a reload the answers are still there', async () => {
    const { page } = b;
    await page.reload();
    await page.getByText('3 of 4 answered').waitFor();
    assert.ok(await page.getByRole('radio', { name: 'Agree', exact: true }).isChecked());
    assert.equal(await page.getByLabel(/What would make it better/).inputValue(), 'Fewer meetings');
    await b.screenshot('take-survey-resumed');
  });

  step('changing the score hides the follow-up; submitting thanks, and the link then says it was used', async () => {
    const { page } = b;
    await page.getByRole('radio', { name: '10 – Extremely likely' }).check();
    await page.getByText('What would make it better').waitFor({ state: 'detached' });
    await page.getByRole('checkbox', { name: 'Lunch' }).check();
    await page.getByRole('button', { name: 'Submit answers' }).click();
    await page.getByText('Thank you — your answers are in').waitFor();
    const survey = await call('GET', `/api/v1/surveys/${surveyId}`);
    assert.equal(survey.body.responses, 1);
    const answers = (await server.services.db.selectFrom('survey_answers').selectAll().execute()) as { question_id: string; value_num: number | null; value_text: string | null; comment: string | null }[];
    assert.deepEqual(answers.map((a) => [a.question_id, a.value_num ?? a.value_text ?? a.comment]).sort(), [['q_enps', 10], ['q_perks', 'lunch'], ['q_tools', 4]]);
    await page.reload();
    await page.getByText('This link has been used').waitFor();
    assert.deepEqual(b.consoleErrors.filter((e) => !/status of 410/.test(e)), []);
  });
});
