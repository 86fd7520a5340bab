import { z } from 'zod';
import { PROPERTY_TYPES } from './engine.rules.js';

const ZPropertySpec = z
  .object({
    type: z.enum(PROPERTY_TYPES),
    required: z.boolean().default(false),
    values: z.array(z.string().min(1).max(100)).min(1).max(100).optional(),
    description: z.string().max(300).optional(),
  })
  .strict()
  .refine((p) => (p.type === 'enum') === (p.values !== undefined), { message: 'values is given for enum properties, and only for them', path: ['values'] });

export const ZCreateEventType = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, 'dotted lower-case words, like course.started').max(100),
    description: z.string().max(300).optional(),
    properties: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,59}$/, 'letters, digits and _'), ZPropertySpec).refine((p) => Object.keys(p).length <= 50, 'at most 50 properties'),
  })
  .strict();
export type TCreateEventType = z.infer<typeof ZCreateEventType>;

export const ZEventType = z
  .object({
    name: z.string(),
    description: z.string().nullable(),
    builtIn: z.boolean(),
    properties: z.record(z.string(), z.object({ type: z.enum(PROPERTY_TYPES), required: z.boolean(), values: z.array(z.string()).optional(), description: z.string().optional() })),
    createdAt: z.string().nullable(),
  })
  .meta({ id: 'EventType' });
