// The rewards catalog (docs/api.md, "Rewards catalog"): the admin's list and editor, and each
// participant's catalog and wish list.
import { api, request } from './client';
import type { Page, PersonKind } from './types';

const V1 = '/api/v1';
const enc = encodeURIComponent;

export type RewardKind = 'gift_card' | 'merchandise' | 'experience' | 'donation' | 'time_off' | 'custom_perk' | 'recognition_award';
export const REWARD_KIND_LABELS: Record<RewardKind, string> = {
  gift_card: 'Gift card',
  merchandise: 'Merchandise',
  experience: 'Experience',
  donation: 'Donation',
  time_off: 'Time off',
  custom_perk: 'Perk',
  recognition_award: 'Recognition award',
};
export type Provider = 'manual' | 'codes' | 'webhook';
export const PROVIDER_LABELS: Record<Provider, string> = { manual: 'Manual (admin ships)', codes: 'Code pool (gift cards)', webhook: 'Vendor (webhook)' };

export interface RewardImage {
  id: string;
  url: string;
  contentType: string;
  bytes: number;
}
export interface RewardAudience {
  kinds?: PersonKind[];
  teams?: string[];
  accountTiers?: string[];
  attributes?: Record<string, (string | number | boolean)[]>;
  people?: string[];
}
export interface Reward {
  id: string;
  title: string;
  description: string;
  kind: RewardKind;
  category: string | null;
  cost: number;
  stock: number | null;
  limit: { count: number; per: string } | null;
  availableFrom: string | null;
  availableUntil: string | null;
  audience: RewardAudience;
  requiresApproval: boolean;
  ships: boolean;
  provider: Provider;
  promisedDeliveryMinutes: number;
  status: 'draft' | 'active' | 'archived';
  variants: { id: string; name: string; options: Record<string, string>; stock: number | null; active: boolean }[];
  images: RewardImage[];
  /** provider webhook: the fulfilment vendor its orders are sent to */
  vendorId?: string | null;
  createdAt: string;
  updatedAt: string;
}
export type NewReward = Pick<Reward, 'title' | 'kind' | 'cost'> & Partial<Pick<Reward, 'description' | 'category' | 'stock' | 'audience' | 'provider' | 'ships' | 'requiresApproval' | 'status'>>;

export interface CatalogItem {
  id: string;
  title: string;
  description: string;
  kind: RewardKind;
  category: string | null;
  cost: number;
  images: RewardImage[];
  variants: { id: string; name: string; options: Record<string, string>; inStock: boolean }[];
  inStock: boolean;
  affordable: boolean;
  pointsNeeded: number;
  inWishlist: boolean;
  ships: boolean;
  requiresApproval: boolean;
  availableUntil: string | null;
  promisedDeliveryMinutes: number;
  limit: { count: number; per: string } | null;
}
export interface Catalog {
  balance: number;
  categories: string[];
  data: CatalogItem[];
}
export interface Wishlist {
  balance: number;
  data: (CatalogItem & { progressPercent: number; addedAt: string })[];
}

export const rewardsApi = {
  list: (q: { limit?: number; cursor?: string; status?: string; kind?: string; q?: string }) => api.get<Page<Reward>>(`${V1}/rewards`, { ...q }),
  create: (body: NewReward) => api.post<Reward>(`${V1}/rewards`, body),
  update: (id: string, body: Partial<NewReward>) => request<Reward>('PATCH', `${V1}/rewards/${enc(id)}`, { json: body }),
  upload: (id: string, file: File) => request<Reward>('POST', `${V1}/rewards/${enc(id)}/images`, { file }),
  deleteImage: (id: string, imageId: string) => request<Reward>('DELETE', `${V1}/rewards/${enc(id)}/images/${enc(imageId)}`),
};

export const catalogApi = {
  list: (q: { category?: string; affordable?: boolean; q?: string }) => api.get<Catalog>(`${V1}/me/rewards`, { category: q.category, affordable: q.affordable ? 'true' : undefined, q: q.q }),
  /** One reward of the participant's catalog (404 when they may not redeem it). */
  get: (id: string) => api.get<CatalogItem>(`${V1}/me/rewards/${enc(id)}`),
  wishlist: () => api.get<Wishlist>(`${V1}/me/wishlist`),
  wish: (id: string) => request<Wishlist>('PUT', `${V1}/me/wishlist/${enc(id)}`),
  unwish: (id: string) => request<Wishlist>('DELETE', `${V1}/me/wishlist/${enc(id)}`),
};

export type RedemptionStatus = 'pending_approval' | 'placed' | 'processing' | 'shipped' | 'delivered' | 'rejected' | 'failed' | 'cancelled';
export const REDEMPTION_STATUS_LABELS: Record<RedemptionStatus, string> = {
  pending_approval: 'Waiting for approval',
  placed: 'Ordered',
  processing: 'Being prepared',
  shipped: 'Shipped',
  delivered: 'Delivered',
  rejected: 'Not approved',
  failed: 'Failed',
  cancelled: 'Cancelled',
};
export interface ShippingAddress {
  name: string;
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postalCode: string;
  country: string;
}
export interface Redemption {
  id: string;
  personId: string;
  rewardId: string;
  rewardTitle: string;
  variantId: string | null;
  quantity: number;
  points: number;
  status: RedemptionStatus;
  shipping: ShippingAddress | null;
  transferId: string;
  refundTransferId: string | null;
  provider: string;
  promisedBy: string;
  personName?: string | null;
  carrier?: string | null;
  trackingNumber?: string | null;
  trackingUrl?: string | null;
  deliveredAt?: string | null;
  earnedAt?: string | null;
  late?: boolean;
  timeline: { status: string; at: string; note: string | null }[];
  /** a code order's gift-card code: only on its owner's own orders */
  code?: string;
  createdAt: string;
  updatedAt: string;
}

export const redemptionsApi = {
  redeem: (body: { rewardId: string; variantId?: string; quantity?: number; shipping?: ShippingAddress }, idempotencyKey: string) =>
    request<Redemption>('POST', `${V1}/redemptions`, { json: body, headers: { 'idempotency-key': idempotencyKey } }),
  mine: (q: { limit?: number; cursor?: string }) => api.get<Page<Redemption>>(`${V1}/me/redemptions`, { ...q }),
  cancel: (id: string, reason: string) => api.post<Redemption>(`${V1}/redemptions/${enc(id)}/cancel`, { reason }),
};
