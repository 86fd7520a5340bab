import { z } from 'zod';
import { ZOutcome } from '../programs/index.js';

export const ZEventIn = z
  .object({
    id: z.string().min(1).max(200).describe('unique within its source: the idempotency key'),
    source: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,59}$/, 'lower-case letters, digits, . _ -').default('api'),
    type: z.string().min(1).max(100),
    occurredAt: z.iso.datetime({ offset: true }),
    personId: z.string().max(40).optional(),
    personExternalId: z.string().min(1).max(200).optional(),
    accountId: z.string().max(40).optional(),
    accountExternalId: z.string().min(1).max(200).optional(),
    properties: z.record(z.string().max(60), z.unknown()).default({}),
    reverses: z.string().min(1).max(200).optional().describe('the id (in this source) or evt_ id of an event this one cancels'),
  })
  .strict()
  .refine((e) => !!e.personId !== !!e.personExternalId, { message: 'give personId or personExternalId', path: ['personId'] })
  .refine((e) => !(e.accountId && e.accountExternalId), { message: 'give accountId or accountExternalId, not both', path: ['accountId'] });
export type TEventIn = z.infer<typeof ZEventIn>;

// The route takes one event or a batch; each event is checked on its own so one bad event
// never blocks the others.
const ZLooseEvent = z.record(z.string(), z.unknown()).describe('an event (see EventIn)');
export const ZIngestBody = z.union([z.object({ events: z.array(ZLooseEvent).min(1).max(1000) }).strict(), ZLooseEvent.refine((b) => !('events' in b), { message: 'events takes 1 to 1,000 events, and nothing else beside it', path: ['events'] })]);

export const ZEventResult = z
  .object({
    id: z.string().nullable(),
    source: z.string().nullable(),
    eventId: z.string().nullable(),
    status: z.enum(['accepted', 'duplicate', 'rejected']),
    code: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    effects: z.array(ZOutcome),
  })
  .meta({ id: 'EventResult' });
export type TEventResult = z.infer<typeof ZEventResult>;
export const ZBatchEventResult = z
  .object({ summary: z.object({ accepted: z.number().int(), duplicate: z.number().int(), rejected: z.number().int() }), results: z.array(ZEventResult) })
  .meta({ id: 'EventBatchResult' });

export const ZEvent = z
  .object({
    eventId: z.string(),
    id: z.string(),
    source: z.string(),
    type: z.string(),
    occurredAt: z.string(),
    receivedAt: z.string(),
    personId: z.string(),
    accountId: z.string().nullable(),
    teamId: z.string().nullable(),
    properties: z.record(z.string(), z.unknown()),
    reverses: z.string().nullable(),
    status: z.enum(['accepted', 'reversed']),
    reversedAt: z.string().nullable(),
    reversalReason: z.string().nullable(),
    effects: z.array(ZOutcome),
  })
  .meta({ id: 'Event' });
export const ZEventQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(200).optional(),
    personId: z.string().max(40).optional(),
    accountId: z.string().max(40).optional(),
    type: z.string().max(100).optional(),
    source: z.string().max(60).optional(),
    status: z.enum(['accepted', 'reversed']).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export type TEventQuery = z.infer<typeof ZEventQuery>;
export const ZReverse = z.object({ reason: z.string().trim().min(1).max(500) }).strict();
