import { useMemo, useState, type FormEvent } from 'react';
import { Badge, Button, Card, ColorInput, Group, Modal, NumberInput, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { usersApi, workspaceApi } from '../api/endpoints';
import type { CreatedUser, Role, User, Workspace } from '../api/types';
import { ROLES } from '../api/types';
import { SESSION_KEY, useSession } from '../session';
import { PageHeader } from '../components/PageHeader';
import { PageLoader } from '../components/PageLoader';
import { ConfirmModal } from '../components/ConfirmModal';
import { ErrorAlert, fieldError } from '../components/ErrorAlert';
import { SecretBox } from '../components/SecretBox';
import { PersonSelect } from '../components/Pickers';
import { IconCheck, IconPlus } from '../components/icons';
import { ROLE_DESCRIPTIONS, ROLE_LABELS, formatDate } from '../lib/format';
import { personLabel, usePeopleByIds } from '../lib/queries';

type UserRole = Exclude<Role, 'integration'>;
const USER_ROLES = ROLES.filter((r): r is UserRole => r !== 'integration');

function timezones(current: string) {
  let zones: string[] = [];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    zones = [];
  }
  if (!zones.includes('UTC')) zones = ['UTC', ...zones];
  if (current && !zones.includes(current)) zones = [current, ...zones];
  return zones;
}

function WorkspaceForm({ ws, canEdit }: { ws: Workspace; canEdit: boolean }) {
  const qc = useQueryClient();
  const [name, setName] = useState(ws.name);
  const [timezone, setTimezone] = useState(ws.timezone);
  const [pointsLabel, setPointsLabel] = useState(ws.pointsLabel);
  const [threshold, setThreshold] = useState<number | string>(ws.anonymityThreshold);
  const hasExpiry = ws.pointsExpireMonths !== undefined;
  const [expiry, setExpiry] = useState<number | string>(ws.pointsExpireMonths ?? '');
  const hasBrand = ws.brandColor !== undefined;
  const [brandColor, setBrandColor] = useState(ws.brandColor ?? '');
  const [logoUrl, setLogoUrl] = useState(ws.logoUrl ?? '');
  const hasQuiet = ws.quietHours !== undefined;
  const [quietStart, setQuietStart] = useState(ws.quietHours?.start ?? '');
  const [quietEnd, setQuietEnd] = useState(ws.quietHours?.end ?? '');
  const quiet = quietStart || quietEnd ? { start: quietStart, end: quietEnd } : null;
  const zones = useMemo(() => timezones(ws.timezone), [ws.timezone]);
  const save = useMutation({
    mutationFn: () =>
      workspaceApi.update({
        name: name.trim(),
        timezone,
        pointsLabel: pointsLabel.trim(),
        anonymityThreshold: typeof threshold === 'number' ? threshold : Number(threshold),
        ...(hasExpiry ? { pointsExpireMonths: expiry === '' ? null : Number(expiry) } : {}),
        ...(hasBrand ? { brandColor: brandColor.trim() || null, logoUrl: logoUrl.trim() || null } : {}),
        ...(hasQuiet ? { quietHours: quiet } : {}),
      }),
    onSuccess: (w) => {
      qc.setQueryData(['workspace'], w);
      // The header shows the workspace name and the session carries the points label.
      void qc.invalidateQueries({ queryKey: SESSION_KEY });
    },
  });
  const err = save.error;
  const dirty =
    name !== ws.name ||
    timezone !== ws.timezone ||
    pointsLabel !== ws.pointsLabel ||
    Number(threshold) !== ws.anonymityThreshold ||
    (hasExpiry && (expiry === '' ? null : Number(expiry)) !== (ws.pointsExpireMonths ?? null)) ||
    (hasBrand && ((brandColor.trim() || null) !== (ws.brandColor ?? null) || (logoUrl.trim() || null) !== (ws.logoUrl ?? null))) ||
    (hasQuiet && JSON.stringify(quiet) !== JSON.stringify(ws.quietHours ?? null));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <Card withBorder padding="lg" component="form" onSubmit={submit} noValidate aria-labelledby="workspace-settings-title">
      <Title order={2} size="h4" id="workspace-settings-title">
        Workspace
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        How this workspace appears to everyone in it.
      </Text>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
        <TextInput label="Workspace name" description="Shown in the header and in messages to participants." required value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(err, 'name')} disabled={!canEdit} />
        <Select
          label="Time zone"
          description="Goal periods, caps and schedules follow it."
          searchable
          allowDeselect={false}
          value={timezone}
          onChange={(v) => v && setTimezone(v)}
          data={zones}
          error={fieldError(err, 'timezone')}
          disabled={!canEdit}
          limit={200}
        />
        <TextInput
          label="Points label"
          description="What participants see points called, e.g. “stars” or “credits”."
          required
          value={pointsLabel}
          onChange={(e) => setPointsLabel(e.currentTarget.value)}
          error={fieldError(err, 'pointsLabel')}
          disabled={!canEdit}
        />
        <NumberInput
          label="Anonymity threshold"
          description="Survey results for a group smaller than this are never shown (3 to 100)."
          min={3}
          max={100}
          clampBehavior="none"
          allowDecimal={false}
          value={threshold}
          onChange={setThreshold}
          error={fieldError(err, 'anonymityThreshold')}
          disabled={!canEdit}
        />
        {hasExpiry && (
          <NumberInput
            label="Points expire after (months)"
            description="Earned points expire this many months later, oldest first. Leave empty: they never expire."
            placeholder="Never"
            min={1}
            max={120}
            clampBehavior="none"
            allowDecimal={false}
            value={expiry}
            onChange={setExpiry}
            error={fieldError(err, 'pointsExpireMonths')}
            disabled={!canEdit}
          />
        )}
        {hasBrand && (
          <ColorInput
            label="Email colour"
            description="The header of the emails participants receive. Empty: Tandem blue."
            placeholder="#1c7ed6"
            format="hex"
            value={brandColor}
            onChange={setBrandColor}
            error={fieldError(err, 'brandColor')}
            disabled={!canEdit}
          />
        )}
        {hasBrand && (
          <TextInput
            label="Logo URL"
            description="An image shown beside the workspace name at the top of emails (32 px high)."
            placeholder="https://…/logo.png"
            value={logoUrl}
            onChange={(e) => setLogoUrl(e.currentTarget.value)}
            error={fieldError(err, 'logoUrl')}
            disabled={!canEdit}
          />
        )}
        {hasQuiet && (
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              Quiet hours
            </Text>
            <Text size="xs" c="dimmed">
              Emails to participants wait until these hours end, in each participant’s time zone (theirs if set, else the workspace’s). The inbox still updates. Participants may set their own. Leave both empty for none.
            </Text>
            <Group gap="xs" align="flex-start" wrap="nowrap">
              <TextInput
                type="time"
                aria-label="Quiet hours start"
                value={quietStart}
                onChange={(e) => setQuietStart(e.currentTarget.value)}
                error={fieldError(err, 'quietHours.start')}
                disabled={!canEdit}
                w={130}
              />
              <Text size="sm" mt={6}>
                to
              </Text>
              <TextInput
                type="time"
                aria-label="Quiet hours end"
                value={quietEnd}
                onChange={(e) => setQuietEnd(e.currentTarget.value)}
                error={fieldError(err, 'quietHours.end')}
                disabled={!canEdit}
                w={130}
              />
              {(quietStart || quietEnd) && canEdit && (
                <Button
                  variant="subtle"
                  size="xs"
                  mt={4}
                  onClick={() => {
                    setQuietStart('');
                    setQuietEnd('');
                  }}
                >
                  Clear
                </Button>
              )}
            </Group>
          </Stack>
        )}
      </SimpleGrid>
      <Stack mt="md" gap="sm">
        <ErrorAlert error={err} shown={['name', 'timezone', 'pointsLabel', 'anonymityThreshold', 'pointsExpireMonths', 'brandColor', 'logoUrl', 'quietHours', 'quietHours.start', 'quietHours.end']} />
        {canEdit && (
          <Group justify="flex-end" gap="sm">
            {save.isSuccess && !dirty && (
              <Text size="sm" c="teal.8" role="status">
                <Group gap={4} component="span">
                  <IconCheck size={16} /> Saved
                </Group>
              </Text>
            )}
            <Button type="submit" loading={save.isPending} disabled={!dirty}>
              Save settings
            </Button>
          </Group>
        )}
      </Stack>
    </Card>
  );
}

function AddUserForm({ onCreated, onCancel }: { onCreated(u: CreatedUser): void; onCancel(): void }) {
  const qc = useQueryClient();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<UserRole>('program_manager');
  const [personId, setPersonId] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () => usersApi.create({ email: email.trim(), name: name.trim() || undefined, role, personId }),
    onSuccess: (u) => {
      void qc.invalidateQueries({ queryKey: ['users'] });
      onCreated(u);
    },
  });
  const err = create.error;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <TextInput label="Email" type="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={fieldError(err, 'email')} data-autofocus />
        <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(err, 'name')} />
        <Select
          label="Role"
          description={ROLE_DESCRIPTIONS[role]}
          value={role}
          allowDeselect={false}
          onChange={(v) => v && setRole(v)}
          data={USER_ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
          error={fieldError(err, 'role')}
          comboboxProps={{ withinPortal: true }}
        />
        <PersonSelect
          label={role === 'participant' || role === 'manager' ? 'Person record' : 'Person record (optional)'}
          description={role === 'manager' ? 'A manager sees the teams this person manages.' : 'Links the user to their own person record (their page, their points).'}
          value={personId}
          onChange={setPersonId}
          error={fieldError(err, 'personId')}
          comboboxProps={{ withinPortal: true }}
        />
        <ErrorAlert error={err} shown={['email', 'name', 'role', 'personId']} />
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending}>
            Add user
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function EditUserForm({ user, onDone, onCancel }: { user: User; onDone(): void; onCancel(): void }) {
  const qc = useQueryClient();
  const [name, setName] = useState(user.name);
  const [role, setRole] = useState<UserRole>(user.role === 'integration' ? 'analyst' : user.role);
  const [personId, setPersonId] = useState<string | null>(user.personId);
  const save = useMutation({
    mutationFn: () => usersApi.update(user.id, { name: name.trim(), role, personId }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['users'] });
      onDone();
    },
  });
  const err = save.error;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
      noValidate
    >
      <Stack gap="md">
        <TextInput label="Email" value={user.email} disabled />
        <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(err, 'name')} data-autofocus />
        <Select
          label="Role"
          description={ROLE_DESCRIPTIONS[role]}
          value={role}
          allowDeselect={false}
          onChange={(v) => v && setRole(v)}
          data={USER_ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
          error={fieldError(err, 'role')}
          comboboxProps={{ withinPortal: true }}
        />
        <PersonSelect label="Person record (optional)" value={personId} onChange={setPersonId} error={fieldError(err, 'personId')} comboboxProps={{ withinPortal: true }} />
        <ErrorAlert error={err} shown={['name', 'role', 'personId']} />
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending}>
            Save changes
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function Users() {
  const { session } = useSession();
  const qc = useQueryClient();
  const users = useQuery({ queryKey: ['users'], queryFn: usersApi.all });
  const people = usePeopleByIds((users.data ?? []).map((u) => u.personId), session.permissions.includes('people.read'));
  const [adding, setAdding] = useState(false);
  const [created, setCreated] = useState<CreatedUser | null>(null);
  const [editing, setEditing] = useState<User | null>(null);
  const [removing, setRemoving] = useState<User | null>(null);
  const remove = useMutation({
    mutationFn: (u: User) => usersApi.remove(u.id),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['users'] });
      setRemoving(null);
    },
  });
  const closeAdd = () => {
    setAdding(false);
    setCreated(null);
  };
  return (
    <Card withBorder padding="lg">
      <Group justify="space-between" mb="md">
        <div>
          <Title order={2} size="h4">
            Users
          </Title>
          <Text size="sm" c="dimmed">
            People who sign in to this workspace, and what their role lets them do.
          </Text>
        </div>
        <Button leftSection={<IconPlus size={16} />} onClick={() => setAdding(true)}>
          Add user
        </Button>
      </Group>
      <ErrorAlert error={users.error} />
      {users.isPending && <PageLoader />}
      {users.data && (
        <Table.ScrollContainer minWidth={640}>
          <Table aria-label="Users">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Person record</Table.Th>
                <Table.Th>Added</Table.Th>
                <Table.Th w={150}>
                  <span className="visually-hidden">Actions</span>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {users.data.map((u) => {
                const me = u.id === session.user?.id;
                const p = u.personId ? people.get(u.personId) : undefined;
                return (
                  <Table.Tr key={u.id}>
                    <Table.Td>
                      <Group gap={6}>
                        <Text size="sm" fw={500}>
                          {u.name || u.email}
                        </Text>
                        {me && (
                          <Badge size="xs" variant="outline">
                            You
                          </Badge>
                        )}
                      </Group>
                      <Text size="xs" c="dimmed">
                        {u.email}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light">{ROLE_LABELS[u.role]}</Badge>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" c={u.personId ? undefined : 'dimmed'}>
                        {!u.personId ? '—' : p ? personLabel(p) : 'Linked'}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{formatDate(u.createdAt)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4} justify="flex-end" wrap="nowrap">
                        <Button size="compact-sm" variant="subtle" onClick={() => setEditing(u)} aria-label={`Edit ${u.email}`}>
                          Edit
                        </Button>
                        {!me && (
                          <Button size="compact-sm" variant="subtle" color="red" onClick={() => setRemoving(u)} aria-label={`Remove ${u.email}`}>
                            Remove
                          </Button>
                        )}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Modal opened={adding} onClose={closeAdd} title={created ? 'User added' : 'Add a user'} size="lg" closeOnClickOutside={!created}>
        {created ? (
          <Stack gap="md">
            <Text size="sm">
              <strong>{created.email}</strong> can now sign in as {ROLE_LABELS[created.role].toLowerCase()}.
            </Text>
            {created.generatedPassword ? (
              <SecretBox
                label="Their first password"
                value={created.generatedPassword}
                warning="This password is shown only once. Send it to them through a safe channel; Tandem cannot show it again."
              />
            ) : (
              <Text size="sm" c="dimmed">
                They keep the password they already have.
              </Text>
            )}
            <Group justify="flex-end">
              <Button onClick={closeAdd}>Done</Button>
            </Group>
          </Stack>
        ) : (
          adding && <AddUserForm onCreated={setCreated} onCancel={closeAdd} />
        )}
      </Modal>
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title="Edit user" size="md">
        {editing && <EditUserForm user={editing} onDone={() => setEditing(null)} onCancel={() => setEditing(null)} />}
      </Modal>
      <ConfirmModal
        opened={removing !== null}
        onClose={() => {
          setRemoving(null);
          remove.reset();
        }}
        title="Remove this user?"
        confirmLabel="Remove user"
        loading={remove.isPending}
        onConfirm={() => removing && remove.mutate(removing)}
      >
        <Text size="sm">{removing?.email} will no longer be able to sign in to this workspace. Their person record, if any, stays.</Text>
        <ErrorAlert error={remove.error} />
      </ConfirmModal>
    </Card>
  );
}

export default function SettingsPage() {
  const { can } = useSession();
  const ws = useQuery({ queryKey: ['workspace'], queryFn: workspaceApi.get });
  return (
    <>
      <PageHeader title="Settings" description="The workspace, and who can sign in to it." />
      <Stack gap="lg">
        <ErrorAlert error={ws.error} />
        {ws.isPending && <PageLoader />}
        {ws.data && <WorkspaceForm key={ws.data.id} ws={ws.data} canEdit={can('workspace.manage')} />}
        {can('users.manage') && <Users />}
      </Stack>
    </>
  );
}
