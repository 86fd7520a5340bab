import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createIds } from './ids.js';

test('ids are prefixed, 26 Crockford characters, and sort in creation order within one millisecond', () => {
  const ids = createIds(() => 1_763_900_000_000);
  const made = Array.from({ length: 5000 }, (_, i) => ids.next(i % 2 ? 'per' : 'aud').slice(4));
  for (const id of made) assert.match(id, /^[0-9a-hjkmnp-tv-z]{26}$/);
  assert.deepEqual([...made].sort(), made);
  assert.equal(new Set(made).size, made.length);
});

test('a later millisecond sorts after, and a clock that steps back never makes an earlier id', () => {
  let t = 1_763_900_000_000;
  const ids = createIds(() => t);
  const a = ids.next('evt');
  t += 1;
  const b = ids.next('evt');
  t -= 500;
  const c = ids.next('evt');
  assert.ok(a < b && b < c, `${a} < ${b} < ${c}`);
  assert.equal(b.slice(0, 14), c.slice(0, 14), 'the time part stays at the latest millisecond seen');
});

test('two generators in the same millisecond do not collide', () => {
  const x = createIds(() => 1_763_900_000_000);
  const y = createIds(() => 1_763_900_000_000);
  const all = new Set([...Array.from({ length: 1000 }, () => x.next('per')), ...Array.from({ length: 1000 }, () => y.next('per'))]);
  assert.equal(all.size, 2000);
});
