import { useState } from 'react';
import { Alert, Anchor, Button, Code, FileInput, Group, List, Modal, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/client';
import { goalsApi } from '../api/endpoints';
import type { Goal } from '../api/types';
import { formatNumber } from '../lib/format';
import { ErrorAlert } from './ErrorAlert';
import { IconUpload } from './icons';

const PERIOD_HINT: Record<Goal['period'], string> = {
  month: 'YYYY-MM (such as 2026-11), or all',
  quarter: 'YYYY-Qn (such as 2026-Q4), or all',
  year: 'YYYY (such as 2026), or all',
  program: 'all',
};

/** Quotas for a goal from a CSV file: a target per person (or team) and period, all or nothing. */
export function QuotaUpload({ goal, opened, onClose }: { goal: Goal; opened: boolean; onClose(): void }) {
  const qc = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const who = goal.scope === 'team' ? 'teamExternalId' : 'personExternalId';
  const example = goal.scope === 'team' ? 'T-SALES' : 'E0042';
  const period = goal.period === 'program' ? 'all' : goal.period === 'month' ? '2026-11' : goal.period === 'quarter' ? '2026-Q4' : '2026';
  const template = `data:text/csv;charset=utf-8,${encodeURIComponent(`${who},period,target\n${example},${period},10000\n`)}`;
  const upload = useMutation({
    mutationFn: async (f: File) => goalsApi.importTargets(goal.id, await f.text()),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['goals', goal.id] }),
  });
  const rowErrors = upload.error instanceof ApiError ? upload.error.fieldErrors : [];
  return (
    <Modal opened={opened} onClose={onClose} title={`Quotas for ${goal.name}`} size="lg">
      <Stack gap="md">
        <Text size="sm">
          One row per {goal.scope === 'team' ? 'team' : 'person'}: <Code>{who}</Code>, <Code>period</Code> ({PERIOD_HINT[goal.period]}) and <Code>target</Code>. A quota replaces the goal&apos;s default target for that {goal.scope} and period. If any row is wrong, none is set.{' '}
          <Anchor href={template} download={`quotas-${goal.id}.csv`} size="sm">
            Download a template
          </Anchor>
        </Text>
        <FileInput label="CSV file" placeholder="Choose a .csv file" accept=".csv,text/csv" value={file} onChange={(f) => { setFile(f); upload.reset(); }} leftSection={<IconUpload />} clearable />
        {upload.data && (
          <Alert color="green" variant="light" title="Quotas set" role="status">
            {formatNumber(upload.data.set)} {upload.data.set === 1 ? 'quota' : 'quotas'} set. Attainment now counts against them.
          </Alert>
        )}
        {upload.error && rowErrors.length > 0 ? (
          <Alert color="red" variant="light" title="Nothing was set" role="alert">
            <Text size="sm">{(upload.error as ApiError).problem.detail}</Text>
            <List size="sm" mt={4}>
              {rowErrors.slice(0, 20).map((e, i) => (
                <List.Item key={i}>
                  <strong>{e.path.replace(/^targets\[(\d+)\]\.(.+)$/, (_, n: string, f: string) => `row ${Number(n) + 1}: ${f}`)}</strong>: {e.message}
                </List.Item>
              ))}
            </List>
          </Alert>
        ) : (
          <ErrorAlert error={upload.error} />
        )}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose}>
            {upload.data ? 'Done' : 'Cancel'}
          </Button>
          <Button disabled={!file} loading={upload.isPending} onClick={() => file && upload.mutate(file)}>
            Upload quotas
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
