import { z } from 'zod';
import type { FieldError } from '../../core/errors.js';
import { localTime, type LocalTime, type Period } from './engine.time.js';

// ---------------------------------------------------------------- vocabulary
export const PROPERTY_TYPES = ['number', 'integer', 'string', 'boolean', 'enum', 'person'] as const;
export type PropertyType = (typeof PROPERTY_TYPES)[number];
export interface PropertySpec {
  type: PropertyType;
  required?: boolean;
  values?: string[];
  description?: string;
}
export type EventTypeSchema = Record<string, PropertySpec>;
export type Vocabulary = Map<string, EventTypeSchema>;

// ---------------------------------------------------------------- rule JSON (what programs store)
export const OPERATORS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'contains', 'startsWith', 'between', 'exists'] as const;
export type Operator = (typeof OPERATORS)[number];
export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | { fact: string; op: Operator; value?: unknown };

const ZCondition: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({ all: z.array(ZCondition).min(1).max(50) }).strict(),
    z.object({ any: z.array(ZCondition).min(1).max(50) }).strict(),
    z.object({ not: ZCondition }).strict(),
    z.object({ fact: z.string().min(1).max(200), op: z.enum(OPERATORS), value: z.unknown().optional() }).strict(),
  ]),
);
export const ZPeriod = z.enum(['day', 'week', 'month', 'quarter', 'year', 'program']);
export const ZCap = z
  .object({ points: z.number().int().positive().optional(), times: z.number().int().positive().optional(), per: ZPeriod })
  .strict()
  .refine((c) => c.points !== undefined || c.times !== undefined, 'a cap limits points, times or both');
const ZRecipientOne = z.union([
  z.enum(['person', 'manager']),
  z.object({ accountTeam: z.object({ roles: z.array(z.enum(['account_manager', 'sales', 'support', 'success'])).min(1).optional(), split: z.enum(['equal', 'each']).default('equal') }).strict() }).strict(),
]);
export const ZRule = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,59}$/, 'lower-case letters, digits, _ and -').optional(),
    name: z.string().trim().min(1).max(120),
    on: z.string().min(1).max(100),
    if: ZCondition.optional(),
    award: z
      .object({
        points: z.number().int().positive().max(10_000_000).optional(),
        pointsPer: z
          .object({ fact: z.string().min(1).max(200), every: z.number().positive(), points: z.number().int().positive().default(1), round: z.enum(['down', 'up', 'nearest']) })
          .strict()
          .optional(),
        multipliers: z.array(z.object({ if: ZCondition, factor: z.number().positive().max(100) }).strict()).max(20).optional(),
      })
      .strict()
      .refine((a) => (a.points === undefined) !== (a.pointsPer === undefined), 'give points or pointsPer, not both or neither'),
    recipient: z.union([ZRecipientOne, z.array(ZRecipientOne).min(1).max(5)]).default('person'),
    cap: ZCap.optional(),
  })
  .strict();
export type TRule = z.infer<typeof ZRule>;
export type TRuleInput = z.input<typeof ZRule>;
export type TCap = z.infer<typeof ZCap>;
export type RecipientSpec = z.infer<typeof ZRecipientOne>;

// ---------------------------------------------------------------- facts at evaluation time
export interface FactPerson {
  id: string;
  kind: string;
  attributes: Record<string, unknown>;
  teamId: string | null;
  /** the person's team and every team above it */
  teamPath: readonly string[];
}
export interface FactAccount {
  id: string;
  tier: string | null;
  attributes: Record<string, unknown>;
}
export interface Facts {
  type: string;
  properties: Record<string, unknown>;
  occurredAt: number;
  person: FactPerson;
  account: FactAccount | null;
  /** computed on first use */
  local?: LocalTime;
  timezone: string;
}

type Kind = 'number' | 'string' | 'boolean' | 'enum' | 'team' | 'any';
interface FactDef {
  kind: Kind;
  values?: string[];
  get: (f: Facts) => unknown;
}
const local = (f: Facts) => (f.local ??= localTime(f.occurredAt, f.timezone));

/** Which facts a rule on `eventType` may read, and how to read them (resolved once, at compile time). */
function resolveFact(fact: string, schema: EventTypeSchema | undefined): FactDef | string {
  switch (fact) {
    case 'event.type':
      return { kind: 'string', get: (f) => f.type };
    case 'person.kind':
      return { kind: 'enum', values: ['employee', 'customer', 'partner'], get: (f) => f.person.kind };
    case 'person.team':
      return { kind: 'team', get: (f) => f.person.teamPath };
    case 'account.tier':
      return { kind: 'string', get: (f) => f.account?.tier ?? undefined };
    case 'time.dayOfWeek':
    case 'dayOfWeek':
      return { kind: 'number', get: (f) => local(f).dayOfWeek };
    case 'time.hour':
    case 'hour':
      return { kind: 'number', get: (f) => local(f).hour };
    case 'time.date':
    case 'date':
      return { kind: 'string', get: (f) => local(f).date };
  }
  const m = /^(event\.properties|person\.attributes|account\.attributes)\.([A-Za-z0-9_]{1,60})$/.exec(fact);
  if (!m) return 'unknown fact';
  const key = m[2]!;
  if (m[1] === 'event.properties') {
    const spec = schema?.[key];
    if (!spec) return `the event type has no property ${key}`;
    const kind: Kind = spec.type === 'integer' || spec.type === 'number' ? 'number' : spec.type === 'person' ? 'string' : spec.type;
    return { kind, values: spec.values, get: (f) => f.properties[key] };
  }
  if (m[1] === 'person.attributes') return { kind: 'any', get: (f) => f.person.attributes[key] };
  return { kind: 'any', get: (f) => f.account?.attributes[key] };
}

const OPS_BY_KIND: Record<Kind, Operator[]> = {
  number: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'between', 'exists'],
  string: ['eq', 'ne', 'in', 'nin', 'contains', 'startsWith', 'exists', 'gt', 'gte', 'lt', 'lte'],
  enum: ['eq', 'ne', 'in', 'nin', 'exists'],
  boolean: ['eq', 'ne', 'exists'],
  team: ['eq', 'in', 'nin', 'ne'],
  any: [...OPERATORS],
};

type Pred = (f: Facts) => boolean;

function checkValue(def: FactDef, op: Operator, value: unknown, path: string, errors: FieldError[]) {
  const scalarOk = (v: unknown) => {
    switch (def.kind) {
      case 'number':
        return typeof v === 'number' && Number.isFinite(v);
      case 'boolean':
        return typeof v === 'boolean';
      case 'enum':
        return typeof v === 'string' && (!def.values || def.values.includes(v));
      case 'string':
      case 'team':
        return typeof v === 'string';
      default:
        return ['string', 'number', 'boolean'].includes(typeof v);
    }
  };
  const want = def.kind === 'enum' && def.values ? `one of ${def.values.join(', ')}` : `a ${def.kind === 'team' ? 'team id' : def.kind === 'any' ? 'string, number or boolean' : def.kind}`;
  if (op === 'exists') {
    if (value !== undefined && typeof value !== 'boolean') errors.push({ path: `${path}.value`, message: 'exists takes true, false or nothing' });
  } else if (op === 'in' || op === 'nin') {
    if (!Array.isArray(value) || !value.length || value.length > 1000 || !value.every(scalarOk)) errors.push({ path: `${path}.value`, message: `${op} takes a non-empty list of ${want}` });
  } else if (op === 'between') {
    if (!Array.isArray(value) || value.length !== 2 || !value.every((v) => typeof v === 'number') || (value[0] as number) > (value[1] as number)) errors.push({ path: `${path}.value`, message: 'between takes [low, high] numbers' });
  } else if ((op === 'contains' || op === 'startsWith') && typeof value !== 'string') {
    errors.push({ path: `${path}.value`, message: `${op} takes a string` });
  } else if (op !== 'contains' && op !== 'startsWith' && !scalarOk(value)) {
    errors.push({ path: `${path}.value`, message: `expected ${want}` });
  }
}

function compileComparison(def: FactDef, op: Operator, value: unknown): Pred {
  const get = def.get;
  if (def.kind === 'team') {
    const ids = new Set(Array.isArray(value) ? (value as string[]) : [value as string]);
    const inside = (f: Facts) => (get(f) as readonly string[]).some((t) => ids.has(t));
    return op === 'nin' || op === 'ne' ? (f) => !inside(f) : inside;
  }
  switch (op) {
    case 'exists': {
      const want = value !== false;
      return (f) => (get(f) !== undefined && get(f) !== null) === want;
    }
    case 'eq':
      return (f) => get(f) === value;
    case 'ne':
      return (f) => get(f) !== value;
    case 'gt':
      return (f) => { const v = get(f) as number; return v != null && v > (value as number); };
    case 'gte':
      return (f) => { const v = get(f) as number; return v != null && v >= (value as number); };
    case 'lt':
      return (f) => { const v = get(f) as number; return v != null && v < (value as number); };
    case 'lte':
      return (f) => { const v = get(f) as number; return v != null && v <= (value as number); };
    case 'in': {
      const set = new Set(value as unknown[]);
      return (f) => set.has(get(f));
    }
    case 'nin': {
      const set = new Set(value as unknown[]);
      return (f) => !set.has(get(f));
    }
    case 'contains': {
      const needle = value as string;
      return (f) => { const v = get(f); return typeof v === 'string' && v.includes(needle); };
    }
    case 'startsWith': {
      const prefix = value as string;
      return (f) => { const v = get(f); return typeof v === 'string' && v.startsWith(prefix); };
    }
    case 'between': {
      const [lo, hi] = value as [number, number];
      return (f) => { const v = get(f) as number; return typeof v === 'number' && v >= lo && v <= hi; };
    }
  }
}

function compileCondition(c: Condition, schema: EventTypeSchema | undefined, path: string, errors: FieldError[]): Pred {
  if ('all' in c) {
    const parts = c.all.map((x, i) => compileCondition(x, schema, `${path}.all[${i}]`, errors));
    return (f) => { for (const p of parts) if (!p(f)) return false; return true; };
  }
  if ('any' in c) {
    const parts = c.any.map((x, i) => compileCondition(x, schema, `${path}.any[${i}]`, errors));
    return (f) => { for (const p of parts) if (p(f)) return true; return false; };
  }
  if ('not' in c) {
    const inner = compileCondition(c.not, schema, `${path}.not`, errors);
    return (f) => !inner(f);
  }
  const def = resolveFact(c.fact, schema);
  if (typeof def === 'string') {
    errors.push({ path: `${path}.fact`, message: `${def}: ${c.fact}` });
    return () => false;
  }
  if (!OPS_BY_KIND[def.kind].includes(c.op)) {
    errors.push({ path: `${path}.op`, message: `${c.op} does not apply to ${c.fact} (a ${def.kind}); use ${OPS_BY_KIND[def.kind].join(', ')}` });
    return () => false;
  }
  checkValue(def, c.op, c.value, path, errors);
  return compileComparison(def, c.op, c.value);
}

/**
 * Checks and compiles a condition over events of one type, in the programs' rule language
 * (survey triggers use it); errors name the path under `path`.
 */
export function compileEventCondition(raw: unknown, schema: EventTypeSchema | undefined, path: string): { matches: (f: Facts) => boolean; errors: FieldError[] } {
  const parsed = ZCondition.safeParse(raw);
  if (!parsed.success) return { matches: () => false, errors: parsed.error.issues.map((i) => ({ path: [path, ...i.path.map(String)].join('.'), message: i.message })) };
  const errors: FieldError[] = [];
  const matches = compileCondition(parsed.data, schema, path, errors);
  return { matches, errors };
}

// ---------------------------------------------------------------- compiled rules
export interface CompiledRule {
  id: string;
  name: string;
  on: string;
  matches: Pred;
  /** the points the rule awards for these facts before caps and splits (0 when nothing) */
  points: (f: Facts) => number;
  recipients: RecipientSpec[];
  cap: TCap | undefined;
}

const ROUND = { down: Math.floor, up: Math.ceil, nearest: Math.round };

/** Checks and compiles one rule; errors name the path under `path`. */
export function compileRule(rule: TRule, vocab: Vocabulary, path: string, errors: FieldError[]): CompiledRule {
  const schema = vocab.get(rule.on);
  if (!schema) errors.push({ path: `${path}.on`, message: `unknown event type ${rule.on}` });
  const matches = rule.if ? compileCondition(rule.if, schema, `${path}.if`, errors) : () => true;
  let base: (f: Facts) => number;
  if (rule.award.pointsPer) {
    const per = rule.award.pointsPer;
    const def = resolveFact(per.fact, schema);
    if (typeof def === 'string') errors.push({ path: `${path}.award.pointsPer.fact`, message: `${def}: ${per.fact}` });
    else if (def.kind !== 'number' && def.kind !== 'any') errors.push({ path: `${path}.award.pointsPer.fact`, message: `${per.fact} is not a number` });
    const get = typeof def === 'string' ? () => undefined : def.get;
    const round = ROUND[per.round];
    base = (f) => {
      const v = get(f);
      return typeof v === 'number' && v > 0 ? round(v / per.every) * per.points : 0;
    };
  } else {
    const pts = rule.award.points!;
    base = () => pts;
  }
  const multipliers = (rule.award.multipliers ?? []).map((m, i) => ({ when: compileCondition(m.if, schema, `${path}.award.multipliers[${i}].if`, errors), factor: m.factor }));
  const points = multipliers.length
    ? (f: Facts) => {
        let p = base(f);
        for (const m of multipliers) if (m.when(f)) p *= m.factor;
        return Math.floor(p);
      }
    : base;
  return {
    id: rule.id ?? '',
    name: rule.name,
    on: rule.on,
    matches,
    points,
    recipients: Array.isArray(rule.recipient) ? rule.recipient : [rule.recipient],
    cap: rule.cap,
  };
}

export interface CompiledRuleSet {
  byType: Map<string, CompiledRule[]>;
  rules: CompiledRule[];
}

/** Compiles a program's rules once; the hot path only looks up the event type and calls functions. */
export function compileRules(rules: TRule[], vocab: Vocabulary, pathPrefix = 'rules'): { compiled: CompiledRuleSet; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const list = rules.map((r, i) => compileRule(r, vocab, `${pathPrefix}[${i}]`, errors));
  const byType = new Map<string, CompiledRule[]>();
  for (const r of list) byType.set(r.on, [...(byType.get(r.on) ?? []), r]);
  return { compiled: { byType, rules: list }, errors };
}

// ---------------------------------------------------------------- goal metrics
export interface MetricSpec {
  on: string;
  if?: Condition;
  aggregate: 'count' | 'sum';
  fact?: string;
}
export interface CompiledMetric {
  on: string;
  matches: Pred;
  /** what one matching event adds to the goal */
  value: (f: Facts) => number;
}

/** A goal's metric: an event type, an optional condition, and count or the sum of a number. */
export function compileMetric(m: MetricSpec, vocab: Vocabulary, path: string, errors: FieldError[]): CompiledMetric {
  const schema = vocab.get(m.on);
  if (!schema) errors.push({ path: `${path}.on`, message: `unknown event type ${m.on}` });
  const matches = m.if ? compileCondition(m.if, schema, `${path}.if`, errors) : () => true;
  if (m.aggregate === 'count') return { on: m.on, matches, value: () => 1 };
  const def = resolveFact(m.fact ?? '', schema);
  if (typeof def === 'string') {
    errors.push({ path: `${path}.fact`, message: `${def}: ${m.fact}` });
    return { on: m.on, matches, value: () => 0 };
  }
  if (def.kind !== 'number' && def.kind !== 'any') errors.push({ path: `${path}.fact`, message: `${m.fact} is not a number` });
  // Goal progress is kept in whole numbers (money in minor units): sum integer properties only.
  const prop = /^event\.properties\.(.+)$/.exec(m.fact ?? '');
  if (prop && schema?.[prop[1]!] && schema[prop[1]!]!.type !== 'integer') errors.push({ path: `${path}.fact`, message: `${m.fact} is not a whole number; a goal sums integer properties (money in minor units)` });
  return { on: m.on, matches, value: (f) => { const v = def.get(f); return typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : 0; } };
}

// ---------------------------------------------------------------- event properties
/** Checks an event's properties against its type; answers field errors under `properties.`. */
export function checkProperties(schema: EventTypeSchema, props: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  for (const [key, spec] of Object.entries(schema)) {
    const v = props[key];
    if (v === undefined || v === null) {
      if (spec.required) errors.push({ path: `properties.${key}`, message: 'required' });
      continue;
    }
    const ok =
      spec.type === 'integer' ? Number.isSafeInteger(v)
      : spec.type === 'number' ? typeof v === 'number' && Number.isFinite(v)
      : spec.type === 'boolean' ? typeof v === 'boolean'
      : spec.type === 'enum' ? typeof v === 'string' && (spec.values ?? []).includes(v)
      : spec.type === 'person' ? typeof v === 'string' && v.length <= 200
      : typeof v === 'string' && v.length <= 2000;
    if (!ok) errors.push({ path: `properties.${key}`, message: spec.type === 'enum' ? `one of ${(spec.values ?? []).join(', ')}` : `expected ${spec.type === 'integer' ? 'an integer' : `a ${spec.type}`}` });
  }
  for (const key of Object.keys(props)) if (!schema[key]) errors.push({ path: `properties.${key}`, message: 'not a property of this event type' });
  return errors;
}

export type { Period };
