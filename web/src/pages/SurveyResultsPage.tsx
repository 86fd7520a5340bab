import { lazy, Suspense, useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { Alert, Anchor, Badge, Card, Group, Paper, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { ApiError } from '../api/client';
import { DRIVER_LABELS, PRIVACY_LABELS, reportsApi, surveysApi, type Breakdown, type BreakdownCell, type EngagementSplit, type ReportFilter, type Score, type Suppression, type SurveyReport } from '../api/surveys';
import { PageHeader } from '../components/PageHeader';
import { PageLoader } from '../components/PageLoader';
import { ErrorAlert } from '../components/ErrorAlert';
import { TeamSelect } from '../components/Pickers';
import { IconArrowLeft } from '../components/icons';
import { useSession } from '../session';
import { formatDate, formatNumber, plural } from '../lib/format';
import NotFoundPage from './NotFoundPage';

const charts = import('../components/SurveyCharts');
const ResponseRateChart = lazy(() => charts.then((m) => ({ default: m.ResponseRateChart })));
const EngagementSplitChart = lazy(() => charts.then((m) => ({ default: m.EngagementSplitChart })));
const DriverChart = lazy(() => charts.then((m) => ({ default: m.DriverChart })));
const DistributionChart = lazy(() => charts.then((m) => ({ default: m.DistributionChart })));

const BREAKDOWN_LABELS: Record<Breakdown, string> = { team: 'Team', tenure_band: 'Tenure', person_kind: 'Kind of person', account_tier: 'Account tier' };
const TENURE_LABELS: Record<string, string> = { under_1y: 'Under 1 year', '1_2y': '1–2 years', '2_5y': '2–5 years', '5y_plus': '5 years or more' };
const PERSON_KIND_LABELS: Record<string, string> = { employee: 'Employees', customer: 'Customer contacts', partner: 'Partner reps' };

/** What a suppressed figure says instead of a number: never a zero. */
export function hiddenText(reason: Suppression | null, k: number, commentK?: number) {
  if (reason === 'differencing') return 'Hidden to protect a smaller group';
  if (reason === 'comments_threshold') return `Hidden — fewer than ${commentK ?? k} answers`;
  return `Hidden — fewer than ${k} answers`;
}

const round = (n: number) => Math.round(n);
/** "1 = Strongly disagree": a scale point named under a chart whose axis shows only numbers. */
const scaleEnd = (d: { value: number | string; label: string }) => (d.label.startsWith(String(d.value)) ? d.label : `${d.value} = ${d.label}`);
const share = (n: number) => `${Math.round(n * 100)}%`;

function Tile({ label, value, hint, children }: { label: string; value: ReactNode; hint?: ReactNode; children?: ReactNode }) {
  return (
    <Card withBorder padding="md" radius="md" component="section" aria-label={label}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>{label}</Text>
      <Text fz={30} fw={700} lh={1.2}>{value}</Text>
      {hint && <Text size="xs" c="dimmed">{hint}</Text>}
      {children}
    </Card>
  );
}

const interval = (s: Score, unit = '') => `95% interval ${round(s.low)}${unit} to ${round(s.high)}${unit} · n = ${formatNumber(s.responses)}`;

function ScoreTiles({ r }: { r: SurveyReport }) {
  const enps = r.kind === 'enps' || r.kind === 'engagement' || r.kind === 'pulse';
  return (
    <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="md">
      <Tile label="Response rate" value={r.responseRate === null ? '—' : share(r.responseRate)} hint={`${formatNumber(Math.round((r.responseRate ?? 0) * r.invited))} of ${formatNumber(r.invited)} invited answered`} />
      {r.nps && (
        <Tile label={enps ? 'eNPS' : 'NPS'} value={`${r.nps.score > 0 ? '+' : ''}${round(r.nps.score)}`} hint={interval(r.nps)}>
          <Text size="xs" mt={4}>{r.nps.promoters} promoters · {r.nps.passives} passives · {r.nps.detractors} detractors</Text>
        </Tile>
      )}
      {r.csat && <Tile label="CSAT" value={`${round(r.csat.score)}%`} hint={interval(r.csat, '%')} />}
      {r.engagement && (
        <Tile label="Engagement index" value={round(r.engagement.index)} hint={`0–100 · n = ${formatNumber(r.engagement.responses)}`}>
          <Text size="xs" mt={4}>{share(r.engagement.engaged)} engaged · {share(r.engagement.activelyDisengaged)} actively disengaged</Text>
        </Tile>
      )}
    </SimpleGrid>
  );
}

const splitRow = (name: string, e: EngagementSplit) => ({ name, engaged: round(e.engaged * 100), notEngaged: round(e.notEngaged * 100), activelyDisengaged: round(e.activelyDisengaged * 100) });

function Section({ title, children, description }: { title: string; description?: ReactNode; children: ReactNode }) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label={title}>
      <Title order={2} size="h4">{title}</Title>
      {description && <Text size="sm" c="dimmed" mb="sm">{description}</Text>}
      <Suspense fallback={<Text c="dimmed" size="sm">Loading the chart…</Text>}>{children}</Suspense>
    </Paper>
  );
}

function HiddenCell({ cell, k }: { cell: BreakdownCell; k: number }) {
  return (
    <Text size="sm" c="dimmed" fs="italic" data-suppressed={cell.suppressed ?? undefined}>
      {hiddenText(cell.suppressed, k)}
    </Text>
  );
}

function BreakdownTable({ r }: { r: SurveyReport }) {
  const b = r.breakdown!;
  const hasNps = b.cells.some((c) => c.nps);
  const hasCsat = b.cells.some((c) => c.csat);
  const hasEng = b.cells.some((c) => c.engagement);
  const drivers = [...new Set(b.cells.flatMap((c) => c.drivers.map((d) => d.driver)))];
  const cols = 1 + (hasNps ? 1 : 0) + (hasCsat ? 1 : 0) + (hasEng ? 2 : 0) + drivers.length;
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table verticalSpacing="xs" aria-label={`Results by ${BREAKDOWN_LABELS[b.dimension].toLowerCase()}`}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{BREAKDOWN_LABELS[b.dimension]}</Table.Th>
            <Table.Th ta="right">Answers</Table.Th>
            {hasNps && <Table.Th ta="right">{r.kind === 'nps' || r.kind === 'partner' ? 'NPS' : 'eNPS'}</Table.Th>}
            {hasCsat && <Table.Th ta="right">CSAT</Table.Th>}
            {hasEng && <Table.Th ta="right">Engagement index</Table.Th>}
            {hasEng && <Table.Th ta="right">Engaged</Table.Th>}
            {drivers.map((d) => <Table.Th key={d} ta="right">{DRIVER_LABELS[d] ?? d} (% favourable)</Table.Th>)}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {b.cells.map((c) => (
            <Table.Tr key={c.value ?? '(none)'}>
              <Table.Th scope="row" fw={500}>{c.label}</Table.Th>
              {c.suppressed ? (
                <Table.Td colSpan={cols}>
                  <HiddenCell cell={c} k={r.threshold.k} />
                </Table.Td>
              ) : (
                <>
                  <Table.Td ta="right">{formatNumber(c.responses ?? 0)}</Table.Td>
                  {hasNps && <Table.Td ta="right">{c.nps ? round(c.nps.score) : '—'}</Table.Td>}
                  {hasCsat && <Table.Td ta="right">{c.csat ? `${round(c.csat.score)}%` : '—'}</Table.Td>}
                  {hasEng && <Table.Td ta="right">{c.engagement ? round(c.engagement.index) : '—'}</Table.Td>}
                  {hasEng && <Table.Td ta="right">{c.engagement ? share(c.engagement.engaged) : '—'}</Table.Td>}
                  {drivers.map((d) => {
                    const x = c.drivers.find((y) => y.driver === d);
                    return <Table.Td key={d} ta="right">{x ? `${round(x.favourable)}%` : '—'}</Table.Td>;
                  })}
                </>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function Results({ r }: { r: SurveyReport }) {
  const k = r.threshold.k;
  const ranked = r.drivers.filter((d) => d.driver !== 'engagement');
  const correlated = ranked.filter((d) => d.correlation !== null);
  const waves = r.waves.filter((w) => w.engagement);
  return (
    <Stack gap="lg">
      <ScoreTiles r={r} />
      {r.responsesOverTime.length > 0 && (
        <Section title="Responses over time" description="Share of those invited who have answered, by day (UTC).">
          <ResponseRateChart points={r.responsesOverTime} label={`Response rate over time, now ${r.responseRate === null ? 'unknown' : share(r.responseRate)}`} />
        </Section>
      )}
      {r.engagement && (
        <Section
          title="Engagement"
          description={`Engaged: index ${r.engagementThresholds.engaged} or more; actively disengaged: under ${r.engagementThresholds.activelyDisengaged}; not engaged in between (docs/scoring.md).`}
        >
          <EngagementSplitChart
            rows={waves.length > 1 ? waves.map((w) => splitRow(w.title, w.engagement!)) : [splitRow('This survey', r.engagement)]}
            label={`${share(r.engagement.engaged)} engaged, ${share(r.engagement.notEngaged)} not engaged, ${share(r.engagement.activelyDisengaged)} actively disengaged`}
          />
          {waves.length > 1 && <Text size="sm" c="dimmed" mt="xs">One bar per wave, oldest first: {waves.map((w) => `${w.title} (index ${round(w.engagement!.index)})`).join(' → ')}</Text>}
        </Section>
      )}
      {ranked.length > 0 && (
        <Section title="Drivers" description="Each need’s link with engagement across respondents (correlation r, and the share of variance it explains). Work first on the one at the top.">
          {correlated.length > 0 && <DriverChart rows={correlated.map((d) => ({ name: DRIVER_LABELS[d.driver] ?? d.driver, correlation: Math.round(d.correlation! * 100) / 100 }))} label={`Drivers ranked by link with engagement: ${correlated.map((d) => DRIVER_LABELS[d.driver] ?? d.driver).join(', ')}`} />}
          <Table.ScrollContainer minWidth={520}>
            <Table verticalSpacing="xs" mt="sm" aria-label="Drivers">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Driver</Table.Th>
                  <Table.Th ta="right">Mean (1–5)</Table.Th>
                  <Table.Th ta="right">Favourable</Table.Th>
                  <Table.Th ta="right">Link (r)</Table.Th>
                  <Table.Th ta="right">Variance explained</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {ranked.map((d) => (
                  <Table.Tr key={d.driver}>
                    <Table.Td>
                      {DRIVER_LABELS[d.driver] ?? d.driver} {d.rank === 1 && <Badge color="orange" variant="light" ml={4}>Work on first</Badge>}
                    </Table.Td>
                    <Table.Td ta="right">{d.mean.toFixed(1)}</Table.Td>
                    <Table.Td ta="right">{round(d.favourable)}%</Table.Td>
                    <Table.Td ta="right">{d.correlation === null ? '—' : d.correlation.toFixed(2)}</Table.Td>
                    <Table.Td ta="right">{d.varianceExplained === null ? '—' : share(d.varianceExplained)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Section>
      )}
      {r.breakdown && (
        <Section title={`By ${BREAKDOWN_LABELS[r.breakdown.dimension].toLowerCase()}`} description={`Groups under ${k} answers are hidden, and so is a group whose figures could be worked out from the others.`}>
          <BreakdownTable r={r} />
        </Section>
      )}
      {r.questions.length > 0 && (
        <Section title="Questions" description="How people answered each question.">
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md" mt="sm">
            {r.questions.filter((q) => q.distribution.length > 0).map((q) => (
              <Stack key={q.id} gap={4}>
                <Text fw={600} size="sm">{q.text}</Text>
                <Text size="xs" c="dimmed">
                  {plural(q.responses, 'answer')}
                  {q.mean !== null && ` · mean ${q.mean.toFixed(1)}`}
                  {q.favourable !== null && ` · ${round(q.favourable)}% favourable`}
                </Text>
                <DistributionChart rows={q.distribution.map((d) => ({ label: typeof d.value === 'number' ? String(d.value) : d.label, count: d.count }))} label={`${q.text}: ${q.distribution.map((d) => `${d.label} ${d.count}`).join(', ')}`} />
                {typeof q.distribution[0]?.value === 'number' && (
                  <Text size="xs" c="dimmed" ta="center">
                    {scaleEnd(q.distribution[0])} … {scaleEnd(q.distribution[q.distribution.length - 1]!)}
                  </Text>
                )}
              </Stack>
            ))}
          </SimpleGrid>
        </Section>
      )}
      <Section title="Comments">
        {r.comments.suppressed ? (
          <Text size="sm" c="dimmed" fs="italic" mt="xs">{hiddenText(r.comments.suppressed, k, r.threshold.comments)}: comments are shown from {r.threshold.comments} answers, so nobody is recognised by how they write.</Text>
        ) : r.comments.items.length === 0 ? (
          <Text size="sm" c="dimmed" mt="xs">No comments.</Text>
        ) : (
          <Stack gap="xs" mt="xs">
            {r.comments.items.map((c, i) => (
              <Paper key={i} bg="gray.0" p="sm" radius="md">
                <Text size="sm">{c.text}</Text>
                <Text size="xs" c="dimmed">{r.questions.find((q) => q.id === c.question)?.text ?? c.question}{c.person && ` · ${c.person.name}`}</Text>
              </Paper>
            ))}
          </Stack>
        )}
      </Section>
    </Stack>
  );
}

const CUSTOMER_KINDS: string[] = ['nps', 'csat', 'partner'];

/** A survey's results: scores with intervals, engagement split and trend, drivers, breakdowns with small groups hidden, comments. */
export default function SurveyResultsPage() {
  const { id = '' } = useParams();
  const { can } = useSession();
  const [filter, setFilter] = useState<ReportFilter>({});
  const [tier, setTier] = useState('');
  const [debouncedTier] = useDebouncedValue(tier.trim(), 400);
  // Until one is chosen, break down by what the survey's people have: teams for employees, account tiers for customers and partners.
  const [chosen, setBreakdown] = useState<Breakdown | null | undefined>(undefined);
  const survey = useQuery({ queryKey: ['survey', id], queryFn: () => surveysApi.get(id) });
  const breakdown = chosen !== undefined ? chosen : survey.data ? (CUSTOMER_KINDS.includes(survey.data.kind) ? 'account_tier' : 'team') : null;
  const query = { ...filter, ...(debouncedTier ? { accountTier: debouncedTier } : {}), ...(breakdown ? { breakdown } : {}) };
  const q = useQuery({ queryKey: ['survey-report', id, query], queryFn: () => reportsApi.report(id, query), placeholderData: keepPreviousData, enabled: chosen !== undefined || !survey.isPending });
  if (q.isPending) return <PageLoader />;
  if (q.error instanceof ApiError && q.error.status === 404 && !q.data) return <NotFoundPage />;
  const r = q.data;
  const set = (key: keyof ReportFilter, v: string | null) => setFilter((f) => { const { [key]: _gone, ...rest } = f; return v ? { ...rest, [key]: v } : rest; });
  return (
    <>
      <PageHeader
        above={<Anchor component={Link} to={can('surveys.manage') ? `/admin/surveys/${id}` : '/surveys'} size="sm"><IconArrowLeft size={14} /> {can('surveys.manage') ? 'Survey' : 'Surveys'}</Anchor>}
        title={r ? `Results: ${r.title}` : 'Results'}
        description={
          r && (
            <>
              {PRIVACY_LABELS[r.privacy]} · {r.status}
              {r.privacy !== 'identified' && ` · groups under ${r.threshold.k} answers are hidden, comments under ${r.threshold.comments}`}
            </>
          )
        }
      />
      <Paper withBorder p="sm" radius="md" mb="md" component="section" aria-label="Filters">
        <Group gap="sm" align="flex-end" wrap="wrap">
          <TeamSelect label="Team" placeholder="All teams" value={filter.team ?? r?.filter.team ?? null} onChange={(v) => set('team', v)} w={220} />
          <Select label="Tenure" placeholder="Any tenure" clearable data={Object.entries(TENURE_LABELS).map(([value, label]) => ({ value, label }))} value={filter.tenureBand ?? null} onChange={(v) => set('tenureBand', v)} w={170} />
          <Select label="Kind of person" placeholder="Everyone" clearable data={Object.entries(PERSON_KIND_LABELS).map(([value, label]) => ({ value, label }))} value={filter.personKind ?? null} onChange={(v) => set('personKind', v)} w={180} />
          <TextInput label="Account tier" placeholder="Any tier" value={tier} onChange={(e) => setTier(e.currentTarget.value)} w={150} />
          <Select label="Break down by" placeholder="No breakdown" clearable data={Object.entries(BREAKDOWN_LABELS).map(([value, label]) => ({ value, label }))} value={breakdown} onChange={(v) => setBreakdown(v as Breakdown | null)} w={180} />
          {q.isFetching && <Text size="sm" c="dimmed">Updating…</Text>}
        </Group>
      </Paper>
      <ErrorAlert error={q.error} />
      {r?.released != null && r.status === 'open' && r.released < Math.round((r.responseRate ?? 0) * r.invited) && (
        <Alert color="blue" mb="md" role="status">
          While an anonymous survey is open, its results move in steps of {r.threshold.k} answers, so nobody can be singled out by watching them change: these figures cover {r.released} of {Math.round((r.responseRate ?? 0) * r.invited)} answers.
        </Alert>
      )}
      {r && r.suppressed ? (
        <Alert color="gray" title={hiddenText(r.suppressed, r.threshold.k)} role="status">
          {Object.keys(r.filter).length
            ? 'This group is too small to show without risking that someone is recognised. Widen the filter to see results.'
            : `Results appear once at least ${r.threshold.k} people have answered, so nobody can be recognised. ${formatNumber(Math.round((r.responseRate ?? 0) * r.invited))} of ${formatNumber(r.invited)} invited have answered so far.`}
        </Alert>
      ) : r && r.responses === 0 ? (
        <Alert color="gray" title="No answers yet" role="status">
          {r.invited ? `${plural(r.invited, 'person', 'people')} invited${r.status === 'open' ? '; results appear as they answer.' : '.'}` : 'Nobody has been invited yet.'}
        </Alert>
      ) : r ? (
        <Results r={r} />
      ) : null}
      {r && r.waves.length > 1 && (
        <Text size="xs" c="dimmed" mt="md">
          Earlier waves: {r.waves.filter((w) => w.surveyId !== r.surveyId).map((w) => `${w.title} (${formatDate(w.openedAt)})`).join(', ')}
        </Text>
      )}
    </>
  );
}
