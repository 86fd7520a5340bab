import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listPayload, messagesOfList } from './outbox.js';

const counter = () => {
  let n = 0;
  return () => `msg_${String(++n).padStart(26, '0')}`;
};

test('a list of messages with the same keys is stored keys once, and the fan-out reads back each payload exactly as published', () => {
  const list = Array.from({ length: 50 }, (_, i) => ({ eventId: `evt_${i}`, programId: 'prg_1', programVersion: 2, ruleId: i % 2 ? 'a' : 'b', personId: `per_${i % 7}`, points: i % 3 ? 10 : 10, extra: i === 3 ? { nested: [1, 'x'] } : null, flag: true }));
  const stored = listPayload(list, counter());
  const layout = JSON.parse(stored) as { keys: string[]; same: Record<string, unknown>; rows: unknown[][] };
  assert.deepEqual(layout.keys, Object.keys(list[0]!));
  assert.deepEqual(layout.same, { programId: 'prg_1', programVersion: 2, points: 10, flag: true }, 'the values equal in every message, once');
  assert.ok(stored.length < JSON.stringify(list.map((p, i) => [`msg_${i}`, p])).length * 0.6);
  const read = messagesOfList(stored);
  assert.deepEqual(read.map(([id]) => id), list.map((_, i) => `msg_${String(i + 1).padStart(26, '0')}`));
  assert.deepEqual(read.map(([, p]) => p), list.map((p) => JSON.stringify(p)), 'each payload byte for byte');
});

test('messages of other shapes (keys differing in order or number, an undefined value, not objects) are stored as [id, payload] pairs and read back the same', () => {
  const lists: unknown[][] = [
    [{ a: 1, b: 2 }, { b: 2, a: 1 }],
    [{ a: 1 }, { a: 1, b: 2 }],
    [{ a: 1, b: undefined }, { a: 2, b: 3 }],
    [[1, 2], [3]],
    ['x', 'y'],
    [{ a: 1 }, null],
  ];
  for (const list of lists) {
    const stored = listPayload(list, counter());
    assert.ok(Array.isArray(JSON.parse(stored)), stored);
    assert.deepEqual(messagesOfList(stored).map(([, p]) => p), list.map((p) => JSON.stringify(p)));
  }
});

test('a list row written before the keyed layout (an array of [id, payload] pairs) is still read', () => {
  const old = JSON.stringify([['msg_a', { eventId: 'evt_1', points: 5 }], ['msg_b', { eventId: 'evt_2', points: 7 }]]);
  assert.deepEqual(messagesOfList(old), [['msg_a', '{"eventId":"evt_1","points":5}'], ['msg_b', '{"eventId":"evt_2","points":7}']]);
});
