// What the security tests know of each route: its access (from the route table the server
// builds) and its parameters and body (from the OpenAPI document generated from the same Zod
// schemas). Nothing here names a route, so a module added later is walked without edits.
import assert from 'node:assert/strict';
import type { InjectOptions } from 'fastify';
import { ERROR_CODES } from '../../src/core/errors.js';
import type { RouteInfo } from '../../src/core/http/server.js';
import type { TestApp } from '../support/app.js';

/**
 * Routes outside the access model, public by design and holding no tenant data: the docs UI
 * and the OpenAPI document (swagger-ui registers its routes without `config.access`), and
 * the web app's static files (@fastify/static registers one route per file of web/dist when
 * it is built; the app's data comes from /api).
 */
export const outsideAccessModel = (r: RouteInfo) => r.url === '/api/docs' || r.url.startsWith('/api/docs/') || r.url === '/api/openapi.json' || !r.url.startsWith('/api/');

/** A JSON Schema as @fastify/swagger writes it, with every $ref already inlined. */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: unknown;
  $ref?: string;
}

export interface Operation {
  params: Record<string, JsonSchema>;
  query: Record<string, JsonSchema>;
  /** absent when the route takes no body */
  body?: { contentType: string; schema: JsonSchema };
}

export const paramsOf = (url: string) => [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);

/** The route's URL with each `:param` replaced (URI-encoded). */
export const fillPath = (url: string, value: (param: string) => string) => url.replace(/:([A-Za-z0-9_]+)/g, (_, p: string) => encodeURIComponent(value(p)));

/** Reads /api/openapi.json once; answers the operation of a route (undefined when hidden). */
export async function loadOperations(t: TestApp): Promise<(r: RouteInfo) => Operation | undefined> {
  const doc = (await t.call('GET', '/api/openapi.json')).body as {
    paths: Record<string, Record<string, { parameters?: { in: string; name: string; schema: JsonSchema }[]; requestBody?: { content: Record<string, { schema: JsonSchema }> } }>>;
    components?: { schemas?: Record<string, JsonSchema> };
  };
  const components = doc.components?.schemas ?? {};
  const inline = (s: JsonSchema, depth = 0): JsonSchema => {
    if (depth > 20) return {}; // a recursive schema: deep enough for any test value
    if (s.$ref) {
      const name = s.$ref.replace('#/components/schemas/', '');
      return inline(components[name] ?? {}, depth + 1);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s)) {
      if (k === 'properties') out[k] = Object.fromEntries(Object.entries(v as Record<string, JsonSchema>).map(([p, ps]) => [p, inline(ps, depth + 1)]));
      else if (k === 'anyOf' || k === 'oneOf' || k === 'allOf') out[k] = (v as JsonSchema[]).map((x) => inline(x, depth + 1));
      else if ((k === 'items' || k === 'additionalProperties' || k === 'propertyNames') && v && typeof v === 'object') out[k] = inline(v as JsonSchema, depth + 1);
      else out[k] = v;
    }
    return out;
  };
  return (r) => {
    const op = doc.paths[r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')]?.[r.method.toLowerCase()];
    if (!op) return undefined;
    const params: Record<string, JsonSchema> = {};
    const query: Record<string, JsonSchema> = {};
    for (const p of op.parameters ?? []) {
      if (p.in === 'path') params[p.name] = inline(p.schema);
      if (p.in === 'query') query[p.name] = inline(p.schema);
    }
    const content = op.requestBody?.content ?? {};
    const contentType = Object.keys(content)[0];
    return { params, query, body: contentType ? { contentType, schema: inline(content[contentType]!.schema) } : undefined };
  };
}

/** The JSON types a schema admits; null when it admits anything. */
export function acceptedTypes(s: JsonSchema): Set<string> | null {
  if (s.anyOf || s.oneOf) {
    const out = new Set<string>();
    for (const x of s.anyOf ?? s.oneOf ?? []) {
      const a = acceptedTypes(x);
      if (!a) return null;
      a.forEach((v) => out.add(v));
    }
    return out;
  }
  if (s.enum) return new Set(s.enum.map(jsonTypeOf));
  if (s.const !== undefined) return new Set([jsonTypeOf(s.const)]);
  if (s.type) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    return new Set(types.flatMap((x) => (x === 'number' ? ['number', 'integer'] : [x])));
  }
  return null;
}

export function jsonTypeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/**
 * The smallest body the schema accepts: required fields only. `idFor` answers an id for a
 * pattern such as `^per_[0-9a-z]{26}$`, given its prefix.
 */
export function minimalValue(s: JsonSchema, idFor: (prefix: string) => string, opts: { withRefs?: boolean } = {}): unknown {
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  const branches = s.anyOf ?? s.oneOf;
  if (branches) {
    const nonNull = branches.filter((b) => b.type !== 'null');
    return nonNull.length < branches.length ? null : minimalValue(nonNull[0] ?? {}, idFor, opts);
  }
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'object': {
      // withRefs: a reference given as `xId` or `xExternalId`, both optional in the schema, is
      // often required by a refine that JSON Schema cannot show: give the id.
      const props = s.properties ?? {};
      const refs = opts.withRefs ? Object.keys(props).filter((k) => /Id$/.test(k) && `${k.slice(0, -2)}ExternalId` in props) : [];
      const keys = [...new Set([...(s.required ?? []), ...refs])];
      return Object.fromEntries(keys.map((k) => [k, minimalValue(props[k] ?? {}, idFor, opts)]));
    }
    case 'array':
      return Array.from({ length: s.minItems ?? 0 }, () => minimalValue(s.items ?? {}, idFor, opts));
    case 'integer':
    case 'number': {
      // 1 when allowed (zod's int() states the safe-integer range as minimum and maximum).
      const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -Infinity);
      const max = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : Infinity);
      return Math.min(Math.max(1, min), max);
    }
    case 'boolean':
      return false;
    case 'null':
      return null;
    case 'string': {
      const id = /^\^([a-z]+)_\[0-9a-z\]\{26\}\$$/.exec(s.pattern ?? '');
      if (id) return idFor(id[1]!);
      if (s.format === 'email') return `minimal-${Math.random().toString(36).slice(2, 8)}@example.test`;
      if (s.format === 'date') return '2024-01-01';
      if (s.format === 'date-time') return '2099-01-01T00:00:00Z';
      return 'm'.repeat(Math.max(1, s.minLength ?? 1));
    }
    default:
      return null;
  }
}

export interface Answer {
  status: number;
  headers: Record<string, unknown>;
  text: string;
  body: any;
}

/** A raw request through inject: the payload goes as given (string or bytes), headers as given. */
export async function send(t: TestApp, method: string, url: string, o: { key?: string; payload?: string | Buffer; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.key) headers.authorization = `Bearer ${o.key}`;
  const req: InjectOptions = { method: method, url, headers };
  if (o.payload !== undefined) req.payload = o.payload;
  const res = await t.app.inject(req);
  let body: unknown;
  try {
    body = res.body ? JSON.parse(res.body) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text: res.body, body };
}

/** A problem+json answer with a code from the closed list, whose status matches the code's. */
export function assertProblem(r: Answer, what: string, expected?: { status?: number; code?: string }) {
  assert.match(String(r.headers['content-type']), /^application\/problem\+json/, `${what}: content type ${String(r.headers['content-type'])}, answer ${r.text.slice(0, 300)}`);
  const code = r.body?.code as keyof typeof ERROR_CODES;
  assert.ok(code in ERROR_CODES, `${what}: code ${code} is not in src/core/errors.ts`);
  assert.equal(ERROR_CODES[code].status, r.status, `${what}: code ${code} answered with status ${r.status}`);
  assert.equal(r.body.status, r.status, `${what}: body status`);
  assert.ok(r.body.type && r.body.title && typeof r.body.detail === 'string', `${what}: type, title and detail`);
  if (expected?.status !== undefined) assert.equal(r.status, expected.status, `${what}: ${r.text.slice(0, 300)}`);
  if (expected?.code !== undefined) assert.equal(r.body.code, expected.code, `${what}: ${r.text.slice(0, 300)}`);
}

export const describeRoute = (r: RouteInfo) => `${r.method} ${r.url}`;
