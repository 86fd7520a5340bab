import { useMemo, type ReactNode } from 'react';
import { ActionIcon, Alert, Button, Checkbox, Group, MultiSelect, Paper, SegmentedControl, Select, Stack, Switch, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { ApiError } from '../api/client';
import type { AssignmentRole, CapPeriod, Comparison, Condition, EventType, FieldError, Multiplier, Operator, Rounding, Rule } from '../api/types';
import { ASSIGNMENT_ROLE_LABELS } from '../lib/format';
import {
  CAP_PERIOD_LABELS,
  DAYS,
  OPS_BY_KIND,
  adaptValue,
  conditionRows,
  defaultValue,
  describeAward,
  describeCap,
  describeCondition,
  describeRecipients,
  factGroups,
  factInfo,
  formToRecipient,
  isComparison,
  normalizePath,
  opLabel,
  recipientForm,
  rowPath,
  rowsToCondition,
  type FactInfo,
} from '../lib/rules';
import { teamPaths, useTeams } from '../lib/queries';
import { NumField } from './NumField';
import { TeamMultiSelect, TeamSelect } from './Pickers';
import { IconPlus, IconTrash } from './icons';

// ---------------------------------------------------------------- errors by path

/** The API's field errors by normalized path (`rules.1.if.all.0.fact`). */
export class PathErrors {
  readonly list: FieldError[];
  /** From an ApiError or a list; `keep` drops errors the user has since dealt with (the value at their path changed). */
  constructor(error: unknown, keep: (path: string) => boolean = () => true) {
    const list = Array.isArray(error) ? (error as FieldError[]) : error instanceof ApiError ? error.fieldErrors : [];
    this.list = list.map((f) => ({ path: normalizePath(f.path), message: f.message })).filter((f) => keep(f.path));
  }
  /** the message(s) for exactly this path */
  at(path: string) {
    const hits = this.list.filter((f) => f.path === path);
    return hits.length ? hits.map((f) => f.message).join('; ') : undefined;
  }
  /** errors at or under `prefix`, except those `skip` claims */
  within(prefix: string, skip: (path: string) => boolean = () => false) {
    return this.list.filter((f) => (f.path === prefix || f.path.startsWith(`${prefix}.`)) && !skip(f.path));
  }
}

/** Errors a section shows under its fields: "value: expected a number". */
function SectionErrors({ items, base }: { items: FieldError[]; base: string }) {
  if (!items.length) return null;
  return (
    <Stack gap={2} role="alert">
      {items.map((f, i) => (
        <Text key={i} size="sm" c="red.7">
          {f.path === base ? '' : `${f.path.slice(base.length + 1)}: `}
          {f.message}
        </Text>
      ))}
    </Stack>
  );
}

// ---------------------------------------------------------------- a condition row

export interface AttributeKeys {
  person: string[];
  account: string[];
}

function ValueInput({ info, op, value, onChange, error, label }: { info: FactInfo | null; op: Operator; value: unknown; onChange(v: unknown): void; error?: string; label: string }) {
  const teams = useTeams();
  const common = { label, error, style: { flex: '2 1 200px' } };
  if (op === 'exists')
    return (
      <Select
        {...common}
        allowDeselect={false}
        data={[
          { value: 'yes', label: 'given (has a value)' },
          { value: 'no', label: 'missing' },
        ]}
        value={value === false ? 'no' : 'yes'}
        onChange={(v) => onChange(v !== 'no')}
      />
    );
  if (op === 'between') {
    const pair = Array.isArray(value) ? value : [undefined, undefined];
    return (
      <Group gap={6} wrap="nowrap" align="flex-start" style={common.style}>
        <NumField label={`${label} from`} error={error} value={typeof pair[0] === 'number' ? pair[0] : undefined} onChange={(n) => onChange([n, pair[1]])} style={{ flex: 1 }} />
        <NumField label="to" value={typeof pair[1] === 'number' ? pair[1] : undefined} onChange={(n) => onChange([pair[0], n])} style={{ flex: 1 }} />
      </Group>
    );
  }
  const list = Array.isArray(value) ? value : [];
  if (op === 'in' || op === 'nin') {
    if (info?.kind === 'enum' && info.values) return <MultiSelect {...common} data={info.values} value={list.map(String)} onChange={onChange} placeholder="Choose values" />;
    if (info?.kind === 'team') return <TeamMultiSelect {...common} value={list.map(String)} onChange={onChange} placeholder="Choose teams" />;
    if (info?.kind === 'number')
      return (
        <TagsInput
          {...common}
          description="Press Enter after each number"
          value={list.map(String)}
          onChange={(vs) => onChange(vs.map(Number).filter((n) => Number.isFinite(n)))}
          placeholder="Numbers"
        />
      );
    return <TagsInput {...common} description="Press Enter after each value" value={list.map(String)} onChange={onChange} placeholder="Values" />;
  }
  if (op === 'contains' || op === 'startsWith') return <TextInput {...common} value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.currentTarget.value)} />;
  if (info?.kind === 'enum' && info.values)
    return <Select {...common} allowDeselect={false} data={info.values} value={typeof value === 'string' ? value : null} onChange={(v) => onChange(v ?? '')} placeholder="Choose a value" />;
  if (info?.kind === 'boolean')
    return (
      <Select
        {...common}
        allowDeselect={false}
        data={[
          { value: 'true', label: 'yes (true)' },
          { value: 'false', label: 'no (false)' },
        ]}
        value={value === false ? 'false' : 'true'}
        onChange={(v) => onChange(v === 'true')}
      />
    );
  if (info?.kind === 'team') {
    const paths = teamPaths(teams.data);
    return <TeamSelect {...common} clearable={false} value={typeof value === 'string' && value ? value : null} onChange={(v) => onChange(v ?? '')} placeholder={paths.size ? 'Choose a team' : 'No teams yet'} />;
  }
  if (info?.input === 'dayOfWeek')
    return <Select {...common} allowDeselect={false} data={DAYS.map((d, i) => ({ value: String(i + 1), label: d }))} value={typeof value === 'number' ? String(value) : null} onChange={(v) => onChange(Number(v))} />;
  if (info?.input === 'date') return <TextInput {...common} type="date" value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.currentTarget.value)} />;
  if (info?.kind === 'number')
    return <NumField {...common} min={info.input === 'hour' ? 0 : undefined} max={info.input === 'hour' ? 23 : undefined} value={typeof value === 'number' ? value : undefined} onChange={onChange} />;
  // A string, or an attribute of any type: numbers compare as numbers with more/less than.
  const numericOp = op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte';
  if (info?.kind === 'any' && numericOp) return <NumField {...common} value={typeof value === 'number' ? value : undefined} onChange={onChange} />;
  return (
    <TextInput
      {...common}
      description={info?.kind === 'any' ? 'Compared as text; use the JSON view for a number or yes/no' : info?.person ? 'A person id or external id' : undefined}
      value={value == null ? '' : String(value)}
      onChange={(e) => onChange(e.currentTarget.value)}
    />
  );
}

export function ConditionRow({
  label,
  value,
  type,
  attributeKeys,
  path,
  errors,
  onChange,
  onRemove,
  removeLabel,
}: {
  label: string;
  value: Comparison;
  type: EventType | undefined;
  attributeKeys: AttributeKeys;
  path: string;
  errors: PathErrors;
  onChange(c: Comparison): void;
  onRemove?: () => void;
  removeLabel?: string;
}) {
  const info = factInfo(value.fact, type);
  const ops = info ? OPS_BY_KIND[info.kind] : OPS_BY_KIND.any;
  const groups = useMemo(() => factGroups(type, attributeKeys, { current: [value.fact] }), [type, attributeKeys, value.fact]);
  const factError = errors.at(`${path}.fact`) ?? (!info && value.fact ? `Not a fact a rule on ${type?.name ?? 'this event'} can read` : undefined);
  return (
    <Group role="group" aria-label={label} gap="sm" align="flex-start" wrap="wrap">
      <Select
        label="Fact"
        searchable
        allowDeselect={false}
        data={groups}
        value={value.fact || null}
        placeholder="Choose what to check"
        onChange={(fact) => {
          if (!fact) return;
          const next = factInfo(fact, type);
          const allowed = next ? OPS_BY_KIND[next.kind] : OPS_BY_KIND.any;
          const op = allowed.includes(value.op) ? value.op : allowed[0]!;
          const kindChanged = next?.kind !== info?.kind || next?.input !== info?.input || String(next?.values) !== String(info?.values);
          onChange({ fact, op, value: kindChanged ? defaultValue(next, op) : adaptValue(value.value, next, op) });
        }}
        error={factError}
        description={info?.description}
        style={{ flex: '2 1 220px' }}
        comboboxProps={{ withinPortal: true }}
      />
      <Select
        label="Operator"
        allowDeselect={false}
        data={ops.map((op) => ({ value: op, label: opLabel(op, info ?? undefined) }))}
        value={value.op}
        onChange={(op) => op && onChange({ ...value, op: op, value: adaptValue(value.value, info, op) })}
        error={errors.at(`${path}.op`)}
        style={{ flex: '1 1 150px' }}
      />
      <ValueInput label="Value" info={info} op={value.op} value={value.value} onChange={(v) => onChange({ ...value, value: v })} error={errors.at(`${path}.value`)} />
      {onRemove && (
        <ActionIcon variant="subtle" color="gray" mt={26} aria-label={removeLabel ?? `Remove ${label.toLowerCase()}`} onClick={onRemove}>
          <IconTrash size={16} />
        </ActionIcon>
      )}
    </Group>
  );
}

/**
 * A list of comparisons that must all hold (a goal's events, a survey trigger's): a row each,
 * under a title, with the button that adds one. `path` is where the API reports row i's errors
 * (`${path}.all.${i}.value`).
 */
export function AllOfConditions({
  title,
  none,
  some,
  rowLabel,
  conditions,
  onChange,
  type,
  path,
  errors,
  disabled,
  onRowEdited,
}: {
  title: string;
  none: string;
  some: string;
  rowLabel: string;
  conditions: Comparison[];
  onChange(next: Comparison[]): void;
  type: EventType | undefined;
  path: string;
  errors: PathErrors;
  disabled: boolean;
  onRowEdited?: (path: string) => void;
}) {
  return (
    <div>
      <Text size="sm" fw={600}>
        {title}
      </Text>
      <Text size="xs" c="dimmed" mb={4}>
        {conditions.length ? some : none}
      </Text>
      <Stack gap="xs">
        {conditions.map((c, i) => (
          <ConditionRow
            key={i}
            label={`${rowLabel} ${i + 1}`}
            value={c}
            type={type}
            attributeKeys={NO_ATTRIBUTE_KEYS}
            path={`${path}.all.${i}`}
            errors={errors}
            onChange={(next) => {
              onChange(conditions.map((x, j) => (j === i ? next : x)));
              onRowEdited?.(`${path}.all.${i}`);
            }}
            onRemove={() => onChange(conditions.filter((_, j) => j !== i))}
          />
        ))}
      </Stack>
      <Button variant="subtle" size="xs" mt={4} px={0} leftSection={<IconPlus size={14} />} disabled={disabled} onClick={() => onChange([...conditions, newComparison(type)])}>
        Add condition
      </Button>
    </div>
  );
}
/** Outside a rule the form lists no attribute keys: they are typed in. */
const NO_ATTRIBUTE_KEYS = { person: [], account: [] };

export function newComparison(type: EventType | undefined): Comparison {
  const first = Object.keys(type?.properties ?? {})[0];
  const fact = first ? `event.properties.${first}` : 'person.kind';
  const info = factInfo(fact, type);
  const op: Operator = 'eq';
  return { fact, op, value: defaultValue(info, op) };
}

// ---------------------------------------------------------------- sections

function Section({ title, hint, children }: { title: string; hint?: ReactNode; children: ReactNode }) {
  return (
    <Stack gap={8}>
      <div>
        <Text fw={600} size="sm">
          {title}
        </Text>
        {hint && (
          <Text size="xs" c="dimmed">
            {hint}
          </Text>
        )}
      </div>
      {children}
    </Stack>
  );
}

function ConditionsSection({ rule, base, type, attributeKeys, errors, onChange, onOpenJson }: SectionProps & { onOpenJson(): void }) {
  const cr = conditionRows(rule.if);
  const path = `${base}.if`;
  if (!cr)
    return (
      <Section title="Only when" hint="This rule’s condition nests groups, which the form does not edit.">
        <Alert variant="light" color="gray">
          <Text size="sm">{describeCondition(rule.if!, type)}</Text>
          <Button variant="subtle" size="compact-sm" mt={6} px={0} onClick={onOpenJson}>
            Edit it in the JSON view
          </Button>
        </Alert>
        <SectionErrors items={errors.within(path)} base={path} />
      </Section>
    );
  const rowPaths = cr.rows.map((_, i) => rowPath(path, cr, i));
  const claimed = (p: string) => rowPaths.some((rp) => p === `${rp}.fact` || p === `${rp}.op` || p === `${rp}.value`);
  const set = (rows: Comparison[], mode = cr.mode) => onChange({ ...rule, if: rowsToCondition(mode, rows) });
  return (
    <Section title="Only when" hint={cr.rows.length ? undefined : 'No conditions: every event of this type counts.'}>
      {cr.rows.length > 1 && (
        <Group gap="xs">
          <Text size="sm">Award when</Text>
          <SegmentedControl
            size="xs"
            aria-label="Conditions that must hold"
            data={[
              { value: 'all', label: 'all of these hold' },
              { value: 'any', label: 'any of these holds' },
            ]}
            value={cr.mode}
            onChange={(m) => set(cr.rows, m)}
          />
        </Group>
      )}
      {cr.rows.map((row, i) => (
        <ConditionRow
          key={i}
          label={`Condition ${i + 1}`}
          value={row}
          type={type}
          attributeKeys={attributeKeys}
          path={rowPaths[i]!}
          errors={errors}
          onChange={(c) => set(cr.rows.map((r, j) => (j === i ? c : r)))}
          onRemove={() => set(cr.rows.filter((_, j) => j !== i))}
        />
      ))}
      <SectionErrors items={errors.within(path, claimed)} base={path} />
      <div>
        <Button variant="light" size="xs" leftSection={<IconPlus size={14} />} onClick={() => set([...cr.rows, newComparison(type)])}>
          Add condition
        </Button>
      </div>
    </Section>
  );
}

const ROUNDING: { value: Rounding; label: string }[] = [
  { value: 'down', label: 'Round down' },
  { value: 'nearest', label: 'Round to nearest' },
  { value: 'up', label: 'Round up' },
];

function AwardSection({ rule, base, type, attributeKeys, errors, onChange, points }: SectionProps & { points: string }) {
  const award = rule.award ?? {};
  const path = `${base}.award`;
  const perUnit = award.pointsPer !== undefined;
  const per = award.pointsPer ?? { fact: '', every: 1, points: 1, round: 'down' as Rounding };
  const numericFacts = useMemo(() => factGroups(type, attributeKeys, { numericOnly: true, current: perUnit ? [per.fact] : [] }), [type, attributeKeys, perUnit, per.fact]);
  const setAward = (a: Rule['award']) => onChange({ ...rule, award: a });
  const fields = [`${path}.points`, `${path}.pointsPer.fact`, `${path}.pointsPer.every`, `${path}.pointsPer.points`, `${path}.pointsPer.round`];
  const info = perUnit ? factInfo(per.fact, type) : null;
  return (
    <Section title="Award">
      <SegmentedControl
        aria-label="Award type"
        w="fit-content"
        data={[
          { value: 'fixed', label: 'Fixed points' },
          { value: 'per', label: 'Points per unit' },
        ]}
        value={perUnit ? 'per' : 'fixed'}
        onChange={(v) => {
          const { points: _p, pointsPer: _pp, ...rest } = award;
          if (v === 'fixed') setAward({ ...rest, points: award.points ?? 10 });
          else {
            const first = numericFacts[0]?.items[0]?.value ?? '';
            setAward({ ...rest, pointsPer: { fact: first, every: 1, points: 1, round: 'down' } });
          }
        }}
      />
      {perUnit ? (
        <Group gap="sm" align="flex-start" wrap="wrap">
          <NumField label={`${points[0]!.toUpperCase()}${points.slice(1)}`} min={1} value={per.points ?? 1} onChange={(n) => setAward({ ...award, pointsPer: { ...per, points: n } })} error={errors.at(`${path}.pointsPer.points`)} style={{ flex: '1 1 110px' }} />
          <NumField label="For every" min={0} value={per.every} onChange={(n) => setAward({ ...award, pointsPer: { ...per, every: n as number } })} error={errors.at(`${path}.pointsPer.every`)} style={{ flex: '1 1 130px' }} />
          <Select
            label="Of"
            searchable
            allowDeselect={false}
            data={numericFacts}
            value={per.fact || null}
            placeholder={numericFacts.length ? 'A number on the event' : 'This event type has no number'}
            onChange={(fact) => fact && setAward({ ...award, pointsPer: { ...per, fact } })}
            error={errors.at(`${path}.pointsPer.fact`)}
            description={info?.description}
            style={{ flex: '2 1 200px' }}
          />
          <Select
            label="Rounding"
            allowDeselect={false}
            data={ROUNDING}
            value={per.round}
            onChange={(r) => r && setAward({ ...award, pointsPer: { ...per, round: r } })}
            error={errors.at(`${path}.pointsPer.round`)}
            style={{ flex: '1 1 150px' }}
          />
        </Group>
      ) : (
        <NumField label={`${points[0]!.toUpperCase()}${points.slice(1)}`} min={1} value={award.points} onChange={(n) => setAward({ ...award, points: n })} error={errors.at(`${path}.points`)} w={200} />
      )}
      <SectionErrors items={errors.within(path, (p) => fields.includes(p) || p.startsWith(`${path}.multipliers`))} base={path} />
    </Section>
  );
}

function MultipliersSection({ rule, base, type, attributeKeys, errors, onChange, onOpenJson }: SectionProps & { onOpenJson(): void }) {
  const list = rule.award?.multipliers ?? [];
  const path = `${base}.award.multipliers`;
  const set = (ms: Multiplier[]) => {
    const { multipliers: _m, ...rest } = rule.award ?? {};
    onChange({ ...rule, award: ms.length ? { ...rest, multipliers: ms } : rest });
  };
  const claimed = (p: string) => list.some((m, i) => p === `${path}.${i}.factor` || (isComparison(m.if) && [`${path}.${i}.if.fact`, `${path}.${i}.if.op`, `${path}.${i}.if.value`].includes(p)));
  return (
    <Section title="Multipliers" hint={list.length ? 'Each multiplier that holds multiplies the award (rounded down).' : 'Multiply the award in some cases, such as ×3 for urgent tickets.'}>
      {list.map((m, i) => (
        <Paper key={i} withBorder p="xs" radius="sm" bg="gray.0">
          <Group gap="sm" align="flex-start" wrap="wrap">
            <NumField
              label="Multiply by"
              min={0}
              decimalScale={2}
              value={m.factor}
              onChange={(n) => set(list.map((x, j) => (j === i ? { ...x, factor: n as number } : x)))}
              error={errors.at(`${path}.${i}.factor`)}
              w={120}
              aria-label={`Multiplier ${i + 1} factor`}
            />
            <div style={{ flex: 1, minWidth: 280 }}>
              {isComparison(m.if) ? (
                <ConditionRow
                  label={`Multiplier ${i + 1} condition`}
                  value={m.if}
                  type={type}
                  attributeKeys={attributeKeys}
                  path={`${path}.${i}.if`}
                  errors={errors}
                  onChange={(c) => set(list.map((x, j) => (j === i ? { ...x, if: c } : x)))}
                />
              ) : (
                <Alert variant="light" color="gray" title="When">
                  <Text size="sm">{describeCondition(m.if as Condition, type)}</Text>
                  <Button variant="subtle" size="compact-sm" px={0} onClick={onOpenJson}>
                    Edit it in the JSON view
                  </Button>
                </Alert>
              )}
            </div>
            <ActionIcon variant="subtle" color="gray" mt={26} aria-label={`Remove multiplier ${i + 1}`} onClick={() => set(list.filter((_, j) => j !== i))}>
              <IconTrash size={16} />
            </ActionIcon>
          </Group>
        </Paper>
      ))}
      <SectionErrors items={errors.within(path, claimed)} base={path} />
      <div>
        <Button variant="light" size="xs" leftSection={<IconPlus size={14} />} onClick={() => set([...list, { if: newComparison(type), factor: 2 }])}>
          Add multiplier
        </Button>
      </div>
    </Section>
  );
}

function RecipientsSection({ rule, base, errors, onChange, onOpenJson }: Omit<SectionProps, 'type' | 'attributeKeys'> & { onOpenJson(): void }) {
  const path = `${base}.recipient`;
  const f = recipientForm(rule.recipient);
  if (!f)
    return (
      <Section title="Who receives the points">
        <Alert variant="light" color="gray">
          <Text size="sm">{describeRecipients(rule.recipient)}</Text>
          <Button variant="subtle" size="compact-sm" px={0} onClick={onOpenJson}>
            Edit them in the JSON view
          </Button>
        </Alert>
        <SectionErrors items={errors.within(path)} base={path} />
      </Section>
    );
  const set = (next: Partial<typeof f>) => onChange({ ...rule, recipient: formToRecipient({ ...f, ...next }) });
  const none = !f.person && !f.manager && !f.accountTeam;
  return (
    <Section title="Who receives the points">
      <Stack gap={6} role="group" aria-label="Recipients">
        <Checkbox label="The person the event is about" checked={f.person} onChange={(e) => set({ person: e.currentTarget.checked })} />
        <Checkbox label="Their manager" description="The manager of the person’s team" checked={f.manager} onChange={(e) => set({ manager: e.currentTarget.checked })} />
        <Checkbox label="The account team" description="The employees assigned to the event’s account" checked={f.accountTeam} onChange={(e) => set({ accountTeam: e.currentTarget.checked })} />
        {f.accountTeam && (
          <Group gap="sm" align="flex-end" pl={30} wrap="wrap">
            <MultiSelect
              label="Roles on the account"
              placeholder={f.roles.length ? undefined : 'Every role'}
              data={(Object.keys(ASSIGNMENT_ROLE_LABELS) as AssignmentRole[]).map((r) => ({ value: r, label: ASSIGNMENT_ROLE_LABELS[r] }))}
              value={f.roles}
              onChange={(roles) => set({ roles })}
              style={{ flex: '2 1 240px' }}
            />
            <SegmentedControl
              aria-label="How the account team gets the points"
              data={[
                { value: 'equal', label: 'Share them equally' },
                { value: 'each', label: 'Each gets them all' },
              ]}
              value={f.split}
              onChange={(split) => set({ split: split })}
            />
          </Group>
        )}
      </Stack>
      {none && errors.within(path).length === 0 && (
        <Text size="sm" c="dimmed">
          Choose at least one recipient.
        </Text>
      )}
      <SectionErrors items={errors.within(path)} base={path} />
    </Section>
  );
}

const PERIODS: CapPeriod[] = ['day', 'week', 'month', 'quarter', 'year', 'program'];

/** A cap: at most so many points and/or times per period (used by rules and by the program). */
export function CapFields({ cap, onChange, path, errors, label, points }: { cap: Rule['cap'] | null; onChange(c: Rule['cap'] | null): void; path: string; errors: PathErrors; label: string; points: string }) {
  const on = !!cap;
  const fields = [`${path}.points`, `${path}.times`, `${path}.per`];
  return (
    <Stack gap={8}>
      <Switch label={label} checked={on} onChange={(e) => onChange(e.currentTarget.checked ? { times: 1, per: 'month' } : null)} />
      {cap && (
        <Group gap="sm" align="flex-start" wrap="wrap" pl={48}>
          <NumField label={`At most (${points})`} min={1} value={cap.points} onChange={(n) => onChange({ ...cap, points: n })} error={errors.at(`${path}.points`)} placeholder="No limit" style={{ flex: '1 1 140px' }} />
          <NumField label="At most (times)" min={1} value={cap.times} onChange={(n) => onChange({ ...cap, times: n })} error={errors.at(`${path}.times`)} placeholder="No limit" style={{ flex: '1 1 140px' }} />
          <Select
            label="Per"
            allowDeselect={false}
            data={PERIODS.map((p) => ({ value: p, label: p === 'program' ? 'Whole program' : CAP_PERIOD_LABELS[p][0]!.toUpperCase() + CAP_PERIOD_LABELS[p].slice(1) }))}
            value={cap.per}
            onChange={(per) => per && onChange({ ...cap, per: per })}
            error={errors.at(`${path}.per`)}
            style={{ flex: '1 1 140px' }}
          />
        </Group>
      )}
      <SectionErrors items={errors.within(path, (p) => fields.includes(p))} base={path} />
    </Stack>
  );
}

interface SectionProps {
  rule: Rule;
  base: string;
  type: EventType | undefined;
  attributeKeys: AttributeKeys;
  errors: PathErrors;
  onChange(r: Rule): void;
}

// ---------------------------------------------------------------- a rule

export function RuleCard({
  rule,
  index,
  eventTypes,
  attributeKeys,
  errors,
  points,
  onChange,
  onRemove,
  onOpenJson,
}: {
  rule: Rule;
  index: number;
  eventTypes: EventType[];
  attributeKeys: AttributeKeys;
  errors: PathErrors;
  points: string;
  onChange(r: Rule): void;
  onRemove(): void;
  onOpenJson(): void;
}) {
  const base = `rules.${index}`;
  const type = eventTypes.find((t) => t.name === rule.on);
  const typeData = useMemo(() => {
    const names = eventTypes.map((t) => ({ value: t.name, label: t.name }));
    return rule.on && !eventTypes.some((t) => t.name === rule.on) ? [...names, { value: rule.on, label: `${rule.on} (unknown)` }] : names;
  }, [eventTypes, rule.on]);
  const props: SectionProps = { rule, base, type, attributeKeys, errors, onChange };
  const sections = ['.name', '.on', '.if', '.award', '.recipient', '.cap'];
  const rest = errors.within(base, (p) => sections.some((s) => p === base + s || p.startsWith(`${base}${s}.`)));
  const cap = describeCap(rule.cap, points);
  const hasErrors = errors.within(base).length > 0;

  return (
    <Paper component="section" aria-label={`Rule ${index + 1}`} withBorder p="lg" radius="md" style={hasErrors ? { borderColor: 'var(--mantine-color-red-5)' } : undefined}>
      <Stack gap="md">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <Title order={3} size="h5" c="dimmed" tt="uppercase" style={{ letterSpacing: '0.04em' }}>
            Rule {index + 1}
          </Title>
          <Button variant="subtle" color="red" size="compact-sm" leftSection={<IconTrash size={14} />} onClick={onRemove} aria-label={`Remove rule ${index + 1}`}>
            Remove
          </Button>
        </Group>
        <Group gap="sm" align="flex-start" wrap="wrap">
          <TextInput label="Rule name" required value={rule.name ?? ''} onChange={(e) => onChange({ ...rule, name: e.currentTarget.value })} error={errors.at(`${base}.name`)} style={{ flex: '1 1 240px' }} description="Participants see it in their history" />
          <Select
            label="When this event happens"
            required
            searchable
            allowDeselect={false}
            data={typeData}
            value={rule.on || null}
            placeholder="Choose an event type"
            onChange={(on) => on && onChange({ ...rule, on })}
            error={errors.at(`${base}.on`)}
            description={type?.description ?? 'What a system reports to Tandem'}
            style={{ flex: '1 1 260px' }}
          />
        </Group>
        <ConditionsSection {...props} onOpenJson={onOpenJson} />
        <AwardSection {...props} points={points} />
        <MultipliersSection {...props} onOpenJson={onOpenJson} />
        <RecipientsSection rule={rule} base={base} errors={errors} onChange={onChange} onOpenJson={onOpenJson} />
        <Section title="Cap">
          <CapFields cap={rule.cap} onChange={(c) => onChange(c ? { ...rule, cap: c } : withoutCap(rule))} path={`${base}.cap`} errors={errors} label="Limit what each recipient earns from this rule" points={points} />
        </Section>
        <SectionErrors items={rest} base={base} />
        <Paper bg="tandem.0" p="sm" radius="sm">
          <Text size="sm">
            <Text span fw={600}>
              In words:{' '}
            </Text>
            {ruleSentence(rule, type, points)}
            {cap ? ` ${cap}.` : ''}
          </Text>
        </Paper>
      </Stack>
    </Paper>
  );
}

function withoutCap(rule: Rule): Rule {
  const { cap: _c, ...rest } = rule;
  return rest;
}

/** "When certification.earned happens and level is “expert”, award 500 points to the person." */
export function ruleSentence(rule: Rule, type: EventType | undefined, points = 'points', teamName?: (id: string) => string) {
  const when = rule.on ? `When ${rule.on} happens` : 'When an event (not chosen yet) happens';
  const cond = rule.if ? ` and ${describeCondition(rule.if, type, teamName)}` : '';
  return `${when}${cond}, award ${describeAward(rule, type, points)} to ${describeRecipients(rule.recipient)}.`;
}
