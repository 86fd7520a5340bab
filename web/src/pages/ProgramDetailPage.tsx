import { lazy, Suspense, useState, type ReactNode } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { Accordion, Alert, Anchor, Badge, Button, Card, Code, Group, Loader, SimpleGrid, Stack, Tabs, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/client';
import { goalsApi, programsApi } from '../api/endpoints';
import type { Program } from '../api/types';
import { useSession } from '../session';
import { PageLoader } from '../components/PageLoader';
import { ConfirmModal } from '../components/ConfirmModal';
import { ErrorAlert } from '../components/ErrorAlert';
import { SimulatePanel, Stat } from '../components/SimulatePanel';
import { GoalCard } from '../components/GoalCard';
import { CommunicationPanel } from '../components/CommunicationPanel';
import { GoalForm } from '../components/GoalForm';
import { BulkAwardUpload } from '../components/BulkAwardUpload';
import { ruleSentence } from '../components/RuleBuilder';
import { IconArrowLeft, IconInfo } from '../components/icons';
import { formatDate, formatDateTime, formatMoney, formatNumber, formatPercent } from '../lib/format';
import { STATUS_COLORS, STATUS_LABELS, describeAudience, describeCap } from '../lib/rules';
import { personLabel, useEventTypes, usePeopleByIdList, useTeams } from '../lib/queries';
import NotFoundPage from './NotFoundPage';

const BurnChart = lazy(() => import('../components/BurnChart'));

type Action = 'activate' | 'pause' | 'end';
const lowerFirst = (t: string) => t.charAt(0).toLowerCase() + t.slice(1);

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm">{children}</Text>
    </div>
  );
}

function Activity({ program, points }: { program: Program; points: string }) {
  const { session } = useSession();
  // Weeks start on Monday in the workspace's time zone: their labels are dates there too.
  const shortDate = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', timeZone: session.workspace.timezone });
  const q = useQuery({ queryKey: ['programs', 'one', program.id, 'stats'], queryFn: () => programsApi.stats(program.id), enabled: program.status !== 'draft', staleTime: 30_000 });
  const people = usePeopleByIdList(q.data?.topEarners.slice(0, 5).map((e) => e.personId) ?? []);
  if (program.status === 'draft') return null;
  if (q.isPending)
    return (
      <Group gap="xs">
        <Loader size="xs" />
        <Text size="sm" c="dimmed">
          Adding up what the program paid…
        </Text>
      </Group>
    );
  if (!q.data) return <ErrorAlert error={q.error} />;
  const a = q.data;
  // The budget left at the end of each week: the budget less what was paid out until then.
  const paidBefore = a.budget - a.budgetRemaining - a.points;
  // A manager's figures cover their teams only: the program's budget line would not add up with them.
  const chart = a.burnByWeek.slice(-26).map((w) => ({ week: shortDate.format(new Date(w.weekStart)), points: w.points, ...(a.narrowedTo ? {} : { budgetLeft: a.budget - paidBefore - w.cumulative }) }));
  const since = formatDate(a.window.from);
  return (
    <Stack gap="md">
      {a.narrowedTo && (
        <Alert variant="light" color="blue" icon={<IconInfo />} data-testid="stats-narrowed">
          <Text size="sm">
            {a.narrowedTo.teams === 0
              ? 'You manage no team, so there is no activity to show you. The budget above is the whole program’s.'
              : `These figures cover the ${formatNumber(a.narrowedTo.people)} ${a.narrowedTo.people === 1 ? 'person' : 'people'} in the ${a.narrowedTo.teams === 1 ? 'team' : `${formatNumber(a.narrowedTo.teams)} teams`} you manage (with the teams under them). The budget above is the whole program’s.`}
          </Text>
        </Alert>
      )}
      <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm">
        <Stat label="Earners" value={formatNumber(a.earners)} hint={`since ${since}`} />
        <Stat label={`${points} awarded`} value={formatNumber(a.points)} hint={`${formatNumber(a.awards)} awards${a.reversals ? `, ${formatNumber(a.reversals)} reversed` : ''}`} />
        <Stat label="Held back by caps" value={formatNumber(a.capped.count)} hint={a.capped.count ? `awards a cap stopped or cut (${formatNumber(a.capped.pointsDue)} ${points} due)` : 'awards a cap stopped or cut'} />
        <Stat label="Not paid" value={formatNumber(a.budgetExhausted.count)} color={a.budgetExhausted.count ? 'red.7' : undefined} hint={a.budgetExhausted.count ? `${formatNumber(a.budgetExhausted.pointsDue)} ${points} the budget could not cover` : 'awards after the budget ran out'} />
      </SimpleGrid>
      {chart.length > 0 && (
        <Suspense fallback={<Loader size="sm" aria-label="Loading the chart" />}>
          <BurnChart data={chart} points={points} height={240} label={`${formatNumber(a.points)} ${points} awarded since ${since}, by week${a.burnByWeek.length > chart.length ? ' (the last 26 weeks shown)' : ''}`} />
        </Suspense>
      )}
      {a.topEarners.length > 0 && (
        <div>
          <Text size="sm" fw={600} mb={4}>
            Top earners since {since}
          </Text>
          <Group gap="xs">
            {a.topEarners.slice(0, 5).map((e) => (
              <Badge key={e.personId} variant="light" size="lg" radius="sm" component={Link} to={`/people/${e.personId}/wallet`} style={{ cursor: 'pointer', textTransform: 'none' }}>
                {people.get(e.personId) ? personLabel(people.get(e.personId)!) : '…'} · {formatNumber(e.points)}
              </Badge>
            ))}
          </Group>
        </div>
      )}
      <Text size="xs" c="dimmed">
        From the ledger: awards paid from the budget since {since}, net of reversals{a.heldOut ? `; ${formatNumber(a.heldOut)} events of held-out people were kept and earned nothing` : ''}.
      </Text>
    </Stack>
  );
}

function Overview({ program, points }: { program: Program; points: string }) {
  const { can } = useSession();
  const manage = can('programs.manage');
  const [adding, setAdding] = useState(false);
  const [awarding, setAwarding] = useState(false);
  const canAward = can('ledger.adjust') && (program.status === 'active' || program.status === 'paused');
  const goals = useQuery({ queryKey: ['goals', 'program', program.id], queryFn: () => goalsApi.ofProgram(program.id) });
  const eventTypes = useEventTypes();
  const spent = Math.max(0, program.budget - program.budgetRemaining);
  const pct = program.budget ? (spent / program.budget) * 100 : 0;
  const money = (n: number) => formatMoney(n * program.pointValueCents, program.currency);
  const draft = program.status === 'draft';
  return (
    <Stack gap="lg">
      <Card withBorder padding="lg">
        <Group justify="space-between" mb="sm">
          <Title order={2} size="h4">
            Budget
          </Title>
          {canAward && (
            <Button variant="light" onClick={() => setAwarding(true)}>
              Award {points} (CSV)
            </Button>
          )}
        </Group>
        {awarding && <BulkAwardUpload program={program} points={points} opened onClose={() => setAwarding(false)} />}
        {draft && (
          <Alert variant="light" color="gray" icon={<IconInfo />} mb="sm">
            <Text size="sm">The budget is funded when the program launches. Until then nothing is spent.</Text>
          </Alert>
        )}
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <Stat label="Budget" value={formatNumber(program.budget)} hint={`${points}, worth ${money(program.budget)}`} />
          <Stat label="Spent" value={formatNumber(spent)} hint={`${formatPercent(pct, 0)} of the budget, ${money(spent)}`} color={pct >= 90 ? 'red.7' : undefined} />
          <Stat label="Remaining" value={formatNumber(program.budgetRemaining)} hint={money(program.budgetRemaining)} />
        </SimpleGrid>
        {!draft && (
          <>
            <Title order={3} size="h5" mt="lg" mb="xs">
              Activity
            </Title>
            <Activity program={program} points={points} />
          </>
        )}
      </Card>
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={2} size="h4">
            Goals
          </Title>
          {manage && program.status !== 'ended' && (
            <Button variant="light" onClick={() => setAdding(true)}>
              New goal
            </Button>
          )}
        </Group>
        <ErrorAlert error={goals.error} />
        {goals.data?.length === 0 && (
          <Text size="sm" c="dimmed">
            This program has no goals. Goals set targets (such as a monthly quota) and pay tiers as people reach them{manage ? '.' : '; a program manager creates them.'}
          </Text>
        )}
        {adding && <GoalForm programId={program.id} eventTypes={eventTypes.data ?? []} points={points} opened onClose={() => setAdding(false)} />}
        {goals.isPending && <Loader size="sm" />}
        {goals.data?.map((g) => <GoalCard key={g.id} goal={g} eventTypes={eventTypes.data ?? []} points={points} manage={manage && program.status !== 'ended'} />)}
      </Stack>
    </Stack>
  );
}

function RulesTab({ program, points }: { program: Program; points: string }) {
  const eventTypes = useEventTypes();
  const teams = useTeams();
  const teamName = (id: string) => teams.data?.find((t) => t.id === id)?.name ?? id;
  return (
    <Stack gap="lg">
      <Card withBorder padding="lg">
        <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="md">
          <Fact label="Audience">{describeAudience(program.audience, teamName)}</Fact>
          <Fact label="Holdout">{program.holdoutPercent ? `${program.holdoutPercent}% of the audience earns nothing (for measuring lift)` : 'None'}</Fact>
          <Fact label="Dates">
            {program.startsAt || program.endsAt ? `${program.startsAt ? formatDateTime(program.startsAt) : 'Open'} – ${program.endsAt ? formatDateTime(program.endsAt) : 'open-ended'}` : 'Open-ended'}
          </Fact>
          <Fact label="Value of a point">{formatMoney(program.pointValueCents, program.currency)}</Fact>
          <Fact label="Cap per person">{describeCap(program.cap, points) ?? 'None'}</Fact>
          <Fact label="Version">
            {program.version}, last changed {formatDateTime(program.updatedAt)}
          </Fact>
        </SimpleGrid>
      </Card>
      {program.rules.length === 0 && (
        <Text size="sm" c="dimmed">
          No rules yet.
        </Text>
      )}
      {program.rules.map((r, i) => {
        const type = eventTypes.data?.find((t) => t.name === r.on);
        const cap = describeCap(r.cap, points);
        return (
          <Card key={r.id ?? i} withBorder padding="lg" component="section" aria-label={`Rule ${r.name}`}>
            <Group justify="space-between" align="flex-start">
              <Title order={3} size="h5">
                {r.name}
              </Title>
              <Badge variant="light" color="gray" ff="monospace" tt="none">
                {r.on}
              </Badge>
            </Group>
            <Text size="sm" mt={4}>
              {ruleSentence(r, type, points, teamName)}
            </Text>
            {cap && (
              <Text size="sm" c="dimmed">
                {cap}.
              </Text>
            )}
          </Card>
        );
      })}
      <Accordion variant="contained">
        <Accordion.Item value="json">
          <Accordion.Control>Rules as JSON</Accordion.Control>
          <Accordion.Panel>
            <Code block>{JSON.stringify(program.rules, null, 2)}</Code>
          </Accordion.Panel>
        </Accordion.Item>
      </Accordion>
    </Stack>
  );
}

const ACTIONS: Record<Action, { title: (p: Program, from: Program['status']) => string; label: string; color: string }> = {
  activate: { title: (p, from) => (from === 'paused' ? `Resume ${p.name}?` : `Launch ${p.name}?`), label: 'Launch', color: 'green' },
  pause: { title: (p) => `Pause ${p.name}?`, label: 'Pause', color: 'orange' },
  end: { title: (p) => `End ${p.name}?`, label: 'End program', color: 'red' },
};

export default function ProgramDetailPage() {
  const { id = '' } = useParams();
  const { can, session } = useSession();
  const points = session.workspace.pointsLabel;
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'overview';
  const program = useQuery({ queryKey: ['programs', 'one', id], queryFn: () => programsApi.get(id) });
  const teams = useTeams();
  const [confirm, setConfirmState] = useState<Action | null>(null);
  // The dialog keeps its last content while it fades out.
  const [shownState, setShown] = useState<{ action: Action; from: Program['status'] }>({ action: 'activate', from: 'draft' });
  const shown = shownState.action;
  const setConfirm = (a: Action | null) => {
    if (a && program.data) setShown({ action: a, from: program.data.status });
    setConfirmState(a);
  };
  const act = useMutation({
    mutationFn: (a: Action) => programsApi.transition(id, a),
    onSuccess: (p) => {
      qc.setQueryData(['programs', 'one', p.id], p);
      void qc.invalidateQueries({ queryKey: ['programs', 'list'] });
      void qc.invalidateQueries({ queryKey: ['programs', 'all'] });
      setConfirm(null);
    },
  });

  if (program.error instanceof ApiError && program.error.status === 404) return <NotFoundPage what="program" />;
  if (program.isPending) return <PageLoader />;
  if (!program.data) return <ErrorAlert error={program.error} />;
  const p = program.data;
  const manage = can('programs.manage');
  const teamName = (tid: string) => teams.data?.find((t) => t.id === tid)?.name ?? 'a team';
  const money = formatMoney(p.budget * p.pointValueCents, p.currency);

  return (
    <Stack gap="lg">
      <div>
        <Anchor component={Link} to="/programs" size="sm">
          <Group gap={4} component="span">
            <IconArrowLeft size={14} /> All programs
          </Group>
        </Anchor>
        <Group justify="space-between" align="flex-end" mt="xs" wrap="wrap">
          <div>
            <Group gap="sm">
              <Title order={1} size="h2">
                {p.name}
              </Title>
              <Badge variant="light" color={STATUS_COLORS[p.status]} size="lg" data-testid="program-status">
                {STATUS_LABELS[p.status]}
              </Badge>
              <Badge variant="outline" color="gray">
                Version {p.version}
              </Badge>
            </Group>
            <Text size="sm" c="dimmed" maw={760}>
              {[p.description, describeAudience(p.audience, teamName), `${p.rules.length} rule${p.rules.length === 1 ? '' : 's'}`].filter(Boolean).join(' · ')}
            </Text>
          </div>
          {manage && (
            <Group gap="sm">
              {p.status !== 'ended' && (
                <Button variant="default" component={Link} to={`/programs/${p.id}/edit`}>
                  Edit
                </Button>
              )}
              {p.status === 'draft' && (
                <Button color="green" onClick={() => setConfirm('activate')} disabled={p.rules.length === 0} title={p.rules.length === 0 ? 'Add a rule first' : undefined}>
                  Launch
                </Button>
              )}
              {p.status === 'paused' && (
                <Button color="green" onClick={() => setConfirm('activate')}>
                  Resume
                </Button>
              )}
              {p.status === 'active' && (
                <Button variant="light" color="yellow" onClick={() => setConfirm('pause')}>
                  Pause
                </Button>
              )}
              {p.status !== 'ended' && (
                <Button variant="subtle" color="red" onClick={() => setConfirm('end')}>
                  End
                </Button>
              )}
            </Group>
          )}
        </Group>
      </div>
      {p.status === 'ended' && (
        <Alert variant="light" color="gray" icon={<IconInfo />}>
          <Text size="sm">This program has ended: it no longer awards {points}, and its unspent budget went back to the funding source.</Text>
        </Alert>
      )}
      {p.status === 'paused' && (
        <Alert variant="light" color="yellow" icon={<IconInfo />}>
          <Text size="sm">Paused: events do not earn {points} until the program resumes.</Text>
        </Alert>
      )}

      <Tabs value={tab} onChange={(v) => setParams(v && v !== 'overview' ? { tab: v } : {}, { replace: true })} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="overview">Overview</Tabs.Tab>
          <Tabs.Tab value="rules">Rules</Tabs.Tab>
          <Tabs.Tab value="communication">Communication</Tabs.Tab>
          {manage && <Tabs.Tab value="simulate">Simulate</Tabs.Tab>}
        </Tabs.List>
        <Tabs.Panel value="overview" pt="lg">
          <Overview program={p} points={points} />
        </Tabs.Panel>
        <Tabs.Panel value="rules" pt="lg">
          <RulesTab program={p} points={points} />
        </Tabs.Panel>
        <Tabs.Panel value="communication" pt="lg">
          <CommunicationPanel program={p} />
        </Tabs.Panel>
        {manage && (
          <Tabs.Panel value="simulate" pt="lg">
            <SimulatePanel program={p} points={points} />
          </Tabs.Panel>
        )}
      </Tabs>

      <ConfirmModal
        opened={confirm !== null}
        onClose={() => {
          setConfirm(null);
          act.reset();
        }}
        title={ACTIONS[shown].title(p, shownState.from)}
        confirmLabel={shown === 'activate' && shownState.from === 'paused' ? 'Resume' : ACTIONS[shown].label}
        color={ACTIONS[shown].color}
        loading={act.isPending}
        onConfirm={() => act.mutate(shown)}
      >
        {shown === 'activate' && shownState.from === 'draft' && (
          <Stack gap={6}>
            <Text size="sm">
              The budget of {formatNumber(p.budget)} {points} ({money}) is moved from the funding source, and from now on events earn {points} under {p.rules.length === 1 ? 'its rule' : `its ${p.rules.length} rules`} for{' '}
              {lowerFirst(describeAudience(p.audience, teamName))}.
            </Text>
            <Text size="sm" c="dimmed">
              After launch, changes to the rules create a new version. Simulate first if you have not.
            </Text>
          </Stack>
        )}
        {shown === 'activate' && shownState.from === 'paused' && <Text size="sm">Events from now on earn {points} again.</Text>}
        {shown === 'pause' && <Text size="sm">Events received while the program is paused earn nothing. {points[0]!.toUpperCase() + points.slice(1)} already awarded stay. You can resume any time.</Text>}
        {shown === 'end' && (
          <Text size="sm">
            Ending is final: the program stops earning, its rules can no longer change{shownState.from !== 'draft' ? `, and the unspent budget of ${formatNumber(p.budgetRemaining)} ${points} goes back to the funding source` : ''}. {points[0]!.toUpperCase() + points.slice(1)} already awarded stay with their earners.
          </Text>
        )}
        <ErrorAlert error={act.error} />
      </ConfirmModal>
    </Stack>
  );
}

