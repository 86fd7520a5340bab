import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ZCustomerEngagement } from '../surveys/index.js';
import type { EngagementService } from './engagement.service.js';

const ZPersonParam = z.object({ id: z.string().regex(/^per_[0-9a-z]{26}$/, 'must be a person id (per_…)') }).strict();
const ZAccountParam = z.object({ id: z.string().regex(/^acc_[0-9a-z]{26}$/, 'must be an account id (acc_…)') }).strict();

/** The customer engagement score (docs/scoring.md): staff, and managers for the accounts their teams serve. */
export const engagementRoutes = (engagement: EngagementService): FastifyPluginAsyncZod => async (app) => {
  const tags = ['engagement'];
  const config = { access: 'engagement.read' as const };
  app.get('/api/v1/people/:id/engagement', {
    config,
    schema: { tags, summary: "A contact's customer engagement score: sentiment, recency, frequency and participation, weighted (docs/scoring.md)", params: ZPersonParam, response: { 200: ZCustomerEngagement } },
  }, async (req) => engagement.ofPerson(req.auth, req.params.id));
  app.get('/api/v1/accounts/:id/engagement', {
    config,
    schema: { tags, summary: "An account's customer engagement score, over its contacts and its events (docs/scoring.md)", params: ZAccountParam, response: { 200: ZCustomerEngagement } },
  }, async (req) => engagement.ofAccount(req.auth, req.params.id));
};
