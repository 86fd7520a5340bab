import { lazy, Suspense, useState, type FormEvent, type ReactNode } from 'react';
import { Alert, Anchor, Button, Card, Group, Loader, Paper, Progress, SimpleGrid, Stack, Table, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { Link } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { programsApi } from '../api/endpoints';
import type { Program, Simulation, SimulatedGoal } from '../api/types';
import { dateInputToIso, formatDate, formatMoney, formatNumber, formatPercent, toDateInput } from '../lib/format';
import { personLabel, usePeopleByIdList } from '../lib/queries';
import { ErrorAlert, fieldError } from './ErrorAlert';
import { IconAlert, IconInfo } from './icons';

const BurnChart = lazy(() => import('./BurnChart'));

const shortDate = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });

export function Stat({ label, value, hint, color, children }: { label: string; value: ReactNode; hint?: ReactNode; color?: string; children?: ReactNode }) {
  return (
    <Paper withBorder p="md" radius="md">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fz={26} fw={700} lh={1.25} c={color}>
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
      {children}
    </Paper>
  );
}

function Report({ sim, program, points }: { sim: Simulation; program: Program; points: string }) {
  const people = usePeopleByIdList(sim.topEarners.map((t) => t.personId));
  const d = sim.distribution;
  const used = sim.budgetUsedPercent;
  const unpaid = sim.perRule.reduce((s, r) => s + r.budgetExhausted, 0) + sim.perGoal.reduce((s, g) => s + g.tiers.reduce((n, t) => n + t.budgetExhausted, 0), 0);
  const runsOut = sim.burnByWeek.find((w) => w.budgetLeft <= 0);
  const chart = sim.burnByWeek.map((w) => ({ week: shortDate.format(new Date(w.weekStart)), points: w.points, budgetLeft: w.budgetLeft }));
  const days = Math.max(1, (Date.parse(sim.window.to) - Date.parse(sim.window.from)) / 86_400_000);
  // The window ends at the midnight after the last day chosen.
  const lastDay = new Date(Date.parse(sim.window.to) - 1).toISOString();

  if (sim.eventsScanned === 0)
    return (
      <Alert variant="light" color="gray" icon={<IconInfo />} title="No events in this window">
        <Text size="sm">Nothing was stored from {formatDate(sim.window.from)} to {formatDate(lastDay)}. Pick another window, or send events first.</Text>
      </Alert>
    );

  return (
    <Stack gap="lg" aria-label="Simulation report" role="region">
      <Text size="sm" c="dimmed">
        {formatNumber(sim.eventsScanned)} events from {formatDate(sim.window.from)} to {formatDate(lastDay)} ({formatNumber(Math.round(days))} days) through the rules of version {program.version}
        {sim.heldOutEvents ? `; ${formatNumber(sim.heldOutEvents)} events of held-out people earned nothing` : ''}.
      </Text>
      {(unpaid > 0 || runsOut) && (
        <Alert color="red" variant="light" icon={<IconAlert />} title="The budget would run out">
          <Text size="sm">
            {runsOut ? `The budget is spent in the week of ${formatDate(runsOut.weekStart)}. ` : ''}
            {unpaid > 0 ? `${formatNumber(unpaid)} awards after that could not be paid. ` : ''}
            Raise the budget, lower the awards or add caps.
          </Text>
        </Alert>
      )}
      <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm">
        <Stat
          label={`${points} awarded`}
          value={formatNumber(sim.points)}
          hint={
            sim.perGoal.length
              ? `${formatNumber(sim.rulePoints)} from rules, ${formatNumber(sim.goalPoints)} from goal tiers`
              : `about ${formatNumber(Math.round((sim.points / days) * 30))} a month`
          }
        />
        <Stat label="Cost" value={formatMoney(sim.cost.amountCents, sim.cost.currency)} hint={`at ${formatMoney(program.pointValueCents, program.currency)} a point`} />
        <Stat label="Budget used" value={formatPercent(used)} color={used != null && used >= 100 ? 'red.7' : used != null && used >= 80 ? 'orange.7' : undefined} hint={`of ${formatNumber(sim.budget)} ${points}`}>
          <Progress mt={6} value={Math.min(100, used ?? 0)} color={used != null && used >= 100 ? 'red' : used != null && used >= 80 ? 'orange' : 'tandem'} size="sm" aria-hidden />
        </Stat>
        <Stat label="Earners" value={formatNumber(sim.earners)} hint="people who earned at least once" />
        <Stat label="Median per earner" value={formatNumber(d.median)} hint={`mean ${formatNumber(d.mean)}`} />
        <Stat label="90th percentile" value={formatNumber(d.p90)} hint="9 in 10 earners get at most this" />
        <Stat label="Most by one person" value={formatNumber(d.max)} hint={sim.points ? `${formatPercent((d.max / sim.points) * 100)} of all ${points}` : undefined} />
        <Stat
          label="Gini"
          value={d.gini.toFixed(2)}
          hint={
            <Tooltip label="0 when everyone earns the same, 1 when one person earns everything" multiline w={240}>
              <span style={{ textDecoration: 'underline dotted', cursor: 'help' }}>{d.gini < 0.3 ? 'spread evenly' : d.gini < 0.6 ? 'moderately concentrated' : 'concentrated on a few'}</span>
            </Tooltip>
          }
        />
      </SimpleGrid>

      <Card withBorder padding="lg">
        <Title order={3} size="h5" mb={4}>
          Budget burn by week
        </Title>
        <Text size="xs" c="dimmed" mb="sm">
          Bars: {points} awarded in each week. Line: the budget left at the end of the week.
        </Text>
        {chart.length > 0 ? (
          <Suspense fallback={<Loader size="sm" aria-label="Loading the chart" />}>
            <BurnChart data={chart} points={points} label={`Budget burn by week: ${formatNumber(sim.points)} ${points} awarded over ${chart.length} weeks`} />
          </Suspense>
        ) : (
          <Text size="sm" c="dimmed">
            Nothing was awarded.
          </Text>
        )}
      </Card>

      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <Card withBorder padding="lg">
          <Title order={3} size="h5" mb="sm">
            By rule
          </Title>
          <Table aria-label="Simulation by rule">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Rule</Table.Th>
                <Table.Th ta="right">Awards</Table.Th>
                <Table.Th ta="right">{points[0]!.toUpperCase() + points.slice(1)}</Table.Th>
                <Table.Th ta="right">Capped</Table.Th>
                <Table.Th ta="right">Not paid</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sim.perRule.map((r) => (
                <Table.Tr key={r.ruleId}>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {r.name}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {sim.points ? `${formatPercent((r.points / sim.points) * 100, 0)} of the ${points}` : ''}
                    </Text>
                  </Table.Td>
                  <Table.Td ta="right">{formatNumber(r.awards)}</Table.Td>
                  <Table.Td ta="right">{formatNumber(r.points)}</Table.Td>
                  <Table.Td ta="right" c={r.capped ? 'orange.8' : undefined}>
                    {formatNumber(r.capped)}
                  </Table.Td>
                  <Table.Td ta="right" c={r.budgetExhausted ? 'red.7' : undefined}>
                    {formatNumber(r.budgetExhausted)}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Text size="xs" c="dimmed" mt="xs">
            Capped: awards a cap held back. Not paid: awards after the budget ran out.
          </Text>
        </Card>
        <Card withBorder padding="lg">
          <Title order={3} size="h5" mb="sm">
            Top earners
          </Title>
          {sim.topEarners.length === 0 ? (
            <Text size="sm" c="dimmed">
              Nobody earned.
            </Text>
          ) : (
            <Table aria-label="Top earners">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Person</Table.Th>
                  <Table.Th ta="right">{points[0]!.toUpperCase() + points.slice(1)}</Table.Th>
                  <Table.Th ta="right">Share</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {sim.topEarners.map((t) => {
                  const p = people.get(t.personId);
                  return (
                    <Table.Tr key={t.personId}>
                      <Table.Td>
                        <Anchor component={Link} to={`/people/${t.personId}/wallet`} size="sm">
                          {p ? personLabel(p) : '…'}
                        </Anchor>
                      </Table.Td>
                      <Table.Td ta="right">{formatNumber(t.points)}</Table.Td>
                      <Table.Td ta="right">{sim.points ? formatPercent((t.points / sim.points) * 100) : '—'}</Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          )}
        </Card>
      </SimpleGrid>

      {sim.perGoal.length > 0 && <GoalTiers goals={sim.perGoal} total={sim.points} points={points} />}
    </Stack>
  );
}

const PERIOD_LABELS: Record<string, string> = { month: 'each month', quarter: 'each quarter', year: 'each year', program: 'over the program' };

/** Per goal and tier: who reached it and what it paid. */
function GoalTiers({ goals, total, points }: { goals: SimulatedGoal[]; total: number; points: string }) {
  const Points = points[0]!.toUpperCase() + points.slice(1);
  return (
    <Card withBorder padding="lg">
      <Title order={3} size="h5" mb={4}>
        By goal tier
      </Title>
      <Text size="xs" c="dimmed" mb="sm">
        Tiers add up: someone who reaches 120% is paid every tier up to it, each once a period. A team goal pays every member of the team.
      </Text>
      <Table aria-label="Simulation by goal tier">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Goal and tier</Table.Th>
            <Table.Th ta="right">Pays each</Table.Th>
            <Table.Th ta="right">Reached by</Table.Th>
            <Table.Th ta="right">Payments</Table.Th>
            <Table.Th ta="right">{Points}</Table.Th>
            <Table.Th ta="right">Not paid</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {goals.map((g) => {
            const who = g.scope === 'team' ? ['team', 'teams'] : ['person', 'people'];
            return [
              <Table.Tr key={g.goalId} bg="var(--mantine-color-gray-0)">
                <Table.Td colSpan={4}>
                  <Text size="sm" fw={600}>
                    {g.name}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {g.scope === 'team' ? 'Per team' : 'Per person'}, {PERIOD_LABELS[g.period] ?? g.period}
                    {total ? ` · ${formatPercent((g.points / total) * 100, 0)} of the ${points}` : ''}
                  </Text>
                </Table.Td>
                <Table.Td ta="right" fw={600}>
                  {formatNumber(g.points)}
                </Table.Td>
                <Table.Td />
              </Table.Tr>,
              ...g.tiers.map((t) => (
                <Table.Tr key={`${g.goalId}:${t.percent}`}>
                  <Table.Td pl="lg">
                    <Text size="sm">{t.percent}% of target</Text>
                  </Table.Td>
                  <Table.Td ta="right">{formatNumber(t.pointsEach)}</Table.Td>
                  <Table.Td ta="right">
                    {formatNumber(t.reached)} {t.reached === 1 ? who[0] : who[1]}
                    {t.reachedPeriods > t.reached && (
                      <Text span size="xs" c="dimmed">
                        {' '}
                        ({formatNumber(t.reachedPeriods)} times)
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td ta="right">{formatNumber(t.awards)}</Table.Td>
                  <Table.Td ta="right">{formatNumber(t.points)}</Table.Td>
                  <Table.Td ta="right" c={t.budgetExhausted ? 'red.7' : undefined}>
                    {formatNumber(t.budgetExhausted)}
                  </Table.Td>
                </Table.Tr>
              )),
            ];
          })}
        </Table.Tbody>
      </Table>
      <Text size="xs" c="dimmed" mt="xs">
        Reached by: {goals.some((g) => g.scope === 'team') ? 'people (teams for a team goal)' : 'people'} whose progress crossed the tier in the window. Not paid: tier payments after the budget ran out.
      </Text>
    </Card>
  );
}

/** Runs the program's saved rules over the stored events of a window and shows the cost. */
export function SimulatePanel({ program, points, dirtyNote }: { program: Program; points: string; dirtyNote?: ReactNode }) {
  const today = new Date();
  const [from, setFrom] = useState(() => toDateInput(new Date(today.getFullYear(), today.getMonth(), today.getDate() - 90)));
  const [to, setTo] = useState(() => toDateInput(today));
  const run = useMutation({ mutationFn: () => programsApi.simulate(program.id, { from: dateInputToIso(from) ?? '', to: dateInputToIso(to, true) ?? '' }) });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    run.mutate();
  };
  return (
    <Stack gap="lg">
      <Card withBorder padding="lg" component="form" onSubmit={submit} noValidate aria-label="Simulate">
        <Title order={2} size="h4">
          Simulate
        </Title>
        <Text size="sm" c="dimmed" mb="sm" maw={760}>
          Runs the rules of version {program.version} and the program's goals over the events stored in a window, with the caps and the budget, and writes nothing: what the program would have cost.
        </Text>
        {dirtyNote}
        <Group align="flex-start" gap="sm" wrap="wrap">
          <TextInput label="From" type="date" value={from} onChange={(e) => setFrom(e.currentTarget.value)} error={fieldError(run.error, 'from')} w={180} />
          <TextInput label="To (inclusive)" type="date" value={to} onChange={(e) => setTo(e.currentTarget.value)} error={fieldError(run.error, 'to')} w={180} />
          <Button type="submit" mt={25} loading={run.isPending} disabled={program.rules.length === 0}>
            {run.data ? 'Run again' : 'Run simulation'}
          </Button>
        </Group>
        {program.rules.length === 0 && (
          <Text size="sm" c="dimmed" mt="xs">
            Add a rule first.
          </Text>
        )}
        <ErrorAlert error={run.error} shown={['from', 'to']} />
      </Card>
      {run.data && <Report sim={run.data} program={program} points={points} />}
    </Stack>
  );
}
