import { useState } from 'react';
import { ActionIcon, Button, Group, NumberInput, Paper, Select, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { triggersApi, type PersonRef, type Survey, type SurveyTrigger } from '../api/surveys';
import type { Comparison, Condition } from '../api/types';
import { useEventTypes } from '../lib/queries';
import { describeCondition, rowsToCondition } from '../lib/rules';
import { AllOfConditions, PathErrors } from './RuleBuilder';
import { plural } from '../lib/format';
import { ErrorAlert, fieldError } from './ErrorAlert';
import { ConfirmModal } from './ConfirmModal';
import { IconPlus, IconTrash } from './icons';

const UNITS = [
  { value: '1', label: 'minutes' },
  { value: '60', label: 'hours' },
  { value: '1440', label: 'days' },
];

/** "2 hours", "90 minutes", "at once". */
function describeDelay(minutes: number) {
  if (minutes === 0) return 'at once';
  if (minutes % 1440 === 0) return plural(minutes / 1440, 'day');
  if (minutes % 60 === 0) return plural(minutes / 60, 'hour');
  return plural(minutes, 'minute');
}

const describeRef = (ref: PersonRef | null, none: string) => (ref === null ? none : ref === 'person' ? 'the event’s person' : `the person in “${ref.property}”`);

type Who = 'person' | 'property' | 'none';

/** Picks who a trigger means: the event's person, or the person whose external id is in a property. */
function PersonRefFields({ label, description, who, property, properties, allowNone, onWho, onProperty, error }: { label: string; description: string; who: Who; property: string | null; properties: string[]; allowNone: boolean; onWho(w: Who): void; onProperty(p: string | null): void; error?: string }) {
  const options = [...(allowNone ? [{ value: 'none', label: 'Not recorded' }] : []), { value: 'person', label: 'The event’s person' }, { value: 'property', label: 'A person named in a property' }];
  return (
    <Stack gap={6}>
      <Select label={label} description={description} data={options} value={who} onChange={(v) => onWho((v ?? 'person') as Who)} allowDeselect={false} error={who === 'property' ? undefined : error} />
      {who === 'property' && (
        <Select
          label={`${label}: property`}
          description="Holds the person’s external id (e.g. contactExternalId)"
          placeholder={properties.length ? 'Pick a property' : 'This event type names no person'}
          data={properties}
          value={property}
          onChange={onProperty}
          error={error}
        />
      )}
    </Stack>
  );
}

/**
 * A survey's event triggers (`/api/v1/surveys/{id}/triggers`): a CSAT two hours after a ticket is
 * resolved, an NPS after a renewal. Identified and confidential surveys only (the builder shows it
 * for those): an invitation tied to one event would say who answered an anonymous one.
 */
export function SurveyTriggersCard({ survey }: { survey: Survey }) {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['survey-triggers', survey.id], queryFn: () => triggersApi.list(survey.id) });
  const types = useEventTypes(survey.status !== 'closed');
  const [on, setOn] = useState<string | null>(null);
  const [sendTo, setSendTo] = useState<Who>('person');
  const [sendToProperty, setSendToProperty] = useState<string | null>(null);
  const [handledBy, setHandledBy] = useState<Who>('none');
  const [handledByProperty, setHandledByProperty] = useState<string | null>(null);
  const [delay, setDelay] = useState<number | string>(2);
  const [unit, setUnit] = useState('60');
  const [oncePerDays, setOncePerDays] = useState<number | string>(30);
  const [conditions, setConditions] = useState<Comparison[]>([]);
  const [removing, setRemoving] = useState<SurveyTrigger | null>(null);
  const type = types.data?.find((t) => t.name === on);
  // A person is named by external id: properties typed person first, then text ones.
  const textProperties = type ? Object.entries(type.properties).filter(([, p]) => p.type === 'person' || p.type === 'string').sort(([, a], [, b]) => Number(b.type === 'person') - Number(a.type === 'person')).map(([name]) => name) : [];
  const ref = (who: Who, property: string | null): PersonRef | null => (who === 'none' ? null : who === 'person' ? 'person' : { property: property ?? '' });

  const create = useMutation({
    mutationFn: () =>
      triggersApi.create(survey.id, {
        on: on ?? '',
        sendTo: ref(sendTo, sendToProperty) ?? 'person',
        handledBy: ref(handledBy, handledByProperty),
        delayMinutes: Math.round(Number(delay || 0) * Number(unit)),
        oncePerDays: Number(oncePerDays || 0),
        ...(conditions.length ? { if: rowsToCondition('all', conditions) } : {}),
      }),
    onSuccess: async () => {
      setOn(null);
      setSendTo('person');
      setSendToProperty(null);
      setHandledBy('none');
      setHandledByProperty(null);
      setDelay(2);
      setUnit('60');
      setOncePerDays(30);
      setConditions([]);
      await qc.invalidateQueries({ queryKey: ['survey-triggers', survey.id] });
    },
  });
  const conditionErrors = new PathErrors(create.error);
  const remove = useMutation({
    mutationFn: (t: SurveyTrigger) => triggersApi.remove(survey.id, t.id),
    onSuccess: async () => {
      setRemoving(null);
      await qc.invalidateQueries({ queryKey: ['survey-triggers', survey.id] });
    },
  });

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label="Sent after events">
      <Stack gap="sm">
        <div>
          <Title order={2} size="h4">Sent after events</Title>
          <Text size="sm" c="dimmed">
            Invite the customer or contact an event is about, a while after it happens — a CSAT two hours after a support ticket is resolved, an NPS after a renewal. Each contact is asked at most once in the period you set; a reversed event sends nothing.
          </Text>
        </div>
        {list.data && list.data.length > 0 && (
          <Table.ScrollContainer minWidth={640}>
            <Table striped aria-label="Triggers">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>After</Table.Th>
                  <Table.Th>Invites</Table.Th>
                  <Table.Th>Handled by</Table.Th>
                  <Table.Th>When</Table.Th>
                  <Table.Th>At most</Table.Th>
                  <Table.Th ta="right">Sent</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.data.map((t) => (
                  <Table.Tr key={t.id}>
                    <Table.Td>
                      <Text size="sm" ff="monospace">{t.on}</Text>
                      {t.if != null && <Text size="xs" c="dimmed">only when {describeCondition(t.if as Condition, types.data?.find((x) => x.name === t.on))}</Text>}
                    </Table.Td>
                    <Table.Td>{describeRef(t.sendTo, '—')}</Table.Td>
                    <Table.Td>{describeRef(t.handledBy, 'not recorded')}</Table.Td>
                    <Table.Td>{t.delayMinutes === 0 ? 'at once' : `${describeDelay(t.delayMinutes)} later`}</Table.Td>
                    <Table.Td>{t.oncePerDays === 0 ? 'every event' : `once in ${plural(t.oncePerDays, 'day')}`}</Table.Td>
                    <Table.Td ta="right">{t.sent.toLocaleString()}</Table.Td>
                    <Table.Td ta="right">
                      <ActionIcon variant="subtle" color="red" aria-label={`Remove the trigger on ${t.on}`} onClick={() => setRemoving(t)}>
                        <IconTrash />
                      </ActionIcon>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {list.data?.length === 0 && <Text size="sm" c="dimmed">No triggers yet{survey.status === 'closed' ? '.' : ': people are invited when the survey opens, and by reminders.'}</Text>}
        {survey.status === 'closed' ? (
          <Text size="sm">The survey is closed: its triggers no longer send.</Text>
        ) : (
          <Stack gap="sm" component="form" aria-label="New trigger" onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
              <Select
                label="After this event"
                placeholder="Pick an event type"
                searchable
                data={(types.data ?? []).map((t) => ({ value: t.name, label: t.name }))}
                value={on}
                onChange={(v) => { setOn(v); setSendToProperty(null); setHandledByProperty(null); setConditions([]); }}
                error={fieldError(create.error, 'on')}
              />
              <Group gap="xs" align="flex-end" wrap="nowrap">
                <NumberInput label="Wait" description="After the event happened" min={0} value={delay} onChange={setDelay} error={fieldError(create.error, 'delayMinutes')} style={{ flex: 1 }} maw={200} />
                <Select aria-label="Unit" data={UNITS} value={unit} onChange={(v) => setUnit(v ?? '60')} allowDeselect={false} w={120} />
              </Group>
              <PersonRefFields label="Invite" description="Who gets the survey" who={sendTo} property={sendToProperty} properties={textProperties} allowNone={false} onWho={setSendTo} onProperty={setSendToProperty} error={fieldError(create.error, 'sendTo')} />
              <PersonRefFields label="Handled by" description="The employee whose work it rates, kept with the answer" who={handledBy} property={handledByProperty} properties={textProperties} allowNone onWho={setHandledBy} onProperty={setHandledByProperty} error={fieldError(create.error, 'handledBy')} />
              <NumberInput label="At most once per contact in (days)" description="0: after every event" min={0} max={365} value={oncePerDays} onChange={setOncePerDays} error={fieldError(create.error, 'oncePerDays')} />
            </SimpleGrid>
            <AllOfConditions
              title="Only when"
              none="No conditions: every event of this type sends it (say, only urgent tickets, or only gold accounts)."
              some="All of these must hold for the event to send the survey."
              rowLabel="Trigger condition"
              conditions={conditions}
              onChange={setConditions}
              type={type}
              path="if"
              errors={conditionErrors}
              disabled={!on}
            />
            <ErrorAlert error={create.error} shown={['on', 'sendTo', 'handledBy', 'delayMinutes', 'oncePerDays', ...conditions.flatMap((_, i) => ['fact', 'op', 'value'].map((k) => `if.all.${i}.${k}`))]} />
            <Group>
              <Button type="submit" leftSection={<IconPlus />} loading={create.isPending} disabled={!on}>Add trigger</Button>
              {survey.status === 'draft' && <Text size="sm" c="dimmed">Triggers send once the survey is open.</Text>}
            </Group>
          </Stack>
        )}
      </Stack>
      <ConfirmModal opened={removing !== null} onClose={() => setRemoving(null)} onConfirm={() => removing && remove.mutate(removing)} title="Remove this trigger?" confirmLabel="Remove trigger" loading={remove.isPending}>
        <Text size="sm">Events from now on no longer invite anyone. Invitations already sent stay valid.</Text>
        <ErrorAlert error={remove.error} />
      </ConfirmModal>
    </Paper>
  );
}
