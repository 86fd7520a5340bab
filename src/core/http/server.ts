import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { AnyDb } from '../db/db.js';
import { AppError, type FieldError } from '../errors.js';
import { txHooks, type TxHook } from '../db/tx-hooks.js';
import type { AuthContext, RouteAccess } from '../auth.js';
import { sendProblem } from './problem.js';
import { isUnavailable, isUniqueViolation } from '../db/db.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
    /** the route takes a CSV body (text/csv) instead of JSON */
    csv?: boolean;
  }
  interface FastifyRequest {
    auth: AuthContext;
    idempotency?: { key: string; caller: string; route: string };
    /** the JSON body held no escaped NUL (checked on the raw text) */
    jsonChecked?: boolean;
  }
}

export const SESSION_COOKIE = 'tandem_session';
export const BODY_LIMIT = 1024 * 1024;
export const BATCH_BODY_LIMIT = 10 * 1024 * 1024;

/**
 * A route's serializer for answers of up to a thousand items that the service builds field by
 * field in a fixed shape (batch results): the response schema still documents them, but they
 * are written as they are instead of being encoded by Zod again item by item.
 */
export const plainJson = () => (data: unknown) => JSON.stringify(data);

export interface Authenticated {
  auth: AuthContext;
  /** set when the caller came by session cookie: unsafe methods must echo it */
  csrfToken?: string;
}

export interface HttpOptions {
  logLevel: string;
  version: string;
  db: AnyDb;
  now: () => number;
  authenticate(req: FastifyRequest): Promise<Authenticated | null>;
  webDir?: string;
}

export interface RouteInfo {
  method: string;
  url: string;
  access: RouteAccess | undefined;
}

export type App = FastifyInstance & { withTypeProvider(): FastifyInstance };

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** No own keys (a route's empty query or params): nothing to scan. */
function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v !== 'object') return false;
  for (const k in v) if (Object.prototype.hasOwnProperty.call(v, k)) return false;
  return true;
}

function fieldErrorsOf(err: FastifyError & { validation: { instancePath: string; message: string; keyword: string; params: Record<string, unknown> }[]; validationContext?: string }): FieldError[] {
  const prefix = err.validationContext && err.validationContext !== 'body' ? `${err.validationContext}.` : '';
  const out: FieldError[] = [];
  for (const v of err.validation) {
    const base = v.instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
    if (v.keyword === 'unrecognized_keys' && Array.isArray(v.params.keys)) {
      for (const k of v.params.keys as string[]) out.push({ path: prefix + (base ? `${base}.${k}` : k), message: 'unknown field' });
    } else {
      out.push({ path: prefix + (base || '(root)'), message: v.message });
    }
  }
  return out;
}

/** Maps anything thrown in a request to the AppError the client sees. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as FastifyError & { validation?: unknown };
  if (hasZodFastifySchemaValidationErrors(e)) {
    const errors = fieldErrorsOf(e as never);
    return new AppError('validation_failed', { detail: errors.map((x) => `${x.path}: ${x.message}`).join('; '), errors });
  }
  switch (e?.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('invalid_json', { detail: 'The body is not valid JSON' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('invalid_json', { detail: 'The body is empty but the content type is JSON' });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', { detail: 'The body is over the limit for this endpoint' });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('unsupported_media_type', { detail: 'Send application/json (text/csv for imports)' });
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new AppError('unsupported_media_type', { detail: 'The content type header is malformed' });
  }
  if (e instanceof SyntaxError) return new AppError('invalid_json', { detail: 'The body is not valid JSON' });
  // Invalid text for PostgreSQL (a NUL slipped past the edge): the client's input, not our failure.
  if ((e as { code?: string })?.code === '22021') return new AppError('validation_failed', { detail: 'The input holds text the database cannot store' });
  if (isUnavailable(e)) return new AppError('service_unavailable', { detail: 'The database is unreachable; retry shortly', retryAfter: 5 });
  if (isUniqueViolation(e)) return new AppError('conflict', { detail: 'A record with the same key exists' });
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const code = e.statusCode === 413 ? 'payload_too_large' : e.statusCode === 415 ? 'unsupported_media_type' : e.statusCode === 429 ? 'rate_limited' : e.statusCode === 404 ? 'not_found' : 'validation_failed';
    return new AppError(code, { detail: e.message });
  }
  return new AppError('internal', { detail: 'Something went wrong on our side; it has been logged' });
}

export async function createHttpServer(opts: HttpOptions) {
  const app = Fastify({
    logger: { level: opts.logLevel },
    bodyLimit: BODY_LIMIT,
    logController: new LogController({ disableRequestLogging: opts.logLevel !== 'debug' && opts.logLevel !== 'trace' }),
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const routes: RouteInfo[] = [];
  app.addHook('onRoute', (r) => {
    // The web app's files and the API docs are public; every API route declares its access.
    if (r.config?.access === undefined && (!r.url.startsWith('/api') || r.url.startsWith('/api/docs'))) r.config = { ...(r.config ?? {}), access: 'public' };
    // Fail closed: an API route that forgets to declare its access is a bug caught at start.
    if (r.config?.access === undefined) throw new Error(`${String(r.method)} ${r.url} declares no access`);
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    for (const m of methods) if (m !== 'HEAD') routes.push({ method: m, url: r.url, access: r.config?.access });
    // A POST with an Idempotency-Key stores its answer inside the transactions it opens.
    if (methods.includes('POST')) {
      const handler = r.handler;
      r.handler = function (this: unknown, req, reply) {
        return req.idempotency ? txHooks.run(idempotencyHook(opts, req), () => handler.call(this as never, req, reply)) : handler.call(this as never, req, reply);
      };
    }
  });

  await app.register(cookie);
  // JSON: the default parser (prototype-poisoning guards included), after a look at the raw text
  // for an escaped NUL (\u0000 after an odd number of backslashes), which PostgreSQL cannot
  // store; a raw NUL is not valid JSON and fails the parse itself.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    let nul = false;
    for (let i = text.indexOf('\\u0000'); i !== -1 && !nul; i = text.indexOf('\\u0000', i + 1)) {
      let slashes = 0;
      for (let j = i; j >= 0 && text[j] === '\\'; j--) slashes++;
      nul = slashes % 2 === 1;
    }
    // Without one the body needs no walk later; with one, the walk names the fields.
    req.jsonChecked = !nul;
    void parseJson(req, text, done);
  });
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: BATCH_BODY_LIMIT }, (_req, body, done) => done(null, body));

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Tandem API', version: opts.version, description: 'Engagement platform for employees, customers and channel partners. See docs/api.md.' },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer tnd_…`' },
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });

  app.setErrorHandler((err, req, reply) => {
    const appErr = toAppError(err);
    if (appErr.code === 'internal') req.log.error({ err }, 'unhandled error');
    return sendProblem(reply, appErr);
  });

  app.setNotFoundHandler((req, reply) => {
    const url = req.url.split('?')[0]!;
    // The web app's routes get its index.html; a missing file (an asset, a path with an extension) and the API get a 404.
    const isApi = url === '/api' || url.startsWith('/api/');
    const isFile = url.startsWith('/assets/') || /\.[a-z0-9]+$/i.test(url);
    if (!isApi && !isFile && req.method === 'GET' && opts.webDir && fs.existsSync(path.join(opts.webDir, 'index.html'))) {
      return reply.type('text/html').sendFile('index.html');
    }
    return sendProblem(reply, new AppError('not_found', { detail: `No route ${req.method} ${url}` }));
  });

  // Authentication and the route's permission, before the body is even read.
  app.addHook('onRequest', async (req) => {
    // routeOptions is a getter that builds a new object on each read: read it once.
    const route = req.routeOptions;
    const access = route.config?.access;
    if (access === 'public' || !route.url) return;
    if (!access) throw new AppError('forbidden', { detail: 'This route declares no access' });
    const who = await opts.authenticate(req);
    if (!who) throw new AppError('unauthenticated', { detail: 'Send an API key (Authorization: Bearer …) or sign in' });
    if (who.csrfToken && UNSAFE.has(req.method) && req.headers['x-csrf-token'] !== who.csrfToken) {
      throw new AppError('csrf_failed', { detail: 'Send the X-CSRF-Token header given by GET /api/v1/session' });
    }
    req.auth = who.auth;
    if (access !== 'self') who.auth.require(access);
  });

  // One synchronous hook before validation (a callback hook costs no promise per request):
  // U+0000 cannot be stored in PostgreSQL text: refuse it everywhere, so both databases answer
  // alike; then each route takes one kind of body: CSV routes text/csv, the rest JSON.
  app.addHook('preValidation', (req, _reply, done) => {
    const found: FieldError[] = [];
    // Iterative, so a body nested 50,000 deep is walked without exhausting the stack.
    const scan = (root: unknown, rootPath: string) => {
      const stack: [unknown, string][] = [[root, rootPath]];
      while (stack.length && found.length < 10) {
        const [v, path] = stack.pop()!;
        if (typeof v === 'string') {
          if (v.includes('\u0000')) found.push({ path: path || '(root)', message: 'contains a NUL character (U+0000)' });
        } else if (Array.isArray(v)) v.forEach((x, i) => stack.push([x, `${path}.${i}`]));
        else if (v && typeof v === 'object') {
          for (const [k, x] of Object.entries(v)) {
            if (k.includes('\u0000')) found.push({ path: `${path}.${k}`, message: 'a field name contains a NUL character (U+0000)' });
            stack.push([x, path ? `${path}.${k}` : k]);
          }
        }
      }
    };
    // A JSON body was checked as text before parsing (cheaper than walking a large batch).
    if (!req.jsonChecked) scan(req.body, '');
    if (!isEmpty(req.query)) scan(req.query, 'querystring');
    if (!isEmpty(req.params)) scan(req.params, 'params');
    if (found.length) throw new AppError('validation_failed', { detail: found.map((e) => `${e.path}: ${e.message}`).join('; '), errors: found });

    if (UNSAFE.has(req.method) && req.body !== undefined) {
      const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const csv = req.routeOptions.config?.csv === true;
      if (csv ? type !== 'text/csv' : type === 'text/csv' || type === 'text/plain') {
        throw new AppError('unsupported_media_type', { detail: csv ? 'Send the file as text/csv' : 'Send application/json' });
      }
    }
    done();
  });

  registerIdempotency(app, opts);

  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());

  if (opts.webDir && fs.existsSync(opts.webDir)) {
    // wildcard: files are looked up per request, so a rebuilt web app is served without a restart.
    await app.register(fastifyStatic, { root: path.resolve(opts.webDir), wildcard: true, index: ['index.html'] });
  }

  return { app, routes };
}

/**
 * Inside the write's own transaction, the answer it will give (its result, encoded by the
 * route's success schema) is stored with the key: a server that stops between the commit and
 * the answer still replays it, and never acts twice. The answer actually sent replaces it.
 */
function idempotencyHook(opts: HttpOptions, req: FastifyRequest): TxHook {
  const idem = req.idempotency!;
  const response = (req.routeOptions.schema?.response ?? {}) as Record<number, { safeEncode?: (v: unknown) => { success: boolean; data?: unknown } }>;
  const status = [201, 200, 202].find((c) => response[c]?.safeEncode);
  let named = false;
  async function store(tx: AnyDb, value: unknown) {
    if (status === undefined || value === undefined) return false;
    const encoded = response[status]!.safeEncode!(value);
    // A transaction whose result is not the answer (a batch's inner results) stores nothing.
    if (!encoded.success) return false;
    await tx
      .updateTable('idempotency_keys')
      .set({ status_code: status, response: JSON.stringify({ type: 'application/json; charset=utf-8', body: JSON.stringify(encoded.data) }) })
      .where('workspace_id', '=', req.auth.workspaceId)
      .where('caller', '=', idem.caller)
      .where('route', '=', idem.route)
      .where('key', '=', idem.key)
      .execute();
    return true;
  }
  return {
    async answer(tx, value) {
      named = (await store(tx, value)) || named;
    },
    async beforeCommit(tx, result) {
      if (!named) await store(tx, result);
    },
  };
}

/**
 * Idempotency-Key on POST: the same key and body answer the first answer again; another body
 * is 409 idempotency_conflict. Keys are scoped to workspace, caller and route, kept 24 hours.
 */
function registerIdempotency(app: FastifyInstance, opts: HttpOptions) {
  const DAY = 24 * 3600 * 1000;
  // Callback hooks whose common case (no key) answers at once, without a promise per request.
  app.addHook('preHandler', (req, reply, done) => {
    const key = req.headers['idempotency-key'];
    if (req.method !== 'POST' || typeof key !== 'string' || !req.auth) return done();
    begin(req, reply, key).then(() => done(), done);
  });
  async function begin(req: FastifyRequest, reply: FastifyReply, key: string) {
    if (key.length < 1 || key.length > 200) throw new AppError('validation_failed', { detail: 'Idempotency-Key must be 1 to 200 characters', errors: [{ path: 'header.idempotency-key', message: '1 to 200 characters' }] });
    const scope = { workspace_id: req.auth.workspaceId, caller: req.auth.actor.id, route: req.routeOptions.url ?? req.url, key };
    const bodyHash = createHash('sha256').update(JSON.stringify(req.body ?? null)).update(req.url).digest('hex');
    const now = opts.now();
    const existing = await opts.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('workspace_id', '=', scope.workspace_id)
      .where('caller', '=', scope.caller)
      .where('route', '=', scope.route)
      .where('key', '=', key)
      .executeTakeFirst();
    if (existing && existing.created_at > now - DAY) {
      if (existing.body_hash !== bodyHash) throw new AppError('idempotency_conflict', { detail: 'This Idempotency-Key was used with a different request body' });
      if (existing.status_code == null) throw new AppError('idempotency_in_progress', { detail: 'The first request with this key has not finished; retry shortly' });
      const saved = JSON.parse(existing.response) as { type: string; body: string };
      return reply.code(existing.status_code).header('idempotent-replayed', 'true').type(saved.type).send(saved.body);
    }
    if (existing) await opts.db.deleteFrom('idempotency_keys').where('workspace_id', '=', scope.workspace_id).where('caller', '=', scope.caller).where('route', '=', scope.route).where('key', '=', key).execute();
    try {
      await opts.db.insertInto('idempotency_keys').values({ ...scope, body_hash: bodyHash, status_code: null, response: null, created_at: now }).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('idempotency_in_progress', { detail: 'A request with this key is in progress' });
      throw err;
    }
    req.idempotency = { key, caller: scope.caller, route: scope.route };
  }
  app.addHook('onSend', (req, reply, payload, done) => {
    if (!req.idempotency) return done(null, payload);
    finish(req, reply, payload).then((p) => done(null, p), done);
  });
  async function finish(req: FastifyRequest, reply: FastifyReply, payload: unknown) {
    const idem = req.idempotency!;
    if (reply.getHeader('idempotent-replayed')) return payload;
    const status = reply.statusCode;
    const q = opts.db.updateTable('idempotency_keys').where('workspace_id', '=', req.auth.workspaceId).where('caller', '=', idem.caller).where('route', '=', idem.route).where('key', '=', idem.key);
    // A server failure must not pin the key: the client may retry it. Unless a write already
    // committed with its answer (the hook below): then that answer stands.
    if (status >= 500) await opts.db.deleteFrom('idempotency_keys').where('workspace_id', '=', req.auth.workspaceId).where('caller', '=', idem.caller).where('route', '=', idem.route).where('key', '=', idem.key).where('status_code', 'is', null).execute();
    else await q.set({ status_code: status, response: JSON.stringify({ type: String(reply.getHeader('content-type') ?? 'application/json'), body: typeof payload === 'string' ? payload : '' }) }).execute();
    return payload;
  }
}
