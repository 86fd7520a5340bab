// Access: users and their passwords, workspace memberships and roles, web sessions, API keys.
// authenticate() turns a request into an AuthContext for core's HTTP layer.
export { createAccessService, type AccessService } from './access.service.js';
export { accessRoutes } from './access.routes.js';
export { accessMigrations } from './access.migrations.js';
