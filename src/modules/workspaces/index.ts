// Workspaces: the tenants. Every other table is scoped by a workspace id from here; the
// settings (timezone, points label, anonymity threshold) are read by every other module.
export { createWorkspacesService, type WorkspacesService } from './workspaces.service.js';
export { workspacesRoutes } from './workspaces.routes.js';
export { workspacesMigrations } from './workspaces.migrations.js';
export { ZWorkspace, ZCreateWorkspace, ZSlug, ZQuietHours, type TWorkspace, type TQuietHours } from './workspaces.schema.js';
export { parseQuietHours, formatQuietHours } from './workspaces.service.js';
