import { useState } from 'react';
import { Alert, Badge, Card, Code, Group, Modal, Stack, Table, Tabs, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { MESSAGE_TYPE_LABELS, sentMailApi, type MessageType, type SentMail } from '../api/comms';
import { PageHeader } from '../components/PageHeader';
import { PageLoader } from '../components/PageLoader';
import { ErrorAlert } from '../components/ErrorAlert';
import { CursorPager } from '../components/CursorPager';
import { IconInfo } from '../components/icons';
import { formatDateTime } from '../lib/format';
import { useCursorStack } from '../lib/paging';

const STATUS: Record<SentMail['status'], { label: string; color: string; hint: string }> = {
  sent: { label: 'Sent', color: 'green', hint: 'accepted by the SMTP server' },
  stored: { label: 'Stored', color: 'blue', hint: 'kept here: SMTP_URL is not set' },
  pending: { label: 'Retrying', color: 'orange', hint: 'the last attempt failed; it is tried again' },
  dead: { label: 'Failed', color: 'red', hint: 'failed for 24 hours: see Dead letters' },
};

/** What a row's badge says: a pending email not yet tried is queued, or held by quiet hours. */
function statusOf(m: SentMail): { label: string; color: string; hint: string } {
  if (m.status === 'pending' && m.attempts === 0)
    return m.sendAfter && Date.parse(m.sendAfter) > Date.now()
      ? { label: `Quiet hours until ${formatDateTime(m.sendAfter)}`, color: 'gray', hint: 'held by the participant’s quiet hours; sent when they end' }
      : { label: 'Queued', color: 'gray', hint: 'waiting for the delivery worker' };
  return STATUS[m.status];
}

function MailView({ id, onClose }: { id: string; onClose(): void }) {
  const q = useQuery({ queryKey: ['sent-mail', id], queryFn: () => sentMailApi.get(id) });
  const m = q.data;
  return (
    <Modal opened onClose={onClose} size="xl" title={m ? m.subject : 'Email'}>
      <ErrorAlert error={q.error} />
      {!m ? (
        <PageLoader />
      ) : (
        <Stack gap="sm">
          <Group gap="lg">
            <Text size="sm">
              <Text span c="dimmed">
                To{' '}
              </Text>
              {m.to}
            </Text>
            <Badge color={statusOf(m).color} variant="light">
              {statusOf(m).label}
            </Badge>
            <Text size="sm" c="dimmed">
              {formatDateTime(m.sentAt ?? m.createdAt)}
            </Text>
          </Group>
          {m.lastError && (
            <Text size="sm" c="red">
              {m.lastError}
            </Text>
          )}
          <Tabs defaultValue="html">
            <Tabs.List>
              <Tabs.Tab value="html">HTML</Tabs.Tab>
              <Tabs.Tab value="text">Plain text</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="html" pt="sm">
              {/* The stored email, shown as received; sandboxed: no scripts, no navigation of this page. */}
              <iframe title="Email (HTML)" srcDoc={m.html} sandbox="" style={{ width: '100%', height: 460, border: '1px solid var(--mantine-color-gray-3)', borderRadius: 8 }} />
            </Tabs.Panel>
            <Tabs.Panel value="text" pt="sm">
              <Code block style={{ whiteSpace: 'pre-wrap' }}>
                {m.text}
              </Code>
            </Tabs.Panel>
          </Tabs>
        </Stack>
      )}
    </Modal>
  );
}

/** Every email Tandem made for participants: sent by SMTP, or stored when no SMTP server is set. */
export default function SentMailPage() {
  const pager = useCursorStack();
  const [open, setOpen] = useState<string | null>(null);
  const page = pager.page;
  const q = useQuery({ queryKey: ['sent-mail', 'list', pager.cursor], queryFn: () => sentMailApi.list({ limit: 50, cursor: pager.cursor }) });
  const rows = q.data?.data ?? [];
  const anyStored = rows.some((r) => r.status === 'stored');
  return (
    <>
      <PageHeader title="Sent mail" description="The emails participants were sent about their points and goals, newest first. Open one to see it as they did." />
      {anyStored && (
        <Alert variant="light" color="blue" icon={<IconInfo />} mb="md" title="Emails are kept here, not sent">
          No SMTP server is configured (<Code>SMTP_URL</Code>), so emails are stored for you to read. Set it to send them.
        </Alert>
      )}
      <ErrorAlert error={q.error} />
      {q.isPending ? (
        <PageLoader />
      ) : rows.length === 0 ? (
        <Card withBorder padding="xl" radius="md">
          <Text ta="center" c="dimmed">
            No emails yet. Participants with an email address get one when they earn points or reach a goal tier.
          </Text>
        </Card>
      ) : (
        <Card withBorder padding={0} radius="md">
          <Table highlightOnHover verticalSpacing="sm" horizontalSpacing="md">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>To</Table.Th>
                <Table.Th>Subject</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>When</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((m) => (
                <Table.Tr key={m.id} onClick={() => setOpen(m.id)} style={{ cursor: 'pointer' }} data-testid="sent-mail-row">
                  <Table.Td>{m.to}</Table.Td>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {m.subject}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" c="dimmed">
                      {MESSAGE_TYPE_LABELS[m.type as MessageType] ?? m.type}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge color={statusOf(m).color} variant="light" title={statusOf(m).hint}>
                      {statusOf(m).label}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" c="dimmed">
                      {formatDateTime(m.sentAt ?? m.createdAt)}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
      )}
      {(page > 0 || q.data?.nextCursor) && (
        <CursorPager page={page} nextCursor={q.data?.nextCursor} count={rows.length} loading={q.isFetching} onPrevious={pager.previous} onNext={() => pager.next(q.data?.nextCursor)} />
      )}
      {open && <MailView id={open} onClose={() => setOpen(null)} />}
    </>
  );
}
