// Comms: delivers the outbox. Signed webhooks (endpoints, fan-out of domain messages, the
// delivery worker with leases, backoff and dead letters, delivery log and replay) and the
// participant channels: the in-app inbox, email over SMTP with one-click unsubscribe, and the
// templates both render. Programs' communication plans (plans.*: scheduled messages, run by the
// delivery worker) and the cadence monitor (cadence.service.ts). Later: preferences and digests.
export { createCommsService, type CommsService } from './webhooks.service.js';
export { webhooksRoutes } from './webhooks.routes.js';
export { notifyRoutes } from './notify.routes.js';
export type { NotifyService } from './notify.service.js';
export { commsMigrations } from './comms.migrations.js';
export { deliveryMigrations } from './delivery.migrations.js';
export type { DeliveryWorker, RunStats, WorkerOptions } from './delivery.worker.js';
export { createPlansService, type PlansService } from './plans.service.js';
export { plansRoutes } from './plans.routes.js';
export { plansMigrations } from './plans.migrations.js';
// What another module's own signed deliveries reuse (fulfilment vendors): sealing secrets at
// rest, the signature scheme, the SSRF rules, and the worker's channels.
export { createSecretBox, type SecretBox } from './webhooks.secrets.js';
export { signatureHeader, verifySignature } from './webhooks.signing.js';
export { checkOutboundUrl, guardedLookup, hostOf, isPrivateAddress } from './webhooks.ssrf.js';
export type { Channel } from './delivery.worker.js';
