import '@mantine/charts/styles.css';
import { CompositeChart } from '@mantine/charts';
import { formatNumber } from '../lib/format';

// Its own chunk (recharts is large): the report page loads it lazily, like BurnChart.

export interface DeliveryPoint {
  /** the x-axis label: a reward or a provider */
  name: string;
  p50Minutes: number | null;
  p95Minutes: number | null;
  /** 0 … 1, null when nothing was delivered */
  onTimeShare: number | null;
}

/** The unit that keeps the longest bar readable: minutes, hours or days. */
function unitFor(maxMinutes: number) {
  if (maxMinutes < 120) return { label: 'minutes', per: 1 };
  if (maxMinutes < 72 * 60) return { label: 'hours', per: 60 };
  return { label: 'days', per: 1440 };
}

/** Order → delivery, p50 and p95 (bars), and the on-time share (a line on the right axis, %). */
export default function DeliveryChart({ data, height = 300, label }: { data: DeliveryPoint[]; height?: number; label: string }) {
  const unit = unitFor(Math.max(0, ...data.map((d) => d.p95Minutes ?? 0)));
  const rows = data.map((d) => ({
    name: d.name,
    p50: d.p50Minutes === null ? null : Math.round((d.p50Minutes / unit.per) * 10) / 10,
    p95: d.p95Minutes === null ? null : Math.round((d.p95Minutes / unit.per) * 10) / 10,
    onTime: d.onTimeShare === null ? null : Math.round(d.onTimeShare * 1000) / 10,
  }));
  return (
    <div role="img" aria-label={label}>
      <CompositeChart
        h={height}
        data={rows}
        dataKey="name"
        withLegend
        legendProps={{ verticalAlign: 'bottom', height: 40 }}
        withRightYAxis
        yAxisLabel={unit.label}
        rightYAxisLabel="on time %"
        yAxisProps={{ width: 56 }}
        rightYAxisProps={{ domain: [0, 100], width: 56 }}
        valueFormatter={(v) => formatNumber(v, 1)}
        maxBarWidth={36}
        series={[
          { name: 'p50', label: `Median (${unit.label})`, type: 'bar', color: 'tandem.5' },
          { name: 'p95', label: `95th percentile (${unit.label})`, type: 'bar', color: 'tandem.2' },
          { name: 'onTime', label: 'On time %', type: 'line', color: 'teal.6', yAxisId: 'right' },
        ]}
        curveType="linear"
      />
    </div>
  );
}
