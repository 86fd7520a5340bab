// fast-check generators driven by a route's JSON Schema (from the OpenAPI document):
// `violation` makes values the schema rejects by construction, `plausible` values that may or
// may not pass. Only what JSON Schema states is used, so a value said to violate does.
import fc from 'fast-check';
import { acceptedTypes, type JsonSchema } from './route-table.js';

const JSON_TYPES = ['string', 'integer', 'number', 'boolean', 'null', 'object', 'array'] as const;

/** Strings that have broken servers: huge, odd unicode, injection shapes, numbers in disguise. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  // Quote, escape and wildcard soup: what SQL, LIKE patterns and CSV treat specially.
  fc.string({ unit: fc.constantFrom("'", '"', '\\', '%', '_', ';', ',', '-', '*', '/', 'a', ' ', '\n', '\r', 'é', '🙂'), minLength: 1, maxLength: 12 }),
  fc.constantFrom(
    '', ' ', '\t\n', '\ud800', '\udfff', '🙂'.repeat(50), 'e\u0301', '\u202eevil', 'İı', 'ß', '\ufeff', '\u0000',
    '<script>alert(1)</script>', "'; drop table teams; --", "' or '1'='1", '%', '_', '\\', '%00', '../../etc/passwd',
    'NaN', '-0', '1e308', 'Infinity', 'null', 'true', '{}', '[]', '__proto__', 'constructor', '${7*7}', '{{7*7}}',
  ),
  fc.integer({ min: 1, max: 5 }).map((n) => 'x'.repeat(10 ** n)),
);

/** The same without U+0000, which has a test of its own (PostgreSQL cannot store it). */
export const nastyStringNoNul = nastyString.filter((s) => !s.includes('\u0000'));

export const nastyNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(1e308, -1e308, -0, 0.5, -1, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, Number.MIN_VALUE, 1e-7),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** Keys a body never has: prototype names, mass-assignment guesses, odd strings. */
const strangeKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isAdmin', 'workspaceId', 'workspace_id', 'id', 'createdAt', 'role', '$where', '', ' '),
  fc.string({ maxLength: 12 }),
);

/** A copy of `o` with own property k (even `__proto__`, which plain assignment would not make). */
export function withOwn(o: Record<string, unknown>, k: string, v: unknown): Record<string, unknown> {
  const c = { ...o };
  Object.defineProperty(c, k, { value: v, enumerable: true, writable: true, configurable: true });
  return c;
}

function valueOfType(type: (typeof JSON_TYPES)[number]): fc.Arbitrary<unknown> {
  switch (type) {
    case 'string':
      return nastyString;
    case 'integer':
      return fc.oneof(fc.integer(), fc.constantFrom(0, -1, 2 ** 53 + 2, 1e21));
    case 'number':
      return fc.oneof(fc.constantFrom(0.5, -1.5, 1e-7, Number.MIN_VALUE), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Number.isInteger(x)));
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'object':
      return fc.dictionary(strangeKey, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }).map((o) => o as unknown);
    case 'array':
      return fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 });
  }
}

const typeOf = (s: JsonSchema) => (Array.isArray(s.type) ? (s.type.length === 1 ? s.type[0] : undefined) : s.type);

/** Values `s` rejects, by construction; null when it accepts anything. */
export function violation(s: JsonSchema, depth = 0): fc.Arbitrary<unknown> | null {
  const out: fc.Arbitrary<unknown>[] = [];
  const accepted = acceptedTypes(s);
  if (accepted) {
    const wrong = JSON_TYPES.filter((x) => !accepted.has(x));
    if (wrong.length) out.push(fc.constantFrom(...wrong).chain(valueOfType));
  }
  const branches = s.anyOf ?? s.oneOf;
  if (branches) {
    // A value breaks a union when it breaks every branch: a nullable X broken within X's type.
    const nonNull = branches.filter((b) => b.type !== 'null');
    const v = nonNull.length === 1 ? violation(nonNull[0]!, depth) : null;
    if (v) out.push(v.filter((x) => x !== null));
  } else if (s.enum) {
    const values = s.enum;
    if (values.every((e) => typeof e === 'string')) out.push(nastyString.filter((x) => !values.includes(x)));
  } else {
    switch (typeOf(s)) {
      case 'string': {
        // Huge bodies are the body limit's business (conventions.test.ts): only modest lengths here.
        if (s.maxLength !== undefined && s.maxLength < 100_000) out.push(fc.integer({ min: s.maxLength + 1, max: s.maxLength + 50 }).map((n) => 'x'.repeat(n)));
        if ((s.minLength ?? 0) > 0) out.push(fc.string({ unit: 'grapheme-ascii', maxLength: s.minLength! - 1 }));
        if (s.pattern) {
          // Zod may trim before it matches: a string is only surely bad if neither form matches.
          const re = new RegExp(s.pattern);
          out.push(nastyString.filter((x) => !re.test(x) && !re.test(x.trim())));
        }
        break;
      }
      case 'integer':
      case 'number':
        if (s.maximum !== undefined) out.push(fc.constantFrom(s.maximum + 1, 1e308));
        if (s.minimum !== undefined) out.push(fc.constantFrom(s.minimum - 1, -1e308));
        break;
      case 'object':
        out.push(...objectViolations(s, depth));
        break;
      case 'array': {
        if ((s.minItems ?? 0) > 0) out.push(fc.constant([]));
        if (s.maxItems !== undefined && s.maxItems <= 1000) out.push(fc.constant(Array.from({ length: s.maxItems + 1 }, () => null)));
        const bad = s.items ? violation(s.items, depth + 1) : null;
        if (bad) {
          out.push(
            fc.tuple(fc.array(plausible(s.items!, depth + 1), { maxLength: 3 }), bad, fc.nat()).map(([items, x, i]) => {
              const a = [...items];
              a.splice(i % (a.length + 1), 0, x);
              return a;
            }),
          );
        }
        break;
      }
    }
  }
  return out.length ? fc.oneof(...out) : null;
}

function objectViolations(s: JsonSchema, depth: number): fc.Arbitrary<unknown>[] {
  const props = s.properties ?? {};
  const names = Object.keys(props);
  const base = fc.record(Object.fromEntries(names.map((n) => [n, plausible(props[n]!, depth + 1)])), { requiredKeys: [] }) as fc.Arbitrary<Record<string, unknown>>;
  const out: fc.Arbitrary<unknown>[] = [];
  if (s.additionalProperties === false) {
    out.push(fc.tuple(base, strangeKey.filter((k) => !names.includes(k)), fc.jsonValue({ maxDepth: 2 })).map(([b, k, v]) => withOwn(b, k, v)));
  }
  for (const r of s.required ?? []) {
    out.push(
      base.map((b) => {
        const c = { ...b };
        delete c[r];
        return c;
      }),
    );
  }
  for (const n of names) {
    const v = violation(props[n]!, depth + 1);
    if (v) out.push(fc.tuple(base, v).map(([b, x]) => ({ ...b, [n]: x })));
  }
  if (s.additionalProperties && typeof s.additionalProperties === 'object') {
    const v = violation(s.additionalProperties, depth + 1);
    if (v) out.push(fc.tuple(fc.string({ minLength: 1, maxLength: 10 }).filter((k) => !names.includes(k)), v).map(([k, x]) => withOwn({}, k, x)));
  }
  const keyMax = s.propertyNames?.maxLength;
  if (keyMax !== undefined && keyMax < 10_000) out.push(fc.constant(withOwn({}, 'k'.repeat(keyMax + 1), 1)));
  if ((s.propertyNames?.minLength ?? 0) > 0) out.push(fc.constant(withOwn({}, '', 1)));
  return out;
}

/** Values that may or may not pass `s`: right shapes with nasty contents, and junk. */
export function plausible(s: JsonSchema, depth = 0, strings: fc.Arbitrary<string> = nastyString): fc.Arbitrary<unknown> {
  if (depth > 5) return fc.constant(null);
  const out: fc.Arbitrary<unknown>[] = [];
  if (s.enum) out.push(fc.constantFrom(...s.enum));
  if (s.const !== undefined) out.push(fc.constant(s.const));
  for (const b of s.anyOf ?? s.oneOf ?? []) out.push(plausible(b, depth + 1, strings));
  switch (typeOf(s)) {
    case 'string':
      out.push(strings);
      if (s.pattern) {
        try {
          out.push(fc.stringMatching(new RegExp(s.pattern)));
        } catch {
          /* a pattern fast-check cannot generate from */
        }
      }
      break;
    case 'integer':
      out.push(fc.integer({ min: s.minimum ?? -1000, max: s.maximum ?? 1000 }), nastyNumber);
      break;
    case 'number':
      out.push(nastyNumber);
      break;
    case 'boolean':
      out.push(fc.boolean());
      break;
    case 'null':
      out.push(fc.constant(null));
      break;
    case 'object': {
      const props = s.properties ?? {};
      const required = (s.required ?? []).filter((r) => r in props);
      out.push(fc.record(Object.fromEntries(Object.entries(props).map(([n, ps]) => [n, plausible(ps, depth + 1, strings)])), { requiredKeys: required }));
      if (s.additionalProperties && typeof s.additionalProperties === 'object') {
        out.push(fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), plausible(s.additionalProperties, depth + 1, strings), { maxKeys: 4 }));
      }
      break;
    }
    case 'array':
      out.push(fc.array(plausible(s.items ?? {}, depth + 1, strings), { minLength: Math.min(s.minItems ?? 0, 3), maxLength: 3 }));
      break;
  }
  if (!out.length) out.push(fc.jsonValue({ maxDepth: 2 }));
  return fc.oneof(...out);
}

/** Paths to every property at any depth (array items as index 0), for `mostlyValid`. */
export function leafPaths(s: JsonSchema, path: (string | number)[] = [], depth = 0): (string | number)[][] {
  if (depth > 4) return [];
  const own = Object.entries(s.properties ?? {}).flatMap(([k, v]) => [[...path, k], ...leafPaths(v, [...path, k], depth + 1)]);
  return [...own, ...(s.items ? leafPaths(s.items, [...path, 0], depth + 1) : [])];
}

function schemaAt(s: JsonSchema, path: (string | number)[]): JsonSchema {
  return path.reduce<JsonSchema>((at, step) => (typeof step === 'number' ? at.items ?? {} : at.properties?.[step] ?? {}), s);
}

/** Sets `value` at `path` in a copy of `body`, making the objects and arrays on the way. */
export function setAt(body: unknown, path: (string | number)[], value: unknown): unknown {
  const root = structuredClone(body ?? {}) as Record<string | number, unknown>;
  let at: any = root;
  for (const step of path.slice(0, -1)) at = at[step] ??= typeof step === 'number' ? [] : {};
  at[path.at(-1)!] = value;
  return root;
}

/**
 * A valid body (`valid`, e.g. the minimal one) with one or two fields given plausible values:
 * so a nasty value usually gets past validation and reaches the service and the database.
 */
export function mostlyValid(s: JsonSchema, valid: unknown, strings: fc.Arbitrary<string> = nastyString): fc.Arbitrary<unknown> {
  const paths = leafPaths(s);
  if (!paths.length) return fc.constant(valid);
  return fc
    .subarray(paths, { minLength: 1, maxLength: Math.min(2, paths.length) })
    .chain((ps) => fc.tuple(...ps.map((p) => plausible(schemaAt(s, p), 0, strings))).map((vs) => ps.reduce<unknown>((b, p, i) => setAt(b, p, vs[i]), valid)));
}
