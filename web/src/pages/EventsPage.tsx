import { Fragment, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ActionIcon, Alert, Anchor, Badge, Button, Code, Group, Modal, Paper, Select, SimpleGrid, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { eventsApi } from '../api/endpoints';
import type { Account, EffectOutcome, EventStatus, Person, Program, TandemEvent } from '../api/types';
import { useSession } from '../session';
import { PageHeader } from '../components/PageHeader';
import { CursorPager } from '../components/CursorPager';
import { ErrorAlert, fieldError } from '../components/ErrorAlert';
import { AccountSelect, PersonSelect, clearProps } from '../components/Pickers';
import { IconChevronDown } from '../components/icons';
import { dateInputToIso, formatDate, formatDateTime, formatNumber } from '../lib/format';
import { ruleName } from '../lib/rules';
import { personLabel, useAccountsByIdList, useEventTypes, usePeopleByIdList, useProgramsById, useTeams } from '../lib/queries';
import { useCursorStack } from '../lib/paging';

const PAGE_SIZE = 50;

export const OUTCOME_LABELS: Record<EffectOutcome, string> = {
  awarded: 'Awarded',
  capped: 'Capped',
  budget_exhausted: 'Budget ran out',
  holdout: 'Held out',
  no_recipient: 'No recipient',
};
export const OUTCOME_COLORS: Record<EffectOutcome, string> = { awarded: 'green', capped: 'orange', budget_exhausted: 'red', holdout: 'gray', no_recipient: 'gray' };
const OUTCOME_HINTS: Record<EffectOutcome, string> = {
  awarded: '',
  capped: 'a cap held back some or all of it',
  budget_exhausted: 'the program’s budget was spent',
  holdout: 'the person is in the program’s holdout group',
  no_recipient: 'nobody to pay (no manager or account team)',
};

function formatValue(v: unknown) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return formatNumber(v, 6);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** What an event did, in one line: "+500 points", "capped", "no effect". */
function EffectSummary({ e, points }: { e: TandemEvent; points: string }) {
  const paid = e.effects.reduce((s, f) => s + f.points, 0);
  const outcomes = [...new Set(e.effects.map((f) => f.outcome))];
  if (!e.effects.length)
    return (
      <Text size="sm" c="dimmed">
        No effect
      </Text>
    );
  return (
    <Group gap={6} wrap="nowrap">
      {paid !== 0 && (
        <Text size="sm" fw={600} c={e.status === 'reversed' ? 'dimmed' : paid > 0 ? 'green.8' : 'red.7'} td={e.status === 'reversed' ? 'line-through' : undefined}>
          {paid > 0 ? '+' : ''}
          {formatNumber(paid)} {points}
        </Text>
      )}
      {outcomes
        .filter((o) => o !== 'awarded')
        .map((o) => (
          <Badge key={o} size="xs" variant="light" color={OUTCOME_COLORS[o]}>
            {OUTCOME_LABELS[o]}
          </Badge>
        ))}
    </Group>
  );
}

function EventDetails({
  e,
  people,
  accounts,
  programs,
  teamName,
  points,
  canReverse,
  onReverse,
}: {
  e: TandemEvent;
  people: Map<string, Person>;
  accounts: Map<string, Account>;
  programs: Map<string, Program>;
  teamName(id: string): string;
  points: string;
  canReverse: boolean;
  onReverse(): void;
}) {
  const props = Object.entries(e.properties);
  const who = (id: string | null) => {
    if (!id) return '—';
    const p = people.get(id);
    return p ? personLabel(p) : '…';
  };
  return (
    <Stack gap="md" p="md" bg="gray.0" style={{ borderRadius: 8 }} aria-label={`Details of event ${e.id}`} role="region">
      {e.status === 'reversed' && (
        <Alert variant="light" color="red" title={`Reversed ${formatDateTime(e.reversedAt)}`}>
          <Text size="sm">Reason: {e.reversalReason ?? '—'}. Every transfer it caused was taken back.</Text>
        </Alert>
      )}
      {e.reverses && (
        <Alert variant="light" color="gray" title="A reversal sent by the source">
          <Text size="sm">
            This event cancels <Code>{e.reverses}</Code>.
          </Text>
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <div>
          <Title order={3} size="h6" mb={6}>
            Properties
          </Title>
          {props.length === 0 ? (
            <Text size="sm" c="dimmed">
              None
            </Text>
          ) : (
            <Table withRowBorders={false} verticalSpacing={2} highlightOnHover={false} aria-label="Properties">
              <Table.Tbody>
                {props.map(([k, v]) => (
                  <Table.Tr key={k}>
                    <Table.Td w="40%">
                      <Text size="sm" c="dimmed">
                        {k}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{formatValue(v)}</Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </div>
        <div>
          <Title order={3} size="h6" mb={6}>
            Event
          </Title>
          <Table withRowBorders={false} verticalSpacing={2} highlightOnHover={false}>
            <Table.Tbody>
              {[
                ['Tandem id', <Code key="a">{e.eventId}</Code>],
                ['Sender’s id', <Code key="b">{e.id}</Code>],
                ['Source', e.source],
                ['Occurred', formatDateTime(e.occurredAt)],
                ['Received', formatDateTime(e.receivedAt)],
                ['Account', e.accountId ? (accounts.get(e.accountId)?.name ?? '…') : '—'],
                ['Team', e.teamId ? teamName(e.teamId) : '—'],
              ].map(([k, v], i) => (
                <Table.Tr key={i}>
                  <Table.Td w="40%">
                    <Text size="sm" c="dimmed">
                      {k}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" component="div">
                      {v}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      </SimpleGrid>
      <div>
        <Title order={3} size="h6" mb={6}>
          Effects
        </Title>
        {e.effects.length === 0 ? (
          <Text size="sm" c="dimmed">
            No program acted on this event (no active program for this person and event type, or no rule matched).
          </Text>
        ) : (
          <Table aria-label="Effects" highlightOnHover={false} bg="white">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Program</Table.Th>
                <Table.Th>Rule</Table.Th>
                <Table.Th>Outcome</Table.Th>
                <Table.Th>Recipient</Table.Th>
                <Table.Th ta="right">{points[0]!.toUpperCase() + points.slice(1)}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {e.effects.map((f, i) => {
                const prog = programs.get(f.programId);
                return (
                  <Table.Tr key={i}>
                    <Table.Td>
                      {prog ? (
                        <Anchor component={Link} to={`/programs/${f.programId}`} size="sm">
                          {prog.name}
                        </Anchor>
                      ) : (
                        <Code>{f.programId}</Code>
                      )}
                      <Text size="xs" c="dimmed">
                        version {f.programVersion}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{ruleName(prog, f.ruleId) ?? '—'}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={OUTCOME_COLORS[f.outcome]}>
                        {OUTCOME_LABELS[f.outcome]}
                      </Badge>
                      {OUTCOME_HINTS[f.outcome] && (
                        <Text size="xs" c="dimmed">
                          {OUTCOME_HINTS[f.outcome]}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      {f.recipientId ? (
                        <Anchor component={Link} to={`/people/${f.recipientId}/wallet`} size="sm">
                          {who(f.recipientId)}
                        </Anchor>
                      ) : (
                        <Text size="sm" c="dimmed">
                          —
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td ta="right">
                      <Text size="sm" fw={600} td={e.status === 'reversed' ? 'line-through' : undefined}>
                        {formatNumber(f.points)}
                      </Text>
                      {f.pointsDue !== f.points && (
                        <Text size="xs" c="dimmed">
                          of {formatNumber(f.pointsDue)} due
                        </Text>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        )}
      </div>
      {canReverse && e.status === 'accepted' && !e.reverses && (
        <Group justify="flex-end">
          <Button color="red" variant="light" onClick={onReverse}>
            Reverse this event
          </Button>
        </Group>
      )}
    </Stack>
  );
}

function ReverseModal({ event: current, onClose, personName, points }: { event: TandemEvent | null; onClose(): void; personName: string; points: string }) {
  const qc = useQueryClient();
  // The dialog keeps its last event while it fades out.
  const [last, setLast] = useState(current);
  if (current && current !== last) setLast(current);
  const event = current ?? last;
  const [reason, setReason] = useState('');
  const reverse = useMutation({
    mutationFn: () => eventsApi.reverse(event!.eventId, reason.trim()),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['events'] });
      void qc.invalidateQueries({ queryKey: ['wallet'] });
      void qc.invalidateQueries({ queryKey: ['programs'] });
      setReason('');
      onClose();
    },
  });
  const close = () => {
    reverse.reset();
    setReason('');
    onClose();
  };
  const paid = event?.effects.reduce((s, f) => s + f.points, 0) ?? 0;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (reason.trim()) reverse.mutate();
  };
  return (
    <Modal opened={current !== null} onClose={close} title="Reverse this event?" size="md">
      {event && (
        <form onSubmit={submit} noValidate>
          <Stack gap="md">
            <Text size="sm">
              <Code>{event.type}</Code> for {personName}, {formatDateTime(event.occurredAt)}.{' '}
              {paid > 0 ? `The ${formatNumber(paid)} ${points} it awarded are taken back from the people who received them; ` : 'It awarded nothing; '}
              the event stays in the log, marked reversed. This cannot be undone.
            </Text>
            <Textarea
              label="Reason"
              required
              description="Kept with the event and shown in the wallet history of everyone affected"
              placeholder="For example: entered twice"
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value)}
              error={fieldError(reverse.error, 'reason')}
              autosize
              minRows={2}
              data-autofocus
            />
            <ErrorAlert error={reverse.error} shown={['reason']} />
            <Group justify="flex-end" gap="sm">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" color="red" loading={reverse.isPending} disabled={!reason.trim()}>
                Reverse event
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

export default function EventsPage() {
  const { can, session } = useSession();
  const points = session.workspace.pointsLabel;
  const [params] = useSearchParams();
  const [personId, setPersonId] = useState<string | null>(() => (/^per_[0-9a-z]{26}$/.test(params.get('personId') ?? '') ? params.get('personId') : null));
  const [accountId, setAccountId] = useState<string | null>(() => (/^acc_[0-9a-z]{26}$/.test(params.get('accountId') ?? '') ? params.get('accountId') : null));
  const [type, setType] = useState<string | null>(null);
  const [source, setSource] = useState('');
  const [debouncedSource] = useDebouncedValue(source.trim(), 300);
  const [status, setStatus] = useState<EventStatus | null>(null);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const pager = useCursorStack();
  const [open, setOpen] = useState<Set<string>>(new Set());
  const [reversing, setReversing] = useState<TandemEvent | null>(null);
  const page = pager.page;
  const reset = () => pager.reset();

  const filters = {
    personId: personId ?? undefined,
    accountId: accountId ?? undefined,
    type: type ?? undefined,
    source: debouncedSource || undefined,
    status: status ?? undefined,
    from: dateInputToIso(from),
    to: dateInputToIso(to, true),
  };
  const list = useQuery({
    queryKey: ['events', 'list', filters, pager.cursor],
    queryFn: () => eventsApi.list({ ...filters, limit: PAGE_SIZE, cursor: pager.cursor }),
    placeholderData: keepPreviousData,
  });
  const rows = list.data?.data ?? [];
  const eventTypes = useEventTypes();
  const people = usePeopleByIdList(rows.flatMap((e) => [e.personId, ...e.effects.map((f) => f.recipientId)]));
  const accounts = useAccountsByIdList(rows.map((e) => e.accountId), can('org.read'));
  const programs = useProgramsById(can('programs.read'));
  const teams = useTeams(can('org.read'));
  const teamName = (id: string) => teams.data?.find((t) => t.id === id)?.name ?? '…';
  const filtered = !!(personId || accountId || type || debouncedSource || status || from || to);
  const toggle = (id: string) =>
    setOpen((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  return (
    <>
      <PageHeader title="Events" description={`What your systems reported, latest received first, and what each event did: the ${points} it awarded, to whom, under which rule.`} />
      <Paper withBorder p="md" mb="md">
        <Group gap="sm" align="flex-end" wrap="wrap">
          <PersonSelect
            label="Person"
            placeholder="Anyone"
            value={personId}
            onChange={(v) => {
              setPersonId(v);
              reset();
            }}
            style={{ flex: '2 1 240px' }}
          />
          <AccountSelect
            label="Account"
            placeholder="Any account"
            value={accountId}
            onChange={(v) => {
              setAccountId(v);
              reset();
            }}
            style={{ flex: '2 1 220px' }}
          />
          <Select
            label="Type"
            placeholder="All types"
            searchable
            clearable
            clearButtonProps={clearProps('Type')}
            data={(eventTypes.data ?? []).map((t) => t.name)}
            value={type}
            onChange={(v) => {
              setType(v);
              reset();
            }}
            style={{ flex: '1 1 190px' }}
          />
          <TextInput
            label="Source"
            placeholder="Any source"
            value={source}
            onChange={(e) => {
              setSource(e.currentTarget.value);
              reset();
            }}
            style={{ flex: '1 1 120px' }}
          />
          <Select
            label="Status"
            placeholder="Any status"
            clearable
            clearButtonProps={clearProps('Status')}
            data={[
              { value: 'accepted', label: 'Accepted' },
              { value: 'reversed', label: 'Reversed' },
            ]}
            value={status}
            onChange={(v) => {
              setStatus(v);
              reset();
            }}
            style={{ flex: '1 1 130px' }}
          />
          <TextInput
            label="Occurred from"
            type="date"
            value={from}
            onChange={(e) => {
              setFrom(e.currentTarget.value);
              reset();
            }}
            style={{ flex: '1 1 150px' }}
          />
          <TextInput
            label="Occurred to"
            type="date"
            value={to}
            onChange={(e) => {
              setTo(e.currentTarget.value);
              reset();
            }}
            style={{ flex: '1 1 150px' }}
          />
        </Group>
      </Paper>
      <ErrorAlert error={list.error} />
      <Paper withBorder>
        <Table.ScrollContainer minWidth={900}>
          <Table aria-label="Events" aria-busy={list.isFetching}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={44}>
                  <span className="visually-hidden">Details</span>
                </Table.Th>
                <Table.Th>Occurred</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Person</Table.Th>
                <Table.Th>Source</Table.Th>
                <Table.Th>Effect</Table.Th>
                <Table.Th>Status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((e) => {
                const expanded = open.has(e.eventId);
                const p = people.get(e.personId);
                return (
                  <Fragment key={e.eventId}>
                    <Table.Tr className="tandem-row-link" onClick={(ev) => !(ev.target as HTMLElement).closest('a,button') && toggle(e.eventId)} bg={expanded ? 'gray.0' : undefined}>
                      <Table.Td>
                        <ActionIcon
                          variant="subtle"
                          color="gray"
                          aria-expanded={expanded}
                          aria-label={`${expanded ? 'Hide' : 'Show'} details of ${e.type} ${e.id}`}
                          onClick={() => toggle(e.eventId)}
                          style={{ transform: expanded ? 'rotate(180deg)' : undefined, transition: 'transform 120ms' }}
                        >
                          <IconChevronDown size={16} />
                        </ActionIcon>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{formatDateTime(e.occurredAt)}</Text>
                        {e.receivedAt.slice(0, 10) !== e.occurredAt.slice(0, 10) && (
                          <Text size="xs" c="dimmed">
                            received {formatDate(e.receivedAt)}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" ff="monospace">
                          {e.type}
                        </Text>
                        <Text size="xs" c="dimmed" truncate maw={220}>
                          {e.id}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        {p ? (
                          <Anchor component={Link} to={`/people/${e.personId}/wallet`} size="sm">
                            {personLabel(p)}
                          </Anchor>
                        ) : (
                          <Text size="sm">…</Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{e.source}</Text>
                      </Table.Td>
                      <Table.Td>
                        <EffectSummary e={e} points={points} />
                      </Table.Td>
                      <Table.Td>
                        {e.reverses ? (
                          <Badge variant="light" color="gray">
                            Reversal
                          </Badge>
                        ) : (
                          <Badge variant="dot" color={e.status === 'reversed' ? 'red' : 'green'}>
                            {e.status === 'reversed' ? 'Reversed' : 'Accepted'}
                          </Badge>
                        )}
                      </Table.Td>
                    </Table.Tr>
                    {expanded && (
                      <Table.Tr>
                        <Table.Td colSpan={7} p="xs">
                          <EventDetails
                            e={e}
                            people={people}
                            accounts={accounts}
                            programs={programs}
                            teamName={teamName}
                            points={points}
                            canReverse={can('events.reverse')}
                            onReverse={() => setReversing(e)}
                          />
                        </Table.Td>
                      </Table.Tr>
                    )}
                  </Fragment>
                );
              })}
              {!list.isPending && !list.isError && rows.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={7}>
                    <Stack align="center" gap={4} py="xl">
                      <Text fw={500}>{filtered ? 'No event matches these filters' : 'No events yet'}</Text>
                      <Text size="sm" c="dimmed">
                        {filtered ? 'Try another filter or a wider date range.' : 'Events arrive through the API (POST /api/v1/events) from your CRM, LMS or helpdesk.'}
                      </Text>
                    </Stack>
                  </Table.Td>
                </Table.Tr>
              )}
              {list.isPending && (
                <Table.Tr>
                  <Table.Td colSpan={7}>
                    <Text size="sm" c="dimmed" ta="center" py="xl">
                      Loading events…
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
      <ReverseModal
        event={reversing}
        onClose={() => setReversing(null)}
        points={points}
        personName={reversing && people.get(reversing.personId) ? personLabel(people.get(reversing.personId)!) : 'this person'}
      />
    </>
  );
}
