import '@mantine/charts/styles.css';
import { BarChart } from '@mantine/charts';
import { formatNumber } from '../lib/format';

// Its own chunk (recharts is large): the Money page loads it lazily.

const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const COLORS = ['tandem.6', 'teal.6', 'orange.6', 'grape.6', 'cyan.6', 'pink.6', 'lime.7'];

/** Net points redeemed per period, stacked by reward kind. */
export default function RedeemedChart({ data, kinds, points, label, height = 260 }: { data: Record<string, string | number>[]; kinds: { key: string; label: string }[]; points: string; label: string; height?: number }) {
  return (
    <div role="img" aria-label={label}>
      <BarChart
        h={height}
        data={data}
        dataKey="period"
        type="stacked"
        withLegend
        legendProps={{ verticalAlign: 'bottom', height: 40 }}
        yAxisProps={{ tickFormatter: (v: number) => compact.format(v), width: 56 }}
        valueFormatter={(v) => `${formatNumber(v)} ${points}`}
        maxBarWidth={36}
        series={kinds.map((k, i) => ({ name: k.key, label: k.label, color: COLORS[i % COLORS.length]! }))}
      />
    </div>
  );
}
