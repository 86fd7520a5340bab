import { useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { Anchor, Badge, Button, Group, Modal, Paper, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { accountsApi } from '../api/endpoints';
import type { AccountKind, Status } from '../api/types';
import { useSession } from '../session';
import { PageHeader } from '../components/PageHeader';
import { CursorPager } from '../components/CursorPager';
import { ErrorAlert } from '../components/ErrorAlert';
import { AccountForm } from '../components/AccountForm';
import { clearProps } from '../components/Pickers';
import { IconPlus, IconSearch } from '../components/icons';
import { useCursorStack } from '../lib/paging';

const PAGE_SIZE = 50;
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export default function AccountsPage() {
  const { can } = useSession();
  const navigate = useNavigate();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [kind, setKind] = useState<AccountKind | null>(null);
  const [tier, setTier] = useState<string | null>(null);
  const [status, setStatus] = useState<Status | null>(null);
  const pager = useCursorStack();
  const [creating, setCreating] = useState(false);
  const page = pager.page;
  const resetPaging = () => pager.reset();

  const filters = { q: q || undefined, kind: kind ?? undefined, tier: tier ?? undefined, status: status ?? undefined };
  const list = useQuery({
    queryKey: ['accounts', 'list', filters, pager.cursor],
    queryFn: () => accountsApi.list({ ...filters, limit: PAGE_SIZE, cursor: pager.cursor }),
    placeholderData: keepPreviousData,
  });
  // Tiers are free text: offer the ones in use (from the first 500 accounts).
  const sample = useQuery({ queryKey: ['accounts', 'tiers'], queryFn: () => accountsApi.list({ limit: 500 }), staleTime: 5 * 60_000 });
  const tiers = useMemo(() => [...new Set((sample.data?.data ?? []).map((a) => a.tier).filter((t): t is string => !!t))].sort(), [sample.data]);
  const rows = list.data?.data ?? [];
  const filtered = !!(q || kind || tier || status);

  return (
    <>
      <PageHeader
        title="Accounts"
        description="Customer and partner companies, their contacts, and the employees who serve them."
        actions={
          can('org.write') && (
            <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
              Add account
            </Button>
          )
        }
      />
      <Paper withBorder p="md" mb="md">
        <Group gap="sm" align="flex-end" wrap="wrap">
          <TextInput
            label="Search"
            placeholder="Company name or external ID"
            leftSection={<IconSearch size={16} />}
            value={search}
            onChange={(e) => {
              setSearch(e.currentTarget.value);
              resetPaging();
            }}
            style={{ flex: '2 1 240px' }}
          />
          <Select
            label="Kind"
            placeholder="Customers and partners"
            clearable
            clearButtonProps={clearProps('Kind')}
            value={kind}
            onChange={(v) => {
              setKind(v);
              resetPaging();
            }}
            data={[
              { value: 'customer', label: 'Customers' },
              { value: 'partner', label: 'Partners' },
            ]}
            style={{ flex: '1 1 180px' }}
          />
          <Select
            label="Tier"
            placeholder="All tiers"
            clearable
            clearButtonProps={clearProps('Tier')}
            value={tier}
            onChange={(v) => {
              setTier(v);
              resetPaging();
            }}
            data={tiers.map((t) => ({ value: t, label: cap(t) }))}
            style={{ flex: '1 1 150px' }}
          />
          <Select
            label="Status"
            placeholder="Any status"
            clearable
            clearButtonProps={clearProps('Status')}
            value={status}
            onChange={(v) => {
              setStatus(v);
              resetPaging();
            }}
            data={[
              { value: 'active', label: 'Active' },
              { value: 'inactive', label: 'Inactive' },
            ]}
            style={{ flex: '1 1 140px' }}
          />
        </Group>
      </Paper>
      <ErrorAlert error={list.error} />
      <Paper withBorder>
        <Table.ScrollContainer minWidth={700}>
          <Table aria-label="Accounts">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Company</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th>External ID</Table.Th>
                <Table.Th>Tier</Table.Th>
                <Table.Th>Region</Table.Th>
                <Table.Th>Status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((a) => (
                <Table.Tr key={a.id} className="tandem-row-link" onClick={() => void navigate(`/accounts/${a.id}`)}>
                  <Table.Td>
                    <Anchor component={Link} to={`/accounts/${a.id}`} fw={500} size="sm" onClick={(e) => e.stopPropagation()}>
                      {a.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={a.kind === 'customer' ? 'teal' : 'grape'}>
                      {a.kind === 'customer' ? 'Customer' : 'Partner'}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {a.externalId}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{a.tier ? cap(a.tier) : '—'}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{a.region ?? '—'}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="dot" color={a.status === 'active' ? 'green' : 'gray'}>
                      {a.status === 'active' ? 'Active' : 'Inactive'}
                    </Badge>
                  </Table.Td>
                </Table.Tr>
              ))}
              {list.isPending && (
                <Table.Tr>
                  <Table.Td colSpan={6}>
                    <Text size="sm" c="dimmed" ta="center" py="xl">
                      Loading accounts…
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
              {!list.isPending && !list.isError && rows.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={6}>
                    <Stack align="center" gap={4} py="xl">
                      <Text fw={500}>{filtered ? 'No account matches these filters' : 'No accounts yet'}</Text>
                      <Text size="sm" c="dimmed">
                        {filtered ? 'Try another search or clear a filter.' : 'Add an account, or import them from your CRM on the Import page.'}
                      </Text>
                    </Stack>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
      <CursorPager
        page={page}
        count={rows.length}
        nextCursor={list.data?.nextCursor}
        loading={list.isFetching}
        onPrevious={pager.previous}
        onNext={() => pager.next(list.data?.nextCursor)}
      />
      <Modal opened={creating} onClose={() => setCreating(false)} title="Add an account" size="md">
        {creating && <AccountForm onDone={(a) => void navigate(`/accounts/${a.id}`)} onCancel={() => setCreating(false)} />}
      </Modal>
    </>
  );
}
