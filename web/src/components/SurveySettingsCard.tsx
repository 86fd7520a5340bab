import { useEffect, useState } from 'react';
import { Button, Group, NumberInput, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/client';
import { reportsApi, type SurveySettings } from '../api/surveys';
import { ErrorAlert, fieldError } from './ErrorAlert';

/** The workspace's anonymity thresholds and engagement cut-offs (GET|PUT /api/v1/survey-settings). */
export function SurveySettingsCard() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['survey-settings'], queryFn: () => reportsApi.settings(), retry: false });
  const [form, setForm] = useState<SurveySettings | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (q.data) setForm(q.data);
  }, [q.data]);
  const save = useMutation({
    mutationFn: () => reportsApi.saveSettings(form!),
    onSuccess: (s) => {
      qc.setQueryData(['survey-settings'], s);
      setSaved(true);
    },
  });
  // A server without the settings route (or a role that may not read them): nothing to show.
  if (q.error instanceof ApiError && (q.error.status === 404 || q.error.status === 403)) return null;
  if (!form) return <ErrorAlert error={q.error} />;
  const set = (key: 'k' | 'commentK' | 'engagedAtOrAbove' | 'activelyDisengagedBelow') => (v: string | number) => {
    setForm({ ...form, [key]: typeof v === 'number' ? v : Number(v) });
    setSaved(false);
  };
  return (
    <Paper withBorder p="md" radius="md" mt="xl" component="section" aria-label="Anonymity and engagement settings">
      <Stack gap="sm">
        <div>
          <Title order={2} size="h4">Anonymity and engagement settings</Title>
          <Text size="sm" c="dimmed">For every survey in this workspace. Anonymous and confidential results never show a group smaller than these.</Text>
        </div>
        <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }} spacing="sm">
          <NumberInput label="Smallest group shown (k)" description="answers; at least 3" min={3} max={100} allowDecimal={false} value={form.k} onChange={set('k')} error={fieldError(save.error, 'k')} />
          <NumberInput label="Smallest group for comments" description="free-text answers" min={3} max={200} allowDecimal={false} value={form.commentK} onChange={set('commentK')} error={fieldError(save.error, 'commentK')} />
          <NumberInput label="Engaged from index" description="0–100" min={0} max={100} value={form.engagedAtOrAbove} onChange={set('engagedAtOrAbove')} error={fieldError(save.error, 'engagedAtOrAbove')} />
          <NumberInput label="Actively disengaged below" description="0–100" min={0} max={100} value={form.activelyDisengagedBelow} onChange={set('activelyDisengagedBelow')} error={fieldError(save.error, 'activelyDisengagedBelow')} />
        </SimpleGrid>
        <ErrorAlert error={save.error} shown={['k', 'commentK', 'engagedAtOrAbove', 'activelyDisengagedBelow']} />
        <Group>
          <Button onClick={() => save.mutate()} loading={save.isPending} variant="light">Save settings</Button>
          {saved && <Text size="sm" c="teal" role="status">Saved</Text>}
        </Group>
      </Stack>
    </Paper>
  );
}
