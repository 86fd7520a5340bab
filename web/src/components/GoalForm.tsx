import { useState, type FormEvent } from 'react';
import { ActionIcon, Button, Group, Modal, SegmentedControl, Select, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { goalsApi } from '../api/endpoints';
import type { Comparison, EventType, Goal, NewGoal } from '../api/types';
import { rowsToCondition } from '../lib/rules';
import { AllOfConditions, PathErrors } from './RuleBuilder';
import { formatNumber } from '../lib/format';
import { ErrorAlert, fieldError } from './ErrorAlert';
import { NumField } from './NumField';

const PERIODS: { value: Goal['period']; label: string }[] = [
  { value: 'month', label: 'Each month' },
  { value: 'quarter', label: 'Each quarter' },
  { value: 'year', label: 'Each year' },
  { value: 'program', label: 'Over the whole program' },
];


type TierRow = { percent: number | undefined; points: number | undefined };

/**
 * A new goal in a program: what it counts (events of a type, or the sum of a whole-number
 * property), per person or team, over which period, the default target and the tiers it pays.
 * Errors from the API land on the field they name.
 */
export function GoalForm({ programId, eventTypes, points, opened, onClose }: { programId: string; eventTypes: EventType[]; points: string; opened: boolean; onClose(): void }) {
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [on, setOn] = useState<string | null>(null);
  const [aggregate, setAggregate] = useState<'count' | 'sum'>('count');
  const [fact, setFact] = useState<string | null>(null);
  const [period, setPeriod] = useState<Goal['period']>('month');
  const [scope, setScope] = useState<Goal['scope']>('person');
  const [target, setTarget] = useState<number | undefined>(undefined);
  const [tiers, setTiers] = useState<TierRow[]>([
    { percent: 80, points: 500 },
    { percent: 100, points: 1000 },
  ]);
  const [closeAfterDays, setCloseAfterDays] = useState<number | undefined>(5);
  const [conditions, setConditions] = useState<Comparison[]>([]);
  const type = eventTypes.find((t) => t.name === on);
  const sumFacts = Object.entries(type?.properties ?? {})
    .filter(([, p]) => p.type === 'integer')
    .map(([k]) => ({ value: `event.properties.${k}`, label: k }));
  const create = useMutation({
    mutationFn: (body: NewGoal) => goalsApi.create(body),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['goals', 'program', programId] });
      onClose();
    },
  });
  // A field's error from the API shows until that field is changed.
  const [edited, setEdited] = useState<Set<string>>(new Set());
  const touch = (path: string) => setEdited((s) => (s.has(path) ? s : new Set(s).add(path)));
  const err = (path: string) => (edited.has(path) ? undefined : fieldError(create.error, path));
  const condErrors = new PathErrors(create.error, (p) => !p.startsWith('metric.if') || ![...edited].some((e) => p.startsWith(e)));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setEdited(new Set());
    create.mutate({
      programId,
      name: name.trim(),
      metric: { on: on ?? '', ...(conditions.length ? { if: rowsToCondition('all', conditions) } : {}), aggregate, ...(aggregate === 'sum' ? { fact: fact ?? '' } : {}) },
      period,
      scope,
      target: target ?? null,
      tiers: tiers.map((t) => ({ percent: t.percent ?? NaN, points: t.points ?? NaN })),
      closeAfterDays: closeAfterDays ?? 5,
    });
  };
  const setTier = (i: number, patch: Partial<TierRow>) => setTiers((ts) => ts.map((t, j) => (j === i ? { ...t, ...patch } : t)));
  const unit = scope === 'team' ? 'team' : 'person';
  return (
    <Modal opened={opened} onClose={onClose} title="New goal" size="lg">
      <form onSubmit={submit} noValidate aria-label="New goal">
        <Stack gap="md">
        <TextInput label="Goal name" placeholder="Monthly revenue" value={name} onChange={(e) => { setName(e.currentTarget.value); touch('name'); }} error={err('name')} required />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select label="Counts events of type" placeholder="Pick an event type" searchable data={eventTypes.map((t) => t.name)} value={on} onChange={(v) => { setOn(v); setFact(null); setConditions([]); touch('metric.on'); touch('metric.fact'); }} error={err('metric.on')} required />
          <div>
            <Text size="sm" fw={600} mb={4}>
              Measure
            </Text>
            <SegmentedControl fullWidth value={aggregate} onChange={(v) => { setAggregate(v); touch('metric.fact'); }} data={[{ value: 'count', label: 'Count events' }, { value: 'sum', label: 'Sum a property' }]} aria-label="Measure" />
          </div>
        </SimpleGrid>
        {aggregate === 'sum' && (
          <Select
            label="Property to add up"
            placeholder={on ? (sumFacts.length ? 'Pick a property' : 'This type has no whole-number property') : 'Pick an event type first'}
            data={sumFacts}
            value={fact}
            onChange={(v) => { setFact(v); touch('metric.fact'); }}
            error={err('metric.fact')}
            description="Whole-number properties only (money in minor units, quantities)"
            required
          />
        )}
        <AllOfConditions
          title="Only count events where"
          none="No conditions: every event of this type counts."
          some="All of these must hold."
          rowLabel="Goal condition"
          conditions={conditions}
          onChange={setConditions}
          type={type}
          path="metric.if"
          errors={condErrors}
          disabled={!on}
          onRowEdited={touch}
        />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select label="Period" data={PERIODS} value={period} onChange={(v) => { if (v) setPeriod(v); touch('period'); }} error={err('period')} allowDeselect={false} />
          <div>
            <Text size="sm" fw={600} mb={4}>
              Target per
            </Text>
            <SegmentedControl fullWidth value={scope} onChange={(v) => setScope(v)} data={[{ value: 'person', label: 'Person' }, { value: 'team', label: 'Team' }]} aria-label="Target per" />
          </div>
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <NumField label="Default target" description={`Each ${unit}'s target unless a quota is set for them; leave empty to use quotas only`} value={target} onChange={(v) => { setTarget(v); touch('target'); }} min={1} thousandSeparator="," error={err('target')} />
          <NumField label="Late events count for (days)" description="after a period ends; then its payouts are final" value={closeAfterDays} onChange={(v) => { setCloseAfterDays(v); touch('closeAfterDays'); }} min={0} max={90} error={err('closeAfterDays')} />
        </SimpleGrid>
        <div>
          <Text size="sm" fw={600}>
            Tiers
          </Text>
          <Text size="xs" c="dimmed" mb={4}>
            Each tier pays once a period when the {unit} crosses it, and they add up{scope === 'team' ? '; a team tier pays every member of the team' : ''}.
          </Text>
          <Table aria-label="Tiers" withRowBorders={false} verticalSpacing={4}>
            <Table.Tbody>
              {tiers.map((t, i) => (
                <Table.Tr key={i}>
                  <Table.Td>
                    <NumField aria-label={`Tier ${i + 1} percent of target`} rightSection="%" value={t.percent} onChange={(v) => { setTier(i, { percent: v }); touch(`tiers.${i}.percent`); touch('tiers'); }} min={1} max={1000} error={err(`tiers.${i}.percent`)} />
                  </Table.Td>
                  <Table.Td>
                    <NumField aria-label={`Tier ${i + 1} ${points}`} rightSectionWidth={60} rightSection={<Text size="xs" c="dimmed">{points}</Text>} value={t.points} onChange={(v) => { setTier(i, { points: v }); touch(`tiers.${i}.points`); }} min={0} thousandSeparator="," error={err(`tiers.${i}.points`)} />
                  </Table.Td>
                  <Table.Td w={40}>
                    <ActionIcon variant="subtle" color="gray" aria-label={`Remove tier ${i + 1}`} disabled={tiers.length === 1} onClick={() => setTiers((ts) => ts.filter((_, j) => j !== i))}>
                      ×
                    </ActionIcon>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {err('tiers') && !tiers.some((_, i) => err(`tiers.${i}`)) && (
            <Text size="xs" c="red.7" mt={2}>
              {err('tiers')}
            </Text>
          )}
          <Group justify="space-between" mt={4}>
            <Button variant="subtle" size="xs" disabled={tiers.length >= 10} onClick={() => setTiers((ts) => [...ts, { percent: (ts.at(-1)?.percent ?? 80) + 20, points: undefined }])}>
              Add tier
            </Button>
            <Text size="xs" c="dimmed">
              {tiers.every((t) => t.points !== undefined) ? `Reaching the top tier pays ${formatNumber(tiers.reduce((s, t) => s + (t.points ?? 0), 0))} ${points} in all` : ''}
            </Text>
          </Group>
        </div>
        {/* Once the caller starts correcting, the fields keep their own messages. */}
        {edited.size === 0 && <ErrorAlert error={create.error} shown={['name', 'metric.on', 'metric.fact', 'metric.if', 'period', 'target', 'closeAfterDays', 'tiers']} />}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending}>
            Create goal
          </Button>
        </Group>
        </Stack>
      </form>
    </Modal>
  );
}
