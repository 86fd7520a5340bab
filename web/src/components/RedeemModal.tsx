import { useMemo, useState } from 'react';
import { Alert, Button, Group, Modal, NumberInput, Select, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { redemptionsApi, type CatalogItem, type Redemption, type ShippingAddress } from '../api/rewards';
import { ErrorAlert, fieldError } from './ErrorAlert';
import { formatPoints } from '../lib/format';

const EMPTY: ShippingAddress = { name: '', line1: '', line2: '', city: '', region: '', postalCode: '', country: '' };

/** Redeeming one reward: what it costs, what is left after, the size and the address if it ships. */
export function RedeemModal({ item, balance, label, onClose }: { item: CatalogItem; balance: number; label: string; onClose(): void }) {
  const qc = useQueryClient();
  const [quantity, setQuantity] = useState<number | string>(1);
  const [variantId, setVariantId] = useState<string | null>(null);
  const [address, setAddress] = useState<ShippingAddress>(EMPTY);
  // One key per opened dialog: a double click or a retry after a network error orders once.
  const key = useMemo(() => `redeem-${item.id}-${Date.now()}-${Math.random().toString(36).slice(2)}`, [item.id]);
  const [done, setDone] = useState<Redemption | null>(null);
  const q = typeof quantity === 'number' ? quantity : Number(quantity) || 1;
  const total = item.cost * q;
  const after = balance - total;
  const redeem = useMutation({
    mutationFn: () =>
      redemptionsApi.redeem(
        {
          rewardId: item.id,
          quantity: q,
          ...(variantId ? { variantId } : {}),
          ...(item.ships ? { shipping: Object.fromEntries(Object.entries(address).filter(([, v]) => v.trim() !== '')) as unknown as ShippingAddress } : {}),
        },
        key,
      ),
    onSuccess: (r) => {
      setDone(r);
      void qc.invalidateQueries({ queryKey: ['catalog'] });
      void qc.invalidateQueries({ queryKey: ['my-orders'] });
    },
  });
  const field = (name: keyof ShippingAddress, labelText: string, required = true) => (
    <TextInput
      label={labelText}
      required={required}
      value={address[name] ?? ''}
      onChange={(e) => setAddress({ ...address, [name]: e.currentTarget.value })}
      error={fieldError(redeem.error, `shipping.${name}`)}
    />
  );
  if (done)
    return (
      <Modal opened onClose={onClose} title="Ordered" size="md">
        <Stack>
          <Alert color="green" title={done.status === 'pending_approval' ? 'Sent for approval' : 'Your order is in'}>
            {done.rewardTitle} for {formatPoints(done.points, label)}. {done.status === 'pending_approval' ? 'You will hear as soon as it is approved.' : 'You will hear at each step until it is delivered.'}
          </Alert>
          <Group justify="flex-end">
            <Button component={Link} to="/orders" variant="default">
              See my orders
            </Button>
            <Button onClick={onClose}>Done</Button>
          </Group>
        </Stack>
      </Modal>
    );
  return (
    <Modal opened onClose={onClose} title={`Redeem ${item.title}`} size="lg">
      <Stack>
        {item.variants.length > 0 && (
          <Select
            label="Choose"
            required
            data={item.variants.map((v) => ({ value: v.id, label: v.inStock ? v.name : `${v.name} (out of stock)`, disabled: !v.inStock }))}
            value={variantId}
            onChange={setVariantId}
            error={fieldError(redeem.error, 'variantId')}
          />
        )}
        <NumberInput label="Quantity" min={1} max={100} value={quantity} onChange={setQuantity} w={140} />
        {item.ships && (
          <Stack gap="xs">
            <Text fw={600} size="sm">
              Ship to
            </Text>
            <SimpleGrid cols={2}>
              {field('name', 'Name')}
              {field('line1', 'Address')}
              {field('line2', 'Address, line 2', false)}
              {field('city', 'City')}
              {field('region', 'Region', false)}
              {field('postalCode', 'Postal code')}
              {field('country', 'Country (two letters, e.g. FR)')}
            </SimpleGrid>
          </Stack>
        )}
        <Table withRowBorders={false} data-testid="redeem-summary">
          <Table.Tbody>
            <Table.Tr>
              <Table.Td>Your balance</Table.Td>
              <Table.Td ta="right">{formatPoints(balance, label)}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Td>{q > 1 ? `${q} × ${formatPoints(item.cost, label)}` : 'Cost'}</Table.Td>
              <Table.Td ta="right">− {formatPoints(total, label)}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Td fw={700}>Left after this order</Table.Td>
              <Table.Td ta="right" fw={700} c={after < 0 ? 'red' : undefined}>
                {formatPoints(after, label)}
              </Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
        {item.requiresApproval && <Text size="sm">This reward is approved by a manager or admin first; if it is not, your points come back.</Text>}
        <ErrorAlert error={redeem.error} shown={['variantId', 'shipping.name', 'shipping.line1', 'shipping.line2', 'shipping.city', 'shipping.region', 'shipping.postalCode', 'shipping.country']} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Not now
          </Button>
          <Button onClick={() => redeem.mutate()} loading={redeem.isPending} disabled={after < 0 || (item.variants.length > 0 && !variantId)}>
            Redeem for {formatPoints(total, label)}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
