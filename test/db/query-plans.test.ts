import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../../src/core/db/db.js';
import { migrate } from '../../src/app.js';

// The hot queries of the pipeline must be index searches, never scans (SQLite's planner; the
// PostgreSQL indexes are the same, by the schema parity test).
let d: Database;
before(async () => {
  d = openDatabase({ dialect: 'sqlite', file: ':memory:' });
  await migrate(d);
});
after(() => d.close());

async function plan(query: string) {
  const rows = (await sql.raw(`explain query plan ${query}`).execute(d.db)).rows as { detail: string }[];
  return rows.map((r) => r.detail).join('\n');
}

test('a cap counts a wallet’s awards in a program and period through the account-program-time indexes', async () => {
  const p = await plan(`select count(*) from transfers where workspace_id = 'w' and program_id = 'p' and occurred_at >= 0 and occurred_at < 9
    and ((cause = 'event' and credit_account = 'a') or (cause = 'reversal' and debit_account = 'a' and goal_id is null))`);
  assert.match(p, /USING INDEX transfers_credit_program/);
  assert.match(p, /USING INDEX transfers_debit_program/);
  assert.doesNotMatch(p, /SCAN transfers/);
});

test('a balance read is one primary-key row', async () => {
  const p = await plan(`select balance from balances where workspace_id = 'w' and account = 'a'`);
  assert.match(p, /SEARCH balances USING INDEX sqlite_autoindex_balances_1 \(workspace_id=\? AND account=\?\)/);
});

test('replays are found by (source, id), and an event’s transfers by event', async () => {
  assert.match(await plan(`select * from events where workspace_id = 'w' and source = 's' and external_id in ('a', 'b')`), /SEARCH events USING INDEX sqlite_autoindex_events_\d/);
  assert.match(await plan(`select * from transfers where workspace_id = 'w' and event_id = 'e'`), /SEARCH transfers USING INDEX transfers_event/);
});
