import { Badge, Card, Group, List, Paper, Progress, SimpleGrid, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { meApi } from '../api/endpoints';
import type { MyProgram } from '../api/types';
import { useSession } from '../session';
import { PageLoader } from '../components/PageLoader';
import { ErrorAlert } from '../components/ErrorAlert';
import { WalletView } from '../components/WalletView';
import { describeAward } from '../lib/rules';
import { IconAccounts, IconTeams } from '../components/icons';
import { KIND_COLORS, KIND_LABELS, formatDate, formatNumber, formatPercent, formatPoints } from '../lib/format';
import { useEventTypes } from '../lib/queries';

/** Where the person stands on one goal, and the next tier: what to do next, and what it pays. */
function GoalLine({ goal }: { goal: MyProgram['goals'][number] }) {
  const { session } = useSession();
  const a = goal.attainment;
  const next = goal.tiers.find((t) => a == null || t.percent > a);
  return (
    <Paper withBorder p="sm" radius="md" mt="xs" bg="gray.0">
      <Group justify="space-between" wrap="nowrap" gap="sm">
        <Text size="sm" fw={600}>
          {goal.name}
          {goal.scope === 'team' ? ' (your team)' : ''}
        </Text>
        <Text size="sm" fw={700}>
          {formatPercent(a, 0)}
        </Text>
      </Group>
      <Progress value={Math.min(100, a ?? 0)} color={a != null && a >= 100 ? 'green' : 'tandem'} mt={6} aria-label={`${goal.name}: ${formatPercent(a, 0)}`} />
      <Text size="xs" c="dimmed" mt={4}>
        {goal.value ? `${formatNumber(goal.value)} of ${goal.myTarget != null ? formatNumber(goal.myTarget) : 'no target'} this period. ` : 'Nothing counted yet this period. '}
        {next ? `Next: reach ${next.percent}% for ${formatPoints(next.points, session.workspace.pointsLabel)}.` : 'Every tier reached.'}
      </Text>
    </Paper>
  );
}

/** The live programs this person takes part in (the server judges audience and holdout) and how each rule earns. */
function WaysToEarn() {
  const { session } = useSession();
  const points = session.workspace.pointsLabel;
  const programs = useQuery({ queryKey: ['me', 'programs'], queryFn: meApi.programs });
  const eventTypes = useEventTypes();
  const mine = programs.data?.data ?? [];
  if (!mine.length) return null;
  return (
    <Card withBorder padding="lg" component="section" aria-label="Ways to earn">
      <Title order={2} size="h4">
        Ways to earn
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        The programs you take part in, and what each rewards.
      </Text>
      <Stack gap="md">
        {mine.map((p) => (
          <div key={p.programId}>
            <Text fw={600}>{p.name}</Text>
            {p.description && (
              <Text size="sm" c="dimmed">
                {p.description}
              </Text>
            )}
            <List size="sm" mt={4}>
              {p.rules.map((r) => (
                <List.Item key={r.ruleId || r.name}>
                  <strong>{r.name}</strong>: {describeAward({ name: r.name, on: r.on, award: r.pointsPer ? { pointsPer: { ...r.pointsPer, round: 'down' } } : { points: r.points ?? 0 } }, eventTypes.data?.find((t) => t.name === r.on), points)}
                </List.Item>
              ))}
            </List>
            {p.goals.map((g) => (
              <GoalLine key={g.id} goal={g} />
            ))}
          </div>
        ))}
      </Stack>
    </Card>
  );
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm">{children}</Text>
    </div>
  );
}

export default function ParticipantHomePage() {
  const { session } = useSession();
  const me = useQuery({ queryKey: ['me'], queryFn: meApi.get });

  if (me.isPending) return <PageLoader />;
  if (!me.data) return <ErrorAlert error={me.error} />;
  const { person, team, account } = me.data;
  const firstName = (person?.name ?? session.user?.name ?? '').split(/\s+/)[0];

  return (
    <Stack gap="lg">
      <div>
        <Title order={1} size="h2">
          {firstName ? `Welcome, ${firstName}` : 'Welcome'}
        </Title>
        <Text c="dimmed" size="sm">
          Your page in {session.workspace.name}.
        </Text>
      </div>

      {person && <WalletView personId={person.id} self beforeHistory={<WaysToEarn />} />}

      {person ? (
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
          <Card withBorder padding="lg">
            <Group justify="space-between" mb="md">
              <Title order={2} size="h4">
                About you
              </Title>
              <Badge variant="light" color={KIND_COLORS[person.kind]}>
                {KIND_LABELS[person.kind]}
              </Badge>
            </Group>
            <SimpleGrid cols={2} spacing="md">
              <Fact label="Name">{person.name ?? '—'}</Fact>
              <Fact label="Email">{person.email ?? '—'}</Fact>
              {person.kind === 'employee' && <Fact label="Joined">{formatDate(person.hireDate)}</Fact>}
              <Fact label="Status">{person.status === 'active' ? 'Active' : 'Inactive'}</Fact>
            </SimpleGrid>
          </Card>
          <Card withBorder padding="lg">
            {team ? (
              <Group align="flex-start" wrap="nowrap">
                <ThemeIcon variant="light" size="lg" radius="md">
                  <IconTeams />
                </ThemeIcon>
                <div>
                  <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
                    Your team
                  </Text>
                  <Text fw={600} size="lg">
                    {team.name}
                  </Text>
                  <Text size="sm" c="dimmed">
                    {team.memberCount === 1 ? 'Just you so far' : `${team.memberCount} people`}
                  </Text>
                </div>
              </Group>
            ) : account ? (
              <Group align="flex-start" wrap="nowrap">
                <ThemeIcon variant="light" size="lg" radius="md" color={account.kind === 'customer' ? 'teal' : 'grape'}>
                  <IconAccounts />
                </ThemeIcon>
                <div>
                  <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
                    Your company
                  </Text>
                  <Text fw={600} size="lg">
                    {account.name}
                  </Text>
                  <Text size="sm" c="dimmed">
                    {account.kind === 'customer' ? 'Customer' : 'Partner'}
                    {account.region ? ` · ${account.region}` : ''}
                  </Text>
                </div>
              </Group>
            ) : (
              <Text size="sm" c="dimmed">
                You are not part of a team or company in Tandem yet.
              </Text>
            )}
          </Card>
        </SimpleGrid>
      ) : (
        <Card withBorder padding="lg">
          <Text fw={600}>Your sign-in is not linked to a person record yet</Text>
          <Text size="sm" c="dimmed">
            Ask an admin of {session.workspace.name} to link your user to your person record; your details will then show here.
          </Text>
        </Card>
      )}
    </Stack>
  );
}
