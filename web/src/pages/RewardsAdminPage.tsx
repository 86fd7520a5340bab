import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { Anchor, Badge, Button, Group, Image, Paper, SegmentedControl, Select, Stack, Table, Text, TextInput, ThemeIcon } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { PROVIDER_LABELS, REWARD_KIND_LABELS, rewardsApi, type Reward, type RewardKind } from '../api/rewards';
import { useSession } from '../session';
import { PageHeader } from '../components/PageHeader';
import { CursorPager } from '../components/CursorPager';
import { ErrorAlert } from '../components/ErrorAlert';
import { IconGift, IconPlus, IconSearch, IconWallet } from '../components/icons';
import { formatNumber } from '../lib/format';
import { useCursorStack } from '../lib/paging';

const PAGE_SIZE = 50;
type Status = Reward['status'];
export const REWARD_STATUS_LABELS: Record<Status, string> = { active: 'Active', draft: 'Draft', archived: 'Archived' };
export const REWARD_STATUS_COLORS: Record<Status, string> = { active: 'green', draft: 'gray', archived: 'orange' };

/** "Unlimited", "12 left", or the variants' sum. */
export function stockLabel(r: Reward) {
  const live = r.variants.filter((v) => v.active);
  const base = r.stock === null ? 'Unlimited' : r.stock === 0 ? 'Out of stock' : `${formatNumber(r.stock)} left`;
  return live.length ? `${base} · ${live.length} variant${live.length === 1 ? '' : 's'}` : base;
}

function Thumb({ r }: { r: Reward }) {
  const img = r.images[0];
  return img ? (
    <Image src={img.url} alt="" w={48} h={48} radius="sm" fit="cover" />
  ) : (
    <ThemeIcon variant="light" color="gray" size={48} radius="sm" aria-hidden>
      <IconGift size={22} />
    </ThemeIcon>
  );
}

/** The admin's catalog: every reward, drafts and archived ones too, with stock and provider. */
export default function RewardsAdminPage() {
  const { session, can } = useSession();
  const navigate = useNavigate();
  const points = session.workspace.pointsLabel;
  const [status, setStatus] = useState<Status | 'all'>('all');
  const [kind, setKind] = useState<RewardKind | null>(null);
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const pager = useCursorStack();
  const list = useQuery({
    queryKey: ['rewards', 'admin', status, kind, q, pager.cursor],
    queryFn: () => rewardsApi.list({ status: status === 'all' ? undefined : status, kind: kind ?? undefined, q: q || undefined, limit: PAGE_SIZE, cursor: pager.cursor }),
    placeholderData: keepPreviousData,
  });
  const rows = list.data?.data ?? [];
  const filtered = status !== 'all' || kind || q;

  return (
    <>
      <PageHeader
        title="Reward catalog"
        description="Every reward, including drafts and archived ones. Participants see active rewards whose audience includes them."
        actions={
          <>
            {can('money.read') && (
              <Button variant="default" leftSection={<IconWallet size={16} />} component={Link} to="/admin/rewards/money">
                Money
              </Button>
            )}
            <Button leftSection={<IconPlus size={16} />} component={Link} to="/admin/rewards/new">
              New reward
            </Button>
          </>
        }
      />
      <Group mb="md" gap="sm" wrap="wrap">
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
            { value: 'archived', label: 'Archived' },
          ]}
        />
        <Select
          aria-label="Kind"
          placeholder="Any kind"
          clearable
          w={200}
          data={Object.entries(REWARD_KIND_LABELS).map(([value, label]) => ({ value, label }))}
          value={kind}
          onChange={(v) => {
            setKind(v as RewardKind | null);
            pager.reset();
          }}
        />
        <TextInput
          aria-label="Search titles"
          placeholder="Search titles"
          leftSection={<IconSearch size={16} />}
          w={240}
          value={search}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            pager.reset();
          }}
        />
      </Group>
      <ErrorAlert error={list.error} />
      <Paper withBorder>
        <Table.ScrollContainer minWidth={860}>
          <Table aria-label="Rewards" aria-busy={list.isFetching} verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={64}>
                  <span className="visually-hidden">Image</span>
                </Table.Th>
                <Table.Th>Reward</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th ta="right">Cost</Table.Th>
                <Table.Th>Stock</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Fulfilment</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr
                  key={r.id}
                  className="tandem-row-link"
                  onClick={(e) => {
                    if (!(e.target as HTMLElement).closest('a')) void navigate(`/admin/rewards/${r.id}`);
                  }}
                >
                  <Table.Td>
                    <Thumb r={r} />
                  </Table.Td>
                  <Table.Td maw={320}>
                    <Anchor component={Link} to={`/admin/rewards/${r.id}`} fw={600} size="sm">
                      {r.title}
                    </Anchor>
                    <Text size="xs" c="dimmed">
                      {[r.category, r.requiresApproval ? 'needs approval' : null, r.ships ? 'ships' : null].filter(Boolean).join(' · ') || '—'}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{REWARD_KIND_LABELS[r.kind]}</Text>
                  </Table.Td>
                  <Table.Td ta="right">
                    <Text size="sm" fw={500}>
                      {formatNumber(r.cost)} {points}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" c={r.stock === 0 ? 'red' : undefined}>
                      {stockLabel(r)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={REWARD_STATUS_COLORS[r.status]}>
                      {REWARD_STATUS_LABELS[r.status]}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{PROVIDER_LABELS[r.provider]}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
              {!list.isPending && !list.isError && rows.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={7}>
                    <Stack align="center" gap={4} py="xl">
                      <Text fw={500}>{filtered ? 'No rewards match these filters' : 'No rewards yet'}</Text>
                      <Text size="sm" c="dimmed">
                        {filtered ? 'Try another status, kind or search.' : 'Add the first reward: a gift card, merchandise, an experience or a perk.'}
                      </Text>
                    </Stack>
                  </Table.Td>
                </Table.Tr>
              )}
              {list.isPending && (
                <Table.Tr>
                  <Table.Td colSpan={7}>
                    <Text size="sm" c="dimmed" ta="center" py="xl">
                      Loading rewards…
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
      {(pager.page > 0 || list.data?.nextCursor) && (
        <CursorPager page={pager.page} count={rows.length} nextCursor={list.data?.nextCursor} loading={list.isFetching} onPrevious={pager.previous} onNext={() => pager.next(list.data?.nextCursor)} />
      )}
    </>
  );
}
