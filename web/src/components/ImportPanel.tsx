import { useMemo, useState } from 'react';
import { Anchor, Badge, Button, Code, FileInput, Group, Input, Paper, SegmentedControl, SimpleGrid, Stack, Switch, Table, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { importApi } from '../api/endpoints';
import type { ImportKind, ImportResult } from '../api/types';
import { ROW_STATUS_COLORS } from '../lib/format';
import { ErrorAlert } from './ErrorAlert';
import { IconUpload } from './icons';

export const IMPORT_COLUMNS: Record<ImportKind, { columns: string[]; attributes: boolean; example: string }> = {
  teams: { columns: ['externalId', 'name', 'parentExternalId', 'managerExternalId'], attributes: false, example: 'T-SALES,Sales,T-HQ,E0001' },
  people: {
    columns: ['kind', 'externalId', 'name', 'email', 'teamExternalId', 'accountExternalId', 'hireDate', 'status', 'locale', 'timezone'],
    attributes: true,
    example: 'employee,E0042,Ada Lovelace,ada@example.com,T-SALES,,2024-03-01,active,en,Europe/London',
  },
  accounts: { columns: ['kind', 'externalId', 'name', 'tier', 'region', 'status'], attributes: true, example: 'customer,C001,Blue Logistics,gold,EMEA,active' },
  assignments: { columns: ['externalId', 'personExternalId', 'accountExternalId', 'role'], attributes: false, example: 'A-1,E0042,C001,account_manager' },
};

const KIND_LABELS: Record<ImportKind, string> = { teams: 'Teams', people: 'People', accounts: 'Accounts', assignments: 'Assignments' };
const SHOW_MAX = 1000;

function templateHref(kind: ImportKind) {
  const c = IMPORT_COLUMNS[kind];
  const header = c.columns.join(',');
  return `data:text/csv;charset=utf-8,${encodeURIComponent(`${header}\n${c.example}\n`)}`;
}

export function ImportReport({ result }: { result: ImportResult }) {
  const [onlyRejected, setOnlyRejected] = useState(result.summary.rejected > 0);
  const rows = useMemo(() => (onlyRejected ? result.rows.filter((r) => r.status === 'rejected') : result.rows), [result, onlyRejected]);
  const s = result.summary;
  const stats: { label: string; value: number; color: string }[] = [
    { label: 'Created', value: s.created, color: 'green' },
    { label: 'Updated', value: s.updated, color: 'blue' },
    { label: 'Unchanged', value: s.unchanged, color: 'gray' },
    { label: 'Rejected', value: s.rejected, color: 'red' },
  ];
  return (
    <Stack gap="md" data-testid="import-report">
      <Text fw={600} size="lg">
        Import report
      </Text>
      <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm">
        {stats.map((x) => (
          <Paper key={x.label} withBorder p="sm" data-testid={`summary-${x.label.toLowerCase()}`}>
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              {x.label}
            </Text>
            <Text size="xl" fw={700} c={x.value && x.color !== 'gray' ? `${x.color}.8` : undefined}>
              {x.value.toLocaleString()}
            </Text>
          </Paper>
        ))}
      </SimpleGrid>
      {s.rejected > 0 ? (
        <Text size="sm">
          {s.rejected === 1 ? 'One row was' : `${s.rejected.toLocaleString()} rows were`} rejected and changed nothing; the other rows were imported. Fix the rejected rows in
          your file and import it again — rows already imported come back as unchanged.
        </Text>
      ) : (
        <Text size="sm">Every row was imported.</Text>
      )}
      <Switch label="Show only rejected rows" checked={onlyRejected} onChange={(e) => setOnlyRejected(e.currentTarget.checked)} />
      <Table.ScrollContainer minWidth={560}>
        <Table striped withTableBorder aria-label="Rows of the import">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={70}>Row</Table.Th>
              <Table.Th>External ID</Table.Th>
              <Table.Th w={120}>Status</Table.Th>
              <Table.Th>Errors</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.slice(0, SHOW_MAX).map((r) => (
              <Table.Tr key={r.row} data-status={r.status}>
                <Table.Td>{r.row}</Table.Td>
                <Table.Td>{r.externalId ?? <Text c="dimmed">—</Text>}</Table.Td>
                <Table.Td>
                  <Badge color={ROW_STATUS_COLORS[r.status]} variant="light">
                    {r.status}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  {r.errors.length ? (
                    <Stack gap={2}>
                      {r.errors.map((e, i) => (
                        <Text key={i} size="sm" c="red.8">
                          <Code>{e.path}</Code> {e.message}
                        </Text>
                      ))}
                    </Stack>
                  ) : (
                    <Text c="dimmed" size="sm">
                      —
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
            {rows.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={4}>
                  <Text c="dimmed" size="sm" ta="center" py="sm">
                    No rows to show.
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {rows.length > SHOW_MAX && (
        <Text size="sm" c="dimmed">
          Showing the first {SHOW_MAX.toLocaleString()} of {rows.length.toLocaleString()} rows.
        </Text>
      )}
    </Stack>
  );
}

/** Upload a CSV file to POST /api/v1/import/{kind} and show the per-row report. */
export function ImportPanel({ kind: fixedKind, onImported }: { kind?: ImportKind; onImported?(r: ImportResult): void }) {
  const [kind, setKind] = useState<ImportKind>(fixedKind ?? 'people');
  const [file, setFile] = useState<File | null>(null);
  const qc = useQueryClient();
  const run = useMutation({
    mutationFn: async () => importApi.run(kind, await file!.text()),
    onSuccess: (r) => {
      for (const k of ['teams', 'people', 'accounts', 'assignments']) void qc.invalidateQueries({ queryKey: [k] });
      onImported?.(r);
    },
  });
  const c = IMPORT_COLUMNS[kind];

  return (
    <Stack gap="md">
      {!fixedKind && (
        <Stack gap={4}>
          <Input.Label id="import-kind-label" labelElement="div">
            What to import
          </Input.Label>
          <SegmentedControl
            aria-labelledby="import-kind-label"
            value={kind}
            onChange={(v) => {
              setKind(v);
              run.reset();
            }}
            data={(Object.keys(KIND_LABELS) as ImportKind[]).map((k) => ({ value: k, label: KIND_LABELS[k] }))}
          />
        </Stack>
      )}
      <Paper withBorder p="md" bg="gray.0">
        <Stack gap={6}>
          <Text size="sm" fw={600}>
            Columns for {KIND_LABELS[kind].toLowerCase()}
          </Text>
          <Group gap={6}>
            {c.columns.map((col) => (
              <Code key={col} bg="gray.2">
                {col}
              </Code>
            ))}
            {c.attributes && <Code bg="gray.2">attributes.&lt;name&gt;</Code>}
          </Group>
          <Text size="xs" c="dimmed">
            The first row names the columns. Rows are matched by <Code>externalId</Code>: a new one is created, an existing one updated. A column you leave out keeps its value; an empty
            cell clears it. Rows may refer to each other in any order.
          </Text>
          <Anchor href={templateHref(kind)} download={`tandem-${kind}-template.csv`} size="sm">
            Download a template for {KIND_LABELS[kind].toLowerCase()}
          </Anchor>
        </Stack>
      </Paper>
      <Group align="flex-end" gap="sm">
        <FileInput
          label="CSV file"
          placeholder="Choose a .csv file"
          accept=".csv,text/csv"
          value={file}
          onChange={(f) => {
            setFile(f);
            run.reset();
          }}
          clearable
          style={{ flex: 1, minWidth: 240 }}
          leftSection={<IconUpload size={16} />}
        />
        <Button onClick={() => run.mutate()} disabled={!file} loading={run.isPending}>
          Import {KIND_LABELS[kind].toLowerCase()}
        </Button>
      </Group>
      <ErrorAlert error={run.error} title="The file was not imported" />
      {run.data && <ImportReport result={run.data} />}
    </Stack>
  );
}
