// Rewards: one catalog for employees, customers and partners (audiences narrow it), variants
// with their own stock, images, wish lists. Redemption and fulfilment build on it (issue #6).
export { createRewardsService, type RewardsService } from './rewards.service.js';
export { rewardsRoutes } from './rewards.routes.js';
export { rewardsMigrations } from './rewards.migrations.js';
