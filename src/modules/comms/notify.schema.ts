import { z } from 'zod';
import { ZLimit, ZCursor } from '../../core/http/pagination.js';
import { MESSAGE_TYPES, PREFERENCE_TYPES, type PreferenceType } from './messages.templates.js';
import { FREQUENCIES } from './notify.timing.js';
import { ZQuietHours } from '../workspaces/index.js';

export const ZInboxIdParam = z.object({ id: z.string().regex(/^inb_[0-9a-z]{26}$/, 'must be an inbox message id (inb_…)') }).strict();
export const ZPersonIdParam = z.object({ id: z.string().regex(/^per_[0-9a-z]{26}$/, 'must be a person id (per_…)') }).strict();
export const ZEmailIdParam = z.object({ id: z.string().regex(/^eml_[0-9a-z]{26}$/, 'must be an email id (eml_…)') }).strict();
export const ZMessageType = z.enum(MESSAGE_TYPES).describe('a message type participants receive');
export const ZTypeParam = z.object({ type: ZMessageType }).strict();
const ZLocale = z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'a locale such as en or en-GB').describe('a locale such as en or en-GB');
export const ZLocaleQuery = z.object({ locale: ZLocale.default('en') }).strict();

export const ZInboxQuery = z
  .object({ limit: ZLimit, cursor: ZCursor, unread: z.enum(['true', 'false']).optional().transform((v) => v === 'true').describe('only unread messages') })
  .strict();

export const ZInboxMessage = z
  .object({
    id: z.string(),
    type: z.string(),
    title: z.string(),
    body: z.string(),
    data: z.record(z.string(), z.unknown()).describe('what the message was made from: program, points, rule …'),
    read: z.boolean(),
    readAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'InboxMessage' });
export type TInboxMessage = z.infer<typeof ZInboxMessage>;
export const ZInboxPage = z.object({ data: z.array(ZInboxMessage), nextCursor: z.string().nullable(), unread: z.number().int() });
export const ZUnread = z.object({ unread: z.number().int() });
export const ZMarkedAll = z.object({ marked: z.number().int(), unread: z.number().int() });

export const ZSentMail = z
  .object({
    id: z.string(),
    type: z.string(),
    personId: z.string(),
    to: z.string(),
    subject: z.string(),
    status: z.enum(['pending', 'sent', 'stored', 'dead']).describe('stored: kept in the database (no SMTP_URL); sent: accepted by the SMTP server'),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    sentAt: z.string().nullable(),
    sendAfter: z.string().nullable().describe('held by the person’s quiet hours until then'),
    text: z.string().optional(),
    html: z.string().optional(),
  })
  .meta({ id: 'SentMail' });
export type TSentMail = z.infer<typeof ZSentMail>;

const ZSubject = z.string().trim().min(1).max(200);
const ZText = z.string().trim().min(1).max(10_000);
export const ZPutTemplate = z.object({ locale: ZLocale.default('en'), subject: ZSubject, text: ZText, html: ZText }).strict();
export type TPutTemplate = z.infer<typeof ZPutTemplate>;
export const ZPreviewTemplate = z
  .object({ locale: ZLocale.default('en'), subject: ZSubject.optional(), text: ZText.optional(), html: ZText.optional() })
  .strict()
  .describe('a draft to preview; fields left out come from the stored template');
export type TPreviewTemplate = z.infer<typeof ZPreviewTemplate>;

const ZTemplateParts = z.object({ subject: z.string(), text: z.string(), html: z.string() });
export const ZTemplateView = z
  .object({
    type: ZMessageType,
    locale: z.string(),
    subject: z.string(),
    text: z.string(),
    html: z.string().describe('the body of the email; {{variables}} are HTML-escaped'),
    overridden: z.boolean().describe('the workspace changed the default for this locale'),
    variables: z.array(z.object({ name: z.string(), description: z.string() })),
    defaults: ZTemplateParts,
  })
  .meta({ id: 'MessageTemplate' });
export type TTemplateView = z.infer<typeof ZTemplateView>;
export const ZPreview = z.object({
  type: ZMessageType,
  locale: z.string(),
  subject: z.string(),
  inboxTitle: z.string(),
  inboxBody: z.string(),
  text: z.string().describe('the plain-text part of the email'),
  html: z.string().describe('the whole HTML email'),
  sample: z.record(z.string(), z.string()),
});

export const ZUnsubscribeQuery = z.object({ token: z.string().min(1).max(1000) }).strict();
export const ZUnsubscribed = z.object({ unsubscribed: z.literal(true), type: z.string(), label: z.string(), workspaceName: z.string() });

export const ZPreferenceType = z.enum(PREFERENCE_TYPES as [PreferenceType, ...PreferenceType[]]).describe('a message type participants choose for');
export const ZFrequency = z.enum(FREQUENCIES).describe('immediate: each message as it comes; daily or weekly: gathered into one digest (08:00, or Monday 08:00, the participant’s time)');

export const ZTypePreference = z
  .object({
    type: ZPreferenceType,
    label: z.string(),
    inbox: z.boolean().describe('shown in the in-app inbox'),
    email: z.boolean().describe('sent by email (false also after a one-click unsubscribe)'),
    frequency: ZFrequency,
  })
  .meta({ id: 'TypePreference' });

export const ZNotificationPreferences = z
  .object({
    personId: z.string(),
    hasEmail: z.boolean().describe('whether the person has an email address at all'),
    timezone: z.string().describe('the zone quiet hours and digests follow: the person’s, else the workspace’s'),
    quietHoursSetting: z.enum(['workspace', 'custom', 'off']).describe('workspace: the workspace’s quiet hours; custom: the person’s own; off: none'),
    quietHours: ZQuietHours.nullable().describe('the quiet hours that apply now; null: none'),
    workspaceQuietHours: ZQuietHours.nullable(),
    digestEmail: z.boolean().describe('whether digests are also emailed'),
    digestHour: z.number().int().describe('the local hour digests go out'),
    pendingDigestItems: z.number().int().describe('messages waiting for the next digest'),
    types: z.array(ZTypePreference),
  })
  .meta({ id: 'NotificationPreferences' });
export type TNotificationPreferences = z.infer<typeof ZNotificationPreferences>;

export const ZPutNotificationPreferences = z
  .object({
    quietHoursSetting: z.enum(['workspace', 'custom', 'off']).optional(),
    quietHours: ZQuietHours.optional().describe('the person’s own quiet hours; needed with quietHoursSetting custom'),
    digestEmail: z.boolean().optional(),
    types: z
      .array(
        z
          .object({ type: ZPreferenceType, inbox: z.boolean().optional(), email: z.boolean().optional(), frequency: ZFrequency.optional() })
          .strict(),
      )
      .max(PREFERENCE_TYPES.length)
      .refine((xs) => new Set(xs.map((x) => x.type)).size === xs.length, 'each type at most once')
      .optional(),
  })
  .strict()
  .meta({ id: 'PutNotificationPreferences' });
export type TPutNotificationPreferences = z.infer<typeof ZPutNotificationPreferences>;
