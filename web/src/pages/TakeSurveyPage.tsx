import { useEffect, useRef, useState } from 'react';
import { useParams } from 'react-router';
import { Alert, Box, Button, Container, Group, Paper, Progress, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { ApiError } from '../api/client';
import { isAnswered, takingApi, visibleQuestions, type AnswerValue, type Taking } from '../api/surveys';
import { BrandMark } from '../components/BrandMark';
import { QuestionField } from '../components/SurveyQuestion';

const PRIVACY_TEXT = {
  anonymous: 'Your answers are anonymous: nothing links them to you.',
  confidential: 'Your answers are confidential: kept with your name for analysis, never shown with it.',
  identified: 'Your answers will be shared with your name.',
};

export function Problem({ err }: { err: unknown }) {
  const e = err instanceof ApiError ? err : null;
  const [title, text] =
    e?.status === 410
      ? ['Thank you — your answers are in', 'This link has been used. There is nothing more to do.']
      : e?.status === 404
        ? ['This survey link does not work', 'Check that you opened the whole link from your invitation.']
        : e?.code === 'survey_closed'
          ? ['This survey is closed', 'It no longer takes answers.']
          : e?.code === 'survey_not_open'
            ? ['This survey is not open yet', e.problem.detail]
            : e?.status === 429
              ? ['Too many attempts', 'Please wait a few minutes and try again.']
              : ['Something went wrong', err instanceof Error ? err.message : String(err)];
  return (
    <Alert color={e?.status === 410 ? 'teal' : 'orange'} title={title} role="status">
      {text}
    </Alert>
  );
}

/** Taking a survey by its link: no sign-in, saves as you go, resumes where you left off. */
export default function TakeSurveyPage() {
  const { token = '' } = useParams();
  const q = useQuery({ queryKey: ['taking', token], queryFn: () => takingApi.get(token), retry: false, refetchOnWindowFocus: false });
  const [answers, setAnswers] = useState<Record<string, AnswerValue>>({});
  const [loaded, setLoaded] = useState(false);
  const [saveState, setSaveState] = useState<'idle' | 'saving' | 'saved' | 'error'>('idle');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [submitErr, setSubmitErr] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const pending = useRef<Record<string, AnswerValue>>({});
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    if (q.data && !loaded) {
      setAnswers(q.data.answers);
      setLoaded(true);
      if (q.data.savedAt) setSaveState('saved');
    }
  }, [q.data, loaded]);

  async function flush() {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    const batch = pending.current;
    if (!Object.keys(batch).length) return;
    pending.current = {};
    setSaveState('saving');
    try {
      await takingApi.save(token, batch);
      setSaveState('saved');
    } catch (e) {
      if (e instanceof ApiError && e.status === 400) setErrors((old) => ({ ...old, ...Object.fromEntries(e.fieldErrors.map((f) => [f.path.replace(/^answers\./, ''), f.message])) }));
      // Closed meanwhile, already used, throttled: say so where the person is about to submit.
      else setSubmitErr(e);
      setSaveState('error');
    }
  }

  function change(id: string, v: AnswerValue) {
    setAnswers((a) => ({ ...a, [id]: v }));
    setErrors((e) => {
      const { [id]: _gone, ...rest } = e;
      return rest;
    });
    pending.current[id] = v === '' || (Array.isArray(v) && !v.length) ? null : v;
    setSaveState('saving');
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void flush(), 500);
  }

  async function submit() {
    setSubmitErr(null);
    const visible = visibleQuestions(q.data!.questions, answers);
    const missing = Object.fromEntries(visible.filter((x) => x.required && !isAnswered(answers[x.id])).map((x) => [x.id, 'Please answer this question']));
    if (Object.keys(missing).length) {
      setErrors(missing);
      document.getElementById(`question-${Object.keys(missing)[0]}`)?.scrollIntoView({ block: 'center' });
      return;
    }
    setSubmitting(true);
    try {
      await flush();
      const final = Object.fromEntries(visible.filter((x) => isAnswered(answers[x.id])).map((x) => [x.id, answers[x.id]!]));
      await takingApi.submit(token, final);
      setDone(true);
    } catch (e) {
      if (e instanceof ApiError && e.status === 400) setErrors(Object.fromEntries(e.fieldErrors.map((f) => [f.path.replace(/^answers\./, ''), f.message])));
      setSubmitErr(e);
    } finally {
      setSubmitting(false);
    }
  }

  const data: Taking | undefined = q.data;
  const visible = data ? visibleQuestions(data.questions, answers) : [];
  const answered = visible.filter((x) => isAnswered(answers[x.id])).length;
  const percent = visible.length ? Math.round((answered / visible.length) * 100) : 0;

  return (
    <Box bg="gray.0" mih="100vh">
      <Container size="sm" px="sm" py="md">
        <Group mb="md" gap="xs">
          <BrandMark />
          {data && (
            <Text c="dimmed" size="sm">
              {data.survey.workspaceName}
            </Text>
          )}
        </Group>
        {q.isPending && <Text>Loading the survey…</Text>}
        {q.isError && <Problem err={q.error} />}
        {done && (
          <Alert color="teal" title="Thank you — your answers are in" role="status">
            You can close this page.
          </Alert>
        )}
        {data && !done && (
          <Stack gap="md">
            <div>
              <Title order={1} size="h2">
                {data.survey.title}
              </Title>
              {data.survey.description && <Text mt="xs">{data.survey.description}</Text>}
              <Text size="sm" c="dimmed" mt="xs">
                {PRIVACY_TEXT[data.survey.privacy]} Your answers are saved as you go: you can stop and come back to this link.
              </Text>
            </div>
            <Paper p="sm" radius="md" withBorder pos="sticky" top={0} style={{ zIndex: 2 }}>
              <Group justify="space-between" mb={6}>
                <Text size="sm" fw={600} id="progress-label">
                  {answered} of {visible.length} answered
                </Text>
                <Text size="sm" c="dimmed" aria-live="polite" data-testid="save-state">
                  {saveState === 'saving' ? 'Saving…' : saveState === 'saved' ? 'Saved' : saveState === 'error' ? 'Not saved' : ''}
                </Text>
              </Group>
              <Progress value={percent} size="lg" radius="xl" aria-labelledby="progress-label" />
            </Paper>
            {visible.map((question, i) => (
              <Paper key={question.id} id={`question-${question.id}`} p="md" radius="md" withBorder>
                <QuestionField q={question} index={i} value={answers[question.id]} error={errors[question.id]} onChange={(v) => change(question.id, v)} />
              </Paper>
            ))}
            {submitErr !== null && !(submitErr instanceof ApiError && submitErr.status === 400) ? <Problem err={submitErr} /> : null}
            {Object.keys(errors).length > 0 && (
              <Alert color="red" role="alert" title="Some answers are missing">
                Please answer the questions marked above.
              </Alert>
            )}
            <Button size="lg" fullWidth onClick={() => void submit()} loading={submitting}>
              Submit answers
            </Button>
          </Stack>
        )}
      </Container>
    </Box>
  );
}
