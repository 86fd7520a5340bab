import { useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { Alert, Anchor, Button, Card, Group, JsonInput, List, MultiSelect, Paper, SegmentedControl, Select, SimpleGrid, Stack, TagsInput, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/client';
import { accountsApi, peopleApi, programsApi } from '../api/endpoints';
import type { Audience, FieldError, PersonKind, Program, ProgramBody, ProgramPatch } from '../api/types';
import { useSession } from '../session';
import { PageLoader } from '../components/PageLoader';
import { ErrorAlert } from '../components/ErrorAlert';
import { NumField } from '../components/NumField';
import { TeamMultiSelect } from '../components/Pickers';
import { CapFields, PathErrors, RuleCard, type AttributeKeys } from '../components/RuleBuilder';
import { IconAlert, IconArrowLeft, IconPlus, IconTrash } from '../components/icons';
import { formatMoney, formatNumber } from '../lib/format';
import { KIND_PLURALS, STATUS_LABELS, checkDraft, describePath, newProgramBody, newRule, programBody, valueAt } from '../lib/rules';
import { useEventTypes } from '../lib/queries';
import NotFoundPage from './NotFoundPage';

const CURRENCIES = ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'CHF', 'JPY', 'SEK', 'NOK', 'DKK', 'INR', 'BRL', 'MXN', 'SGD', 'ZAR'];

/** ISO time ↔ the value of a datetime-local input (browser time). */
function isoToLocalInput(iso: string | null | undefined) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
const localInputToIso = (v: string) => (v ? new Date(v).toISOString() : null);

/** The attribute names seen on a sample of people and accounts, offered as facts and audience filters. */
export function useAttributeKeys(): AttributeKeys {
  const { can } = useSession();
  const people = useQuery({ queryKey: ['people', 'attribute-keys'], queryFn: () => peopleApi.list({ limit: 200 }), enabled: can('people.read'), staleTime: 5 * 60_000 });
  const accounts = useQuery({ queryKey: ['accounts', 'attribute-keys'], queryFn: () => accountsApi.list({ limit: 200 }), enabled: can('org.read'), staleTime: 5 * 60_000 });
  return useMemo(() => {
    const keys = (rows: { attributes: Record<string, unknown> }[] | undefined) => [...new Set((rows ?? []).flatMap((r) => Object.keys(r.attributes)))].sort();
    return { person: keys(people.data?.data), account: keys(accounts.data?.data) };
  }, [people.data, accounts.data]);
}

/** Why the form cannot show a body the JSON view produced, or null. */
function formProblem(b: unknown): string | null {
  if (!b || typeof b !== 'object' || Array.isArray(b)) return 'The JSON must be an object with the program’s fields.';
  const body = b as Partial<ProgramBody>;
  if (body.rules !== undefined && !Array.isArray(body.rules)) return '“rules” must be a list.';
  for (const [i, r] of (body.rules ?? []).entries()) {
    if (!r || typeof r !== 'object' || Array.isArray(r)) return `Rule ${i + 1} must be an object.`;
    if (r.award !== undefined && (typeof r.award !== 'object' || r.award === null)) return `The award of rule ${i + 1} must be an object.`;
  }
  if (body.audience !== undefined && (typeof body.audience !== 'object' || body.audience === null || Array.isArray(body.audience))) return '“audience” must be an object.';
  return null;
}

export function AudienceFields({ audience, onChange, errors, attributeKeys }: { audience: Audience; onChange(a: Audience): void; errors: PathErrors; attributeKeys: AttributeKeys }) {
  const set = <K extends keyof Audience>(k: K, v: Audience[K] | undefined) => {
    const next = { ...audience };
    if (v === undefined || (Array.isArray(v) && v.length === 0)) delete next[k];
    else next[k] = v;
    onChange(next);
  };
  const attrs = Object.entries(audience.attributes ?? {});
  const setAttrs = (list: [string, (string | number | boolean)[]][]) => set('attributes', list.length ? Object.fromEntries(list) : undefined);
  const msg = (p: string) => errors.within(`audience.${p}`).map((f) => f.message).join('; ') || undefined;
  return (
    <Stack gap="sm">
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
        <MultiSelect
          label="Kinds of people"
          placeholder={audience.kinds?.length ? undefined : 'Everyone'}
          data={(['employee', 'customer', 'partner'] as PersonKind[]).map((k) => ({ value: k, label: KIND_PLURALS[k] }))}
          value={audience.kinds ?? []}
          onChange={(v) => set('kinds', v)}
          error={msg('kinds')}
        />
        <TeamMultiSelect label="Teams" description="Each team counts with the teams under it" placeholder={audience.teams?.length ? undefined : 'Any team'} value={audience.teams ?? []} onChange={(v) => set('teams', v)} error={msg('teams')} />
        <TagsInput
          label="Account tiers"
          description="For customer contacts and partner reps; press Enter after each"
          placeholder={audience.accountTiers?.length ? undefined : 'Any tier'}
          value={audience.accountTiers ?? []}
          onChange={(v) => set('accountTiers', v)}
          error={msg('accountTiers')}
        />
      </SimpleGrid>
      {attrs.map(([k, vs], i) => (
        <Group key={i} gap="sm" align="flex-end" wrap="wrap" role="group" aria-label={`Audience attribute ${i + 1}`}>
          <Select
            label="Attribute"
            searchable
            allowDeselect={false}
            data={[...new Set([...attributeKeys.person, k].filter(Boolean))]}
            value={k || null}
            onChange={(nk) => nk && setAttrs(attrs.map(([ok, ov], j) => (j === i ? [nk, ov] : [ok, ov])))}
            style={{ flex: '1 1 180px' }}
          />
          <TagsInput label="Is one of" value={vs.map(String)} onChange={(nv) => setAttrs(attrs.map(([ok, ov], j) => (j === i ? [ok, nv] : [ok, ov])))} error={msg(`attributes.${k}`)} style={{ flex: '2 1 260px' }} />
          <Button variant="subtle" color="gray" onClick={() => setAttrs(attrs.filter((_, j) => j !== i))} aria-label={`Remove audience attribute ${i + 1}`} mb={2}>
            <IconTrash size={16} />
          </Button>
        </Group>
      ))}
      <Group gap="sm">
        <Button
          variant="light"
          size="xs"
          leftSection={<IconPlus size={14} />}
          disabled={!attributeKeys.person.some((k) => !audience.attributes?.[k])}
          onClick={() => {
            const k = attributeKeys.person.find((x) => !audience.attributes?.[x]);
            if (k) setAttrs([...attrs, [k, []]]);
          }}
        >
          Filter by a person attribute
        </Button>
        {audience.people?.length ? (
          <Text size="sm" c="dimmed">
            Also limited to {formatNumber(audience.people.length)} named people (edit the list in the JSON view).
          </Text>
        ) : null}
      </Group>
    </Stack>
  );
}

const RULE_KEYS = ['id', 'name', 'on', 'if', 'award', 'recipient', 'cap'];
const BODY_KEYS = ['name', 'description', 'audience', 'budget', 'pointValueCents', 'currency', 'holdoutPercent', 'startsAt', 'endsAt', 'cap', 'rules'];
const ordered = <T extends object>(o: T, keys: string[]): T => {
  const rec = o as Record<string, unknown>;
  return Object.fromEntries([...keys.filter((k) => k in rec), ...Object.keys(rec).filter((k) => !keys.includes(k))].map((k) => [k, rec[k]])) as T;
};
/** The body with its keys in reading order (the form appends keys as they are set). */
function readable(b: ProgramBody): ProgramBody {
  const body = ordered(b, BODY_KEYS);
  return Array.isArray(body.rules) ? { ...body, rules: body.rules.map((r) => (r && typeof r === 'object' ? ordered(r, RULE_KEYS) : r)) } : body;
}

/** The fields of a PATCH: what differs from the program as stored. */
function changedFields(before: ProgramBody, after: ProgramBody): ProgramPatch {
  const patch: Record<string, unknown> = {};
  for (const k of Object.keys(after) as (keyof ProgramBody)[]) {
    if (JSON.stringify(after[k] ?? null) !== JSON.stringify(before[k] ?? null)) patch[k] = after[k] ?? null;
  }
  return patch;
}

function Editor({ program }: { program?: Program }) {
  const { session } = useSession();
  const points = session.workspace.pointsLabel;
  const navigate = useNavigate();
  const qc = useQueryClient();
  const eventTypes = useEventTypes();
  const attributeKeys = useAttributeKeys();
  const original = useMemo(() => (program ? programBody(program) : null), [program]);
  const [draft, setDraft] = useState<ProgramBody>(() => original ?? newProgramBody());
  const [view, setView] = useState<'form' | 'json'>('form');
  const [jsonText, setJsonText] = useState('');
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [effectiveFrom, setEffectiveFrom] = useState('');
  const live = program && program.status !== 'draft';

  const save = useMutation({
    mutationFn: async (body: ProgramBody): Promise<Program> => {
      if (!program) return programsApi.create(body);
      const patch = changedFields(original!, body);
      if (live && effectiveFrom) patch.effectiveFrom = localInputToIso(effectiveFrom)!;
      return programsApi.update(program.id, patch);
    },
    onSuccess: (p) => {
      qc.setQueryData(['programs', 'one', p.id], p);
      void qc.invalidateQueries({ queryKey: ['programs'] });
      void navigate(`/programs/${p.id}`);
    },
  });
  // Empty fields are caught here; the API checks the rest. An error stays until the user
  // changes what it is about (or saves again).
  const [local, setLocal] = useState<{ errors: FieldError[]; body: ProgramBody } | null>(null);
  const failed = local ? { error: local.errors as unknown, body: local.body } : { error: save.error, body: save.variables };
  const errors = useMemo(
    () => new PathErrors(failed.error, (p) => JSON.stringify(valueAt(failed.body, p)) === JSON.stringify(valueAt(draft, p))),
    [failed.error, failed.body, draft],
  );
  const apiFieldErrors = !local && save.error instanceof ApiError && save.error.fieldErrors.length > 0;
  const dirty = !original || JSON.stringify(changedFields(original, draft)) !== '{}';

  const openJson = () => {
    setJsonText(JSON.stringify(readable(draft), null, 2));
    setJsonError(null);
    setView('json');
  };
  const onJson = (text: string) => {
    setJsonText(text);
    try {
      const parsed = JSON.parse(text) as unknown;
      const problem = formProblem(parsed);
      setJsonError(problem);
      if (!problem) setDraft(parsed as ProgramBody);
    } catch (e) {
      setJsonError(`Not valid JSON: ${(e as Error).message}`);
    }
  };
  const update = (patch: Partial<ProgramBody>) => setDraft((d) => ({ ...d, ...patch }));
  const rules = Array.isArray(draft.rules) ? draft.rules : [];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (view === 'json' && jsonError) return;
    const found = checkDraft(draft);
    if (found.length) {
      save.reset();
      setLocal({ errors: found, body: draft });
      return;
    }
    setLocal(null);
    save.mutate(draft);
  };
  const err = (p: string) => errors.within(p).map((f) => f.message).join('; ') || undefined;
  const problem = formProblem(draft);
  const money = typeof draft.budget === 'number' && typeof draft.pointValueCents === 'number' ? formatMoney(draft.budget * draft.pointValueCents, draft.currency || 'USD') : null;

  return (
    <form onSubmit={submit} noValidate aria-label={program ? `Edit ${program.name}` : 'New program'}>
      <Stack gap="lg">
        <div>
          <Anchor component={Link} to={program ? `/programs/${program.id}` : '/programs'} size="sm">
            <Group gap={4} component="span">
              <IconArrowLeft size={14} /> {program ? program.name : 'All programs'}
            </Group>
          </Anchor>
          <Group justify="space-between" align="flex-end" mt="xs" wrap="wrap">
            <div>
              <Title order={1} size="h2">
                {program ? `Edit ${program.name}` : 'New program'}
              </Title>
              <Text size="sm" c="dimmed">
                {program ? `${STATUS_LABELS[program.status]} · version ${program.version}` : 'A program starts as a draft: simulate it over past events, then launch it.'}
              </Text>
            </div>
            <SegmentedControl
              aria-label="Editor view"
              data={[
                { value: 'form', label: 'Form' },
                { value: 'json', label: 'JSON' },
              ]}
              value={view}
              onChange={(v) => {
                if (v === 'json') openJson();
                else if (!jsonError) setView('form');
              }}
            />
          </Group>
        </div>

        {live && (
          <Alert variant="light" color="yellow" icon={<IconAlert />} title={`This program is ${program.status === 'active' ? 'live' : 'paused'}`}>
            <Text size="sm">
              Changes to rules, audience or cap create version {program.version + 1}. Events that occurred before it starts keep the rules of version {program.version}. A new budget is funded at once.
            </Text>
            <TextInput
              mt="xs"
              label="New version starts"
              description="Leave empty to start now"
              type="datetime-local"
              value={effectiveFrom}
              onChange={(e) => setEffectiveFrom(e.currentTarget.value)}
              error={err('effectiveFrom')}
              w={260}
            />
          </Alert>
        )}

        {local || apiFieldErrors ? (
          errors.list.length > 0 && (
          <Alert color="red" variant="light" icon={<IconAlert />} title={`${local ? 'Not saved yet' : 'The program was not saved'}: ${errors.list.length === 1 ? 'one problem' : `${errors.list.length} problems`}`} role="alert">
            <List size="sm" spacing={2}>
              {errors.list.map((f, i) => (
                <List.Item key={i}>
                  <strong>{describePath(f.path, rules)}</strong>: {f.message}
                </List.Item>
              ))}
            </List>
            {view === 'form' && (
              <Text size="xs" c="dimmed" mt={6}>
                Each problem is also shown next to its field below.
              </Text>
            )}
          </Alert>
          )
        ) : (
          <ErrorAlert error={save.error} />
        )}

        {view === 'json' ? (
          <Card withBorder padding="lg">
            <JsonInput
              label="Program as JSON"
              description="The body the API takes. Edits here update the form; the form shows them when the JSON is valid."
              value={jsonText}
              onChange={onJson}
              error={jsonError}
              autosize
              minRows={18}
              maxRows={40}
              spellCheck={false}
              styles={{ input: { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', fontSize: 13 } }}
            />
          </Card>
        ) : problem ? (
          <Alert color="red" variant="light" title="The form cannot show this program">
            <Text size="sm">{problem}</Text>
            <Button variant="subtle" size="compact-sm" px={0} onClick={openJson}>
              Fix it in the JSON view
            </Button>
          </Alert>
        ) : (
          <>
            <Card withBorder padding="lg">
              <Title order={2} size="h4" mb="sm">
                About
              </Title>
              <Stack gap="sm">
                <TextInput label="Program name" required value={draft.name ?? ''} onChange={(e) => update({ name: e.currentTarget.value })} error={err('name')} />
                <Textarea label="Description" description="What the program rewards and why; participants may see it" autosize minRows={2} value={draft.description ?? ''} onChange={(e) => update({ description: e.currentTarget.value })} error={err('description')} />
              </Stack>
            </Card>

            <Card withBorder padding="lg">
              <Title order={2} size="h4">
                Who takes part
              </Title>
              <Text size="sm" c="dimmed" mb="sm">
                Everyone who matches all of these. Leave a field empty not to filter by it.
              </Text>
              <AudienceFields audience={draft.audience ?? {}} onChange={(audience) => update({ audience })} errors={errors} attributeKeys={attributeKeys} />
              <NumField
                mt="sm"
                label="Holdout (%)"
                description="A stable random share of the audience earns nothing, so you can measure what the program changes"
                min={0}
                max={50}
                value={draft.holdoutPercent ?? 0}
                onChange={(n) => update({ holdoutPercent: n })}
                error={err('holdoutPercent')}
                w={360}
              />
            </Card>

            <Card withBorder padding="lg">
              <Title order={2} size="h4" mb="sm">
                Budget and dates
              </Title>
              <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
                <NumField
                  label={`Budget (${points})`}
                  required
                  min={0}
                  thousandSeparator=","
                  value={draft.budget}
                  onChange={(n) => update({ budget: n })}
                  error={err('budget')}
                  description={money ? `Worth ${money}${live ? '; a change is funded at once' : ''}` : undefined}
                />
                <NumField label="Value of one point (cents)" min={0} value={draft.pointValueCents} onChange={(n) => update({ pointValueCents: n })} error={err('pointValueCents')} description="What a point costs you, in minor units" />
                <Select
                  label="Currency"
                  searchable
                  allowDeselect={false}
                  data={[...new Set([...CURRENCIES, draft.currency ?? 'USD'])]}
                  value={draft.currency ?? 'USD'}
                  onChange={(c) => c && update({ currency: c })}
                  error={err('currency')}
                />
                <TextInput label="Starts" type="datetime-local" description="Optional; events before it do not count" value={isoToLocalInput(draft.startsAt)} onChange={(e) => update({ startsAt: localInputToIso(e.currentTarget.value) })} error={err('startsAt')} />
                <TextInput label="Ends" type="datetime-local" description="Optional" value={isoToLocalInput(draft.endsAt)} onChange={(e) => update({ endsAt: localInputToIso(e.currentTarget.value) })} error={err('endsAt')} />
              </SimpleGrid>
              <Stack mt="md" gap={4}>
                <CapFields cap={draft.cap ?? null} onChange={(cap) => update({ cap })} path="cap" errors={errors} label="Limit what one person earns from the whole program" points={points} />
              </Stack>
            </Card>

            <Stack gap="sm">
              <Group justify="space-between" align="flex-end">
                <div>
                  <Title order={2} size="h4">
                    Rules
                  </Title>
                  <Text size="sm" c="dimmed">
                    Each rule turns one kind of event into {points}. Every rule that matches an event awards.
                  </Text>
                </div>
              </Group>
              <ErrorAlert error={eventTypes.error} />
              {rules.length === 0 && (
                <Paper withBorder p="lg" ta="center" c="dimmed">
                  <Text size="sm">No rules yet. A program needs at least one rule to go live.</Text>
                </Paper>
              )}
              {rules.map((r, i) => (
                <RuleCard
                  key={i}
                  rule={r}
                  index={i}
                  eventTypes={eventTypes.data ?? []}
                  attributeKeys={attributeKeys}
                  errors={errors}
                  points={points}
                  onChange={(nr) => update({ rules: rules.map((x, j) => (j === i ? nr : x)) })}
                  onRemove={() => update({ rules: rules.filter((_, j) => j !== i) })}
                  onOpenJson={openJson}
                />
              ))}
              <div>
                <Button variant="light" leftSection={<IconPlus size={16} />} onClick={() => update({ rules: [...rules, newRule(rules.length + 1)] })}>
                  Add rule
                </Button>
              </div>
            </Stack>
          </>
        )}

        <Paper withBorder p="md" style={{ position: 'sticky', bottom: 0, zIndex: 5 }} shadow="sm">
          <Group justify="space-between" wrap="wrap">
            <Text size="sm" c={view === 'json' && jsonError ? 'red.7' : 'dimmed'} role={view === 'json' && jsonError ? 'alert' : undefined} maw={760}>
              {view === 'json' && jsonError
                ? `The JSON has an error: ${jsonError}`
                : !program
                  ? 'Saved as a draft: nobody earns until you launch it.'
                  : program.status === 'draft'
                    ? 'A draft changes in place.'
                    : dirty
                      ? `Saving creates version ${program.version + 1}.`
                      : 'No changes yet.'}
            </Text>
            <Group gap="sm">
              <Button variant="default" component={Link} to={program ? `/programs/${program.id}` : '/programs'}>
                Cancel
              </Button>
              <Button type="submit" loading={save.isPending} disabled={!dirty || (view === 'json' && !!jsonError)}>
                {!program ? 'Save as draft' : program.status === 'draft' ? 'Save draft' : `Save as version ${program.version + 1}`}
              </Button>
            </Group>
          </Group>
        </Paper>
      </Stack>
    </form>
  );
}

export default function ProgramEditorPage() {
  const { id } = useParams();
  const program = useQuery({ queryKey: ['programs', 'one', id], queryFn: () => programsApi.get(id!), enabled: !!id });
  if (!id) return <Editor />;
  if (program.error instanceof ApiError && program.error.status === 404) return <NotFoundPage what="program" />;
  if (program.isPending) return <PageLoader />;
  if (!program.data) return <ErrorAlert error={program.error} />;
  if (program.data.status === 'ended')
    return (
      <Alert color="gray" title="An ended program cannot change">
        <Anchor component={Link} to={`/programs/${program.data.id}`}>
          Back to {program.data.name}
        </Anchor>
      </Alert>
    );
  return <Editor key={`${program.data.id}:${program.data.updatedAt}`} program={program.data} />;
}

