// Engagement: the customer engagement score of contacts and accounts (issue #7), from their
// NPS and CSAT answers, the recency and frequency of their events and their participation in
// programs. The formula is in docs/scoring.md; the module reads the other modules' services.
export { createEngagementService, type EngagementService, DEFAULT_CUSTOMER_SCORE } from './engagement.service.js';
export { engagementRoutes } from './engagement.routes.js';
