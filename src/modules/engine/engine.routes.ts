import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { EngineService } from './engine.service.js';
import { ZCreateEventType, ZEventType } from './engine.schema.js';

export const engineRoutes = (engine: EngineService): FastifyPluginAsyncZod => async (app) => {
  app.get('/api/v1/event-types', {
    config: { access: 'workspace.read' },
    schema: { tags: ['events'], summary: 'The event types of this workspace, built-in and declared', response: { 200: z.object({ data: z.array(ZEventType) }) } },
  }, async (req) => engine.list(req.auth));
  app.get('/api/v1/event-types/:name', {
    config: { access: 'workspace.read' },
    schema: { tags: ['events'], params: z.object({ name: z.string().max(100) }).strict(), response: { 200: ZEventType } },
  }, async (req) => engine.get(req.auth, req.params.name));
  app.post('/api/v1/event-types', {
    config: { access: 'org.write' },
    schema: { tags: ['events'], summary: 'Declare an event type and its property schema', body: ZCreateEventType, response: { 201: ZEventType } },
  }, async (req, reply) => reply.code(201).send(await engine.create(req.auth, req.body)));
};
