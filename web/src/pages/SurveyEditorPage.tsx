import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ActionIcon, Alert, Anchor, Badge, Button, Card, Group, MultiSelect, Paper, Radio, Select, SimpleGrid, Stack, Switch, Tabs, TagsInput, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/client';
import { DRIVER_LABELS, KIND_LABELS, PRIVACY_EXPLAINED, PRIVACY_LABELS, QUESTION_TYPE_LABELS, surveysApi, visibleQuestions, type AnswerValue, type Privacy, type Question, type QuestionType, type Survey, type SurveyKind, type SurveyTemplate } from '../api/surveys';
import type { Audience } from '../api/types';
import { PageHeader } from '../components/PageHeader';
import { PageLoader } from '../components/PageLoader';
import { ErrorAlert, fieldError } from '../components/ErrorAlert';
import { ConfirmModal } from '../components/ConfirmModal';
import { PathErrors } from '../components/RuleBuilder';
import { QuestionField, scaleLabel, scaleOf } from '../components/SurveyQuestion';
import { SurveyTriggersCard } from '../components/SurveyTriggersCard';
import { IconArrowLeft, IconPlus, IconTrash } from '../components/icons';
import { describeAudience } from '../lib/rules';
import { teamPaths, useTeams } from '../lib/queries';
import { formatDate, plural } from '../lib/format';
import { AudienceFields, useAttributeKeys } from './ProgramEditorPage';
import NotFoundPage from './NotFoundPage';

const CHOICE_TYPES: QuestionType[] = ['single_choice', 'multiple_choice'];
const isScale = (t: QuestionType) => t === 'agreement' || t === 'likelihood' || t === 'csat';

/** A question being edited: the API's shape, options always a list. */
interface QuestionDraft {
  id: string;
  type: QuestionType;
  text: string;
  help: string;
  required: boolean;
  options: { value: string; label: string }[];
  driver: string | null;
  showIf: { question: string; in: (number | string)[] } | null;
}

// New questions get their id here (the API keeps a given id), so display logic can point at a
// question before it is saved.
const newId = () => `q_${Math.random().toString(36).slice(2, 10)}`;
const slug = (label: string) => label.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 60) || 'option';

const toDraft = (q: Question): QuestionDraft => ({ id: q.id, type: q.type, text: q.text, help: q.help ?? '', required: q.required, options: q.options ?? [], driver: q.driver, showIf: q.showIf });
const asQuestion = (d: QuestionDraft): Question => ({ ...d, help: d.help.trim() || null, options: CHOICE_TYPES.includes(d.type) ? d.options : null, scale: scaleOf({ type: d.type, scale: null }) });
function questionBody(d: QuestionDraft) {
  return {
    id: d.id,
    type: d.type,
    text: d.text,
    help: d.help.trim() || null,
    required: d.required,
    ...(CHOICE_TYPES.includes(d.type) ? { options: d.options } : {}),
    driver: isScale(d.type) ? d.driver : null,
    showIf: d.showIf,
  };
}

/** ISO time ↔ a datetime-local input (browser time). */
function isoToLocal(iso: string | null) {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
const localToIso = (v: string) => (v ? new Date(v).toISOString() : null);

/** The answers an earlier question can have, for "show if … is one of". */
function answerChoices(q: QuestionDraft) {
  const scale = scaleOf({ type: q.type, scale: null });
  if (scale) return Array.from({ length: scale.max - scale.min + 1 }, (_, i) => ({ value: String(scale.min + i), label: scaleLabel(q, scale.min + i) }));
  return q.options.map((o) => ({ value: o.value, label: o.label }));
}

function QuestionEditor({ q, index, earlier, count, errors, onChange, onMove, onRemove }: { q: QuestionDraft; index: number; earlier: QuestionDraft[]; count: number; errors: PathErrors; onChange(q: QuestionDraft): void; onMove(by: -1 | 1): void; onRemove(): void }) {
  const at = (p: string) => errors.within(`questions.${index}.${p}`).map((f) => f.message).join('; ') || undefined;
  const n = index + 1;
  const logicSource = q.showIf ? earlier.find((e) => e.id === q.showIf!.question) : undefined;
  const setOptions = (options: QuestionDraft['options']) => onChange({ ...q, options });
  return (
    <Paper withBorder p="md" radius="md" role="group" aria-label={`Question ${n}`}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Text fw={700}>Question {n}</Text>
          <Group gap={4} wrap="nowrap">
            <Button size="compact-sm" variant="default" onClick={() => onMove(-1)} disabled={index === 0} aria-label={`Move question ${n} up`}>↑</Button>
            <Button size="compact-sm" variant="default" onClick={() => onMove(1)} disabled={index === count - 1} aria-label={`Move question ${n} down`}>↓</Button>
            <ActionIcon variant="subtle" color="red" onClick={onRemove} aria-label={`Remove question ${n}`} size="lg">
              <IconTrash size={16} />
            </ActionIcon>
          </Group>
        </Group>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <Select
            label="Type"
            allowDeselect={false}
            data={Object.entries(QUESTION_TYPE_LABELS).map(([value, label]) => ({ value, label }))}
            value={q.type}
            onChange={(t) => {
              const type = t as QuestionType;
              const options = CHOICE_TYPES.includes(type) && q.options.length < 2 ? [{ value: 'option_1', label: 'Option 1' }, { value: 'option_2', label: 'Option 2' }] : q.options;
              onChange({ ...q, type, options, driver: isScale(type) ? q.driver : null });
            }}
            error={at('type')}
          />
          {isScale(q.type) ? (
            <Select
              label="Driver"
              description="What this item measures; engagement marks the outcome items"
              placeholder="None"
              clearable
              data={Object.entries(DRIVER_LABELS).map(([value, label]) => ({ value, label }))}
              value={q.driver}
              onChange={(driver) => onChange({ ...q, driver })}
              error={at('driver')}
            />
          ) : (
            <div />
          )}
        </SimpleGrid>
        <TextInput label="Question" value={q.text} onChange={(e) => onChange({ ...q, text: e.currentTarget.value })} error={at('text')} />
        <TextInput label="Help text" description="Optional, shown under the question" value={q.help} onChange={(e) => onChange({ ...q, help: e.currentTarget.value })} error={at('help')} />
        <Switch label="An answer is required" checked={q.required} onChange={(e) => onChange({ ...q, required: e.currentTarget.checked })} />
        {CHOICE_TYPES.includes(q.type) && (
          <Stack gap={6}>
            <Text size="sm" fw={500}>Options</Text>
            {q.options.map((o, i) => (
              <Group key={i} gap="xs" wrap="nowrap">
                <TextInput
                  aria-label={`Question ${n} option ${i + 1}`}
                  value={o.label}
                  onChange={(e) => {
                    const label = e.currentTarget.value;
                    // A saved option keeps its value (answers refer to it); a new one follows its label.
                    setOptions(q.options.map((x, j) => (j === i ? { label, value: x.value.startsWith('option_') || x.value === slug(x.label) ? slug(label) : x.value } : x)));
                  }}
                  error={at(`options.${i}`)}
                  style={{ flex: 1 }}
                />
                <ActionIcon variant="subtle" color="gray" onClick={() => setOptions(q.options.filter((_, j) => j !== i))} aria-label={`Remove option ${i + 1} of question ${n}`} size="lg">
                  <IconTrash size={14} />
                </ActionIcon>
              </Group>
            ))}
            {at('options') && !q.options.length && <Text size="sm" c="red">{at('options')}</Text>}
            <Group>
              <Button size="xs" variant="light" leftSection={<IconPlus size={14} />} onClick={() => setOptions([...q.options, { value: `option_${q.options.length + 1}_${Math.random().toString(36).slice(2, 5)}`, label: `Option ${q.options.length + 1}` }])}>
                Add option
              </Button>
            </Group>
          </Stack>
        )}
        <Stack gap={6}>
          <Switch
            label="Show only after certain answers to an earlier question"
            checked={!!q.showIf}
            disabled={!earlier.length}
            onChange={(e) => onChange({ ...q, showIf: e.currentTarget.checked && earlier.length ? { question: earlier[earlier.length - 1]!.id, in: [] } : null })}
          />
          {q.showIf && (
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
              <Select
                label="Show if question"
                allowDeselect={false}
                data={earlier.map((e) => ({ value: e.id, label: `${earlier.indexOf(e) + 1}. ${e.text || '(no text yet)'}` }))}
                value={q.showIf.question}
                onChange={(v) => v && onChange({ ...q, showIf: { question: v, in: [] } })}
                error={at('showIf.question')}
              />
              <MultiSelect
                label="is one of"
                placeholder={q.showIf.in.length ? undefined : 'Pick answers'}
                data={logicSource ? answerChoices(logicSource) : []}
                value={q.showIf.in.map(String)}
                onChange={(vs) => onChange({ ...q, showIf: { ...q.showIf!, in: logicSource && isScale(logicSource.type) ? vs.map(Number) : vs } })}
                error={at('showIf.in') ?? at('showIf')}
              />
            </SimpleGrid>
          )}
        </Stack>
      </Stack>
    </Paper>
  );
}

/** A question as a line: what an open survey shows (its questions are locked). */
function QuestionSummary({ q, index, all }: { q: Question; index: number; all: Question[] }) {
  const source = q.showIf ? all.find((x) => x.id === q.showIf!.question) : undefined;
  return (
    <Paper withBorder p="sm" radius="md">
      <Text fw={600}>
        {index + 1}. {q.text} {!q.required && <Text span c="dimmed" size="sm">(optional)</Text>}
      </Text>
      {q.help && <Text size="sm" c="dimmed">{q.help}</Text>}
      <Group gap="xs" mt={4}>
        <Badge variant="light">{QUESTION_TYPE_LABELS[q.type]}</Badge>
        {q.driver && <Badge variant="outline" color="grape">{DRIVER_LABELS[q.driver] ?? q.driver}</Badge>}
        {q.showIf && <Badge variant="outline" color="orange">shown if question {source ? all.indexOf(source) + 1 : q.showIf.question} is {q.showIf.in.join(', ')}</Badge>}
      </Group>
      {q.options && <Text size="sm" c="dimmed" mt={4}>{q.options.map((o) => o.label).join(' · ')}</Text>}
    </Paper>
  );
}

/** The questions exactly as the taking page renders them, display logic live. */
export function SurveyPreview({ questions }: { questions: Question[] }) {
  const [answers, setAnswers] = useState<Record<string, AnswerValue>>({});
  const visible = visibleQuestions(questions, answers);
  if (!questions.length) return <Text c="dimmed">Add a question to preview it.</Text>;
  return (
    <Stack gap="md" maw={640} aria-label="Preview">
      <Text size="sm" c="dimmed">
        This is what people see. Try answers: questions with display logic appear and disappear as they would. Nothing you choose here is saved.
      </Text>
      {visible.map((q, i) => (
        <Paper key={q.id} p="md" radius="md" withBorder>
          <QuestionField q={q} index={i} value={answers[q.id]} onChange={(v) => setAnswers((a) => ({ ...a, [q.id]: v }))} />
        </Paper>
      ))}
    </Stack>
  );
}

/** New survey: a template card (or blank) makes a draft and opens it in the builder. */
function NewSurveyPicker() {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const templates = useQuery({ queryKey: ['survey-templates'], queryFn: () => surveysApi.templates() });
  const create = useMutation({
    mutationFn: (t: SurveyTemplate | null) => surveysApi.create(t ? { template: t.id } : { title: 'Untitled survey', kind: 'internal', privacy: 'confidential', questions: [] }),
    onSuccess: async (s) => {
      await qc.invalidateQueries({ queryKey: ['surveys'] });
      void navigate(`/admin/surveys/${s.id}`);
    },
  });
  if (templates.isPending) return <PageLoader />;
  const cards: (SurveyTemplate | null)[] = [...(templates.data?.data ?? []), null];
  return (
    <>
      <PageHeader
        above={<Anchor component={Link} to="/surveys" size="sm"><IconArrowLeft size={14} /> Surveys</Anchor>}
        title="New survey"
        description="Start from a template written for Tandem, or from a blank page. You get a draft: change anything before you open it. Nobody is invited until you open it."
      />
      <ErrorAlert error={templates.error ?? create.error} />
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md">
        {cards.map((t) => (
          <Card key={t?.id ?? 'blank'} withBorder radius="md" padding="md" component="section" aria-label={t ? t.title : 'Blank survey'}>
            <Stack gap="xs" h="100%">
              <Group justify="space-between" wrap="nowrap" align="flex-start">
                <Title order={2} size="h4">{t ? t.title : 'Blank survey'}</Title>
                {t && <Badge variant="light" style={{ flexShrink: 0 }}>{KIND_LABELS[t.kind]}</Badge>}
              </Group>
              <Text size="sm" c="dimmed" style={{ flex: 1 }}>
                {t ? t.description : 'No questions yet: write your own. Choose the kind and privacy in the builder.'}
              </Text>
              {t && <Text size="xs" c="dimmed">{plural(t.questions.length, 'question')} · {PRIVACY_LABELS[t.privacy]}</Text>}
              <Button variant={t ? 'filled' : 'default'} onClick={() => create.mutate(t)} loading={create.isPending && create.variables === t} aria-label={t ? `Use ${t.title}` : 'Start blank'}>
                {t ? 'Use this template' : 'Start blank'}
              </Button>
            </Stack>
          </Card>
        ))}
      </SimpleGrid>
    </>
  );
}

interface Draft {
  title: string;
  description: string;
  kind: SurveyKind;
  privacy: Privacy;
  audience: Audience;
  opensAt: string;
  closesAt: string;
  reminderDays: string[];
  publicLink: boolean;
  questions: QuestionDraft[];
}
const toDraftSurvey = (s: Survey): Draft => ({
  title: s.title,
  description: s.description,
  kind: s.kind,
  privacy: s.privacy,
  audience: s.audience,
  opensAt: isoToLocal(s.opensAt),
  closesAt: isoToLocal(s.closesAt),
  reminderDays: (s.reminderDays ?? []).map(String),
  publicLink: !!s.publicLink,
  questions: s.questions.map(toDraft),
});

const STATUS_COLORS = { draft: 'gray', open: 'green', closed: 'dark' } as const;

function Builder({ survey }: { survey: Survey }) {
  const qc = useQueryClient();
  const teams = useTeams();
  const attributeKeys = useAttributeKeys();
  const [draft, setDraft] = useState<Draft>(() => toDraftSurvey(survey));
  const [dirty, setDirty] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<'open' | 'close' | null>(null);
  useEffect(() => {
    if (!dirty) setDraft(toDraftSurvey(survey));
  }, [survey, dirty]);
  const editable = survey.status === 'draft';
  const update = (patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setDirty(true);
    setNotice(null);
  };
  const setQuestions = (questions: QuestionDraft[]) => update({ questions });
  const refresh = async (s: Survey) => {
    qc.setQueryData(['survey', s.id], s);
    await qc.invalidateQueries({ queryKey: ['surveys'] });
  };

  const save = useMutation({
    mutationFn: async () => {
      const common = { title: draft.title, description: draft.description, closesAt: localToIso(draft.closesAt), ...(survey.publicLink !== undefined ? { publicLink: draft.publicLink } : {}) };
      if (!editable) return surveysApi.update(survey.id, common);
      const reminders = survey.reminderDays !== undefined ? { reminderDays: draft.reminderDays.map(Number) } : {};
      await surveysApi.update(survey.id, { ...common, ...reminders, kind: draft.kind, privacy: draft.privacy, audience: draft.audience, opensAt: localToIso(draft.opensAt) });
      return surveysApi.replaceQuestions(survey.id, draft.questions.map(questionBody));
    },
    onSuccess: async (s) => {
      setDirty(false);
      setNotice('Saved');
      await refresh(s);
    },
  });
  const act = useMutation({
    mutationFn: async (action: 'open' | 'close' | 'remind') => {
      if (action === 'remind') return { msg: `Reminded ${plural((await surveysApi.remind(survey.id)).reminded, 'person', 'people')} who have not answered yet` };
      if (action === 'open' && dirty) await save.mutateAsync();
      const s = await surveysApi[action](survey.id);
      return { s, msg: action === 'open' ? `Open: ${plural(s.invited, 'person', 'people')} invited by inbox and email` : 'Closed: no more answers are taken' };
    },
    onSuccess: async ({ s, msg }) => {
      setConfirm(null);
      setNotice(msg);
      if (s) await refresh(s);
    },
    onError: () => setConfirm(null),
  });
  const errors = new PathErrors(save.error ?? act.error);
  // Counted when the confirmation opens, from the saved audience (unsaved changes are saved first, so say so).
  const size = useQuery({ queryKey: ['survey-audience', survey.id, survey.updatedAt], queryFn: () => surveysApi.audienceSize(survey.id), enabled: confirm === 'open' && !dirty });
  const shown = ['title', 'description', 'kind', 'privacy', 'audience', 'opensAt', 'closesAt', 'reminderDays', 'publicLink', 'questions'];
  const paths = teamPaths(teams.data);
  const audienceText = describeAudience(draft.audience, (id) => paths.get(id) ?? id);
  const previewQuestions = useMemo(() => draft.questions.map(asQuestion), [draft.questions]);

  return (
    <>
      <PageHeader
        above={<Anchor component={Link} to="/surveys" size="sm"><IconArrowLeft size={14} /> Surveys</Anchor>}
        title={
          <Group gap="sm" component="span">
            <span>{survey.title}</span>
            <Badge color={STATUS_COLORS[survey.status]} size="lg">{survey.status}</Badge>
          </Group>
        }
        description={
          survey.status === 'draft'
            ? 'A draft: change anything, preview it, then open it to invite its audience.'
            : survey.status === 'open'
              ? `Open since ${formatDate(survey.openedAt)}: ${survey.responses} of ${survey.invited} answered. Its questions, audience and privacy are locked so every answer keeps its meaning.`
              : `Closed ${formatDate(survey.closedAt)}: ${survey.responses} of ${survey.invited} answered.`
        }
        actions={
          <>
            {survey.status !== 'draft' && <Button component={Link} to={`/admin/surveys/${survey.id}/results`} variant="light">Results</Button>}
            {survey.status !== 'closed' && <Button variant={editable ? 'default' : 'filled'} onClick={() => save.mutate()} loading={save.isPending} disabled={!dirty}>Save</Button>}
            {editable && <Button onClick={() => setConfirm('open')}>Open…</Button>}
            {survey.status === 'open' && <Button variant="light" onClick={() => act.mutate('remind')} loading={act.isPending && act.variables === 'remind'}>Remind</Button>}
            {survey.status === 'open' && <Button variant="light" color="red" onClick={() => setConfirm('close')}>Close…</Button>}
          </>
        }
      />
      {notice && <Alert color="teal" role="status" mb="md" withCloseButton onClose={() => setNotice(null)}>{notice}</Alert>}
      <ErrorAlert error={save.error ?? act.error} shown={shown} />
      <Stack gap="lg" mt="md">
        <Paper withBorder p="md" radius="md" component="section" aria-label="About the survey">
          <Stack gap="sm">
            <Title order={2} size="h4">About</Title>
            <TextInput label="Title" value={draft.title} onChange={(e) => update({ title: e.currentTarget.value })} error={fieldError(save.error, 'title')} disabled={survey.status === 'closed'} />
            <Textarea label="Introduction" description="Shown above the questions: why you ask, and what you will do with the answers" autosize minRows={2} value={draft.description} onChange={(e) => update({ description: e.currentTarget.value })} error={fieldError(save.error, 'description')} disabled={survey.status === 'closed'} />
            <Select label="Kind" description="Decides which scores the results show (eNPS, NPS, CSAT, engagement)" allowDeselect={false} data={Object.entries(KIND_LABELS).map(([value, label]) => ({ value, label }))} value={draft.kind} onChange={(v) => v && update({ kind: v as SurveyKind })} error={fieldError(save.error, 'kind')} disabled={!editable} maw={360} />
            <Radio.Group label="Privacy" value={draft.privacy} onChange={(v) => update({ privacy: v })} error={fieldError(save.error, 'privacy')}>
              <SimpleGrid cols={{ base: 1, md: 3 }} spacing="sm" mt="xs">
                {(Object.keys(PRIVACY_LABELS) as Privacy[]).filter((p) => editable || p === draft.privacy).map((p) => (
                  <Radio.Card key={p} value={p} p="sm" radius="md" disabled={!editable} aria-label={PRIVACY_LABELS[p]}>
                    <Group wrap="nowrap" align="flex-start" gap="sm">
                      <Radio.Indicator disabled={!editable} />
                      <div>
                        <Text fw={600}>{PRIVACY_LABELS[p]}</Text>
                        <Text size="sm" c="dimmed">{PRIVACY_EXPLAINED[p]}</Text>
                      </div>
                    </Group>
                  </Radio.Card>
                ))}
              </SimpleGrid>
            </Radio.Group>
          </Stack>
        </Paper>

        <Paper withBorder p="md" radius="md" component="section" aria-label="Audience and schedule">
          <Stack gap="sm">
            <Title order={2} size="h4">Audience and schedule</Title>
            {editable ? (
              <AudienceFields audience={draft.audience} onChange={(audience) => update({ audience })} errors={errors} attributeKeys={attributeKeys} />
            ) : null}
            <Text size="sm">
              <strong>{editable ? 'Invited when it opens:' : 'Audience:'}</strong> {audienceText}
              {survey.status !== 'draft' && ` — ${plural(survey.invited, 'person', 'people')} invited`}
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
              <TextInput type="datetime-local" label="Takes answers from" description="Empty: as soon as it opens" value={draft.opensAt} onChange={(e) => update({ opensAt: e.currentTarget.value })} error={fieldError(save.error, 'opensAt')} disabled={!editable} />
              <TextInput type="datetime-local" label="Closes at" description="Empty: until you close it" value={draft.closesAt} onChange={(e) => update({ closesAt: e.currentTarget.value })} error={fieldError(save.error, 'closesAt')} disabled={survey.status === 'closed'} />
            </SimpleGrid>
            {survey.reminderDays !== undefined && (
              <TagsInput
                label="Remind automatically after (days)"
                description={
                  survey.nextReminderAt
                    ? `Those who have not answered get their link again. Next reminder: ${formatDate(survey.nextReminderAt)}`
                    : 'Those who have not answered get their link again on these days after opening, e.g. 3 and 7. Press Enter after each.'
                }
                placeholder={draft.reminderDays.length ? undefined : 'No automatic reminders'}
                value={draft.reminderDays}
                onChange={(v) => update({ reminderDays: v.filter((d) => /^\d{1,2}$/.test(d.trim())).map((d) => d.trim()) })}
                error={fieldError(save.error, 'reminderDays')}
                disabled={!editable}
                maxTags={5}
                maw={480}
              />
            )}
            {survey.publicLink !== undefined && (
              <Stack gap={4}>
                <Switch
                  label="Also a public link anyone can answer by"
                  description={draft.privacy === 'anonymous' ? 'For anonymous surveys only: share it on a poster or in a channel. Each visit gets a fresh single-use answer sheet; visits are rate limited.' : 'Only for anonymous surveys.'}
                  checked={draft.publicLink}
                  disabled={draft.privacy !== 'anonymous' || survey.status === 'closed'}
                  onChange={(e) => update({ publicLink: e.currentTarget.checked })}
                  error={fieldError(save.error, 'publicLink')}
                />
                {survey.publicUrl && survey.publicLink && (
                  <Text size="sm">
                    Public link: <Anchor href={survey.publicUrl} target="_blank" rel="noreferrer">{survey.publicUrl}</Anchor>
                  </Text>
                )}
              </Stack>
            )}
          </Stack>
        </Paper>

        {survey.privacy !== 'anonymous' && <SurveyTriggersCard survey={survey} />}

        <Paper withBorder p="md" radius="md" component="section" aria-label="Questions">
          <Tabs defaultValue="edit" keepMounted={false}>
            <Tabs.List mb="md">
              <Tabs.Tab value="edit">{editable ? 'Questions' : 'Questions (locked)'}</Tabs.Tab>
              <Tabs.Tab value="preview">Preview</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="edit">
              {!editable && (
                <Stack gap="sm">
                  {survey.questions.map((q, i) => <QuestionSummary key={q.id} q={q} index={i} all={survey.questions} />)}
                </Stack>
              )}
              {editable && (
                <Stack gap="md">
                  {fieldError(save.error, 'questions') && !errors.list.some((f) => /^questions\.\d/.test(f.path)) && <Text c="red" size="sm">{fieldError(save.error, 'questions')}</Text>}
                  {draft.questions.length === 0 && <Text c="dimmed">No questions yet.</Text>}
                  {draft.questions.map((q, i) => (
                    <QuestionEditor
                      key={q.id}
                      q={q}
                      index={i}
                      count={draft.questions.length}
                      earlier={draft.questions.slice(0, i)}
                      errors={errors}
                      onChange={(nq) => setQuestions(draft.questions.map((x, j) => (j === i ? nq : x)))}
                      onMove={(by) => {
                        const list = [...draft.questions];
                        const [moved] = list.splice(i, 1);
                        list.splice(i + by, 0, moved!);
                        // Logic may only look back: a question moved above its source loses its rule.
                        setQuestions(list.map((x, j) => (x.showIf && list.findIndex((y) => y.id === x.showIf!.question) >= j ? { ...x, showIf: null } : x)));
                      }}
                      onRemove={() => setQuestions(draft.questions.filter((_, j) => j !== i).map((x) => (x.showIf?.question === q.id ? { ...x, showIf: null } : x)))}
                    />
                  ))}
                  <Group>
                    <Button variant="light" leftSection={<IconPlus size={14} />} onClick={() => setQuestions([...draft.questions, { id: newId(), type: 'agreement', text: '', help: '', required: true, options: [], driver: null, showIf: null }])}>
                      Add question
                    </Button>
                    {dirty && <Text size="sm" c="dimmed">Unsaved changes</Text>}
                  </Group>
                </Stack>
              )}
            </Tabs.Panel>
            <Tabs.Panel value="preview">
              <SurveyPreview questions={editable ? previewQuestions : survey.questions} />
            </Tabs.Panel>
          </Tabs>
        </Paper>
      </Stack>
      <ConfirmModal opened={confirm === 'open'} onClose={() => setConfirm(null)} onConfirm={() => act.mutate('open')} title="Open this survey?" confirmLabel="Open and invite" color="blue" loading={act.isPending}>
        <Text size="sm" data-testid="open-count">
          {size.data ? (
            <>
              <strong>{plural(size.data.people, 'person', 'people')}</strong> ({audienceText}) will get an invitation in their inbox and by email, each with their own single-use link.
            </>
          ) : (
            <>
              Everyone in its audience — <strong>{audienceText}</strong> — gets an invitation in their inbox and by email, each with their own single-use link.
            </>
          )}
        </Text>
        {size.data?.people === 0 && <Text size="sm" c="red">Nobody matches this audience yet: widen it before opening.</Text>}
        <Text size="sm">Once open, its questions, audience, kind and privacy are locked so every answer keeps its meaning. You can still change the title, the introduction and the closing date.</Text>
        {dirty && <Text size="sm" c="dimmed">Your unsaved changes are saved first.</Text>}
      </ConfirmModal>
      <ConfirmModal opened={confirm === 'close'} onClose={() => setConfirm(null)} onConfirm={() => act.mutate('close')} title="Close this survey?" confirmLabel="Close survey" loading={act.isPending}>
        <Text size="sm">Links stop working and no more answers are taken. The results stay.</Text>
      </ConfirmModal>
    </>
  );
}

/** The survey builder: `/admin/surveys/new` (pick a template) and `/admin/surveys/:id`. */
export default function SurveyEditorPage() {
  const { id } = useParams();
  const q = useQuery({ queryKey: ['survey', id], queryFn: () => surveysApi.get(id!), enabled: !!id });
  if (!id) return <NewSurveyPicker />;
  if (q.isPending) return <PageLoader />;
  if (q.error instanceof ApiError && q.error.status === 404) return <NotFoundPage />;
  if (!q.data) return <ErrorAlert error={q.error} />;
  return <Builder key={q.data.id} survey={q.data} />;
}
