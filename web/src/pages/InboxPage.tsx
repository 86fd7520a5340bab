import { useState } from 'react';
import { Badge, Box, Button, Card, Group, SegmentedControl, Stack, Text, ThemeIcon, UnstyledButton } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { inboxApi, MESSAGE_TYPE_LABELS, type InboxMessage, type MessageType } from '../api/comms';
import { PageHeader } from '../components/PageHeader';
import { PageLoader } from '../components/PageLoader';
import { ErrorAlert } from '../components/ErrorAlert';
import { CursorPager } from '../components/CursorPager';
import { IconBell } from '../components/InboxBell';
import { formatDateTime, plural } from '../lib/format';
import { useCursorStack } from '../lib/paging';

function MessageCard({ m, onOpen }: { m: InboxMessage; onOpen(): void }) {
  const [open, setOpen] = useState(false);
  const toggle = () => {
    setOpen(!open);
    if (!m.read) onOpen();
  };
  return (
    <Card withBorder padding="md" radius="md" bg={m.read ? undefined : 'blue.0'} data-testid="inbox-message" data-read={m.read}>
      <UnstyledButton onClick={toggle} w="100%" aria-expanded={open}>
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Group gap="sm" wrap="nowrap" align="flex-start">
            <Box w={10} h={10} mt={7} style={{ borderRadius: 5, flexShrink: 0, background: m.read ? 'transparent' : 'var(--mantine-color-blue-6)' }} aria-hidden />
            <Stack gap={2}>
              <Text fw={m.read ? 500 : 700}>{m.title}</Text>
              <Group gap={6}>
                <Badge size="xs" variant="light" color={m.type === 'goal.tier_reached' ? 'grape' : m.type === 'digest' ? 'indigo' : 'teal'}>
                  {MESSAGE_TYPE_LABELS[m.type as MessageType] ?? m.type}
                </Badge>
                <Text size="xs" c="dimmed">
                  {formatDateTime(m.createdAt)}
                </Text>
                {!m.read && (
                  <Text size="xs" c="blue.7" fw={600}>
                    Unread
                  </Text>
                )}
              </Group>
            </Stack>
          </Group>
          <Text size="xs" c="dimmed">
            {open ? 'Hide' : 'Read'}
          </Text>
        </Group>
      </UnstyledButton>
      {open && (
        <Text size="sm" mt="sm" ml={22} style={{ whiteSpace: 'pre-line' }} data-testid="inbox-message-body">
          {m.body}
        </Text>
      )}
    </Card>
  );
}

/** A participant's messages from their programs: points earned, goal tiers reached. */
export default function InboxPage() {
  const qc = useQueryClient();
  const [filter, setFilter] = useState<'all' | 'unread'>('all');
  const pager = useCursorStack();
  const page = pager.page;
  const q = useQuery({ queryKey: ['inbox', 'list', filter, pager.cursor], queryFn: () => inboxApi.list({ limit: 20, cursor: pager.cursor, unread: filter === 'unread' }) });
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['inbox'] });
  };
  const read = useMutation({ mutationFn: inboxApi.read, onSuccess: refresh });
  const readAll = useMutation({ mutationFn: inboxApi.readAll, onSuccess: refresh });
  const unread = q.data?.unread ?? 0;
  return (
    <>
      <PageHeader
        title="Inbox"
        description="What your programs told you: points you earned, goal tiers you reached, progress statements and announcements."
        actions={
          <Group gap="sm">
            <Button component={Link} to="/notifications" variant="subtle">
              Notification settings
            </Button>
            <Button variant="default" onClick={() => readAll.mutate()} loading={readAll.isPending} disabled={!unread}>
              Mark all as read
            </Button>
          </Group>
        }
      />
      <Group justify="space-between" mb="md">
        <SegmentedControl<'all' | 'unread'>
          value={filter}
          onChange={(v) => {
            setFilter(v);
            pager.reset();
          }}
          data={[
            { value: 'all', label: 'All' },
            { value: 'unread', label: `Unread${unread ? ` (${unread})` : ''}` },
          ]}
        />
        <Text size="sm" c="dimmed" data-testid="inbox-unread">
          {unread ? `${plural(unread, 'unread message')}` : 'All caught up'}
        </Text>
      </Group>
      <ErrorAlert error={q.error ?? read.error ?? readAll.error} />
      {q.isPending ? (
        <PageLoader />
      ) : q.data && q.data.data.length === 0 ? (
        <Card withBorder padding="xl" radius="md">
          <Stack align="center" gap="xs">
            <ThemeIcon size={48} radius="xl" variant="light">
              <IconBell size={26} />
            </ThemeIcon>
            <Text fw={600}>{filter === 'unread' ? 'No unread messages' : 'No messages yet'}</Text>
            <Text size="sm" c="dimmed" ta="center" maw={420}>
              When you earn points or reach a goal tier, your programs tell you here.
            </Text>
          </Stack>
        </Card>
      ) : (
        <Stack gap="sm">
          {q.data?.data.map((m) => <MessageCard key={m.id} m={m} onOpen={() => read.mutate(m.id)} />)}
        </Stack>
      )}
      {(page > 0 || q.data?.nextCursor) && (
        <CursorPager page={page} nextCursor={q.data?.nextCursor} count={q.data?.data.length ?? 0} loading={q.isFetching} onPrevious={pager.previous} onNext={() => pager.next(q.data?.nextCursor)} />
      )}
    </>
  );
}
