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

// ---------------------------------------------------------------- the fast path of ZEventIn
const EVENT_KEYS = new Set(Object.keys(ZEventIn.shape));
const SOURCE = /^[a-z0-9][a-z0-9._-]{0,59}$/;
/** occurredAt's check, Zod's own pattern (z.iso.datetime with an offset); without it, no fast path. */
const DATETIME = (ZEventIn.shape.occurredAt as unknown as { _zod?: { def?: { pattern?: unknown } } })._zod?.def?.pattern;
const isPlain = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
const str = (v: unknown, min: number, max: number): v is string => typeof v === 'string' && v.length >= min && v.length <= max;

/**
 * `ZEventIn.safeParse`, answered without Zod for an event that is plainly valid (the common case:
 * a batch of 1,000 spent about 5 ms in Zod). The checks are ZEventIn's, written out; the data is
 * what Zod answers (its keys in the schema's order, `source` and `properties` defaulted,
 * `properties` a copy). Anything else, every invalid event and every unusual one (an undefined
 * value, an object that is not plain), goes to Zod, so errors are Zod's own.
 */
export function parseEventIn(raw: unknown): ReturnType<typeof ZEventIn.safeParse> {
  const data = DATETIME instanceof RegExp ? plainEventIn(raw, DATETIME) : null;
  return data ? ({ success: true, data }) : ZEventIn.safeParse(raw);
}

function plainEventIn(raw: unknown, datetime: RegExp): TEventIn | null {
  if (!isPlain(raw)) return null;
  const keys = Object.keys(raw);
  if (Reflect.ownKeys(raw).length !== keys.length) return null;
  for (const k of keys) if (!EVENT_KEYS.has(k) || raw[k] === undefined) return null;
  const r = raw as Record<string, unknown> & Partial<Record<keyof TEventIn, unknown>>;
  if (!str(r.id, 1, 200) || !str(r.type, 1, 100) || typeof r.occurredAt !== 'string' || !datetime.test(r.occurredAt)) return null;
  if ('source' in r && !(typeof r.source === 'string' && SOURCE.test(r.source))) return null;
  if ('personId' in r && !str(r.personId, 0, 40)) return null;
  if ('personExternalId' in r && !str(r.personExternalId, 1, 200)) return null;
  if ('accountId' in r && !str(r.accountId, 0, 40)) return null;
  if ('accountExternalId' in r && !str(r.accountExternalId, 1, 200)) return null;
  if ('reverses' in r && !str(r.reverses, 1, 200)) return null;
  if (!!r.personId === !!r.personExternalId || (r.accountId && r.accountExternalId)) return null;
  const properties: Record<string, unknown> = {};
  if ('properties' in r) {
    const p = r.properties;
    if (!isPlain(p)) return null;
    const pk = Object.keys(p);
    if (Reflect.ownKeys(p).length !== pk.length) return null;
    for (const k of pk) {
      if (k.length > 60 || k === '__proto__' || p[k] === undefined) return null;
      properties[k] = p[k];
    }
  }
  const out: Record<string, unknown> = { id: r.id, source: 'source' in r ? r.source : 'api', type: r.type, occurredAt: r.occurredAt };
  if ('personId' in r) out.personId = r.personId;
  if ('personExternalId' in r) out.personExternalId = r.personExternalId;
  if ('accountId' in r) out.accountId = r.accountId;
  if ('accountExternalId' in r) out.accountExternalId = r.accountExternalId;
  out.properties = properties;
  if ('reverses' in r) out.reverses = r.reverses;
  return out as TEventIn;
}
