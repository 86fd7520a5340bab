import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ActionIcon, Anchor, Badge, Button, Drawer, Group, Menu, Modal, Paper, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { peopleApi } from '../api/endpoints';
import type { Person, PersonKind, Status } from '../api/types';
import { useSession } from '../session';
import { PageHeader } from '../components/PageHeader';
import { CursorPager } from '../components/CursorPager';
import { PersonForm } from '../components/PersonForm';
import { TeamSelect, clearProps } from '../components/Pickers';
import { ConfirmModal } from '../components/ConfirmModal';
import { ErrorAlert } from '../components/ErrorAlert';
import { ImportPanel } from '../components/ImportPanel';
import { IconDots, IconPlus, IconSearch, IconUpload } from '../components/icons';
import { KIND_COLORS, KIND_LABELS } from '../lib/format';
import { personLabel, useAccountsByIds, useTeams } from '../lib/queries';
import { useCursorStack } from '../lib/paging';

const PAGE_SIZE = 50;

export default function PeoplePage() {
  const { can } = useSession();
  const canWrite = can('org.write');
  const canWallet = can('wallets.read');
  const actions = canWrite || canWallet;
  const qc = useQueryClient();

  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [kind, setKind] = useState<PersonKind | null>(null);
  const [params] = useSearchParams();
  // A team from the address (the Teams page links here); anything but a team id is ignored.
  const [teamId, setTeamId] = useState<string | null>(() => (/^tea_[0-9a-z]{26}$/.test(params.get('teamId') ?? '') ? params.get('teamId') : null));
  const [status, setStatus] = useState<Status | null>(null);
  const pager = useCursorStack();
  const page = pager.page;
  const resetPaging = () => pager.reset();

  const filters = { q: q || undefined, kind: teamId ? 'employee' : (kind ?? undefined), teamId: teamId ?? undefined, status: status ?? undefined };
  const list = useQuery({
    queryKey: ['people', 'list', filters, pager.cursor],
    queryFn: () => peopleApi.list({ ...filters, limit: PAGE_SIZE, cursor: pager.cursor }),
    placeholderData: keepPreviousData,
  });
  const teams = useTeams();
  const teamById = new Map((teams.data ?? []).map((t) => [t.id, t]));
  const rows = list.data?.data ?? [];
  const accounts = useAccountsByIds(rows.map((p) => p.accountId));

  const [editing, setEditing] = useState<Person | 'new' | null>(null);
  const [importing, setImporting] = useState(false);
  const [deactivating, setDeactivating] = useState<Person | null>(null);
  const deactivate = useMutation({
    mutationFn: (p: Person) => peopleApi.deactivate(p.id),
    onSuccess: (p) => {
      qc.setQueryData(['people', 'one', p.id], p);
      void qc.invalidateQueries({ queryKey: ['people'] });
      void qc.invalidateQueries({ queryKey: ['teams'] });
      setDeactivating(null);
    },
  });
  const reactivate = useMutation({
    mutationFn: (p: Person) => peopleApi.update(p.id, { status: 'active' }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['people'] }),
  });

  const filtered = !!(q || kind || teamId || status);

  return (
    <>
      <PageHeader
        title="People"
        description="Employees, customer contacts and partner reps: everyone a program can reach."
        actions={
          canWrite && (
            <>
              <Button variant="default" leftSection={<IconUpload size={16} />} onClick={() => setImporting(true)}>
                Import CSV
              </Button>
              <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')}>
                Add person
              </Button>
            </>
          )
        }
      />
      <Paper withBorder p="md" mb="md">
        <Group gap="sm" align="flex-end" wrap="wrap">
          <TextInput
            label="Search"
            placeholder="Name, email or external ID"
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
            placeholder="All kinds"
            clearable
            clearButtonProps={clearProps('Kind')}
            value={teamId ? 'employee' : kind}
            disabled={!!teamId}
            onChange={(v) => {
              setKind(v);
              resetPaging();
            }}
            data={(['employee', 'customer', 'partner'] as PersonKind[]).map((k) => ({ value: k, label: KIND_LABELS[k] }))}
            style={{ flex: '1 1 160px' }}
          />
          <TeamSelect
            label="Team"
            placeholder="All teams"
            value={teamId}
            onChange={(v) => {
              setTeamId(v);
              resetPaging();
            }}
            style={{ flex: '1 1 200px' }}
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
        <Table.ScrollContainer minWidth={760}>
          <Table aria-label="People" aria-busy={list.isFetching}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th>External ID</Table.Th>
                <Table.Th>Team or account</Table.Th>
                <Table.Th>Status</Table.Th>
                {actions && (
                  <Table.Th w={canWrite && canWallet ? 190 : 120}>
                    <span className="visually-hidden">Actions</span>
                  </Table.Th>
                )}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((p) => {
                const team = p.teamId ? teamById.get(p.teamId) : undefined;
                const account = p.accountId ? accounts.get(p.accountId) : undefined;
                return (
                  <Table.Tr key={p.id}>
                    <Table.Td>
                      <Text size="sm" fw={500}>
                        {personLabel(p)}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {p.email ?? 'No email'}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={KIND_COLORS[p.kind]}>
                        {KIND_LABELS[p.kind]}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" ff="monospace">
                        {p.externalId}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      {p.kind === 'employee' ? (
                        <Text size="sm">{team?.name ?? (p.teamId ? '…' : <Text span c="dimmed">No team</Text>)}</Text>
                      ) : p.accountId ? (
                        <Anchor component={Link} to={`/accounts/${p.accountId}`} size="sm">
                          {account?.name ?? '…'}
                        </Anchor>
                      ) : (
                        <Text size="sm" c="dimmed">
                          No account
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="dot" color={p.status === 'active' ? 'green' : 'gray'}>
                        {p.status === 'active' ? 'Active' : 'Inactive'}
                      </Badge>
                    </Table.Td>
                    {actions && (
                      <Table.Td>
                        <Group gap={4} wrap="nowrap" justify="flex-end">
                          {canWallet && (
                            <Button size="compact-sm" variant="subtle" component={Link} to={`/people/${p.id}/wallet`} aria-label={`Wallet of ${personLabel(p)}`}>
                              Wallet
                            </Button>
                          )}
                          {canWrite && (
                            <>
                              <Button size="compact-sm" variant="subtle" onClick={() => setEditing(p)} aria-label={`Edit ${personLabel(p)}`} disabled={!!p.erasedAt}>
                                Edit
                              </Button>
                              <Menu position="bottom-end" withinPortal>
                                <Menu.Target>
                                  <ActionIcon variant="subtle" color="gray" aria-label={`More actions for ${personLabel(p)}`}>
                                    <IconDots size={16} />
                                  </ActionIcon>
                                </Menu.Target>
                                <Menu.Dropdown>
                                  {p.status === 'active' ? (
                                    <Menu.Item color="red" onClick={() => setDeactivating(p)}>
                                      Deactivate
                                    </Menu.Item>
                                  ) : (
                                    <Menu.Item onClick={() => reactivate.mutate(p)} disabled={!!p.erasedAt}>
                                      Reactivate
                                    </Menu.Item>
                                  )}
                                </Menu.Dropdown>
                              </Menu>
                            </>
                          )}
                        </Group>
                      </Table.Td>
                    )}
                  </Table.Tr>
                );
              })}
              {!list.isPending && !list.isError && rows.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={actions ? 6 : 5}>
                    <Stack align="center" gap={4} py="xl">
                      <Text fw={500}>{filtered ? 'Nobody matches these filters' : 'No people yet'}</Text>
                      <Text size="sm" c="dimmed">
                        {filtered ? 'Try another search or clear a filter.' : canWrite ? 'Add a person or import a CSV file from your HR system or CRM.' : 'People appear here once they are added.'}
                      </Text>
                    </Stack>
                  </Table.Td>
                </Table.Tr>
              )}
              {list.isPending && (
                <Table.Tr>
                  <Table.Td colSpan={6}>
                    <Text size="sm" c="dimmed" ta="center" py="xl">
                      Loading people…
                    </Text>
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
      <ErrorAlert error={reactivate.error} />

      <Drawer opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? 'Add a person' : 'Edit person'} position="right" size="md">
        {editing !== null && (
          <PersonForm key={editing === 'new' ? 'new' : editing.id} person={editing === 'new' ? undefined : editing} onDone={() => setEditing(null)} onCancel={() => setEditing(null)} />
        )}
      </Drawer>

      <Modal opened={importing} onClose={() => setImporting(false)} title="Import people from CSV" size="xl">
        <ImportPanel kind="people" />
      </Modal>

      <ConfirmModal
        opened={deactivating !== null}
        onClose={() => {
          setDeactivating(null);
          deactivate.reset();
        }}
        title="Deactivate this person?"
        confirmLabel="Deactivate"
        loading={deactivate.isPending}
        onConfirm={() => deactivating && deactivate.mutate(deactivating)}
      >
        <Text size="sm">
          {deactivating ? personLabel(deactivating) : ''} will no longer take part in programs. Their history stays, and you can reactivate them later.
        </Text>
        <ErrorAlert error={deactivate.error} />
      </ConfirmModal>
    </>
  );
}
