/** A reward of the catalog: one for employees, customers and partners, narrowed by its audience. */
export interface RewardsTable {
  workspace_id: string;
  id: string;
  title: string;
  description: string;
  kind: string;
  category: string | null;
  cost: number;
  /** null: unlimited; without variants the reward's own count */
  stock: number | null;
  /** JSON: { count, per } or null */
  limit_rule: string | null;
  available_from: number | null;
  available_until: number | null;
  /** JSON: the audience (kinds, teams, accountTiers, attributes, people); {} is everyone */
  audience: string;
  requires_approval: number;
  ships: number;
  provider: 'manual' | 'codes' | 'webhook';
  promised_minutes: number;
  status: 'draft' | 'active' | 'archived';
  /** provider `webhook`: the fulfilment vendor its orders are sent to */
  vendor_id?: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
}
/** What a redemption reads of its reward: its terms, not its description or bookkeeping. */
export type RewardTerms = Pick<RewardsTable, 'id' | 'title' | 'cost' | 'stock' | 'limit_rule' | 'available_from' | 'available_until' | 'audience' | 'requires_approval' | 'ships' | 'provider' | 'promised_minutes' | 'status'>;

/** A variant (size, colour …) with its own stock. */
export interface RewardVariantsTable {
  workspace_id: string;
  id: string;
  reward_id: string;
  name: string;
  /** JSON object of option → value, e.g. {"size":"M","colour":"navy"} */
  options: string;
  stock: number | null;
  position: number;
  active: number;
}

/** An uploaded image, kept in the database (base64) so every process serves it. */
export interface RewardImagesTable {
  workspace_id: string;
  id: string;
  reward_id: string;
  content_type: string;
  bytes: number;
  data: string;
  sha256: string;
  position: number;
  created_at: number;
}

/** A participant's wish: a reward they save up for. */
export interface WishlistTable {
  workspace_id: string;
  person_id: string;
  reward_id: string;
  created_at: number;
}

export interface RewardsTables {
  rewards: RewardsTable;
  reward_variants: RewardVariantsTable;
  reward_images: RewardImagesTable;
  wishlist: WishlistTable;
  redemptions: RedemptionsTable;
  redemption_events: RedemptionEventsTable;
}

/** An order: points debited through the ledger, stock reserved, then fulfilment. */
export interface RedemptionsTable {
  workspace_id: string;
  id: string;
  person_id: string;
  reward_id: string;
  variant_id: string | null;
  quantity: number;
  points: number;
  status: 'pending_approval' | 'placed' | 'processing' | 'shipped' | 'delivered' | 'rejected' | 'failed' | 'cancelled';
  /** JSON address when the reward ships */
  shipping: string | null;
  transfer_id: string;
  refund_transfer_id: string | null;
  provider: string;
  /** when delivery is promised by (created_at + the reward's promise) */
  promised_by: number;
  placed_by: string;
  created_at: number;
  updated_at: number;
  // Fulfilment (migration 20261206_0500). Optional in the type so rows built before them still
  // type-check; the columns are nullable and read back as null.
  carrier?: string | null;
  tracking_number?: string | null;
  tracking_url?: string | null;
  delivered_at?: number | null;
  /** when the points spent were earned (the oldest lot's earning), when known */
  earned_at?: number | null;
  /** when the reward managers were told the order is past its promise (once) */
  late_alerted_at?: number | null;
}

/** Every status an order took, with when and who: the participant's timeline. */
export interface RedemptionEventsTable {
  workspace_id: string;
  redemption_id: string;
  seq: number;
  status: string;
  actor: string;
  note: string | null;
  at: number;
}
