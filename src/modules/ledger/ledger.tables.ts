export interface TransfersTable {
  workspace_id: string;
  id: string;
  debit_account: string;
  credit_account: string;
  amount: number;
  cause: string;
  event_id: string | null;
  program_id: string | null;
  program_version: number | null;
  rule_id: string | null;
  goal_id: string | null;
  reverses_id: string | null;
  actor_id: string | null;
  reason: string | null;
  occurred_at: number;
  created_at: number;
}
/** What a replay of a wallet's lots reads of each of its transfers (ledger.service's replayWallet). */
export type WalletMove = Pick<TransfersTable, 'id' | 'debit_account' | 'credit_account' | 'amount' | 'cause' | 'reverses_id' | 'occurred_at'>;
export interface BalancesTable {
  workspace_id: string;
  account: string;
  balance: number;
  updated_at: number;
}
export interface LotsTable {
  workspace_id: string;
  transfer_id: string;
  account: string;
  amount: number;
  remaining: number;
  earned_at: number;
  expires_at: number | null;
}
/** How much of a lot a wallet debit took (a refund gives it back). */
export interface LotTakesTable {
  workspace_id: string;
  /** the debit */
  transfer_id: string;
  /** the lot (its earning transfer's id) */
  lot_id: string;
  amount: number;
}
export interface LedgerTables {
  transfers: TransfersTable;
  balances: BalancesTable;
  lots: LotsTable;
  lot_takes: LotTakesTable;
}
