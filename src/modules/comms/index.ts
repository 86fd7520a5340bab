// Comms: delivers the outbox. Today, signed webhooks: endpoints, fan-out of domain messages,
// the delivery worker (leases, backoff, dead letters), delivery log and replay. Later: inbox,
// email, templates, preferences, schedules and cadence.
export { createCommsService, type CommsService } from './webhooks.service.js';
export { webhooksRoutes } from './webhooks.routes.js';
export { commsMigrations } from './comms.migrations.js';
export type { DeliveryWorker, RunStats, WorkerOptions } from './delivery.worker.js';
