import { lazy, Suspense, useState } from 'react';
import { Alert, Badge, Card, Group, SegmentedControl, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { fulfilmentApi, formatMinutes, type DeliveryFigures } from '../api/fulfilment';
import { PROVIDER_LABELS, type Provider } from '../api/rewards';
import { PageHeader } from '../components/PageHeader';
import { PageLoader } from '../components/PageLoader';
import { ErrorAlert } from '../components/ErrorAlert';
import { dateInputToIso, formatPercent, toDateInput } from '../lib/format';

const DeliveryChart = lazy(() => import('../components/DeliveryChart'));

const providerLabel = (p: string) => PROVIDER_LABELS[p as Provider]?.replace(/ \(.*\)$/, '') ?? p;
const share = (s: number | null) => (s === null ? '—' : formatPercent(s * 100, 0));

function Stat({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <Card withBorder padding="sm" radius="md">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>{label}</Text>
      <Text fz={24} fw={700}>{value}</Text>
      {hint && <Text size="xs" c="dimmed">{hint}</Text>}
    </Card>
  );
}

function FiguresCells({ f }: { f: DeliveryFigures }) {
  return (
    <>
      <Table.Td ta="right">{f.orders.toLocaleString()}</Table.Td>
      <Table.Td ta="right">{f.delivered.toLocaleString()}</Table.Td>
      <Table.Td ta="right">{formatMinutes(f.p50Minutes)}</Table.Td>
      <Table.Td ta="right">{formatMinutes(f.p95Minutes)}</Table.Td>
      <Table.Td ta="right">{share(f.onTimeShare)}</Table.Td>
      <Table.Td ta="right">{f.lateOpen ? <Badge color="red" variant="light">{f.lateOpen}</Badge> : 0}</Table.Td>
      <Table.Td ta="right">{formatMinutes(f.earnToOrderP50Minutes)}</Table.Td>
    </>
  );
}

const HEAD = ['Orders', 'Delivered', 'Median delivery', '95th percentile', 'On time', 'Late, still open', 'Earn → order (median)'];

/** Delivery against the promise: per provider and per reward, for orders placed in a period. */
export default function DeliveryReportPage() {
  const today = new Date();
  const [from, setFrom] = useState(toDateInput(new Date(today.getTime() - 29 * 86_400_000)));
  const [to, setTo] = useState(toDateInput(today));
  const [by, setBy] = useState<'reward' | 'provider'>('reward');
  const range = { from: dateInputToIso(from), to: dateInputToIso(to, true) };
  const q = useQuery({ queryKey: ['delivery-report', range.from, range.to], queryFn: () => fulfilmentApi.report(range), enabled: !!range.from && !!range.to });
  const r = q.data;
  const chart = r ? (by === 'reward' ? r.rewards.map((x) => ({ name: x.rewardTitle, ...x })) : r.providers.map((x) => ({ name: providerLabel(x.provider), ...x }))).filter((x) => x.delivered > 0).slice(0, 12) : [];
  return (
    <>
      <PageHeader
        title="Delivery report"
        description="How long orders take from redemption to delivery, and how many keep their promise. Counts the orders placed in the period."
        actions={
          <Group gap="xs" align="flex-end">
            <TextInput type="date" label="From" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
            <TextInput type="date" label="To" value={to} onChange={(e) => setTo(e.currentTarget.value)} />
          </Group>
        }
      />
      <ErrorAlert error={q.error} />
      {!r ? (
        <PageLoader />
      ) : (
        <Stack gap="lg">
          <SimpleGrid cols={{ base: 2, md: 5 }}>
            <Stat label="Orders" value={r.total.orders.toLocaleString()} hint={`${r.total.delivered.toLocaleString()} delivered`} />
            <Stat label="Median delivery" value={formatMinutes(r.total.p50Minutes)} />
            <Stat label="95th percentile" value={formatMinutes(r.total.p95Minutes)} />
            <Stat label="On time" value={share(r.total.onTimeShare)} hint="of the orders delivered" />
            <Stat label="Late, still open" value={r.total.lateOpen.toLocaleString()} hint={r.total.lateOpen ? 'see the Orders page' : undefined} />
          </SimpleGrid>
          {r.total.lateOpen > 0 && (
            <Alert color="red" variant="light">
              {r.total.lateOpen.toLocaleString()} order(s) are past their promise and not delivered. <Link to="/fulfilment?tab=all">Open the orders</Link>
            </Alert>
          )}
          <Card withBorder radius="md" padding="md">
            <Group justify="space-between" mb="sm">
              <Title order={4}>Time to delivery</Title>
              <SegmentedControl size="xs" value={by} onChange={(v) => setBy(v)} data={[{ value: 'reward', label: 'By reward' }, { value: 'provider', label: 'By provider' }]} />
            </Group>
            {chart.length === 0 ? (
              <Text size="sm" c="dimmed">No order placed in this period has been delivered yet.</Text>
            ) : (
              <Suspense fallback={<PageLoader />}>
                <DeliveryChart data={chart} label={`Median and 95th percentile time to delivery ${by === 'reward' ? 'per reward' : 'per provider'}, with the on-time share`} />
              </Suspense>
            )}
          </Card>
          {[
            { title: 'Per provider', rows: r.providers.map((x) => ({ key: x.provider, name: providerLabel(x.provider), sub: null as string | null, f: x })) },
            { title: 'Per reward', rows: r.rewards.map((x) => ({ key: x.rewardId, name: x.rewardTitle, sub: providerLabel(x.provider), f: x })) },
          ].map((t) => (
            <Card key={t.title} withBorder radius="md" padding="md">
              <Title order={4} mb="sm">{t.title}</Title>
              {t.rows.length === 0 ? (
                <Text size="sm" c="dimmed">No orders in this period.</Text>
              ) : (
                <Table.ScrollContainer minWidth={800}>
                  <Table verticalSpacing="xs" data-testid={`report-${t.title === 'Per provider' ? 'providers' : 'rewards'}`}>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>{t.title === 'Per provider' ? 'Provider' : 'Reward'}</Table.Th>
                        {HEAD.map((h) => <Table.Th key={h} ta="right">{h}</Table.Th>)}
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {t.rows.map((row) => (
                        <Table.Tr key={row.key}>
                          <Table.Td>
                            <Text size="sm" fw={500}>{row.name}</Text>
                            {row.sub && <Text size="xs" c="dimmed">{row.sub}</Text>}
                          </Table.Td>
                          <FiguresCells f={row.f} />
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              )}
            </Card>
          ))}
        </Stack>
      )}
    </>
  );
}
