import { z } from 'zod';
import { ROLES } from '../../core/auth.js';

export const ZRole = z.enum(ROLES).meta({ id: 'Role', description: 'A role in one workspace' });
const ZPersonId = z.string().regex(/^per_[0-9a-z]{26}$/, 'must be a person id (per_…)');
const ZEmail = z.email().max(254).transform((e) => e.toLowerCase());
const ZPassword = z.string().min(10, 'at least 10 characters').max(200);

export const ZSignIn = z
  .object({ email: ZEmail, password: z.string().min(1).max(200), workspaceId: z.string().max(40).optional() })
  .strict();
export const ZSwitchWorkspace = z.object({ workspaceId: z.string().max(40) }).strict();

export const ZWorkspaceSummary = z.object({ id: z.string(), name: z.string(), slug: z.string(), role: ZRole });
export const ZSession = z
  .object({
    kind: z.enum(['session', 'api_key']),
    user: z.object({ id: z.string(), email: z.string(), name: z.string(), isInstanceOwner: z.boolean() }).nullable(),
    workspace: z.object({ id: z.string(), name: z.string(), slug: z.string(), pointsLabel: z.string(), timezone: z.string() }),
    role: ZRole,
    personId: z.string().nullable(),
    workspaces: z.array(ZWorkspaceSummary),
    csrfToken: z.string().nullable(),
    permissions: z.array(z.string()),
  })
  .meta({ id: 'Session' });
export type TSession = z.infer<typeof ZSession>;

export const ZUser = z
  .object({ id: z.string(), email: z.string(), name: z.string(), role: ZRole, personId: z.string().nullable(), createdAt: z.string() })
  .meta({ id: 'User' });
export const ZCreateUser = z
  .object({
    email: ZEmail,
    name: z.string().trim().min(1).max(120).optional(),
    role: ZRole.exclude(['integration']),
    personId: ZPersonId.nullable().optional(),
    password: ZPassword.optional(),
  })
  .strict();
export type TCreateUser = z.infer<typeof ZCreateUser>;
export const ZCreatedUser = ZUser.extend({ generatedPassword: z.string().optional() });
export const ZUpdateUser = z
  .object({ name: z.string().trim().min(1).max(120), role: ZRole.exclude(['integration']), personId: ZPersonId.nullable() })
  .partial()
  .strict();
export type TUpdateUser = z.infer<typeof ZUpdateUser>;

export const ZApiKey = z
  .object({
    id: z.string(),
    name: z.string(),
    role: ZRole,
    workspaceId: z.string(),
    personId: z.string().nullable(),
    hint: z.string().describe('the last characters of the key, to recognise it'),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' });
export const ZCreateApiKey = z
  .object({
    name: z.string().trim().min(1).max(120).default('API key'),
    role: ZRole,
    personId: ZPersonId.nullable().optional(),
    expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
  })
  .strict();
export type TCreateApiKey = z.input<typeof ZCreateApiKey>;
export const ZCreatedApiKey = ZApiKey.extend({ key: z.string().describe('shown once; store it now') });

export const ZUserIdParam = z.object({ id: z.string().max(40) }).strict();
