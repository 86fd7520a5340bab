// Comms: delivers the outbox. Signed webhooks (endpoints, fan-out of domain messages, the
// delivery worker with leases, backoff and dead letters, delivery log and replay) and the
// participant channels: the in-app inbox, email over SMTP with one-click unsubscribe, and the
// templates both render. Later: preferences and digests, schedules and cadence.
export { createCommsService, type CommsService } from './webhooks.service.js';
export { webhooksRoutes } from './webhooks.routes.js';
export { notifyRoutes } from './notify.routes.js';
export type { NotifyService } from './notify.service.js';
export { commsMigrations } from './comms.migrations.js';
export { deliveryMigrations } from './delivery.migrations.js';
export type { DeliveryWorker, RunStats, WorkerOptions } from './delivery.worker.js';
