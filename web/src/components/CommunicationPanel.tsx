import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { Alert, Anchor, Badge, Button, Card, Checkbox, Group, Loader, Modal, Paper, Progress, SegmentedControl, Select, SimpleGrid, Stack, Switch, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { PLAN_KIND_HINTS, PLAN_KIND_LABELS, plansApi, type PlanEntry, type PlanEntryBody, type PlanKind } from '../api/plans';
import type { Program } from '../api/types';
import { useSession } from '../session';
import { formatDate, formatDateTime, formatNumber, plural } from '../lib/format';
import { useCursorStack } from '../lib/paging';
import { ConfirmModal } from './ConfirmModal';
import { CursorPager } from './CursorPager';
import { ErrorAlert, fieldError } from './ErrorAlert';
import { NumField } from './NumField';
import { IconAlert, IconInfo, IconPlus } from './icons';

/** Schedules a program manager picks from; the cron field stays editable for anything else. */
const PRESETS: { value: string; label: string }[] = [
  { value: '0 9 * * MON', label: 'Every Monday at 09:00' },
  { value: '0 9 * * MON-FRI', label: 'Every weekday at 09:00' },
  { value: '0 9 * * *', label: 'Every day at 09:00' },
  { value: '0 9 1 * *', label: 'The 1st of every month at 09:00' },
  { value: '0 9 1,15 * *', label: 'The 1st and 15th of every month at 09:00' },
];
const VARIABLES = ['personName', 'programName', 'balance', 'programPoints', 'goalSummary', 'endsOn', 'daysLeft', 'homeUrl'];

/** ISO time ↔ the value of a datetime-local input (browser time). */
function isoToLocalInput(iso: string | null | undefined) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
const localInputToIso = (v: string) => (v ? new Date(v).toISOString() : null);

function useDebounced<T>(value: T, ms: number) {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** The next runs of the cron being typed, from the server (the workspace's time zone), or why it is not valid. */
function CronHelp({ programId, cron, timezone }: { programId: string; cron: string; timezone: string }) {
  const c = useDebounced(cron.trim(), 300);
  const q = useQuery({ queryKey: ['plans', 'next-runs', programId, c], queryFn: () => plansApi.nextRuns(programId, c), enabled: c.length > 0, retry: false, staleTime: 60_000 });
  if (!c) return null;
  if (q.isPending)
    return (
      <Text size="xs" c="dimmed">
        Working out the next runs…
      </Text>
    );
  if (q.error) return <Text size="xs" c="red.7">{fieldError(q.error, 'cron') ?? 'Not a valid schedule'}</Text>;
  return (
    <Text size="xs" c="dimmed" data-testid="cron-next-runs">
      Next runs ({timezone}): {q.data.runs.map((r) => r.local).join(' · ')}
    </Text>
  );
}

type Timing = 'schedule' | 'once' | 'activation';

function EntryEditor({ program, entry, timezone, onClose }: { program: Program; entry: PlanEntry | null; timezone: string; onClose(): void }) {
  const qc = useQueryClient();
  const [kind, setKind] = useState<PlanKind>(entry?.kind ?? 'progress');
  const [name, setName] = useState(entry?.name ?? '');
  const [timing, setTiming] = useState<Timing>(entry ? (entry.cron ? 'schedule' : entry.sendAt ? 'once' : 'activation') : 'schedule');
  const [cron, setCron] = useState(entry?.cron ?? '0 9 * * MON');
  const [sendAt, setSendAt] = useState(isoToLocalInput(entry?.sendAt));
  const [days, setDays] = useState<number | undefined>(entry?.daysBeforeEnd ?? 7);
  const [subject, setSubject] = useState(entry?.subject ?? '');
  const [text, setText] = useState(entry?.text ?? '');
  const [enabled, setEnabled] = useState(entry?.enabled ?? true);
  const t: Timing = kind === 'launch' ? (timing === 'once' ? 'once' : 'activation') : kind === 'ending_reminder' ? 'activation' : timing === 'activation' ? 'schedule' : timing;
  const body = (): PlanEntryBody => ({
    ...(entry ? {} : { kind }),
    ...(name.trim() ? { name: name.trim() } : {}),
    cron: kind !== 'launch' && kind !== 'ending_reminder' && t === 'schedule' ? cron : null,
    sendAt: kind !== 'ending_reminder' && t === 'once' ? localInputToIso(sendAt) : null,
    ...(kind === 'ending_reminder' ? { daysBeforeEnd: days ?? null } : {}),
    subject: kind === 'custom' ? subject : null,
    text: kind === 'custom' ? text : null,
    enabled,
  });
  const save = useMutation({
    mutationFn: () => (entry ? plansApi.update(program.id, entry.id, body()) : plansApi.create(program.id, body())),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['plans', program.id] });
      onClose();
    },
  });
  const err = (p: string) => fieldError(save.error, p);
  const sendAtLocal = sendAt ? new Intl.DateTimeFormat('en-GB', { timeZone: timezone, dateStyle: 'full', timeStyle: 'short' }).format(new Date(sendAt)) : null;
  return (
    <Stack gap="sm">
      {!entry && (
        <Select
          label="Message"
          data={(Object.keys(PLAN_KIND_LABELS) as PlanKind[]).map((k) => ({ value: k, label: PLAN_KIND_LABELS[k] }))}
          value={kind}
          onChange={(v) => v && setKind(v)}
          allowDeselect={false}
          description={PLAN_KIND_HINTS[kind]}
          error={err('kind')}
        />
      )}
      <TextInput label="Name" description="How the plan lists it" placeholder={PLAN_KIND_LABELS[kind]} value={name} onChange={(e) => setName(e.currentTarget.value)} error={err('name')} />
      {kind === 'launch' && (
        <SegmentedControl
          value={t}
          onChange={(v) => setTiming(v)}
          data={[
            { value: 'activation', label: 'When the program goes live' },
            { value: 'once', label: 'At a set time' },
          ]}
        />
      )}
      {(kind === 'progress' || kind === 'custom') && (
        <SegmentedControl
          value={t}
          onChange={(v) => setTiming(v)}
          data={[
            { value: 'schedule', label: 'Repeat on a schedule' },
            { value: 'once', label: 'Send once' },
          ]}
        />
      )}
      {t === 'schedule' && kind !== 'launch' && kind !== 'ending_reminder' && (
        <Stack gap={4}>
          <Select label="Schedule" placeholder="Pick a common schedule, or write your own below" data={PRESETS} value={PRESETS.some((p) => p.value === cron) ? cron : null} onChange={(v) => v && setCron(v)} clearable={false} />
          <TextInput
            label="Cron expression"
            description={`minute hour day-of-month month day-of-week, in the workspace time zone (${timezone}); at most one run an hour`}
            value={cron}
            onChange={(e) => setCron(e.currentTarget.value)}
            error={err('cron')}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          />
          <CronHelp programId={program.id} cron={cron} timezone={timezone} />
        </Stack>
      )}
      {t === 'once' && (
        <TextInput
          label="Send at"
          type="datetime-local"
          description={sendAtLocal ? `In the workspace time zone: ${sendAtLocal} (${timezone})` : 'Your browser’s time'}
          value={sendAt}
          onChange={(e) => setSendAt(e.currentTarget.value)}
          error={err('sendAt')}
        />
      )}
      {kind === 'ending_reminder' && (
        <>
          <NumField label="Days before the end" min={1} max={365} value={days} onChange={setDays} error={err('daysBeforeEnd')} />
          {!program.endsAt && (
            <Alert variant="light" color="yellow" icon={<IconInfo />}>
              <Text size="sm">This program has no end date, so the reminder waits until one is set.</Text>
            </Alert>
          )}
        </>
      )}
      {kind === 'custom' && (
        <>
          <TextInput label="Subject" required value={subject} onChange={(e) => setSubject(e.currentTarget.value)} error={err('subject')} />
          <Textarea label="Text" required autosize minRows={4} value={text} onChange={(e) => setText(e.currentTarget.value)} error={err('text')} />
          <Text size="xs" c="dimmed">
            Variables, filled in per participant: {VARIABLES.map((v) => `{{${v}}}`).join(' ')}
          </Text>
        </>
      )}
      {kind !== 'custom' && (
        <Text size="xs" c="dimmed">
          The wording comes from the {PLAN_KIND_LABELS[kind].toLowerCase()} template;{' '}
          <Anchor component={Link} to="/message-templates" size="xs">
            edit it on the Message templates page
          </Anchor>
          .
        </Text>
      )}
      <Checkbox label="Enabled" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
      <ErrorAlert error={save.error} shown={['kind', 'name', 'cron', 'sendAt', 'daysBeforeEnd', 'subject', 'text']} />
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button onClick={() => save.mutate()} loading={save.isPending}>
          {entry ? 'Save' : 'Add to the plan'}
        </Button>
      </Group>
    </Stack>
  );
}

function EntryCard({ program, entry, manage, onEdit }: { program: Program; entry: PlanEntry; manage: boolean; onEdit(): void }) {
  const qc = useQueryClient();
  const [deleting, setDeleting] = useState(false);
  const [sending, setSending] = useState(false);
  const refresh = () => void qc.invalidateQueries({ queryKey: ['plans', program.id] });
  const toggle = useMutation({ mutationFn: (on: boolean) => plansApi.update(program.id, entry.id, { enabled: on }), onSuccess: refresh });
  const remove = useMutation({ mutationFn: () => plansApi.remove(program.id, entry.id), onSuccess: refresh });
  const send = useMutation({ mutationFn: () => plansApi.send(program.id, entry.id), onSuccess: refresh });
  const status = !entry.enabled ? { label: 'Disabled', color: 'gray' } : entry.waiting === 'sent' ? { label: 'Sent', color: 'teal' } : entry.nextRuns.length && !entry.waiting ? { label: 'Scheduled', color: 'green' } : { label: 'Waiting', color: 'yellow' };
  return (
    <Card withBorder padding="md" component="section" aria-label={`Plan entry ${entry.name}`}>
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <div style={{ minWidth: 0 }}>
          <Group gap="xs">
            <Title order={3} size="h5">
              {entry.name}
            </Title>
            <Badge variant="light" color={status.color}>
              {status.label}
            </Badge>
            {entry.name !== PLAN_KIND_LABELS[entry.kind] && (
              <Badge variant="outline" color="gray" tt="none">
                {PLAN_KIND_LABELS[entry.kind]}
              </Badge>
            )}
          </Group>
          <Text size="sm" mt={4}>
            {entry.timing}
            {entry.kind === 'custom' && entry.subject ? ` · “${entry.subject}”` : ''}
          </Text>
          {entry.nextRuns.length > 0 && (
            <Text size="sm" c="dimmed">
              Next: {entry.nextRuns.map((r) => r.local).join(' · ')}
            </Text>
          )}
          {entry.waiting && entry.waiting !== 'sent' && entry.waiting !== 'disabled' && (
            <Text size="sm" c="yellow.8">
              {entry.waiting[0]!.toUpperCase() + entry.waiting.slice(1)}.
            </Text>
          )}
          <Text size="xs" c="dimmed" mt={4}>
            {entry.lastRunAt ? `Last sent ${formatDateTime(entry.lastRunAt)} to ${plural(entry.lastRecipients ?? 0, 'participant')}` : 'Not sent yet'}
          </Text>
        </div>
        {manage && (
          <Group gap="xs" wrap="nowrap">
            <Switch aria-label={`Enable ${entry.name}`} checked={entry.enabled} onChange={(e) => toggle.mutate(e.currentTarget.checked)} disabled={toggle.isPending} />
            <Button size="xs" variant="default" onClick={onEdit}>
              Edit
            </Button>
            <Button size="xs" variant="light" onClick={() => setSending(true)} disabled={program.status !== 'active'} title={program.status !== 'active' ? 'Messages go only to a live program’s audience' : undefined}>
              Send now
            </Button>
            <Button size="xs" variant="subtle" color="red" onClick={() => setDeleting(true)}>
              Delete
            </Button>
          </Group>
        )}
      </Group>
      <ErrorAlert error={toggle.error} />
      <ConfirmModal opened={deleting} onClose={() => setDeleting(false)} title={`Delete “${entry.name}”?`} confirmLabel="Delete" loading={remove.isPending} onConfirm={() => remove.mutate(undefined, { onSuccess: () => setDeleting(false) })}>
        <Text size="sm">It leaves the plan; messages already sent stay in participants’ inboxes.</Text>
        <ErrorAlert error={remove.error} />
      </ConfirmModal>
      <ConfirmModal
        opened={sending}
        onClose={() => {
          setSending(false);
          send.reset();
        }}
        title={`Send “${entry.name}” now?`}
        confirmLabel={send.data ? 'Done' : 'Send now'}
        color="blue"
        loading={send.isPending}
        onConfirm={() => (send.data ? setSending(false) : send.mutate())}
      >
        {send.data ? (
          <Text size="sm">Sent to {plural(send.data.recipients, 'participant')}. Their inbox and email show it within a minute.</Text>
        ) : (
          <Text size="sm">Every participant of the program’s audience (less its holdout) gets this message now. The schedule does not change.</Text>
        )}
        <ErrorAlert error={send.error} />
      </ConfirmModal>
    </Card>
  );
}

function CadenceTile({ program, manage }: { program: Program; manage: boolean }) {
  const { can } = useSession();
  const qc = useQueryClient();
  const pages = useCursorStack();
  const q = useQuery({ queryKey: ['plans', program.id, 'cadence', pages.cursor], queryFn: () => plansApi.cadence(program.id, { limit: 10, cursor: pages.cursor }), staleTime: 15_000 });
  const [editing, setEditing] = useState(false);
  const [windowDays, setWindowDays] = useState<number | undefined>();
  const [target, setTarget] = useState<number | undefined>();
  const save = useMutation({
    mutationFn: () => plansApi.updateCadence(program.id, { ...(windowDays !== undefined ? { windowDays } : {}), ...(target !== undefined ? { target: target / 100 } : {}) }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['plans', program.id, 'cadence'] });
      setEditing(false);
    },
  });
  if (q.isPending) return <Loader size="sm" />;
  if (!q.data) return <ErrorAlert error={q.error} />;
  const c = q.data;
  const share = c.share === null ? null : Math.round(c.share * 1000) / 10;
  const targetPct = Math.round(c.target * 1000) / 10;
  const color = c.share === null ? 'gray' : c.belowTarget ? 'red' : 'green';
  return (
    <Card withBorder padding="lg" aria-label="Cadence">
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={2} size="h4">
            Cadence
          </Title>
          <Text size="sm" c="dimmed">
            Participants who received at least one message (any inbox message counts) in the last {plural(c.windowDays, 'day')}, since {formatDate(c.since)}.
          </Text>
        </div>
        {manage && (
          <Button
            size="xs"
            variant="default"
            onClick={() => {
              setWindowDays(c.windowDays);
              setTarget(targetPct);
              setEditing(true);
            }}
          >
            Window and target
          </Button>
        )}
      </Group>
      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm" mt="md">
        <Paper withBorder p="md" radius="md">
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            Reached
          </Text>
          <Text fz={26} fw={700} lh={1.25} c={c.belowTarget ? 'red.7' : undefined} data-testid="cadence-share">
            {share === null ? '—' : `${share}%`}
          </Text>
          <Progress value={share ?? 0} color={color} mt={6} aria-label="Share reached" />
          <Text size="xs" c="dimmed" mt={4}>
            {formatNumber(c.reached)} of {plural(c.audienceSize, 'participant')} · target {targetPct}%
          </Text>
        </Paper>
        <Paper withBorder p="md" radius="md">
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            Not reached
          </Text>
          <Text fz={26} fw={700} lh={1.25}>
            {formatNumber(c.notReachedCount)}
          </Text>
          <Text size="xs" c="dimmed">
            no message in the window
          </Text>
        </Paper>
        <Paper withBorder p="md" radius="md">
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            Status
          </Text>
          <Badge variant="light" color={color} size="lg" mt={4}>
            {c.share === null ? 'No audience' : c.belowTarget ? 'Below target' : 'On target'}
          </Badge>
          <Text size="xs" c="dimmed" mt={6}>
            {c.lastAlertAt ? `Managers alerted ${formatDateTime(c.lastAlertAt)}` : 'Managers are alerted when the share falls under the target (at most once a window)'}
          </Text>
        </Paper>
      </SimpleGrid>
      {c.belowTarget && program.status === 'active' && (
        <Alert variant="light" color="red" icon={<IconAlert />} mt="md">
          <Text size="sm">Fewer participants heard from the program than the target. A scheduled progress statement or an announcement below reaches all of them.</Text>
        </Alert>
      )}
      {c.notReached.data.length > 0 && (
        <>
          <Title order={3} size="h5" mt="lg" mb="xs">
            Not reached in the last {plural(c.windowDays, 'day')}
          </Title>
          <Table striped withTableBorder>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Participant</Table.Th>
                <Table.Th>Last message</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {c.notReached.data.map((p) => (
                <Table.Tr key={p.id}>
                  <Table.Td>{can('wallets.read') ? <Anchor component={Link} to={`/people/${p.id}/wallet`} size="sm">{p.name ?? p.id}</Anchor> : (p.name ?? p.id)}</Table.Td>
                  <Table.Td>{p.lastMessageAt ? formatDateTime(p.lastMessageAt) : <Text span size="sm" c="dimmed">Never</Text>}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {(pages.page > 0 || c.notReached.nextCursor) && <CursorPager page={pages.page} nextCursor={c.notReached.nextCursor} onPrevious={pages.previous} onNext={() => pages.next(c.notReached.nextCursor)} count={c.notReached.data.length} loading={q.isFetching} />}
        </>
      )}
      <Modal opened={editing} onClose={() => setEditing(false)} title="Cadence window and target">
        <Stack gap="sm">
          <NumField label="Window (days)" description="A participant counts as reached with a message this many days back" min={1} max={90} value={windowDays} onChange={setWindowDays} error={fieldError(save.error, 'windowDays')} />
          <NumField label="Target (% of the audience)" description="Under it, the program’s managers are alerted" min={0} max={100} value={target} onChange={setTarget} error={fieldError(save.error, 'target')} />
          <ErrorAlert error={save.error} shown={['windowDays', 'target']} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setEditing(false)}>
              Cancel
            </Button>
            <Button onClick={() => save.mutate()} loading={save.isPending}>
              Save
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Card>
  );
}

/** The program's Communication tab: its cadence, and the plan of messages to its audience. */
export function CommunicationPanel({ program }: { program: Program }) {
  const { can, session } = useSession();
  const manage = can('programs.manage');
  const plan = useQuery({ queryKey: ['plans', program.id, 'entries'], queryFn: () => plansApi.list(program.id) });
  const [editing, setEditing] = useState<PlanEntry | 'new' | null>(null);
  const timezone = plan.data?.timezone ?? session.workspace.timezone;
  return (
    <Stack gap="lg">
      <CadenceTile program={program} manage={manage} />
      <Stack gap="sm">
        <Group justify="space-between">
          <div>
            <Title order={2} size="h4">
              Communication plan
            </Title>
            <Text size="sm" c="dimmed">
              Messages to the program’s audience (less its holdout), by inbox and email. Times are in the workspace time zone, {timezone}.
            </Text>
          </div>
          {manage && program.status !== 'ended' && (
            <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')}>
              Add message
            </Button>
          )}
        </Group>
        <ErrorAlert error={plan.error} />
        {plan.isPending && <Loader size="sm" />}
        {plan.data?.data.length === 0 && (
          <Paper withBorder p="lg" radius="md">
            <Text size="sm">No messages planned yet.</Text>
            <Text size="sm" c="dimmed">
              A typical plan: a launch announcement when the program goes live, a weekly progress statement, and a reminder a week before the end.
            </Text>
          </Paper>
        )}
        {plan.data?.data.map((e) => <EntryCard key={e.id} program={program} entry={e} manage={manage} onEdit={() => setEditing(e)} />)}
      </Stack>
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' || editing === null ? 'Add a message to the plan' : `Edit the message (${PLAN_KIND_LABELS[editing.kind].toLowerCase()})`} size="lg">
        {editing !== null && <EntryEditor key={editing === 'new' ? 'new' : editing.id} program={program} entry={editing === 'new' ? null : editing} timezone={timezone} onClose={() => setEditing(null)} />}
      </Modal>
    </Stack>
  );
}
