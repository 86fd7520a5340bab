import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { systemContext } from '../../core/auth.js';
import { createTestApp, DIALECTS, type TestApp, type TestWorkspace } from '../../../test/support/app.js';

const DAY = 86_400_000;
const csvRows = (text: string): Record<string, string>[] => parse(text, { bom: true, columns: true });

for (const dialect of DIALECTS) {
  describe(`rewards: money — liability, redeemed value, orders CSV (${dialect})`, () => {
    const clock = { t: Date.parse('2026-03-01T09:00:00Z'), now: () => clock.t };
    let t: TestApp;
    let ws: TestWorkspace;
    let other: TestWorkspace;
    let n = 0;
    const call = (method: string, url: string, body?: unknown, key = ws.ownerKey) => t.call(method, url, { key, body });
    const ok = async (method: string, url: string, body?: unknown, key = ws.ownerKey) => {
      const r = await call(method, url, body, key);
      assert.ok(r.status < 300, `${method} ${url}: ${r.status} ${r.text}`);
      return r.body;
    };
    const person = async (name: string, w = ws) => (await ok('POST', '/api/v1/people', { kind: 'employee', externalId: `M-${++n}`, name }, w.ownerKey)).id as string;
    const program = async (w: TestWorkspace, name: string, pointValueCents: number, currency: string, fundingSource: string) => {
      const p = await ok('POST', '/api/v1/programs', { name, audience: { kinds: ['employee'] }, budget: 100_000, pointValueCents, currency, fundingSource, rules: [{ name: 'Ticket', on: 'ticket.resolved', award: { points: 1 } }] }, w.ownerKey);
      await ok('POST', `/api/v1/programs/${p.id}/activate`, {}, w.ownerKey);
      return p.id as string;
    };
    const award = (w: TestWorkspace, programId: string, personId: string, points: number) => ok('POST', `/api/v1/programs/${programId}/awards`, { reason: 'test', awards: [{ personId, points }] }, w.ownerKey);
    const reward = async (w: TestWorkspace, title: string, kind: string, cost: number) => (await ok('POST', '/api/v1/rewards', { title, kind, cost, ships: false, provider: 'manual' }, w.ownerKey)).id as string;
    const redeem = async (w: TestWorkspace, rewardId: string, personId: string) => (await ok('POST', '/api/v1/redemptions', { rewardId, personId }, w.ownerKey)) as { id: string };
    const liability = async (w = ws) => (await ok('GET', '/api/v1/rewards/liability', undefined, w.ownerKey)) as {
      points: number;
      byProgram: { programId: string | null; programName: string; fundingSource: string; currency: string; pointValueCents: number; points: number; valueCents: number }[];
      byFundingSource: { fundingSource: string; currency: string; points: number; valueCents: number }[];
      totals: { currency: string; points: number; valueCents: number }[];
    };
    const line = (l: Awaited<ReturnType<typeof liability>>, programId: string | null) => l.byProgram.find((x) => x.programId === programId);

    let sales = '';
    let service = '';
    let ann = '';
    let bob = '';
    let voucher = '';
    let trip = '';
    let cancelled = '';

    before(async () => {
      t = await createTestApp(dialect, { clock });
      ws = await t.workspace('Acme');
      other = await t.workspace('Other');
      await t.services.workspaces.update(systemContext(ws.id), { timezone: 'Europe/Paris' });
      sales = await program(ws, 'Sales kicker', 2, 'USD', 'sales');
      service = await program(ws, 'Service stars', 5, 'EUR', 'service');
      ann = await person('=HYPERLINK("http://evil","Ann")');
      bob = await person('Bob, "the builder"');
      await award(ws, sales, ann, 1000);
      clock.t += DAY;
      await award(ws, service, ann, 400);
      clock.t += DAY;
      await ok('POST', `/api/v1/people/${ann}/adjustments`, { points: 100, reason: 'missed award' });
      await award(ws, service, bob, 300);
      voucher = await reward(ws, 'Coffee voucher', 'gift_card', 600);
      trip = await reward(ws, '-Mug, "large"', 'experience', 500);
      // The other workspace has money of its own that must never show in Acme's reports.
      const op = await program(other, 'Other program', 7, 'GBP', 'other-fund');
      const olga = await person('Olga Other', other);
      await award(other, op, olga, 900);
      await redeem(other, await reward(other, 'Other reward', 'donation', 200), olga);
    });
    after(async () => t.close());

    test('liability: outstanding points by the program that paid them, valued at its point value, per funding source and currency', async () => {
      clock.t = Date.parse('2026-03-10T10:00:00Z');
      await redeem(ws, voucher, ann); // 600 from the oldest lot: Sales kicker
      const l = await liability();
      assert.deepEqual(line(l, sales), { programId: sales, programName: 'Sales kicker', status: 'active', fundingSource: 'sales', currency: 'USD', pointValueCents: 2, points: 400, valueCents: 800 });
      assert.deepEqual([line(l, service)?.points, line(l, service)?.valueCents, line(l, service)?.currency], [700, 3500, 'EUR']);
      assert.deepEqual([line(l, null)?.points, line(l, null)?.valueCents, line(l, null)?.currency, line(l, null)?.fundingSource], [100, 100, 'USD', 'manual'], 'an adjustment has no program: valued at 1 cent in USD');
      assert.deepEqual(l.byFundingSource.map((s) => [s.fundingSource, s.currency, s.points, s.valueCents]), [['manual', 'USD', 100, 100], ['sales', 'USD', 400, 800], ['service', 'EUR', 700, 3500]]);
      assert.deepEqual(l.totals, [{ currency: 'EUR', points: 700, valueCents: 3500 }, { currency: 'USD', points: 500, valueCents: 900 }], 'never adds two currencies');
      assert.equal(l.points, 1200);
      assert.ok(!l.byProgram.some((x) => x.programName === 'Other program'), 'another workspace’s programs never show');
    });

    test('liability: a refund gives the points back (the total always equals what the wallets may spend)', async () => {
      clock.t = Date.parse('2026-03-31T23:30:00Z'); // 1 April 01:30 in Paris
      const o = await redeem(ws, trip, ann); // 500: the rest of Sales kicker (400), then Service stars (100)
      let l = await liability();
      assert.deepEqual([line(l, sales), line(l, service)?.points, line(l, null)?.points], [undefined, 600, 100]);
      clock.t += 60_000;
      cancelled = o.id;
      await ok('POST', `/api/v1/redemptions/${o.id}/cancel`, { reason: 'changed my mind' });
      l = await liability();
      assert.equal(l.points, 1200, 'every refunded point is outstanding again');
      // The refund returns into the lots the spend took: Sales kicker's and Service stars' again.
      const back = [line(l, sales)?.points ?? 0, line(l, service)?.points ?? 0, line(l, null)?.points ?? 0];
      assert.deepEqual(back, [400, 700, 100], 'each program has its refunded points back');
      const euros = l.totals.find((x) => x.currency === 'EUR')!;
      assert.equal(euros.valueCents, euros.points * 5);
    });

    test('liability: expired points leave it; stored lots (a workspace that expires points) are attributed too', async () => {
      const exp = await t.workspace('Expiring');
      await t.services.workspaces.update(systemContext(exp.id), { pointsExpireMonths: 1 });
      const old = await program(exp, 'Old', 3, 'USD', 'hr');
      const fresh = await program(exp, 'Fresh', 5, 'USD', 'hr');
      const eve = await person('Eve', exp);
      clock.t = Date.parse('2026-01-05T10:00:00Z');
      await award(exp, old, eve, 300);
      clock.t = Date.parse('2026-02-10T10:00:00Z');
      await award(exp, fresh, eve, 200);
      assert.deepEqual(await t.services.ledger.expire(exp.id, clock.t), { wallets: 1, points: 300 });
      await redeem(exp, await reward(exp, 'Book', 'merchandise', 50), eve);
      const l = await liability(exp);
      assert.deepEqual(l.byProgram.map((x) => [x.programName, x.points, x.valueCents]), [['Fresh', 150, 750]]);
      assert.deepEqual(l.byFundingSource.map((s) => [s.fundingSource, s.points, s.valueCents]), [['hr', 150, 750]]);
    });

    test('redeemed: per month of the workspace’s calendar and per reward kind, net of refunds, valued by the lots spent', async () => {
      clock.t = Date.parse('2026-04-12T10:00:00Z');
      await redeem(ws, await reward(ws, 'Donation', 'donation', 200), bob); // Service stars: 200 × 5 EUR cents
      const r = await ok('GET', '/api/v1/rewards/redeemed?period=month&from=2026-03-01&to=2026-04-30');
      assert.equal(r.timezone, 'Europe/Paris');
      assert.deepEqual(r.periods.map((p: { label: string }) => p.label), ['2026-03', '2026-04']);
      const [march, april] = r.periods;
      assert.equal(march.from, '2026-02-28T23:00:00.000Z');
      assert.deepEqual([march.orders, march.points, march.refundedPoints, march.netPoints, march.value], [1, 600, 0, 600, [{ currency: 'USD', cents: 1200 }]]);
      assert.deepEqual(march.byKind.map((k: { kind: string; netPoints: number }) => [k.kind, k.netPoints]), [['gift_card', 600]]);
      assert.deepEqual([april.orders, april.points, april.refundedPoints, april.netPoints, april.value], [2, 700, 500, 200, [{ currency: 'EUR', cents: 1000 }]], 'the order placed at 01:30 on 1 April in Paris is April’s, and its refund nets it out');
      assert.deepEqual(april.byKind.map((k: { kind: string; points: number; refundedPoints: number }) => [k.kind, k.points, k.refundedPoints]), [['donation', 200, 0], ['experience', 500, 500]]);
      assert.deepEqual(r.totals, { orders: 3, points: 1300, refundedPoints: 500, netPoints: 800, value: [{ currency: 'EUR', cents: 1000 }, { currency: 'USD', cents: 1200 }] });
      const q = await ok('GET', '/api/v1/rewards/redeemed?period=quarter&from=2026-01-01&to=2026-06-30');
      assert.deepEqual(q.periods.map((p: { label: string; netPoints: number }) => [p.label, p.netPoints]), [['2026-Q1', 600], ['2026-Q2', 200]]);
      const dflt = await ok('GET', '/api/v1/rewards/redeemed');
      assert.equal(dflt.periods.length, 12, 'twelve months by default');
      assert.equal(dflt.periods.at(-1).label, '2026-04');
      assert.equal(dflt.totals.netPoints, 800);
    });

    test('orders CSV: a header, one row per order, quoted cells, formulas neutralised, refunds dated', async () => {
      const r = await t.call('GET', '/api/v1/redemptions/export.csv?from=2026-03-01&to=2026-04-30', { key: ws.ownerKey });
      assert.equal(r.status, 200, r.text);
      assert.match(String(r.headers['content-type']), /^text\/csv/);
      assert.match(String(r.headers['content-disposition']), /attachment; filename="tandem-orders-/);
      assert.ok(r.text.startsWith('\ufeff'), 'a BOM, so spreadsheets read UTF-8');
      assert.ok(r.text.includes(`"'-Mug, ""large"""`), 'a cell with a comma and quotes is quoted, its quotes doubled, its leading formula sign neutralised');
      const rows = csvRows(r.text);
      assert.deepEqual(Object.keys(rows[0]!), ['order_id', 'created_at', 'person_id', 'person_name', 'reward_id', 'reward', 'kind', 'variant', 'quantity', 'points', 'value_cents', 'currency', 'status', 'refunded_points', 'refunded_at', 'provider']);
      assert.equal(rows.length, 3);
      const [first, second, third] = rows as [Record<string, string>, Record<string, string>, Record<string, string>];
      assert.deepEqual([first.person_id, first.person_name, first.reward, first.kind, first.points, first.value_cents, first.currency, first.status, first.refunded_points, first.refunded_at], [ann, `'=HYPERLINK("http://evil","Ann")`, 'Coffee voucher', 'gift_card', '600', '1200', 'USD', 'placed', '0', '']);
      assert.deepEqual([second.order_id, second.reward, second.status, second.refunded_points, second.refunded_at], [cancelled, `'-Mug, "large"`, 'cancelled', '500', '2026-03-31T23:31:00.000Z']);
      assert.deepEqual([third.person_name, third.value_cents, third.currency], ['Bob, "the builder"', '1000', 'EUR']);
      const only = csvRows((await t.call('GET', '/api/v1/redemptions/export.csv?status=cancelled', { key: ws.ownerKey })).text);
      assert.deepEqual(only.map((x) => x.order_id), [cancelled]);
      const march = csvRows((await t.call('GET', '/api/v1/redemptions/export.csv?to=2026-03-31', { key: ws.ownerKey })).text);
      assert.equal(march.length, 1, 'to is a whole day of the workspace’s calendar: 1 April 01:30 in Paris is after it');
    });

    test('another workspace’s money never shows in any of the three', async () => {
      const l = await liability(other);
      assert.deepEqual(l.byProgram.map((x) => [x.programName, x.points, x.valueCents, x.currency]), [['Other program', 700, 4900, 'GBP']]);
      const r = await ok('GET', '/api/v1/rewards/redeemed?from=2026-01-01&to=2026-12-31', undefined, other.ownerKey);
      assert.deepEqual([r.totals.orders, r.totals.netPoints, r.totals.value], [1, 200, [{ currency: 'GBP', cents: 1400 }]]);
      const csv = csvRows((await t.call('GET', '/api/v1/redemptions/export.csv', { key: other.ownerKey })).text);
      assert.deepEqual(csv.map((x) => x.reward), ['Other reward']);
      const mine = (await t.call('GET', '/api/v1/redemptions/export.csv', { key: ws.ownerKey })).text;
      assert.ok(!mine.includes('Other reward') && !mine.includes('Olga'), 'Acme’s export holds none of it');
    });

    test('roles: staff read all three; analysts the figures, not the named orders; managers and participants none', async () => {
      const analyst = await ws.key('analyst');
      const manager = await ws.key('manager');
      const participant = await ws.key('participant', { personId: ann });
      const urls = ['/api/v1/rewards/liability', '/api/v1/rewards/redeemed', '/api/v1/redemptions/export.csv'];
      const status = async (key: string) => Promise.all(urls.map(async (u) => (await t.call('GET', u, { key })).status));
      assert.deepEqual(await status(await ws.key('program_manager')), [200, 200, 200]);
      assert.deepEqual(await status(analyst), [200, 200, 403]);
      assert.deepEqual(await status(manager), [403, 403, 403]);
      assert.deepEqual(await status(participant), [403, 403, 403]);
      assert.deepEqual(await Promise.all(urls.map(async (u) => (await t.call('GET', u)).status)), [401, 401, 401]);
    });

    test('bad query parameters answer 400 naming the field', async () => {
      const cases: [string, string][] = [
        ['/api/v1/rewards/redeemed?period=year', 'period'],
        ['/api/v1/rewards/redeemed?from=2026-02-30', 'from'],
        ['/api/v1/rewards/redeemed?from=yesterday', 'from'],
        ['/api/v1/rewards/redeemed?from=2026-05-01&to=2026-04-01', 'to'],
        ['/api/v1/rewards/redeemed?period=week&from=2000-01-01&to=2026-01-01', 'to'],
        ['/api/v1/rewards/redeemed?colour=blue', ''],
        ['/api/v1/redemptions/export.csv?status=lost', 'status'],
        ['/api/v1/redemptions/export.csv?to=2026-13-01', 'to'],
        ['/api/v1/redemptions/export.csv?from=2026-05-01&to=2026-04-01', 'to'],
      ];
      for (const [url, path] of cases) {
        const r = await t.call('GET', url, { key: ws.ownerKey });
        assert.equal(r.status, 400, `${url}: ${r.text}`);
        assert.match(String(r.headers['content-type']), /application\/problem\+json/);
        if (path) assert.ok(r.body.errors?.some((e: { path: string }) => e.path === `querystring.${path}`), `${url} names ${path}: ${r.text}`);
      }
    });
  });
}
