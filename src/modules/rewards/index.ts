// Rewards: one catalog for employees, customers and partners (audiences narrow it), variants
// with their own stock, images, wish lists (rewards.*); orders through the ledger, their steps and
// the fulfilment providers that carry them out (redemptions.*) (issue #6).
export { createRewardsService, type RewardsService } from './rewards.service.js';
export { rewardsRoutes } from './rewards.routes.js';
export { rewardsMigrations } from './rewards.migrations.js';
export { createRedemptionsService, type RedemptionsService, type FulfilmentProvider } from './redemptions.service.js';
export { redemptionsRoutes } from './redemptions.routes.js';
export { createMoneyService, type MoneyService } from './money.service.js';
export { moneyRoutes } from './money.routes.js';
export { moneyMigrations } from './money.migrations.js';
export { createFulfilmentService, type FulfilmentService } from './fulfilment.service.js';
export { fulfilmentRoutes } from './fulfilment.routes.js';
export { fulfilmentMigrations } from './fulfilment.migrations.js';
// The automated fulfilment providers: code pools (codes.*) and webhook vendors (vendors.*).
export { providersMigrations } from './providers.migrations.js';
export { createCodesService, type CodesService } from './codes.service.js';
export { codesRoutes } from './codes.routes.js';
export { createVendorsService, type VendorsService, VENDOR_TOPIC } from './vendors.service.js';
export { vendorsRoutes } from './vendors.routes.js';
