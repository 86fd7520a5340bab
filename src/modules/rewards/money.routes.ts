import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { MoneyService } from './money.service.js';
import { ZLiability, ZOrdersExportQuery, ZRedeemed, ZRedeemedQuery } from './money.schema.js';

export const moneyRoutes = (money: MoneyService): FastifyPluginAsyncZod => async (app) => {
  const tags = ['rewards'];
  app.get('/api/v1/rewards/liability', {
    config: { access: 'money.read' },
    schema: { tags, summary: 'Outstanding points by program and funding source, valued at each program’s point value; totals per currency', response: { 200: ZLiability } },
  }, async (req) => money.liability(req.auth));
  app.get('/api/v1/rewards/redeemed', {
    config: { access: 'money.read' },
    schema: { tags, summary: 'Redeemed points and their value net of refunds, per calendar period (workspace time zone) and reward kind', querystring: ZRedeemedQuery, response: { 200: ZRedeemed } },
  }, async (req) => money.redeemed(req.auth, req.query));
  // A static path: find-my-way matches it before /api/v1/redemptions/:id (whose id is red_… anyway).
  app.get('/api/v1/redemptions/export.csv', {
    config: { access: 'rewards.manage' },
    schema: { tags: ['redemptions'], summary: 'Every order of a window as CSV for accounting (UTF-8 with BOM, one row per order; text cells safe against spreadsheet formulas)', querystring: ZOrdersExportQuery, produces: ['text/csv'] },
  }, async (req, reply) => {
    const csv = await money.ordersCsv(req.auth, req.query);
    const day = new Date().toISOString().slice(0, 10);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="tandem-orders-${day}.csv"`).header('cache-control', 'no-store').send(csv);
  });
};
