import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { BATCH_BODY_LIMIT } from '../../core/http/server.js';
import type { FulfilmentService } from './fulfilment.service.js';
import { ZBulkMove, ZBulkResult, ZDeliveryReport, ZDeliveryReportQuery, ZFulfilmentCsvQuery, ZTrackingImportResult } from './fulfilment.schema.js';

export const fulfilmentRoutes = (fulfilment: FulfilmentService): FastifyPluginAsyncZod => async (app) => {
  const tags = ['redemptions'];
  app.post('/api/v1/redemptions/bulk', {
    config: { access: 'rewards.manage' },
    schema: { tags, summary: 'Move many orders the same way (process, ship, deliver, fail), each in its own transaction; a result per order', body: ZBulkMove, response: { 200: ZBulkResult } },
  }, async (req) => fulfilment.bulk(req.auth, req.body));
  app.get('/api/v1/redemptions/fulfilment.csv', {
    config: { access: 'rewards.manage' },
    schema: {
      tags,
      summary: 'The fulfilment queue as CSV (oldest first): order, promise, reward, variant, quantity, address, person, tracking',
      querystring: ZFulfilmentCsvQuery,
      produces: ['text/csv'],
      response: { 200: z.string() },
    },
  }, async (req, reply) => {
    const csv = await fulfilment.exportCsv(req.auth, req.query);
    return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="fulfilment.csv"').send(csv);
  });
  app.post('/api/v1/redemptions/tracking', {
    bodyLimit: BATCH_BODY_LIMIT,
    config: { access: 'rewards.manage', csv: true },
    schema: {
      tags,
      summary: 'Ship the orders a CSV file lists (orderId, carrier, trackingNumber[, trackingUrl]); a result per line',
      consumes: ['text/csv'],
      body: z.string().max(BATCH_BODY_LIMIT),
      response: { 200: ZTrackingImportResult },
    },
  }, async (req) => fulfilment.importTracking(req.auth, req.body));
  app.get('/api/v1/rewards/delivery-report', {
    config: { access: 'rewards.manage' },
    schema: { tags: ['rewards'], summary: 'Order → delivery per provider and per reward: p50 and p95 minutes, on-time share, late open orders, earn → order', querystring: ZDeliveryReportQuery, response: { 200: ZDeliveryReport } },
  }, async (req) => fulfilment.deliveryReport(req.auth, req.query));
};
