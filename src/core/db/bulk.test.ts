import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CompiledQuery } from 'kysely';
import { createTestApp, DIALECTS, type TestApp } from '../../../test/support/app.js';
import { arrayLiteral, createBulkInserter, createTupleInserter } from './bulk.js';

/** Strings that quoting must carry unchanged: quotes, backslashes, control characters, braces, NULL. */
const AWKWARD = ['plain', 'with "quotes"', 'back\\slash', '\\"', 'ends with \\', 'new\nline', 'tab\there', '\u0001', 'NULL', 'null', '', ' spaced ', '{braces}', 'a,b', 'ünïcødé 😀', JSON.stringify({ note: 'line\nbreak "q" \\' })];

test('array literals: JSON where its quoting is the array\'s, element by element otherwise', () => {
  assert.equal(arrayLiteral(['a', 'b"c', null, 'd\\e']), '{"a","b\\"c",null,"d\\\\e"}');
  assert.equal(arrayLiteral([1, 2, null]), '{1,2,null}');
  assert.equal(arrayLiteral(['x\ny', 'z']), '{"x\ny","z"}');
  assert.equal(arrayLiteral(['\\n']), '{"\\\\n"}', 'an escaped backslash before an n is not a newline');
  assert.equal(arrayLiteral([]), '{}');
});

for (const dialect of DIALECTS) {
  describe(`bulk inserts keep every value (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(dialect);
      await t.services.db.executeQuery(CompiledQuery.raw('create table bulk_values (k text not null, s text, n bigint, c text, primary key (k))'));
    });
    after(() => t.close());
    const read = async (prefix: string) =>
      (await t.services.db.executeQuery<{ k: string; s: string | null; n: number | null; c: string | null }>(CompiledQuery.raw(`select k, s, n, c from bulk_values where k like '${prefix}%' order by k`))).rows.map((r) => ({ ...r, n: r.n === null ? null : Number(r.n) }));

    test('awkward strings, nulls, large numbers and a column that is the same in every row', async () => {
      const rows = AWKWARD.map((s, i) => ({ k: `a${String(i).padStart(2, '0')}`, s, n: i % 3 ? -(2 ** 52) + i : null, c: 'same' }));
      rows.push({ k: 'a99', s: null as unknown as string, n: 2 ** 52, c: 'same' });
      await t.services.db.transaction().execute((tx) => createBulkInserter()(tx, 'bulk_values', rows));
      assert.deepEqual(await read('a'), rows);
    });

    test('strings with quotes and backslashes only (written as JSON)', async () => {
      const plain = AWKWARD.filter((x) => !/[\u0000-\u001f]/.test(x));
      const rows = plain.map((s, i) => ({ k: `j${String(i).padStart(2, '0')}`, s, n: i, c: s }));
      await t.services.db.transaction().execute((tx) => createBulkInserter()(tx, 'bulk_values', rows));
      assert.deepEqual(await read('j'), rows);
    });

    test('tuples: one row, several rows all alike but their key, and duplicates skipped', async () => {
      const insert = createTupleInserter('bulk_values', ['k', 's', 'n', 'c'], { ignoreDuplicates: true });
      await t.services.db.transaction().execute(async (tx) => {
        await insert(tx, [['b0', AWKWARD.join('|'), 7, null]]);
        await insert(tx, [['b1', 'x', 1, null], ['b2', 'x', 1, null], ['b0', 'ignored', 0, null]]);
      });
      assert.deepEqual(await read('b'), [
        { k: 'b0', s: AWKWARD.join('|'), n: 7, c: null },
        { k: 'b1', s: 'x', n: 1, c: null },
        { k: 'b2', s: 'x', n: 1, c: null },
      ]);
    });
  });
}
