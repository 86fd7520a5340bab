import { useState, type FormEvent } from 'react';
import { Badge, Button, Code, Group, Modal, Paper, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiKeysApi } from '../api/endpoints';
import type { ApiKey, CreatedApiKey, Role } from '../api/types';
import { ROLES } from '../api/types';
import { PageHeader } from '../components/PageHeader';
import { ConfirmModal } from '../components/ConfirmModal';
import { ErrorAlert, fieldError } from '../components/ErrorAlert';
import { SecretBox } from '../components/SecretBox';
import { PersonSelect } from '../components/Pickers';
import { IconPlus } from '../components/icons';
import { ROLE_DESCRIPTIONS, ROLE_LABELS, formatDate, formatDateTime } from '../lib/format';

function keyState(k: ApiKey): { label: string; color: string } {
  if (k.revokedAt) return { label: 'Revoked', color: 'red' };
  if (k.expiresAt && Date.parse(k.expiresAt) <= Date.now()) return { label: 'Expired', color: 'orange' };
  return { label: 'Active', color: 'green' };
}

function CreateKeyForm({ onCreated, onCancel }: { onCreated(k: CreatedApiKey): void; onCancel(): void }) {
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('integration');
  const [personId, setPersonId] = useState<string | null>(null);
  const [expires, setExpires] = useState('');
  const create = useMutation({
    mutationFn: () =>
      apiKeysApi.create({
        name: name.trim(),
        role,
        personId: role === 'participant' ? personId : null,
        // The key stops working at the end of the chosen day, in the browser's time zone.
        expiresAt: expires ? new Date(`${expires}T23:59:59`).toISOString() : null,
      }),
    onSuccess: (k) => {
      void qc.invalidateQueries({ queryKey: ['api-keys'] });
      onCreated(k);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const err = create.error;
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <TextInput
          label="Name"
          description="What uses this key, so you can recognise it later."
          placeholder="e.g. Salesforce sync"
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={fieldError(err, 'name')}
          data-autofocus
        />
        <Select
          label="Role"
          description={ROLE_DESCRIPTIONS[role]}
          value={role}
          allowDeselect={false}
          onChange={(v) => v && setRole(v)}
          data={ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
          error={fieldError(err, 'role')}
          comboboxProps={{ withinPortal: true }}
        />
        {role === 'participant' && (
          <PersonSelect label="Person" description="A participant key acts as this person." value={personId} onChange={setPersonId} error={fieldError(err, 'personId')} comboboxProps={{ withinPortal: true }} />
        )}
        <TextInput label="Expires on" description="Optional. Leave empty for a key that does not expire." type="date" value={expires} onChange={(e) => setExpires(e.currentTarget.value)} error={fieldError(err, 'expiresAt')} w={220} />
        <ErrorAlert error={err} shown={['name', 'role', 'personId', 'expiresAt']} />
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
            Create key
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export default function ApiKeysPage() {
  const qc = useQueryClient();
  const keys = useQuery({ queryKey: ['api-keys'], queryFn: apiKeysApi.all });
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const revoke = useMutation({
    mutationFn: (k: ApiKey) => apiKeysApi.revoke(k.id),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['api-keys'] });
      setRevoking(null);
    },
  });
  const closeCreate = () => {
    setCreating(false);
    setCreated(null);
  };
  // Newest first; revoked keys last.
  const list = [...(keys.data ?? [])].sort((a, b) => Number(!!a.revokedAt) - Number(!!b.revokedAt) || b.createdAt.localeCompare(a.createdAt));

  return (
    <>
      <PageHeader
        title="API keys"
        description="Keys let other systems (your CRM, HR system or helpdesk) send data to Tandem. Each key has a role, like a user, and is sent as a Bearer token."
        actions={
          <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
            Create API key
          </Button>
        }
      />
      <ErrorAlert error={keys.error} />
      <Paper withBorder>
        <Table.ScrollContainer minWidth={820}>
          <Table aria-label="API keys">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Key ends in</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Last used</Table.Th>
                <Table.Th>Expires</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th w={90}>
                  <span className="visually-hidden">Actions</span>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((k) => {
                const st = keyState(k);
                return (
                  <Table.Tr key={k.id} data-key={k.name} c={k.revokedAt ? 'dimmed' : undefined}>
                    <Table.Td>
                      <Text size="sm" fw={500}>
                        {k.name}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{ROLE_LABELS[k.role]}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Code>…{k.hint}</Code>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{formatDate(k.createdAt)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{k.lastUsedAt ? formatDateTime(k.lastUsedAt) : 'Never'}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{k.expiresAt ? formatDate(k.expiresAt) : 'Never'}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={st.color} title={k.revokedAt ? `Revoked ${formatDateTime(k.revokedAt)}` : undefined}>
                        {st.label}
                        {k.revokedAt ? ` ${formatDate(k.revokedAt)}` : ''}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      {!k.revokedAt && (
                        <Button size="compact-sm" variant="subtle" color="red" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
                          Revoke
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
              {keys.isPending && (
                <Table.Tr>
                  <Table.Td colSpan={8}>
                    <Text size="sm" c="dimmed" ta="center" py="xl">
                      Loading keys…
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
              {keys.data && list.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={8}>
                    <Stack align="center" gap={4} py="xl">
                      <Text fw={500}>No API keys yet</Text>
                      <Text size="sm" c="dimmed">
                        Create one for each system that sends data to Tandem.
                      </Text>
                    </Stack>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>

      <Modal opened={creating} onClose={closeCreate} title={created ? 'Your new API key' : 'Create an API key'} size="lg" closeOnClickOutside={!created}>
        {created ? (
          <Stack gap="md">
            <SecretBox
              label={`API key “${created.name}” (${ROLE_LABELS[created.role]})`}
              value={created.key}
              warning="This is the only time the key is shown. Tandem keeps only a fingerprint of it, so it cannot be shown again. Store it in your password manager or the other system’s secret settings now."
            />
            <Group justify="flex-end">
              <Button onClick={closeCreate}>I have stored the key</Button>
            </Group>
          </Stack>
        ) : (
          creating && <CreateKeyForm onCreated={setCreated} onCancel={closeCreate} />
        )}
      </Modal>

      <ConfirmModal
        opened={revoking !== null}
        onClose={() => {
          setRevoking(null);
          revoke.reset();
        }}
        title={`Revoke “${revoking?.name ?? ''}”?`}
        confirmLabel="Revoke key"
        loading={revoke.isPending}
        onConfirm={() => revoking && revoke.mutate(revoking)}
      >
        <Text size="sm">Anything using this key stops working at once. This cannot be undone; you can create a new key instead.</Text>
        <ErrorAlert error={revoke.error} />
      </ConfirmModal>
    </>
  );
}
