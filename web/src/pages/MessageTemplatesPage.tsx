import { useEffect, useState } from 'react';
import { Badge, Button, Card, Code, Grid, Group, Paper, Stack, Tabs, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { MESSAGE_TYPE_LABELS, templatesApi, type MessageTemplate, type TemplateParts } from '../api/comms';
import { PageHeader } from '../components/PageHeader';
import { PageLoader } from '../components/PageLoader';
import { ErrorAlert, fieldError } from '../components/ErrorAlert';

const LOCALE = 'en';

function TemplateEditor({ t }: { t: MessageTemplate }) {
  const qc = useQueryClient();
  const [draft, setDraft] = useState<TemplateParts>({ subject: t.subject, text: t.text, html: t.html });
  useEffect(() => setDraft({ subject: t.subject, text: t.text, html: t.html }), [t.subject, t.text, t.html]);
  const changed = draft.subject !== t.subject || draft.text !== t.text || draft.html !== t.html;
  const preview = useMutation({ mutationFn: () => templatesApi.preview(t.type, { locale: LOCALE, ...draft }) });
  const save = useMutation({
    mutationFn: () => templatesApi.put(t.type, { locale: LOCALE, ...draft }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['message-templates'] }),
  });
  const reset = useMutation({
    mutationFn: () => templatesApi.reset(t.type, LOCALE),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['message-templates'] }),
  });
  // The preview follows the draft (a short pause after typing).
  const { mutate } = preview;
  useEffect(() => {
    const h = setTimeout(() => mutate(), 400);
    return () => clearTimeout(h);
  }, [draft.subject, draft.text, draft.html, mutate]);
  const err = save.error ?? preview.error;
  const set = (k: keyof TemplateParts) => (e: { currentTarget: { value: string } }) => setDraft({ ...draft, [k]: e.currentTarget.value });
  const p = preview.data;
  return (
    <Grid gap="lg">
      <Grid.Col span={{ base: 12, md: 6 }}>
        <Card withBorder padding="lg" radius="md">
          <Stack gap="md">
            <Group justify="space-between">
              <Title order={2} size="h4">
                Template
              </Title>
              <Badge variant="light" color={t.overridden ? 'tandem' : 'gray'}>
                {t.overridden ? 'Customised' : 'Default'}
              </Badge>
            </Group>
            <TextInput label="Subject" description="The email's subject and the inbox title." value={draft.subject} onChange={set('subject')} error={fieldError(err, 'subject')} />
            <Textarea label="Text" description="The inbox message and the email's plain-text part." autosize minRows={4} value={draft.text} onChange={set('text')} error={fieldError(err, 'text')} />
            <Textarea label="HTML" description="The email's body. Variables are HTML-escaped." autosize minRows={4} styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 13 } }} value={draft.html} onChange={set('html')} error={fieldError(err, 'html')} />
            <div>
              <Text size="sm" fw={500} mb={4}>
                Variables
              </Text>
              <Stack gap={2}>
                {t.variables.map((v) => (
                  <Text size="sm" key={v.name}>
                    <Code>{`{{${v.name}}}`}</Code>{' '}
                    <Text span c="dimmed" size="sm">
                      {v.description}
                    </Text>
                  </Text>
                ))}
              </Stack>
            </div>
            <ErrorAlert error={save.error ?? reset.error} shown={['subject', 'text', 'html']} />
            <Group justify="space-between">
              <Button variant="subtle" color="gray" disabled={!t.overridden} loading={reset.isPending} onClick={() => reset.mutate()}>
                Restore default
              </Button>
              <Group gap="sm">
                <Button variant="default" disabled={!changed} onClick={() => setDraft({ subject: t.subject, text: t.text, html: t.html })}>
                  Discard changes
                </Button>
                <Button disabled={!changed} loading={save.isPending} onClick={() => save.mutate()}>
                  Save template
                </Button>
              </Group>
            </Group>
            {save.isSuccess && !changed && (
              <Text size="sm" c="green.8" role="status">
                Saved. The next messages of this type use it.
              </Text>
            )}
          </Stack>
        </Card>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 6 }}>
        <Stack gap="md">
          <Card withBorder padding="lg" radius="md">
            <Title order={2} size="h4" mb={4}>
              Preview
            </Title>
            <Text size="sm" c="dimmed" mb="md">
              As {p?.sample.personName ?? 'a participant'} would see it, with sample data.
            </Text>
            <Text size="xs" tt="uppercase" fw={700} c="dimmed" mb={4}>
              In the inbox
            </Text>
            <Paper withBorder p="sm" radius="md" bg="blue.0" mb="md">
              <Text fw={700}>{p?.inboxTitle ?? ' '}</Text>
              <Text size="sm" style={{ whiteSpace: 'pre-line' }}>
                {p?.inboxBody ?? ' '}
              </Text>
            </Paper>
            <Text size="xs" tt="uppercase" fw={700} c="dimmed" mb={4}>
              By email
            </Text>
            <Text size="sm" mb={6}>
              <Text span c="dimmed">
                Subject:{' '}
              </Text>
              {p?.subject}
            </Text>
            {p && <iframe title="Email preview" srcDoc={p.html} sandbox="" style={{ width: '100%', height: 380, border: '1px solid var(--mantine-color-gray-3)', borderRadius: 8 }} />}
          </Card>
        </Stack>
      </Grid.Col>
    </Grid>
  );
}

/** Message templates per type: edit, preview with sample data, restore the default. */
export default function MessageTemplatesPage() {
  const q = useQuery({ queryKey: ['message-templates', LOCALE], queryFn: () => templatesApi.list(LOCALE) });
  const [tab, setTab] = useState<string | null>('points.awarded');
  return (
    <>
      <PageHeader title="Message templates" description="What participants read in their inbox and by email: points earned, goal tiers reached, and the messages of the programs’ communication plans (and the cadence alert managers get). English; the defaults apply until you change them." />
      <ErrorAlert error={q.error} />
      {q.isPending ? (
        <PageLoader />
      ) : (
        <Tabs value={tab} onChange={setTab} keepMounted={false}>
          <Tabs.List mb="md">
            {q.data?.data.map((t) => (
              <Tabs.Tab key={t.type} value={t.type}>
                {MESSAGE_TYPE_LABELS[t.type]}
              </Tabs.Tab>
            ))}
          </Tabs.List>
          {q.data?.data.map((t) => (
            <Tabs.Panel key={t.type} value={t.type}>
              <TemplateEditor t={t} />
            </Tabs.Panel>
          ))}
        </Tabs>
      )}
    </>
  );
}
