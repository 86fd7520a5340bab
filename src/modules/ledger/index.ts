// Ledger: the append-only, double-entry record of every point. Transfers between accounts
// (funding, program budgets, participant wallets, system accounts), with balances (and, where
// points expire, lots) as projections kept in the same transaction and checked by verify().
export { createLedgerService, accounts, toTransfer, expiryOf, type LedgerService, type NewTransfer, type Cause, type Transfer } from './ledger.service.js';
export { ledgerMigrations } from './ledger.migrations.js';
export { ledgerRoutes } from './ledger.routes.js';
