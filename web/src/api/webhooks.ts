// Webhook endpoints, their delivery log, and dead letters (see docs/webhooks.md).
import { api, listAll } from './client';
import type { Page } from './types';

const V1 = '/api/v1';
const enc = encodeURIComponent;

/** The message types an endpoint can subscribe to ('*' for every type). */
export const WEBHOOK_TYPES = ['event.accepted', 'points.awarded', 'goal.tier_reached', 'webhook.disabled'] as const;

export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string;
  eventTypes: string[];
  enabled: boolean;
  allowPrivateNetwork: boolean;
  disabledReason: string | null;
  failingSince: string | null;
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}
export type WebhookEndpointWithSecret = WebhookEndpoint & { secret: string };

export interface WebhookDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: 'pending' | 'delivered' | 'dead' | 'discarded';
  attempts: { attempt: number; statusCode: number | null; durationMs: number; error: string | null; at: string }[];
  replayOf: string | null;
  createdAt: string;
}

export interface DeadLetter {
  id: string;
  type: string;
  payload: unknown;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  deadAt: string | null;
}

export const webhooksApi = {
  all: () => listAll<WebhookEndpoint>(`${V1}/webhook-endpoints`),
  create: (body: { url: string; eventTypes: string[]; description?: string }) => api.post<WebhookEndpointWithSecret>(`${V1}/webhook-endpoints`, body),
  update: (id: string, body: Partial<Pick<WebhookEndpoint, 'url' | 'eventTypes' | 'description' | 'enabled'>>) => api.patch<WebhookEndpoint>(`${V1}/webhook-endpoints/${enc(id)}`, body),
  remove: (id: string) => api.del<null>(`${V1}/webhook-endpoints/${enc(id)}`),
  rotate: (id: string) => api.post<WebhookEndpointWithSecret>(`${V1}/webhook-endpoints/${enc(id)}/rotate-secret`),
  deliveries: (id: string, cursor?: string) => api.get<Page<WebhookDelivery>>(`${V1}/webhook-endpoints/${enc(id)}/deliveries`, { limit: 50, cursor }),
  replay: (id: string, deliveryId: string) => api.post<WebhookDelivery>(`${V1}/webhook-endpoints/${enc(id)}/deliveries/${enc(deliveryId)}/replay`),
};

export const deadLettersApi = {
  list: (cursor?: string) => api.get<Page<DeadLetter>>(`${V1}/dead-letters`, { limit: 50, cursor }),
  retry: (id: string) => api.post<DeadLetter>(`${V1}/dead-letters/${enc(id)}/retry`),
  discard: (id: string) => api.del<null>(`${V1}/dead-letters/${enc(id)}`),
};
