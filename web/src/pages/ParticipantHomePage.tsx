import { Badge, Card, Group, SimpleGrid, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { meApi } from '../api/endpoints';
import { useSession } from '../session';
import { PageLoader } from '../components/PageLoader';
import { ErrorAlert } from '../components/ErrorAlert';
import { IconAccounts, IconGift, IconTeams } from '../components/icons';
import { KIND_COLORS, KIND_LABELS, formatDate } from '../lib/format';

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
  const points = session.workspace.pointsLabel;

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

      <Card withBorder padding="xl" radius="lg" style={{ background: 'linear-gradient(135deg, var(--mantine-color-tandem-0), white 70%)' }}>
        <Group align="flex-start" wrap="nowrap" gap="lg">
          <ThemeIcon size={56} radius="xl" variant="light">
            <IconGift size={30} />
          </ThemeIcon>
          <Stack gap={6}>
            <Title order={2} size="h3">
              Your {points} and rewards will appear here
            </Title>
            <Text size="sm" maw={620}>
              When {session.workspace.name} runs a program you take part in, this page shows the {points} you have earned, the goals you are working towards and the rewards
              you can choose from. Nothing to do yet — there is no program running for you at the moment.
            </Text>
          </Stack>
        </Group>
      </Card>

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
