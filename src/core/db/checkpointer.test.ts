import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type SQLite from 'better-sqlite3';
import { openSqliteFile } from './db.js';

/** A file opened as Tandem opens its own, with a table of 1,000-byte rows, for one test. */
async function withFile(fn: (f: { file: string; sqlite: SQLite.Database; insert: () => void; count: () => number }) => Promise<void>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-ckpt-'));
  const file = path.join(dir, 'c.db');
  const { sqlite, close } = openSqliteFile(file);
  try {
    sqlite.exec('create table t (id integer primary key, body text not null)');
    const stmt = sqlite.prepare('insert into t (body) values (?)');
    const body = 'x'.repeat(1000);
    await fn({ file, sqlite, insert: () => stmt.run(body), count: () => (sqlite.prepare('select count(*) as n from t').get() as { n: number }).n });
  } finally {
    await close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(sqlite.open, false, 'close stops the checkpointer and closes the connection');
}

test('the background checkpointer folds the WAL into the file long before the safety threshold', () =>
  withFile(async ({ file, sqlite, insert, count }) => {
    // About 4 MB in 20 transactions: far below the connection's own threshold (64 MB of WAL).
    for (let b = 0; b < 20; b++) sqlite.transaction(() => { for (let i = 0; i < 200; i++) insert(); })();
    const deadline = Date.now() + 10_000;
    while (fs.statSync(file).size < 3_000_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(fs.statSync(file).size >= 3_000_000, `the database file holds the rows (${fs.statSync(file).size} bytes)`);
    assert.equal(count(), 4000);
  }));

test('under bursts of writes with short pauses, as a busy server takes requests, the log starts over at the pauses', () =>
  withFile(async ({ file, sqlite, insert, count }) => {
    // The log's salt, from the WAL index (the -shm file, SQLite's documented layout: the
    // header's aSalt at byte 32): it changes each time the log starts over.
    const shm = fs.openSync(`${file}-shm`, 'r');
    const salt = Buffer.alloc(8);
    const salts = new Set<string>();
    // 15 bursts of 10 ms of writes (the event loop never turns) with 50 ms pauses.
    let rows = 0;
    for (let burst = 0; burst < 15; burst++) {
      const end = Date.now() + 10;
      while (Date.now() < end) {
        for (let i = 0; i < 10; i++) sqlite.transaction(insert).immediate();
        rows += 10;
      }
      fs.readSync(shm, salt, 0, 8, 32);
      salts.add(salt.toString('hex'));
      await new Promise((r) => setTimeout(r, 50));
    }
    fs.closeSync(shm);
    // About ten on a quiet machine; looking every quarter second whatever happens, the worker found
    // one or two of the pauses.
    assert.ok(salts.size >= 4, `the log started over ${salts.size - 1} times in 15 bursts`);
    assert.equal(count(), rows);
  }));
