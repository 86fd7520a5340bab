import { z } from 'zod';

export const ZWorkspaceId = z.string().regex(/^wsp_[0-9a-z]{26}$/, 'must be a workspace id (wsp_…)');
const ZTimezone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as Europe/Paris');
const ZClock = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'a time as HH:MM (00:00–23:59)');
export const ZQuietHours = z
  .object({ start: ZClock.describe('when quiet hours begin, local time'), end: ZClock.describe('when they end (may be the next day)') })
  .strict()
  .refine((q) => q.start !== q.end, { path: ['end'], message: 'must differ from start' })
  .meta({ id: 'QuietHours', description: 'a daily window in which non-urgent email waits, e.g. 21:00 to 07:00' });
export type TQuietHours = z.infer<typeof ZQuietHours>;
export const ZSlug = z.string().min(2).max(60).regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lower-case letters, digits and dashes');

export const ZWorkspace = z
  .object({
    id: ZWorkspaceId,
    name: z.string(),
    slug: z.string(),
    timezone: z.string(),
    locale: z.string(),
    pointsLabel: z.string(),
    anonymityThreshold: z.number().int(),
    pointsExpireMonths: z.number().int().nullable().describe('points expire this many months after they were earned; null: never'),
    brandColor: z.string().nullable().describe('the header colour of emails (#rrggbb); null: Tandem blue'),
    logoUrl: z.string().nullable().describe('a logo shown at the top of emails'),
    quietHours: ZQuietHours.nullable().describe('quiet hours for participants who set none of their own; null: none'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Workspace' });
export type TWorkspace = z.infer<typeof ZWorkspace>;

export const ZCreateWorkspace = z
  .object({
    name: z.string().trim().min(1).max(120),
    slug: ZSlug.optional(),
    timezone: ZTimezone.default('UTC'),
    locale: z.string().min(2).max(20).default('en'),
    pointsLabel: z.string().trim().min(1).max(30).default('points'),
    anonymityThreshold: z.number().int().min(3).max(100).default(5),
    pointsExpireMonths: z.number().int().min(1).max(120).nullable().default(null),
  })
  .strict();
export type TCreateWorkspace = z.input<typeof ZCreateWorkspace>;

export const ZUpdateWorkspace = z
  .object({
    name: z.string().trim().min(1).max(120),
    timezone: ZTimezone,
    locale: z.string().min(2).max(20),
    pointsLabel: z.string().trim().min(1).max(30),
    anonymityThreshold: z.number().int().min(3).max(100),
    pointsExpireMonths: z.number().int().min(1).max(120).nullable(),
    brandColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour as #rrggbb').nullable(),
    logoUrl: z.url({ protocol: /^https?$/, error: 'an http(s) URL of an image' }).max(2000).nullable(),
    quietHours: ZQuietHours.nullable(),
  })
  .partial()
  .strict();
export type TUpdateWorkspace = z.infer<typeof ZUpdateWorkspace>;
