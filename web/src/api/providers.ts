// The automated fulfilment providers (docs/api.md, "Fulfilment"): a codes reward's pool (counts,
// threshold, CSV upload) and the workspace's fulfilment vendors.
import { api, request } from './client';
import type { Page } from './types';
import type { Reward } from './rewards';

const V1 = '/api/v1';
const enc = encodeURIComponent;

export interface PoolCounts {
  uploaded: number;
  available: number;
  assigned: number;
  expired: number;
}
export interface CodeCounts extends PoolCounts {
  rewardId: string;
  lowStockThreshold: number;
  variants: (PoolCounts & { variantId: string; name: string })[];
}
export interface CodeUpload {
  added: number;
  duplicates: number;
  rows: { row: number; status: 'added' | 'duplicate'; variantId: string | null; message: string | null }[];
  counts: CodeCounts;
}
export interface Vendor {
  id: string;
  name: string;
  url: string;
  allowPrivateNetwork: boolean;
  callbackUrl: string;
  rewards: { id: string; title: string }[];
  createdAt: string;
  updatedAt: string;
}
export type VendorWithSecret = Vendor & { secret: string };

export const codesApi = {
  counts: (rewardId: string) => api.get<CodeCounts>(`${V1}/rewards/${enc(rewardId)}/codes`),
  setThreshold: (rewardId: string, lowStockThreshold: number) => request<CodeCounts>('PATCH', `${V1}/rewards/${enc(rewardId)}/codes`, { json: { lowStockThreshold } }),
  upload: (rewardId: string, csv: string) => request<CodeUpload>('POST', `${V1}/rewards/${enc(rewardId)}/codes`, { text: csv, contentType: 'text/csv' }),
};

export const vendorsApi = {
  list: () => api.get<Page<Vendor>>(`${V1}/fulfilment-vendors`, { limit: 100 }),
  create: (body: { name: string; url: string }) => api.post<VendorWithSecret>(`${V1}/fulfilment-vendors`, body),
  update: (id: string, body: { name?: string; url?: string }) => request<Vendor>('PATCH', `${V1}/fulfilment-vendors/${enc(id)}`, { json: body }),
  remove: (id: string) => request<void>('DELETE', `${V1}/fulfilment-vendors/${enc(id)}`),
  rotate: (id: string) => api.post<VendorWithSecret>(`${V1}/fulfilment-vendors/${enc(id)}/rotate-secret`),
};

export const rewardApi = {
  get: (id: string) => api.get<Reward>(`${V1}/rewards/${enc(id)}`),
  setVendor: (id: string, vendorId: string) => request<Reward>('PATCH', `${V1}/rewards/${enc(id)}`, { json: { vendorId } }),
};
