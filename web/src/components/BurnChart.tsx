import '@mantine/charts/styles.css';
import { CompositeChart } from '@mantine/charts';
import { formatNumber } from '../lib/format';

// Its own chunk (recharts is large): pages load it lazily.

const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

export interface BurnPoint {
  /** the x-axis label, such as "12 Oct" */
  week: string;
  /** points awarded that week */
  points: number;
  /** the budget left at the end of the week, when known */
  budgetLeft?: number;
}

/** Points awarded per week (bars) and, when given, the budget left (a line on the right axis). */
export default function BurnChart({ data, points = 'points', height = 280, label }: { data: BurnPoint[]; points?: string; height?: number; label: string }) {
  const withBudget = data.some((d) => d.budgetLeft !== undefined);
  return (
    <div role="img" aria-label={label}>
      <CompositeChart
        h={height}
        data={data}
        dataKey="week"
        withLegend
        legendProps={{ verticalAlign: 'bottom', height: 40 }}
        withRightYAxis={withBudget}
        yAxisProps={{ tickFormatter: (v: number) => compact.format(v), width: 56 }}
        rightYAxisProps={{ tickFormatter: (v: number) => compact.format(v), width: 56 }}
        valueFormatter={(v) => `${formatNumber(v)} ${points}`}
        maxBarWidth={36}
        series={[
          { name: 'points', label: 'Awarded in the week', type: 'bar', color: 'tandem.5' },
          ...(withBudget ? [{ name: 'budgetLeft', label: 'Budget left', type: 'line' as const, color: 'orange.6', yAxisId: 'right' }] : []),
        ]}
        curveType="linear"
        withDots={false}
      />
    </div>
  );
}
