// The participant channels (see docs/messages.md): the inbox, sent mail and message templates.
import { api, request } from './client';
import type { Page, QuietHours } from './types';

const V1 = '/api/v1';
const enc = encodeURIComponent;

export type MessageType = 'points.awarded' | 'goal.tier_reached' | 'program.launch' | 'program.progress' | 'program.ending_reminder' | 'program.announcement' | 'cadence.below_target' | 'digest'
  // rewards (issue #6)
  | 'rewards.codes_low';
export const MESSAGE_TYPE_LABELS: Record<MessageType, string> = {
  'points.awarded': 'Points earned',
  'goal.tier_reached': 'Goal tier reached',
  'program.launch': 'Program launch',
  'program.progress': 'Progress statement',
  'program.ending_reminder': 'Program ending reminder',
  'program.announcement': 'Program announcement',
  'cadence.below_target': 'Cadence alert (to managers)',
  'rewards.codes_low': 'Low code stock (to reward managers)',
  digest: 'Digest',
};

export interface InboxMessage {
  id: string;
  type: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  read: boolean;
  readAt: string | null;
  createdAt: string;
}
export type InboxPage = Page<InboxMessage> & { unread: number };

export interface SentMail {
  id: string;
  type: string;
  personId: string;
  to: string;
  subject: string;
  status: 'pending' | 'sent' | 'stored' | 'dead';
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
  /** held by the person's quiet hours until then */
  sendAfter?: string | null;
  text?: string;
  html?: string;
}

export interface TemplateParts {
  subject: string;
  text: string;
  html: string;
}
export interface MessageTemplate extends TemplateParts {
  type: MessageType;
  locale: string;
  overridden: boolean;
  variables: { name: string; description: string }[];
  defaults: TemplateParts;
}
export interface TemplatePreview {
  type: MessageType;
  locale: string;
  subject: string;
  inboxTitle: string;
  inboxBody: string;
  text: string;
  html: string;
  sample: Record<string, string>;
}

export const inboxApi = {
  list: (q: { limit?: number; cursor?: string; unread?: boolean }) => api.get<InboxPage>(`${V1}/me/inbox`, { limit: q.limit, cursor: q.cursor, unread: q.unread ? 'true' : undefined }),
  unread: () => api.get<{ unread: number }>(`${V1}/me/inbox/unread-count`),
  read: (id: string) => api.post<InboxMessage>(`${V1}/me/inbox/${enc(id)}/read`, {}),
  readAll: () => api.post<{ marked: number; unread: number }>(`${V1}/me/inbox/read-all`, {}),
};

export const sentMailApi = {
  list: (q: { limit?: number; cursor?: string }) => api.get<Page<SentMail>>(`${V1}/sent-mail`, { ...q }),
  get: (id: string) => api.get<SentMail>(`${V1}/sent-mail/${enc(id)}`),
};

export const templatesApi = {
  list: (locale = 'en') => api.get<{ data: MessageTemplate[] }>(`${V1}/message-templates`, { locale }),
  put: (type: MessageType, body: TemplateParts & { locale: string }) => request<MessageTemplate>('PUT', `${V1}/message-templates/${enc(type)}`, { json: body }),
  reset: (type: MessageType, locale = 'en') => request<MessageTemplate>('DELETE', `${V1}/message-templates/${enc(type)}`, { query: { locale } }),
  preview: (type: MessageType, body: Partial<TemplateParts> & { locale: string }) => api.post<TemplatePreview>(`${V1}/message-templates/${enc(type)}/preview`, body),
};

export type Frequency = 'immediate' | 'daily' | 'weekly';
export interface TypePreference {
  type: Exclude<MessageType, 'digest'>;
  label: string;
  inbox: boolean;
  email: boolean;
  frequency: Frequency;
}
export interface NotificationPreferences {
  personId: string;
  hasEmail: boolean;
  timezone: string;
  quietHoursSetting: 'workspace' | 'custom' | 'off';
  quietHours: QuietHours | null;
  workspaceQuietHours: QuietHours | null;
  digestEmail: boolean;
  digestHour: number;
  pendingDigestItems: number;
  types: TypePreference[];
}
export interface PutNotificationPreferences {
  quietHoursSetting?: NotificationPreferences['quietHoursSetting'];
  quietHours?: QuietHours;
  digestEmail?: boolean;
  types?: (Pick<TypePreference, 'type'> & Partial<Omit<TypePreference, 'type' | 'label'>>)[];
}

export const preferencesApi = {
  get: () => api.get<NotificationPreferences>(`${V1}/me/notification-preferences`),
  put: (body: PutNotificationPreferences) => request<NotificationPreferences>('PUT', `${V1}/me/notification-preferences`, { json: body }),
};
