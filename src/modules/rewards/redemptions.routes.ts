import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { pageOf } from '../../core/http/pagination.js';
import type { RedemptionsService } from './redemptions.service.js';
import { ZDeliver, ZFail, ZProcess, ZShip } from './fulfilment.schema.js';
import { ZApprove, ZCancel, ZRedeem, ZRedemption, ZRedemptionIdParam, ZRedemptionsQuery } from './redemptions.schema.js';

export const redemptionsRoutes = (redemptions: RedemptionsService): FastifyPluginAsyncZod => async (app) => {
  const rtags = ['redemptions'];
  app.post('/api/v1/redemptions', {
    config: { access: 'self' },
    schema: {
      tags: rtags,
      summary: 'Redeem: debits the wallet (oldest points first), reserves stock and creates the order, in one transaction; send an Idempotency-Key',
      body: ZRedeem,
      response: { 201: ZRedemption },
    },
  }, async (req, reply) => reply.code(201).send(await redemptions.redeem(req.auth, req.body)));
  app.get('/api/v1/redemptions', {
    config: { access: 'rewards.manage' },
    schema: { tags: rtags, summary: 'Every order, newest first', querystring: ZRedemptionsQuery, response: { 200: pageOf(ZRedemption) } },
  }, async (req) => redemptions.listRedemptions(req.auth, req.query, false));
  app.get('/api/v1/me/redemptions', {
    config: { access: 'self' },
    schema: { tags: rtags, summary: 'The signed-in participant’s orders with their timelines', querystring: ZRedemptionsQuery.omit({ personId: true }), response: { 200: pageOf(ZRedemption) } },
  }, async (req) => redemptions.listRedemptions(req.auth, req.query, true));
  app.get('/api/v1/redemptions/:id', {
    config: { access: 'self' },
    schema: { tags: rtags, summary: 'One order (its owner, or those who manage rewards)', params: ZRedemptionIdParam, response: { 200: ZRedemption } },
  }, async (req) => redemptions.getRedemption(req.auth, req.params.id));
  app.post('/api/v1/redemptions/:id/cancel', {
    config: { access: 'self' },
    schema: { tags: rtags, summary: 'Cancel before it ships (its owner while pending or placed): the points come back, the stock is released', params: ZRedemptionIdParam, body: ZCancel, response: { 200: ZRedemption } },
  }, async (req) => redemptions.cancel(req.auth, req.params.id, req.body.reason));

  app.post('/api/v1/redemptions/:id/approve', {
    config: { access: 'rewards.manage' },
    schema: { tags: rtags, summary: 'Approve an order waiting for approval: it is placed (its delivery promise runs from now)', params: ZRedemptionIdParam, body: ZApprove, response: { 200: ZRedemption } },
  }, async (req) => redemptions.approve(req.auth, req.params.id, req.body.note));
  app.post('/api/v1/redemptions/:id/reject', {
    config: { access: 'rewards.manage' },
    schema: { tags: rtags, summary: 'Reject an order waiting for approval: the points come back, the stock is released', params: ZRedemptionIdParam, body: ZCancel, response: { 200: ZRedemption } },
  }, async (req) => redemptions.reject(req.auth, req.params.id, req.body.reason));

  // The manual queue's moves (issue #6): each only from the statuses that allow it (409 otherwise).
  app.post('/api/v1/redemptions/:id/process', {
    config: { access: 'rewards.manage' },
    schema: { tags: rtags, summary: 'Mark a placed order processing (being prepared)', params: ZRedemptionIdParam, body: ZProcess, response: { 200: ZRedemption } },
  }, async (req) => redemptions.process(req.auth, req.params.id, req.body.note));
  app.post('/api/v1/redemptions/:id/ship', {
    config: { access: 'rewards.manage' },
    schema: { tags: rtags, summary: 'Mark a placed or processing order shipped, with its carrier and tracking', params: ZRedemptionIdParam, body: ZShip, response: { 200: ZRedemption } },
  }, async (req) => redemptions.ship(req.auth, req.params.id, req.body));
  app.post('/api/v1/redemptions/:id/deliver', {
    config: { access: 'rewards.manage' },
    schema: { tags: rtags, summary: 'Mark an order delivered (from placed, processing or shipped)', params: ZRedemptionIdParam, body: ZDeliver, response: { 200: ZRedemption } },
  }, async (req) => redemptions.deliver(req.auth, req.params.id, req.body.note));
  app.post('/api/v1/redemptions/:id/fail', {
    config: { access: 'rewards.manage' },
    schema: { tags: rtags, summary: 'The order could not be fulfilled: the points come back by a reversal, the stock is released', params: ZRedemptionIdParam, body: ZFail, response: { 200: ZRedemption } },
  }, async (req) => redemptions.fail(req.auth, req.params.id, req.body.reason));
};
