import { useState } from 'react';
import { Alert, Anchor, Button, Code, FileInput, Group, List, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/client';
import { programsApi } from '../api/endpoints';
import type { Program } from '../api/types';
import { formatNumber } from '../lib/format';
import { ErrorAlert, fieldError } from './ErrorAlert';
import { IconUpload } from './icons';

const TEMPLATE = `data:text/csv;charset=utf-8,${encodeURIComponent('personExternalId,points\nE0042,500\n')}`;

/** Points for up to 10,000 people from a CSV file, paid from the program's budget, all or nothing, with a reason. */
export function BulkAwardUpload({ program, points, opened, onClose }: { program: Program; points: string; opened: boolean; onClose(): void }) {
  const qc = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [reason, setReason] = useState('');
  const award = useMutation({
    mutationFn: async (f: File) => programsApi.importAwards(program.id, reason.trim(), await f.text()),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['programs', 'one', program.id] }),
  });
  const fieldErrors = award.error instanceof ApiError ? award.error.fieldErrors.filter((e) => e.path !== 'querystring.reason') : [];
  return (
    <Modal opened={opened} onClose={onClose} title={`Award ${points} from ${program.name}`} size="lg">
      <Stack gap="md">
        <Text size="sm">
          One row per person: <Code>personExternalId</Code> (or <Code>personId</Code>) and <Code>points</Code>. The {points} come from the program&apos;s budget ({formatNumber(program.budgetRemaining)} left). If any row is wrong or the budget cannot cover the total, nobody is paid.{' '}
          <Anchor href={TEMPLATE} download="awards.csv" size="sm">
            Download a template
          </Anchor>
        </Text>
        <TextInput label="Reason" description="Shown on each person's wallet history" placeholder="Hackathon prizes, March" value={reason} onChange={(e) => { setReason(e.currentTarget.value); award.reset(); }} error={fieldError(award.error, 'querystring.reason')} required />
        <FileInput label="CSV file" placeholder="Choose a .csv file" accept=".csv,text/csv" value={file} onChange={(f) => { setFile(f); award.reset(); }} leftSection={<IconUpload />} clearable />
        {award.data && (
          <Alert color="green" variant="light" title="Awarded" role="status">
            {formatNumber(award.data.points)} {points} to {formatNumber(award.data.recipients)} {award.data.recipients === 1 ? 'person' : 'people'}.
          </Alert>
        )}
        {fieldErrors.length > 0 ? (
          <Alert color="red" variant="light" title="Nobody was paid" role="alert">
            <Text size="sm">{(award.error as ApiError).problem.detail}</Text>
            <List size="sm" mt={4}>
              {fieldErrors.slice(0, 20).map((e, i) => (
                <List.Item key={i}>
                  <strong>{e.path.replace(/^awards\[(\d+)\]\.(.+)$/, (_, n: string, f: string) => `row ${Number(n) + 1}: ${f}`)}</strong>: {e.message}
                </List.Item>
              ))}
            </List>
          </Alert>
        ) : (
          <ErrorAlert error={award.error} shown={['querystring.reason']} />
        )}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose}>
            {award.data ? 'Done' : 'Cancel'}
          </Button>
          <Button disabled={!file || award.isSuccess} loading={award.isPending} onClick={() => file && award.mutate(file)}>
            Award {points}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
