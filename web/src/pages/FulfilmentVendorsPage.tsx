import { useState } from 'react';
import { Alert, Anchor, Button, Card, Code, Group, Modal, Stack, Table, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { vendorsApi, type Vendor, type VendorWithSecret } from '../api/providers';
import { PageHeader } from '../components/PageHeader';
import { PageLoader } from '../components/PageLoader';
import { ErrorAlert, fieldError } from '../components/ErrorAlert';
import { SecretBox } from '../components/SecretBox';
import { ConfirmModal } from '../components/ConfirmModal';

/** Adds a vendor; its secret is shown once, here. */
function AddVendor({ onClose }: { onClose(): void }) {
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const create = useMutation({ mutationFn: () => vendorsApi.create({ name: name.trim(), url: url.trim() }), onSuccess: () => void qc.invalidateQueries({ queryKey: ['fulfilment-vendors'] }) });
  return (
    <Modal opened onClose={onClose} title={create.data ? `${create.data.name} is added` : 'Add a fulfilment vendor'} size="lg">
      {create.data ? (
        <Stack>
          <SecretBox label="Signing secret" value={create.data.secret} warning="The vendor checks Tandem’s orders and signs its status reports with this secret. It is shown only now: give it to the vendor." />
          <Text size="sm">
            The vendor reports each order’s status to <Code>{create.data.callbackUrl}</Code>
          </Text>
          <Group justify="flex-end">
            <Button onClick={onClose}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <Stack>
          <TextInput label="Name" placeholder="Gifts & Co" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(create.error, 'name')} />
          <TextInput label="Order URL" description="Tandem POSTs each order here, signed (see docs/webhooks.md)" placeholder="https://vendor.example/tandem/orders" required value={url} onChange={(e) => setUrl(e.currentTarget.value)} error={fieldError(create.error, 'url')} />
          <ErrorAlert error={create.error} shown={['name', 'url']} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button onClick={() => create.mutate()} loading={create.isPending} disabled={!name.trim() || !url.trim()}>
              Add vendor
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

/** The workspace's fulfilment vendors: where webhook rewards send their orders. */
export default function FulfilmentVendorsPage() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['fulfilment-vendors'], queryFn: () => vendorsApi.list() });
  const [adding, setAdding] = useState(false);
  const [rotated, setRotated] = useState<VendorWithSecret | null>(null);
  const [removing, setRemoving] = useState<Vendor | null>(null);
  const rotate = useMutation({ mutationFn: (id: string) => vendorsApi.rotate(id), onSuccess: setRotated });
  const remove = useMutation({
    mutationFn: (id: string) => vendorsApi.remove(id),
    onSuccess: () => {
      setRemoving(null);
      void qc.invalidateQueries({ queryKey: ['fulfilment-vendors'] });
    },
  });
  return (
    <>
      <PageHeader title="Fulfilment vendors" description="Partners that fulfil rewards for you: Tandem sends them each order, signed, and they report it shipped and delivered." actions={<Button onClick={() => setAdding(true)}>Add vendor</Button>} />
      <ErrorAlert error={q.error ?? rotate.error} />
      {!q.data ? (
        <PageLoader />
      ) : q.data.data.length === 0 ? (
        <Alert color="gray" maw={720}>
          No vendors yet. Add one, then choose “Vendor (webhook)” as the provider of a reward and pick the vendor on the reward’s fulfilment page.
        </Alert>
      ) : (
        <Card withBorder radius="md" padding={0}>
          <Table verticalSpacing="sm" horizontalSpacing="md">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Vendor</Table.Th>
                <Table.Th>Order URL</Table.Th>
                <Table.Th>Rewards</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {q.data.data.map((v) => (
                <Table.Tr key={v.id} data-testid="vendor">
                  <Table.Td fw={600}>{v.name}</Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace">{v.url}</Text>
                  </Table.Td>
                  <Table.Td>
                    {v.rewards.length ? v.rewards.map((r, i) => (
                      <span key={r.id}>
                        {i > 0 && ', '}
                        <Anchor component={Link} to={`/admin/rewards/${r.id}/fulfilment`} size="sm">{r.title}</Anchor>
                      </span>
                    )) : <Text size="sm" c="dimmed">none yet</Text>}
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs" justify="flex-end" wrap="nowrap">
                      <Button size="xs" variant="default" onClick={() => rotate.mutate(v.id)} loading={rotate.isPending && rotate.variables === v.id}>
                        New secret
                      </Button>
                      <Button size="xs" variant="subtle" color="red" onClick={() => setRemoving(v)} disabled={v.rewards.length > 0} title={v.rewards.length ? 'Rewards still send orders here' : undefined}>
                        Delete
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
      )}
      {adding && <AddVendor onClose={() => setAdding(false)} />}
      {rotated && (
        <Modal opened onClose={() => setRotated(null)} title={`New secret for ${rotated.name}`} size="lg">
          <Stack>
            <SecretBox label="Signing secret" value={rotated.secret} warning="The old secret stopped working: give this one to the vendor now. It is shown only once." />
            <Group justify="flex-end">
              <Button onClick={() => setRotated(null)}>Done</Button>
            </Group>
          </Stack>
        </Modal>
      )}
      {removing && (
        <ConfirmModal opened title={`Delete ${removing.name}?`} confirmLabel="Delete" onConfirm={() => remove.mutate(removing.id)} onClose={() => setRemoving(null)} loading={remove.isPending}>
          <Text size="sm">Orders already sent keep their history; the vendor can no longer report on them.</Text>
          <ErrorAlert error={remove.error} />
        </ConfirmModal>
      )}
    </>
  );
}
