export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

// Rows written together share their times, so the last conversion is usually the next one:
// remembering it spares a Date and a string per row in batch answers and audit entries.
let lastMs = NaN;
let lastIso = '';
export const toIso = (ms: number | null | undefined) => {
  if (ms == null) return null;
  const n = Number(ms);
  if (n !== lastMs) {
    lastIso = new Date(n).toISOString();
    lastMs = n;
  }
  return lastIso;
};
