import { useState } from 'react';
import { Link } from 'react-router';
import { Anchor, Badge, Button, Group, Table, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { KIND_LABELS, PRIVACY_LABELS, surveysApi, type Survey } from '../api/surveys';
import { PageHeader } from '../components/PageHeader';
import { ErrorAlert } from '../components/ErrorAlert';
import { SurveySettingsCard } from '../components/SurveySettingsCard';
import { PageLoader } from '../components/PageLoader';
import { useSession } from '../session';
import { formatDate } from '../lib/format';

const STATUS_COLORS = { draft: 'gray', open: 'green', closed: 'dark' } as const;
/** Surveys: their status, who was invited and how many answered; create from a template, preview, open, remind, close. */
export default function SurveysPage() {
  const { can } = useSession();
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['surveys'], queryFn: () => surveysApi.list() });
  const [notice, setNotice] = useState<string | null>(null);
  const act = useMutation({
    mutationFn: async ({ s, action }: { s: Survey; action: 'close' | 'remind' }) => {
      if (action === 'remind') return `Reminded ${(await surveysApi.remind(s.id)).reminded} people`;
      await surveysApi.close(s.id);
      return 'Closed';
    },
    onSuccess: async (msg) => {
      setNotice(msg);
      await qc.invalidateQueries({ queryKey: ['surveys'] });
    },
  });
  if (list.isPending) return <PageLoader />;
  const manage = can('surveys.manage');
  return (
    <>
      <PageHeader
        title="Surveys"
        description="Engagement surveys and pulses, eNPS, customer NPS and CSAT, partner satisfaction. Opening a survey invites its audience, each with their own single-use link."
        actions={manage && <Button component={Link} to="/admin/surveys/new">New survey</Button>}
      />
      <ErrorAlert error={list.error ?? act.error} />
      {notice && <Text role="status" c="teal" mb="sm">{notice}</Text>}
      {list.data && list.data.data.length === 0 && <Text c="dimmed">No surveys yet.</Text>}
      {list.data && list.data.data.length > 0 && (
        <Table.ScrollContainer minWidth={720}>
          <Table verticalSpacing="sm" highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Survey</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Privacy</Table.Th>
                <Table.Th ta="right">Responses</Table.Th>
                <Table.Th>Closes</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.data.map((s) => (
                <Table.Tr key={s.id}>
                  <Table.Td>
                    <Anchor component={Link} to={manage ? `/admin/surveys/${s.id}` : `/admin/surveys/${s.id}/results`} fw={600}>{s.title}</Anchor>
                    <Text size="xs" c="dimmed">{KIND_LABELS[s.kind]} · {s.questions.length} questions</Text>
                  </Table.Td>
                  <Table.Td><Badge color={STATUS_COLORS[s.status]}>{s.status}</Badge></Table.Td>
                  <Table.Td>{PRIVACY_LABELS[s.privacy]}</Table.Td>
                  <Table.Td ta="right">
                    {s.responses} / {s.invited}
                    {s.responseRate !== null && <Text size="xs" c="dimmed">{Math.round(s.responseRate * 100)}%</Text>}
                  </Table.Td>
                  <Table.Td>{s.closesAt ? formatDate(s.closesAt) : '—'}</Table.Td>
                  <Table.Td>
                    <Group gap="xs" justify="flex-end" wrap="nowrap">
                      {s.status !== 'draft' && <Button size="xs" variant="default" component={Link} to={`/admin/surveys/${s.id}/results`} aria-label={`Results of ${s.title}`}>Results</Button>}
                      {manage && s.status === 'draft' && <Button size="xs" variant="default" component={Link} to={`/admin/surveys/${s.id}`}>Edit</Button>}
                      {manage && s.status === 'open' && <Button size="xs" variant="light" onClick={() => act.mutate({ s, action: 'remind' })}>Remind</Button>}
                      {manage && s.status === 'open' && <Button size="xs" variant="light" color="red" onClick={() => act.mutate({ s, action: 'close' })}>Close</Button>}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {manage && <SurveySettingsCard />}
    </>
  );
}
