import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { pageOf, ZPageQuery } from '../../core/http/pagination.js';
import type { VendorsService } from './vendors.service.js';
import { ZCallback, ZCallbackAccepted, ZCallbackParams, ZCreateVendor, ZUpdateVendor, ZVendor, ZVendorIdParam, ZVendorWithSecret } from './vendors.schema.js';

export const vendorsRoutes = (vendors: VendorsService): FastifyPluginAsyncZod => async (app) => {
  const access = { access: 'rewards.manage' as const };
  const tags = ['fulfilment'];
  app.post('/api/v1/fulfilment-vendors', {
    config: access,
    schema: { tags, summary: 'Register a fulfilment vendor: rewards with provider webhook send their orders to its URL, signed with its secret (answered once)', body: ZCreateVendor, response: { 201: ZVendorWithSecret } },
  }, async (req, reply) => reply.code(201).send(await vendors.create(req.auth, req.body)));
  app.get('/api/v1/fulfilment-vendors', {
    config: access,
    schema: { tags, querystring: ZPageQuery.strict(), response: { 200: pageOf(ZVendor) } },
  }, async (req) => vendors.list(req.auth, req.query));
  app.get('/api/v1/fulfilment-vendors/:id', {
    config: access,
    schema: { tags, params: ZVendorIdParam, response: { 200: ZVendor } },
  }, async (req) => vendors.get(req.auth, req.params.id));
  app.patch('/api/v1/fulfilment-vendors/:id', {
    config: access,
    schema: { tags, summary: 'Change the name or the URL', params: ZVendorIdParam, body: ZUpdateVendor, response: { 200: ZVendor } },
  }, async (req) => vendors.update(req.auth, req.params.id, req.body));
  app.delete('/api/v1/fulfilment-vendors/:id', {
    config: access,
    schema: { tags, summary: 'Delete a vendor no reward names (409 otherwise)', params: ZVendorIdParam, response: { 204: z.null() } },
  }, async (req, reply) => {
    await vendors.delete(req.auth, req.params.id);
    return reply.code(204).send(null);
  });
  app.post('/api/v1/fulfilment-vendors/:id/rotate-secret', {
    config: access,
    schema: { tags, summary: 'A new secret (answered once); the old one stops at once', params: ZVendorIdParam, response: { 200: ZVendorWithSecret } },
  }, async (req) => vendors.rotateSecret(req.auth, req.params.id));

  await app.register(callbackRoutes(vendors));
};

/** Its own scope: the callback's signature covers the body as sent, so this JSON parser keeps the raw text. */
const callbackRoutes = (vendors: VendorsService): FastifyPluginAsyncZod => async (app) => {
  const raw = new WeakMap<FastifyRequest, string>();
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 }, (req, body, done) => {
    raw.set(req, body as string);
    void parseJson(req, body as string, done);
  });
  app.post('/api/v1/fulfilment/callbacks/:vendorId', {
    bodyLimit: 64 * 1024,
    config: { access: 'public' },
    schema: {
      tags: ['fulfilment'],
      summary: 'A vendor reports an order’s status (no session: signed with the vendor’s secret like Tandem’s own deliveries; 401 unsigned or older than 5 minutes, 409 a callback id already received or a move backwards, 404 an order not sent to this vendor)',
      params: ZCallbackParams,
      body: ZCallback,
      response: { 200: ZCallbackAccepted },
      security: [],
    },
  }, async (req) => {
    const signature = req.headers['tandem-signature'];
    return vendors.callback(req.params.vendorId, raw.get(req) ?? '', typeof signature === 'string' ? signature : undefined, req.body);
  });
};
