import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DIALECTS, freshDatabase, type TestDb } from '../support/app.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

function run(args: string[], env: Record<string, string>, input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH!, LOG_LEVEL: 'silent', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(input ?? '');
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('configuration', () => {
  test('a wrong value stops the process with exit code 2, naming the variable', async () => {
    for (const [name, value] of [['PORT', 'eighty'], ['DATABASE_URL', 'mysql://x'], ['TANDEM_DEMO', 'maybe'], ['LOG_LEVEL', 'loud'], ['SMTP_URL', 'http://mail.example.com'], ['MAIL_FROM', 'not an address']] as const) {
      const r = await run(['migrate'], { [name]: value, TANDEM_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-cfg-')) });
      assert.equal(r.code, 2, `${name}=${value}`);
      assert.match(r.stderr, new RegExp(name));
    }
  });
});

for (const dialect of DIALECTS) {
  describe(`CLI (${dialect})`, () => {
    let db: TestDb;
    let env: Record<string, string>;
    before(async () => {
      db = await freshDatabase(dialect);
      env = dialect === 'sqlite' ? { TANDEM_DATA_DIR: path.dirname(db.file!) } : { DATABASE_URL: db.url!, TANDEM_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-cli-')) };
    });
    after(() => db.drop());

    test('migrate, then workspace create and list, in JSON', async () => {
      const m = await run(['migrate', '--json'], env);
      assert.equal(m.code, 0, m.stderr);
      assert.ok(JSON.parse(m.stdout).applied.length > 0);
      const again = await run(['migrate', '--json'], env);
      assert.deepEqual(JSON.parse(again.stdout).applied, []);
      const c = await run(['workspace', 'create', '--name', 'Globex', '--slug', 'globex', '--json'], env);
      assert.equal(c.code, 0, c.stderr);
      const ws = JSON.parse(c.stdout);
      assert.match(ws.id, /^wsp_/);
      const l = await run(['workspace', 'list', '--json'], env);
      assert.deepEqual(JSON.parse(l.stdout).map((w: { slug: string }) => w.slug), ['globex']);
      const dup = await run(['workspace', 'create', '--name', 'Globex 2', '--slug', 'globex'], env);
      assert.notEqual(dup.code, 0);
      assert.match(dup.stderr, /slug/);
    });

    test('key create prints the key once: { id, key, role, workspaceId }', async () => {
      const r = await run(['key', 'create', '--workspace', 'globex', '--role', 'integration', '--name', 'CRM', '--json'], env);
      assert.equal(r.code, 0, r.stderr);
      const k = JSON.parse(r.stdout);
      assert.deepEqual(Object.keys(k).sort(), ['id', 'key', 'name', 'role', 'workspaceId']);
      assert.equal(k.role, 'integration');
      assert.match(k.key, /^tnd_/);
      const bad = await run(['key', 'create', '--workspace', 'nowhere', '--role', 'admin'], env);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /nowhere/);
    });

    test('user create takes the password from stdin, or generates and prints it', async () => {
      const a = await run(['user', 'create', '--workspace', 'globex', '--email', 'ann@globex.example', '--role', 'admin', '--json'], env, 'a-long-enough-password\n');
      assert.equal(a.code, 0, a.stderr);
      assert.equal(JSON.parse(a.stdout).generatedPassword, undefined);
      const b = await run(['user', 'create', '--workspace', 'globex', '--email', 'bo@globex.example', '--role', 'analyst', '--json'], env);
      assert.equal(b.code, 0, b.stderr);
      assert.ok(JSON.parse(b.stdout).generatedPassword.length >= 12);
      const bad = await run(['user', 'create', '--workspace', 'globex', '--email', 'x@globex.example', '--role', 'wizard'], env);
      assert.notEqual(bad.code, 0);
    });

    test('import reports each row and exits non-zero when a row is rejected', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-csv-'));
      fs.writeFileSync(path.join(dir, 'teams.csv'), 'externalId,name,parentExternalId\nT-B,Child,T-A\nT-A,Parent,\n');
      fs.writeFileSync(path.join(dir, 'people.csv'), 'kind,externalId,name,email,teamExternalId\nemployee,E1,Ann,ann@x.example,T-A\nemployee,E2,Bad,bad-email,T-B\n');
      const t = await run(['import', 'teams', path.join(dir, 'teams.csv'), '--workspace', 'globex', '--json'], env);
      assert.equal(t.code, 0, t.stderr);
      assert.equal(JSON.parse(t.stdout).summary.created, 2);
      const p = await run(['import', 'people', path.join(dir, 'people.csv'), '--workspace', 'globex'], env);
      assert.equal(p.code, 1);
      assert.match(p.stdout, /1 created, 0 updated, 0 unchanged, 1 rejected/);
      assert.match(p.stdout, /row 2 \(E2\): email/);
      const again = await run(['import', 'teams', path.join(dir, 'teams.csv'), '--workspace', 'globex', '--json'], env);
      assert.equal(JSON.parse(again.stdout).summary.unchanged, 2);
    });

    test('demo creates the demo workspace once, and its ledger verifies', async () => {
      const a = await run(['demo', '--json'], env);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(JSON.parse(a.stdout).created, true);
      const b = await run(['demo', '--json'], env);
      assert.equal(JSON.parse(b.stdout).created, false);
      const v = await run(['ledger', 'verify', '--workspace', 'demo', '--json'], env);
      assert.equal(v.code, 0, v.stderr);
      const report = JSON.parse(v.stdout);
      assert.equal(report.ok, true);
      assert.ok(report.accounts > 100, 'the demo has wallets with points');
    });

    test('ledger verify exits non-zero when a balance differs from its transfers', async () => {
      const { openDatabase } = await import('../../src/core/db/db.js');
      const d = dialect === 'sqlite' ? openDatabase({ dialect, file: db.file }) : openDatabase({ dialect, url: db.url });
      const row = await d.db.selectFrom('balances').select(['workspace_id', 'account', 'balance']).where('account', 'like', 'wallet:%').executeTakeFirstOrThrow();
      await d.db.updateTable('balances').set({ balance: Number(row.balance) + 1 }).where('workspace_id', '=', row.workspace_id).where('account', '=', row.account).execute();
      await d.close();
      const v = await run(['ledger', 'verify', '--workspace', 'demo'], env);
      assert.equal(v.code, 1);
      assert.match(v.stdout, new RegExp(`${row.account}: balance ${Number(row.balance) + 1} but transfers sum to ${row.balance}`));
    });
  });
}
