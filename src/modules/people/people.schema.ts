import { z } from 'zod';

const id = (prefix: string, noun: string) => z.string().regex(new RegExp(`^${prefix}_[0-9a-z]{26}$`), `must be ${noun} id (${prefix}_…)`);
export const ZTeamId = id('tea', 'a team');
export const ZPersonId = id('per', 'a person');
export const ZAccountId = id('acc', 'an account');
export const ZAssignmentId = id('asg', 'an assignment');
export const ZExternalId = z.string().trim().min(1).max(200);
const ZName = z.string().trim().min(1).max(200);
const ZDate = z.iso.date();
type Attributes = Record<string, string | number | boolean | null>;
/**
 * Free attributes: up to 50 names of 1–60 characters, each a string (≤ 500), number, boolean
 * or null. Checked in one pass (z.record with a union costs several times more, and a batch of
 * 1,000 people spent most of its validation here); the JSON Schema is given alongside.
 */
const ZAttributes = z
  .custom<Attributes>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'must be an object of attributes')
  .superRefine((a, ctx) => {
    let n = 0;
    for (const k in a) {
      if (++n > 50) {
        ctx.addIssue({ code: 'custom', message: 'at most 50 attributes', path: [] });
        return;
      }
      const v = a[k];
      if (k.length < 1 || k.length > 60) ctx.addIssue({ code: 'custom', message: 'an attribute name has 1 to 60 characters', path: [k] });
      if (!(v === null || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && v.length <= 500))) {
        ctx.addIssue({ code: 'custom', message: 'must be a string (up to 500 characters), a number, true, false or null', path: [k] });
      }
    }
  })
  .meta({
    type: 'object',
    maxProperties: 50,
    propertyNames: { minLength: 1, maxLength: 60 },
    additionalProperties: { anyOf: [{ type: 'string', maxLength: 500 }, { type: 'number' }, { type: 'boolean' }, { type: 'null' }] },
  });
export const ZStatus = z.enum(['active', 'inactive']);
export const ZPersonKind = z.enum(['employee', 'customer', 'partner']);
export const ZAccountKind = z.enum(['customer', 'partner']);
export const ZAssignmentRole = z.enum(['account_manager', 'sales', 'support', 'success']);
const ZTimezone = z.string().max(60).refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone');

const ts = { createdAt: z.string(), updatedAt: z.string() };

// ---- Teams
export const ZTeam = z
  .object({ id: z.string(), externalId: z.string().nullable(), name: z.string(), parentId: z.string().nullable(), managerId: z.string().nullable(), memberCount: z.number().int(), ...ts })
  .meta({ id: 'Team' });
const teamFields = {
  name: ZName,
  parentId: ZTeamId.nullable(),
  parentExternalId: ZExternalId.nullable(),
  managerId: ZPersonId.nullable(),
  managerExternalId: ZExternalId.nullable(),
};
export const ZCreateTeam = z.object({ externalId: ZExternalId.nullable().optional(), ...teamFields }).partial({ parentId: true, parentExternalId: true, managerId: true, managerExternalId: true }).strict();
export const ZUpsertTeam = z.object(teamFields).partial({ parentId: true, parentExternalId: true, managerId: true, managerExternalId: true }).strict();
export const ZPatchTeam = z.object({ externalId: ZExternalId.nullable(), ...teamFields }).partial().strict();

// ---- Accounts
export const ZAccount = z
  .object({ id: z.string(), kind: ZAccountKind, externalId: z.string(), name: z.string(), tier: z.string().nullable(), region: z.string().nullable(), status: ZStatus, attributes: z.record(z.string(), z.unknown()), ...ts })
  .meta({ id: 'Account' });
const accountFields = { kind: ZAccountKind, name: ZName, tier: z.string().trim().max(60).nullable(), region: z.string().trim().max(60).nullable(), status: ZStatus, attributes: ZAttributes };
export const ZCreateAccount = z.object({ externalId: ZExternalId, ...accountFields }).partial({ tier: true, region: true, status: true, attributes: true }).strict();
export const ZUpsertAccount = z.object(accountFields).partial({ tier: true, region: true, status: true, attributes: true }).strict();
export const ZPatchAccount = z.object({ externalId: ZExternalId, ...accountFields }).partial().strict();

// ---- People
export const ZPerson = z
  .object({
    id: z.string(),
    kind: ZPersonKind,
    externalId: z.string(),
    name: z.string().nullable(),
    email: z.string().nullable(),
    teamId: z.string().nullable(),
    accountId: z.string().nullable(),
    hireDate: z.string().nullable(),
    status: ZStatus,
    attributes: z.record(z.string(), z.unknown()),
    locale: z.string().nullable(),
    timezone: z.string().nullable(),
    erasedAt: z.string().nullable(),
    ...ts,
  })
  .meta({ id: 'Person' });
const personFields = {
  kind: ZPersonKind,
  name: ZName,
  email: z.email().max(254).nullable(),
  teamId: ZTeamId.nullable(),
  teamExternalId: ZExternalId.nullable(),
  accountId: ZAccountId.nullable(),
  accountExternalId: ZExternalId.nullable(),
  hireDate: ZDate.nullable(),
  status: ZStatus,
  attributes: ZAttributes,
  locale: z.string().min(2).max(20).nullable(),
  timezone: ZTimezone.nullable(),
};
const optionalPerson = { email: true, teamId: true, teamExternalId: true, accountId: true, accountExternalId: true, hireDate: true, status: true, attributes: true, locale: true, timezone: true } as const;
export const ZCreatePerson = z.object({ externalId: ZExternalId, ...personFields }).partial(optionalPerson).strict();
export const ZUpsertPerson = z.object(personFields).partial(optionalPerson).strict();
export const ZPatchPerson = z.object({ externalId: ZExternalId, ...personFields }).partial().strict();

// ---- Assignments
export const ZAssignment = z
  .object({ id: z.string(), externalId: z.string().nullable(), personId: z.string(), accountId: z.string(), role: ZAssignmentRole, ...ts })
  .meta({ id: 'Assignment' });
const assignmentFields = { personId: ZPersonId, personExternalId: ZExternalId, accountId: ZAccountId, accountExternalId: ZExternalId, role: ZAssignmentRole };
const optionalAssignment = { personId: true, personExternalId: true, accountId: true, accountExternalId: true } as const;
export const ZCreateAssignment = z.object({ externalId: ZExternalId.nullable().optional(), ...assignmentFields }).partial(optionalAssignment).strict();
export const ZUpsertAssignment = z.object(assignmentFields).partial(optionalAssignment).strict();
export const ZPatchAssignment = z.object({ externalId: ZExternalId.nullable(), ...assignmentFields }).partial().strict();

// ---- Lists, batches, imports
const ZQ = z.string().trim().max(200).optional();
const ZIds = z.string().max(100 * 31).optional().describe('comma-separated ids (up to 100): fetch these records in one call');
const page = { limit: z.coerce.number().int().min(1).max(500).default(50), cursor: z.string().max(200).optional(), q: ZQ, ids: ZIds };
export const ZTeamQuery = z.object({ ...page, parentId: ZTeamId.optional(), externalId: ZExternalId.optional() }).strict();
export const ZAccountQuery = z.object({ ...page, kind: ZAccountKind.optional(), tier: z.string().max(60).optional(), region: z.string().max(60).optional(), status: ZStatus.optional(), externalId: ZExternalId.optional() }).strict();
export const ZPersonQuery = z.object({ ...page, kind: ZPersonKind.optional(), teamId: ZTeamId.optional(), accountId: ZAccountId.optional(), status: ZStatus.optional(), externalId: ZExternalId.optional() }).strict();
export const ZAssignmentQuery = z.object({ ...page, personId: ZPersonId.optional(), accountId: ZAccountId.optional(), role: ZAssignmentRole.optional() }).strict();

export const ZRowResult = z.object({
  index: z.number().int(),
  externalId: z.string().nullable(),
  status: z.enum(['created', 'updated', 'unchanged', 'rejected']),
  id: z.string().nullable(),
  code: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })),
});
export const ZBatchResult = z
  .object({ summary: z.object({ created: z.number().int(), updated: z.number().int(), unchanged: z.number().int(), rejected: z.number().int() }), results: z.array(ZRowResult) })
  .meta({ id: 'BatchResult' });
export const ZImportResult = z
  .object({
    summary: z.object({ created: z.number().int(), updated: z.number().int(), unchanged: z.number().int(), rejected: z.number().int() }),
    rows: z.array(ZRowResult.omit({ index: true }).extend({ row: z.number().int().describe('1-based data row (the header is row 0)') })),
  })
  .meta({ id: 'ImportResult' });
export const ZImportKind = z.enum(['teams', 'people', 'accounts', 'assignments']);
export type TImportKind = z.infer<typeof ZImportKind>;
export const ZMe = z.object({ person: ZPerson.nullable(), team: ZTeam.nullable(), account: ZAccount.nullable() }).meta({ id: 'Me' });
