import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { openDatabase, type Dialect } from '../../src/core/db/db.js';
import { buildApp, createServices, migrate, type Services, type ServicesOptions } from '../../src/app.js';
import { systemContext, type Role } from '../../src/core/auth.js';
import type { RouteInfo } from '../../src/core/http/server.js';
import type { Clock } from '../../src/core/clock.js';

/** The dialects this run covers: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
/** TANDEM_SECRET of test apps: processes that share a database must share it (it seals webhook secrets). */
export const TEST_SECRET = 'test-secret-0123456789abcdefghijklmnopqrstuvwxyz';

export const DIALECTS: Dialect[] = process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export interface TestDb {
  dialect: Dialect;
  url?: string;
  file?: string;
  drop(): Promise<void>;
}

/** A fresh, empty database: a temp SQLite file, or a new PostgreSQL database. */
export async function freshDatabase(dialect: Dialect): Promise<TestDb> {
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-test-'));
    return { dialect, file: path.join(dir, 'tandem.db'), drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const admin = process.env.TEST_DATABASE_URL!;
  const name = `tandem_t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    dialect,
    url: url.toString(),
    async drop() {
      const c2 = new pg.Client({ connectionString: admin });
      await c2.connect();
      await c2.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c2.end();
    },
  };
}

export interface TestApp {
  dialect: Dialect;
  app: FastifyInstance;
  routes: RouteInfo[];
  services: Services;
  /** an HTTP call through Fastify's inject; `key` sends Authorization: Bearer */
  call(method: string, url: string, opts?: { key?: string; body?: unknown; headers?: Record<string, string>; payload?: string }): Promise<{ status: number; body: any; headers: Record<string, unknown>; text: string }>;
  /** a workspace with an owner key; extra keys for the roles asked */
  workspace(name?: string): Promise<TestWorkspace>;
  close(): Promise<void>;
}

export interface TestWorkspace {
  id: string;
  slug: string;
  ownerKey: string;
  key(role: Role, opts?: { personId?: string }): Promise<string>;
}

/** One app per test file: a fresh database of the dialect, migrated, served by inject. */
export async function createTestApp(dialect: Dialect, opts: { listen?: boolean; clock?: Clock; production?: boolean; services?: ServicesOptions } = {}): Promise<TestApp & { url?: string; db: TestDb }> {
  const tdb = await freshDatabase(dialect);
  const database = dialect === 'sqlite' ? openDatabase({ dialect, file: tdb.file }) : openDatabase({ dialect, url: tdb.url, poolSize: 5 });
  await migrate(database);
  const services = createServices(database, opts.clock, { publicUrl: 'http://127.0.0.1', secret: TEST_SECRET, ...opts.services, production: opts.production });
  const { app, routes } = await buildApp(services, { logLevel: (process.env.TEST_LOG_LEVEL ?? 'silent') as 'silent', publicUrl: 'http://127.0.0.1' });
  let url: string | undefined;
  if (opts.listen) {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.server.address();
    url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  }
  let n = 0;
  const t: TestApp & { url?: string; db: TestDb } = {
    dialect,
    app,
    routes,
    services,
    url,
    db: tdb,
    async call(method, u, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (o.key) headers.authorization = `Bearer ${o.key}`;
      const inject: InjectOptions = { method: method, url: u, headers };
      if (o.payload !== undefined) inject.payload = o.payload;
      else if (o.body !== undefined) inject.payload = o.body as InjectOptions['payload'];
      const res = await app.inject(inject);
      let body: unknown = undefined;
      try {
        body = res.body ? JSON.parse(res.body) : undefined;
      } catch {
        body = res.body;
      }
      return { status: res.statusCode, body, headers: res.headers, text: res.body };
    },
    async workspace(name = `Workspace ${++n}`) {
      const ws = await services.workspaces.create({ name });
      const ctx = systemContext(ws.id);
      const ownerKey = (await services.access.createKey(ctx, { name: 'owner', role: 'owner' })).key;
      return {
        id: ws.id,
        slug: ws.slug,
        ownerKey,
        key: async (role, ko = {}) => (await services.access.createKey(ctx, { name: role, role, personId: ko.personId ?? null })).key,
      };
    },
    async close() {
      await app.close();
      await database.close();
      await tdb.drop();
    },
  };
  return t;
}

/** For the browser journeys: a listening server over a fresh database with an admin user. */
export async function startTestServer(opts: { dialect?: Dialect } = {}) {
  const t = await createTestApp(opts.dialect ?? 'sqlite', { listen: true });
  const ws = await t.workspace('Browser Test Co');
  const adminEmail = 'admin@browser.test';
  const adminPassword = 'browser-test-password';
  await t.services.access.createUser(systemContext(ws.id), { email: adminEmail, name: 'Alex Admin', role: 'owner', password: adminPassword });
  return { url: t.url!, adminEmail, adminPassword, workspaceId: ws.id, ownerKey: ws.ownerKey, services: t.services, close: () => t.close() };
}

/**
 * A call to a test server's API with its owner key (the journeys set data up this way): the
 * status and the parsed body (null when there is none).
 */
export async function ownerRequest(server: { url: string; ownerKey: string }, method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(`${server.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${server.ownerKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

/** What `serve` does in the background: the worker runs the plans and delivers the outbox until nothing is due. */
export async function runWorker(server: { services: Services }) {
  const w = server.services.comms.worker();
  await w.drain();
  await w.close();
}

/** The emails a test server sent (stored, no SMTP_URL) of one message type, with their text. */
export async function sentEmails(server: { services: Services }, type: string) {
  return (await server.services.db.selectFrom('emails').selectAll().where('type', '=', type).execute()) as { text: string; to_address: string }[];
}
