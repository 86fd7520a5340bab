import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqliteFile } from './db.js';

test('the background checkpointer folds the WAL into the file long before the safety threshold', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-ckpt-'));
  const file = path.join(dir, 'c.db');
  const { sqlite, close } = openSqliteFile(file);
  try {
    sqlite.exec('create table t (id integer primary key, body text not null)');
    const insert = sqlite.prepare('insert into t (body) values (?)');
    const body = 'x'.repeat(1000);
    // About 4 MB in 20 transactions: far below the connection's own threshold (64 MB of WAL).
    for (let b = 0; b < 20; b++) sqlite.transaction(() => { for (let i = 0; i < 200; i++) insert.run(body); })();
    const deadline = Date.now() + 10_000;
    while (fs.statSync(file).size < 3_000_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(fs.statSync(file).size >= 3_000_000, `the database file holds the rows (${fs.statSync(file).size} bytes)`);
    assert.equal((sqlite.prepare('select count(*) as n from t').get() as { n: number }).n, 4000);
  } finally {
    await close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(sqlite.open, false, 'close stops the checkpointer and closes the connection');
});
