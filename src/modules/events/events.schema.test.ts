import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEventIn, ZEventIn } from './events.schema.js';

const base = { id: 'e-1', type: 'training.completed', occurredAt: '2026-10-01T09:00:00.000Z', personExternalId: 'P1', properties: { course: 'C', score: 77 } };
const long = (n: number) => 'x'.repeat(n);
const withProto = (() => {
  const o = JSON.parse('{"__proto__": 1, "a": 2}') as Record<string, unknown>;
  return { ...base, properties: o };
})();
const hidden = { ...base };
Object.defineProperty(hidden, 'secret', { value: 1, enumerable: false });

/** Valid events of every shape, and invalid ones of every kind ZEventIn rejects. */
const cases: unknown[] = [
  base,
  { ...base, source: 'crm.v2' },
  { ...base, source: undefined },
  { ...base, properties: undefined },
  { id: 'e', type: 't', occurredAt: '2024-02-29T23:59:59+05:30', personId: 'per_1' },
  { ...base, personExternalId: undefined, personId: 'per_1', accountId: 'acc_1' },
  { ...base, accountExternalId: 'A1', reverses: 'e-0' },
  { properties: { b: 1, a: [1, { c: null }] }, personExternalId: 'P', occurredAt: '2026-10-01T00:00:00Z', type: 't', id: 'x' },
  { ...base, personId: '' },
  { ...base, id: long(200), type: long(100), personExternalId: long(200), properties: { [long(60)]: 1 } },
  Object.assign(Object.create(null) as object, base),
  // invalid
  { ...base, id: '' },
  { ...base, id: long(201) },
  { ...base, id: 7 },
  { ...base, type: long(101) },
  { ...base, source: 'CRM' },
  { ...base, source: '' },
  { ...base, source: null },
  { ...base, occurredAt: '2026-10-01' },
  { ...base, occurredAt: '2026-02-30T00:00:00Z' },
  { ...base, occurredAt: '2026-10-01T09:00:00' },
  { ...base, occurredAt: 1790812800000 },
  { ...base, personId: 'per_1' },
  { ...base, personExternalId: '' },
  { ...base, personExternalId: undefined },
  { ...base, personId: long(41), personExternalId: undefined },
  { ...base, accountId: 'a', accountExternalId: 'b' },
  { ...base, accountId: long(41) },
  { ...base, reverses: '' },
  { ...base, extra: 1 },
  { ...base, properties: { [long(61)]: 1 } },
  { ...base, properties: [1, 2] },
  { ...base, properties: null },
  { ...base, properties: { a: undefined } },
  withProto,
  hidden,
  [base],
  null,
  'event',
  42,
  new Date(0),
];

test('parseEventIn answers what ZEventIn.safeParse answers, for valid and invalid events alike (keys in the same order)', () => {
  for (const c of cases) {
    const mine = parseEventIn(c);
    const zod = ZEventIn.safeParse(c);
    assert.equal(mine.success, zod.success, JSON.stringify(c));
    if (mine.success && zod.success) {
      assert.deepEqual(mine.data, zod.data, JSON.stringify(c));
      assert.deepEqual(Object.keys(mine.data), Object.keys(zod.data), JSON.stringify(c));
      assert.deepEqual(Object.keys(mine.data.properties), Object.keys(zod.data.properties));
    } else if (!mine.success && !zod.success) assert.deepEqual(mine.error.issues, zod.error.issues);
  }
});
