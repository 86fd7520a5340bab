import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createTestApp, DIALECTS, type TestApp } from '../../../test/support/app.js';
import { systemContext } from '../../core/auth.js';
import { accounts, replayLots, type LedgerService } from './ledger.service.js';
import type { TransfersTable } from './ledger.tables.js';

const RUNS = process.env.TANDEM_DEEP ? 300 : 25;

for (const dialect of DIALECTS) {
  describe(`ledger (${dialect})`, () => {
    let t: TestApp;
    let ledger: LedgerService;
    let n = 0;
    const ws = () => `wsp_test${String(++n).padStart(22, '0')}`;
    const inTx = <T>(fn: (tx: never) => Promise<T>) => t.services.db.transaction().execute((tx) => fn(tx as never));
    before(async () => {
      t = await createTestApp(dialect);
      ledger = t.services.ledger;
    });
    after(() => t.close());

    test('a transfer moves points between two accounts and the ledger sums to zero', async () => {
      const w = ws();
      await inTx((tx) => ledger.post(tx, w, [{ from: accounts.funding(), to: accounts.budget('prg_a'), amount: 1000, cause: 'funding', occurredAt: 1 }]));
      await inTx((tx) => ledger.post(tx, w, [{ from: accounts.budget('prg_a'), to: accounts.wallet('per_a'), amount: 300, cause: 'event', occurredAt: 2 }]));
      assert.equal(await ledger.balance(w, accounts.budget('prg_a')), 700);
      assert.equal(await ledger.balance(w, accounts.wallet('per_a')), 300);
      assert.equal(await ledger.balance(w, accounts.funding()), -1000);
      assert.deepEqual(await ledger.verify(w), { ok: true, accounts: 3, problems: [] });
    });

    test('refuses to overdraw a wallet or a budget, and writes nothing', async () => {
      const w = ws();
      await inTx((tx) => ledger.post(tx, w, [{ from: accounts.funding(), to: accounts.budget('prg_b'), amount: 100, cause: 'funding', occurredAt: 1 }]));
      await assert.rejects(inTx((tx) => ledger.post(tx, w, [{ from: accounts.budget('prg_b'), to: accounts.wallet('per_b'), amount: 101, cause: 'event', occurredAt: 2 }])), { code: 'budget_exhausted' });
      await inTx((tx) => ledger.post(tx, w, [{ from: accounts.budget('prg_b'), to: accounts.wallet('per_b'), amount: 100, cause: 'event', occurredAt: 2 }]));
      await assert.rejects(inTx((tx) => ledger.post(tx, w, [{ from: accounts.wallet('per_b'), to: accounts.system('redemptions'), amount: 101, cause: 'redemption', occurredAt: 3 }])), { code: 'insufficient_points' });
      assert.equal(await ledger.balance(w, accounts.wallet('per_b')), 100);
      assert.equal((await ledger.verify(w)).ok, true);
    });

    test('rejects amounts that are not positive integers', async () => {
      for (const amount of [0, -5, 1.5, Number.MAX_SAFE_INTEGER + 2]) {
        await assert.rejects(inTx((tx) => ledger.post(tx, ws(), [{ from: accounts.funding(), to: accounts.wallet('per_x'), amount, cause: 'adjustment', occurredAt: 1 }])), { code: 'validation_failed' });
      }
    });

    test('spending takes the oldest lots first', async () => {
      const w = ws();
      const wal = accounts.wallet('per_c');
      await inTx((tx) => ledger.post(tx, w, [
        { from: accounts.system('adjustments'), to: wal, amount: 50, cause: 'adjustment', occurredAt: 2000, reason: 'newer' },
        { from: accounts.system('adjustments'), to: wal, amount: 30, cause: 'adjustment', occurredAt: 1000, reason: 'older' },
      ]));
      await inTx((tx) => ledger.post(tx, w, [{ from: wal, to: accounts.system('redemptions'), amount: 40, cause: 'redemption', occurredAt: 3000 }]));
      const wallet = await ledger.wallet(w, 'per_c');
      assert.equal(wallet.balance, 40);
      assert.deepEqual(wallet.lots.map((l) => [l.amount, l.remaining]), [[50, 40]]);
    });

    test('a reversal of points already spent takes the wallet below zero; it earns its way back', async () => {
      const w = ws();
      const wal = accounts.wallet('per_d');
      await inTx((tx) => ledger.post(tx, w, [{ from: accounts.funding(), to: accounts.budget('prg_d'), amount: 1000, cause: 'funding', occurredAt: 1 }]));
      const [award] = await inTx((tx) => ledger.post(tx, w, [{ from: accounts.budget('prg_d'), to: wal, amount: 100, cause: 'event', occurredAt: 2, eventId: 'evt_1' }]));
      await inTx((tx) => ledger.post(tx, w, [{ from: wal, to: accounts.system('redemptions'), amount: 80, cause: 'redemption', occurredAt: 3 }]));
      await inTx((tx) => ledger.reverse(tx, w, [award!], { reason: 'duplicate sale' }));
      assert.equal(await ledger.balance(w, wal), -80);
      assert.equal(await ledger.balance(w, accounts.budget('prg_d')), 1000);
      await assert.rejects(inTx((tx) => ledger.post(tx, w, [{ from: wal, to: accounts.system('redemptions'), amount: 1, cause: 'redemption', occurredAt: 4 }])), { code: 'insufficient_points' });
      await inTx((tx) => ledger.post(tx, w, [{ from: accounts.budget('prg_d'), to: wal, amount: 100, cause: 'event', occurredAt: 5 }]));
      const wallet = await ledger.wallet(w, 'per_d');
      assert.equal(wallet.balance, 20);
      assert.equal(wallet.lots.reduce((s, l) => s + l.remaining, 0), 20);
      const again = await inTx((tx) => ledger.reverse(tx, w, [award!], { reason: 'twice' }));
      assert.equal(again.length, 0, 'a transfer is reversed once');
      assert.equal((await ledger.verify(w)).ok, true);
    });

    test('verify finds a balance that differs from its transfers', async () => {
      const w = ws();
      await inTx((tx) => ledger.post(tx, w, [{ from: accounts.system('adjustments'), to: accounts.wallet('per_e'), amount: 10, cause: 'adjustment', occurredAt: 1 }]));
      await t.services.db.updateTable('balances').set({ balance: 11 }).where('workspace_id', '=', w).where('account', '=', accounts.wallet('per_e')).execute();
      const v = await ledger.verify(w);
      assert.equal(v.ok, false);
      assert.match(v.problems.join('\n'), /wallet:per_e: balance 11 but transfers sum to 10/);
    });

    test('a workspace without expiry stores no lots; turning expiry on stores them as replayed from the transfers', async () => {
      const w = (await t.workspace('Lots later')).id;
      const wal = accounts.wallet('per_l');
      const budget = accounts.budget('prg_l');
      const storedLots = () => t.services.db.selectFrom('lots').select(['transfer_id', 'remaining', 'expires_at']).where('workspace_id', '=', w).orderBy('transfer_id').execute();
      await inTx((tx) => ledger.post(tx, w, [{ from: accounts.funding(), to: budget, amount: 1000, cause: 'funding', occurredAt: 1 }]));
      const [first] = await inTx((tx) => ledger.post(tx, w, [{ from: budget, to: wal, amount: 100, cause: 'event', occurredAt: 1000 }]));
      const [second] = await inTx((tx) => ledger.post(tx, w, [{ from: budget, to: wal, amount: 50, cause: 'event', occurredAt: 500 }]));
      const [third] = await inTx((tx) => ledger.post(tx, w, [{ from: budget, to: wal, amount: 70, cause: 'event', occurredAt: 2000 }]));
      const [spend] = await inTx((tx) => ledger.post(tx, w, [{ from: wal, to: accounts.system('redemptions'), amount: 80, cause: 'redemption', occurredAt: 3000 }]));
      await inTx((tx) => ledger.reverse(tx, w, [third!], { reason: 'test' }));
      assert.deepEqual(await storedLots(), [], 'no lot rows while nothing expires');
      // Spending took the oldest (second: 50, then 30 of first); the reversal took its own lot (third).
      const before = await ledger.wallet(w, 'per_l');
      assert.equal(before.balance, 70);
      assert.deepEqual(before.lots.map((l) => [l.transferId, l.remaining, l.expiresAt]), [[first!.id, 70, null]]);
      assert.deepEqual((await ledger.verify(w)).problems, []);

      await t.services.workspaces.update(systemContext(w), { pointsExpireMonths: 1 });
      const open = async () => (await storedLots()).filter((l) => Number(l.remaining) > 0).map((l) => [l.transfer_id, Number(l.remaining), l.expires_at]);
      assert.deepEqual(await open(), [[first!.id, 70, null]], 'the replayed lots are stored, without a date');
      assert.equal((await storedLots()).length, 3, 'spent lots too: a refund gives back into them');
      // The spend before the switch is refunded: its 50 and 30 return to the lots it took.
      await inTx((tx) => ledger.reverse(tx, w, [spend!], { reason: 'refund' }));
      assert.deepEqual((await ledger.wallet(w, 'per_l')).lots.map((l) => [l.transferId, l.remaining]), [[second!.id, 50], [first!.id, 100]]);
      // From now on lots are kept: a dated lot expires, the undated one stays.
      const now = Date.now();
      await inTx((tx) => ledger.post(tx, w, [{ from: budget, to: wal, amount: 40, cause: 'event', occurredAt: now - 60 * 86_400_000, expiresAt: now - 29 * 86_400_000 }]));
      assert.deepEqual(await ledger.expire(w), { wallets: 1, points: 40 });
      assert.equal(await ledger.balance(w, wal), 150);
      // Turning expiry off again keeps the lots (the dates given stay true).
      await t.services.workspaces.update(systemContext(w), { pointsExpireMonths: null });
      await inTx((tx) => ledger.post(tx, w, [{ from: budget, to: wal, amount: 5, cause: 'event', occurredAt: now }]));
      assert.equal((await storedLots()).filter((l) => l.remaining > 0).length, 3);
      assert.deepEqual((await ledger.verify(w)).problems, []);
    });

    test('turning expiry on waits for a post in flight, so its points get their lot', async () => {
      const w = (await t.workspace('Lots race')).id;
      const wal = accounts.wallet('per_r');
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let posted!: () => void;
      const didPost = new Promise<void>((r) => (posted = r));
      const inFlight = inTx(async (tx) => {
        await ledger.post(tx, w, [{ from: accounts.system('adjustments'), to: wal, amount: 10, cause: 'adjustment', occurredAt: 1 }]);
        posted();
        await gate;
      });
      await didPost;
      const change = t.services.workspaces.update(systemContext(w), { pointsExpireMonths: 6 });
      await new Promise((r) => setTimeout(r, 100));
      release();
      await Promise.all([inFlight, change]);
      const lots = await t.services.db.selectFrom('lots').select(['account', 'remaining']).where('workspace_id', '=', w).execute();
      assert.deepEqual(lots, [{ account: wal, remaining: 10 }]);
      assert.deepEqual((await ledger.verify(w)).problems, []);
    });

    test('property: lots kept as points move equal the lots replayed from the transfers', async () => {
      const people = ['per_q1', 'per_q2'];
      const op = fc.oneof(
        fc.record({ kind: fc.constant('earn' as const), who: fc.constantFrom(...people), amount: fc.integer({ min: 1, max: 400 }), at: fc.integer({ min: 1, max: 50 }) }),
        fc.record({ kind: fc.constant('spend' as const), who: fc.constantFrom(...people), amount: fc.integer({ min: 1, max: 300 }) }),
        fc.record({ kind: fc.constant('reverse' as const), pick: fc.nat() }),
        fc.record({ kind: fc.constant('refund' as const), pick: fc.nat() }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 20 }), async (ops) => {
          const w = (await t.workspace('Kept lots')).id;
          await t.services.workspaces.update(systemContext(w), { pointsExpireMonths: 12 });
          const budget = accounts.budget('prg_q');
          await inTx((tx) => ledger.post(tx, w, [{ from: accounts.funding(), to: budget, amount: 5000, cause: 'funding', occurredAt: 0 }]));
          const awards: TransfersTable[] = [];
          const spends: TransfersTable[] = [];
          for (const o of ops) {
            try {
              if (o.kind === 'earn') awards.push(...(await inTx((tx) => ledger.post(tx, w, [{ from: budget, to: accounts.wallet(o.who), amount: o.amount, cause: 'event', occurredAt: o.at }]))));
              if (o.kind === 'spend') spends.push(...(await inTx((tx) => ledger.post(tx, w, [{ from: accounts.wallet(o.who), to: accounts.system('redemptions'), amount: o.amount, cause: 'redemption', occurredAt: 100 }]))));
              if (o.kind === 'reverse' && awards.length) await inTx((tx) => ledger.reverse(tx, w, [awards[o.pick % awards.length]!], { reason: 'test' }));
              // A refund: the reversal of a spend gives the points back to the lots it took.
              if (o.kind === 'refund' && spends.length) await inTx((tx) => ledger.reverse(tx, w, [spends[o.pick % spends.length]!], { reason: 'refund' }));
            } catch (err) {
              if ((err as { code?: string }).code !== 'insufficient_points') throw err;
            }
          }
          for (const p of people) {
            const account = accounts.wallet(p);
            const kept = (await ledger.wallet(w, p)).lots.map((l) => [l.transferId, l.remaining]);
            const transfers = await t.services.db.selectFrom('transfers').selectAll().where('workspace_id', '=', w).where((eb) => eb.or([eb('credit_account', '=', account), eb('debit_account', '=', account)])).orderBy('id').execute();
            const replayed = replayLots(w, account, transfers as TransfersTable[]).filter((l) => l.remaining > 0).sort((a, b) => a.earned_at - b.earned_at || (a.transfer_id < b.transfer_id ? -1 : 1)).map((l) => [l.transfer_id, l.remaining]);
            assert.deepEqual(replayed, kept);
          }
          assert.deepEqual((await ledger.verify(w)).problems, []);
        }),
        { numRuns: RUNS, seed: 20261205 },
      );
    });

    test('property: any sequence of earn, bulk award, spend, expiry and reversal keeps the invariants', async () => {
      const people = ['per_p1', 'per_p2', 'per_p3'];
      const op = fc.oneof(
        fc.record({ kind: fc.constant('earn' as const), who: fc.constantFrom(...people), amount: fc.integer({ min: 1, max: 400 }) }),
        fc.record({ kind: fc.constant('bulk' as const), amount: fc.integer({ min: 1, max: 200 }) }),
        fc.record({ kind: fc.constant('spend' as const), who: fc.constantFrom(...people), amount: fc.integer({ min: 1, max: 300 }) }),
        fc.record({ kind: fc.constant('expire' as const), who: fc.constantFrom(...people) }),
        fc.record({ kind: fc.constant('reverse' as const), pick: fc.nat() }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
          const w = ws();
          const budget = accounts.budget('prg_p');
          await inTx((tx) => ledger.post(tx, w, [{ from: accounts.funding(), to: budget, amount: 2000, cause: 'funding', occurredAt: 0 }]));
          const awards: TransfersTable[] = [];
          const reversedWallets = new Set<string>();
          let clock = 1;
          for (const o of ops) {
            clock++;
            try {
              if (o.kind === 'earn') awards.push(...(await inTx((tx) => ledger.post(tx, w, [{ from: budget, to: accounts.wallet(o.who), amount: o.amount, cause: 'event', occurredAt: clock }]))));
              if (o.kind === 'bulk') await inTx((tx) => ledger.post(tx, w, people.map((p) => ({ from: accounts.system('adjustments'), to: accounts.wallet(p), amount: o.amount, cause: 'bulk_award' as const, occurredAt: clock, reason: 'bulk' }))));
              if (o.kind === 'spend') await inTx((tx) => ledger.post(tx, w, [{ from: accounts.wallet(o.who), to: accounts.system('redemptions'), amount: o.amount, cause: 'redemption', occurredAt: clock }]));
              if (o.kind === 'expire') {
                const wal = await ledger.wallet(w, o.who);
                const lot = wal.lots[0];
                if (lot) await inTx((tx) => ledger.post(tx, w, [{ from: accounts.wallet(o.who), to: accounts.system('expiry'), amount: lot.remaining, cause: 'expiry', occurredAt: clock }]));
              }
              if (o.kind === 'reverse' && awards.length) {
                const a = awards[o.pick % awards.length]!;
                const r = await inTx((tx) => ledger.reverse(tx, w, [a], { reason: 'test' }));
                if (r.length) reversedWallets.add(a.credit_account);
              }
            } catch (err) {
              const code = (err as { code?: string }).code;
              if (code !== 'insufficient_points' && code !== 'budget_exhausted') throw err;
            }
          }
          const v = await ledger.verify(w);
          assert.deepEqual(v.problems, []);
          assert.ok((await ledger.balance(w, budget)) >= 0, 'budget never negative');
          for (const p of people) {
            const b = await ledger.balance(w, accounts.wallet(p));
            if (b < 0) assert.ok(reversedWallets.has(accounts.wallet(p)), 'only a reversal takes a wallet below zero');
          }
        }),
        { numRuns: RUNS, seed: 20261123 },
      );
    });
  });
}
