import { Checkbox, Group, Radio, Stack, Text, Textarea } from '@mantine/core';
import type { AnswerValue, Question } from '../api/surveys';

// One question as a participant meets it. The taking page (/s/:token) and the builder's
// preview both render this, so what an admin previews is what people answer.

const AGREE = ['Strongly disagree', 'Disagree', 'Neither agree nor disagree', 'Agree', 'Strongly agree'];
const SATISFIED = ['Very dissatisfied', 'Dissatisfied', 'Neutral', 'Satisfied', 'Very satisfied'];

/** The words for one point of a scale question (agreement and CSAT: every point; likelihood: its ends). */
export function scaleLabel(q: Pick<Question, 'type'>, v: number) {
  if (q.type === 'agreement') return AGREE[v - 1] ?? String(v);
  if (q.type === 'csat') return SATISFIED[v - 1] ?? String(v);
  return v === 0 ? '0 – Not at all likely' : v === 10 ? '10 – Extremely likely' : String(v);
}

const SCALES: Record<string, { min: number; max: number }> = { agreement: { min: 1, max: 5 }, csat: { min: 1, max: 5 }, likelihood: { min: 0, max: 10 } };
/** The points of a scale question (the API sends `scale`; an unsaved draft in the builder may not have it yet). */
export const scaleOf = (q: Pick<Question, 'type' | 'scale'>) => q.scale ?? SCALES[q.type] ?? null;

/** One question as an accessible control: a radio group, checkboxes or a text area, with large targets. */
export function QuestionField({ q, index, value, error, onChange }: { q: Question; index: number; value: AnswerValue | undefined; error?: string; onChange: (v: AnswerValue) => void }) {
  const label = (
    <Text component="span" fw={600} size="lg">
      {index + 1}. {q.text}
      {q.required ? (
        <Text component="span" c="red" aria-hidden>
          {' '}
          *
        </Text>
      ) : (
        <Text component="span" c="dimmed" size="sm">
          {' '}
          (optional)
        </Text>
      )}
    </Text>
  );
  const scale = scaleOf(q);
  if (scale || q.type === 'single_choice') {
    const options = scale ? Array.from({ length: scale.max - scale.min + 1 }, (_, i) => ({ value: String(scale.min + i), label: scaleLabel(q, scale.min + i) })) : (q.options ?? []);
    const compact = q.type === 'likelihood';
    return (
      <Radio.Group label={label} description={q.help ?? undefined} value={value == null ? null : String(value)} onChange={(v) => onChange(scale ? Number(v) : v)} error={error} withAsterisk={false} required={q.required}>
        <Group gap={6} mt="sm" wrap="wrap" style={compact ? undefined : { flexDirection: 'column', alignItems: 'stretch' }}>
          {options.map((o) => (
            <Radio.Card key={o.value} value={o.value} className="survey-choice" p={compact ? 0 : 'sm'} radius="md" maw={compact ? 60 : undefined} mih={48} aria-label={o.label} style={{ display: 'flex', alignItems: 'center', justifyContent: compact ? 'center' : 'flex-start', ...(compact ? { flex: '1 0 44px' } : {}) }}>
              <Group gap="xs" wrap="nowrap" justify={compact ? 'center' : 'flex-start'}>
                {!compact && <Radio.Indicator />}
                <Text size={compact ? 'lg' : 'sm'} fw={compact ? 600 : 400}>
                  {compact ? o.value : o.label}
                </Text>
              </Group>
            </Radio.Card>
          ))}
        </Group>
        {compact && (
          <Group justify="space-between" mt={6} aria-hidden>
            <Text size="xs" c="dimmed">0 = Not at all likely</Text>
            <Text size="xs" c="dimmed">10 = Extremely likely</Text>
          </Group>
        )}
      </Radio.Group>
    );
  }
  if (q.type === 'multiple_choice') {
    return (
      <Checkbox.Group label={label} description={q.help ?? 'Choose any that apply'} value={Array.isArray(value) ? value : []} onChange={(v) => onChange(v)} error={error}>
        <Stack gap="xs" mt="sm">
          {(q.options ?? []).map((o) => (
            <Checkbox key={o.value} value={o.value} label={o.label} size="md" styles={{ body: { minHeight: 44, alignItems: 'center' } }} />
          ))}
        </Stack>
      </Checkbox.Group>
    );
  }
  return <Textarea label={label} description={q.help} value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.currentTarget.value)} error={error} autosize minRows={3} maxLength={5000} size="md" />;
}
