import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { BODY_LIMIT } from '../../core/http/server.js';
import type { CodesService } from './codes.service.js';
import { ZCodeCounts, ZCodeSettings, ZCodeUpload } from './codes.schema.js';
import { ZRewardIdParam } from './rewards.schema.js';

export const codesRoutes = (codes: CodesService): FastifyPluginAsyncZod => async (app) => {
  const tags = ['rewards'];
  app.post('/api/v1/rewards/:id/codes', {
    bodyLimit: BODY_LIMIT,
    config: { access: 'rewards.manage', csv: true },
    schema: {
      tags,
      summary: 'Upload gift-card codes (Content-Type: text/csv; columns code, and variantId for a reward with variants, expiresOn YYYY-MM-DD): stored encrypted, each once; adds to the stock. A bad row refuses the file (400 naming the column); duplicates are reported per row',
      params: ZRewardIdParam,
      consumes: ['text/csv'],
      body: z.string().max(BODY_LIMIT),
      response: { 200: ZCodeUpload },
    },
  }, async (req) => codes.upload(req.auth, req.params.id, req.body));
  app.get('/api/v1/rewards/:id/codes', {
    config: { access: 'rewards.manage' },
    schema: { tags, summary: 'How many codes were uploaded, are available, were given, expired (counts only, never the codes)', params: ZRewardIdParam, response: { 200: ZCodeCounts } },
  }, async (req) => codes.counts(req.auth, req.params.id));
  app.patch('/api/v1/rewards/:id/codes', {
    config: { access: 'rewards.manage' },
    schema: { tags, summary: 'Set the low-stock threshold: managers are told once when the available codes fall below it', params: ZRewardIdParam, body: ZCodeSettings, response: { 200: ZCodeCounts } },
  }, async (req) => codes.setThreshold(req.auth, req.params.id, req.body.lowStockThreshold));
};
