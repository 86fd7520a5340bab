import { useMemo, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ActionIcon, Anchor, Button, Group, Menu, Modal, Paper, Stack, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { teamsApi } from '../api/endpoints';
import type { Team } from '../api/types';
import { useSession } from '../session';
import { PageHeader } from '../components/PageHeader';
import { ConfirmModal } from '../components/ConfirmModal';
import { ErrorAlert, fieldError } from '../components/ErrorAlert';
import { PersonSelect, TeamSelect } from '../components/Pickers';
import { IconDots, IconPlus } from '../components/icons';
import { personLabel, usePeopleByIds, useTeams } from '../lib/queries';

interface Node {
  team: Team;
  depth: number;
  /** members of this team and every team under it */
  total: number;
}

/** The teams in tree order (parents before children, siblings by name), with depth. */
function flatten(teams: Team[]): Node[] {
  const ids = new Set(teams.map((t) => t.id));
  const children = new Map<string | null, Team[]>();
  for (const t of teams) {
    const parent = t.parentId && ids.has(t.parentId) ? t.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), t]);
  }
  for (const list of children.values()) list.sort((a, b) => a.name.localeCompare(b.name));
  const totals = new Map<string, number>();
  const total = (t: Team, seen = new Set<string>()): number => {
    if (totals.has(t.id)) return totals.get(t.id)!;
    if (seen.has(t.id)) return 0;
    seen.add(t.id);
    const n = t.memberCount + (children.get(t.id) ?? []).reduce((s, c) => s + total(c, seen), 0);
    totals.set(t.id, n);
    return n;
  };
  const out: Node[] = [];
  const visit = (t: Team, depth: number) => {
    out.push({ team: t, depth, total: total(t) });
    for (const c of children.get(t.id) ?? []) visit(c, depth + 1);
  };
  for (const root of children.get(null) ?? []) visit(root, 0);
  return out;
}

/** A team and every team under it: a team cannot move inside itself. */
function subtree(teams: Team[], id: string) {
  const out = new Set([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const t of teams) {
      if (t.parentId && out.has(t.parentId) && !out.has(t.id)) {
        out.add(t.id);
        grew = true;
      }
    }
  }
  return [...out];
}

function TeamForm({ team, parentId: initialParent, teams, onDone, onCancel }: { team?: Team; parentId?: string | null; teams: Team[]; onDone(): void; onCancel(): void }) {
  const qc = useQueryClient();
  const { can } = useSession();
  const [name, setName] = useState(team?.name ?? '');
  const [externalId, setExternalId] = useState(team?.externalId ?? '');
  const [parentId, setParentId] = useState<string | null>(team?.parentId ?? initialParent ?? null);
  const [managerId, setManagerId] = useState<string | null>(team?.managerId ?? null);
  const exclude = useMemo(() => (team ? subtree(teams, team.id) : []), [teams, team]);
  const save = useMutation({
    mutationFn: () => {
      const body = { name: name.trim(), externalId: externalId.trim() || null, parentId, managerId };
      return team ? teamsApi.update(team.id, body) : teamsApi.create(body);
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['teams'] });
      onDone();
    },
  });
  const err = save.error;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <TextInput label="Team name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(err, 'name')} data-autofocus />
        <TextInput
          label="External ID"
          description="Optional: the team's ID in your HR system, so imports can refer to it."
          value={externalId}
          onChange={(e) => setExternalId(e.currentTarget.value)}
          error={fieldError(err, 'externalId')}
        />
        <TeamSelect
          label="Parent team"
          description={team ? 'Moving a team moves everything under it.' : undefined}
          placeholder="None (a top-level team)"
          value={parentId}
          onChange={setParentId}
          exclude={exclude}
          error={fieldError(err, 'parentId')}
          comboboxProps={{ withinPortal: true }}
        />
        {can('people.read') && (
          <PersonSelect label="Manager" kind="employee" placeholder="Search employees" value={managerId} onChange={setManagerId} error={fieldError(err, 'managerId')} comboboxProps={{ withinPortal: true }} />
        )}
        <ErrorAlert error={err} shown={['name', 'externalId', 'parentId', 'managerId']} />
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending}>
            {team ? 'Save changes' : 'Create team'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export default function TeamsPage() {
  const { can } = useSession();
  const canWrite = can('org.write');
  const canPeople = can('people.read');
  const qc = useQueryClient();
  const teams = useTeams();
  const nodes = useMemo(() => flatten(teams.data ?? []), [teams.data]);
  const managers = usePeopleByIds(
    nodes.map((n) => n.team.managerId),
    canPeople,
  );
  const [form, setForm] = useState<{ team?: Team; parentId?: string | null } | null>(null);
  const [deleting, setDeleting] = useState<Team | null>(null);
  const remove = useMutation({
    mutationFn: (t: Team) => teamsApi.remove(t.id),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['teams'] });
      setDeleting(null);
    },
  });

  return (
    <>
      <PageHeader
        title="Teams"
        description="How your company is organised. People belong to a team; managers see the teams under them."
        actions={
          canWrite && (
            <Button leftSection={<IconPlus size={16} />} onClick={() => setForm({})}>
              Create team
            </Button>
          )
        }
      />
      <ErrorAlert error={teams.error} />
      <Paper withBorder>
        <Table.ScrollContainer minWidth={700}>
          <Table aria-label="Teams">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Team</Table.Th>
                <Table.Th>External ID</Table.Th>
                <Table.Th>Manager</Table.Th>
                <Table.Th ta="right">Members</Table.Th>
                {canWrite && (
                  <Table.Th w={110}>
                    <span className="visually-hidden">Actions</span>
                  </Table.Th>
                )}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {nodes.map(({ team: t, depth, total }) => {
                const manager = t.managerId ? managers.get(t.managerId) : undefined;
                return (
                  <Table.Tr key={t.id} data-team={t.name}>
                    <Table.Td>
                      <div className="tandem-tree-cell" style={{ paddingLeft: depth * 24 }}>
                        {depth > 0 && <span className="tandem-tree-guide" aria-hidden />}
                        <Text size="sm" fw={depth === 0 ? 600 : 500}>
                          {t.name}
                        </Text>
                      </div>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" ff="monospace" c={t.externalId ? undefined : 'dimmed'}>
                        {t.externalId ?? '—'}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" c={t.managerId ? undefined : 'dimmed'}>
                        {!t.managerId ? 'No manager' : manager ? personLabel(manager) : canPeople ? '…' : 'Assigned'}
                      </Text>
                    </Table.Td>
                    <Table.Td ta="right">
                      {canPeople && t.memberCount > 0 ? (
                        <Tooltip label="Show the people in this team">
                          <Anchor component={Link} to={`/people?teamId=${t.id}`} size="sm">
                            {t.memberCount}
                          </Anchor>
                        </Tooltip>
                      ) : (
                        <Text size="sm" span>
                          {t.memberCount}
                        </Text>
                      )}
                      {total !== t.memberCount && (
                        <Text size="xs" c="dimmed">
                          {total} with sub-teams
                        </Text>
                      )}
                    </Table.Td>
                    {canWrite && (
                      <Table.Td>
                        <Group gap={4} wrap="nowrap" justify="flex-end">
                          <Button size="compact-sm" variant="subtle" onClick={() => setForm({ team: t })} aria-label={`Edit ${t.name}`}>
                            Edit
                          </Button>
                          <Menu position="bottom-end">
                            <Menu.Target>
                              <ActionIcon variant="subtle" color="gray" aria-label={`More actions for ${t.name}`}>
                                <IconDots size={16} />
                              </ActionIcon>
                            </Menu.Target>
                            <Menu.Dropdown>
                              <Menu.Item onClick={() => setForm({ parentId: t.id })}>Add a sub-team</Menu.Item>
                              <Menu.Item color="red" onClick={() => setDeleting(t)}>
                                Delete
                              </Menu.Item>
                            </Menu.Dropdown>
                          </Menu>
                        </Group>
                      </Table.Td>
                    )}
                  </Table.Tr>
                );
              })}
              {teams.isPending && (
                <Table.Tr>
                  <Table.Td colSpan={5}>
                    <Text size="sm" c="dimmed" ta="center" py="xl">
                      Loading teams…
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
              {teams.data && nodes.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={5}>
                    <Stack align="center" gap={4} py="xl">
                      <Text fw={500}>No teams yet</Text>
                      <Text size="sm" c="dimmed">
                        {canWrite ? 'Create your first team, or import them from a CSV file on the Import page.' : 'Teams appear here once they are created.'}
                      </Text>
                    </Stack>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
      {teams.data && nodes.length > 0 && (
        <Text size="xs" c="dimmed" mt="xs">
          {nodes.length} teams · members counts people directly in a team.
        </Text>
      )}

      <Modal opened={form !== null} onClose={() => setForm(null)} title={form?.team ? `Edit ${form.team.name}` : 'Create a team'} size="md">
        {form && <TeamForm team={form.team} parentId={form.parentId} teams={teams.data ?? []} onDone={() => setForm(null)} onCancel={() => setForm(null)} />}
      </Modal>

      <ConfirmModal
        opened={deleting !== null}
        onClose={() => {
          setDeleting(null);
          remove.reset();
        }}
        title={`Delete ${deleting?.name ?? 'team'}?`}
        confirmLabel="Delete team"
        loading={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
      >
        <Text size="sm">Only an empty team can be deleted: move its members and sub-teams elsewhere first.</Text>
        <ErrorAlert error={remove.error} title="The team was not deleted" />
      </ConfirmModal>
    </>
  );
}
