import { lazy, Suspense, useState } from 'react';
import { Link } from 'react-router';
import { Anchor, Button, Card, Group, Loader, Paper, SegmentedControl, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { moneyApi, type Money } from '../api/money';
import { REWARD_KIND_LABELS, type RewardKind } from '../api/rewards';
import { useSession } from '../session';
import { PageHeader } from '../components/PageHeader';
import { ErrorAlert } from '../components/ErrorAlert';
import { IconArrowLeft } from '../components/icons';
import { formatMoney, formatNumber, toDateInput } from '../lib/format';

const RedeemedChart = lazy(() => import('../components/RedeemedChart'));

const moneyList = (list: Money[]) => (list.length ? list.map((m) => formatMoney(m.cents, m.currency)).join(' + ') : '—');

function Liability() {
  const { session } = useSession();
  const points = session.workspace.pointsLabel;
  const q = useQuery({ queryKey: ['money', 'liability'], queryFn: moneyApi.liability });
  const l = q.data;
  return (
    <Card withBorder padding="lg">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-end">
          <div>
            <Title order={2} size="h4">
              Liability
            </Title>
            <Text size="sm" c="dimmed">
              The {points} participants hold and may still redeem, valued at the point value of the program that paid them, as of now.
            </Text>
          </div>
        </Group>
        <ErrorAlert error={q.error} />
        {q.isPending && <Loader size="sm" />}
        {l && (
          <>
            <SimpleGrid cols={{ base: 1, sm: Math.min(3, l.totals.length + 1) }} spacing="sm">
              <Paper withBorder p="md">
                <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
                  Outstanding
                </Text>
                <Text size="xl" fw={700}>
                  {formatNumber(l.points)} {points}
                </Text>
              </Paper>
              {l.totals.map((t) => (
                <Paper withBorder p="md" key={t.currency}>
                  <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
                    Owed in {t.currency}
                  </Text>
                  <Text size="xl" fw={700}>
                    {formatMoney(t.valueCents, t.currency)}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {formatNumber(t.points)} {points}
                  </Text>
                </Paper>
              ))}
            </SimpleGrid>
            <Table.ScrollContainer minWidth={640}>
              <Table aria-label="Liability by program" striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Program</Table.Th>
                    <Table.Th>Funding source</Table.Th>
                    <Table.Th ta="right">Point value</Table.Th>
                    <Table.Th ta="right">Outstanding</Table.Th>
                    <Table.Th ta="right">Value</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {l.byProgram.map((p) => (
                    <Table.Tr key={p.programId ?? 'none'}>
                      <Table.Td>{p.programId ? <Anchor component={Link} to={`/programs/${p.programId}`} size="sm">{p.programName}</Anchor> : <Text size="sm" fs="italic">{p.programName}</Text>}</Table.Td>
                      <Table.Td>{p.fundingSource}</Table.Td>
                      <Table.Td ta="right">{formatMoney(p.pointValueCents, p.currency)}</Table.Td>
                      <Table.Td ta="right">{formatNumber(p.points)}</Table.Td>
                      <Table.Td ta="right">{formatMoney(p.valueCents, p.currency)}</Table.Td>
                    </Table.Tr>
                  ))}
                  {!l.byProgram.length && (
                    <Table.Tr>
                      <Table.Td colSpan={5}>
                        <Text size="sm" c="dimmed" ta="center" py="md">
                          No outstanding {points}: every wallet is empty.
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  )}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <Title order={3} size="h5">
              By funding source
            </Title>
            <Table aria-label="Liability by funding source" maw={640}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Funding source</Table.Th>
                  <Table.Th ta="right">Programs</Table.Th>
                  <Table.Th ta="right">Outstanding</Table.Th>
                  <Table.Th ta="right">Value</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {l.byFundingSource.map((s) => (
                  <Table.Tr key={`${s.fundingSource}-${s.currency}`}>
                    <Table.Td>{s.fundingSource}</Table.Td>
                    <Table.Td ta="right">{s.programs}</Table.Td>
                    <Table.Td ta="right">{formatNumber(s.points)}</Table.Td>
                    <Table.Td ta="right">{formatMoney(s.valueCents, s.currency)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
              <Table.Tfoot>
                {l.totals.map((t) => (
                  <Table.Tr key={t.currency}>
                    <Table.Th>Total {t.currency}</Table.Th>
                    <Table.Th />
                    <Table.Th ta="right">{formatNumber(t.points)}</Table.Th>
                    <Table.Th ta="right">{formatMoney(t.valueCents, t.currency)}</Table.Th>
                  </Table.Tr>
                ))}
              </Table.Tfoot>
            </Table>
            <Text size="xs" c="dimmed">
              {points[0]!.toUpperCase() + points.slice(1)} given without a program (manual adjustments) are valued at {formatMoney(l.unattributed.pointValueCents, l.unattributed.currency)} each, under “{l.unattributed.fundingSource}”. Currencies are never added together.
            </Text>
          </>
        )}
      </Stack>
    </Card>
  );
}

function Redeemed() {
  const { session } = useSession();
  const points = session.workspace.pointsLabel;
  const [period, setPeriod] = useState<'week' | 'month' | 'quarter'>('month');
  const q = useQuery({ queryKey: ['money', 'redeemed', period], queryFn: () => moneyApi.redeemed({ period }) });
  const r = q.data;
  const kinds = [...new Set((r?.periods ?? []).flatMap((p) => p.byKind.map((k) => k.kind)))].sort();
  const chart = (r?.periods ?? []).map((p) => ({ period: p.label, ...Object.fromEntries(kinds.map((k) => [k, p.byKind.find((x) => x.kind === k)?.netPoints ?? 0])) }));
  return (
    <Card withBorder padding="lg">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-end" wrap="wrap">
          <div>
            <Title order={2} size="h4">
              Redeemed
            </Title>
            <Text size="sm" c="dimmed">
              Orders placed in each {period} ({r?.timezone ?? session.workspace.timezone}), net of refunds for cancelled, rejected and failed orders.
            </Text>
          </div>
          <SegmentedControl
            aria-label="Period"
            value={period}
            onChange={(v) => setPeriod(v)}
            data={[
              { value: 'week', label: 'Weeks' },
              { value: 'month', label: 'Months' },
              { value: 'quarter', label: 'Quarters' },
            ]}
          />
        </Group>
        <ErrorAlert error={q.error} />
        {q.isPending && <Loader size="sm" />}
        {r && (
          <>
            {r.totals.orders === 0 ? (
              <Text size="sm" c="dimmed" py="md">
                No orders in these {r.periods.length} {period}s yet.
              </Text>
            ) : (
              <Suspense fallback={<Loader size="sm" />}>
                <RedeemedChart data={chart} kinds={kinds.map((k) => ({ key: k, label: REWARD_KIND_LABELS[k as RewardKind] ?? k }))} points={points} label={`Net ${points} redeemed per ${period}, by reward kind: ${formatNumber(r.totals.netPoints)} in all`} />
              </Suspense>
            )}
            {r.totals.orders > 0 && <Table.ScrollContainer minWidth={640}>
              <Table aria-label={`Redeemed per ${period}`} striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{period[0]!.toUpperCase() + period.slice(1)}</Table.Th>
                    <Table.Th ta="right">Orders</Table.Th>
                    <Table.Th ta="right">Redeemed</Table.Th>
                    <Table.Th ta="right">Refunded</Table.Th>
                    <Table.Th ta="right">Net</Table.Th>
                    <Table.Th ta="right">Net value</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {[...r.periods].reverse().map((p) => (
                    <Table.Tr key={p.label}>
                      <Table.Td>{p.label}</Table.Td>
                      <Table.Td ta="right">{formatNumber(p.orders)}</Table.Td>
                      <Table.Td ta="right">{formatNumber(p.points)}</Table.Td>
                      <Table.Td ta="right">{p.refundedPoints ? `−${formatNumber(p.refundedPoints)}` : '0'}</Table.Td>
                      <Table.Td ta="right">{formatNumber(p.netPoints)}</Table.Td>
                      <Table.Td ta="right">{moneyList(p.value)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
                <Table.Tfoot>
                  <Table.Tr>
                    <Table.Th>Total</Table.Th>
                    <Table.Th ta="right">{formatNumber(r.totals.orders)}</Table.Th>
                    <Table.Th ta="right">{formatNumber(r.totals.points)}</Table.Th>
                    <Table.Th ta="right">{r.totals.refundedPoints ? `−${formatNumber(r.totals.refundedPoints)}` : '0'}</Table.Th>
                    <Table.Th ta="right">{formatNumber(r.totals.netPoints)}</Table.Th>
                    <Table.Th ta="right">{moneyList(r.totals.value)}</Table.Th>
                  </Table.Tr>
                </Table.Tfoot>
              </Table>
            </Table.ScrollContainer>}
          </>
        )}
      </Stack>
    </Card>
  );
}

function OrdersExport() {
  const { can } = useSession();
  const today = new Date();
  const [from, setFrom] = useState(toDateInput(new Date(today.getFullYear(), today.getMonth(), 1)));
  const [to, setTo] = useState(toDateInput(today));
  if (!can('rewards.manage')) return null;
  const bad = !!from && !!to && from > to;
  return (
    <Card withBorder padding="lg">
      <Stack gap="sm">
        <Title order={2} size="h4">
          Orders for accounting
        </Title>
        <Text size="sm" c="dimmed">
          One row per order placed in these days: who, what, {`points`}, value and currency, status, refunds and provider. Opens in any spreadsheet.
        </Text>
        <Group align="flex-end" gap="sm">
          <TextInput type="date" label="From" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
          <TextInput type="date" label="To" value={to} onChange={(e) => setTo(e.currentTarget.value)} error={bad ? 'must come after From' : undefined} />
          <Button component="a" href={moneyApi.ordersCsvUrl({ from: from || undefined, to: to || undefined })} download data-disabled={bad || undefined} onClick={(e) => bad && e.preventDefault()}>
            Download orders CSV
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

/** The rewards' money: what the points out there are worth, what was redeemed, and the orders for accounting. */
export default function MoneyPage() {
  const { can } = useSession();
  return (
    <>
      <PageHeader
        above={
          can('rewards.manage') ? (
            <Anchor component={Link} to="/admin/rewards" size="sm">
              <Group gap={4}>
                <IconArrowLeft size={14} /> Reward catalog
              </Group>
            </Anchor>
          ) : undefined
        }
        title="Money"
        description="What the points participants hold are worth, what they redeemed, and every order for accounting."
      />
      <Stack gap="lg">
        <Liability />
        <Redeemed />
        <OrdersExport />
      </Stack>
    </>
  );
}
