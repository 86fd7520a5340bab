export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };
export const toIso = (ms: number | null | undefined) => (ms == null ? null : new Date(Number(ms)).toISOString());
