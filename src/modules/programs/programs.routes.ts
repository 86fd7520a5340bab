import { z } from 'zod';
import { parse } from 'csv-parse/sync';
import { AppError } from '../../core/errors.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { pageOf } from '../../core/http/pagination.js';
import type { ProgramsService } from './programs.service.js';
import { BATCH_BODY_LIMIT } from '../../core/http/server.js';
import { ZGoal } from './goals.schema.js';
import { ZBulkAwardResult, ZBulkAwards, ZCreateProgram, ZProgram, ZProgramQuery, ZUpdateProgram } from './programs.schema.js';

const params = z.object({ id: z.string().max(60) }).strict();
const ZMyProgram = z
  .object({
    programId: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    endsAt: z.string().nullable(),
    rules: z.array(z.object({ ruleId: z.string(), name: z.string(), on: z.string(), points: z.number().int().nullable(), pointsPer: z.object({ fact: z.string(), every: z.number(), points: z.number().int() }).nullable(), cap: z.unknown().nullable() })),
    goals: z.array(ZGoal.extend({ periodEnd: z.string().nullable(), value: z.number(), myTarget: z.number().int().nullable(), attainment: z.number().nullable(), tiersReached: z.array(z.number().int()) })),
  })
  .meta({ id: 'MyProgram' });

const ZOutcomeCount = z.object({ count: z.number().int(), pointsDue: z.number().int() });
const ZProgramStats = z
  .object({
    programId: z.string(),
    window: z.object({ from: z.string(), to: z.string() }),
    points: z.number().int().describe('paid out in the window, net of reversals'),
    cost: z.object({ amountCents: z.number().int(), currency: z.string() }),
    awards: z.number().int(),
    reversals: z.number().int(),
    reversedPoints: z.number().int(),
    earners: z.number().int(),
    capped: ZOutcomeCount.describe('awards a cap cut (partly or wholly)'),
    budgetExhausted: ZOutcomeCount.describe('awards not paid because the budget could not cover them'),
    heldOut: z.number().int(),
    noRecipient: z.number().int(),
    budget: z.number().int(),
    budgetRemaining: z.number().int(),
    burnByWeek: z.array(z.object({ weekStart: z.string(), points: z.number().int(), cumulative: z.number().int() })),
    narrowedTo: z
      .object({ teams: z.number().int(), people: z.number().int() })
      .nullable()
      .describe('for a manager: the figures above (not the budget) cover only the people of the teams they manage and the teams under them'),
    topEarners: z.array(z.object({ personId: z.string(), points: z.number().int() })),
  })
  .meta({ id: 'ProgramStats' });

/** A bulk award file: one row per person (personId or personExternalId) and the points. */
function awardsFromCsv(text: string, reason: string) {
  let rows: Record<string, string>[];
  try {
    const parsed: unknown = parse(text, { bom: true, columns: true, skip_empty_lines: true, trim: true });
    rows = parsed as Record<string, string>[];
  } catch (err) {
    throw new AppError('validation_failed', { detail: `The file is not valid CSV: ${(err as Error).message}`, path: 'file' });
  }
  const awards = rows.map((r) => ({
    ...(r.personId ? { personId: r.personId } : {}),
    ...(r.personExternalId ? { personExternalId: r.personExternalId } : {}),
    points: r.points === undefined || r.points === '' ? NaN : Number(r.points),
  }));
  const checked = ZBulkAwards.safeParse({ reason, awards });
  if (!checked.success) {
    // Cells are named by data row from 1, as in the other imports; the reason by its query field.
    const errors = checked.error.issues.map((i) => ({ path: i.path[0] === 'awards' && i.path.length > 2 ? `row ${Number(i.path[1]) + 1}: ${String(i.path[2])}` : i.path[0] === 'reason' ? 'querystring.reason' : i.path.join('.') || 'file', message: i.message }));
    throw new AppError('validation_failed', { detail: `${errors.length} problem(s) in the file; nothing was awarded`, errors });
  }
  return checked.data;
}

export const programsRoutes = (programs: ProgramsService): FastifyPluginAsyncZod => async (app) => {
  const tags = ['programs'];
  app.get('/api/v1/programs', {
    config: { access: 'programs.read' },
    schema: { tags, summary: 'List programs', querystring: ZProgramQuery, response: { 200: pageOf(ZProgram) } },
  }, async (req) => programs.list(req.auth, req.query));
  app.post('/api/v1/programs', {
    config: { access: 'programs.manage' },
    schema: { tags, summary: 'Create a program (a draft); rules are checked against the event types', body: ZCreateProgram, response: { 201: ZProgram } },
  }, async (req, reply) => reply.code(201).send(await programs.create(req.auth, req.body)));
  app.get('/api/v1/me/programs', {
    config: { access: 'self' },
    schema: {
      tags: ['programs'],
      summary: 'What the signed-in participant can earn: their live programs, each rule in short, and their goals',
      response: { 200: z.object({ data: z.array(ZMyProgram) }) },
    },
  }, async (req) => programs.forParticipant(req.auth));
  app.get('/api/v1/programs/:id', {
    config: { access: 'programs.read' },
    schema: { tags, params, response: { 200: ZProgram } },
  }, async (req) => programs.get(req.auth, req.params.id));
  app.get('/api/v1/programs/:id/stats', {
    config: { access: 'programs.read' },
    schema: {
      tags,
      summary: 'What the program did in a window (default: since it started): points, cost, earners, capped and unpaid awards, burn by week, top earners',
      params,
      querystring: z.object({ from: z.iso.datetime({ offset: true }).optional(), to: z.iso.datetime({ offset: true }).optional() }).strict(),
      response: { 200: ZProgramStats },
    },
  }, async (req) => programs.stats(req.auth, req.params.id, req.query));
  app.patch('/api/v1/programs/:id', {
    config: { access: 'programs.manage' },
    schema: { tags, summary: 'Edit a program: a draft in place; a live one gets a new version from effectiveFrom', params, body: ZUpdateProgram, response: { 200: ZProgram } },
  }, async (req) => programs.update(req.auth, req.params.id, req.body));
  app.post('/api/v1/programs/:id/awards', {
    bodyLimit: BATCH_BODY_LIMIT,
    config: { access: 'ledger.adjust' },
    schema: { tags, summary: 'Award points to up to 10,000 people from the program budget, all or nothing, with a reason', params, body: ZBulkAwards, response: { 201: ZBulkAwardResult } },
  }, async (req, reply) => reply.code(201).send(await programs.bulkAward(req.auth, req.params.id, req.body)));
  app.post('/api/v1/programs/:id/awards/import', {
    bodyLimit: BATCH_BODY_LIMIT,
    config: { access: 'ledger.adjust', csv: true },
    schema: {
      tags,
      summary: 'A bulk award from a CSV file (personId or personExternalId, points) with the reason in the query; all or nothing',
      params,
      querystring: z.object({ reason: z.string().max(500) }).strict(),
      consumes: ['text/csv'],
      body: z.string().max(BATCH_BODY_LIMIT),
      response: { 201: ZBulkAwardResult },
    },
  }, async (req, reply) => reply.code(201).send(await programs.bulkAward(req.auth, req.params.id, awardsFromCsv(req.body, req.query.reason))));
  for (const [action, fn] of [['activate', programs.activate], ['pause', programs.pause], ['end', programs.end]] as const) {
    app.post(`/api/v1/programs/:id/${action}`, {
      config: { access: 'programs.manage' },
      schema: { tags, summary: `${action[0]!.toUpperCase()}${action.slice(1)} the program`, params, response: { 200: ZProgram } },
    }, async (req) => fn(req.auth, req.params.id));
  }
};
