import { ActionIcon, Indicator, Tooltip } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { inboxApi } from '../api/comms';

export const UNREAD_KEY = ['inbox', 'unread'] as const;

export const IconBell = ({ size = 20 }: { size?: number }) => (
  <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
    <path d="M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15z" />
    <path d="M10 20a2 2 0 0 0 4 0" />
  </svg>
);

/** The header's bell: the participant's unread messages, a link to the inbox. */
export function InboxBell() {
  const unread = useQuery({ queryKey: UNREAD_KEY, queryFn: inboxApi.unread, refetchInterval: 30_000 });
  const n = unread.data?.unread ?? 0;
  const label = n ? `Inbox: ${n} unread` : 'Inbox: nothing unread';
  return (
    <Tooltip label={label}>
      <Indicator label={n > 99 ? '99+' : n} size={18} color="red" disabled={!n} offset={4} withBorder>
        <ActionIcon component={Link} to="/inbox" variant="subtle" color="gray" size="lg" radius="xl" aria-label={label} data-testid="inbox-bell">
          <IconBell />
        </ActionIcon>
      </Indicator>
    </Tooltip>
  );
}
