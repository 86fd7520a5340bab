import { useState } from 'react';
import { Alert, Anchor, Badge, Button, Card, CopyButton, Group, Modal, Paper, Stack, Text, TextInput, Timeline } from '@mantine/core';
import { IconCheck, IconCopy } from '../components/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { redemptionsApi, REDEMPTION_STATUS_LABELS, type Redemption, type RedemptionStatus } from '../api/rewards';
import { useSession } from '../session';
import { PageHeader } from '../components/PageHeader';
import { PageLoader } from '../components/PageLoader';
import { ErrorAlert, fieldError } from '../components/ErrorAlert';
import { CursorPager } from '../components/CursorPager';
import { formatDateTime, formatPoints } from '../lib/format';
import { useCursorStack } from '../lib/paging';

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

function CancelModal({ order, onClose }: { order: Redemption; onClose(): void }) {
  const qc = useQueryClient();
  const [reason, setReason] = useState('');
  const cancel = useMutation({
    mutationFn: () => redemptionsApi.cancel(order.id, reason.trim()),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['my-orders'] });
      void qc.invalidateQueries({ queryKey: ['catalog'] });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={`Cancel ${order.rewardTitle}?`}>
      <Stack>
        <Text size="sm">The {order.points.toLocaleString()} points come back to your wallet at once.</Text>
        <TextInput label="Why?" required value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={fieldError(cancel.error, 'reason')} />
        <ErrorAlert error={cancel.error} shown={['reason']} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Keep the order
          </Button>
          <Button color="red" onClick={() => cancel.mutate()} loading={cancel.isPending} disabled={!reason.trim()}>
            Cancel the order
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** A gift-card code, shown only on its owner's order, with a copy button. */
function OrderCode({ code }: { code: string }) {
  return (
    <Paper withBorder p="sm" mt="md" bg="green.0" data-testid="order-code">
      <Group justify="space-between" wrap="nowrap">
        <Stack gap={0}>
          <Text size="xs" c="dimmed">
            Your code
          </Text>
          <Text fw={700} ff="monospace" size="lg" style={{ wordBreak: 'break-all' }}>
            {code}
          </Text>
        </Stack>
        <CopyButton value={code} timeout={2000}>
          {({ copied, copy }) => (
            <Button size="xs" variant={copied ? 'filled' : 'light'} color={copied ? 'teal' : undefined} leftSection={copied ? <IconCheck size={14} /> : <IconCopy size={14} />} onClick={copy} style={{ flex: 'none' }}>
              {copied ? 'Copied' : 'Copy code'}
            </Button>
          )}
        </CopyButton>
      </Group>
    </Paper>
  );
}

/** A participant's orders: each with its timeline from the order to delivery, and the promise. */
export default function MyOrdersPage() {
  const { session } = useSession();
  const label = session.workspace.pointsLabel;
  const pager = useCursorStack();
  const q = useQuery({ queryKey: ['my-orders', pager.cursor], queryFn: () => redemptionsApi.mine({ limit: 20, cursor: pager.cursor }) });
  const [cancelling, setCancelling] = useState<Redemption | null>(null);
  return (
    <>
      <PageHeader
        title="My orders"
        description="Every reward you redeemed, where it is, and when it is promised."
        actions={
          <Button component={Link} to="/rewards" variant="default">
            Back to rewards
          </Button>
        }
      />
      <ErrorAlert error={q.error} />
      {!q.data ? (
        <PageLoader />
      ) : q.data.data.length === 0 ? (
        <Alert color="gray">No orders yet. Redeem a reward from the catalog and it shows here.</Alert>
      ) : (
        <Stack gap="md" maw={880}>
          {q.data.data.map((o) => (
            <Card key={o.id} withBorder radius="md" padding="md" data-testid="order">
              <Group justify="space-between" align="flex-start">
                <Stack gap={2}>
                  <Text fw={600}>
                    {o.quantity > 1 ? `${o.quantity} × ` : ''}
                    {o.rewardTitle}
                  </Text>
                  <Text size="sm" c="dimmed">
                    {formatPoints(o.points, label)} · ordered {formatDateTime(o.createdAt)}
                    {!['delivered', 'cancelled', 'rejected', 'failed'].includes(o.status) ? ` · promised by ${formatDateTime(o.promisedBy)}` : ''}
                    {o.deliveredAt ? ` · delivered ${formatDateTime(o.deliveredAt)}` : ''}
                  </Text>
                  {o.carrier && (
                    <Text size="sm" data-testid="order-tracking">
                      Sent with {o.carrier}, tracking{' '}
                      {o.trackingUrl ? (
                        <Anchor href={o.trackingUrl} target="_blank" rel="noreferrer">
                          {o.trackingNumber}
                        </Anchor>
                      ) : (
                        <b>{o.trackingNumber}</b>
                      )}
                    </Text>
                  )}
                </Stack>
                <Group gap="sm">
                  <Badge color={STATUS_COLORS[o.status]} variant="light" data-testid="order-status">
                    {REDEMPTION_STATUS_LABELS[o.status]}
                  </Badge>
                  {(o.status === 'placed' || o.status === 'pending_approval') && (
                    <Button size="xs" variant="subtle" color="red" onClick={() => setCancelling(o)}>
                      Cancel
                    </Button>
                  )}
                </Group>
              </Group>
              {o.code && <OrderCode code={o.code} />}
              <Timeline mt="md" active={o.timeline.length - 1} bulletSize={14} lineWidth={2}>
                {o.timeline.map((e, i) => (
                  <Timeline.Item key={i} title={REDEMPTION_STATUS_LABELS[e.status as RedemptionStatus] ?? e.status}>
                    <Text size="xs" c="dimmed">
                      {formatDateTime(e.at)}
                      {e.note && e.status !== 'shipped' ? ` · ${e.note}` : ''}
                      {e.status === 'shipped' && o.carrier ? ` · ${o.carrier} ${o.trackingNumber ?? ''}` : ''}
                    </Text>
                  </Timeline.Item>
                ))}
              </Timeline>
            </Card>
          ))}
          <CursorPager page={pager.page} nextCursor={q.data.nextCursor} count={q.data.data.length} loading={q.isFetching} onPrevious={pager.previous} onNext={() => pager.next(q.data?.nextCursor)} />
        </Stack>
      )}
      {cancelling && <CancelModal order={cancelling} onClose={() => setCancelling(null)} />}
    </>
  );
}
