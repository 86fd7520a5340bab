// The rewards' money (docs/api.md, "Money"): liability, redeemed value by period, the orders CSV;
// and one reward read by id for the admin's editor.
import { api, withQuery } from './client';
import type { Reward } from './rewards';

const V1 = '/api/v1';

export interface Money {
  currency: string;
  cents: number;
}
export interface Liability {
  points: number;
  byProgram: { programId: string | null; programName: string; status: string | null; fundingSource: string; currency: string; pointValueCents: number; points: number; valueCents: number }[];
  byFundingSource: { fundingSource: string; currency: string; programs: number; points: number; valueCents: number }[];
  totals: { currency: string; points: number; valueCents: number }[];
  unattributed: { pointValueCents: number; currency: string; fundingSource: string };
}
export interface RedeemedFigures {
  orders: number;
  points: number;
  refundedPoints: number;
  netPoints: number;
  value: Money[];
}
export interface Redeemed {
  period: 'week' | 'month' | 'quarter';
  timezone: string;
  from: string;
  to: string;
  periods: (RedeemedFigures & { label: string; from: string; to: string; byKind: (RedeemedFigures & { kind: string })[] })[];
  totals: RedeemedFigures;
}

export const moneyApi = {
  liability: () => api.get<Liability>(`${V1}/rewards/liability`),
  redeemed: (q: { period?: string; from?: string; to?: string }) => api.get<Redeemed>(`${V1}/rewards/redeemed`, q),
  /** The orders CSV's address: a plain link downloads it with the session cookie. */
  ordersCsvUrl: (q: { from?: string; to?: string; status?: string }) => withQuery(`${V1}/redemptions/export.csv`, q),
  reward: (id: string) => api.get<Reward>(`${V1}/rewards/${encodeURIComponent(id)}`),
};
