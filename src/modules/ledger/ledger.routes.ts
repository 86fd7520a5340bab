import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AuthContext } from '../../core/auth.js';
import { AppError } from '../../core/errors.js';
import { pageOf, ZPageQuery } from '../../core/http/pagination.js';
import type { PeopleService } from '../people/index.js';
import { accounts, type LedgerService } from './ledger.service.js';

const ZWallet = z
  .object({
    personId: z.string(),
    balance: z.number().int(),
    lots: z.array(z.object({ transferId: z.string(), amount: z.number().int(), remaining: z.number().int(), earnedAt: z.string(), expiresAt: z.string().nullable() })),
    expiringSoon: z.array(z.object({ transferId: z.string(), points: z.number().int(), expiresAt: z.string() })),
  })
  .meta({ id: 'Wallet' });
const ZTransfer = z
  .object({
    id: z.string(),
    from: z.string(),
    to: z.string(),
    amount: z.number().int(),
    cause: z.string(),
    eventId: z.string().nullable(),
    programId: z.string().nullable(),
    programVersion: z.number().int().nullable(),
    ruleId: z.string().nullable(),
    goalId: z.string().nullable(),
    reversesId: z.string().nullable(),
    actorId: z.string().nullable(),
    reason: z.string().nullable(),
    occurredAt: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'Transfer' });
const params = z.object({ id: z.string().max(60) }).strict();

const ZAdjustment = z
  .object({
    points: z.number().int().refine((n) => n !== 0 && Math.abs(n) <= 10_000_000, 'a non-zero whole number, at most 10,000,000 either way'),
    reason: z.string().trim().min(3).max(500),
  })
  .strict();

export const ledgerRoutes = (ledger: LedgerService, people: PeopleService): FastifyPluginAsyncZod => async (app) => {
  /** A participant reads their own wallet; staff read anyone's in their workspace. */
  async function visible(ctx: AuthContext, personId: string) {
    if (ctx.personId !== personId) {
      if (!ctx.can('wallets.read')) throw new AppError('not_found', { detail: 'Person not found' });
    }
    if (!(await people.personExists(ctx.workspaceId, personId))) throw new AppError('not_found', { detail: 'Person not found' });
  }
  app.get('/api/v1/people/:id/wallet', {
    config: { access: 'self' },
    schema: { tags: ['ledger'], summary: 'Balance, lots and points expiring soon', params, response: { 200: ZWallet } },
  }, async (req) => {
    await visible(req.auth, req.params.id);
    return { personId: req.params.id, ...(await ledger.wallet(req.auth.workspaceId, req.params.id)) };
  });
  app.get('/api/v1/people/:id/transfers', {
    config: { access: 'self' },
    schema: { tags: ['ledger'], summary: 'The wallet’s history, newest first; each line names its cause', params, querystring: ZPageQuery.strict(), response: { 200: pageOf(ZTransfer) } },
  }, async (req) => {
    await visible(req.auth, req.params.id);
    return ledger.history(req.auth.workspaceId, accounts.wallet(req.params.id), req.query);
  });
  app.post('/api/v1/people/:id/adjustments', {
    config: { access: 'ledger.adjust' },
    schema: { tags: ['ledger'], summary: 'Correct a wallet by hand (positive adds, negative removes); the reason is kept in its history', params, body: ZAdjustment, response: { 201: ZTransfer } },
  }, async (req, reply) => {
    await visible(req.auth, req.params.id);
    const trf = await ledger.adjust(req.auth, req.params.id, req.body.points, req.body.reason);
    return reply.code(201).send(trf);
  });
};
