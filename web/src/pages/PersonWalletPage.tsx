import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { Anchor, Badge, Button, Group, Modal, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/client';
import { peopleApi, walletApi } from '../api/endpoints';
import type { Person } from '../api/types';
import { useSession } from '../session';
import { PageLoader } from '../components/PageLoader';
import { ErrorAlert, fieldError } from '../components/ErrorAlert';
import { NumField } from '../components/NumField';
import { WalletView } from '../components/WalletView';
import { IconArrowLeft } from '../components/icons';
import { KIND_COLORS, KIND_LABELS, formatPoints } from '../lib/format';
import { personLabel } from '../lib/queries';
import NotFoundPage from './NotFoundPage';

function AdjustForm({ person, onDone }: { person: Person; onDone(): void }) {
  const { session } = useSession();
  const label = session.workspace.pointsLabel;
  const qc = useQueryClient();
  const [points, setPoints] = useState<number | undefined>(undefined);
  const [reason, setReason] = useState('');
  const adjust = useMutation({
    mutationFn: () => walletApi.adjust(person.id, { points: points ?? 0, reason: reason.trim() }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['wallet', person.id] });
      onDone();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    adjust.mutate();
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <Text size="sm">
          Adds {label} to {personLabel(person)}’s wallet, or removes them with a negative number. The reason shows in their history as “Adjustment by an admin: …”.
        </Text>
        <NumField label={`${label[0]!.toUpperCase()}${label.slice(1)}`} description="Negative to remove" required value={points} onChange={setPoints} error={fieldError(adjust.error, 'points')} allowDecimal={false} w={220} />
        <TextInput label="Reason" required placeholder="For example: Missed award in March" value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={fieldError(adjust.error, 'reason')} />
        <ErrorAlert error={adjust.error} shown={['points', 'reason']} />
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={adjust.isPending} disabled={!points || reason.trim().length < 3}>
            {points && points < 0 ? `Remove ${formatPoints(-points, label)}` : points ? `Add ${formatPoints(points, label)}` : 'Adjust'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export default function PersonWalletPage() {
  const { id = '' } = useParams();
  const { can } = useSession();
  const person = useQuery({ queryKey: ['people', 'one', id], queryFn: () => peopleApi.get(id) });
  const [adjusting, setAdjusting] = useState(false);

  if (person.error instanceof ApiError && person.error.status === 404) return <NotFoundPage what="person" />;
  if (person.isPending) return <PageLoader />;
  if (!person.data) return <ErrorAlert error={person.error} />;
  const p = person.data;

  return (
    <Stack gap="lg">
      <div>
        <Anchor component={Link} to="/people" size="sm">
          <Group gap={4} component="span">
            <IconArrowLeft size={14} /> People
          </Group>
        </Anchor>
        <Group justify="space-between" align="flex-end" mt="xs" wrap="wrap">
          <div>
            <Group gap="sm">
              <Title order={1} size="h2">
                {personLabel(p)}
              </Title>
              <Badge variant="light" color={KIND_COLORS[p.kind]}>
                {KIND_LABELS[p.kind]}
              </Badge>
              {p.status === 'inactive' && (
                <Badge variant="filled" color="gray">
                  Inactive
                </Badge>
              )}
            </Group>
            <Text size="sm" c="dimmed">
              Wallet · {p.externalId}
              {p.email ? ` · ${p.email}` : ''}
            </Text>
          </div>
          <Group gap="sm">
            {can('events.read') && (
              <Button variant="default" component={Link} to={`/events?personId=${p.id}`}>
                Their events
              </Button>
            )}
            {can('ledger.adjust') && !p.erasedAt && <Button onClick={() => setAdjusting(true)}>Adjust balance</Button>}
          </Group>
        </Group>
      </div>
      <WalletView personId={p.id} self={false} />
      <Modal opened={adjusting} onClose={() => setAdjusting(false)} title={`Adjust ${personLabel(p)}’s balance`} size="md">
        {adjusting && <AdjustForm person={p} onDone={() => setAdjusting(false)} />}
      </Modal>
    </Stack>
  );
}
