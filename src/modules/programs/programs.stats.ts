/** Distribution figures for simulation reports (hand-written: each has a test in programs.stats.test.ts). */

/** The q-quantile (0–1) by linear interpolation between closest ranks (type 7, as spreadsheets do). */
export function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** The Gini coefficient of non-negative amounts: 0 when all are equal, towards 1 when one holds all. */
export function gini(values: number[]): number {
  const xs = [...values].sort((a, b) => a - b);
  const n = xs.length;
  const total = xs.reduce((s, x) => s + x, 0);
  if (n < 2 || total === 0) return 0;
  let weighted = 0;
  xs.forEach((x, i) => (weighted += (i + 1) * x));
  return (2 * weighted) / (n * total) - (n + 1) / n;
}

export function distribution(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((s, x) => s + x, 0);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    count: sorted.length,
    mean: sorted.length ? round(sum / sorted.length) : 0,
    median: round(quantile(sorted, 0.5)),
    p90: round(quantile(sorted, 0.9)),
    max: sorted.length ? sorted[sorted.length - 1]! : 0,
    gini: Math.round(gini(sorted) * 1000) / 1000,
  };
}
