import { useState } from 'react';
import { Badge, Button, Card, Group, Progress, SegmentedControl, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { goalsApi } from '../api/endpoints';
import type { EventType, Goal } from '../api/types';
import { formatDate, formatNumber, formatPercent } from '../lib/format';
import { describeCondition, factInfo } from '../lib/rules';
import { personLabel, usePeopleByIdList, useTeams } from '../lib/queries';
import { ErrorAlert } from './ErrorAlert';
import { Stat } from './SimulatePanel';
import { QuotaUpload } from './QuotaUpload';

const PERIOD_WORDS: Record<Goal['period'], { each: string; current: string; previous: string }> = {
  month: { each: 'each month', current: 'This month', previous: 'Last month' },
  quarter: { each: 'each quarter', current: 'This quarter', previous: 'Last quarter' },
  year: { each: 'each year', current: 'This year', previous: 'Last year' },
  program: { each: 'over the whole program', current: 'Whole program', previous: 'Whole program' },
};

export function describeMetric(g: Goal, type: EventType | undefined) {
  const m = g.metric;
  const what = m.aggregate === 'count' ? `Number of ${m.on} events` : `Sum of ${factInfo(m.fact ?? '', type)?.label ?? m.fact} on ${m.on} events`;
  const cond = m.if ? ` where ${describeCondition(m.if, type)}` : '';
  return `${what}${cond}, per ${g.scope}, ${PERIOD_WORDS[g.period].each}`;
}

const TOP = 25;

/** A goal's progress per person or team in a period, with attainment bars and the tiers reached. */
export function GoalCard({ goal, eventTypes, points, manage = false }: { goal: Goal; eventTypes: EventType[]; points: string; manage?: boolean }) {
  const [quotas, setQuotas] = useState(false);
  const [which, setWhich] = useState<'current' | 'previous'>('current');
  const [showAll, setShowAll] = useState(false);
  const current = useQuery({ queryKey: ['goals', goal.id, 'progress', 'current'], queryFn: () => goalsApi.progress(goal.id) });
  const previousAt = current.data ? new Date(Date.parse(current.data.period.start) - 1).toISOString() : undefined;
  const previous = useQuery({
    queryKey: ['goals', goal.id, 'progress', previousAt],
    queryFn: () => goalsApi.progress(goal.id, previousAt),
    enabled: which === 'previous' && !!previousAt,
    placeholderData: keepPreviousData,
  });
  const q = which === 'current' ? current : previous;
  const data = q.data;
  const subjects = [...(data?.subjects ?? [])].sort((a, b) => (b.attainment ?? -1) - (a.attainment ?? -1) || b.value - a.value);
  const people = usePeopleByIdList(goal.scope === 'person' ? subjects.map((s) => s.subjectId) : []);
  const teams = useTeams(goal.scope === 'team');
  const nameOf = (id: string) => {
    if (goal.scope === 'team') return teams.data?.find((t) => t.id === id)?.name ?? '…';
    const p = people.get(id);
    return p ? personLabel(p) : '…';
  };
  // The API's summary covers everyone the caller may see, also when it leaves out the rows (an analyst).
  const sum = data?.summary;
  const withTargetCount = sum?.withTarget ?? 0;
  const reached = sum?.reachedTarget ?? 0;
  const anyTier = sum?.reachedAnyTier ?? 0;
  const avg = sum?.averageAttainment ?? null;
  const type = eventTypes.find((t) => t.name === goal.metric.on);
  const shown = showAll ? subjects : subjects.slice(0, TOP);

  return (
    <Card withBorder padding="lg" component="section" aria-label={`Goal ${goal.name}`}>
      <Group justify="space-between" align="flex-start" wrap="wrap" mb="sm">
        <div>
          <Title order={3} size="h4">
            {goal.name}
          </Title>
          <Text size="sm" c="dimmed">
            {describeMetric(goal, type)}. {goal.target ? `Target ${formatNumber(goal.target)}` : 'Targets set per ' + goal.scope}
            {goal.target ? ` unless a quota is set per ${goal.scope}` : ''}.
          </Text>
          <Group gap={6} mt={6}>
            {goal.tiers.map((t) => (
              <Badge key={t.percent} variant="outline" color="tandem">
                {t.percent}% → {formatNumber(t.points)} {points}
              </Badge>
            ))}
          </Group>
        </div>
        <Group gap="sm">
          {manage && (
            <Button variant="default" size="xs" onClick={() => setQuotas(true)}>
              Upload quotas
            </Button>
          )}
          {goal.period !== 'program' && (
            <SegmentedControl
              size="xs"
              aria-label={`Period of ${goal.name}`}
              value={which}
              onChange={(v) => setWhich(v)}
              data={[
                { value: 'current', label: PERIOD_WORDS[goal.period].current },
                { value: 'previous', label: PERIOD_WORDS[goal.period].previous },
              ]}
            />
          )}
        </Group>
      </Group>
      {quotas && <QuotaUpload goal={goal} opened onClose={() => setQuotas(false)} />}
      <ErrorAlert error={q.error} />
      {data && (
        <Stack gap="md">
          <Text size="xs" c="dimmed">
            {goal.period === 'program'
              ? 'Counted over the whole life of the program.'
              : `${formatDate(data.period.start)} – ${formatDate(new Date(Date.parse(data.period.end) - 1).toISOString())}; ${data.period.closed ? `closed on ${formatDate(data.period.closedAt ?? data.period.closesAt)}: its payouts are final.` : `late events count until ${formatDate(data.period.closesAt)}.`}`}
          </Text>
          <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm">
            <Stat label={goal.scope === 'person' ? 'People' : 'Teams'} value={formatNumber(sum?.subjects ?? 0)} hint="with a target or progress" />
            <Stat label="Reached 100%" value={formatNumber(reached)} hint={withTargetCount ? `${formatPercent((reached / withTargetCount) * 100, 0)} achievement rate` : 'no targets'} />
            <Stat label="Reached a tier" value={formatNumber(anyTier)} hint={`first tier at ${goal.tiers[0]?.percent ?? 0}%`} />
            <Stat label="Average attainment" value={formatPercent(avg, 0)} />
          </SimpleGrid>
          {data.hidden ? (
            <Text size="sm" c="dimmed" py="md" ta="center">
              Your role sees the figures above, not each person&apos;s progress.
            </Text>
          ) : subjects.length === 0 ? (
            <Text size="sm" c="dimmed" py="md" ta="center">
              No progress in this period yet.
            </Text>
          ) : (
            <Table aria-label={`Progress on ${goal.name}`}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{goal.scope === 'person' ? 'Person' : 'Team'}</Table.Th>
                  <Table.Th ta="right">Progress</Table.Th>
                  <Table.Th w="34%">Attainment</Table.Th>
                  <Table.Th>Tiers reached</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {shown.map((s) => {
                  const a = s.attainment;
                  const color = a == null ? 'gray' : a >= 100 ? 'green' : s.tiersReached.length ? 'teal' : a >= 50 ? 'tandem' : 'orange';
                  return (
                    <Table.Tr key={s.subjectId}>
                      <Table.Td>
                        <Text size="sm" fw={500}>
                          {nameOf(s.subjectId)}
                        </Text>
                      </Table.Td>
                      <Table.Td ta="right">
                        <Text size="sm">{formatNumber(s.value)}</Text>
                        <Text size="xs" c="dimmed">
                          of {s.target != null ? formatNumber(s.target) : 'no target'}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Group gap="xs" wrap="nowrap">
                          <Progress.Root size="lg" style={{ flex: 1 }} aria-label={`Attainment ${formatPercent(a, 0)}`}>
                            <Progress.Section value={Math.min(100, a ?? 0)} color={color} />
                          </Progress.Root>
                          <Text size="sm" w={52} ta="right" fw={600}>
                            {formatPercent(a, 0)}
                          </Text>
                        </Group>
                      </Table.Td>
                      <Table.Td>
                        <Group gap={4}>
                          {s.tiersReached.length === 0 ? (
                            <Text size="xs" c="dimmed">
                              none yet
                            </Text>
                          ) : (
                            s.tiersReached.map((t) => (
                              <Badge key={t} size="sm" color={t >= 100 ? 'green' : 'teal'} variant="light">
                                {t}%
                              </Badge>
                            ))
                          )}
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          )}
          {subjects.length > TOP && (
            <Button variant="subtle" size="compact-sm" onClick={() => setShowAll((v) => !v)} w="fit-content">
              {showAll ? `Show the top ${TOP}` : `Show all ${subjects.length}`}
            </Button>
          )}
        </Stack>
      )}
    </Card>
  );
}
