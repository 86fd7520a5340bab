import { useState } from 'react';
import { Badge, Button, Group, Modal, MultiSelect, Paper, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { KIND_LABELS, PRIVACY_LABELS, surveysApi, type Privacy, type Question, type Survey } from '../api/surveys';
import { PageHeader } from '../components/PageHeader';
import { ErrorAlert, fieldError } from '../components/ErrorAlert';
import { PageLoader } from '../components/PageLoader';
import { useSession } from '../session';
import { formatDate } from '../lib/format';

const STATUS_COLORS = { draft: 'gray', open: 'green', closed: 'dark' } as const;
const TYPE_LABELS: Record<Question['type'], string> = { agreement: 'Agreement 1–5', likelihood: 'Likelihood 0–10', csat: 'Satisfaction 1–5', single_choice: 'One choice', multiple_choice: 'Several choices', text: 'Free text' };

/** The questions of a survey as a participant will meet them, with their type, driver and display logic. */
function Preview({ survey }: { survey: Survey }) {
  return (
    <Stack gap="sm">
      {survey.questions.map((q, i) => (
        <Paper key={q.id} withBorder p="sm" radius="md">
          <Text fw={600}>
            {i + 1}. {q.text} {!q.required && <Text span c="dimmed" size="sm">(optional)</Text>}
          </Text>
          <Group gap="xs" mt={4}>
            <Badge variant="light">{TYPE_LABELS[q.type]}</Badge>
            {q.driver && <Badge variant="outline" color="grape">{q.driver.replace('_', ' ')}</Badge>}
            {q.showIf && <Badge variant="outline" color="orange">shown if {q.showIf.question} is {q.showIf.in.join(', ')}</Badge>}
          </Group>
          {q.options && <Text size="sm" c="dimmed" mt={4}>{q.options.map((o) => o.label).join(' · ')}</Text>}
        </Paper>
      ))}
    </Stack>
  );
}

function NewSurvey({ onDone }: { onDone: () => void }) {
  const qc = useQueryClient();
  const templates = useQuery({ queryKey: ['survey-templates'], queryFn: () => surveysApi.templates() });
  const [template, setTemplate] = useState<string | null>('employee-engagement');
  const [title, setTitle] = useState('');
  const [privacy, setPrivacy] = useState<Privacy | null>(null);
  const [kinds, setKinds] = useState<string[]>(['employee']);
  const [closesAt, setClosesAt] = useState('');
  const create = useMutation({
    mutationFn: () =>
      surveysApi.create({
        template: template ?? undefined,
        ...(title.trim() ? { title: title.trim() } : {}),
        ...(privacy ? { privacy } : {}),
        audience: kinds.length ? { kinds } : {},
        ...(closesAt ? { closesAt: new Date(`${closesAt}T23:59:00`).toISOString() } : {}),
      }),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['surveys'] });
      onDone();
    },
  });
  const tpl = templates.data?.data.find((t) => t.id === template);
  return (
    <Stack>
      <Select label="Start from a template" data={(templates.data?.data ?? []).map((t) => ({ value: t.id, label: t.title }))} value={template} onChange={setTemplate} allowDeselect={false} />
      {tpl && <Text size="sm" c="dimmed">{tpl.description} ({tpl.questions.length} questions, {PRIVACY_LABELS[tpl.privacy].toLowerCase()} by default)</Text>}
      <TextInput label="Title" placeholder={tpl?.title} value={title} onChange={(e) => setTitle(e.currentTarget.value)} error={fieldError(create.error, 'title')} />
      <Select label="Privacy" placeholder={tpl ? `${PRIVACY_LABELS[tpl.privacy]} (template)` : undefined} data={Object.entries(PRIVACY_LABELS).map(([value, label]) => ({ value, label }))} value={privacy} onChange={(v) => setPrivacy(v as Privacy | null)} clearable />
      <MultiSelect label="Audience" description="Who is invited when it opens" data={[{ value: 'employee', label: 'Employees' }, { value: 'customer', label: 'Customer contacts' }, { value: 'partner', label: 'Partner reps' }]} value={kinds} onChange={setKinds} />
      <TextInput type="date" label="Closes on" value={closesAt} onChange={(e) => setClosesAt(e.currentTarget.value)} error={fieldError(create.error, 'closesAt')} />
      <ErrorAlert error={create.error} shown={['title', 'closesAt']} />
      <Group justify="flex-end">
        <Button onClick={() => create.mutate()} loading={create.isPending}>
          Create draft
        </Button>
      </Group>
    </Stack>
  );
}

/** Surveys: their status, who was invited and how many answered; create from a template, preview, open, remind, close. */
export default function SurveysPage() {
  const { can } = useSession();
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['surveys'], queryFn: () => surveysApi.list() });
  const [creating, setCreating] = useState(false);
  const [preview, setPreview] = useState<Survey | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const act = useMutation({
    mutationFn: async ({ s, action }: { s: Survey; action: 'open' | 'close' | 'remind' }) => {
      if (action === 'remind') return `Reminded ${(await surveysApi.remind(s.id)).reminded} people`;
      const r = await surveysApi[action](s.id);
      return action === 'open' ? `Opened: ${r.invited} people invited` : 'Closed';
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
        actions={manage && <Button onClick={() => setCreating(true)}>New survey</Button>}
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
                    <Text fw={600}>{s.title}</Text>
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
                      <Button size="xs" variant="default" onClick={() => setPreview(s)}>Preview</Button>
                      {manage && s.status === 'draft' && <Button size="xs" onClick={() => act.mutate({ s, action: 'open' })}>Open</Button>}
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
      <Modal opened={creating} onClose={() => setCreating(false)} title={<Title order={2} size="h4">New survey</Title>} size="lg">
        {creating && <NewSurvey onDone={() => setCreating(false)} />}
      </Modal>
      <Modal opened={!!preview} onClose={() => setPreview(null)} title={<Title order={2} size="h4">{preview?.title}</Title>} size="lg">
        {preview && <Preview survey={preview} />}
      </Modal>
    </>
  );
}
