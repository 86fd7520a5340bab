/**
 * A gift-card code of a reward's pool (provider `codes`): sealed at rest (AES-256-GCM under a key
 * from TANDEM_SECRET), with a keyed hash so one code is stored once per workspace. Given to one
 * order, never twice: `redemption_id` is set once, by a conditional update.
 */
export interface RewardCodesTable {
  workspace_id: string;
  id: string;
  reward_id: string;
  /** the variant whose stock the code counts in (null for a reward without variants) */
  variant_id: string | null;
  /** `enc1:` + base64url(iv ‖ ciphertext ‖ tag) */
  code_sealed: string;
  /** hex HMAC-SHA256 of the code under a key from TANDEM_SECRET: finds duplicates without the code */
  code_hash: string;
  /** YYYY-MM-DD, the last day the code may be given; null: no end */
  expires_on: string | null;
  redemption_id: string | null;
  assigned_at: number | null;
  uploaded_by: string;
  uploaded_at: number;
}

/** A codes reward's low-stock threshold (absent: the default). */
export interface RewardCodeSettingsTable {
  workspace_id: string;
  reward_id: string;
  low_threshold: number;
}

/** A pool (a reward, or one of its variants) that fell under its threshold: alerted once until refilled. */
export interface RewardCodeAlertsTable {
  workspace_id: string;
  reward_id: string;
  /** the variant id, or '' for a reward without variants */
  pool: string;
  alerted_at: number;
}

/** A fulfilment vendor (provider `webhook`): where its orders are sent, signed with its secret. */
export interface FulfilmentVendorsTable {
  workspace_id: string;
  id: string;
  name: string;
  url: string;
  /** sealed like webhook endpoint secrets */
  secret: string;
  allow_private_network: number;
  created_by: string;
  created_at: number;
  updated_at: number;
}

/** Which vendor an order was sent to (the reward's vendor may change later). */
export interface VendorOrdersTable {
  workspace_id: string;
  redemption_id: string;
  vendor_id: string;
  sent_at: number;
}

/** A vendor's accepted status report: its id is refused if it comes again (replay). */
export interface FulfilmentCallbacksTable {
  workspace_id: string;
  vendor_id: string;
  id: string;
  redemption_id: string;
  status: string;
  carrier: string | null;
  tracking_number: string | null;
  tracking_url: string | null;
  reason: string | null;
  received_at: number;
}

export interface FulfilmentTables {
  reward_codes: RewardCodesTable;
  reward_code_settings: RewardCodeSettingsTable;
  reward_code_alerts: RewardCodeAlertsTable;
  fulfilment_vendors: FulfilmentVendorsTable;
  vendor_orders: VendorOrdersTable;
  fulfilment_callbacks: FulfilmentCallbacksTable;
}
