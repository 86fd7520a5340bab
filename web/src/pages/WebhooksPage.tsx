import { useState, type FormEvent } from 'react';
import { Alert, Badge, Button, Checkbox, Code, Group, Modal, Paper, Stack, Table, Tabs, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { deadLettersApi, webhooksApi, WEBHOOK_TYPES, type DeadLetter, type WebhookDelivery, type WebhookEndpoint, type WebhookEndpointWithSecret } from '../api/webhooks';
import { PageHeader } from '../components/PageHeader';
import { ConfirmModal } from '../components/ConfirmModal';
import { CursorPager } from '../components/CursorPager';
import { ErrorAlert, fieldError } from '../components/ErrorAlert';
import { SecretBox } from '../components/SecretBox';
import { IconPlus } from '../components/icons';
import { formatDate, formatDateTime } from '../lib/format';
import { useCursorStack } from '../lib/paging';

const TYPE_HELP: Record<string, string> = {
  'event.accepted': 'an event was stored and applied',
  'points.awarded': 'a rule or goal tier paid points to someone',
  'goal.tier_reached': 'someone crossed a goal tier',
  'webhook.disabled': 'Tandem disabled an endpoint after 3 days of failures',
};

function endpointState(e: WebhookEndpoint): { label: string; color: string; hint?: string } {
  if (!e.enabled) return { label: 'Disabled', color: 'gray', hint: e.disabledReason ?? undefined };
  if (e.failingSince) return { label: 'Failing', color: 'orange', hint: `Failing since ${formatDateTime(e.failingSince)}; disabled after 3 days` };
  return { label: 'Active', color: 'green' };
}

/** A delivery's state in words: a pending one that has been tried is being retried. */
function deliveryState(d: WebhookDelivery): { label: string; color: string } {
  if (d.status === 'pending') return d.attempts.length ? { label: 'retrying', color: 'orange' } : { label: 'queued', color: 'blue' };
  return { delivered: { label: 'delivered', color: 'green' }, dead: { label: 'gave up', color: 'red' }, discarded: { label: 'discarded', color: 'gray' } }[d.status];
}

function EventTypesField({ value, onChange, error }: { value: string[]; onChange(v: string[]): void; error?: string }) {
  const all = value.includes('*');
  return (
    <Checkbox.Group label="Message types" description="What this endpoint receives." value={value} onChange={onChange} error={error} required>
      <Stack gap={6} mt={6}>
        <Checkbox value="*" label="Every type, including those added later" />
        {WEBHOOK_TYPES.map((t) => (
          <Checkbox key={t} value={t} disabled={all} label={<><Code>{t}</Code> <Text span size="sm" c="dimmed">{TYPE_HELP[t]}</Text></>} />
        ))}
      </Stack>
    </Checkbox.Group>
  );
}

function CreateEndpointForm({ onCreated, onCancel }: { onCreated(e: WebhookEndpointWithSecret): void; onCancel(): void }) {
  const qc = useQueryClient();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [types, setTypes] = useState<string[]>(['points.awarded']);
  const create = useMutation({
    mutationFn: () => webhooksApi.create({ url: url.trim(), description: description.trim(), eventTypes: types.includes('*') ? ['*'] : types }),
    onSuccess: (e) => {
      void qc.invalidateQueries({ queryKey: ['webhooks'] });
      onCreated(e);
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
        <TextInput label="URL" description="Where Tandem POSTs each message (http or https)." placeholder="https://crm.example.com/tandem" required value={url} onChange={(e) => setUrl(e.currentTarget.value)} error={fieldError(err, 'url')} data-autofocus />
        <TextInput label="Description" description="Optional: what receives these messages." placeholder="e.g. CRM: points on the contact record" value={description} onChange={(e) => setDescription(e.currentTarget.value)} error={fieldError(err, 'description')} />
        <EventTypesField value={types} onChange={setTypes} error={fieldError(err, 'eventTypes')} />
        <ErrorAlert error={err} shown={['url', 'description', 'eventTypes']} />
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending} disabled={!url.trim() || !types.length}>
            Add endpoint
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function lastAttempt(d: WebhookDelivery) {
  const a = d.attempts[d.attempts.length - 1];
  if (!a) return <Text size="sm" c="dimmed">Not tried yet</Text>;
  return (
    <Text size="sm">
      {a.statusCode ? `HTTP ${a.statusCode}` : a.error ?? 'no answer'} · {a.durationMs} ms
    </Text>
  );
}

function DeliveryLog({ endpoint }: { endpoint: WebhookEndpoint }) {
  const qc = useQueryClient();
  const pager = useCursorStack();
  const cursor = pager.cursor;
  const page = useQuery({ queryKey: ['webhooks', endpoint.id, 'deliveries', cursor], queryFn: () => webhooksApi.deliveries(endpoint.id, cursor) });
  const replay = useMutation({
    mutationFn: (d: WebhookDelivery) => webhooksApi.replay(endpoint.id, d.id),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['webhooks', endpoint.id, 'deliveries'] }),
  });
  const rows = page.data?.data ?? [];
  return (
    <Stack gap="sm">
      <ErrorAlert error={page.error ?? replay.error} />
      <Table.ScrollContainer minWidth={760}>
        <Table aria-label={`Deliveries to ${endpoint.url}`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Message</Table.Th>
              <Table.Th>Delivery id</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Attempts</Table.Th>
              <Table.Th>Last answer</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th w={90}>
                <span className="visually-hidden">Actions</span>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((d) => (
              <Table.Tr key={d.id} data-delivery={d.id}>
                <Table.Td>
                  <Code>{d.eventType}</Code>
                  {d.replayOf && (
                    <Text size="xs" c="dimmed">
                      replay
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="xs" ff="monospace">
                    {d.id}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color={deliveryState(d).color}>
                    {deliveryState(d).label}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{d.attempts.length}</Text>
                </Table.Td>
                <Table.Td>{lastAttempt(d)}</Table.Td>
                <Table.Td>
                  <Text size="sm">{formatDateTime(d.createdAt)}</Text>
                </Table.Td>
                <Table.Td>
                  <Button size="compact-sm" variant="subtle" onClick={() => replay.mutate(d)} loading={replay.isPending && replay.variables?.id === d.id} aria-label={`Replay ${d.id}`}>
                    Replay
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
            {page.data && rows.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={7}>
                  <Text size="sm" c="dimmed" ta="center" py="md">
                    Nothing sent to this endpoint yet.
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {(pager.page > 0 || page.data?.nextCursor) && (
        <CursorPager page={pager.page} nextCursor={page.data?.nextCursor} count={rows.length} loading={page.isFetching} onPrevious={pager.previous} onNext={() => pager.next(page.data?.nextCursor)} />
      )}
    </Stack>
  );
}

function EndpointDetail({ endpoint, onClose }: { endpoint: WebhookEndpoint; onClose(): void }) {
  const qc = useQueryClient();
  const [rotated, setRotated] = useState<WebhookEndpointWithSecret | null>(null);
  const [deleting, setDeleting] = useState(false);
  const refresh = () => void qc.invalidateQueries({ queryKey: ['webhooks'] });
  const toggle = useMutation({ mutationFn: () => webhooksApi.update(endpoint.id, { enabled: !endpoint.enabled }), onSuccess: refresh });
  const rotate = useMutation({ mutationFn: () => webhooksApi.rotate(endpoint.id), onSuccess: (e) => { setRotated(e); refresh(); } });
  const remove = useMutation({ mutationFn: () => webhooksApi.remove(endpoint.id), onSuccess: () => { refresh(); onClose(); } });
  const st = endpointState(endpoint);
  return (
    <Paper withBorder p="md">
      <Stack gap="md">
        <Group justify="space-between" align="flex-start">
          <div>
            <Title order={3} size="h4">
              {endpoint.description || endpoint.url}
            </Title>
            <Text size="sm" c="dimmed" ff="monospace">
              {endpoint.url}
            </Text>
          </div>
          <Group gap="xs">
            <Button variant="default" size="sm" onClick={() => rotate.mutate()} loading={rotate.isPending}>
              Rotate secret
            </Button>
            <Button variant="default" size="sm" onClick={() => toggle.mutate()} loading={toggle.isPending}>
              {endpoint.enabled ? 'Disable' : 'Enable'}
            </Button>
            <Button variant="subtle" color="red" size="sm" onClick={() => setDeleting(true)}>
              Delete
            </Button>
          </Group>
        </Group>
        {st.hint && (
          <Alert color={st.color} variant="light">
            {st.hint}
          </Alert>
        )}
        {endpoint.previousSecretExpiresAt && (
          <Text size="sm" c="dimmed">
            Deliveries are signed with the new and the old secret until {formatDateTime(endpoint.previousSecretExpiresAt)}; update your receiver before then.
          </Text>
        )}
        <ErrorAlert error={toggle.error ?? rotate.error} />
        <Title order={4} size="h5">
          Delivery log
        </Title>
        <DeliveryLog endpoint={endpoint} />
      </Stack>
      <Modal opened={rotated !== null} onClose={() => setRotated(null)} title="The new signing secret" size="lg" closeOnClickOutside={false}>
        {rotated && (
          <Stack gap="md">
            <SecretBox label={`Secret for ${rotated.url}`} value={rotated.secret} warning="This is the only time the new secret is shown. For the next 24 hours every delivery carries a signature with the old secret and one with the new, so you can switch your receiver without losing a message." />
            <Group justify="flex-end">
              <Button onClick={() => setRotated(null)}>I have stored the secret</Button>
            </Group>
          </Stack>
        )}
      </Modal>
      <ConfirmModal opened={deleting} onClose={() => setDeleting(false)} title="Delete this endpoint?" confirmLabel="Delete endpoint" loading={remove.isPending} onConfirm={() => remove.mutate()}>
        <Text size="sm">Tandem stops sending to {endpoint.url} at once, and its delivery log is deleted. Messages not yet delivered are discarded.</Text>
        <ErrorAlert error={remove.error} />
      </ConfirmModal>
    </Paper>
  );
}

function Endpoints() {
  const endpoints = useQuery({ queryKey: ['webhooks'], queryFn: webhooksApi.all });
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<WebhookEndpointWithSecret | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const list = endpoints.data ?? [];
  const open = list.find((e) => e.id === openId) ?? null;
  const closeCreate = () => {
    setCreating(false);
    setCreated(null);
  };
  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Text size="sm" c="dimmed" maw={720}>
          Each message is a signed JSON POST with a <Code>Tandem-Delivery-Id</Code> your receiver can drop repeats by. Failed deliveries are retried with backoff for 24 hours, then kept as dead letters. Your receiver checks each delivery's <Code>Tandem-Signature</Code> with the endpoint's secret, as <Code>docs/webhooks.md</Code> shows.
        </Text>
        <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
          Add endpoint
        </Button>
      </Group>
      <ErrorAlert error={endpoints.error} />
      <Paper withBorder>
        <Table.ScrollContainer minWidth={760}>
          <Table aria-label="Webhook endpoints" highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Endpoint</Table.Th>
                <Table.Th>Message types</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Added</Table.Th>
                <Table.Th w={90}>
                  <span className="visually-hidden">Actions</span>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((e) => {
                const st = endpointState(e);
                return (
                  <Table.Tr key={e.id} data-endpoint={e.url} bg={e.id === openId ? 'blue.0' : undefined}>
                    <Table.Td>
                      <Text size="sm" fw={500}>
                        {e.description || e.url}
                      </Text>
                      {e.description && (
                        <Text size="xs" c="dimmed" ff="monospace">
                          {e.url}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4}>
                        {e.eventTypes.map((t) => (
                          <Badge key={t} variant="outline" size="sm" radius="sm" style={{ textTransform: 'none' }}>
                            {t === '*' ? 'every type' : t}
                          </Badge>
                        ))}
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <Tooltip label={st.hint} disabled={!st.hint}>
                        <Badge variant="light" color={st.color}>
                          {st.label}
                        </Badge>
                      </Tooltip>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{formatDate(e.createdAt)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Button size="compact-sm" variant="subtle" onClick={() => setOpenId(e.id === openId ? null : e.id)} aria-label={`Deliveries of ${e.url}`}>
                        {e.id === openId ? 'Close' : 'Deliveries'}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
              {endpoints.data && list.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={5}>
                    <Stack align="center" gap={4} py="xl">
                      <Text fw={500}>No webhook endpoints yet</Text>
                      <Text size="sm" c="dimmed">
                        Add one to send points, goal tiers and events to your CRM, HR system or data warehouse as they happen.
                      </Text>
                    </Stack>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
      {open && <EndpointDetail key={open.id} endpoint={open} onClose={() => setOpenId(null)} />}
      <Modal opened={creating} onClose={closeCreate} title={created ? 'Your endpoint’s signing secret' : 'Add a webhook endpoint'} size="lg" closeOnClickOutside={!created}>
        {created ? (
          <Stack gap="md">
            <SecretBox label={`Secret for ${created.url}`} value={created.secret} warning="This is the only time the secret is shown. Your receiver uses it to check the Tandem-Signature header of every delivery." />
            <Group justify="flex-end">
              <Button onClick={closeCreate}>I have stored the secret</Button>
            </Group>
          </Stack>
        ) : (
          creating && <CreateEndpointForm onCreated={setCreated} onCancel={closeCreate} />
        )}
      </Modal>
    </Stack>
  );
}

function DeadLetters() {
  const qc = useQueryClient();
  const pager = useCursorStack();
  const cursor = pager.cursor;
  const page = useQuery({ queryKey: ['dead-letters', cursor], queryFn: () => deadLettersApi.list(cursor) });
  const [discarding, setDiscarding] = useState<DeadLetter | null>(null);
  const refresh = () => void qc.invalidateQueries({ queryKey: ['dead-letters'] });
  const retry = useMutation({ mutationFn: (d: DeadLetter) => deadLettersApi.retry(d.id), onSuccess: refresh });
  const discard = useMutation({ mutationFn: (d: DeadLetter) => deadLettersApi.discard(d.id), onSuccess: () => { refresh(); setDiscarding(null); } });
  const rows = page.data?.data ?? [];
  return (
    <Stack gap="md">
      <Text size="sm" c="dimmed" maw={720}>
        Messages that could not be delivered for 24 hours. Retry one once its receiver works again (it gets another 24 hours), or discard it.
      </Text>
      <ErrorAlert error={page.error ?? retry.error} />
      <Paper withBorder>
        <Table.ScrollContainer minWidth={760}>
          <Table aria-label="Dead letters">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Message</Table.Th>
                <Table.Th>Attempts</Table.Th>
                <Table.Th>Last error</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Gave up</Table.Th>
                <Table.Th w={170}>
                  <span className="visually-hidden">Actions</span>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((d) => (
                <Table.Tr key={d.id}>
                  <Table.Td>
                    <Code>{d.type}</Code>
                    <Text size="xs" c="dimmed" ff="monospace">
                      {d.id}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{d.attempts}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" lineClamp={2} maw={280}>
                      {d.lastError ?? '—'}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDateTime(d.createdAt)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{d.deadAt ? formatDateTime(d.deadAt) : '—'}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <Button size="compact-sm" variant="light" onClick={() => retry.mutate(d)} loading={retry.isPending && retry.variables?.id === d.id} aria-label={`Retry ${d.id}`}>
                        Retry
                      </Button>
                      <Button size="compact-sm" variant="subtle" color="red" onClick={() => setDiscarding(d)} aria-label={`Discard ${d.id}`}>
                        Discard
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
              {page.data && rows.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={6}>
                    <Stack align="center" gap={4} py="xl">
                      <Text fw={500}>No dead letters</Text>
                      <Text size="sm" c="dimmed">
                        Every message was delivered or is still being retried.
                      </Text>
                    </Stack>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
      {(pager.page > 0 || page.data?.nextCursor) && (
        <CursorPager page={pager.page} nextCursor={page.data?.nextCursor} count={rows.length} loading={page.isFetching} onPrevious={pager.previous} onNext={() => pager.next(page.data?.nextCursor)} />
      )}
      <ConfirmModal opened={discarding !== null} onClose={() => setDiscarding(null)} title="Discard this message?" confirmLabel="Discard" loading={discard.isPending} onConfirm={() => discarding && discard.mutate(discarding)}>
        <Text size="sm">It will never be delivered. This cannot be undone.</Text>
        <ErrorAlert error={discard.error} />
      </ConfirmModal>
    </Stack>
  );
}

export default function WebhooksPage() {
  return (
    <>
      <PageHeader title="Webhooks" description="Send what happens in Tandem (events accepted, points awarded, goal tiers reached) to your other systems as it happens." />
      <Tabs defaultValue="endpoints" keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="endpoints">Endpoints</Tabs.Tab>
          <Tabs.Tab value="dead-letters">Dead letters</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="endpoints">
          <Endpoints />
        </Tabs.Panel>
        <Tabs.Panel value="dead-letters">
          <DeadLetters />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
