import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ParsedMail } from 'mailparser';
import { createTestApp, DIALECTS, type TestApp, type TestWorkspace } from '../../../test/support/app.js';
import { startSmtp } from '../../../test/support/smtp.js';

for (const dialect of DIALECTS) {
  describe(`comms: inbox, email and templates (${dialect})`, () => {
    const clock = { t: Date.parse('2026-11-24T09:00:00Z'), now: () => clock.t };
    let t: TestApp;
    let smtp: Awaited<ReturnType<typeof startSmtp>>;
    let ws: TestWorkspace;
    let other: TestWorkspace;
    let dana: string;
    let eli: string;
    let danaKey: string;
    let eliKey: string;
    let n = 0;
    const post = (url: string, body: unknown, key = ws.ownerKey) => t.call('POST', url, { key, body });
    const work = async () => {
      const w = t.services.comms.worker({ random: () => 0.5 });
      const r = await w.drain();
      await w.close();
      return r;
    };
    const earn = async (personId: string, key = ws.ownerKey) => {
      const r = await post('/api/v1/events', { id: `T-${++n}`, occurredAt: '2026-11-24T08:00:00Z', type: 'ticket.resolved', personId }, key);
      assert.equal(r.status, 201, r.text);
      await work();
    };

    before(async () => {
      smtp = await startSmtp();
      t = await createTestApp(dialect, { clock, services: { smtpUrl: smtp.url, mailFrom: 'Acme Rewards <rewards@acme.test>', publicUrl: 'https://tandem.acme.test' } });
      ws = await t.workspace('Acme');
      other = await t.workspace('Other Co');
      dana = (await post('/api/v1/people', { kind: 'employee', externalId: 'D1', name: 'Dana Doe', email: 'dana@acme.test' })).body.id;
      eli = (await post('/api/v1/people', { kind: 'employee', externalId: 'E1', name: 'Eli Roe' })).body.id;
      danaKey = await ws.key('participant', { personId: dana });
      eliKey = await ws.key('participant', { personId: eli });
      const p = await post('/api/v1/programs', { name: 'Customer Heroes', audience: { kinds: ['employee'] }, budget: 10_000, rules: [{ name: 'Fix & <Ship>', on: 'ticket.resolved', award: { points: 25 } }] });
      assert.equal(p.status, 201, p.text);
      assert.equal((await post(`/api/v1/programs/${p.body.id}/activate`, {})).status, 200);
    });
    after(async () => {
      await t.close();
      await smtp.close();
    });

    test('points earned reach the inbox: list, unread count, mark one read, mark all read', async () => {
      await earn(dana);
      await earn(dana);
      const list = await t.call('GET', '/api/v1/me/inbox', { key: danaKey });
      assert.equal(list.status, 200, list.text);
      assert.equal(list.body.data.length, 2);
      assert.equal(list.body.unread, 2);
      const [first] = list.body.data;
      assert.equal(first.type, 'points.awarded');
      assert.equal(first.title, 'You earned 25 points');
      assert.equal(first.body, 'Hi Dana Doe,\n\nYou earned 25 points for Fix & <Ship> in Customer Heroes. Keep it up!');
      assert.equal(first.read, false);
      assert.deepEqual((await t.call('GET', '/api/v1/me/inbox/unread-count', { key: danaKey })).body, { unread: 2 });
      const read = await post(`/api/v1/me/inbox/${first.id}/read`, {}, danaKey);
      assert.equal(read.status, 200, read.text);
      assert.equal(read.body.read, true);
      assert.deepEqual((await t.call('GET', '/api/v1/me/inbox/unread-count', { key: danaKey })).body, { unread: 1 });
      assert.equal((await t.call('GET', '/api/v1/me/inbox?unread=true', { key: danaKey })).body.data.length, 1);
      const page = await t.call('GET', '/api/v1/me/inbox?limit=1', { key: danaKey });
      assert.equal(page.body.data.length, 1);
      const next = await t.call('GET', `/api/v1/me/inbox?limit=1&cursor=${page.body.nextCursor}`, { key: danaKey });
      assert.notEqual(next.body.data[0].id, page.body.data[0].id);
      const all = await post('/api/v1/me/inbox/read-all', {}, danaKey);
      assert.deepEqual(all.body, { marked: 1, unread: 0 });
      assert.deepEqual((await t.call('GET', '/api/v1/me/inbox/unread-count', { key: danaKey })).body, { unread: 0 });
    });

    test("a participant sees only their own messages: another person's is 404, another workspace's is 404", async () => {
      const mine = (await t.call('GET', '/api/v1/me/inbox', { key: danaKey })).body.data[0];
      assert.deepEqual((await t.call('GET', '/api/v1/me/inbox', { key: eliKey })).body.data, []);
      const r = await post(`/api/v1/me/inbox/${mine.id}/read`, {}, eliKey);
      assert.equal(r.status, 404);
      assert.equal(r.body.code, 'not_found');
      const outsider = await other.key('participant', { personId: (await post('/api/v1/people', { kind: 'employee', externalId: 'O1', name: 'Oz' }, other.ownerKey)).body.id });
      assert.equal((await post(`/api/v1/me/inbox/${mine.id}/read`, {}, outsider)).status, 404);
      assert.deepEqual((await t.call('GET', '/api/v1/me/inbox', { key: outsider })).body.data, []);
      assert.deepEqual((await t.call('GET', '/api/v1/me/inbox', { key: ws.ownerKey })).body, { data: [], nextCursor: null, unread: 0 }, 'a key with no person has no inbox');
      assert.equal((await post('/api/v1/me/inbox/inb_nope/read', {}, danaKey)).body.errors[0].path, 'params.id');
    });

    test('an email goes by SMTP to a person with an address: recipients, subject, both parts, a stable Message-ID, the one-click unsubscribe headers', async () => {
      smtp.received.length = 0;
      await earn(dana);
      await earn(eli); // no address: inbox only
      assert.equal(smtp.received.length, 1);
      const [{ envelopeTo, mail }] = smtp.received as [{ envelopeTo: string[]; mail: ParsedMail }];
      assert.deepEqual(envelopeTo, ['dana@acme.test']);
      assert.equal(mail.from?.text, '"Acme Rewards" <rewards@acme.test>');
      assert.equal(mail.subject, 'You earned 25 points');
      assert.match(mail.text!, /You earned 25 points for Fix & <Ship> in Customer Heroes/);
      assert.match(mail.html as string, /for Fix &amp; &lt;Ship&gt; in <strong>Customer Heroes<\/strong>/);
      assert.match(mail.html as string, />Acme</);
      assert.doesNotMatch(mail.html as string, /<Ship>/);
      assert.match(mail.messageId!, /^<eml_[0-9a-z]{26}@tandem\.acme\.test>$/);
      const header = (name: string) => mail.headerLines.find((h) => h.key === name)?.line.replace(/\r?\n(?=[ \t])/g, '') ?? '';
      const link = /^List-Unsubscribe:\s*<(https:\/\/tandem\.acme\.test\/api\/v1\/unsubscribe\?token=[^>]+)>$/.exec(header('list-unsubscribe'));
      assert.ok(link, `List-Unsubscribe names the link: ${header('list-unsubscribe')}`);
      assert.equal(header('list-unsubscribe-post'), 'List-Unsubscribe-Post: List-Unsubscribe=One-Click');
      assert.ok(mail.text!.includes(link[1]!) && (mail.html as string).includes(link[1]!.replace(/&/g, '&amp;')), 'both parts carry the link');
      const sent = await t.call('GET', '/api/v1/sent-mail', { key: ws.ownerKey });
      assert.equal(sent.body.data[0].status, 'sent');
      assert.equal(`<${sent.body.data[0].id}@tandem.acme.test>`, mail.messageId);

      // The one-click POST (as a mail client sends it) needs no session and stops that type.
      const path = link[1]!.replace('https://tandem.acme.test', '');
      const page = await t.call('GET', path);
      assert.equal(page.status, 200);
      assert.match(page.text, /Stop points earned emails\?/);
      const off = await t.call('POST', path, { payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(off.status, 200, off.text);
      assert.deepEqual(off.body, { unsubscribed: true, type: 'points.awarded', label: 'points earned', workspaceName: 'Acme' });
      smtp.received.length = 0;
      await earn(dana);
      assert.equal(smtp.received.length, 0, 'no email of that type after unsubscribing');
      assert.equal((await t.call('GET', '/api/v1/me/inbox/unread-count', { key: danaKey })).body.unread, 2, 'the inbox still hears');
    });

    test('a tampered or missing unsubscribe token is refused naming the token, and changes nothing', async () => {
      for (const token of ['nope', 'a.b', `${'x'.repeat(40)}.${'y'.repeat(43)}`]) {
        const r = await t.call('POST', `/api/v1/unsubscribe?token=${token}`, { body: {} });
        assert.equal(r.status, 400, r.text);
        assert.equal(r.body.errors[0].path, 'token');
      }
      assert.equal((await t.call('POST', '/api/v1/unsubscribe', { body: {} })).status, 400);
    });

    test('sent mail is for staff: a participant gets 403, another workspace 404', async () => {
      const list = await t.call('GET', '/api/v1/sent-mail', { key: ws.ownerKey });
      const id = list.body.data[0].id;
      const one = await t.call('GET', `/api/v1/sent-mail/${id}`, { key: ws.ownerKey });
      assert.equal(one.status, 200);
      assert.match(one.body.html, /<!doctype html>/);
      assert.equal((await t.call('GET', '/api/v1/sent-mail', { key: danaKey })).status, 403);
      assert.equal((await t.call('GET', `/api/v1/sent-mail/${id}`, { key: other.ownerKey })).status, 404);
    });

    test('a template override changes the next messages; the preview renders sample data with variables HTML-escaped; reset restores the default', async () => {
      const got = await t.call('GET', '/api/v1/message-templates/points.awarded', { key: ws.ownerKey });
      assert.equal(got.status, 200, got.text);
      assert.equal(got.body.overridden, false);
      assert.ok(got.body.variables.some((v: { name: string }) => v.name === 'ruleName'));
      const bad = await t.call('PUT', '/api/v1/message-templates/points.awarded', { key: ws.ownerKey, body: { subject: 'Hi {{nobody}}', text: 'x', html: 'x' } });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errors[0].path, 'subject');
      assert.equal((await t.call('GET', '/api/v1/message-templates/points.awarded', { key: ws.ownerKey })).body.overridden, false, 'nothing stored');
      assert.equal((await t.call('PUT', '/api/v1/message-templates/points.nope', { key: ws.ownerKey, body: { subject: 'a', text: 'b', html: 'c' } })).status, 400);
      const put = await t.call('PUT', '/api/v1/message-templates/points.awarded', { key: ws.ownerKey, body: { subject: '+{{points}} for {{ruleName}}', text: 'Nice one, {{personName}}.', html: '<p>Nice one, <em>{{personName}}</em>: {{ruleName}}</p>' } });
      assert.equal(put.status, 200, put.text);
      assert.equal(put.body.overridden, true);
      const preview = await post('/api/v1/message-templates/points.awarded/preview', { html: '<p>{{ruleName}} by {{personName}}</p>' });
      assert.equal(preview.status, 200, preview.text);
      assert.equal(preview.body.subject, '+50 for Ticket resolved');
      assert.match(preview.body.html, /<p>Ticket resolved by Dana Example<\/p>/);
      assert.match(preview.body.html, />Acme</);
      await earn(eli);
      const [latest] = (await t.call('GET', '/api/v1/me/inbox', { key: eliKey })).body.data;
      assert.equal(latest.title, '+25 for Fix & <Ship>');
      assert.equal(latest.body, 'Nice one, Eli Roe.');
      const previewEscapes = await post('/api/v1/message-templates/points.awarded/preview', {});
      assert.match(previewEscapes.body.html, /<em>Dana Example<\/em>/);
      assert.equal((await t.call('PUT', '/api/v1/message-templates/points.awarded', { key: danaKey, body: { subject: 'a', text: 'b', html: 'c' } })).status, 403);
      assert.equal((await t.call('GET', '/api/v1/message-templates/points.awarded', { key: other.ownerKey })).body.overridden, false, 'another workspace keeps the default');
      const reset = await t.call('DELETE', '/api/v1/message-templates/points.awarded', { key: ws.ownerKey });
      assert.equal(reset.status, 200, reset.text);
      assert.equal(reset.body.overridden, false);
      assert.equal(reset.body.subject, 'You earned {{points}} {{pointsLabel}}');
    });

    test("the workspace's colour and logo head the email; a bad colour or logo URL is refused naming the field", async () => {
      for (const [body, path] of [[{ brandColor: 'red' }, 'brandColor'], [{ logoUrl: 'javascript:alert(1)' }, 'logoUrl']] as const) {
        const r = await t.call('PATCH', '/api/v1/workspace', { key: ws.ownerKey, body });
        assert.equal(r.status, 400, r.text);
        assert.equal(r.body.errors[0].path, path);
      }
      const ok = await t.call('PATCH', '/api/v1/workspace', { key: ws.ownerKey, body: { brandColor: '#aa3300', logoUrl: 'https://cdn.acme.test/logo.png' } });
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual([ok.body.brandColor, ok.body.logoUrl], ['#aa3300', 'https://cdn.acme.test/logo.png']);
      const preview = await post('/api/v1/message-templates/goal.tier_reached/preview', {});
      assert.match(preview.body.html, /background:#aa3300/);
      assert.match(preview.body.html, /<img src="https:\/\/cdn\.acme\.test\/logo\.png"/);
      smtp.received.length = 0;
      await t.call('POST', '/api/v1/people', { key: ws.ownerKey, body: { kind: 'employee', externalId: 'B1', name: 'Bo', email: 'bo@acme.test' } });
      const bo = (await t.call('GET', '/api/v1/people?limit=500', { key: ws.ownerKey })).body.data.find((p: { externalId: string }) => p.externalId === 'B1').id;
      await earn(bo);
      assert.match(smtp.received[0]!.mail.html as string, /background:#aa3300/);
      await t.call('PATCH', '/api/v1/workspace', { key: ws.ownerKey, body: { brandColor: null, logoUrl: null } });
    });

    test('HTML in a variable is escaped in the email, never markup', async () => {
      await post('/api/v1/people', { kind: 'employee', externalId: 'X1', name: '<script>alert(1)</script>', email: 'x@acme.test' });
      const who = (await t.call('GET', '/api/v1/people?limit=500', { key: ws.ownerKey })).body.data.find((p: { externalId: string }) => p.externalId === 'X1').id;
      smtp.received.length = 0;
      await earn(who);
      const html = smtp.received[0]!.mail.html as string;
      assert.doesNotMatch(html, /<script>/);
      assert.match(html, /Hi &lt;script&gt;alert\(1\)&lt;\/script&gt;,/);
    });
  });

  describe(`comms: email without SMTP_URL is kept in the database (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(dialect);
    });
    after(() => t.close());

    test('the email is stored with both parts and shown on Sent mail', async () => {
      const ws = await t.workspace('Offline Co');
      const post = (url: string, body: unknown) => t.call('POST', url, { key: ws.ownerKey, body });
      const person = (await post('/api/v1/people', { kind: 'employee', externalId: 'P1', name: 'Pat', email: 'pat@offline.test' })).body.id;
      const p = await post('/api/v1/programs', { name: 'Tickets', audience: { kinds: ['employee'] }, budget: 1000, rules: [{ name: 'Ticket', on: 'ticket.resolved', award: { points: 5 } }] });
      await post(`/api/v1/programs/${p.body.id}/activate`, {});
      assert.equal((await post('/api/v1/events', { id: 'S-1', occurredAt: '2026-11-20T10:00:00Z', type: 'ticket.resolved', personId: person })).status, 201);
      const w = t.services.comms.worker();
      await w.drain();
      await w.close();
      const list = await t.call('GET', '/api/v1/sent-mail', { key: ws.ownerKey });
      assert.equal(list.body.data.length, 1);
      const [m] = list.body.data;
      assert.deepEqual([m.to, m.subject, m.status, m.personId], ['pat@offline.test', 'You earned 5 points', 'stored', person]);
      const full = await t.call('GET', `/api/v1/sent-mail/${m.id}`, { key: ws.ownerKey });
      assert.match(full.body.text, /You earned 5 points for Ticket in Tickets/);
      assert.match(full.body.text, /Unsubscribe from points earned emails: http:\/\/127\.0\.0\.1\/api\/v1\/unsubscribe\?token=/);
      assert.match(full.body.html, /Unsubscribe from points earned emails/);

      // Erasure reaches the copies: the inbox keeps nothing, the stored mail no address or text.
      assert.equal((await post(`/api/v1/people/${person}/erase`, {})).status, 200);
      const after = await t.call('GET', `/api/v1/sent-mail/${m.id}`, { key: ws.ownerKey });
      assert.doesNotMatch(JSON.stringify(after.body), /pat@offline|Pat\b|5 points for Ticket/);
      const inbox = await t.services.db.selectFrom('inbox_messages').select('id').where('workspace_id', '=', ws.id).where('person_id', '=', person).execute();
      assert.deepEqual(inbox, []);
    });

    test('a fan-out run twice for one domain message (a worker that lost its lease) writes one inbox message and one email', async () => {
      const ws = await t.workspace('Twice Co');
      const person = (await t.call('POST', '/api/v1/people', { key: ws.ownerKey, body: { kind: 'employee', externalId: 'T1', name: 'Tess', email: 'tess@twice.test' } })).body.id;
      const now = Date.now();
      const msg = { workspace_id: ws.id, id: 'msg_01jtwice0000000000000000000', topic: 'points.awarded', payload: JSON.stringify({ personId: person, points: 7, programId: null, ruleId: null }), status: 'pending' as const, attempts: 1, available_at: now, created_at: now, lease_until: null, claimed_by: null, last_error: null, settled_at: null, give_up_at: null };
      const notify = t.services.comms.notify;
      const work: unknown[] = [];
      for (let i = 0; i < 2; i++) {
        const made = await notify.prepare(ws.id, [msg]);
        work.push(...(await t.services.db.transaction().execute((tx) => notify.write(tx, ws.id, made))));
      }
      assert.equal(work.length, 1, 'one email work item');
      const count = async (table: 'inbox_messages' | 'emails') => Number((await t.services.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where('workspace_id', '=', ws.id).executeTakeFirstOrThrow()).n);
      assert.deepEqual([await count('inbox_messages'), await count('emails')], [1, 1]);
    });

    test('a goal tier reached is one message naming the goal and the tier (its points are not told twice)', async () => {
      const ws = await t.workspace('Goals Co');
      const post = (url: string, body: unknown) => t.call('POST', url, { key: ws.ownerKey, body });
      const person = (await post('/api/v1/people', { kind: 'employee', externalId: 'G1', name: 'Gia', email: 'gia@goals.test' })).body.id;
      const key = await ws.key('participant', { personId: person });
      const p = await post('/api/v1/programs', { name: 'Renewals', audience: { kinds: ['employee'] }, budget: 10_000, rules: [{ name: 'Deal', on: 'deal.registered', award: { points: 10 } }] });
      await post(`/api/v1/programs/${p.body.id}/activate`, {});
      assert.equal((await post('/api/v1/goals', { programId: p.body.id, name: 'Two deals', metric: { on: 'deal.registered', aggregate: 'count' }, period: 'month', target: 2, tiers: [{ percent: 100, points: 500 }] })).status, 201);
      const deal = (id: string) => ({ id, occurredAt: new Date(Date.now() - 60_000).toISOString(), type: 'deal.registered', personId: person, properties: {} });
      assert.equal((await post('/api/v1/events', { events: [deal('g-1'), deal('g-2')] })).status, 200);
      const w = t.services.comms.worker();
      await w.drain();
      await w.close();
      const titles = (await t.call('GET', '/api/v1/me/inbox', { key })).body.data.map((m: { title: string }) => m.title).sort();
      assert.deepEqual(titles, ['You earned 10 points', 'You earned 10 points', 'You reached 100% of Two deals']);
      const tier = (await t.call('GET', '/api/v1/me/inbox', { key })).body.data.find((m: { type: string }) => m.type === 'goal.tier_reached');
      assert.equal(tier.body, 'Hi Gia,\n\nYou reached 100% of Two deals in Renewals and earned 500 points. Well done!');
      assert.equal((await t.call('GET', '/api/v1/sent-mail', { key: ws.ownerKey })).body.data.length, 3);
    });
  });
}
