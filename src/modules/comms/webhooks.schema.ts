import { z } from 'zod';
import { DOMAIN_TOPICS } from '../../core/outbox.js';

export const ZEndpointIdParam = z.object({ id: z.string().regex(/^whe_[0-9a-z]{26}$/, 'must be a webhook endpoint id (whe_…)') }).strict();
export const ZReplayParams = z
  .object({
    id: z.string().regex(/^whe_[0-9a-z]{26}$/, 'must be a webhook endpoint id (whe_…)'),
    deliveryId: z.string().regex(/^whd_[0-9a-z]{26}$/, 'must be a delivery id (whd_…)'),
  })
  .strict();
export const ZDeadLetterIdParam = z.object({ id: z.string().regex(/^(msg|whd)_[0-9a-z]{26}$/, 'must be an outbox message id (msg_… or whd_…)') }).strict();

const ZEventType = z.enum(['*', ...DOMAIN_TOPICS]).describe('a message type, or * for every type');
const ZEventTypes = z
  .array(ZEventType)
  .min(1)
  .max(DOMAIN_TOPICS.length + 1)
  .refine((xs) => new Set(xs).size === xs.length, 'each type once');
const ZUrl = z.string().trim().min(1).max(2000).describe('an http(s) URL; in production, no private addresses unless allowPrivateNetwork');

export const ZCreateEndpoint = z
  .object({
    url: ZUrl,
    eventTypes: ZEventTypes,
    description: z.string().trim().max(200).default(''),
    allowPrivateNetwork: z.boolean().default(false).describe('lets the endpoint reach loopback, link-local and private addresses in production'),
  })
  .strict();
export type TCreateEndpoint = z.infer<typeof ZCreateEndpoint>;

export const ZUpdateEndpoint = z
  .object({
    url: ZUrl,
    eventTypes: ZEventTypes,
    description: z.string().trim().max(200),
    enabled: z.boolean(),
    allowPrivateNetwork: z.boolean(),
  })
  .partial()
  .strict();
export type TUpdateEndpoint = z.infer<typeof ZUpdateEndpoint>;

export const ZEndpoint = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string(),
    eventTypes: z.array(z.string()),
    enabled: z.boolean(),
    allowPrivateNetwork: z.boolean(),
    disabledReason: z.string().nullable(),
    failingSince: z.string().nullable(),
    previousSecretExpiresAt: z.string().nullable().describe('until then, deliveries are signed with the old secret too'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'WebhookEndpoint' });
export type TEndpoint = z.infer<typeof ZEndpoint>;
export const ZEndpointWithSecret = ZEndpoint.extend({ secret: z.string().describe('shown once') }).meta({ id: 'WebhookEndpointWithSecret' });

export const ZAttempt = z.object({ attempt: z.number().int(), statusCode: z.number().int().nullable(), durationMs: z.number().int(), error: z.string().nullable(), at: z.string() });
export const ZDelivery = z
  .object({
    id: z.string(),
    endpointId: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    status: z.enum(['pending', 'delivered', 'dead', 'discarded']),
    attempts: z.array(ZAttempt),
    replayOf: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'WebhookDelivery' });
export type TDelivery = z.infer<typeof ZDelivery>;

export const ZDeadLetter = z
  .object({
    id: z.string(),
    type: z.string(),
    payload: z.unknown(),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    deadAt: z.string().nullable(),
  })
  .meta({ id: 'DeadLetter' });
export type TDeadLetter = z.infer<typeof ZDeadLetter>;
