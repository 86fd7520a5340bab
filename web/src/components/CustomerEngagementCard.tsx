import { Badge, Card, Group, Progress, SimpleGrid, Stack, Text, Title, Tooltip } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { engagementApi, type CustomerEngagement, type EngagementComponent } from '../api/surveys';
import { formatDate, formatNumber, plural } from '../lib/format';
import { ErrorAlert } from './ErrorAlert';

const COMPONENTS: { key: EngagementComponent; label: string; explain: (i: CustomerEngagement['inputs']) => string }[] = [
  { key: 'sentiment', label: 'Sentiment', explain: (i) => (i.surveyAnswers ? `From ${plural(i.surveyAnswers, 'survey answer')}${i.nps != null ? ` · NPS ${formatNumber(i.nps)}` : ''}${i.csat != null ? ` · CSAT ${formatNumber(i.csat)} %` : ''}` : 'No identified NPS or CSAT answers yet') },
  { key: 'recency', label: 'Recency', explain: (i) => (i.lastEventAt ? `Last activity ${formatDate(i.lastEventAt)}` : 'No activity yet') },
  { key: 'frequency', label: 'Frequency', explain: (i) => `${plural(i.eventsLast90Days, 'event')} in the last 90 days` },
  { key: 'participation', label: 'Participation', explain: (i) => (i.programs ? `Earning in ${plural(i.programs, 'program')}` : 'In no program yet') },
];

const CLASS: Record<NonNullable<CustomerEngagement['classification']>, { label: string; color: string }> = {
  engaged: { label: 'Engaged', color: 'teal' },
  not_engaged: { label: 'Not engaged', color: 'yellow' },
  actively_disengaged: { label: 'At risk', color: 'red' },
};

/**
 * An account's (or a contact's) customer engagement score: one figure from what they say (NPS,
 * CSAT), how recently and how often they act, and whether they take part in programs, each part
 * shown with its weight and what it comes from, so the score can be trusted and acted on.
 */
export function CustomerEngagementCard({ accountId, personId, partner = false }: { accountId?: string; personId?: string; partner?: boolean }) {
  const q = useQuery({
    queryKey: ['engagement', accountId ?? personId],
    queryFn: () => (accountId ? engagementApi.ofAccount(accountId) : engagementApi.ofPerson(personId!)),
  });
  const e = q.data;
  return (
    <Card withBorder padding="lg" component="section" aria-label={partner ? 'Partner engagement' : 'Customer engagement'}>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start">
          <div>
            <Title order={2} size="h4">{partner ? 'Partner engagement' : 'Customer engagement'}</Title>
            <Text size="sm" c="dimmed">What they say, how recently and how often they act, and whether they take part — weighted as set in the survey settings.</Text>
          </div>
          {e && (
            <Group gap="sm" align="center">
              <Text fz={32} fw={700} lh={1} aria-label="Engagement score">
                {e.score == null ? '—' : Math.round(e.score)}
              </Text>
              <Stack gap={2}>
                <Text size="xs" c="dimmed">of 100</Text>
                {e.classification && (
                  <Badge variant="light" color={CLASS[e.classification].color}>
                    {CLASS[e.classification].label}
                  </Badge>
                )}
              </Stack>
            </Group>
          )}
        </Group>
        {q.error ? <ErrorAlert error={q.error} /> : null}
        {e && e.score == null && <Text size="sm">Nothing to score yet: no survey answers, events or program activity.</Text>}
        {e && (
          <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }} spacing="md">
            {COMPONENTS.map(({ key, label, explain }) => {
              const v = e.components[key];
              return (
                <div key={key}>
                  <Group justify="space-between" gap={4}>
                    <Text size="sm" fw={600}>{label}</Text>
                    <Tooltip label={v == null ? 'Without data this part is left out, and the others share its weight' : 'This part’s weight in the score, as set'}>
                      <Text size="xs" c="dimmed">{v == null ? 'not counted' : `weight ${Math.round(e.weights[key] * 100)} %`}</Text>
                    </Tooltip>
                  </Group>
                  <Group gap="xs" wrap="nowrap" align="center">
                    <Progress value={v ?? 0} size="md" style={{ flex: 1 }} color={v == null ? 'gray' : 'tandem'} aria-label={`${label}: ${v == null ? 'no data' : Math.round(v)}`} />
                    <Text size="sm" w={32} ta="right">{v == null ? '—' : Math.round(v)}</Text>
                  </Group>
                  <Text size="xs" c="dimmed">{explain(e.inputs)}</Text>
                </div>
              );
            })}
          </SimpleGrid>
        )}
      </Stack>
    </Card>
  );
}
