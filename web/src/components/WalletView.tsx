import { Alert, Box, Button, Card, Group, Loader, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { walletApi } from '../api/endpoints';
import type { Program, Transfer, Wallet } from '../api/types';
import { useSession } from '../session';
import { formatDate, formatNumber, formatPoints } from '../lib/format';
import { humanizeId, ruleName } from '../lib/rules';
import { useProgramsById } from '../lib/queries';
import { ErrorAlert } from './ErrorAlert';
import { IconAlert, IconGift } from './icons';

const PAGE = 25;

/** Why points moved, in words: a title ("Certification — Partner steps to the sale") and a detail. */
export function describeTransfer(t: Transfer, programs: Map<string, Program>, label = 'points'): { title: string; detail?: string } {
  const program = t.programId ? programs.get(t.programId) : undefined;
  const rule = ruleName(program, t.ruleId);
  const source = rule && program ? `${rule} — ${program.name}` : (rule ?? program?.name ?? null);
  const goalTier = t.reason && /^(.*): (\d+)% reached$/.exec(t.reason);
  switch (t.cause) {
    case 'event':
      return { title: source ?? `${label[0]!.toUpperCase()}${label.slice(1)} earned` };
    case 'goal_tier':
      return goalTier ? { title: `${goalTier[1]} — ${goalTier[2]}% reached`, detail: program?.name ?? 'Goal tier bonus' } : { title: t.reason ?? 'Goal tier reached', detail: program?.name };
    case 'adjustment':
      return { title: t.reason ? `Adjustment by an admin: ${t.reason}` : 'Adjustment by an admin' };
    case 'bulk_award':
      return { title: t.reason ? `Award${program ? ` from ${program.name}` : ''}: ${t.reason}` : `Award${program ? ` from ${program.name}` : ''}` };
    case 'expiry': {
      const before = t.reason && /before (\d{4}-\d{2}-\d{2})/.exec(t.reason);
      return { title: 'Expired', detail: before ? `${label[0]!.toUpperCase()}${label.slice(1)} earned before ${formatDate(before[1])} expired` : (t.reason ?? undefined) };
    }
    case 'reversal':
      return { title: t.reason ? `Reversal: ${t.reason}` : 'Reversal', detail: source ? `Takes back: ${goalTier ? `${goalTier[1]} — ${goalTier[2]}% reached` : source}` : undefined };
    case 'redemption':
      return { title: t.reason ? `Redeemed: ${t.reason}` : 'Redeemed' };
    default:
      return { title: t.reason ?? humanizeId(t.cause) };
  }
}

function expiringGroups(w: Wallet) {
  const byDay = new Map<string, number>();
  for (const e of w.expiringSoon) {
    const day = e.expiresAt.slice(0, 10);
    byDay.set(day, (byDay.get(day) ?? 0) + e.points);
  }
  return [...byDay.entries()].sort(([a], [b]) => a.localeCompare(b));
}

/** A person's balance, the points expiring soon, and the history with the reason of each line. */
export function WalletView({ personId, self, beforeHistory }: { personId: string; self: boolean; beforeHistory?: ReactNode }) {
  const { can, session } = useSession();
  const label = session.workspace.pointsLabel;
  const wallet = useQuery({ queryKey: ['wallet', personId], queryFn: () => walletApi.get(personId) });
  const history = useInfiniteQuery({
    queryKey: ['wallet', personId, 'transfers'],
    queryFn: ({ pageParam }) => walletApi.transfers(personId, { limit: PAGE, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const programs = useProgramsById(can('programs.read'));
  const lines = history.data?.pages.flatMap((p) => p.data) ?? [];
  const account = `wallet:${personId}`;
  const w = wallet.data;
  const expiring = w ? expiringGroups(w) : [];
  const expiringTotal = expiring.reduce((s, [, n]) => s + n, 0);

  return (
    <Stack gap="lg">
      <Card withBorder padding="xl" radius="lg" style={{ background: 'linear-gradient(135deg, var(--mantine-color-tandem-0), white 70%)' }} aria-label="Balance" component="section">
        <Group align="center" wrap="nowrap" gap="lg">
          <ThemeIcon size={64} radius="xl" variant="light">
            <IconGift size={34} />
          </ThemeIcon>
          <div>
            <Text size="sm" c="dimmed" fw={600} tt="uppercase">
              {self ? 'Your balance' : 'Balance'}
            </Text>
            {wallet.isPending ? (
              <Loader size="sm" />
            ) : w ? (
              <Group gap={10} align="baseline">
                <Text fz={48} fw={800} lh={1.1} c={w.balance < 0 ? 'red.7' : 'tandem.8'} data-testid="wallet-balance">
                  {formatNumber(w.balance)}
                </Text>
                <Text fz="xl" fw={600} c="dimmed">
                  {Math.abs(w.balance) === 1 && label.endsWith('s') ? label.slice(0, -1) : label}
                </Text>
              </Group>
            ) : null}
            {w && w.balance < 0 && (
              <Text size="sm" c="red.7">
                Below zero after a reversal of {label} already spent; new {label} fill it up first.
              </Text>
            )}
          </div>
        </Group>
      </Card>
      <ErrorAlert error={wallet.error} />

      {expiringTotal > 0 && (
        <Alert variant="light" color="yellow" icon={<IconAlert />} title={`${formatPoints(expiringTotal, label)} expire soon`}>
          <Stack gap={2}>
            {expiring.map(([day, n]) => (
              <Text size="sm" key={day}>
                {formatPoints(n, label)} on {formatDate(day)}
              </Text>
            ))}
            <Text size="sm" c="dimmed">
              {self ? `Use them before then: the oldest ${label} are spent first.` : `The oldest ${label} are spent first.`}
            </Text>
          </Stack>
        </Alert>
      )}

      {beforeHistory}
      <Card withBorder padding="lg" component="section" aria-label="History">
        <Title order={2} size="h4" mb={4}>
          History
        </Title>
        <Text size="sm" c="dimmed" mb="md">
          Every change to {self ? 'your' : 'this'} balance and why, latest first.
        </Text>
        <ErrorAlert error={history.error} />
        {history.isPending && <Loader size="sm" />}
        {!history.isPending && lines.length === 0 && (
          <Text size="sm" c="dimmed" py="md">
            {self ? `No ${label} yet. When you take part in a program, what you earn shows here with the reason.` : `No ${label} yet.`}
          </Text>
        )}
        <Stack gap={0} component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Wallet history">
          {lines.map((t) => {
            const credit = t.to === account;
            const { title, detail } = describeTransfer(t, programs, label);
            // Lines are in the order points moved; an event reported late says when it happened.
            const late = t.occurredAt.slice(0, 10) !== t.createdAt.slice(0, 10) && ['event', 'goal_tier', 'reversal'].includes(t.cause);
            const when = late ? `${t.cause === 'reversal' ? 'Activity' : 'For activity'} on ${formatDate(t.occurredAt)}` : null;
            return (
              <Box component="li" key={t.id} py="sm" style={{ borderTop: '1px solid var(--mantine-color-gray-2)' }} data-testid="wallet-line">
                <Group justify="space-between" wrap="nowrap" align="flex-start" gap="md">
                  <Group gap="md" wrap="nowrap" align="flex-start">
                    <Text size="sm" c="dimmed" w={96} style={{ flex: 'none' }}>
                      {formatDate(t.createdAt)}
                    </Text>
                    <div>
                      <Text size="sm" fw={500}>
                        {title}
                      </Text>
                      {(detail || when) && (
                        <Text size="xs" c="dimmed">
                          {[detail, when].filter(Boolean).join(' · ')}
                        </Text>
                      )}
                    </div>
                  </Group>
                  <Text size="sm" fw={700} c={credit ? 'green.8' : 'red.7'} style={{ whiteSpace: 'nowrap' }} aria-label={`${credit ? 'plus' : 'minus'} ${formatNumber(t.amount)} ${label}`}>
                    {credit ? '+' : '−'}
                    {formatNumber(t.amount)}
                  </Text>
                </Group>
              </Box>
            );
          })}
        </Stack>
        {history.hasNextPage && (
          <Button variant="subtle" mt="sm" onClick={() => void history.fetchNextPage()} loading={history.isFetchingNextPage} w="fit-content">
            Show older
          </Button>
        )}
        {lines.length > 0 && !history.hasNextPage && (
          <Text size="xs" c="dimmed" mt="sm">
            The whole history is shown.
          </Text>
        )}
      </Card>
    </Stack>
  );
}
