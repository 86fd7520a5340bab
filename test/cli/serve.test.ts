import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });

describe('serve on an empty database (what `npm start` does)', () => {
  let child: ChildProcess;
  let out = '';
  let base = '';
  let cookie = '';
  before(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-serve-'));
    child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), 'serve'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH!, PORT: String(port), TANDEM_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 60_000;
    while (!out.includes('Tandem is running') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const r = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@demo.tandem.dev', password: 'tandem-demo' }) });
    cookie = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
  });
  after(() => {
    child.kill('SIGTERM');
  });

  const get = async (url: string): Promise<any> => (await fetch(`${base}${url}`, { headers: { cookie } })).json();
  const all = async (url: string) => {
    const rows: Record<string, unknown>[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Record<string, unknown>[]; nextCursor: string | null } = await get(`${url}${url.includes('?') ? '&' : '?'}limit=500${cursor ? `&cursor=${cursor}` : ''}`);
      rows.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor);
    return rows;
  };

  test('prints the URL and a demo sign-in, and answers health', async () => {
    assert.match(out, new RegExp(`Tandem is running at ${base.replace(/\./g, '\\.')}`));
    assert.match(out, /admin@demo\.tandem\.dev \/ tandem-demo/);
    const h = await fetch(`${base}/api/health`);
    assert.equal(h.status, 200);
    assert.equal(((await h.json()) as { database: string }).database, 'sqlite');
  });

  test('serves the web app at / and at deep links', async () => {
    for (const p of ['/', '/people']) {
      const r = await fetch(`${base}${p}`);
      assert.equal(r.status, 200, p);
      assert.match(await r.text(), /<div id="root">/);
    }
  });

  test('a missing asset is a 404, not the app; a page whose path starts with "api" is the app', async () => {
    assert.equal((await fetch(`${base}/assets/missing-chunk.js`)).status, 404);
    const page = await fetch(`${base}/api-keys-and-more`);
    assert.equal(page.status, 200);
    const api = await fetch(`${base}/api/v1/nothing`);
    assert.equal(api.status, 404);
    assert.match(api.headers.get("content-type") ?? "", /problem\+json/);
  });

  test('the demo workspace holds the organisation the issue describes', async () => {
    assert.ok(cookie, 'demo sign-in works');
    const teams = await all('/api/v1/teams');
    assert.equal(teams.length, 12);
    const employees = await all('/api/v1/people?kind=employee');
    assert.equal(employees.length, 150);
    const customers = await all('/api/v1/accounts?kind=customer');
    const partners = await all('/api/v1/accounts?kind=partner');
    assert.equal(customers.length, 40);
    assert.equal(partners.length, 12);
    const contacts = await all('/api/v1/people?kind=customer');
    const perAccount = new Map<unknown, number>();
    for (const c of contacts) perAccount.set(c.accountId, (perAccount.get(c.accountId) ?? 0) + 1);
    assert.equal(perAccount.size, 40);
    for (const n of perAccount.values()) assert.ok(n >= 2 && n <= 5);
    assert.ok((await all('/api/v1/people?kind=partner')).length >= 24);
    const assignments = await all('/api/v1/assignments');
    assert.equal(new Set(assignments.map((a) => a.accountId)).size, 52);
    assert.ok(teams.every((t) => t.managerId), 'every team has a manager');
  });
});
