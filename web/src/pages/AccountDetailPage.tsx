import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { Anchor, Badge, Button, Card, Drawer, Group, Modal, Paper, Select, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/client';
import { accountsApi, assignmentsApi, peopleApi } from '../api/endpoints';
import type { Account, Assignment, AssignmentRole } from '../api/types';
import { useSession } from '../session';
import { PageLoader } from '../components/PageLoader';
import { ConfirmModal } from '../components/ConfirmModal';
import { ErrorAlert, fieldError } from '../components/ErrorAlert';
import { AccountForm } from '../components/AccountForm';
import { PersonForm } from '../components/PersonForm';
import { PersonSelect } from '../components/Pickers';
import { CustomerEngagementCard } from '../components/CustomerEngagementCard';
import { IconArrowLeft, IconPlus } from '../components/icons';
import { ASSIGNMENT_ROLE_LABELS, KIND_LABELS, formatDate } from '../lib/format';
import { personLabel, usePeopleByIds, useTeams } from '../lib/queries';
import NotFoundPage from './NotFoundPage';

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

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

function Contacts({ account }: { account: Account }) {
  const { can } = useSession();
  const [adding, setAdding] = useState(false);
  const contacts = useQuery({ queryKey: ['people', 'account', account.id], queryFn: () => peopleApi.all({ accountId: account.id }) });
  const label = account.kind === 'customer' ? 'customer contact' : 'partner rep';
  return (
    <Card withBorder padding="lg">
      <Group justify="space-between" mb="sm">
        <div>
          <Title order={2} size="h4">
            Contacts
          </Title>
          <Text size="sm" c="dimmed">
            {account.kind === 'customer' ? 'People at this customer' : 'Reps at this partner'}
          </Text>
        </div>
        {can('org.write') && (
          <Button size="xs" variant="light" leftSection={<IconPlus size={14} />} onClick={() => setAdding(true)}>
            Add {label}
          </Button>
        )}
      </Group>
      <ErrorAlert error={contacts.error} />
      {contacts.data && contacts.data.length === 0 && (
        <Text size="sm" c="dimmed" py="md">
          No {label}s yet.
        </Text>
      )}
      {contacts.data && contacts.data.length > 0 && (
        <Table aria-label="Contacts">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Email</Table.Th>
              <Table.Th>External ID</Table.Th>
              <Table.Th>Status</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {contacts.data.map((p) => (
              <Table.Tr key={p.id}>
                <Table.Td>
                  <Text size="sm" fw={500}>
                    {personLabel(p)}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{p.email ?? '—'}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" ff="monospace">
                    {p.externalId}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Badge variant="dot" color={p.status === 'active' ? 'green' : 'gray'}>
                    {p.status === 'active' ? 'Active' : 'Inactive'}
                  </Badge>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {contacts.isPending && <PageLoader />}
      <Drawer opened={adding} onClose={() => setAdding(false)} title={`Add a ${label} to ${account.name}`} position="right" size="md">
        {adding && <PersonForm defaults={{ kind: account.kind, accountId: account.id }} onDone={() => setAdding(false)} onCancel={() => setAdding(false)} />}
      </Drawer>
    </Card>
  );
}

function ServingEmployees({ account }: { account: Account }) {
  const { can } = useSession();
  const canWrite = can('org.write');
  const qc = useQueryClient();
  const assignments = useQuery({ queryKey: ['assignments', 'account', account.id], queryFn: () => assignmentsApi.all({ accountId: account.id }) });
  const people = usePeopleByIds((assignments.data ?? []).map((a) => a.personId));
  const teams = useTeams();
  const teamName = new Map((teams.data ?? []).map((t) => [t.id, t.name]));
  const [personId, setPersonId] = useState<string | null>(null);
  const [role, setRole] = useState<AssignmentRole>('account_manager');
  const [removing, setRemoving] = useState<Assignment | null>(null);

  const add = useMutation({
    mutationFn: () => assignmentsApi.create({ personId: personId ?? '', accountId: account.id, role }),
    onSuccess: () => {
      setPersonId(null);
      void qc.invalidateQueries({ queryKey: ['assignments'] });
    },
  });
  const remove = useMutation({
    mutationFn: (a: Assignment) => assignmentsApi.remove(a.id),
    onSuccess: () => {
      setRemoving(null);
      void qc.invalidateQueries({ queryKey: ['assignments'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };
  const list = assignments.data ?? [];

  return (
    <Card withBorder padding="lg">
      <Title order={2} size="h4">
        Serving employees
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        Who looks after this account. Their engagement is linked to this account’s.
      </Text>
      <ErrorAlert error={assignments.error} />
      {assignments.data && list.length === 0 && (
        <Text size="sm" c="dimmed" py="md">
          Nobody is assigned to this account yet.
        </Text>
      )}
      {list.length > 0 && (
        <Table aria-label="Serving employees">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Employee</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Since</Table.Th>
              {canWrite && (
                <Table.Th w={90}>
                  <span className="visually-hidden">Actions</span>
                </Table.Th>
              )}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.map((a) => {
              const p = people.get(a.personId);
              return (
                <Table.Tr key={a.id}>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {p ? personLabel(p) : '…'}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {p?.teamId ? (teamName.get(p.teamId) ?? '') : ''}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light">{ASSIGNMENT_ROLE_LABELS[a.role]}</Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDate(a.createdAt)}</Text>
                  </Table.Td>
                  {canWrite && (
                    <Table.Td>
                      <Button size="compact-sm" variant="subtle" color="red" onClick={() => setRemoving(a)} aria-label={`Remove ${p ? personLabel(p) : 'assignment'}`}>
                        Remove
                      </Button>
                    </Table.Td>
                  )}
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
      {canWrite && (
        <Paper withBorder p="sm" mt="md" bg="gray.0" component="form" onSubmit={submit} aria-label="Assign an employee">
          <Text size="sm" fw={600} mb={6}>
            Assign an employee
          </Text>
          <Group align="flex-start" gap="sm" wrap="wrap">
            <PersonSelect label="Employee" kind="employee" value={personId} onChange={setPersonId} error={fieldError(add.error, 'personId')} style={{ flex: '2 1 280px' }} />
            <Select
              label="Role"
              value={role}
              allowDeselect={false}
              onChange={(v) => v && setRole(v)}
              data={(Object.keys(ASSIGNMENT_ROLE_LABELS) as AssignmentRole[]).map((r) => ({ value: r, label: ASSIGNMENT_ROLE_LABELS[r] }))}
              error={fieldError(add.error, 'role')}
              style={{ flex: '1 1 200px' }}
            />
            <Button type="submit" mt={24.5} loading={add.isPending} disabled={!personId}>
              Assign
            </Button>
          </Group>
          <ErrorAlert error={add.error} shown={['personId', 'role']} />
        </Paper>
      )}
      <ConfirmModal
        opened={removing !== null}
        onClose={() => {
          setRemoving(null);
          remove.reset();
        }}
        title="Remove this assignment?"
        confirmLabel="Remove"
        loading={remove.isPending}
        onConfirm={() => removing && remove.mutate(removing)}
      >
        <Text size="sm">
          {removing && people.get(removing.personId) ? personLabel(people.get(removing.personId)!) : 'This employee'} will no longer be listed as serving {account.name}.
        </Text>
        <ErrorAlert error={remove.error} />
      </ConfirmModal>
    </Card>
  );
}

export default function AccountDetailPage() {
  const { id = '' } = useParams();
  const { can } = useSession();
  const qc = useQueryClient();
  const account = useQuery({ queryKey: ['accounts', 'one', id], queryFn: () => accountsApi.get(id) });
  const [editing, setEditing] = useState(false);
  const [deactivating, setDeactivating] = useState(false);
  const deactivate = useMutation({
    mutationFn: () => accountsApi.deactivate(id),
    onSuccess: (a) => {
      qc.setQueryData(['accounts', 'one', a.id], a);
      void qc.invalidateQueries({ queryKey: ['accounts'] });
      setDeactivating(false);
    },
  });

  if (account.error instanceof ApiError && account.error.status === 404) return <NotFoundPage what="account" />;
  if (account.isPending) return <PageLoader />;
  if (!account.data) return <ErrorAlert error={account.error} />;
  const a = account.data;
  const attrs = Object.entries(a.attributes);

  return (
    <Stack gap="lg">
      <div>
        <Anchor component={Link} to="/accounts" size="sm">
          <Group gap={4} component="span">
            <IconArrowLeft size={14} /> All accounts
          </Group>
        </Anchor>
        <Group justify="space-between" align="flex-end" mt="xs">
          <div>
            <Group gap="sm">
              <Title order={1} size="h2">
                {a.name}
              </Title>
              <Badge variant="light" color={a.kind === 'customer' ? 'teal' : 'grape'}>
                {a.kind === 'customer' ? 'Customer' : 'Partner'}
              </Badge>
              {a.status === 'inactive' && (
                <Badge variant="filled" color="gray">
                  Inactive
                </Badge>
              )}
            </Group>
            <Text size="sm" c="dimmed">
              {KIND_LABELS[a.kind]}s and the employees who serve this {a.kind}
            </Text>
          </div>
          {can('org.write') && (
            <Group gap="sm">
              <Button variant="default" onClick={() => setEditing(true)}>
                Edit account
              </Button>
              {a.status === 'active' && (
                <Button variant="subtle" color="red" onClick={() => setDeactivating(true)}>
                  Deactivate
                </Button>
              )}
            </Group>
          )}
        </Group>
      </div>
      <Card withBorder padding="lg">
        <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="md">
          <Fact label="External ID">
            <Text span ff="monospace" size="sm">
              {a.externalId}
            </Text>
          </Fact>
          <Fact label="Tier">{a.tier ? cap(a.tier) : '—'}</Fact>
          <Fact label="Region">{a.region ?? '—'}</Fact>
          <Fact label="Added">{formatDate(a.createdAt)}</Fact>
          {attrs.map(([k, v]) => (
            <Fact key={k} label={k}>
              {v == null ? '—' : String(v)}
            </Fact>
          ))}
        </SimpleGrid>
      </Card>
      {can('engagement.read') && <CustomerEngagementCard accountId={a.id} partner={a.kind === 'partner'} />}
      {can('people.read') ? (
        <>
          <ServingEmployees account={a} />
          <Contacts account={a} />
        </>
      ) : (
        <Text size="sm" c="dimmed">
          Your role does not include seeing the people of this account.
        </Text>
      )}
      <Modal opened={editing} onClose={() => setEditing(false)} title={`Edit ${a.name}`} size="md">
        {editing && <AccountForm account={a} onDone={() => setEditing(false)} onCancel={() => setEditing(false)} />}
      </Modal>
      <ConfirmModal opened={deactivating} onClose={() => setDeactivating(false)} title={`Deactivate ${a.name}?`} confirmLabel="Deactivate" loading={deactivate.isPending} onConfirm={() => deactivate.mutate()}>
        <Text size="sm">The account stays with its history, but is marked inactive. You can reactivate it by editing it.</Text>
        <ErrorAlert error={deactivate.error} />
      </ConfirmModal>
    </Stack>
  );
}
