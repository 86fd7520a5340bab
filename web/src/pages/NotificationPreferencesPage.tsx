import { useState } from 'react';
import { Alert, Badge, Button, Card, Group, Radio, SegmentedControl, Stack, Switch, Table, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { preferencesApi, type Frequency, type NotificationPreferences, type PutNotificationPreferences, type TypePreference } from '../api/comms';
import { ApiError } from '../api/client';
import { PageHeader } from '../components/PageHeader';
import { PageLoader } from '../components/PageLoader';
import { ErrorAlert, fieldError } from '../components/ErrorAlert';
import { plural } from '../lib/format';

const KEY = ['notification-preferences'] as const;

const FREQUENCIES: { value: Frequency; label: string }[] = [
  { value: 'immediate', label: 'Right away' },
  { value: 'daily', label: 'Daily digest' },
  { value: 'weekly', label: 'Weekly digest' },
];

const HINTS: Record<string, string> = {
  'points.awarded': 'Each time a program pays you points.',
  'goal.tier_reached': 'When you reach a tier of a goal, with its payout.',
};

const window = (q: { start: string; end: string } | null) => (q ? `${q.start}–${q.end}` : 'none');

function TypeRow({ p, hasEmail, busy, onChange }: { p: TypePreference; hasEmail: boolean; busy: boolean; onChange(patch: Partial<TypePreference>): void }) {
  const email = (
    <Switch
      checked={hasEmail && p.email}
      disabled={!hasEmail || busy}
      onChange={(e) => onChange({ email: e.currentTarget.checked })}
      aria-label={`${p.label} by email`}
    />
  );
  return (
    <Table.Tr data-testid={`pref-${p.type}`}>
      <Table.Td>
        <Text fw={500} tt="capitalize">
          {p.label}
        </Text>
        <Text size="xs" c="dimmed">
          {HINTS[p.type] ?? ''}
        </Text>
      </Table.Td>
      <Table.Td>
        <Switch checked={p.inbox} disabled={busy} onChange={(e) => onChange({ inbox: e.currentTarget.checked })} aria-label={`${p.label} in the inbox`} />
      </Table.Td>
      <Table.Td>{hasEmail ? email : <Tooltip label="No email address on your profile">{email}</Tooltip>}</Table.Td>
      <Table.Td>
        <SegmentedControl
          size="xs"
          value={p.frequency}
          disabled={busy || (!p.inbox && !(hasEmail && p.email))}
          onChange={(v) => onChange({ frequency: v })}
          data={FREQUENCIES}
          aria-label={`How often: ${p.label}`}
        />
      </Table.Td>
    </Table.Tr>
  );
}

function QuietHoursCard({ prefs, save, busy, error }: { prefs: NotificationPreferences; save(body: PutNotificationPreferences): void; busy: boolean; error: unknown }) {
  const [mode, setMode] = useState(prefs.quietHoursSetting);
  const own = prefs.quietHoursSetting === 'custom' ? prefs.quietHours : null;
  const [start, setStart] = useState(own?.start ?? '21:00');
  const [end, setEnd] = useState(own?.end ?? '07:00');
  const dirty = mode !== prefs.quietHoursSetting || (mode === 'custom' && (start !== own?.start || end !== own?.end));
  return (
    <Card withBorder padding="lg" radius="md">
      <Title order={4}>Quiet hours</Title>
      <Text size="sm" c="dimmed" mb="md">
        During quiet hours, emails wait until the hours end. Your inbox still updates, silently. Times are in {prefs.timezone}.
      </Text>
      <Radio.Group value={mode} onChange={(v) => setMode(v)} aria-label="Quiet hours">
        <Stack gap="sm">
          <Radio value="workspace" label={`The workspace’s quiet hours (${window(prefs.workspaceQuietHours)})`} />
          <Radio value="custom" label="My own" />
          {mode === 'custom' && (
            <Group gap="xs" ml={30} align="flex-start" wrap="nowrap">
              <TextInput type="time" aria-label="Quiet hours start" value={start} onChange={(e) => setStart(e.currentTarget.value)} error={fieldError(error, 'quietHours.start')} w={130} />
              <Text size="sm" mt={6}>
                to
              </Text>
              <TextInput type="time" aria-label="Quiet hours end" value={end} onChange={(e) => setEnd(e.currentTarget.value)} error={fieldError(error, 'quietHours.end')} w={130} />
            </Group>
          )}
          <Radio value="off" label="None: email me at any hour" />
        </Stack>
      </Radio.Group>
      <Group justify="space-between" mt="md">
        <Text size="sm" data-testid="quiet-now">
          In effect: <b>{window(prefs.quietHours)}</b>
        </Text>
        <Button onClick={() => save(mode === 'custom' ? { quietHoursSetting: 'custom', quietHours: { start, end } } : { quietHoursSetting: mode })} disabled={!dirty} loading={busy}>
          Save quiet hours
        </Button>
      </Group>
    </Card>
  );
}

/** A participant chooses, per kind of message, the inbox, email and how often; quiet hours; digests. */
export default function NotificationPreferencesPage() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: KEY, queryFn: preferencesApi.get, retry: (n, e) => !(e instanceof ApiError && e.status === 404) && n < 2 });
  const save = useMutation({ mutationFn: preferencesApi.put, onSuccess: (p) => qc.setQueryData(KEY, p) });
  if (q.error instanceof ApiError && q.error.status === 404)
    return (
      <>
        <PageHeader title="Notifications" description="How your programs reach you." />
        <Alert color="gray">This account is not linked to a participant, so it receives no messages.</Alert>
      </>
    );
  if (!q.data)
    return (
      <>
        <PageHeader title="Notifications" description="How your programs reach you." />
        {q.error ? <ErrorAlert error={q.error} /> : <PageLoader />}
      </>
    );
  const prefs = q.data;
  const busy = save.isPending;
  const change = (type: TypePreference['type'], patch: Partial<TypePreference>) => save.mutate({ types: [{ type, ...patch }] });
  const digests = prefs.types.filter((t) => t.frequency !== 'immediate');
  return (
    <>
      <PageHeader
        title="Notifications"
        description="Choose how your programs reach you: in your inbox, by email, right away or gathered into a digest."
        actions={
          <Button component={Link} to="/inbox" variant="default">
            Open inbox
          </Button>
        }
      />
      <Stack gap="lg" maw={880}>
        <ErrorAlert error={save.error} shown={['quietHours', 'quietHours.start', 'quietHours.end']} />
        {!prefs.hasEmail && (
          <Alert color="yellow" title="No email address">
            Your profile has no email address, so everything comes to your inbox. Ask your program manager to add one.
          </Alert>
        )}
        <Card withBorder padding="lg" radius="md">
          <Group justify="space-between" mb="xs">
            <Title order={4}>What you hear about</Title>
            {save.isSuccess && !busy && (
              <Text size="sm" c="teal.8" role="status">
                Saved
              </Text>
            )}
          </Group>
          <Table verticalSpacing="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Message</Table.Th>
                <Table.Th w={80}>Inbox</Table.Th>
                <Table.Th w={80}>Email</Table.Th>
                <Table.Th w={330}>How often</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {prefs.types.map((p) => (
                <TypeRow key={p.type} p={p} hasEmail={prefs.hasEmail} busy={busy} onChange={(patch) => change(p.type, patch)} />
              ))}
            </Table.Tbody>
          </Table>
        </Card>
        <Card withBorder padding="lg" radius="md">
          <Group justify="space-between">
            <Title order={4}>Digests</Title>
            {prefs.pendingDigestItems > 0 && (
              <Badge variant="light" data-testid="digest-pending">
                {plural(prefs.pendingDigestItems, 'message')} waiting
              </Badge>
            )}
          </Group>
          <Text size="sm" c="dimmed" mb="md">
            A digest gathers several messages into one. Daily digests go out at {String(prefs.digestHour).padStart(2, '0')}:00, weekly ones on Mondays at the same time ({prefs.timezone}).{' '}
            {digests.length ? `You get ${digests.map((d) => `${d.label} in a ${d.frequency} digest`).join(' and ')}.` : 'You get every message right away.'}
          </Text>
          <Switch
            checked={prefs.hasEmail && prefs.digestEmail}
            disabled={!prefs.hasEmail || busy}
            onChange={(e) => save.mutate({ digestEmail: e.currentTarget.checked })}
            label="Email me my digests (they always reach the inbox when the inbox is on)"
          />
        </Card>
        <QuietHoursCard key={`${prefs.quietHoursSetting}-${window(prefs.quietHours)}`} prefs={prefs} save={(b) => save.mutate(b)} busy={busy} error={save.error} />
      </Stack>
    </>
  );
}
