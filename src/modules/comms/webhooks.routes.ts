import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { pageOf, ZPageQuery } from '../../core/http/pagination.js';
import type { CommsService } from './webhooks.service.js';
import { ZCreateEndpoint, ZDeadLetter, ZDeadLetterIdParam, ZDelivery, ZEndpoint, ZEndpointIdParam, ZEndpointWithSecret, ZReplayParams, ZUpdateEndpoint } from './webhooks.schema.js';

export const webhooksRoutes = (comms: CommsService): FastifyPluginAsyncZod => async (app) => {
  const access = { access: 'webhooks.manage' as const };
  const tags = ['webhooks'];
  app.post('/api/v1/webhook-endpoints', {
    config: access,
    schema: { tags, summary: 'Subscribe an endpoint to message types (the secret is answered once)', body: ZCreateEndpoint, response: { 201: ZEndpointWithSecret } },
  }, async (req, reply) => reply.code(201).send(await comms.createEndpoint(req.auth, req.body)));
  app.get('/api/v1/webhook-endpoints', {
    config: access,
    schema: { tags, querystring: ZPageQuery.strict(), response: { 200: pageOf(ZEndpoint) } },
  }, async (req) => comms.listEndpoints(req.auth, req.query));
  app.get('/api/v1/webhook-endpoints/:id', {
    config: access,
    schema: { tags, params: ZEndpointIdParam, response: { 200: ZEndpoint } },
  }, async (req) => comms.getEndpoint(req.auth, req.params.id));
  app.patch('/api/v1/webhook-endpoints/:id', {
    config: access,
    schema: { tags, summary: 'Change the URL, the types, the description; enable or disable', params: ZEndpointIdParam, body: ZUpdateEndpoint, response: { 200: ZEndpoint } },
  }, async (req) => comms.updateEndpoint(req.auth, req.params.id, req.body));
  app.delete('/api/v1/webhook-endpoints/:id', {
    config: access,
    schema: { tags, summary: 'Delete the endpoint and its delivery log', params: ZEndpointIdParam, response: { 204: z.null() } },
  }, async (req, reply) => {
    await comms.deleteEndpoint(req.auth, req.params.id);
    return reply.code(204).send(null);
  });
  app.post('/api/v1/webhook-endpoints/:id/rotate-secret', {
    config: access,
    schema: { tags, summary: 'A new secret (answered once); the old one also signs for 24 hours', params: ZEndpointIdParam, response: { 200: ZEndpointWithSecret } },
  }, async (req) => comms.rotateSecret(req.auth, req.params.id));
  app.get('/api/v1/webhook-endpoints/:id/deliveries', {
    config: access,
    schema: { tags, summary: 'The delivery log, newest first, with each attempt', params: ZEndpointIdParam, querystring: ZPageQuery.strict(), response: { 200: pageOf(ZDelivery) } },
  }, async (req) => comms.listDeliveries(req.auth, req.params.id, req.query));
  app.post('/api/v1/webhook-endpoints/:id/deliveries/:deliveryId/replay', {
    config: access,
    schema: { tags, summary: 'Send a delivery again (a new delivery id, the same event id)', params: ZReplayParams, response: { 202: ZDelivery } },
  }, async (req, reply) => reply.code(202).send(await comms.replay(req.auth, req.params.id, req.params.deliveryId)));

  const outboxAccess = { access: 'outbox.manage' as const };
  const dlTags = ['dead-letters'];
  app.get('/api/v1/dead-letters', {
    config: outboxAccess,
    schema: { tags: dlTags, summary: 'Messages that failed for 24 hours', querystring: ZPageQuery.strict(), response: { 200: pageOf(ZDeadLetter) } },
  }, async (req) => comms.listDeadLetters(req.auth, req.query));
  app.post('/api/v1/dead-letters/:id/retry', {
    config: outboxAccess,
    schema: { tags: dlTags, summary: 'Queue a dead letter again, with another 24 hours of retries', params: ZDeadLetterIdParam, response: { 200: ZDeadLetter } },
  }, async (req) => comms.retryDeadLetter(req.auth, req.params.id));
  app.delete('/api/v1/dead-letters/:id', {
    config: outboxAccess,
    schema: { tags: dlTags, summary: 'Discard a dead letter', params: ZDeadLetterIdParam, response: { 204: z.null() } },
  }, async (req, reply) => {
    await comms.discardDeadLetter(req.auth, req.params.id);
    return reply.code(204).send(null);
  });
};
