// The fulfilment queue and the delivery report (docs/api.md, "Fulfilment"): staff with
// rewards.manage move orders, alone or in bulk, export the queue and import tracking numbers.
import { api, request } from './client';
import type { Page } from './types';
import type { Redemption, RedemptionStatus } from './rewards';

const V1 = '/api/v1';
const enc = encodeURIComponent;

export type BulkAction = 'process' | 'ship' | 'deliver' | 'fail';
export interface Shipment {
  carrier: string;
  trackingNumber: string;
  trackingUrl?: string;
}
export interface MoveResult {
  id: string;
  ok: boolean;
  status: RedemptionStatus | null;
  code: string | null;
  detail: string | null;
}
export interface BulkResult {
  ok: number;
  failed: number;
  results: MoveResult[];
}
export interface TrackingImportResult {
  shipped: number;
  failed: number;
  rows: { row: number; orderId: string; ok: boolean; status: string | null; code: string | null; detail: string | null }[];
}
export interface DeliveryFigures {
  orders: number;
  delivered: number;
  p50Minutes: number | null;
  p95Minutes: number | null;
  onTimeShare: number | null;
  lateOpen: number;
  earnToOrderP50Minutes: number | null;
}
export interface DeliveryReport {
  from: string;
  to: string;
  total: DeliveryFigures;
  providers: (DeliveryFigures & { provider: string })[];
  rewards: (DeliveryFigures & { rewardId: string; rewardTitle: string; provider: string })[];
}

export const fulfilmentApi = {
  list: (q: { limit?: number; cursor?: string; status?: RedemptionStatus }) => api.get<Page<Redemption>>(`${V1}/redemptions`, { ...q }),
  get: (id: string) => api.get<Redemption>(`${V1}/redemptions/${enc(id)}`),
  approve: (id: string, note?: string) => api.post<Redemption>(`${V1}/redemptions/${enc(id)}/approve`, note ? { note } : {}),
  reject: (id: string, reason: string) => api.post<Redemption>(`${V1}/redemptions/${enc(id)}/reject`, { reason }),
  process: (id: string) => api.post<Redemption>(`${V1}/redemptions/${enc(id)}/process`, {}),
  ship: (id: string, s: Shipment) => api.post<Redemption>(`${V1}/redemptions/${enc(id)}/ship`, s),
  deliver: (id: string, note?: string) => api.post<Redemption>(`${V1}/redemptions/${enc(id)}/deliver`, note ? { note } : {}),
  fail: (id: string, reason: string) => api.post<Redemption>(`${V1}/redemptions/${enc(id)}/fail`, { reason }),
  bulk: (body: { ids: string[]; action: BulkAction; carrier?: string; trackingNumber?: string; trackingUrl?: string; reason?: string }) => api.post<BulkResult>(`${V1}/redemptions/bulk`, body),
  importTracking: (csv: string) => request<TrackingImportResult>('POST', `${V1}/redemptions/tracking`, { text: csv, contentType: 'text/csv' }),
  exportHref: (q: { status?: string }) => `${V1}/redemptions/fulfilment.csv${q.status ? `?status=${enc(q.status)}` : ''}`,
  report: (q: { from?: string; to?: string }) => api.get<DeliveryReport>(`${V1}/rewards/delivery-report`, { ...q }),
};

/** Minutes as a person reads a delivery time: "45 min", "6 h", "3.5 days". */
export function formatMinutes(m: number | null | undefined) {
  if (m == null) return '—';
  if (m < 90) return `${m} min`;
  if (m < 48 * 60) return `${Math.round(m / 60)} h`;
  return `${(m / 1440).toLocaleString(undefined, { maximumFractionDigits: 1 })} days`;
}
