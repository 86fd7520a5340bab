import { z } from 'zod';
import { parse } from 'csv-parse/sync';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError } from '../../core/errors.js';
import { BATCH_BODY_LIMIT } from '../../core/http/server.js';
import type { GoalsService } from './goals.service.js';
import { ZCreateGoal, ZGoal, ZProgress, ZTargets } from './goals.schema.js';

const params = z.object({ id: z.string().max(60) }).strict();

/** Quota files: one row per person (personExternalId) or team (teamExternalId), period, target. */
function targetsFromCsv(text: string) {
  let rows: Record<string, string>[];
  try {
    const parsed: unknown = parse(text, { bom: true, columns: true, skip_empty_lines: true, trim: true });
    rows = parsed as Record<string, string>[];
  } catch (err) {
    throw new AppError('validation_failed', { detail: `The file is not valid CSV: ${(err as Error).message}`, path: 'file' });
  }
  const targets = rows.map((r) => ({
    ...(r.personExternalId ? { personExternalId: r.personExternalId } : {}),
    ...(r.teamExternalId ? { teamExternalId: r.teamExternalId } : {}),
    period: r.period || 'all',
    target: Number(r.target),
  }));
  const checked = ZTargets.safeParse({ targets });
  if (!checked.success) {
    const errors = checked.error.issues.map((i) => ({ path: i.path.length > 2 ? `row ${Number(i.path[1]) + 1}: ${String(i.path[2])}` : i.path.join('.'), message: i.message }));
    throw new AppError('validation_failed', { detail: `${errors.length} problem(s) in the file; no target was set`, errors });
  }
  return checked.data;
}

export const goalsRoutes = (goals: GoalsService): FastifyPluginAsyncZod => async (app) => {
  const tags = ['goals'];
  app.post('/api/v1/goals', {
    config: { access: 'programs.manage' },
    schema: { tags, summary: 'Create a goal in a program: a metric over a period, a target, tiers with payouts', body: ZCreateGoal, response: { 201: ZGoal } },
  }, async (req, reply) => reply.code(201).send(await goals.create(req.auth, req.body)));
  app.get('/api/v1/goals', {
    config: { access: 'programs.read' },
    schema: { tags, querystring: z.object({ programId: z.string().max(60).optional() }).strict(), response: { 200: z.object({ data: z.array(ZGoal) }) } },
  }, async (req) => goals.list(req.auth, req.query.programId));
  app.get('/api/v1/goals/:id', {
    config: { access: 'programs.read' },
    schema: { tags, params, response: { 200: ZGoal } },
  }, async (req) => goals.get(req.auth, req.params.id));
  app.put('/api/v1/goals/:id/targets', {
    bodyLimit: BATCH_BODY_LIMIT,
    config: { access: 'programs.manage' },
    schema: { tags, summary: 'Set targets (quotas) per person or team, for a period or all periods; all or nothing', params, body: ZTargets, response: { 200: z.object({ goalId: z.string(), set: z.number().int() }) } },
  }, async (req) => goals.setTargets(req.auth, req.params.id, req.body));
  app.post('/api/v1/goals/:id/targets/import', {
    bodyLimit: BATCH_BODY_LIMIT,
    config: { access: 'programs.manage', csv: true },
    schema: { tags, summary: 'Import quotas from CSV: personExternalId or teamExternalId, period (YYYY-MM, YYYY-Qn, YYYY or all), target', params, consumes: ['text/csv'], body: z.string().max(BATCH_BODY_LIMIT), response: { 200: z.object({ goalId: z.string(), set: z.number().int() }) } },
  }, async (req) => goals.setTargets(req.auth, req.params.id, targetsFromCsv(req.body)));
  app.get('/api/v1/goals/:id/progress', {
    config: { access: 'programs.read' },
    schema: { tags, summary: 'Progress per person or team in the period holding `at` (default now)', params, querystring: z.object({ at: z.iso.datetime({ offset: true }).optional(), subjectId: z.string().max(60).optional() }).strict(), response: { 200: ZProgress } },
  }, async (req) => goals.progress(req.auth, req.params.id, req.query));
};
