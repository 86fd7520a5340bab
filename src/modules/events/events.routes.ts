import { z } from 'zod';
import { validatorCompiler, type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError } from '../../core/errors.js';
import { BATCH_BODY_LIMIT, plainJson } from '../../core/http/server.js';
import { pageOf } from '../../core/http/pagination.js';
import type { EventsService } from './events.service.js';
import { ZBatchEventResult, ZEvent, ZEventQuery, ZEventResult, ZIngestBody, ZReverse } from './events.schema.js';

/** What ZIngestBody's second branch takes: an object (not an array) with no `events` field. */
function isSingleEvent(data: unknown): boolean {
  return typeof data === 'object' && data !== null && !Array.isArray(data) && !Object.prototype.hasOwnProperty.call(data, 'events');
}

const params = z.object({ id: z.string().max(60) }).strict();
const ZSimulation = z
  .object({
    programId: z.string(),
    window: z.object({ from: z.string(), to: z.string() }),
    eventsScanned: z.number().int(),
    heldOutEvents: z.number().int(),
    points: z.number().int().describe('rules and goal tiers together'),
    rulePoints: z.number().int().describe('paid by the rules'),
    goalPoints: z.number().int().describe('paid by goal tiers'),
    cost: z.object({ amountCents: z.number().int(), currency: z.string() }),
    budget: z.number().int(),
    budgetUsedPercent: z.number().nullable(),
    earners: z.number().int(),
    distribution: z.object({ count: z.number().int(), mean: z.number(), median: z.number(), p90: z.number(), max: z.number(), gini: z.number() }),
    burnByWeek: z.array(z.object({ weekStart: z.string(), points: z.number().int(), cumulative: z.number().int(), budgetLeft: z.number().int() })),
    perRule: z.array(z.object({ ruleId: z.string(), name: z.string(), awards: z.number().int(), points: z.number().int(), capped: z.number().int(), budgetExhausted: z.number().int() })),
    perGoal: z.array(
      z.object({
        goalId: z.string(),
        name: z.string(),
        scope: z.enum(['person', 'team']),
        period: z.string(),
        points: z.number().int(),
        tiers: z.array(
          z.object({
            percent: z.number().int(),
            pointsEach: z.number().int().describe('what the tier pays each person'),
            reached: z.number().int().describe('people (or teams, for a team goal) whose progress crossed the tier in at least one period'),
            reachedPeriods: z.number().int().describe('times a person or team crossed it, counting each period'),
            awards: z.number().int().describe('payments made: for a team goal, one per member'),
            points: z.number().int(),
            budgetExhausted: z.number().int(),
          }),
        ),
      }),
    ),
    topEarners: z.array(z.object({ personId: z.string(), points: z.number().int() })),
  })
  .meta({ id: 'Simulation' });

export const eventsRoutes = (events: EventsService): FastifyPluginAsyncZod => async (app) => {
  const tags = ['events'];
  app.post('/api/v1/events', {
    bodyLimit: BATCH_BODY_LIMIT,
    config: { access: 'events.write' },
    schema: {
      tags,
      summary: 'Send one event, or { events: [...] } (up to 1,000): each is accepted, duplicate or rejected',
      description: 'A single event answers 201 (accepted), 200 (duplicate) or a 4xx problem (rejected). A batch answers 200 with a result per event.',
      body: ZIngestBody,
      response: { 200: z.union([ZBatchEventResult, ZEventResult]), 201: ZEventResult },
    },
    // A single event (an object without `events`) is all ZIngestBody asks of it: it passes at
    // once, and the service checks it against ZEventIn as it does each event of a batch. Any
    // other body goes through ZIngestBody for its usual answer.
    validatorCompiler: (route) => {
      const full = validatorCompiler(route as never);
      return (data: unknown) => (isSingleEvent(data) ? { value: data } : full(data));
    },
    // The service builds its answers field by field in ZEventResult's shape (a test holds it to
    // it): written as they are, not encoded by Zod again (a batch has up to 1,000).
    serializerCompiler: plainJson,
  }, async (req, reply) => {
    const body = req.body as { events?: unknown[] };
    if (Array.isArray(body.events)) return events.ingest(req.auth, body.events);
    const r = await events.ingestOne(req.auth, body);
    if (r.status === 'rejected') {
      throw new AppError((r.code as 'validation_failed') ?? 'validation_failed', { detail: (r.errors ?? []).map((e) => `${e.path}: ${e.message}`).join('; '), errors: r.errors });
    }
    return reply.code(r.status === 'accepted' ? 201 : 200).send(r);
  });

  app.get('/api/v1/events', {
    config: { access: 'events.read' },
    schema: { tags, summary: 'The event log, newest first (by person, account, type, source, status, time)', querystring: ZEventQuery, response: { 200: pageOf(ZEvent) } },
  }, async (req) => events.list(req.auth, req.query));

  app.get('/api/v1/events/:id', {
    config: { access: 'events.read' },
    schema: { tags, params, response: { 200: ZEvent } },
  }, async (req) => events.get(req.auth, req.params.id));

  app.post('/api/v1/programs/:id/simulate', {
    config: { access: 'programs.manage' },
    schema: {
      tags: ['programs'],
      summary: 'Run the program’s rules over stored events of a window, writing nothing: the cost before launch',
      params,
      body: z.object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) }).strict(),
      response: { 200: ZSimulation },
    },
  }, async (req) => events.simulate(req.auth, req.params.id, req.body));

  app.post('/api/v1/events/:id/reverse', {
    config: { access: 'events.reverse' },
    schema: {
      tags,
      summary: 'Reverse an event: every transfer it caused is reversed by a new transfer',
      params,
      body: ZReverse,
      response: { 200: z.object({ eventId: z.string(), status: z.literal('reversed'), reversedTransfers: z.array(z.object({ id: z.string(), reverses: z.string(), amount: z.number().int(), from: z.string(), to: z.string() })) }) },
    },
  }, async (req) => events.reverse(req.auth, req.params.id, req.body.reason));
};
