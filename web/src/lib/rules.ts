import type { Audience, Cap, CapPeriod, Comparison, Condition, EventType, Operator, PersonKind, Program, ProgramBody, ProgramStatus, RecipientOne, Rule } from '../api/types';
import { ASSIGNMENT_ROLE_LABELS, formatNumber } from './format';

// The rule language as the builder shows it. It mirrors the engine's fact resolution
// (src/modules/engine/engine.rules.ts): which facts a rule may read, their kinds, and which
// operators apply to each kind.

export type FactKind = 'number' | 'string' | 'boolean' | 'enum' | 'team' | 'any';

export interface FactInfo {
  kind: FactKind;
  /** for enums */
  values?: string[];
  /** a short name for the fact ("revenue", "Person kind") */
  label: string;
  description?: string;
  /** a person property (an id or external id) */
  person?: boolean;
  /** known only when the fact reads the event's properties and the type declares it */
  known: boolean;
  /** special value inputs */
  input?: 'dayOfWeek' | 'hour' | 'date';
}

export const OPS_BY_KIND: Record<FactKind, Operator[]> = {
  number: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'between', 'in', 'nin', 'exists'],
  string: ['eq', 'ne', 'in', 'nin', 'contains', 'startsWith', 'exists', 'gt', 'gte', 'lt', 'lte'],
  enum: ['eq', 'ne', 'in', 'nin', 'exists'],
  boolean: ['eq', 'ne', 'exists'],
  team: ['eq', 'in', 'nin', 'ne'],
  any: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'contains', 'startsWith', 'between', 'exists'],
};

export const OP_LABELS: Record<Operator, string> = {
  eq: 'is',
  ne: 'is not',
  gt: 'is more than',
  gte: 'is at least',
  lt: 'is less than',
  lte: 'is at most',
  in: 'is one of',
  nin: 'is none of',
  contains: 'contains',
  startsWith: 'starts with',
  between: 'is between',
  exists: 'is given',
};
/** Labels for team facts read better as membership. */
const TEAM_OP_LABELS: Partial<Record<Operator, string>> = { eq: 'is in', ne: 'is not in', in: 'is in one of', nin: 'is in none of' };
/** Labels for dates read better as before and after. */
const DATE_OP_LABELS: Partial<Record<Operator, string>> = { gt: 'is after', gte: 'is on or after', lt: 'is before', lte: 'is on or before' };

export function opLabel(op: Operator, info?: FactInfo) {
  if (info?.kind === 'team') return TEAM_OP_LABELS[op] ?? OP_LABELS[op];
  if (info?.input === 'date') return DATE_OP_LABELS[op] ?? OP_LABELS[op];
  return OP_LABELS[op];
}

export const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

const FIXED_FACTS: Record<string, Omit<FactInfo, 'known'>> = {
  'person.kind': { kind: 'enum', values: ['employee', 'customer', 'partner'], label: 'Person kind' },
  'person.team': { kind: 'team', label: 'Person team', description: 'the person’s team or any team above it' },
  'account.tier': { kind: 'string', label: 'Account tier' },
  'time.dayOfWeek': { kind: 'number', label: 'Day of the week', input: 'dayOfWeek', description: 'in the workspace time zone' },
  'time.hour': { kind: 'number', label: 'Hour of the day', input: 'hour', description: '0–23, in the workspace time zone' },
  'time.date': { kind: 'string', label: 'Date', input: 'date', description: 'in the workspace time zone' },
  'event.type': { kind: 'string', label: 'Event type' },
};

/** What a fact is for a rule on an event type; null when the engine would not know it. */
export function factInfo(fact: string, type: EventType | undefined): FactInfo | null {
  const fixed = FIXED_FACTS[fact] ?? FIXED_FACTS[`time.${fact}`];
  if (fixed) return { ...fixed, known: true };
  const m = /^(event\.properties|person\.attributes|account\.attributes)\.([A-Za-z0-9_]{1,60})$/.exec(fact);
  if (!m) return null;
  const key = m[2]!;
  if (m[1] === 'event.properties') {
    const spec = type?.properties[key];
    if (!spec) return type ? null : { kind: 'any', label: key, known: false };
    const kind: FactKind = spec.type === 'integer' || spec.type === 'number' ? 'number' : spec.type === 'person' ? 'string' : spec.type;
    return { kind, values: spec.values, label: key, description: spec.description, person: spec.type === 'person', known: true };
  }
  return { kind: 'any', label: `${m[1] === 'person.attributes' ? 'Person' : 'Account'} attribute ${key}`, known: true };
}

export interface FactOption {
  value: string;
  label: string;
}
export interface FactGroup {
  group: string;
  items: FactOption[];
}

/** The facts the picker offers for a rule on `type`, grouped; `numericOnly` for points per unit. */
export function factGroups(type: EventType | undefined, attributeKeys: { person: string[]; account: string[] }, opts: { numericOnly?: boolean; current?: string[] } = {}): FactGroup[] {
  const props = Object.entries(type?.properties ?? {}).filter(([, p]) => !opts.numericOnly || p.type === 'number' || p.type === 'integer');
  const groups: FactGroup[] = [
    {
      group: type ? `Event: ${type.name}` : 'Event',
      items: props.map(([k, p]) => ({ value: `event.properties.${k}`, label: `${k} (${p.type === 'enum' ? 'choice' : p.type === 'person' ? 'person' : p.type})` })),
    },
    {
      group: 'Person',
      items: [
        ...(opts.numericOnly ? [] : [{ value: 'person.kind', label: 'Person kind' }, { value: 'person.team', label: 'Person team' }]),
        ...attributeKeys.person.map((k) => ({ value: `person.attributes.${k}`, label: `Person attribute ${k}` })),
      ],
    },
    {
      group: 'Account',
      items: [...(opts.numericOnly ? [] : [{ value: 'account.tier', label: 'Account tier' }]), ...attributeKeys.account.map((k) => ({ value: `account.attributes.${k}`, label: `Account attribute ${k}` }))],
    },
    {
      group: 'Time',
      items: opts.numericOnly
        ? []
        : [
            { value: 'time.dayOfWeek', label: 'Day of the week' },
            { value: 'time.hour', label: 'Hour of the day' },
            { value: 'time.date', label: 'Date' },
          ],
    },
  ];
  const all = new Set(groups.flatMap((g) => g.items.map((i) => i.value)));
  const extra = (opts.current ?? []).filter((c) => c && !all.has(c));
  if (extra.length) groups.push({ group: 'In this rule', items: extra.map((c) => ({ value: c, label: c })) });
  return groups.filter((g) => g.items.length > 0);
}

/** A value that fits a fact and an operator, for a new row or after the operator changed. */
export function defaultValue(info: FactInfo | null, op: Operator): unknown {
  if (op === 'exists') return true;
  if (op === 'in' || op === 'nin') return [];
  if (op === 'between') return [0, 0];
  if (!info) return '';
  if (info.kind === 'boolean') return true;
  if (info.kind === 'enum') return info.values?.[0] ?? '';
  if (info.input === 'dayOfWeek') return 1;
  if (info.kind === 'number') return undefined;
  return '';
}

/** Keeps the value when it still fits the operator's shape (a list, a pair, one value). */
export function adaptValue(value: unknown, info: FactInfo | null, op: Operator): unknown {
  const shape = (o: Operator) => (o === 'in' || o === 'nin' ? 'list' : o === 'between' ? 'pair' : o === 'exists' ? 'flag' : 'one');
  const isList = Array.isArray(value);
  const want = shape(op);
  if (want === 'list') return isList ? value : value === undefined || value === '' ? [] : [value];
  if (want === 'pair') return isList && value.length === 2 ? value : [typeof value === 'number' ? value : 0, 0];
  if (want === 'flag') return typeof value === 'boolean' ? value : true;
  if (isList) return value[0] ?? defaultValue(info, op);
  return value === undefined || typeof value === 'boolean' ? defaultValue(info, op) : value;
}

// ---------------------------------------------------------------- conditions as rows

/** A flat list of comparisons under one combinator: what the form edits. */
export interface ConditionRows {
  mode: 'all' | 'any';
  rows: Comparison[];
  /** how the rows sit in the JSON, for error paths: `if.all.0`, or `if` for a lone comparison */
  lone: boolean;
}

export const isComparison = (c: unknown): c is Comparison => !!c && typeof c === 'object' && 'fact' in c && 'op' in c;

/** The rows of a condition, or null when it nests (any inside all, not): the JSON view edits those. */
export function conditionRows(c: Condition | undefined): ConditionRows | null {
  if (c === undefined) return { mode: 'all', rows: [], lone: false };
  if (isComparison(c)) return { mode: 'all', rows: [c], lone: true };
  if ('all' in c && Array.isArray(c.all) && c.all.every(isComparison)) return { mode: 'all', rows: c.all, lone: false };
  if ('any' in c && Array.isArray(c.any) && c.any.every(isComparison)) return { mode: 'any', rows: c.any, lone: false };
  return null;
}

export function rowsToCondition(mode: 'all' | 'any', rows: Comparison[]): Condition | undefined {
  if (!rows.length) return undefined;
  return mode === 'all' ? { all: rows } : { any: rows };
}

/** The error path of row `i` of a rule's conditions. */
export function rowPath(base: string, cr: ConditionRows, i: number) {
  return cr.lone ? base : `${base}.${cr.mode}.${i}`;
}

// ---------------------------------------------------------------- recipients

export interface RecipientForm {
  person: boolean;
  manager: boolean;
  accountTeam: boolean;
  roles: string[];
  split: 'equal' | 'each';
}

/** The recipients as checkboxes, or null when the list is more than the form shows. */
export function recipientForm(r: Rule['recipient']): RecipientForm | null {
  const list: RecipientOne[] = r === undefined ? ['person'] : Array.isArray(r) ? r : [r];
  const teams = list.filter((x): x is Extract<RecipientOne, object> => typeof x === 'object' && x !== null);
  if (teams.length > 1 || list.length !== new Set(list.map((x) => (typeof x === 'string' ? x : 'team'))).size) return null;
  return {
    person: list.includes('person'),
    manager: list.includes('manager'),
    accountTeam: teams.length === 1,
    roles: teams[0]?.accountTeam?.roles ?? [],
    split: teams[0]?.accountTeam?.split ?? 'equal',
  };
}

export function formToRecipient(f: RecipientForm): Rule['recipient'] {
  const list: RecipientOne[] = [];
  if (f.person) list.push('person');
  if (f.manager) list.push('manager');
  if (f.accountTeam) list.push({ accountTeam: { ...(f.roles.length ? { roles: f.roles as never } : {}), split: f.split } });
  return list.length === 1 ? list[0] : list;
}

// ---------------------------------------------------------------- words

const fmtValue = (v: unknown, info: FactInfo | null, teamName: (id: string) => string): string => {
  if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) return '(no value yet)';
  if (Array.isArray(v)) return v.map((x) => fmtValue(x, info, teamName)).join(', ');
  if (info?.kind === 'team' && typeof v === 'string') return teamName(v);
  if (info?.input === 'dayOfWeek' && typeof v === 'number') return DAYS[v - 1] ?? String(v);
  if (typeof v === 'number') return formatNumber(v, 4);
  if (typeof v === 'string') return `“${v}”`;
  return String(v);
};

/** "revenue is at least 1,000" */
export function describeComparison(c: Comparison, type: EventType | undefined, teamName: (id: string) => string = (id) => id) {
  const info = factInfo(c.fact, type);
  const label = info?.label ?? c.fact;
  if (c.op === 'exists') return `${label} ${c.value === false ? 'is missing' : 'is given'}`;
  if (c.op === 'between' && Array.isArray(c.value)) return `${label} is between ${fmtValue(c.value[0], info, teamName)} and ${fmtValue(c.value[1], info, teamName)}`;
  return `${label} ${opLabel(c.op, info ?? undefined)} ${fmtValue(c.value, info, teamName)}`;
}

export function describeCondition(c: Condition, type: EventType | undefined, teamName?: (id: string) => string): string {
  if (isComparison(c)) return describeComparison(c, type, teamName);
  if ('all' in c) return c.all.map((x) => (isComparison(x) ? describeCondition(x, type, teamName) : `(${describeCondition(x, type, teamName)})`)).join(' and ');
  if ('any' in c) return c.any.map((x) => (isComparison(x) ? describeCondition(x, type, teamName) : `(${describeCondition(x, type, teamName)})`)).join(' or ');
  if ('not' in c) return `not (${describeCondition(c.not, type, teamName)})`;
  return 'a condition';
}

export const CAP_PERIOD_LABELS: Record<CapPeriod, string> = { day: 'day', week: 'week', month: 'month', quarter: 'quarter', year: 'year', program: 'the whole program' };

export function describeCap(cap: Cap | null | undefined, points = 'points') {
  if (!cap) return null;
  const per = cap.per === 'program' ? 'over the whole program' : `per ${CAP_PERIOD_LABELS[cap.per]}`;
  const parts = [cap.points !== undefined ? `${formatNumber(cap.points)} ${points}` : null, cap.times !== undefined ? `${formatNumber(cap.times)} time${cap.times === 1 ? '' : 's'}` : null].filter(Boolean);
  return `At most ${parts.join(' and ')} ${per}`;
}

/** "1 point", "5 points" (the workspace's label, singular when it ends in s) */
const pts = (n: number, points: string) => `${formatNumber(n)} ${n === 1 && points.endsWith('s') ? points.slice(0, -1) : points}`;

export function describeAward(rule: Rule, type: EventType | undefined, points = 'points') {
  const a = rule.award ?? {};
  let base: string;
  if (a.pointsPer) {
    const info = factInfo(a.pointsPer.fact, type);
    base = `${pts(a.pointsPer.points ?? 1, points)} for every ${formatNumber(a.pointsPer.every ?? 0, 4)} of ${info?.label ?? a.pointsPer.fact} (rounded ${a.pointsPer.round ?? 'down'})`;
  } else base = pts(a.points ?? 0, points);
  const mult = (a.multipliers ?? []).map((m) => `×${m.factor} when ${describeCondition(m.if, type)}`);
  return mult.length ? `${base}, ${mult.join(', ')}` : base;
}

export function describeRecipients(r: Rule['recipient']) {
  const list: RecipientOne[] = r === undefined ? ['person'] : Array.isArray(r) ? r : [r];
  return list
    .map((x) => {
      if (x === 'person') return 'the person';
      if (x === 'manager') return 'their manager';
      const roles = x.accountTeam.roles?.length ? x.accountTeam.roles.map((role) => ASSIGNMENT_ROLE_LABELS[role] ?? role).join(', ') : 'everyone';
      return `the account team (${roles}; ${x.accountTeam.split === 'each' ? 'each gets it' : 'shared equally'})`;
    })
    .join(' and ');
}

// ---------------------------------------------------------------- programs

export const STATUS_LABELS: Record<ProgramStatus, string> = { draft: 'Draft', active: 'Active', paused: 'Paused', ended: 'Ended' };
export const STATUS_COLORS: Record<ProgramStatus, string> = { draft: 'gray', active: 'green', paused: 'yellow', ended: 'dark' };

export const KIND_PLURALS: Record<PersonKind, string> = { employee: 'Employees', customer: 'Customer contacts', partner: 'Partner reps' };

export function describeAudience(a: Audience, teamName: (id: string) => string = (id) => id) {
  const parts: string[] = [];
  parts.push(a.kinds?.length ? a.kinds.map((k) => KIND_PLURALS[k] ?? k).join(', ') : 'Everyone');
  if (a.teams?.length) parts.push(`in ${a.teams.map(teamName).join(', ')}`);
  if (a.accountTiers?.length) parts.push(`at ${a.accountTiers.join(', ')} accounts`);
  for (const [k, vs] of Object.entries(a.attributes ?? {})) parts.push(`with ${k} ${vs.join(' or ')}`);
  if (a.people?.length) parts.push(`(${formatNumber(a.people.length)} named people)`);
  return parts.join(' ');
}

/** The editable body of a program (what POST takes). */
export function programBody(p: Program): ProgramBody {
  return {
    name: p.name,
    description: p.description,
    audience: p.audience,
    budget: p.budget,
    pointValueCents: p.pointValueCents,
    currency: p.currency,
    holdoutPercent: p.holdoutPercent,
    startsAt: p.startsAt,
    endsAt: p.endsAt,
    cap: p.cap,
    rules: p.rules,
  };
}

export const newProgramBody = (): ProgramBody => ({
  name: '',
  description: '',
  audience: {},
  budget: 100_000,
  pointValueCents: 1,
  currency: 'USD',
  holdoutPercent: 0,
  startsAt: null,
  endsAt: null,
  cap: null,
  rules: [],
});

export const newRule = (n: number, on = ''): Rule => ({ name: n === 1 ? 'New rule' : `New rule ${n}`, on, award: { points: 10 }, recipient: 'person' });

/** Error paths as the form uses them: `rules[1].if.all[0].fact` and `rules.1.if.all.0.fact` both become the latter. */
export const normalizePath = (p: string) => p.replace(/\[(\d+)\]/g, '.$1').replace(/^\./, '');

const SEGMENT_LABELS: Record<string, string> = {
  name: 'name',
  description: 'description',
  audience: 'audience',
  budget: 'budget',
  pointValueCents: 'value of a point',
  currency: 'currency',
  holdoutPercent: 'holdout',
  startsAt: 'start',
  endsAt: 'end',
  effectiveFrom: 'new version starts',
  on: 'event type',
  if: 'conditions',
  award: 'award',
  points: 'points',
  pointsPer: 'points per unit',
  every: 'every',
  round: 'rounding',
  multipliers: 'multiplier',
  factor: 'factor',
  recipient: 'recipients',
  cap: 'cap',
  per: 'period',
  times: 'times',
  fact: 'fact',
  op: 'operator',
  value: 'value',
  all: 'condition',
  any: 'condition',
  kinds: 'kinds',
  teams: 'teams',
  accountTiers: 'account tiers',
  attributes: 'attributes',
};

/** "Rule 2 “Deal registered” › condition 1 › fact" for an error path. */
export function describePath(path: string, rules: Rule[] | undefined) {
  const segs = normalizePath(path).split('.');
  const out: string[] = [];
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    const next = segs[i + 1];
    const idx = next !== undefined && /^\d+$/.test(next) ? Number(next) : null;
    if ((s === 'if' && (next === 'all' || next === 'any')) || (s === 'award' && next === 'multipliers')) continue;
    if (s === 'if' && segs[i - 2] === 'multipliers') {
      out.push('condition');
      continue;
    }
    if (s === 'rules' && idx !== null) {
      const name = rules?.[idx]?.name;
      out.push(`Rule ${idx + 1}${name ? ` “${name}”` : ''}`);
      i++;
    } else if (s === 'rules' && i === 0) out.push('Rules');
    else if (idx !== null && (s === 'all' || s === 'any' || s === 'multipliers')) {
      out.push(`${SEGMENT_LABELS[s]} ${idx + 1}`);
      i++;
    } else if (/^\d+$/.test(s)) out.push(`item ${Number(s) + 1}`);
    else out.push(SEGMENT_LABELS[s] ?? s);
  }
  const text = out.join(' › ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "certification" → "Certification", "training-completed" → "Training completed" (a rule named by its id). */
export function humanizeId(id: string) {
  const s = id.replace(/[-_]+/g, ' ').trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A rule's name from a program's rules (ids stay across versions); goal tiers are `tier:80`. */
export function ruleName(program: Program | undefined, ruleId: string | null) {
  if (!ruleId) return null;
  const tier = /^tier:(\d+)$/.exec(ruleId);
  if (tier) return `Goal tier ${tier[1]}%`;
  return program?.rules.find((r) => r.id === ruleId)?.name ?? humanizeId(ruleId);
}

/** The value at a normalized path (`rules.0.if.all.1.value`) of a JSON value; undefined when absent. */
export function valueAt(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const seg of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

/**
 * What the form can tell before the API does: fields left empty. Answers errors by normalized
 * path; the API checks the rest (facts, types, ranges) and its errors land on the same paths.
 */
export function checkDraft(body: ProgramBody): { path: string; message: string }[] {
  const errors: { path: string; message: string }[] = [];
  const empty = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);
  const comparison = (c: Comparison, path: string) => {
    if (!c.fact) errors.push({ path: `${path}.fact`, message: 'Choose what to check' });
    if (c.op === 'exists') return;
    if (c.op === 'between') {
      if (!Array.isArray(c.value) || c.value.some((x) => typeof x !== 'number')) errors.push({ path: `${path}.value`, message: 'Enter both numbers' });
    } else if (empty(c.value)) errors.push({ path: `${path}.value`, message: c.op === 'in' || c.op === 'nin' ? 'Choose at least one value' : 'Enter a value' });
  };
  if (!body.name?.trim()) errors.push({ path: 'name', message: 'Enter a name' });
  if (typeof body.budget !== 'number') errors.push({ path: 'budget', message: 'Enter a budget' });
  if (body.cap && body.cap.points === undefined && body.cap.times === undefined) errors.push({ path: 'cap', message: 'Limit points, times or both' });
  (Array.isArray(body.rules) ? body.rules : []).forEach((r, i) => {
    const base = `rules.${i}`;
    if (!r.name?.trim()) errors.push({ path: `${base}.name`, message: 'Enter a name' });
    if (!r.on) errors.push({ path: `${base}.on`, message: 'Choose an event type' });
    const cr = conditionRows(r.if);
    cr?.rows.forEach((c, j) => comparison(c, rowPath(`${base}.if`, cr, j)));
    const a = r.award ?? {};
    if (a.pointsPer) {
      if (!a.pointsPer.fact) errors.push({ path: `${base}.award.pointsPer.fact`, message: 'Choose a number on the event' });
      if (typeof a.pointsPer.every !== 'number') errors.push({ path: `${base}.award.pointsPer.every`, message: 'Enter a number' });
    } else if (typeof a.points !== 'number') errors.push({ path: `${base}.award.points`, message: 'Enter the points' });
    (a.multipliers ?? []).forEach((m, j) => {
      if (typeof m.factor !== 'number') errors.push({ path: `${base}.award.multipliers.${j}.factor`, message: 'Enter a factor' });
      if (isComparison(m.if)) comparison(m.if, `${base}.award.multipliers.${j}.if`);
    });
    const rf = recipientForm(r.recipient);
    if (rf && !rf.person && !rf.manager && !rf.accountTeam) errors.push({ path: `${base}.recipient`, message: 'Choose at least one recipient' });
    if (r.cap && r.cap.points === undefined && r.cap.times === undefined) errors.push({ path: `${base}.cap`, message: 'Limit points, times or both' });
  });
  return errors;
}
