import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase, type Database } from '../../core/db/db.js';
import { systemContext } from '../../core/auth.js';
import { createServices, migrate, type Services } from '../../app.js';
import { DIALECTS, freshDatabase, type TestDb } from '../../../test/support/app.js';

for (const dialect of DIALECTS) {
  describe(`goal periods close (${dialect})`, () => {
    let tdb: TestDb;
    let database: Database;
    let s: Services;
    let now = Date.UTC(2026, 9, 20, 12); // 20 October 2026
    before(async () => {
      tdb = await freshDatabase(dialect);
      database = dialect === 'sqlite' ? openDatabase({ dialect, file: tdb.file }) : openDatabase({ dialect, url: tdb.url });
      await migrate(database);
      s = createServices(database, { now: () => now });
    });
    after(async () => {
      await database.close();
      await tdb.drop();
    });

    test('a reversal after the period closed changes no progress and takes no tier back', async () => {
      const ws = await s.workspaces.create({ name: 'Close Co' });
      const ctx = systemContext(ws.id);
      const person = await s.people.create(ctx, 'people', { kind: 'employee', externalId: 'E', name: 'Eve' });
      const prg = await s.programs.create(ctx, { name: 'Quota', audience: { kinds: ['employee'] }, budget: 10_000, rules: [{ name: 'Any', on: 'referral.made', award: { points: 1 } }] });
      await s.programs.goals.create(ctx, { programId: prg.id, name: 'Deals', metric: { on: 'deal.registered', aggregate: 'count' }, period: 'month', target: 1, tiers: [{ percent: 100, points: 100 }], closeAfterDays: 5 });
      await s.programs.activate(ctx, prg.id);
      const r = await s.events.ingest(ctx, [{ id: 'd1', occurredAt: new Date(Date.UTC(2026, 9, 10)).toISOString(), type: 'deal.registered', personId: String(person.id), properties: {} }]);
      assert.equal(r.results[0]!.effects.find((e) => e.ruleId?.startsWith('goal:'))?.points, 100);
      assert.equal(await s.ledger.balance(ws.id, `wallet:${String(person.id)}`), 100);
      now = Date.UTC(2026, 10, 10, 12); // 10 November: October closed on 5 November
      await s.events.reverse(ctx, r.results[0]!.eventId!, 'cancelled after the close');
      assert.equal(await s.ledger.balance(ws.id, `wallet:${String(person.id)}`), 100, 'the tier stays paid');
      const goal = (await s.programs.goals.list(ctx, prg.id)).data[0]!;
      const progress = await s.programs.goals.progress(ctx, goal.id, { at: new Date(Date.UTC(2026, 9, 15)).toISOString() });
      assert.equal(progress.subjects[0]!.value, 1, 'October keeps its count');
      assert.deepEqual((await s.ledger.verify(ws.id)).problems, []);
    });

    test('the close job records each due period once, with its final figures; an open period stays open', async () => {
      now = Date.UTC(2026, 9, 20, 12);
      const ws = await s.workspaces.create({ name: 'Close Job Co' });
      const ctx = systemContext(ws.id);
      const ids = [];
      for (const n of ['A', 'B']) ids.push(String((await s.people.create(ctx, 'people', { kind: 'employee', externalId: n, name: n })).id));
      const prg = await s.programs.create(ctx, { name: 'Quota', audience: { kinds: ['employee'] }, budget: 10_000, rules: [{ name: 'Any', on: 'referral.made', award: { points: 1 } }] });
      const goal = await s.programs.goals.create(ctx, { programId: prg.id, name: 'Deals', metric: { on: 'deal.registered', aggregate: 'count' }, period: 'month', target: 2, tiers: [{ percent: 100, points: 100 }], closeAfterDays: 5 });
      await s.programs.goals.create(ctx, { programId: prg.id, name: 'Ever', metric: { on: 'deal.registered', aggregate: 'count' }, period: 'program', target: 2, tiers: [{ percent: 100, points: 1 }] });
      await s.programs.activate(ctx, prg.id);
      const deal = (id: string, who: string, day: number, month = 9) => ({ id, occurredAt: new Date(Date.UTC(2026, month, day)).toISOString(), type: 'deal.registered', personId: who, properties: {} });
      await s.events.ingest(ctx, [deal('a1', ids[0]!, 2), deal('a2', ids[0]!, 3), deal('b1', ids[1]!, 4), deal('a3', ids[0]!, 19)]);
      assert.deepEqual((await s.programs.goals.closeDue(ctx)).closed, [], 'October has not ended');

      now = Date.UTC(2026, 10, 5, 12); // 5 November: October ended, its 5 late days have not passed
      await s.events.ingest(ctx, [deal('b2', ids[1]!, 30), deal('n1', ids[1]!, 2, 10)]);
      assert.deepEqual((await s.programs.goals.closeDue(ctx)).closed, []);
      const open = await s.programs.goals.progress(ctx, goal.id, { at: new Date(Date.UTC(2026, 9, 15)).toISOString() });
      assert.deepEqual([open.period.closed, open.period.closedAt], [false, null]);

      now = Date.UTC(2026, 10, 7, 12);
      const { closed } = await s.programs.goals.closeDue(ctx);
      assert.deepEqual(closed, [{ goalId: goal.id, periodStart: '2026-10-01T00:00:00.000Z', periodEnd: '2026-11-01T00:00:00.000Z', subjects: 2, reachedTarget: 2 }], 'October only: November is open, and a program-long goal never closes');
      assert.deepEqual((await Promise.all([s.programs.goals.closeDue(ctx), s.programs.goals.closeDue(ctx)])).map((r) => r.closed), [[], []], 'closed once');
      const october = await s.programs.goals.progress(ctx, goal.id, { at: new Date(Date.UTC(2026, 9, 15)).toISOString() });
      assert.deepEqual([october.period.closed, october.period.closedAt], [true, new Date(now).toISOString()]);
      const late = await s.events.ingest(ctx, [deal('b3', ids[1]!, 31)]);
      assert.equal(late.results[0]!.status, 'accepted', 'a late event after the close is recorded');
      assert.deepEqual(late.results[0]!.effects.filter((e) => e.ruleId?.startsWith('goal:')), [], 'and pays nothing');
      const audit = await s.audit.list(ctx, { limit: 10, action: 'goal.period_closed' });
      assert.equal(audit.data.length, 1);
    });
  });
}
