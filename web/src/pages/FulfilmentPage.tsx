import { useEffect, useState } from 'react';
import { Alert, Anchor, Badge, Button, Checkbox, Drawer, FileButton, Group, Modal, Stack, Table, Tabs, Text, TextInput, Timeline, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { REDEMPTION_STATUS_LABELS, type Redemption, type RedemptionStatus } from '../api/rewards';
import { fulfilmentApi, type BulkAction, type BulkResult, type Shipment, type TrackingImportResult } from '../api/fulfilment';
import { PageHeader } from '../components/PageHeader';
import { PageLoader } from '../components/PageLoader';
import { ErrorAlert, fieldError } from '../components/ErrorAlert';
import { CursorPager } from '../components/CursorPager';
import { formatDateTime, formatPoints, plural } from '../lib/format';
import { useCursorStack } from '../lib/paging';
import { useSession } from '../session';

const STATUS_COLORS: Record<RedemptionStatus, string> = {
  pending_approval: 'yellow',
  placed: 'blue',
  processing: 'indigo',
  shipped: 'violet',
  delivered: 'green',
  rejected: 'red',
  failed: 'red',
  cancelled: 'gray',
};

/** The tabs of the queue, in the order an order moves. */
const TABS: { value: string; label: string; status?: RedemptionStatus }[] = [
  { value: 'pending_approval', label: 'Waiting for approval', status: 'pending_approval' },
  { value: 'placed', label: 'To fulfil', status: 'placed' },
  { value: 'processing', label: 'Being prepared', status: 'processing' },
  { value: 'shipped', label: 'Shipped', status: 'shipped' },
  { value: 'delivered', label: 'Delivered', status: 'delivered' },
  { value: 'all', label: 'All orders' },
];

/** What a bulk action may do from a tab: the moves the orders there allow. */
const ACTIONS_FROM: Partial<Record<RedemptionStatus, BulkAction[]>> = {
  placed: ['process', 'ship', 'deliver', 'fail'],
  processing: ['ship', 'deliver', 'fail'],
  shipped: ['deliver', 'fail'],
};
const ACTION_LABELS: Record<BulkAction, string> = { process: 'Mark processing', ship: 'Mark shipped…', deliver: 'Mark delivered', fail: 'Mark failed…' };

function ShipModal({ count, onShip, onClose, pending, error }: { count: number; onShip(s: Shipment): void; onClose(): void; pending: boolean; error: unknown }) {
  const [s, setS] = useState<Shipment>({ carrier: '', trackingNumber: '', trackingUrl: '' });
  const ready = s.carrier.trim() && s.trackingNumber.trim();
  return (
    <Modal opened onClose={onClose} title={`Ship ${plural(count, 'order')}`}>
      <Stack>
        <TextInput label="Carrier" placeholder="DHL, La Poste, UPS…" required value={s.carrier} onChange={(e) => setS({ ...s, carrier: e.currentTarget.value })} error={fieldError(error, 'carrier')} data-autofocus />
        <TextInput label="Tracking number" required value={s.trackingNumber} onChange={(e) => setS({ ...s, trackingNumber: e.currentTarget.value })} error={fieldError(error, 'trackingNumber')} />
        <TextInput label="Tracking link" description="Optional: where the participant follows the parcel" placeholder="https://…" value={s.trackingUrl} onChange={(e) => setS({ ...s, trackingUrl: e.currentTarget.value })} error={fieldError(error, 'trackingUrl')} />
        {count > 1 && <Text size="xs" c="dimmed">Every selected order gets this carrier and tracking number. To give each its own, import a tracking CSV.</Text>}
        <ErrorAlert error={error} shown={['carrier', 'trackingNumber', 'trackingUrl']} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Back</Button>
          <Button onClick={() => onShip({ carrier: s.carrier.trim(), trackingNumber: s.trackingNumber.trim(), ...(s.trackingUrl?.trim() ? { trackingUrl: s.trackingUrl.trim() } : {}) })} loading={pending} disabled={!ready}>
            Mark shipped
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function ReasonModal({ title, label, action, color = 'red', onConfirm, onClose, pending, error, body }: { title: string; label: string; action: string; color?: string; onConfirm(reason: string): void; onClose(): void; pending: boolean; error: unknown; body?: string }) {
  const [reason, setReason] = useState('');
  return (
    <Modal opened onClose={onClose} title={title}>
      <Stack>
        {body && <Text size="sm">{body}</Text>}
        <TextInput label={label} required value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={fieldError(error, 'reason')} data-autofocus />
        <ErrorAlert error={error} shown={['reason']} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Back</Button>
          <Button color={color} onClick={() => onConfirm(reason.trim())} loading={pending} disabled={!reason.trim()}>{action}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** One order: where it goes, its tracking, its timeline, and the moves it allows now. */
function OrderDrawer({ id, onClose }: { id: string; onClose(): void }) {
  const qc = useQueryClient();
  const label = useSession().session.workspace.pointsLabel;
  const q = useQuery({ queryKey: ['order', id], queryFn: () => fulfilmentApi.get(id) });
  const [asking, setAsking] = useState<'ship' | 'fail' | 'reject' | null>(null);
  const done = () => {
    void qc.invalidateQueries({ queryKey: ['orders'] });
    void qc.invalidateQueries({ queryKey: ['order', id] });
    setAsking(null);
  };
  const act = useMutation({ mutationFn: (f: () => Promise<Redemption>) => f(), onSuccess: done });
  const o = q.data;
  const moves = o ? (ACTIONS_FROM[o.status] ?? []) : [];
  return (
    <Drawer opened onClose={onClose} position="right" size="lg" title={o ? `${o.quantity > 1 ? `${o.quantity} × ` : ''}${o.rewardTitle}` : 'Order'}>
      <ErrorAlert error={q.error} />
      {!o ? (
        <PageLoader />
      ) : (
        <Stack gap="md" data-testid="order-detail">
          <Group gap="xs">
            <Badge color={STATUS_COLORS[o.status]} variant="light">{REDEMPTION_STATUS_LABELS[o.status]}</Badge>
            {o.late && <Badge color="red">Late</Badge>}
            <Text size="sm" c="dimmed">{o.id}</Text>
          </Group>
          <Text size="sm">
            {o.personName ?? 'Erased participant'} · {formatPoints(o.points, label)} · ordered {formatDateTime(o.createdAt)} · promised by {formatDateTime(o.promisedBy)}
          </Text>
          {o.shipping && (
            <Stack gap={0}>
              <Text fw={600} size="sm">Ship to</Text>
              {[o.shipping.name, o.shipping.line1, o.shipping.line2, `${o.shipping.postalCode} ${o.shipping.city}`, o.shipping.region, o.shipping.country].filter(Boolean).map((l, i) => <Text key={i} size="sm">{l}</Text>)}
            </Stack>
          )}
          {o.carrier && (
            <Text size="sm">
              {o.carrier} · {o.trackingUrl ? <Anchor href={o.trackingUrl} target="_blank" rel="noreferrer">{o.trackingNumber}</Anchor> : o.trackingNumber}
            </Text>
          )}
          <Group gap="xs">
            {o.status === 'pending_approval' && (
              <>
                <Button size="xs" onClick={() => act.mutate(() => fulfilmentApi.approve(o.id))} loading={act.isPending}>Approve</Button>
                <Button size="xs" color="red" variant="light" onClick={() => setAsking('reject')}>Reject…</Button>
              </>
            )}
            {moves.includes('process') && <Button size="xs" variant="light" onClick={() => act.mutate(() => fulfilmentApi.process(o.id))} loading={act.isPending}>Mark processing</Button>}
            {moves.includes('ship') && <Button size="xs" variant="light" onClick={() => setAsking('ship')}>Mark shipped…</Button>}
            {moves.includes('deliver') && <Button size="xs" variant="light" color="green" onClick={() => act.mutate(() => fulfilmentApi.deliver(o.id))} loading={act.isPending}>Mark delivered</Button>}
            {moves.includes('fail') && <Button size="xs" variant="subtle" color="red" onClick={() => setAsking('fail')}>Mark failed…</Button>}
          </Group>
          {!asking && <ErrorAlert error={act.error} />}
          <Title order={5}>Timeline</Title>
          <Timeline active={o.timeline.length - 1} bulletSize={14} lineWidth={2}>
            {o.timeline.map((e, i) => (
              <Timeline.Item key={i} title={REDEMPTION_STATUS_LABELS[e.status as RedemptionStatus] ?? e.status}>
                <Text size="xs" c="dimmed">{formatDateTime(e.at)}{e.note ? ` · ${e.note}` : ''}</Text>
              </Timeline.Item>
            ))}
          </Timeline>
        </Stack>
      )}
      {o && asking === 'ship' && <ShipModal count={1} onShip={(s) => act.mutate(() => fulfilmentApi.ship(o.id, s))} onClose={() => setAsking(null)} pending={act.isPending} error={act.error} />}
      {o && asking === 'fail' && <ReasonModal title="Mark the order failed" body={`The ${o.points.toLocaleString()} ${label} come back to the participant and the stock is released.`} label="Why could it not be fulfilled?" action="Mark failed and refund" onConfirm={(r) => act.mutate(() => fulfilmentApi.fail(o.id, r))} onClose={() => setAsking(null)} pending={act.isPending} error={act.error} />}
      {o && asking === 'reject' && <ReasonModal title="Reject the order" body={`The ${o.points.toLocaleString()} ${label} come back to the participant; they see your reason.`} label="Reason" action="Reject and refund" onConfirm={(r) => act.mutate(() => fulfilmentApi.reject(o.id, r))} onClose={() => setAsking(null)} pending={act.isPending} error={act.error} />}
    </Drawer>
  );
}

function BulkOutcome({ result, onClose }: { result: BulkResult | TrackingImportResult; onClose(): void }) {
  const failures = 'results' in result ? result.results.filter((r) => !r.ok).map((r) => ({ key: r.id, where: r.id, detail: r.detail })) : result.rows.filter((r) => !r.ok).map((r) => ({ key: String(r.row), where: `line ${r.row}${r.orderId ? ` (${r.orderId})` : ''}`, detail: r.detail }));
  const okCount = 'results' in result ? result.ok : result.shipped;
  return (
    <Alert color={failures.length ? 'orange' : 'green'} withCloseButton onClose={onClose} title={`${plural(okCount, 'order')} moved${failures.length ? `, ${failures.length} not` : ''}`} data-testid="bulk-outcome">
      {failures.length > 0 && (
        <Stack gap={2}>
          {failures.slice(0, 20).map((f) => <Text key={f.key} size="sm"><b>{f.where}</b>: {f.detail}</Text>)}
          {failures.length > 20 && <Text size="sm">… and {failures.length - 20} more</Text>}
        </Stack>
      )}
    </Alert>
  );
}

/** The admin's orders: approvals, the manual fulfilment queue with bulk moves, CSV out and tracking in. */
export default function FulfilmentPage() {
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'placed';
  const openId = params.get('order');
  const current = TABS.find((t) => t.value === tab) ?? TABS[1]!;
  const pager = useCursorStack();
  const q = useQuery({ queryKey: ['orders', current.value, pager.cursor], queryFn: () => fulfilmentApi.list({ limit: 50, cursor: pager.cursor, status: current.status }) });
  const [selected, setSelected] = useState<string[]>([]);
  const [asking, setAsking] = useState<'ship' | 'fail' | null>(null);
  const [outcome, setOutcome] = useState<BulkResult | TrackingImportResult | null>(null);
  useEffect(() => setSelected([]), [tab, pager.cursor]);
  const refresh = () => void qc.invalidateQueries({ queryKey: ['orders'] });
  const bulk = useMutation({
    mutationFn: fulfilmentApi.bulk,
    onSuccess: (r) => {
      setOutcome(r);
      setSelected([]);
      setAsking(null);
      refresh();
    },
  });
  const importer = useMutation({
    mutationFn: async (f: File) => fulfilmentApi.importTracking(await f.text()),
    onSuccess: (r) => {
      setOutcome(r);
      refresh();
    },
  });
  const setTab = (v: string | null) => {
    pager.reset();
    setParams((p) => {
      p.set('tab', v ?? 'placed');
      p.delete('order');
      return p;
    });
  };
  const open = (id: string | null) =>
    setParams((p) => {
      if (id) p.set('order', id);
      else p.delete('order');
      return p;
    });
  const rows = q.data?.data ?? [];
  const actions = current.status ? (ACTIONS_FROM[current.status] ?? []) : [];
  const allChecked = rows.length > 0 && selected.length === rows.length;
  const run = (action: BulkAction, extra: Record<string, string> = {}) => bulk.mutate({ ids: selected, action, ...extra });

  return (
    <>
      <PageHeader
        title="Orders"
        description="Approve orders, work the fulfilment queue, and keep every delivery on its promise. Late orders are marked in red."
        actions={
          <Group gap="xs">
            <Button component="a" variant="default" href={fulfilmentApi.exportHref({ status: current.status })} download>
              Export CSV
            </Button>
            <FileButton onChange={(f) => f && importer.mutate(f)} accept=".csv,text/csv">
              {(props) => <Button {...props} variant="default" loading={importer.isPending}>Import tracking CSV</Button>}
            </FileButton>
          </Group>
        }
      />
      <Text size="xs" c="dimmed" mb="sm">
        Tracking CSV columns: orderId, carrier, trackingNumber and optionally trackingUrl. Each line ships its order; the lines that cannot are listed.
      </Text>
      <ErrorAlert error={importer.error} title="The tracking file was not read" />
      {outcome && <BulkOutcome result={outcome} onClose={() => setOutcome(null)} />}
      <Tabs value={current.value} onChange={setTab} mt="sm">
        <Tabs.List>
          {TABS.map((t) => <Tabs.Tab key={t.value} value={t.value}>{t.label}</Tabs.Tab>)}
        </Tabs.List>
      </Tabs>
      {actions.length > 0 && (
        <Group gap="xs" my="sm" data-testid="bulk-bar">
          <Text size="sm" c="dimmed">{selected.length ? `${plural(selected.length, 'order')} selected:` : 'Select orders to move them together.'}</Text>
          {actions.map((a) => (
            <Button key={a} size="xs" variant={a === 'fail' ? 'subtle' : 'light'} color={a === 'fail' ? 'red' : a === 'deliver' ? 'green' : undefined} disabled={!selected.length} loading={bulk.isPending && bulk.variables?.action === a}
              onClick={() => (a === 'ship' || a === 'fail' ? setAsking(a) : run(a))}>
              {ACTION_LABELS[a]}
            </Button>
          ))}
        </Group>
      )}
      {!asking && <ErrorAlert error={bulk.error} />}
      <ErrorAlert error={q.error} />
      {!q.data ? (
        <PageLoader />
      ) : rows.length === 0 ? (
        <Alert color="gray" mt="md">{current.status === 'pending_approval' ? 'No order is waiting for approval.' : current.status ? `No order is ${REDEMPTION_STATUS_LABELS[current.status].toLowerCase()}.` : 'No orders yet.'}</Alert>
      ) : (
        <Table.ScrollContainer minWidth={900}>
          <Table verticalSpacing="xs" highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                {actions.length > 0 && (
                  <Table.Th w={36}>
                    <Checkbox aria-label="Select all orders on this page" checked={allChecked} indeterminate={selected.length > 0 && !allChecked} onChange={() => setSelected(allChecked ? [] : rows.map((r) => r.id))} />
                  </Table.Th>
                )}
                <Table.Th>Reward</Table.Th>
                <Table.Th>Participant</Table.Th>
                <Table.Th>Ordered</Table.Th>
                <Table.Th>Promised by</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Tracking</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((o) => (
                <Table.Tr key={o.id} data-testid="order-row" data-late={o.late ? 'true' : undefined} bg={o.late ? 'var(--mantine-color-red-light)' : undefined}>
                  {actions.length > 0 && (
                    <Table.Td>
                      <Checkbox aria-label={`Select ${o.rewardTitle} for ${o.personName ?? 'participant'}`} checked={selected.includes(o.id)} onChange={() => setSelected((s) => (s.includes(o.id) ? s.filter((x) => x !== o.id) : [...s, o.id]))} />
                    </Table.Td>
                  )}
                  <Table.Td>
                    <Anchor component="button" type="button" size="sm" fw={600} ta="left" onClick={() => open(o.id)}>{o.quantity > 1 ? `${o.quantity} × ` : ''}{o.rewardTitle}</Anchor>
                  </Table.Td>
                  <Table.Td><Text size="sm">{o.personName ?? '—'}</Text></Table.Td>
                  <Table.Td><Text size="sm">{formatDateTime(o.createdAt)}</Text></Table.Td>
                  <Table.Td>
                    <Text size="sm" c={o.late ? 'red' : undefined}>{formatDateTime(o.promisedBy)}</Text>
                    {o.late && <Badge color="red" size="sm" style={{ flexShrink: 0 }}>Late</Badge>}
                  </Table.Td>
                  <Table.Td><Badge color={STATUS_COLORS[o.status]} variant="light">{REDEMPTION_STATUS_LABELS[o.status]}</Badge></Table.Td>
                  <Table.Td>
                    <Text size="sm">{o.carrier ? `${o.carrier} · ${o.trackingNumber}` : '—'}</Text>
                  </Table.Td>
                  <Table.Td>
                    {o.status === 'pending_approval' ? (
                      <Button size="xs" variant="light" onClick={() => open(o.id)}>Review</Button>
                    ) : (
                      <Button size="xs" variant="subtle" onClick={() => open(o.id)}>Details</Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {q.data && <CursorPager page={pager.page} nextCursor={q.data.nextCursor} count={rows.length} loading={q.isFetching} onPrevious={pager.previous} onNext={() => pager.next(q.data?.nextCursor)} />}
      {asking === 'ship' && <ShipModal count={selected.length} onShip={(s) => run('ship', { ...s })} onClose={() => setAsking(null)} pending={bulk.isPending} error={bulk.error} />}
      {asking === 'fail' && <ReasonModal title={`Mark ${plural(selected.length, 'order')} failed`} body="Each participant gets their points back and the stock is released." label="Why could they not be fulfilled?" action="Mark failed and refund" onConfirm={(r) => run('fail', { reason: r })} onClose={() => setAsking(null)} pending={bulk.isPending} error={bulk.error} />}
      {openId && <OrderDrawer id={openId} onClose={() => open(null)} />}
    </>
  );
}
