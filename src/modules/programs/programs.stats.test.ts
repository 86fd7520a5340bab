import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { distribution, gini, quantile } from './programs.stats.js';

test('quantile interpolates between ranks like a spreadsheet', () => {
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantile([10, 20, 30, 40, 50], 0.9), 46);
  assert.equal(quantile([7], 0.9), 7);
  assert.equal(quantile([], 0.5), 0);
});

test('gini is 0 for equal shares and (n-1)/n when one holds everything', () => {
  assert.equal(gini([5, 5, 5, 5]), 0);
  assert.equal(gini([0, 0, 0, 100]), 0.75);
  assert.ok(Math.abs(gini([1, 2, 3, 4, 5]) - 4 / 15) < 1e-12);
});

test('property: gini stays within [0, 1) and does not change with scale or order', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 1e6 }), { minLength: 1, maxLength: 50 }), fc.integer({ min: 1, max: 100 }), (xs, k) => {
      const g = gini(xs);
      assert.ok(g >= 0 && g < 1);
      assert.ok(Math.abs(gini(xs.map((x) => x * k)) - g) < 1e-9);
      assert.ok(Math.abs(gini([...xs].reverse()) - g) < 1e-9);
    }),
    { seed: 7, numRuns: 200 },
  );
});

test('distribution reports count, mean, median, p90, max and gini', () => {
  assert.deepEqual(distribution([100, 300, 200, 400]), { count: 4, mean: 250, median: 250, p90: 370, max: 400, gini: 0.25 });
});
