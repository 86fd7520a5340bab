// Audit: the record of every admin change (who, what, when, before and after). Other modules
// write to it inside their own transactions through record(); owners and admins read it.
export { createAuditService, auditRoutes, auditMigrations, type AuditService, type AuditEntry, type AuditBatchItem } from './audit.js';
