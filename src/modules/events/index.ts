// Events: ingestion of behaviour (idempotent by source and id, one transaction per batch),
// the event log, and reversals. It runs the pipeline: resolve → check → store → award.
export { createEventsService, type EventsService } from './events.service.js';
export { eventsRoutes } from './events.routes.js';
export { eventsMigrations } from './events.migrations.js';
