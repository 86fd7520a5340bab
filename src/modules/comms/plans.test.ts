import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, DIALECTS, type TestApp, type TestWorkspace } from '../../../test/support/app.js';
import { openDatabase } from '../../core/db/db.js';
import { createServices } from '../../app.js';
import { isHeldOut } from '../programs/index.js';
import { systemContext } from '../../core/auth.js';

const DAY = 24 * 3600_000;

for (const dialect of DIALECTS) {
  describe(`comms: communication plans (${dialect})`, () => {
    // Friday 20 March 2026, 10:00 UTC: Berlin moves to summer time on Sunday 29 March.
    const clock = { t: Date.parse('2026-03-20T10:00:00Z'), now: () => clock.t };
    let t: TestApp & { db: { url?: string; file?: string } };
    let ws: TestWorkspace;
    let other: TestWorkspace;
    const people: { id: string; name: string }[] = [];
    let program: string;
    let n = 0;
    const call = (method: string, url: string, body?: unknown, key = ws.ownerKey) => t.call(method, url, { key, body });
    const plan = (suffix = '') => `/api/v1/programs/${program}/communications${suffix}`;
    const work = async () => {
      const w = t.services.comms.worker({ random: () => 0.5 });
      const r = await w.drain();
      await w.close();
      return r;
    };
    const inboxOf = async (personId: string, type?: string) => {
      const key = await ws.key('participant', { personId });
      const r = await t.call('GET', '/api/v1/me/inbox?limit=100', { key });
      assert.equal(r.status, 200, r.text);
      return (r.body.data as { type: string; title: string; body: string; data: Record<string, unknown> }[]).filter((m) => !type || m.type === type);
    };
    const newProgram = async (body: Record<string, unknown> = {}) => {
      const p = await call('POST', '/api/v1/programs', { name: `Customer Heroes ${++n}`, audience: { attributes: { heroes: [true] } }, budget: 100_000, rules: [{ name: 'Ticket resolved', on: 'ticket.resolved', award: { points: 25 } }], ...body });
      assert.equal(p.status, 201, p.text);
      return p.body.id as string;
    };

    before(async () => {
      t = await createTestApp(dialect, { clock });
      ws = await t.workspace('Acme');
      other = await t.workspace('Other Co');
      assert.equal((await call('PATCH', '/api/v1/workspace', { timezone: 'Europe/Berlin' })).status, 200);
      for (const name of ['Dana Doe', 'Eli Roe', 'Fay Poe', 'Gus Low', 'Hal Moe', 'Ida Noe']) {
        const r = await call('POST', '/api/v1/people', { kind: 'employee', externalId: `E-${people.length}`, name, email: `${name.split(' ')[0]!.toLowerCase()}@acme.test`, attributes: { heroes: true } });
        assert.equal(r.status, 201, r.text);
        people.push({ id: r.body.id, name });
      }
      // Outside the audience: it holds employees with the attribute.
      assert.equal((await call('POST', '/api/v1/people', { kind: 'employee', externalId: 'X1', name: 'Cy Outside' })).status, 201);
      program = await newProgram();
    });
    after(() => t.close());

    test('creates, lists, changes and deletes plan entries; the next runs are in the workspace time zone across a DST change', async () => {
      const created = await call('POST', plan(), { kind: 'progress', name: 'Weekly statement', cron: '0 9 * * MON' });
      assert.equal(created.status, 201, created.text);
      assert.match(created.body.id, /^cpe_/);
      assert.equal(created.body.messageType, 'program.progress');
      // 09:00 in Berlin is 08:00 UTC before 29 March and 07:00 UTC after.
      assert.deepEqual(created.body.nextRuns.map((r: { at: string }) => r.at), ['2026-03-23T08:00:00.000Z', '2026-03-30T07:00:00.000Z', '2026-04-06T07:00:00.000Z']);
      assert.match(created.body.nextRuns[0].local, /^Monday, 23 March 2026, 09:00$/);
      assert.match(created.body.waiting, /draft/);

      const list = await call('GET', plan());
      assert.equal(list.status, 200);
      assert.equal(list.body.timezone, 'Europe/Berlin');
      assert.deepEqual(list.body.data.map((e: { id: string }) => e.id), [created.body.id]);

      const off = await call('PATCH', plan(`/${created.body.id}`), { enabled: false, name: 'Monday statement' });
      assert.equal(off.status, 200, off.text);
      assert.equal(off.body.name, 'Monday statement');
      assert.deepEqual(off.body.nextRuns, []);
      assert.equal(off.body.waiting, 'disabled');
      const on = await call('PATCH', plan(`/${created.body.id}`), { enabled: true, cron: '30 2 * * *' });
      // 02:30 does not exist in Berlin on 29 March: that day's run is at 03:00 local (01:00 UTC).
      const runs = (await call('GET', `${plan('/next-runs')}?cron=${encodeURIComponent('30 2 * * *')}&count=12`)).body.runs.map((r: { at: string }) => r.at);
      assert.ok(runs.includes('2026-03-28T01:30:00.000Z') && runs.includes('2026-03-29T01:00:00.000Z') && runs.includes('2026-03-30T00:30:00.000Z'), runs.join(' '));
      assert.equal(on.body.nextRuns[0].at, '2026-03-21T01:30:00.000Z');

      assert.equal((await call('DELETE', plan(`/${created.body.id}`))).status, 204);
      assert.equal((await call('GET', plan(`/${created.body.id}`))).status, 404);
      assert.equal((await call('PATCH', plan(`/${created.body.id}`), { enabled: false })).status, 404);
    });

    test('rejects a bad schedule or wording with 400 naming the field, and changes nothing', async () => {
      const bad = async (body: unknown, path: string) => {
        const r = await call('POST', plan(), body);
        assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
        assert.match(String(r.headers['content-type']), /problem\+json/);
        assert.ok(r.body.errors.some((e: { path: string }) => e.path === path), `${JSON.stringify(body)}: ${r.text}`);
      };
      const before = (await call('GET', plan())).body.data.length;
      await bad({ kind: 'progress', cron: '61 9 * * *' }, 'cron');
      await bad({ kind: 'progress', cron: 'every monday' }, 'cron');
      await bad({ kind: 'progress', cron: '* * * * *' }, 'cron');
      await bad({ kind: 'progress', cron: '0 0 9 * * 1' }, 'cron');
      await bad({ kind: 'progress' }, 'cron');
      await bad({ kind: 'progress', cron: '0 9 * * MON', sendAt: '2026-04-01T09:00:00Z' }, 'sendAt');
      await bad({ kind: 'custom', sendAt: '2026-03-19T09:00:00Z', subject: 'Hi', text: 'Hello' }, 'sendAt');
      await bad({ kind: 'custom', cron: '0 9 * * MON', text: 'Hello' }, 'subject');
      await bad({ kind: 'custom', cron: '0 9 * * MON', subject: 'Hi {{firstName}}', text: 'Hello' }, 'subject');
      await bad({ kind: 'custom', cron: '0 9 * * MON', subject: 'Hi', text: 'You have {{points}}' }, 'text');
      await bad({ kind: 'launch', cron: '0 9 * * MON' }, 'cron');
      await bad({ kind: 'progress', cron: '0 9 * * MON', subject: 'Hi' }, 'subject');
      await bad({ kind: 'ending_reminder', daysBeforeEnd: 0 }, 'daysBeforeEnd');
      await bad({ kind: 'weekly' }, 'kind');
      const bc = await call('GET', `${plan('/next-runs')}?cron=${encodeURIComponent('0 25 * * *')}`);
      assert.equal(bc.status, 400);
      assert.equal(bc.body.errors[0].path, 'cron');
      assert.equal((await call('GET', plan())).body.data.length, before);
    });

    test('another workspace sees no plan (404); a participant may not read it (403); an analyst reads but may not write', async () => {
      const e = (await call('POST', plan(), { kind: 'launch' })).body;
      assert.equal((await call('GET', plan(), undefined, other.ownerKey)).status, 404);
      assert.equal((await call('POST', plan(), { kind: 'launch' }, other.ownerKey)).status, 404);
      assert.equal((await call('PATCH', plan(`/${e.id}`), { enabled: false }, other.ownerKey)).status, 404);
      assert.equal((await call('DELETE', plan(`/${e.id}`), undefined, other.ownerKey)).status, 404);
      assert.equal((await call('GET', `/api/v1/programs/${program}/cadence`, undefined, other.ownerKey)).status, 404);
      const participant = await ws.key('participant', { personId: people[0]!.id });
      assert.equal((await call('GET', plan(), undefined, participant)).status, 403);
      const analyst = await ws.key('analyst');
      assert.equal((await call('GET', plan(), undefined, analyst)).status, 200);
      assert.equal((await call('POST', plan(), { kind: 'launch' }, analyst)).status, 403);
      assert.equal((await call('DELETE', plan(`/${e.id}`))).status, 204);
    });

    test('a launch goes out when the program goes live, once, to the audience less its holdout', async () => {
      const p = await newProgram({ holdoutPercent: 50 });
      const url = `/api/v1/programs/${p}/communications`;
      const e = await call('POST', url, { kind: 'launch' });
      assert.equal(e.status, 201, e.text);
      assert.deepEqual(e.body.nextRuns, []);
      assert.equal(e.body.waiting, 'sent when the program goes live');
      await work();
      for (const person of people) assert.equal((await inboxOf(person.id, 'program.launch')).length, 0);
      assert.equal((await call('POST', `/api/v1/programs/${p}/activate`, {})).status, 200);
      await work();
      await work();
      const held = people.filter((x) => isHeldOut(p, x.id, 50));
      for (const person of people) {
        const got = await inboxOf(person.id, 'program.launch');
        assert.equal(got.length, held.includes(person) ? 0 : 1, person.name);
        if (got.length) assert.equal(got[0]!.title, `Customer Heroes ${n} is live`);
      }
      const after = (await call('GET', url)).body.data[0];
      assert.equal(after.waiting, 'sent', JSON.stringify({ after, held: held.length }));
      assert.equal(after.lastRecipients, people.length - held.length);
    });

    test('a scheduled progress statement reaches each inbox once per run, with balance, program points and goals', async () => {
      assert.equal((await call('POST', `/api/v1/programs/${program}/activate`, {})).status, 200);
      const goal = await call('POST', '/api/v1/goals', { programId: program, name: 'Tickets closed', metric: { on: 'ticket.resolved', aggregate: 'count' }, period: 'quarter', target: 4, tiers: [{ percent: 50, points: 10 }] });
      assert.equal(goal.status, 201, goal.text);
      for (let i = 0; i < 2; i++) {
        const ev = await call('POST', '/api/v1/events', { id: `T-${people[0]!.id}-${i}`, occurredAt: '2026-03-20T09:00:00Z', type: 'ticket.resolved', personId: people[0]!.id });
        assert.equal(ev.status, 201, ev.text);
      }
      // Daily at 12:00 Berlin (11:00 UTC in winter time).
      const e = await call('POST', plan(), { kind: 'progress', cron: '0 12 * * *' });
      assert.equal(e.body.nextRuns[0].at, '2026-03-20T11:00:00.000Z');
      await work();
      assert.equal((await inboxOf(people[0]!.id, 'program.progress')).length, 0, 'not due yet');
      clock.t = Date.parse('2026-03-20T11:00:30Z');
      await work();
      await work();
      for (const person of people) assert.equal((await inboxOf(person.id, 'program.progress')).length, 1, person.name);
      const [dana] = await inboxOf(people[0]!.id, 'program.progress');
      // The balance counts every program (the launch test's program pays for tickets too, unless Dana is held out there).
      const balance = (await t.services.ledger.walletBalances(ws.id, [people[0]!.id])).get(people[0]!.id)!;
      assert.ok(balance >= 60);
      assert.match(dana!.body, new RegExp(`Balance: ${balance} points`));
      assert.match(dana!.body, /Earned in this program: 60 points/);
      assert.match(dana!.body, /Tickets closed: 50% of 4 \(tier 50% reached\)/);
      assert.match((await inboxOf(people[1]!.id, 'program.progress'))[0]!.body, /Tickets closed: not started/);
      const listed = (await call('GET', plan(`/${e.body.id}`))).body;
      assert.equal(listed.nextRuns[0].at, '2026-03-21T11:00:00.000Z');
      assert.equal(listed.lastRecipients, people.length);
      // The email went too, for those with an address.
      const mail = await call('GET', '/api/v1/sent-mail?limit=100');
      assert.ok(mail.body.data.some((m: { type: string; to: string }) => m.type === 'program.progress' && m.to === 'dana@acme.test'), mail.text);
      // The next day: one more.
      clock.t = Date.parse('2026-03-21T11:01:00Z');
      await work();
      assert.equal((await inboxOf(people[0]!.id, 'program.progress')).length, 2);
      assert.equal((await call('PATCH', plan(`/${e.body.id}`), { enabled: false })).status, 200);
    });

    test('two schedulers on one database send a run once: the run key refuses the second', async () => {
      const e = (await call('POST', plan(), { kind: 'custom', cron: '0 15 * * *', subject: 'Double points, {{personName}}', text: 'Every ticket counts twice in {{programName}} today.' })).body;
      const due = Date.parse(e.nextRuns[0].at);
      clock.t = due + 1000;
      // On PostgreSQL a second process: its own services and connections over the same database.
      // (SQLite has one writer process; two connections in one process would block each other.)
      const database = dialect === 'postgres' ? openDatabase({ dialect, url: t.db.url!, poolSize: 3 }) : null;
      const second = database ? createServices(database, clock, { publicUrl: 'http://127.0.0.1' }) : t.services;
      try {
        const [a, b] = await Promise.all([t.services.plans.runDue(), second.plans.runDue()]);
        assert.equal(a.sent + b.sent, 1, JSON.stringify({ a, b }));
        // A scheduler that read the entry before the run moved it on (a stale read) is refused by the run key.
        await t.services.db.updateTable('comm_plan_entries').set({ next_run_at: due }).where('id', '=', e.id).execute();
        const stale = await second.plans.runDue();
        assert.deepEqual([stale.sent, stale.taken], [0, 1]);
      } finally {
        await database?.close();
      }
      await work();
      for (const person of people) {
        const got = await inboxOf(person.id, 'program.announcement');
        assert.equal(got.length, 1, person.name);
        assert.equal(got[0]!.title, `Double points, ${person.name}`);
        assert.equal(got[0]!.body, `Every ticket counts twice in Customer Heroes 1 today.`);
      }
      assert.equal((await call('DELETE', plan(`/${e.id}`))).status, 204);
    });

    test('send now sends to the audience at once; a program that is not live answers 409', async () => {
      const e = (await call('POST', plan(), { kind: 'custom', sendAt: new Date(clock.t + 30 * DAY).toISOString(), subject: 'Survey', text: 'Tell us how it goes.' })).body;
      const before = (await inboxOf(people[2]!.id, 'program.announcement')).length;
      const r = await call('POST', plan(`/${e.id}/send`), {});
      assert.equal(r.status, 202, r.text);
      assert.equal(r.body.recipients, people.length);
      await work();
      assert.equal((await inboxOf(people[2]!.id, 'program.announcement')).length, before + 1);
      assert.equal((await call('GET', plan(`/${e.id}`))).body.nextRuns[0].at, new Date(Date.parse(e.sendAt)).toISOString(), 'the one-off time stays');
      const draft = await newProgram();
      const d = (await call('POST', `/api/v1/programs/${draft}/communications`, { kind: 'launch' })).body;
      assert.equal((await call('POST', `/api/v1/programs/${draft}/communications/${d.id}/send`, {})).status, 409);
      assert.equal((await call('DELETE', plan(`/${e.id}`))).status, 204);
    });

    test('an ending reminder goes N days before the end, once', async () => {
      const endsAt = new Date(clock.t + 10 * DAY).toISOString();
      const p = await newProgram({ endsAt });
      assert.equal((await call('POST', `/api/v1/programs/${p}/activate`, {})).status, 200);
      const url = `/api/v1/programs/${p}/communications`;
      const e = (await call('POST', url, { kind: 'ending_reminder', daysBeforeEnd: 7 })).body;
      assert.equal(e.nextRuns[0].at, new Date(Date.parse(endsAt) - 7 * DAY).toISOString());
      await work();
      assert.equal((await inboxOf(people[3]!.id, 'program.ending_reminder')).length, 0);
      clock.t += 3 * DAY + 60_000;
      await work();
      await work();
      const got = await inboxOf(people[3]!.id, 'program.ending_reminder');
      assert.equal(got.length, 1);
      assert.match(got[0]!.title, /ends in 7 days$/);
      assert.equal((await call('GET', url)).body.data[0].waiting, 'sent');
    });

    test('a run due while the program is paused is skipped and the schedule moves on; an ended program plans nothing', async () => {
      const e = (await call('POST', plan(), { kind: 'progress', name: 'Daily', cron: '0 8 * * *' })).body;
      const first = Date.parse(e.nextRuns[0].at);
      const count = async () => (await inboxOf(people[4]!.id, 'program.progress')).length;
      const before = await count();
      assert.equal((await call('POST', `/api/v1/programs/${program}/pause`, {})).status, 200);
      clock.t = first + 60_000;
      await work();
      assert.equal(await count(), before, 'nothing while paused');
      const skipped = (await call('GET', plan(`/${e.id}`))).body;
      assert.equal(skipped.lastRecipients, 0);
      assert.equal(Date.parse(skipped.nextRuns[0].at), first + DAY);
      assert.equal((await call('POST', `/api/v1/programs/${program}/activate`, {})).status, 200);
      clock.t = first + DAY + 60_000;
      await work();
      assert.equal(await count(), before + 1);
      assert.equal((await call('POST', `/api/v1/programs/${program}/end`, {})).status, 200);
      clock.t = first + 2 * DAY + 60_000;
      await work();
      assert.equal(await count(), before + 1, 'nothing after the end');
      const ended = (await call('GET', plan(`/${e.id}`))).body;
      assert.deepEqual([ended.nextRuns, ended.waiting], [[], 'the program has ended']);
      assert.equal((await call('POST', plan(), { kind: 'launch' })).status, 409);
    });

    test('the new message types have templates, variables and a preview', async () => {
      const list = await call('GET', '/api/v1/message-templates');
      const types = list.body.data.map((x: { type: string }) => x.type);
      for (const type of ['program.launch', 'program.progress', 'program.ending_reminder', 'program.announcement', 'cadence.below_target']) assert.ok(types.includes(type), type);
      const pv = await call('POST', '/api/v1/message-templates/program.progress/preview', { locale: 'en' });
      assert.equal(pv.status, 200, pv.text);
      assert.match(pv.body.inboxBody, /Balance: 1,250 points/);
    });
  });

  describe(`comms: cadence monitor (${dialect})`, () => {
    const clock = { t: Date.parse('2026-06-01T08:00:00Z'), now: () => clock.t };
    let t: TestApp;
    let ws: TestWorkspace;
    let program: string;
    const ids: string[] = [];
    let pat: string;
    const call = (method: string, url: string, body?: unknown, key = ws.ownerKey) => t.call(method, url, { key, body });
    const work = async () => {
      const w = t.services.comms.worker({ random: () => 0.5 });
      await w.drain();
      await w.close();
    };
    const alertsOf = async (personId: string) => {
      const key = await ws.key('participant', { personId });
      return (await t.call('GET', '/api/v1/me/inbox?limit=100', { key })).body.data.filter((m: { type: string }) => m.type === 'cadence.below_target') as { title: string; body: string }[];
    };

    before(async () => {
      t = await createTestApp(dialect, { clock });
      ws = await t.workspace('Acme');
      for (const name of ['Ann A', 'Ben B', 'Cat C', 'Dan D', 'Eve E']) {
        const r = await call('POST', '/api/v1/people', { kind: 'employee', externalId: `P-${ids.length}`, name, attributes: { partnerPush: true } });
        assert.equal(r.status, 201, r.text);
        ids.push(r.body.id);
      }
      pat = (await call('POST', '/api/v1/people', { kind: 'employee', externalId: 'PM', name: 'Pat Manager' })).body.id;
      const p = await call('POST', '/api/v1/programs', { name: 'Partner Push', audience: { attributes: { partnerPush: [true] } }, budget: 10_000, rules: [{ name: 'Ticket resolved', on: 'ticket.resolved', award: { points: 10 } }] });
      assert.equal(p.status, 201, p.text);
      program = p.body.id;
      assert.equal((await call('POST', `/api/v1/programs/${program}/activate`, {})).status, 200);
    });
    after(() => t.close());

    test('measures the share reached in the window and lists who was not, by page, with names for those who may read people', async () => {
      const empty = await call('GET', `/api/v1/programs/${program}/cadence`);
      assert.equal(empty.status, 200, empty.text);
      assert.deepEqual([empty.body.windowDays, empty.body.target, empty.body.audienceSize, empty.body.reached, empty.body.share, empty.body.belowTarget], [14, 0.8, 5, 0, 0, true]);
      // Three of five get a message: any inbox message counts (here, points earned).
      for (const id of ids.slice(0, 3)) assert.equal((await call('POST', '/api/v1/events', { id: `E-${id}`, occurredAt: '2026-06-01T07:00:00Z', type: 'ticket.resolved', personId: id })).status, 201);
      await work();
      clock.t += DAY;
      const c = await call('GET', `/api/v1/programs/${program}/cadence?limit=1`);
      assert.deepEqual([c.body.audienceSize, c.body.reached, c.body.notReachedCount, c.body.share, c.body.belowTarget], [5, 3, 2, 0.6, true]);
      assert.deepEqual(c.body.notReached.data, [{ id: ids[3], name: 'Dan D', lastMessageAt: null }]);
      const next = await call('GET', `/api/v1/programs/${program}/cadence?limit=1&cursor=${c.body.notReached.nextCursor}`);
      assert.deepEqual(next.body.notReached.data.map((x: { id: string }) => x.id), [ids[4]]);
      assert.equal(next.body.notReached.nextCursor, null);
      const analyst = await ws.key('analyst');
      const seen = await call('GET', `/api/v1/programs/${program}/cadence`, undefined, analyst);
      assert.equal(seen.status, 200);
      assert.ok(seen.body.notReached.data.every((x: { name: string | null }) => x.name === null));
      // A target of 60% is met.
      const met = await call('PATCH', `/api/v1/programs/${program}/cadence`, { target: 0.6, windowDays: 7 });
      assert.equal(met.status, 200, met.text);
      assert.deepEqual([met.body.target, met.body.windowDays, met.body.belowTarget], [0.6, 7, false]);
      // After the window, nobody is reached any more; the last message time is kept.
      clock.t += 7 * DAY;
      const later = (await call('GET', `/api/v1/programs/${program}/cadence`)).body;
      assert.deepEqual([later.reached, later.belowTarget], [0, true]);
      assert.ok(later.notReached.data.find((x: { id: string }) => x.id === ids[0]).lastMessageAt);
      const bad = await call('PATCH', `/api/v1/programs/${program}/cadence`, { target: 1.5 });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errors[0].path, 'target');
      const unknown = await call('PATCH', `/api/v1/programs/${program}/cadence`, { alertPersonIds: ['per_00000000000000000000000000'] });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.errors[0].path, 'alertPersonIds.0');
    });

    test('alerts the program manager once when the share falls under target, again only after a window', async () => {
      await call('PATCH', `/api/v1/programs/${program}/cadence`, { target: 0.8, windowDays: 7, alertPersonIds: [pat] });
      const [a, b] = await Promise.all([t.services.plans.cadence.checkAll(), t.services.plans.cadence.checkAll()]);
      assert.equal(a + b, 1);
      await work();
      const first = await alertsOf(pat);
      assert.equal(first.length, 1);
      assert.equal(first[0]!.title, 'Partner Push: 0% of participants heard from it (target 80%)');
      assert.match(first[0]!.body, /0 of the 5 participants/);
      clock.t += DAY;
      assert.equal(await t.services.plans.cadence.checkAll(), 0);
      await work();
      assert.equal((await alertsOf(pat)).length, 1, 'no storm: one alert per window');
      const c = (await call('GET', `/api/v1/programs/${program}/cadence`)).body;
      assert.ok(c.belowSince && c.lastAlertAt);
      clock.t += 7 * DAY;
      assert.equal(await t.services.plans.cadence.checkAll(), 1);
      await work();
      assert.equal((await alertsOf(pat)).length, 2);
    });

    test('without chosen recipients, the alert goes to the people linked to members who manage programs', async () => {
      const pm = (await call('POST', '/api/v1/people', { kind: 'employee', externalId: 'PM2', name: 'Robin Lead' })).body.id as string;
      await t.services.access.createUser(systemContext(ws.id), { email: 'robin@acme.test', name: 'Robin Lead', role: 'program_manager', personId: pm, password: 'robin-password-123' });
      const analyst = (await call('POST', '/api/v1/people', { kind: 'employee', externalId: 'AN1', name: 'Ana Lyst' })).body.id as string;
      await t.services.access.createUser(systemContext(ws.id), { email: 'ana@acme.test', name: 'Ana Lyst', role: 'analyst', personId: analyst, password: 'ana-password-1234' });
      const p = await call('POST', '/api/v1/programs', { name: 'Second push', audience: { attributes: { partnerPush: [true] } }, budget: 1_000, rules: [{ name: 'Ticket resolved', on: 'ticket.resolved', award: { points: 1 } }] });
      assert.equal((await call('POST', `/api/v1/programs/${p.body.id}/activate`, {})).status, 200);
      clock.t += 15 * DAY;
      await t.services.plans.cadence.checkAll();
      await work();
      const got = await alertsOf(pm);
      assert.deepEqual(got.map((m) => m.title), ['Second push: 0% of participants heard from it (target 80%)']);
      assert.equal((await alertsOf(analyst)).length, 0, 'an analyst does not manage programs');
    });

    test('a participant who turned the inbox off is reached by the email they got', async () => {
      const fay = (await call('POST', '/api/v1/people', { kind: 'employee', externalId: 'FAY', name: 'Fay F', email: 'fay@acme.test', attributes: { partnerPush: true } })).body.id as string;
      const gus = (await call('POST', '/api/v1/people', { kind: 'employee', externalId: 'GUS', name: 'Gus G', attributes: { partnerPush: true } })).body.id as string;
      for (const id of [fay, gus]) {
        const key = await ws.key('participant', { personId: id });
        assert.equal((await t.call('PUT', '/api/v1/me/notification-preferences', { key, body: { types: [{ type: 'points.awarded', inbox: false }] } })).status, 200);
        assert.equal((await call('POST', '/api/v1/events', { id: `F-${id}`, occurredAt: new Date(clock.t - DAY).toISOString(), type: 'ticket.resolved', personId: id })).status, 201);
      }
      await work();
      const c = (await call('GET', `/api/v1/programs/${program}/cadence?limit=100`)).body;
      const missing = c.notReached.data.map((x: { id: string }) => x.id);
      assert.ok(!missing.includes(fay), 'Fay got the email (stored: no SMTP here)');
      assert.ok(missing.includes(gus), 'Gus has no address and no inbox for it: not reached');
    });
  });
}
