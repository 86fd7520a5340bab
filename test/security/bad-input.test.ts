// Bad input on every route that takes a body (from the route table, so later modules are
// covered without edits): bodies each route's schema rejects by construction, hostile raw
// payloads, wrong content types, plausible-but-nasty values, and nasty query strings. The
// answer is a 4xx problem+json with a listed code, never a 5xx, and a refused request
// changes nothing in the database. Fixed seed (TANDEM_FUZZ_SEED to change it); TANDEM_DEEP=1
// runs more samples.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createTestApp, DIALECTS, type TestApp } from '../support/app.js';
import type { RouteInfo } from '../../src/core/http/server.js';
import { watchDb } from './db-snapshot.js';
import { acceptedTypes, assertProblem, describeRoute, fillPath, outsideAccessModel, jsonTypeOf, loadOperations, minimalValue, paramsOf, send, type Answer, type JsonSchema, type Operation } from './route-table.js';
import { mostlyValid, nastyStringNoNul, plausible, setAt, violation } from './schema-arbitraries.js';
import { KIND_OF_PREFIX, ghostId, idParam, idsOf, populate, type Tenant } from './tenant.js';

// Deep runs take about a minute over both dialects, well inside the runner's per-file
// --test-timeout (scripts/run-tests.mjs). TANDEM_FUZZ_RUNS sets any count, for a long hunt
// (400 runs take about 20 minutes: run the file with node --test and a longer timeout).
const DEEP = process.env.TANDEM_DEEP === '1';
const NUM_RUNS = Number(process.env.TANDEM_FUZZ_RUNS ?? (DEEP ? 50 : 25));
const SEED = Number(process.env.TANDEM_FUZZ_SEED ?? 20261123);
const WRITES = new Set(['POST', 'PUT', 'PATCH']);
const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'Application/JSON'];

/** Hostile payloads that are not JSON at all, or not what any body schema could accept. */
const MALFORMED: [string, string | Buffer][] = [
  ['truncated', '{"name":'],
  ['lone brace', '{'],
  ['closing brace', '}'],
  ['trailing comma', '{"a":1,}'],
  ['single quotes', "{'a':1}"],
  ['NaN literal', '{"a":NaN}'],
  ['bare word', 'nul'],
  ['two documents', '{}{}'],
  ['trailing garbage', '{"a":1}x'],
  ['comment', '{/* c */}'],
  ['whitespace only', '   '],
  ['empty', ''],
  ['NUL byte', '\u0000'],
  ['BOM then garbage', '\ufeff{'],
  ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
  ['UTF-16 JSON', Buffer.from('{"name":"x"}', 'utf16le')],
];
/** Prototype pollution: the JSON parser must refuse these, whatever the route. */
const POLLUTING: [string, string][] = [
  ['__proto__', '{"__proto__":{"polluted":"yes"}}'],
  ['constructor.prototype', '{"constructor":{"prototype":{"polluted":"yes"}}}'],
  ['nested __proto__', '{"attributes":{"__proto__":{"polluted":"yes"}},"items":[{"__proto__":{"polluted":"yes"}}]}'],
];
/** Valid JSON of every type: refused wherever the schema does not admit that type. */
const WRONG_SHAPES: string[] = ['1e999', '-0', '123', '0.5', '"text"', 'null', 'true', '[]', '[{}]', `${'['.repeat(50_000)}${']'.repeat(50_000)}`, `${'{"zzNested":'.repeat(5_000)}1${'}'.repeat(5_000)}`];
/** Content types the server has no parser for. */
const UNPARSED_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'text/html', 'application/octet-stream', 'application/jsonx', 'application/json-patch+json', 'application/vnd.api+json', 'image/png'];

/** Lone surrogates cannot be URI-encoded: Buffer round-trips them to U+FFFD first. */
const encode = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return encodeURIComponent(Buffer.from(s).toString());
  }
};
const preview = (p: string | Buffer) => {
  const s = typeof p === 'string' ? p : `<bytes ${p.toString('hex').slice(0, 60)}>`;
  return s.length > 300 ? `${s.slice(0, 300)}… (${s.length} chars)` : s;
};
const failuresOf = (failures: string[]) => {
  if (failures.length) assert.fail(`${failures.length} route(s) failed:\n\n${failures.join('\n\n')}`);
};

for (const dialect of DIALECTS) {
  describe(`bad input on every route that takes a body (${dialect})`, () => {
    let t: TestApp;
    let opOf: (r: RouteInfo) => Operation | undefined;
    let W: Tenant;
    let writes: RouteInfo[];
    let db: ReturnType<typeof watchDb>;
    const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

    before(async () => {
      t = await createTestApp(dialect);
      opOf = await loadOperations(t);
      W = await populate(t, 'Fuzz');
      // Public write routes (sign-in) are driven too: the owner key is ignored there.
      writes = t.routes.filter((r) => WRITES.has(r.method) && !outsideAccessModel(r));
      db = watchDb(t.services.db, dialect);
      await db.reset();
    });
    after(() => t.close());

    /** Path parameters name W's real objects, so the body is the only thing wrong. */
    const realParam = (r: RouteInfo, p: string) => {
      const ref = idParam(r.url, p);
      if (ref) return idsOf(W, ref)[0] ?? ghostId(ref.kind);
      const s = opOf(r)?.params[p];
      return s?.enum ? String(s.enum[0]) : 'x';
    };
    /**
     * A route without a body schema ignores the body: it is pointed at ids of nothing, so a
     * junk body cannot make it act on W's objects (erase a person…).
     */
    const urlArb = (r: RouteInfo): fc.Arbitrary<string> => {
      const bodyless = !opOf(r)?.body;
      const ps = paramsOf(r.url);
      const values = ps.map((p) => {
        const ref = idParam(r.url, p);
        const s = opOf(r)?.params[p];
        if (ref && bodyless) return fc.constant(ghostId(ref.kind));
        return s?.enum ? fc.constantFrom(...s.enum.map(String)) : fc.constant(realParam(r, p));
      });
      return fc.tuple(...values).map((vs) => fillPath(r.url, (p) => vs[ps.indexOf(p)]!));
    };
    /** As urlArb, one URL: real objects, but ids of nothing for a write without a body schema. */
    const fixedUrl = (r: RouteInfo) => {
      const ghosts = WRITES.has(r.method) && !opOf(r)?.body;
      return fillPath(r.url, (p) => {
        const ref = idParam(r.url, p);
        return ghosts && ref ? ghostId(ref.kind) : realParam(r, p);
      });
    };
    const idFor = (prefix: string) => {
      const kind = KIND_OF_PREFIX[prefix];
      return kind ? W.ids[kind][0]! : `${prefix}_${'0'.repeat(26)}`;
    };

    const request = (r: RouteInfo, url: string, payload: string | Buffer | undefined, contentType: string | undefined, extra: Record<string, string> = {}) =>
      send(t, r.method, url, { key: W.key, payload, headers: { ...(contentType !== undefined ? { 'content-type': contentType } : {}), ...extra } });
    const label = (r: RouteInfo, url: string, payload: string | Buffer | undefined, contentType: string | undefined) =>
      `${r.method} ${url} [content-type: ${contentType ?? '(none)'}] ${payload === undefined ? '(no body)' : preview(payload)}`;

    async function expectUnchanged(what: string, res: Answer) {
      // A change is reported once: the next sample starts from what is there now.
      assert.deepEqual(await db.changes(), [], `${what}\n→ ${res.status} ${res.text.slice(0, 300)}\nchanged the database`);
      assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), prototypeKeys, `${what} polluted Object.prototype`);
    }
    /** A refused request: a 4xx problem with a listed code, and nothing changed. */
    async function expectRefused(what: string, res: Answer, expected?: { status?: number; code?: string }) {
      assert.ok(res.status >= 400 && res.status < 500, `${what}\n→ ${res.status} ${res.text.slice(0, 500)}`);
      assertProblem(res, what, expected);
      await expectUnchanged(what, res);
    }
    /** A request that may be valid: never a 5xx; when refused, refused properly. */
    async function expectNoServerError(what: string, res: Answer) {
      assert.ok(res.status < 500, `${what}\n→ ${res.status} ${res.text.slice(0, 500)}`);
      if (res.status >= 400) await expectRefused(what, res);
      else await db.changes();
    }

    async function eachRoute(routes: RouteInfo[], check: (r: RouteInfo) => Promise<void>) {
      const failures: string[] = [];
      for (const r of routes) {
        try {
          await check(r);
        } catch (err) {
          failures.push(`${describeRoute(r)}: ${(err as Error).message}`);
        }
      }
      failuresOf(failures);
    }
    /** A route that takes a file's bytes (an image upload), not JSON or CSV. */
    const isUpload = (r: RouteInfo) => opOf(r)?.body?.contentType.startsWith('image/') === true;
    const run = <T>(arb: fc.Arbitrary<T>, check: (x: T) => Promise<void>) => fc.assert(fc.asyncProperty(arb, check), { seed: SEED, numRuns: NUM_RUNS });

    test('bodies the schema rejects (wrong types, unknown and prototype keys, missing fields, out of range) answer 4xx and change nothing', async () => {
      // JSON and CSV bodies; an upload's bytes have their own test below.
      const routes = writes.filter((r) => opOf(r)?.body && !isUpload(r));
      assert.ok(routes.length >= 20, `only ${routes.length} write routes with a body schema`);
      await eachRoute(routes, async (r) => {
        const schema = opOf(r)!.body!.schema;
        const bad = violation(schema);
        assert.ok(bad, 'the body schema accepts anything: nothing can be refused');
        // As text/plain a JSON document arrives as a string: surely wrong where strings are.
        const types = acceptedTypes(schema)?.has('string') === false ? [...JSON_TYPES, 'text/plain'] : JSON_TYPES;
        const idempotency = fc.option(fc.string({ unit: fc.constantFrom(...'abcXYZ019-_ '.split('')), maxLength: 210 }), { nil: undefined });
        await run(fc.record({ url: urlArb(r), body: bad, contentType: fc.constantFrom(...types), idempotency }), async (s) => {
          const payload = JSON.stringify(s.body);
          const res = await request(r, s.url, payload, s.contentType, s.idempotency === undefined ? {} : { 'idempotency-key': s.idempotency });
          await expectRefused(label(r, s.url, payload, s.contentType), res);
        });
      });
    });

    test('malformed, polluting and wrongly shaped raw payloads answer 4xx and change nothing', async () => {
      await eachRoute(writes, async (r) => {
        const url = fixedUrl(r);
        const schema = opOf(r)?.body?.schema;
        // JSON even where the route takes CSV: the JSON parser is what is under test.
        const json = 'application/json';
        for (const [, payload] of [...MALFORMED, ...POLLUTING]) {
          const res = await request(r, url, payload, json);
          // Not JSON: refused by the parser before any route code runs, body schema or not.
          await expectRefused(label(r, url, payload, json), res);
        }
        for (const payload of WRONG_SHAPES) {
          const res = await request(r, url, payload, json);
          const what = label(r, url, payload, json);
          const parsed = (() => {
            try {
              return JSON.parse(payload) as unknown;
            } catch {
              return undefined;
            }
          })();
          const accepted = schema ? acceptedTypes(schema) : null;
          const unknownKeys = jsonTypeOf(parsed) === 'object' && schema?.additionalProperties === false && Object.keys(parsed as object).some((k) => !(k in (schema.properties ?? {})));
          const surelyWrong = (parsed !== undefined && accepted !== null && !accepted.has(jsonTypeOf(parsed))) || unknownKeys;
          if (surelyWrong) await expectRefused(what, res);
          else await expectNoServerError(what, res);
        }
      });
    });

    test('a body over the limit answers 413 and changes nothing', async () => {
      const huge = `"${'x'.repeat(10 * 1024 * 1024 + 16)}"`;
      await eachRoute(writes, async (r) => {
        const url = fixedUrl(r);
        await expectRefused(label(r, url, huge, 'application/json'), await request(r, url, huge, 'application/json'), { status: 413, code: 'payload_too_large' });
      });
    });

    test('a valid body in a content type the server does not parse answers 415 and changes nothing', async () => {
      await eachRoute(writes, async (r) => {
        const url = fixedUrl(r);
        const body = opOf(r)?.body;
        const valid = body ? minimalValue(body.schema, idFor) : {};
        const payload = body?.contentType === 'text/csv' ? String(valid) : JSON.stringify(valid);
        for (const type of [...UNPARSED_TYPES, undefined].filter((x) => !(x && isUpload(r) && x.startsWith('image/')))) {
          const res = await request(r, url, payload, type);
          await expectRefused(label(r, url, payload, type), res, { status: 415, code: 'unsupported_media_type' });
        }
      });
    });

    test('an upload route refuses JSON (415), bytes that are not the image they claim (400) and an empty body, and changes nothing', async () => {
      const routes = writes.filter(isUpload);
      assert.ok(routes.length >= 1, 'the reward image upload is in the route table');
      const bytes = fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a));
      await eachRoute(routes, async (r) => {
        const url = fixedUrl(r);
        await expectRefused(label(r, url, '{}', 'application/json'), await request(r, url, '{}', 'application/json'), { status: 415, code: 'unsupported_media_type' });
        await run(fc.record({ body: bytes, type: fc.constantFrom('image/png', 'image/jpeg', 'image/webp', 'image/gif') }), async (s) => {
          await expectRefused(label(r, url, s.body, s.type), await request(r, url, s.body, s.type));
        });
      });
    });

    test('a CSV with an unknown column answers 4xx and changes nothing; any CSV answers without a server error', async () => {
      const routes = writes.filter((r) => opOf(r)?.body?.contentType === 'text/csv');
      // Column names worth trying: every field any body schema names, at any depth.
      const fields = new Set<string>();
      const collect = (s: JsonSchema | undefined) => {
        if (!s) return;
        for (const [k, v] of Object.entries(s.properties ?? {})) {
          fields.add(k);
          collect(v);
        }
        collect(s.items);
      };
      writes.forEach((r) => collect(opOf(r)?.body?.schema));
      fields.add('attributes.tier');
      const cell = fc.oneof(nastyStringNoNul, fc.constantFrom('', '"', '""', 'a,b', 'line\nbreak', 'employee', 'customer', 'active', '2024-01-01', 'Europe/Paris'));
      const quote = (c: string) => (/[",\r\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c);
      const csvOf = (header: string[], rows: string[][], raw: boolean) => [header, ...rows].map((row) => row.map((c) => (raw ? c : quote(c))).join(',')).join('\n');
      const known = fc.subarray([...fields], { minLength: 1, maxLength: 6 });
      const rows = fc.array(fc.array(cell, { maxLength: 7 }), { maxLength: 5 });
      const types = fc.constantFrom('text/csv', 'text/csv; charset=utf-8', 'text/plain');
      await eachRoute(routes, async (r) => {
        const strict = fc.record({ url: urlArb(r), header: known, unknown: fc.string({ unit: fc.constantFrom(...'abcxyz_-'.split('')), minLength: 1, maxLength: 8 }).map((s) => `zz-unknown-${s}`), at: fc.nat(), rows, raw: fc.boolean(), type: types });
        await run(strict, async (s) => {
          const header = [...s.header];
          header.splice(s.at % (header.length + 1), 0, s.unknown);
          const payload = csvOf(header, s.rows, s.raw);
          await expectRefused(label(r, s.url, payload, s.type), await request(r, s.url, payload, s.type));
        });
        await run(fc.record({ url: urlArb(r), header: known, rows, raw: fc.boolean(), type: types }), async (s) => {
          const payload = csvOf(s.header, s.rows, s.raw);
          await expectNoServerError(label(r, s.url, payload, s.type), await request(r, s.url, payload, s.type));
        });
      });
    });

    test('plausible bodies with nasty values (huge, unicode, injection shapes, odd numbers) never cause a server error', async () => {
      const routes = writes.filter((r) => opOf(r)?.body?.contentType === 'application/json');
      await eachRoute(routes, async (r) => {
        const schema = opOf(r)!.body!.schema;
        const body = fc.oneof({ arbitrary: mostlyValid(schema, minimalValue(schema, idFor), nastyStringNoNul), weight: 3 }, { arbitrary: plausible(schema, 0, nastyStringNoNul), weight: 1 });
        const arb = fc.record({ url: urlArb(r), body });
        await run(arb, async (s) => {
          const payload = JSON.stringify(s.body);
          await expectNoServerError(label(r, s.url, payload, 'application/json'), await request(r, s.url, payload, 'application/json'));
        });
      });
    });

    test('nasty query strings on every GET route never cause a server error', async () => {
      const routes = t.routes.filter((r) => r.method === 'GET' && !outsideAccessModel(r) && Object.keys(opOf(r)?.query ?? {}).length);
      assert.ok(routes.length >= 5, `only ${routes.length} GET routes with query parameters`);
      await eachRoute(routes, async (r) => {
        const query = opOf(r)!.query;
        const value = (s: JsonSchema) => plausible(s, 0, nastyStringNoNul).map((v) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v)));
        // One or two parameters at a time (a parameter may repeat), so that a nasty value
        // usually passes validation and reaches the query; now and then an unknown parameter.
        const known = fc
          .subarray(Object.keys(query), { minLength: 1, maxLength: Math.min(2, Object.keys(query).length) })
          .chain((ks) => fc.tuple(...ks.map((k) => fc.array(value(query[k]!), { minLength: 1, maxLength: 2 }).map((vs) => vs.map((v) => [k, v] as const)))))
          .map((xs) => xs.flat());
        const unknown = fc.tuple(nastyStringNoNul, nastyStringNoNul).map((kv) => [kv]);
        const pairs = fc.oneof({ arbitrary: known, weight: 5 }, { arbitrary: unknown, weight: 1 });
        const url = fillPath(r.url, (p) => realParam(r, p));
        // Reads are cheap: more samples, and the database compared once per route.
        await fc.assert(
          fc.asyncProperty(pairs, async (ps) => {
            const full = `${url}?${ps.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&')}`;
            const res = await send(t, 'GET', full, { key: W.key });
            assert.ok(res.status < 500, `GET ${full.slice(0, 400)}\n→ ${res.status} ${res.text.slice(0, 300)}`);
            if (res.status >= 400) assertProblem(res, `GET ${full.slice(0, 400)}`);
          }),
          { seed: SEED, numRuns: NUM_RUNS * 4 },
        );
        await expectUnchanged(`GET ${r.url} with nasty query strings`, { status: 200, headers: {}, text: '', body: undefined });
      });
    });

    test(
      'a NUL character in any body field, path parameter, query parameter or CSV cell never causes a server error',
      async () => {
        const NUL = 'nul\u0000byte';
        const failures: string[] = [];
        const check = async (what: string, res: Answer) => {
          try {
            await expectNoServerError(what, res);
          } catch (err) {
            failures.push((err as Error).message.split('\n').slice(0, 2).join(' '));
          }
        };
        const stringLeaves = (s: JsonSchema, path: (string | number)[] = []): (string | number)[][] => [
          ...(path.length && acceptedTypes(s)?.has('string') ? [path] : []),
          ...Object.entries(s.properties ?? {}).flatMap(([k, v]) => stringLeaves(v, [...path, k])),
          ...(s.items ? stringLeaves(s.items, [...path, 0]) : []),
        ];
        for (const r of t.routes.filter((x) => !outsideAccessModel(x))) {
          const op = opOf(r);
          const body = op?.body;
          const minimal = body ? minimalValue(body.schema, idFor) : undefined;
          const type = body?.contentType === 'text/csv' ? 'text/csv' : 'application/json';
          const asPayload = (v: unknown) => (v === undefined ? undefined : type === 'text/csv' ? String(v) : JSON.stringify(v));
          const url = fixedUrl(r);
          for (const p of paramsOf(r.url)) {
            const u = fillPath(r.url, (q) => (q === p ? NUL : realParam(r, q)));
            const ct = minimal === undefined ? undefined : type;
            await check(label(r, u, asPayload(minimal), ct), await request(r, u, asPayload(minimal), ct));
          }
          for (const q of Object.keys(op?.query ?? {})) {
            const u = `${url}?${q}=${encode(NUL)}`;
            await check(label(r, u, undefined, undefined), await request(r, u, undefined, undefined));
          }
          if (body?.contentType === 'text/csv') {
            const csv = `externalId,name\n${NUL},${NUL}\n`;
            await check(label(r, url, csv, 'text/csv'), await request(r, url, csv, 'text/csv'));
          } else if (body) {
            for (const leaf of stringLeaves(body.schema)) {
              const v = setAt(minimalValue(body.schema, idFor), leaf, NUL);
              await check(label(r, url, JSON.stringify(v), type), await request(r, url, JSON.stringify(v), type));
            }
          }
        }
        failuresOf(failures);
      },
    );
  });
}
