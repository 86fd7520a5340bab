import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { WorkspacesService } from './workspaces.service.js';
import { ZUpdateWorkspace, ZWorkspace } from './workspaces.schema.js';

export const workspacesRoutes = (workspaces: WorkspacesService): FastifyPluginAsyncZod => async (app) => {
  app.get('/api/v1/workspace', {
    config: { access: 'workspace.read' },
    schema: { tags: ['workspace'], summary: 'The current workspace', response: { 200: ZWorkspace } },
  }, async (req) => workspaces.get(req.auth.workspaceId));

  app.patch('/api/v1/workspace', {
    config: { access: 'workspace.manage' },
    schema: { tags: ['workspace'], summary: 'Change the current workspace settings', body: ZUpdateWorkspace, response: { 200: ZWorkspace } },
  }, async (req) => workspaces.update(req.auth, req.body));
};
