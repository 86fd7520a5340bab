import { useState } from 'react';
import { Alert, Anchor, Badge, Button, Card, FileInput, Group, NumberInput, Select, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { codesApi, rewardApi, vendorsApi, type CodeUpload } from '../api/providers';
import { PROVIDER_LABELS, type Reward } from '../api/rewards';
import { PageHeader } from '../components/PageHeader';
import { PageLoader } from '../components/PageLoader';
import { ErrorAlert, fieldError } from '../components/ErrorAlert';
import { IconUpload } from '../components/icons';

function Stat({ label, value, hint, color }: { label: string; value: number; hint: string; color?: string }) {
  return (
    <Card withBorder radius="md" padding="md">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="xl" fw={700} c={color} data-testid={`codes-${label.toLowerCase()}`}>
        {value.toLocaleString()}
      </Text>
      <Text size="xs" c="dimmed">
        {hint}
      </Text>
    </Card>
  );
}

/** A codes reward: how many codes are left, the low-stock threshold, and the CSV upload with its per-row report. */
function CodePool({ reward }: { reward: Reward }) {
  const qc = useQueryClient();
  const counts = useQuery({ queryKey: ['reward-codes', reward.id], queryFn: () => codesApi.counts(reward.id) });
  const [threshold, setThreshold] = useState<number | string>('');
  const [file, setFile] = useState<File | null>(null);
  const [report, setReport] = useState<CodeUpload | null>(null);
  const save = useMutation({ mutationFn: () => codesApi.setThreshold(reward.id, Number(threshold)), onSuccess: (c) => qc.setQueryData(['reward-codes', reward.id], c) });
  const upload = useMutation({
    mutationFn: async () => codesApi.upload(reward.id, await file!.text()),
    onSuccess: (r) => {
      setReport(r);
      setFile(null);
      qc.setQueryData(['reward-codes', reward.id], r.counts);
      // The upload added to the stock shown in the header.
      void qc.invalidateQueries({ queryKey: ['reward', reward.id] });
    },
  });
  if (!counts.data) return counts.error ? <ErrorAlert error={counts.error} /> : <PageLoader />;
  const c = counts.data;
  const low = c.available < c.lowStockThreshold;
  const variants = reward.variants.filter((v) => v.active);
  const example = variants.length ? `code,variantId,expiresOn\nABCD-1234-EFGH,${variants[0]!.id},2027-12-31\n` : 'code,expiresOn\nABCD-1234-EFGH,2027-12-31\n';
  const template = `data:text/csv;charset=utf-8,${encodeURIComponent(example)}`;
  return (
    <Stack gap="lg">
      {low && (
        <Alert color="orange" variant="light" title={c.available === 0 ? 'No codes left' : 'Running low'}>
          {c.available === 0 ? 'Participants cannot redeem this reward until you upload codes.' : `Only ${c.available} codes left, below the threshold of ${c.lowStockThreshold}. Reward managers were told in their inbox.`}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        <Stat label="Available" value={c.available} hint="left to give" color={low ? 'orange' : 'green'} />
        <Stat label="Given" value={c.assigned} hint="delivered to orders" />
        <Stat label="Expired" value={c.expired} hint="unused, past their date" />
        <Stat label="Uploaded" value={c.uploaded} hint="in all" />
      </SimpleGrid>
      {c.variants.length > 0 && (
        <Table withTableBorder striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Variant</Table.Th>
              <Table.Th ta="right">Available</Table.Th>
              <Table.Th ta="right">Given</Table.Th>
              <Table.Th ta="right">Expired</Table.Th>
              <Table.Th ta="right">Uploaded</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {c.variants.map((v) => (
              <Table.Tr key={v.variantId}>
                <Table.Td>{v.name}</Table.Td>
                <Table.Td ta="right">{v.available}</Table.Td>
                <Table.Td ta="right">{v.assigned}</Table.Td>
                <Table.Td ta="right">{v.expired}</Table.Td>
                <Table.Td ta="right">{v.uploaded}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Card withBorder radius="md" padding="lg">
        <Title order={4}>Upload codes</Title>
        <Text size="sm" c="dimmed" mb="sm">
          A CSV file with a <code>code</code> column{variants.length ? <>, a <code>variantId</code> column (which variant each code is for)</> : null} and an optional <code>expiresOn</code> (YYYY-MM-DD). Codes are stored encrypted; only the participant who redeems one ever sees it. A code already uploaded is skipped.{' '}
          <Anchor href={template} download={`codes-${reward.id}.csv`} size="sm">
            Download a template
          </Anchor>
        </Text>
        {variants.length > 0 && (
          <Text size="xs" c="dimmed" mb="sm">
            Variant ids: {variants.map((v) => `${v.name} = ${v.id}`).join(' · ')}
          </Text>
        )}
        <Group align="flex-end">
          <FileInput label="CSV file" placeholder="Choose a .csv file" accept=".csv,text/csv" value={file} onChange={(f) => { setFile(f); upload.reset(); setReport(null); }} leftSection={<IconUpload />} clearable w={320} />
          <Button onClick={() => upload.mutate()} disabled={!file} loading={upload.isPending}>
            Upload
          </Button>
        </Group>
        <Stack mt="md" gap="sm">
          <ErrorAlert error={upload.error} title="Nothing was uploaded: fix the file and try again" />
          {report && (
            <Alert color={report.added ? 'green' : 'gray'} variant="light" title={`${report.added} code${report.added === 1 ? '' : 's'} added${report.duplicates ? `, ${report.duplicates} skipped as duplicates` : ''}`} data-testid="upload-report">
              {report.duplicates > 0 && (
                <Table mt="xs" withRowBorders={false}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Row</Table.Th>
                      <Table.Th>Result</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {report.rows.filter((r) => r.status === 'duplicate').slice(0, 50).map((r) => (
                      <Table.Tr key={r.row}>
                        <Table.Td>{r.row}</Table.Td>
                        <Table.Td>
                          <Badge color="yellow" variant="light">Duplicate</Badge> {r.message}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              )}
            </Alert>
          )}
        </Stack>
      </Card>
      <Card withBorder radius="md" padding="lg">
        <Title order={4}>Low-stock alert</Title>
        <Text size="sm" c="dimmed" mb="sm">
          When the available codes fall below this number, reward managers get one message (again after the next refill).
        </Text>
        <Group align="flex-end">
          <NumberInput label="Alert below" min={0} max={1_000_000} w={160} value={threshold === '' ? c.lowStockThreshold : threshold} onChange={setThreshold} error={fieldError(save.error, 'lowStockThreshold')} />
          <Button variant="default" onClick={() => save.mutate()} loading={save.isPending} disabled={threshold === '' || Number(threshold) === c.lowStockThreshold}>
            Save
          </Button>
          {save.isSuccess && <Text size="sm" c="green">Saved</Text>}
        </Group>
      </Card>
    </Stack>
  );
}

/** A webhook reward: which vendor its orders go to. */
function VendorChoice({ reward }: { reward: Reward }) {
  const qc = useQueryClient();
  const vendors = useQuery({ queryKey: ['fulfilment-vendors'], queryFn: () => vendorsApi.list() });
  const [choice, setChoice] = useState<string | null>(null);
  const save = useMutation({ mutationFn: () => rewardApi.setVendor(reward.id, choice!), onSuccess: (r) => qc.setQueryData(['reward', reward.id], r) });
  if (!vendors.data) return vendors.error ? <ErrorAlert error={vendors.error} /> : <PageLoader />;
  const current = vendors.data.data.find((v) => v.id === reward.vendorId);
  return (
    <Card withBorder radius="md" padding="lg" maw={640}>
      <Title order={4}>Vendor</Title>
      <Text size="sm" c="dimmed" mb="sm">
        Each order of this reward is sent, signed, to the vendor’s URL; the vendor reports it shipped and delivered, and the participant sees each step.
      </Text>
      {vendors.data.data.length === 0 ? (
        <Alert color="orange" variant="light">
          No vendor yet. <Anchor component={Link} to="/admin/fulfilment-vendors">Add one</Anchor> first.
        </Alert>
      ) : (
        <Group align="flex-end">
          <Select label="Send orders to" data={vendors.data.data.map((v) => ({ value: v.id, label: `${v.name} (${v.url})` }))} value={choice ?? reward.vendorId ?? null} onChange={setChoice} w={420} error={fieldError(save.error, 'vendorId')} allowDeselect={false} />
          <Button onClick={() => save.mutate()} loading={save.isPending} disabled={!choice || choice === reward.vendorId}>
            Save
          </Button>
        </Group>
      )}
      {current && <Text size="sm" mt="sm">Orders go to <strong>{current.name}</strong>. <Anchor component={Link} to="/admin/fulfilment-vendors" size="sm">Manage vendors</Anchor></Text>}
      <ErrorAlert error={save.error} shown={['vendorId']} />
    </Card>
  );
}

/** How a reward's orders are fulfilled: the code pool, the vendor, or the manual queue. */
export default function RewardFulfilmentPage() {
  const { id = '' } = useParams();
  const reward = useQuery({ queryKey: ['reward', id], queryFn: () => rewardApi.get(id) });
  if (!reward.data) return reward.error ? <ErrorAlert error={reward.error} /> : <PageLoader />;
  const r = reward.data;
  return (
    <>
      <PageHeader title={`Fulfilment: ${r.title}`} description={<>Fulfilled by <Badge variant="light">{PROVIDER_LABELS[r.provider]}</Badge> · stock {r.stock === null ? 'unlimited' : r.stock.toLocaleString()}</>} />
      {r.provider === 'codes' ? (
        <CodePool reward={r} />
      ) : r.provider === 'webhook' ? (
        <VendorChoice reward={r} />
      ) : (
        <Alert color="gray" variant="light" maw={640}>
          Orders of this reward are fulfilled by hand: an admin marks each one processing, shipped and delivered. Choose the code pool or a vendor as its provider to automate it.
        </Alert>
      )}
    </>
  );
}
