// What every benchmark hands back, and how the run prints it. Machines here are shared and noisy,
// so a figure is always a ratio against a peer measured in the same run; absolute numbers are
// printed above the BENCH lines as information only.

export interface Figure {
  /** the benchmark's name, e.g. people */
  bench: string;
  /** the figure's name, e.g. import */
  figure: string;
  /** subject ÷ peer; higher is better */
  ratio: number;
  /** the ratio must be at least this */
  goal: number;
}

export const passes = (f: Figure) => Number.isFinite(f.ratio) && f.ratio >= f.goal;

/** The contract line: `BENCH <name> <figure> ratio=<r> goal=<g> pass|fail`. */
export const benchLine = (f: Figure) =>
  `BENCH ${f.bench} ${f.figure} ratio=${f.ratio.toFixed(3)} goal=${f.goal.toFixed(2)} ${passes(f) ? 'pass' : 'fail'}`;

export function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** An information line (not part of the contract): `info <bench> <what> k=v …`. */
export function info(bench: string, what: string, values: Record<string, string | number>) {
  const kv = Object.entries(values).map(([k, v]) => `${k}=${typeof v === 'number' ? fmt(v) : v}`);
  console.log(`info ${bench} ${what} ${kv.join(' ')}`);
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v >= 100 ? v.toFixed(0) : v.toFixed(2));
