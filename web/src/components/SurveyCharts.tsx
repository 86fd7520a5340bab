import '@mantine/charts/styles.css';
import { AreaChart, BarChart } from '@mantine/charts';

// The results page's charts, in a chunk of their own (recharts is large): loaded lazily.
// Each is wrapped in role="img" with a label that says what it shows, for screen readers.

const pct = (v: number) => `${Math.round(v)}%`;

/** Share of those invited who have answered, by day. */
export function ResponseRateChart({ points, label }: { points: { date: string; rate: number | null; cumulative: number }[]; label: string }) {
  const data = points.map((p) => ({ date: p.date.slice(5), rate: p.rate === null ? null : Math.round(p.rate * 1000) / 10, answered: p.cumulative }));
  return (
    <div role="img" aria-label={label}>
      <AreaChart h={220} data={data} dataKey="date" series={[{ name: 'rate', label: 'Response rate', color: 'indigo.6' }]} valueFormatter={pct} yAxisProps={{ domain: [0, 100] }} curveType="monotone" withDots={data.length < 20} />
    </div>
  );
}

export interface SplitRow {
  name: string;
  engaged: number;
  notEngaged: number;
  activelyDisengaged: number;
}
/** Engaged / not engaged / actively disengaged as stacked shares (0–100), one bar per wave or group. */
export function EngagementSplitChart({ rows, label }: { rows: SplitRow[]; label: string }) {
  return (
    <div role="img" aria-label={label}>
      <BarChart
        h={Math.max(120, 56 * rows.length + 60)}
        data={rows}
        dataKey="name"
        type="stacked"
        orientation="vertical"
        withLegend
        legendProps={{ verticalAlign: 'bottom', height: 36 }}
        valueFormatter={pct}
        xAxisProps={{ domain: [0, 100], allowDataOverflow: true, ticks: [0, 25, 50, 75, 100] }}
        yAxisProps={{ width: 120 }}
        series={[
          { name: 'engaged', label: 'Engaged', color: 'teal.6' },
          { name: 'notEngaged', label: 'Not engaged', color: 'gray.5' },
          { name: 'activelyDisengaged', label: 'Actively disengaged', color: 'red.6' },
        ]}
      />
    </div>
  );
}

/** Drivers ranked by their correlation with the engagement index (r, −1…1). */
export function DriverChart({ rows, label }: { rows: { name: string; correlation: number }[]; label: string }) {
  return (
    <div role="img" aria-label={label}>
      <BarChart h={Math.max(140, 40 * rows.length + 40)} data={rows} dataKey="name" orientation="vertical" valueFormatter={(v) => v.toFixed(2)} xAxisProps={{ domain: [0, 1] }} yAxisProps={{ width: 150 }} series={[{ name: 'correlation', label: 'Link with engagement (r)', color: 'grape.6' }]} />
    </div>
  );
}

/** How many chose each scale point or option. */
export function DistributionChart({ rows, label }: { rows: { label: string; count: number }[]; label: string }) {
  return (
    <div role="img" aria-label={label}>
      <BarChart h={160} data={rows} dataKey="label" series={[{ name: 'count', label: 'Answers', color: 'indigo.5' }]} withBarValueLabel xAxisProps={{ interval: 0, tick: { fontSize: 11 } }} yAxisProps={{ allowDecimals: false }} />
    </div>
  );
}
