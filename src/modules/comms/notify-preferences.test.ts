import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ParsedMail } from 'mailparser';
import { createTestApp, DIALECTS, type TestApp, type TestWorkspace } from '../../../test/support/app.js';
import { startSmtp } from '../../../test/support/smtp.js';


for (const dialect of DIALECTS) {
  describe(`comms: notification preferences, digests and quiet hours (${dialect})`, () => {
    // 09:00 UTC is 10:00 in Paris (winter time).
    const clock = { t: Date.parse('2026-12-01T09:00:00Z'), now: () => clock.t };
    let t: TestApp;
    let smtp: Awaited<ReturnType<typeof startSmtp>>;
    let ws: TestWorkspace;
    let other: TestWorkspace;
    let n = 0;
    const post = (url: string, body: unknown, key = ws.ownerKey) => t.call('POST', url, { key, body });
    const put = (url: string, body: unknown, key: string) => t.call('PUT', url, { key, body });
    const work = async () => {
      const w = t.services.comms.worker({ random: () => 0.5 });
      const r = await w.drain();
      await w.close();
      return r;
    };
    const earn = async (personId: string) => {
      const r = await post('/api/v1/events', { id: `P-${++n}`, occurredAt: '2026-12-01T08:00:00Z', type: 'ticket.resolved', personId });
      assert.equal(r.status, 201, r.text);
      await work();
    };
    const inbox = async (key: string) => (await t.call('GET', '/api/v1/me/inbox', { key })).body.data as { type: string; title: string; body: string; data: Record<string, unknown> }[];
    const unsubscribeHeader = (m: ParsedMail) => m.headerLines.find((h) => h.key === 'list-unsubscribe')?.line.replace(/\r?\n(?=[ \t])/g, '') ?? '';
    const mailTo = (address: string) => smtp.received.map((r) => r.mail).filter((m) => m.to && !Array.isArray(m.to) && m.to.text === address);
    /** A participant in Paris with an address, and their key. */
    const participant = async (name: string) => {
      const ext = `X-${++n}`;
      const email = `${ext.toLowerCase()}@acme.test`;
      const p = await post('/api/v1/people', { kind: 'employee', externalId: ext, name, email, timezone: 'Europe/Paris' });
      assert.equal(p.status, 201, p.text);
      return { id: p.body.id as string, email, key: await ws.key('participant', { personId: p.body.id }) };
    };

    before(async () => {
      smtp = await startSmtp();
      t = await createTestApp(dialect, { clock, services: { smtpUrl: smtp.url, mailFrom: 'Acme <rewards@acme.test>', publicUrl: 'https://tandem.acme.test' } });
      ws = await t.workspace('Acme');
      other = await t.workspace('Other Co');
      const p = await post('/api/v1/programs', { name: 'Customer Heroes', audience: { kinds: ['employee'] }, budget: 100_000, rules: [{ name: 'Ticket resolved', on: 'ticket.resolved', award: { points: 25 } }] });
      assert.equal(p.status, 201, p.text);
      assert.equal((await post(`/api/v1/programs/${p.body.id}/activate`, {})).status, 200);
    });
    after(async () => {
      await t.close();
      await smtp.close();
    });

    test('until a participant chooses: every type to the inbox and by email, at once, no quiet hours', async () => {
      const ana = await participant('Ana');
      const r = await t.call('GET', '/api/v1/me/notification-preferences', { key: ana.key });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.personId, ana.id);
      assert.equal(r.body.hasEmail, true);
      assert.equal(r.body.timezone, 'Europe/Paris');
      assert.equal(r.body.quietHoursSetting, 'workspace');
      assert.equal(r.body.quietHours, null);
      assert.equal(r.body.digestEmail, true);
      const types = r.body.types as Record<string, unknown>[];
      assert.deepEqual(types.slice(0, 2).map((x) => x.type), ['points.awarded', 'goal.tier_reached']);
      assert.ok(!types.some((x) => x.type === 'digest'), 'a digest is not a type of its own to choose');
      for (const x of types) assert.deepEqual([x.inbox, x.email, x.frequency], [true, true, 'immediate'], String(x.type));
      await earn(ana.id);
      assert.equal((await inbox(ana.key)).length, 1);
      assert.equal(mailTo(ana.email).length, 1);
    });

    test('bad choices are 400 naming the field and change nothing', async () => {
      const bo = await participant('Bo');
      const before = (await t.call('GET', '/api/v1/me/notification-preferences', { key: bo.key })).body;
      const cases: [unknown, string][] = [
        [{ types: [{ type: 'points.lost', inbox: false }] }, 'types.0.type'],
        [{ types: [{ type: 'points.awarded', frequency: 'hourly' }] }, 'types.0.frequency'],
        [{ types: [{ type: 'points.awarded', inbox: 'no' }] }, 'types.0.inbox'],
        [{ types: [{ type: 'points.awarded' }, { type: 'points.awarded', inbox: false }] }, 'types'],
        [{ quietHours: { start: '25:00', end: '07:00' } }, 'quietHours.start'],
        [{ quietHours: { start: '21:00', end: '21:00' } }, 'quietHours.end'],
        [{ quietHoursSetting: 'custom' }, 'quietHours'],
        [{ quietHoursSetting: 'sometimes' }, 'quietHoursSetting'],
        [{ digestEmail: true, extra: 1 }, 'extra'],
      ];
      for (const [body, path] of cases) {
        const r = await put('/api/v1/me/notification-preferences', body, bo.key);
        assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
        assert.match(String(r.headers['content-type']), /application\/problem\+json/);
        assert.ok(
          r.body.errors.some((e: { path: string }) => e.path === path || e.path === `body.${path}`),
          `${JSON.stringify(body)} names ${path}: ${JSON.stringify(r.body.errors)}`,
        );
      }
      assert.deepEqual((await t.call('GET', '/api/v1/me/notification-preferences', { key: bo.key })).body, before);
    });

    test('inbox off, email on: the message comes only by email; email off: only to the inbox; on again: both', async () => {
      const cy = await participant('Cy');
      const set = await put('/api/v1/me/notification-preferences', { types: [{ type: 'points.awarded', inbox: false }] }, cy.key);
      assert.equal(set.status, 200, set.text);
      assert.deepEqual(set.body.types[0], { type: 'points.awarded', label: 'points earned', inbox: false, email: true, frequency: 'immediate' });
      await earn(cy.id);
      assert.equal((await inbox(cy.key)).length, 0);
      assert.equal(mailTo(cy.email).length, 1);

      await put('/api/v1/me/notification-preferences', { types: [{ type: 'points.awarded', inbox: true, email: false }] }, cy.key);
      await earn(cy.id);
      assert.equal((await inbox(cy.key)).length, 1);
      assert.equal(mailTo(cy.email).length, 1, 'no second email');

      await put('/api/v1/me/notification-preferences', { types: [{ type: 'points.awarded', email: true }] }, cy.key);
      await earn(cy.id);
      assert.equal((await inbox(cy.key)).length, 2);
      assert.equal(mailTo(cy.email).length, 2);
    });

    test('the one-click unsubscribe and the preferences page are one switch', async () => {
      const di = await participant('Di');
      await earn(di.id);
      const [mail] = mailTo(di.email);
      const link = /<(https:\/\/tandem\.acme\.test\/api\/v1\/unsubscribe\?token=[^>]+)>/.exec(unsubscribeHeader(mail!))![1]!;
      const off = await t.call('POST', link.replace('https://tandem.acme.test', ''), { body: {} });
      assert.equal(off.status, 200, off.text);
      const prefs = (await t.call('GET', '/api/v1/me/notification-preferences', { key: di.key })).body;
      assert.equal(prefs.types.find((x: { type: string }) => x.type === 'points.awarded').email, false);
      await earn(di.id);
      assert.equal(mailTo(di.email).length, 1, 'unsubscribed: no email');
      await put('/api/v1/me/notification-preferences', { types: [{ type: 'points.awarded', email: true }] }, di.key);
      await earn(di.id);
      assert.equal(mailTo(di.email).length, 2, 'subscribed again from the preferences page');
    });

    test('a daily digest gathers the messages of a day into one inbox message and one email at 08:00 local time, once', async () => {
      const ed = await participant('Ed');
      const r = await put('/api/v1/me/notification-preferences', { types: [{ type: 'points.awarded', frequency: 'daily' }] }, ed.key);
      assert.equal(r.status, 200, r.text);
      await earn(ed.id);
      await earn(ed.id);
      await earn(ed.id);
      assert.equal((await inbox(ed.key)).length, 0, 'nothing yet');
      assert.equal(mailTo(ed.email).length, 0);
      assert.equal((await t.call('GET', '/api/v1/me/notification-preferences', { key: ed.key })).body.pendingDigestItems, 3);

      const start = clock.t;
      clock.t = Date.parse('2026-12-02T06:59:00Z'); // 07:59 in Paris
      await work();
      assert.equal((await inbox(ed.key)).length, 0, 'not before 08:00 local');
      clock.t = Date.parse('2026-12-02T07:00:00Z'); // 08:00 in Paris
      await work();
      await work();
      const box = await inbox(ed.key);
      assert.equal(box.length, 1, 'one digest');
      assert.equal(box[0]!.type, 'digest');
      assert.equal(box[0]!.title, 'Your Acme summary: 3 updates today');
      assert.equal(box[0]!.body.match(/• You earned 25 points — Ticket resolved, Customer Heroes/g)?.length, 3);
      assert.equal((box[0]!.data.items as unknown[]).length, 3);
      const mails = mailTo(ed.email);
      assert.equal(mails.length, 1);
      assert.equal(mails[0]!.subject, 'Your Acme summary: 3 updates today');
      assert.equal(String(mails[0]!.html).match(/<li>You earned 25 points — Ticket resolved, Customer Heroes<\/li>/g)?.length, 3);
      assert.match(unsubscribeHeader(mails[0]!), /unsubscribe\?token=/);
      assert.equal((await t.call('GET', '/api/v1/me/notification-preferences', { key: ed.key })).body.pendingDigestItems, 0);
      clock.t = start;
    });

    test('two workers at once make one digest', async () => {
      const fi = await participant('Fi');
      await put('/api/v1/me/notification-preferences', { types: [{ type: 'points.awarded', frequency: 'weekly' }] }, fi.key);
      await earn(fi.id);
      await earn(fi.id);
      const start = clock.t;
      clock.t = Date.parse('2026-12-07T07:00:00Z'); // Monday 08:00 in Paris
      const a = t.services.comms.worker({ random: () => 0.5 });
      const b = t.services.comms.worker({ random: () => 0.5 });
      await Promise.all([a.drain(), b.drain()]);
      await Promise.all([a.close(), b.close()]);
      const box = await inbox(fi.key);
      assert.equal(box.length, 1);
      assert.equal(box[0]!.title, 'Your Acme summary: 2 updates this week');
      assert.equal(mailTo(fi.email).length, 1);
      clock.t = start;
    });

    test("quiet hours hold email (not the inbox) until they end, in the participant's time zone; the workspace's apply to those who set none", async () => {
      const gu = await participant('Gu');
      const r = await put('/api/v1/me/notification-preferences', { quietHours: { start: '21:00', end: '07:00' } }, gu.key);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.quietHoursSetting, 'custom');
      assert.deepEqual(r.body.quietHours, { start: '21:00', end: '07:00' });
      const start = clock.t;
      clock.t = Date.parse('2026-12-01T21:30:00Z'); // 22:30 in Paris
      await earn(gu.id);
      assert.equal((await inbox(gu.key)).length, 1, 'the inbox at once');
      assert.equal(mailTo(gu.email).length, 0, 'email waits');
      const held = (await t.call('GET', '/api/v1/sent-mail', { key: ws.ownerKey })).body.data.find((m: { to: string }) => m.to === gu.email);
      assert.equal(held.status, 'pending');
      assert.equal(held.sendAfter, '2026-12-02T06:00:00.000Z', '07:00 in Paris');
      clock.t = Date.parse('2026-12-02T05:59:00Z');
      await work();
      assert.equal(mailTo(gu.email).length, 0);
      clock.t = Date.parse('2026-12-02T06:00:00Z');
      await work();
      assert.equal(mailTo(gu.email).length, 1, 'sent when quiet hours end');

      // The workspace's quiet hours: for those who follow them, not for those who turned them off.
      const ws1 = await t.call('PATCH', '/api/v1/workspace', { key: ws.ownerKey, body: { quietHours: { start: '20:00', end: '08:00' } } });
      assert.equal(ws1.status, 200, ws1.text);
      assert.deepEqual(ws1.body.quietHours, { start: '20:00', end: '08:00' });
      const bad = await t.call('PATCH', '/api/v1/workspace', { key: ws.ownerKey, body: { quietHours: { start: '20:00' } } });
      assert.equal(bad.status, 400);
      assert.ok(bad.body.errors.some((e: { path: string }) => e.path.endsWith('quietHours.end')), JSON.stringify(bad.body.errors));
      const ha = await participant('Ha');
      const io = await participant('Io');
      await put('/api/v1/me/notification-preferences', { quietHoursSetting: 'off' }, io.key);
      assert.deepEqual((await t.call('GET', '/api/v1/me/notification-preferences', { key: ha.key })).body.quietHours, { start: '20:00', end: '08:00' });
      clock.t = Date.parse('2026-12-02T20:00:00Z'); // 21:00 in Paris
      await earn(ha.id);
      await earn(io.id);
      assert.equal(mailTo(ha.email).length, 0, 'held by the workspace’s quiet hours');
      assert.equal(mailTo(io.email).length, 1, 'quiet hours off');
      clock.t = Date.parse('2026-12-03T07:00:00Z'); // 08:00 in Paris
      await work();
      assert.equal(mailTo(ha.email).length, 1);
      await t.call('PATCH', '/api/v1/workspace', { key: ws.ownerKey, body: { quietHours: null } });
      clock.t = start;
    });

    test('an admin reads and changes a participant’s choices; other workspaces and other roles cannot', async () => {
      const jo = await participant('Jo');
      const r = await t.call('GET', `/api/v1/people/${jo.id}/notification-preferences`, { key: ws.ownerKey });
      assert.equal(r.status, 200, r.text);
      const changed = await put(`/api/v1/people/${jo.id}/notification-preferences`, { digestEmail: false, types: [{ type: 'goal.tier_reached', frequency: 'weekly' }] }, ws.ownerKey);
      assert.equal(changed.status, 200, changed.text);
      const seen = (await t.call('GET', '/api/v1/me/notification-preferences', { key: jo.key })).body;
      assert.equal(seen.digestEmail, false);
      assert.equal(seen.types[1].frequency, 'weekly');
      const audit = await t.call('GET', `/api/v1/audit-log?targetId=${jo.id}`, { key: ws.ownerKey });
      assert.ok(audit.body.data.some((e: { action: string }) => e.action === 'notification_preferences.updated'), audit.text);

      const outsider = await t.call('GET', `/api/v1/people/${jo.id}/notification-preferences`, { key: other.ownerKey });
      assert.equal(outsider.status, 404);
      assert.equal((await put(`/api/v1/people/${jo.id}/notification-preferences`, { digestEmail: true }, other.ownerKey)).status, 404);
      assert.equal((await t.call('GET', `/api/v1/people/${jo.id}/notification-preferences`, { key: jo.key })).status, 403);
      assert.equal((await t.call('GET', '/api/v1/me/notification-preferences', { key: jo.key })).body.digestEmail, false, 'unchanged by the refused calls');
      const noPerson = await t.call('GET', '/api/v1/me/notification-preferences', { key: ws.ownerKey });
      assert.equal(noPerson.status, 404);
      assert.match(noPerson.body.detail, /not linked to a participant/);
    });
  });
}
