import { Fragment, useId, useState, type ReactNode } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { AppShell, Avatar, Badge, Burger, Button, Group, Menu, NavLink, ScrollArea, Select, Stack, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { sessionApi } from '../api/endpoints';
import type { Permission } from '../api/types';
import { SESSION_KEY, homePath, useSession, useSetSession } from '../session';
import { ROLE_LABELS } from '../lib/format';
import { ConfirmModal } from './ConfirmModal';
import { ErrorAlert } from './ErrorAlert';
import { BrandMark } from './BrandMark';
import { IconBell, InboxBell } from './InboxBell';
import { IconMail, IconTemplate } from './CommsIcons';
import { IconAccounts, IconActivity, IconChevronDown, IconGift, IconHome, IconImport, IconKey, IconLogout, IconPeople, IconSettings, IconShield, IconTeams, IconTrophy, IconWallet, IconWebhook } from './icons';

interface NavItem {
  to: string;
  label: string;
  /** the heading it sits under: the menu reads by job (engage, reward, organise, talk, run) */
  group: string;
  icon: ReactNode;
  show: (can: (p: Permission) => boolean, hasPerson: boolean) => boolean;
}

const NAV: NavItem[] = [
  { group: 'For you', to: '/me', label: 'My page', icon: <IconHome />, show: (_can, hasPerson) => hasPerson },
  { group: 'For you', to: '/rewards', label: 'Rewards', icon: <IconTrophy />, show: (_can, hasPerson) => hasPerson },
  { group: 'For you', to: '/inbox', label: 'Inbox', icon: <IconBell size={18} />, show: (_can, hasPerson) => hasPerson },
  { group: 'For you', to: '/notifications', label: 'Notifications', icon: <IconSettings />, show: (_can, hasPerson) => hasPerson },
  { group: 'Engagement', to: '/programs', label: 'Programs', icon: <IconTrophy />, show: (can) => can('programs.read') },
  { group: 'Engagement', to: '/surveys', label: 'Surveys', icon: <IconActivity />, show: (can) => can('surveys.read') },
  { group: 'Engagement', to: '/events', label: 'Events', icon: <IconActivity />, show: (can) => can('events.read') },
  { group: 'Rewards', to: '/admin/rewards', label: 'Catalog', icon: <IconGift />, show: (can) => can('rewards.manage') },
  { group: 'Rewards', to: '/fulfilment', label: 'Orders', icon: <IconGift />, show: (can) => can('rewards.manage') },
  { group: 'Rewards', to: '/delivery-report', label: 'Delivery report', icon: <IconActivity />, show: (can) => can('rewards.manage') },
  { group: 'Rewards', to: '/admin/fulfilment-vendors', label: 'Vendors', icon: <IconWebhook />, show: (can) => can('rewards.manage') },
  { group: 'Rewards', to: '/admin/rewards/money', label: 'Money', icon: <IconWallet />, show: (can) => can('money.read') },
  { group: 'Organisation', to: '/people', label: 'People', icon: <IconPeople />, show: (can) => can('people.read') },
  { group: 'Organisation', to: '/teams', label: 'Teams', icon: <IconTeams />, show: (can) => can('org.read') },
  { group: 'Organisation', to: '/accounts', label: 'Accounts', icon: <IconAccounts />, show: (can) => can('org.read') },
  { group: 'Organisation', to: '/import', label: 'Import', icon: <IconImport />, show: (can) => can('org.write') },
  { group: 'Communication', to: '/message-templates', label: 'Message templates', icon: <IconTemplate />, show: (can) => can('comms.manage') },
  { group: 'Communication', to: '/sent-mail', label: 'Sent mail', icon: <IconMail />, show: (can) => can('comms.manage') },
  { group: 'Communication', to: '/webhooks', label: 'Webhooks', icon: <IconWebhook />, show: (can) => can('webhooks.manage') },
  { group: 'Administration', to: '/keys', label: 'API keys', icon: <IconKey />, show: (can) => can('keys.manage') },
  { group: 'Administration', to: '/settings', label: 'Settings', icon: <IconSettings />, show: (can) => can('workspace.manage') || can('users.manage') },
];

const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('') || '?';

function WorkspaceSwitcher() {
  const { session } = useSession();
  const setSession = useSetSession();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const id = useId();
  const sw = useMutation({
    mutationFn: (workspaceId: string) => sessionApi.switchWorkspace(workspaceId),
    onSuccess: async (s) => {
      // Everything cached belonged to the other workspace.
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
      setSession(s);
      const section = `/${location.pathname.split('/')[1] ?? ''}`;
      const allowed = NAV.find((n) => n.to === section)?.show((p) => s.permissions.includes(p), !!s.personId);
      void navigate(allowed && section === location.pathname ? section : homePath(s), { replace: true });
    },
  });

  if (session.workspaces.length <= 1) {
    return (
      <Text fw={600} size="sm" truncate maw={260} data-testid="workspace-name">
        {session.workspace.name}
      </Text>
    );
  }
  return (
    <Group gap={8} wrap="nowrap">
      <Text component="label" htmlFor={id} size="sm" c="dimmed" visibleFrom="sm">
        Workspace
      </Text>
      <Select
        id={id}
        aria-label="Workspace"
        size="sm"
        w={230}
        allowDeselect={false}
        data={session.workspaces.map((w) => ({ value: w.id, label: w.name }))}
        value={session.workspace.id}
        onChange={(v) => v && v !== session.workspace.id && sw.mutate(v)}
        disabled={sw.isPending}
        comboboxProps={{ withinPortal: true }}
        error={sw.isError ? sw.error.message : undefined}
      />
    </Group>
  );
}

function UserMenu() {
  const { session } = useSession();
  const setSession = useSetSession();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [confirmAll, setConfirmAll] = useState(false);
  const done = () => {
    qc.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
    setSession(null);
    void navigate('/sign-in', { replace: true });
  };
  const signOut = useMutation({ mutationFn: sessionApi.signOut, onSettled: done });
  const signOutAll = useMutation({ mutationFn: sessionApi.signOutEverywhere, onSuccess: done });
  const name = session.user?.name || session.user?.email || 'API key';

  return (
    <>
      <Menu position="bottom-end" width={260} shadow="md">
        <Menu.Target>
          <UnstyledButton aria-label={`Account menu for ${name}`} px={6} py={4} style={{ borderRadius: 8 }}>
            <Group gap={8} wrap="nowrap">
              <Avatar radius="xl" size={32} color="tandem">
                {initials(name)}
              </Avatar>
              <Stack gap={0} visibleFrom="sm">
                <Text size="sm" fw={600} lh={1.2}>
                  {name}
                </Text>
                <Text size="xs" c="dimmed" lh={1.2}>
                  {ROLE_LABELS[session.role]}
                </Text>
              </Stack>
              <IconChevronDown size={16} />
            </Group>
          </UnstyledButton>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Label>Signed in as</Menu.Label>
          <Text size="sm" px="sm" pb="xs" truncate>
            {session.user?.email ?? '—'}
          </Text>
          <Menu.Divider />
          <Menu.Item leftSection={<IconLogout size={16} />} onClick={() => signOut.mutate()}>
            Sign out
          </Menu.Item>
          <Menu.Item leftSection={<IconShield size={16} />} onClick={() => setConfirmAll(true)}>
            Sign out everywhere
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <ConfirmModal
        opened={confirmAll}
        onClose={() => setConfirmAll(false)}
        title="Sign out everywhere?"
        confirmLabel="Sign out everywhere"
        color="red"
        loading={signOutAll.isPending}
        onConfirm={() => signOutAll.mutate()}
      >
        <Text size="sm">This ends every session of your account, on every device and browser, including this one.</Text>
        <ErrorAlert error={signOutAll.error} />
      </ConfirmModal>
    </>
  );
}

export function AppLayout({ children }: { children: ReactNode }) {
  const { session, can } = useSession();
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const items = NAV.filter((n) => n.show(can, !!session.personId));
  // Headings help once the menu mixes jobs; a participant's four links need none.
  const showGroups = new Set(items.map((n) => n.group)).size > 1;

  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 232, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="lg">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="md" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Link to="/" style={{ textDecoration: 'none' }} aria-label="Tandem home">
              <Group gap={8} wrap="nowrap">
                <BrandMark size={28} />
                <Text className="tandem-brand" size="xl">
                  Tandem
                </Text>
              </Group>
            </Link>
            <Text c="gray.4" visibleFrom="sm" aria-hidden>
              /
            </Text>
            <WorkspaceSwitcher />
          </Group>
          <Group gap="sm" wrap="nowrap">
            {session.personId && <InboxBell />}
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label="Main">
        <AppShell.Section grow component={ScrollArea}>
          <Stack gap={2}>
            {items.map((n, i) => (
              <Fragment key={n.to}>
                {showGroups && n.group !== items[i - 1]?.group && (
                  <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pt={i ? 'md' : 4} pb={4} aria-hidden>
                    {n.group}
                  </Text>
                )}
                <NavLink
                  component={Link}
                  to={n.to}
                  label={n.label}
                  leftSection={n.icon}
                  active={location.pathname === n.to || (location.pathname.startsWith(`${n.to}/`) && !NAV.some((m) => m.to.length > n.to.length && location.pathname.startsWith(m.to)))}
                  onClick={close}
                  style={{ borderRadius: 8 }}
                  fw={500}
                />
              </Fragment>
            ))}
          </Stack>
        </AppShell.Section>
        <AppShell.Section>
          <Stack gap={6} p="xs">
            <Group gap={6}>
              <Text size="xs" c="dimmed">
                Your role
              </Text>
              <Badge size="sm" variant="light">
                {ROLE_LABELS[session.role]}
              </Badge>
            </Group>
            {can('keys.manage') && (
              <Button component="a" href="/api/docs" target="_blank" rel="noreferrer" variant="subtle" size="compact-sm" justify="flex-start" px={0}>
                API reference ↗
              </Button>
            )}
          </Stack>
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main>
        <div style={{ maxWidth: 1200, margin: '0 auto' }}>{children}</div>
      </AppShell.Main>
    </AppShell>
  );
}
