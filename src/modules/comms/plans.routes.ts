import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { PlansService } from './plans.service.js';
import { ZCadence, ZCadenceQuery, ZCreatePlanEntry, ZNextRuns, ZNextRunsQuery, ZPlan, ZPlanEntry, ZSendResult, ZUpdateCadence, ZUpdatePlanEntry } from './plans.schema.js';

const params = z.object({ id: z.string().max(60) }).strict();
const entryParams = z.object({ id: z.string().max(60), entryId: z.string().max(60) }).strict();

/** A program's communication plan and its cadence. */
export const plansRoutes = (plans: PlansService): FastifyPluginAsyncZod => async (app) => {
  const tags = ['communication plans'];
  const base = '/api/v1/programs/:id/communications';
  app.get(base, {
    config: { access: 'programs.read' },
    schema: { tags, summary: 'The program’s communication plan: each entry with its next runs in the workspace time zone', params, response: { 200: ZPlan } },
  }, async (req) => plans.list(req.auth, req.params.id));
  app.post(base, {
    config: { access: 'programs.manage' },
    schema: { tags, summary: 'Add an entry to the plan (launch, progress, ending_reminder or custom)', params, body: ZCreatePlanEntry, response: { 201: ZPlanEntry } },
  }, async (req, reply) => reply.code(201).send(await plans.create(req.auth, req.params.id, req.body)));
  app.get(`${base}/next-runs`, {
    config: { access: 'programs.read' },
    schema: { tags, summary: 'The next runs of a cron expression in the workspace time zone (a bad one is 400 naming cron)', params, querystring: ZNextRunsQuery, response: { 200: ZNextRuns } },
  }, async (req) => plans.nextRunsOf(req.auth, req.params.id, req.query.cron, req.query.count));
  app.get(`${base}/:entryId`, {
    config: { access: 'programs.read' },
    schema: { tags, params: entryParams, response: { 200: ZPlanEntry } },
  }, async (req) => plans.get(req.auth, req.params.id, req.params.entryId));
  app.patch(`${base}/:entryId`, {
    config: { access: 'programs.manage' },
    schema: { tags, summary: 'Change an entry: its name, schedule, wording (custom) or enabled', params: entryParams, body: ZUpdatePlanEntry, response: { 200: ZPlanEntry } },
  }, async (req) => plans.update(req.auth, req.params.id, req.params.entryId, req.body));
  app.delete(`${base}/:entryId`, {
    config: { access: 'programs.manage' },
    schema: { tags, params: entryParams, response: { 204: z.null().describe('deleted') } },
  }, async (req, reply) => {
    await plans.remove(req.auth, req.params.id, req.params.entryId);
    return reply.code(204).send(null);
  });
  app.post(`${base}/:entryId/send`, {
    config: { access: 'programs.manage' },
    schema: { tags, summary: 'Send the entry’s message to the audience now (its schedule does not move)', params: entryParams, response: { 202: ZSendResult } },
  }, async (req, reply) => reply.code(202).send(await plans.sendNow(req.auth, req.params.id, req.params.entryId)));

  app.get('/api/v1/programs/:id/cadence', {
    config: { access: 'programs.read' },
    schema: { tags, summary: 'The share of the audience reached by a message in the last windowDays, against the target, and who was not reached', params, querystring: ZCadenceQuery, response: { 200: ZCadence } },
  }, async (req) => plans.cadence.get(req.auth, req.params.id, req.query));
  app.patch('/api/v1/programs/:id/cadence', {
    config: { access: 'programs.manage' },
    schema: { tags, summary: 'Set the program’s cadence window, target and who is alerted', params, body: ZUpdateCadence, response: { 200: ZCadence } },
  }, async (req) => plans.cadence.update(req.auth, req.params.id, req.body));
};
