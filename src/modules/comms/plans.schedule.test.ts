import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cronInWords, cronProblem, nextRuns } from './plans.schedule.js';

test('a schedule runs at most hourly, in five fields or a nickname; anything else is explained', () => {
  assert.equal(cronProblem('0 9 * * MON', 'Europe/Berlin'), null);
  assert.equal(cronProblem('@weekly', 'UTC'), null);
  assert.equal(cronProblem('0 * * * *', 'UTC'), null);
  assert.match(cronProblem('*/30 * * * *', 'UTC')!, /more than once an hour/);
  assert.match(cronProblem('0 0 9 * * 1', 'UTC')!, /five fields/);
  assert.match(cronProblem('0 25 * * *', 'UTC')!, /hour/);
  assert.match(cronProblem('0 9 31 2 *', 'UTC')!, /never runs|Invalid|impossible/i);
});

test('next runs follow the workspace time zone through a DST change (New York, 8 March 2026)', () => {
  const runs = nextRuns('0 9 * * *', 'America/New_York', Date.parse('2026-03-06T00:00:00Z'), 4).map((t) => new Date(t).toISOString());
  assert.deepEqual(runs, ['2026-03-06T14:00:00.000Z', '2026-03-07T14:00:00.000Z', '2026-03-08T13:00:00.000Z', '2026-03-09T13:00:00.000Z']);
});

test('common schedules read in words; others do not pretend', () => {
  assert.equal(cronInWords('0 9 * * MON'), 'Every Monday at 09:00');
  assert.equal(cronInWords('30 8 * * 1-5'), 'Every weekday at 08:30');
  assert.equal(cronInWords('0 9 * * *'), 'Every day at 09:00');
  assert.equal(cronInWords('0 9 1,15 * *'), 'The 1st and 15th of every month at 09:00');
  assert.equal(cronInWords('0 17 * * MON,FRI'), 'Every Monday and Friday at 17:00');
  assert.equal(cronInWords('0 9 * 6 *'), null);
  assert.equal(cronInWords('*/2 9 * * *'), null);
});
