import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CompiledQuery, Kysely, SqliteDialect, sql } from 'kysely';
import { migrateToLatest, openDatabase, openSqliteFile, type Database } from '../../src/core/db/db.js';
import { ALL_MIGRATIONS, migrate } from '../../src/app.js';
import { createCommsRepository } from '../../src/modules/comms/comms.repository.js';

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

test('a cap counts a wallet’s awards and reversals in a program and period through the wallet’s (account, id) indexes', async () => {
  const awards = await plan(`select sum(amount), count(*) from transfers where workspace_id = 'w' and credit_account = 'a' and program_id = 'p' and occurred_at >= 0 and occurred_at < 9 and cause = 'event' and rule_id = 'r'`);
  assert.match(awards, /SEARCH transfers USING INDEX transfers_credit \(workspace_id=\? AND credit_account=\?\)/);
  const reversals = await plan(`select sum(amount), count(*) from transfers where workspace_id = 'w' and debit_account = 'a' and program_id = 'p' and occurred_at >= 0 and occurred_at < 9 and cause = 'reversal' and goal_id is null`);
  assert.match(reversals, /SEARCH transfers USING INDEX transfers_debit \(workspace_id=\? AND debit_account=\?\)/);
});

test('program statistics read the budget’s transfers through the (account, id) indexes', async () => {
  const out = await plan(`select credit_account, amount, occurred_at from transfers where workspace_id = 'w' and debit_account = 'budget:p' and program_id = 'p' and occurred_at >= 0 and occurred_at < 9 and cause in ('event', 'goal_tier', 'bulk_award')`);
  assert.match(out, /SEARCH transfers USING INDEX transfers_debit \(workspace_id=\? AND debit_account=\?\)/);
  const back = await plan(`select debit_account, amount, occurred_at from transfers where workspace_id = 'w' and credit_account = 'budget:p' and program_id = 'p' and occurred_at >= 0 and occurred_at < 9 and cause = 'reversal'`);
  assert.match(back, /SEARCH transfers USING INDEX transfers_credit \(workspace_id=\? AND credit_account=\?\)/);
});

test('a balance read is one primary-key row', async () => {
  const p = await plan(`select balance from balances where workspace_id = 'w' and account = 'a'`);
  assert.match(p, /SEARCH balances USING INDEX sqlite_autoindex_balances_1 \(workspace_id=\? AND account=\?\)/);
});

test('the event log, newest first, by person, account or type, is read in index order (no sort)', async () => {
  for (const [column, index] of [['person_id', 'events_person'], ['account_id', 'events_account'], ['type', 'events_type']]) {
    const p = await plan(`select * from events where workspace_id = 'w' and ${column} = 'x' and id < 'evt_z' order by id desc limit 51`);
    assert.match(p, new RegExp(`SEARCH events USING INDEX ${index} \\(workspace_id=\\? AND ${column}=\\? AND id<\\?\\)`));
    assert.doesNotMatch(p, /TEMP B-TREE/);
  }
});

test('a wallet’s open lots come from the partial index of open lots', async () => {
  const p = await plan(`select * from lots where workspace_id = 'w' and account = 'a' and remaining > 0 order by earned_at, transfer_id`);
  assert.match(p, /SEARCH lots USING INDEX lots_open \(workspace_id=\? AND account=\?\)/);
});

test('replays are found by (source, id), and an event’s transfers by event', async () => {
  assert.match(await plan(`select * from events where workspace_id = 'w' and source = 's' and external_id in ('a', 'b')`), /SEARCH events USING INDEX sqlite_autoindex_events_\d/);
  assert.match(await plan(`select * from transfers where workspace_id = 'w' and event_id = 'e'`), /SEARCH transfers USING INDEX transfers_event/);
});

test('a batch’s replays are found with one statement of fixed text per source (ids as one JSON parameter), through the (source, id) key', async () => {
  const p = await plan(`select * from events where workspace_id = 'w' and source = 's' and external_id in (select value from json_each('["a","b"]'))`);
  assert.match(p, /SEARCH events USING INDEX sqlite_autoindex_events_\d \(workspace_id=\? AND source=\? AND external_id=\?\)/);
});

test('the account index holds only events with an account, and a search by account still uses it', async () => {
  const p = await plan(`select * from events where workspace_id = 'w' and account_id = 'x' and id < 'evt_z' order by id desc limit 51`);
  assert.match(p, /SEARCH events USING INDEX events_account \(workspace_id=\? AND account_id=\? AND id<\?\)/);
  const ddl = (await sql<{ sql: string }>`select sql from sqlite_master where name = 'events_account'`.execute(d.db)).rows[0]!.sql;
  assert.match(ddl, /where "account_id" is not null/i);
});

test('the outbox retention finds settled rows through the (status, available_at) index, and old deliveries through the primary key', async () => {
  const outbox = await plan(`select workspace_id, id from outbox where status in ('delivered', 'discarded') and available_at < 5 and settled_at < 5 limit 10`);
  assert.match(outbox, /SEARCH outbox USING INDEX outbox_due \(status=\? AND available_at<\?\)/);
  const log = await plan(`select id from webhook_deliveries where workspace_id = 'w' and id < 'whd_0' and status in ('delivered', 'discarded') and coalesce(last_attempt_at, created_at) < 5 limit 10`);
  assert.match(log, /SEARCH webhook_deliveries USING INDEX sqlite_autoindex_webhook_deliveries_1 \(workspace_id=\? AND id<\?\)/);
});

test('the worker settles a batch of messages named in one JSON parameter by primary key', async () => {
  const p = await plan(`update outbox set status = 'delivered' where workspace_id = 'w' and claimed_by = 't' and id in (select value from json_each('["a","b"]')) returning id`);
  assert.match(p, /SEARCH outbox USING INDEX sqlite_autoindex_outbox_1 \(workspace_id=\? AND id=\?\)/);
});

/**
 * The plan of each statement `run` makes through a repository, as run (with its parameters): a
 * Kysely that logs its queries, on a migrated database of its own.
 */
async function withLoggedDb(body: (db: Kysely<unknown>, plansOf: (run: () => Promise<unknown>) => Promise<string[]>) => Promise<void>) {
  const { sqlite, close } = openSqliteFile(':memory:');
  const ran: CompiledQuery[] = [];
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }), log: (e) => void (e.level === 'query' && ran.push(e.query)) });
  try {
    await migrateToLatest(db, ALL_MIGRATIONS);
    await body(db, async (run) => {
      const from = ran.length;
      await run();
      const out: string[] = [];
      for (const q of ran.slice(from))
        out.push((await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${q.sql}`, [...q.parameters]))).rows.map((r) => r.detail).join('\n'));
      assert.ok(out.length, 'a statement ran');
      return out;
    });
  } finally {
    await db.destroy();
    await close();
  }
}

test('the dead-letter list reads the partial index of dead letters, in id order', async () => {
  await withLoggedDb(async (db, plansOf) => {
    const repo = createCommsRepository(db, 'sqlite');
    for (const [p] of [await plansOf(() => repo.listDead('w', undefined, 51)), await plansOf(() => repo.listDead('w', 'msg_a', 51))]) {
      assert.match(p!, /SEARCH outbox USING INDEX outbox_dead \(workspace_id=\?( AND id>\?)?\)/);
      assert.doesNotMatch(p!, /TEMP B-TREE/);
    }
    const ddl = (await sql<{ sql: string }>`select sql from sqlite_master where name = 'outbox_dead'`.execute(db)).rows[0]!.sql;
    assert.match(ddl, /where "status" = 'dead'/i);
  });
});

test('the worker’s claim, its settling and the upkeep’s purge find due rows through outbox_due and outbox rows by key, never a scan', async () => {
  await withLoggedDb(async (db, plansOf) => {
    const repo = createCommsRepository(db, 'sqlite');
    const plans = {
      claim: await plansOf(() => repo.claim(1, 10, 'tok', 2)),
      settle: await plansOf(() => repo.settleDelivered(db, 'w', ['msg_a', 'msg_b'], 'tok', 1)),
      purge: await plansOf(() => repo.purgeSettled(1, 500)),
    };
    for (const [name, p] of Object.entries(plans)) {
      assert.equal(p.length, 1, `${name}: one statement`);
      assert.doesNotMatch(p[0]!, /SCAN outbox|TEMP B-TREE/, `${name}: ${p[0]}`);
    }
    assert.match(plans.claim[0]!, /SEARCH outbox USING INTEGER PRIMARY KEY \(rowid=\?\)/);
    assert.match(plans.claim[0]!, /SEARCH outbox USING COVERING INDEX outbox_due \(status=\? AND available_at<\?\)/);
    assert.match(plans.settle[0]!, /SEARCH outbox USING INDEX sqlite_autoindex_outbox_1 \(workspace_id=\? AND id=\?\)/);
    assert.match(plans.purge[0]!, /SEARCH outbox USING (COVERING )?INDEX sqlite_autoindex_outbox_1 \(workspace_id=\? AND id=\?\)/);
    assert.match(plans.purge[0]!, /SEARCH outbox USING INDEX outbox_due \(status=\? AND available_at<\?\)/);
  });
});

test('an order’s timeline and the audit log are read by their keys, the tables themselves on SQLite (WITHOUT ROWID)', async () => {
  const steps = await plan(`select * from redemption_events where workspace_id = 'w' and redemption_id in ('a', 'b') order by redemption_id, seq`);
  assert.match(steps, /SEARCH redemption_events USING PRIMARY KEY \(workspace_id=\? AND redemption_id=\?\)/);
  assert.doesNotMatch(steps, /TEMP B-TREE/);
  const newest = await plan(`select * from audit_log where workspace_id = 'w' and id < 'aud_z' order by id desc limit 51`);
  assert.match(newest, /SEARCH audit_log USING PRIMARY KEY \(workspace_id=\? AND id<\?\)/);
  assert.doesNotMatch(newest, /TEMP B-TREE/);
  const about = await plan(`select * from audit_log where workspace_id = 'w' and (target_id = 't' or id in (select audit_id from audit_targets where workspace_id = 'w' and target_id = 't')) order by id desc limit 51`);
  assert.match(about, /SEARCH audit_log USING PRIMARY KEY \(workspace_id=\?\)/);
});
