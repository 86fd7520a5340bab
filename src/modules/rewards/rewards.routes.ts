import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { pageOf } from '../../core/http/pagination.js';
import type { RewardsService } from './rewards.service.js';
import {
  IMAGE_MAX_BYTES,
  IMAGE_TYPES,
  ZCatalog,
  ZCatalogItem,
  ZCatalogQuery,
  ZCreateReward,
  ZImageIdParam,
  ZReward,
  ZRewardIdParam,
  ZRewardImageParams,
  ZRewardsQuery,
  ZUpdateReward,
  ZWishlist,
} from './rewards.schema.js';

export const rewardsRoutes = (rewards: RewardsService): FastifyPluginAsyncZod => async (app) => {
  const tags = ['rewards'];
  const manage = { access: 'rewards.manage' as const };
  const read = { access: 'rewards.read' as const };
  app.post('/api/v1/rewards', {
    config: manage,
    schema: { tags, summary: 'Add a reward to the catalog (active unless status says otherwise)', body: ZCreateReward, response: { 201: ZReward } },
  }, async (req, reply) => reply.code(201).send(await rewards.create(req.auth, req.body)));
  app.get('/api/v1/rewards', {
    config: read,
    schema: { tags, summary: 'The whole catalog, newest first (admins); participants read /me/rewards', querystring: ZRewardsQuery, response: { 200: pageOf(ZReward) } },
  }, async (req) => rewards.list(req.auth, req.query));
  app.get('/api/v1/rewards/:id', {
    config: read,
    schema: { tags, params: ZRewardIdParam, response: { 200: ZReward } },
  }, async (req) => rewards.get(req.auth, req.params.id));
  app.patch('/api/v1/rewards/:id', {
    config: manage,
    schema: { tags, summary: 'Change a reward; `variants` replaces the list (keep one by its id; one left out is retired)', params: ZRewardIdParam, body: ZUpdateReward, response: { 200: ZReward } },
  }, async (req) => rewards.update(req.auth, req.params.id, req.body));
  app.delete('/api/v1/rewards/:id/images/:imageId', {
    config: manage,
    schema: { tags, summary: 'Remove an image', params: ZRewardImageParams, response: { 200: ZReward } },
  }, async (req) => rewards.deleteImage(req.auth, req.params.id, req.params.imageId));
  app.get('/api/v1/reward-images/:id', {
    config: { access: 'self' },
    schema: { tags, summary: 'An image’s bytes (anyone signed in to the workspace: catalog cards show them)', params: ZImageIdParam },
  }, async (req, reply) => {
    const img = await rewards.image(req.auth, req.params.id);
    reply.header('cache-control', 'private, max-age=86400').header('etag', img.etag).header('x-content-type-options', 'nosniff');
    if (req.headers['if-none-match'] === img.etag) return reply.code(304).send();
    return reply.type(img.contentType).send(img.body);
  });

  const mtags = ['catalog'];
  app.get('/api/v1/me/rewards', {
    config: { access: 'self' },
    schema: { tags: mtags, summary: 'What the signed-in participant may redeem now: filter by category, kind, text, or what they can afford', querystring: ZCatalogQuery, response: { 200: ZCatalog } },
  }, async (req) => rewards.catalog(req.auth, req.query));
  app.get('/api/v1/me/rewards/:id', {
    config: { access: 'self' },
    schema: { tags: mtags, summary: 'One reward of the participant’s catalog (404 if they may not redeem it)', params: ZRewardIdParam, response: { 200: ZCatalogItem } },
  }, async (req) => rewards.catalogItem(req.auth, req.params.id));
  app.get('/api/v1/me/wishlist', {
    config: { access: 'self' },
    schema: { tags: mtags, summary: 'The rewards the participant saves up for, with how far they are', response: { 200: ZWishlist } },
  }, async (req) => rewards.wishlist(req.auth));
  app.put('/api/v1/me/wishlist/:id', {
    config: { access: 'self' },
    schema: { tags: mtags, summary: 'Add a reward to the wish list', params: ZRewardIdParam, response: { 200: ZWishlist } },
  }, async (req) => rewards.wish(req.auth, req.params.id));
  app.delete('/api/v1/me/wishlist/:id', {
    config: { access: 'self' },
    schema: { tags: mtags, summary: 'Take a reward off the wish list', params: ZRewardIdParam, response: { 200: ZWishlist } },
  }, async (req) => rewards.unwish(req.auth, req.params.id));

  await app.register(imageUploadRoutes(rewards));
};

/** Its own scope: only this route parses image bodies. */
const imageUploadRoutes = (rewards: RewardsService): FastifyPluginAsyncZod => async (app) => {
  app.addContentTypeParser([...IMAGE_TYPES], { parseAs: 'buffer', bodyLimit: IMAGE_MAX_BYTES }, (_req, body, done) => done(null, body));
  app.post('/api/v1/rewards/:id/images', {
    bodyLimit: IMAGE_MAX_BYTES,
    config: { access: 'rewards.manage' },
    schema: {
      tags: ['rewards'],
      summary: 'Upload an image: the file as the body, Content-Type image/png, image/jpeg, image/webp or image/gif, at most 2 MB',
      params: ZRewardIdParam,
      consumes: [...IMAGE_TYPES],
      body: z.any(),
      response: { 201: ZReward },
    },
  }, async (req, reply) => {
    const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    return reply.code(201).send(await rewards.addImage(req.auth, req.params.id, type, req.body));
  });
};
