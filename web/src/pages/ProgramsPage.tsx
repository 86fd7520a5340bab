import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { Anchor, Badge, Button, Group, Paper, Progress, SegmentedControl, Stack, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { programsApi } from '../api/endpoints';
import type { Program, ProgramStatus } from '../api/types';
import { useSession } from '../session';
import { PageHeader } from '../components/PageHeader';
import { CursorPager } from '../components/CursorPager';
import { ErrorAlert } from '../components/ErrorAlert';
import { IconPlus } from '../components/icons';
import { formatNumber, formatPercent } from '../lib/format';
import { STATUS_COLORS, STATUS_LABELS, describeAudience } from '../lib/rules';
import { useTeams } from '../lib/queries';
import { useCursorStack } from '../lib/paging';

const PAGE_SIZE = 50;

/** Spent of the budget: a bar and the numbers under it. */
export function BudgetBar({ program, points }: { program: Program; points: string }) {
  if (program.status === 'draft')
    return (
      <Text size="sm" c="dimmed">
        {formatNumber(program.budget)} {points} · funded at launch
      </Text>
    );
  const spent = Math.max(0, program.budget - program.budgetRemaining);
  const pct = program.budget > 0 ? (spent / program.budget) * 100 : 0;
  const color = pct >= 90 ? 'red' : pct >= 70 ? 'orange' : 'tandem';
  return (
    <Stack gap={4} miw={180}>
      <Progress value={Math.min(100, pct)} color={color} size="md" aria-label={`Budget used: ${formatPercent(pct, 0)}`} />
      <Text size="xs" c="dimmed">
        {formatNumber(spent)} of {formatNumber(program.budget)} {points} used ({formatPercent(pct, 0)})
      </Text>
    </Stack>
  );
}

export default function ProgramsPage() {
  const { can, session } = useSession();
  const navigate = useNavigate();
  const points = session.workspace.pointsLabel;
  const [status, setStatus] = useState<ProgramStatus | 'all'>('all');
  const pager = useCursorStack();
  const page = pager.page;
  const list = useQuery({
    queryKey: ['programs', 'list', status, pager.cursor],
    queryFn: () => programsApi.list({ status: status === 'all' ? undefined : status, limit: PAGE_SIZE, cursor: pager.cursor }),
    placeholderData: keepPreviousData,
  });
  const teams = useTeams();
  const teamName = (id: string) => teams.data?.find((t) => t.id === id)?.name ?? 'a team';
  const rows = list.data?.data ?? [];

  return (
    <>
      <PageHeader
        title="Programs"
        description={`Rules that turn what people do into ${points}, each with an audience and a budget.`}
        actions={
          can('programs.manage') && (
            <Button leftSection={<IconPlus size={16} />} component={Link} to="/programs/new">
              New program
            </Button>
          )
        }
      />
      <Group mb="md">
        <SegmentedControl
          aria-label="Status"
          value={status}
          onChange={(v) => {
            setStatus(v);
            pager.reset();
          }}
          data={[
            { value: 'all', label: 'All' },
            { value: 'active', label: 'Active' },
            { value: 'draft', label: 'Drafts' },
            { value: 'paused', label: 'Paused' },
            { value: 'ended', label: 'Ended' },
          ]}
        />
      </Group>
      <ErrorAlert error={list.error} />
      <Paper withBorder>
        <Table.ScrollContainer minWidth={820}>
          <Table aria-label="Programs" aria-busy={list.isFetching}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Program</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Audience</Table.Th>
                <Table.Th>Rules</Table.Th>
                <Table.Th w={240}>Budget</Table.Th>
                <Table.Th>Version</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((p) => (
                <Table.Tr
                  key={p.id}
                  className="tandem-row-link"
                  onClick={(e) => {
                    if (!(e.target as HTMLElement).closest('a')) void navigate(`/programs/${p.id}`);
                  }}
                >
                  <Table.Td maw={340}>
                    <Anchor component={Link} to={`/programs/${p.id}`} fw={600} size="sm">
                      {p.name}
                    </Anchor>
                    {p.description && (
                      <Text size="xs" c="dimmed" lineClamp={2}>
                        {p.description}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={STATUS_COLORS[p.status]}>
                      {STATUS_LABELS[p.status]}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{describeAudience(p.audience, teamName)}</Text>
                    {p.holdoutPercent > 0 && (
                      <Text size="xs" c="dimmed">
                        {p.holdoutPercent}% held out
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{p.rules.length}</Text>
                  </Table.Td>
                  <Table.Td>
                    <BudgetBar program={p} points={points} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">v{p.version}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
              {!list.isPending && !list.isError && rows.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={6}>
                    <Stack align="center" gap={4} py="xl">
                      <Text fw={500}>{status === 'all' ? 'No programs yet' : `No ${STATUS_LABELS[status].toLowerCase()} programs`}</Text>
                      <Text size="sm" c="dimmed">
                        {status !== 'all' ? 'Try another status.' : can('programs.manage') ? 'Create a program: pick the events that earn, simulate the cost, then launch it.' : 'Programs appear here once a program manager creates them.'}
                      </Text>
                    </Stack>
                  </Table.Td>
                </Table.Tr>
              )}
              {list.isPending && (
                <Table.Tr>
                  <Table.Td colSpan={6}>
                    <Text size="sm" c="dimmed" ta="center" py="xl">
                      Loading programs…
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
      {(page > 0 || list.data?.nextCursor) && (
        <CursorPager
          page={page}
          count={rows.length}
          nextCursor={list.data?.nextCursor}
          loading={list.isFetching}
          onPrevious={pager.previous}
          onNext={() => pager.next(list.data?.nextCursor)}
        />
      )}
    </>
  );
}
