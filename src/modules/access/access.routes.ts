import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { SESSION_COOKIE } from '../../core/http/server.js';
import { pageOf, ZPageQuery } from '../../core/http/pagination.js';
import { ZCreateWorkspace, ZWorkspace } from '../workspaces/index.js';
import type { AccessService } from './access.service.js';
import { ZApiKey, ZCreateApiKey, ZCreatedApiKey, ZCreatedUser, ZCreateUser, ZSession, ZSignIn, ZSwitchWorkspace, ZUpdateUser, ZUser, ZUserIdParam } from './access.schema.js';

export const accessRoutes = (access: AccessService, opts: { secureCookies: boolean }): FastifyPluginAsyncZod => async (app) => {
  const cookieOpts = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: opts.secureCookies };

  app.post('/api/v1/session', {
    config: { access: 'public' },
    schema: { tags: ['session'], summary: 'Sign in with email and password (sets the session cookie)', body: ZSignIn, response: { 204: z.null() } },
  }, async (req, reply) => {
    const s = await access.signIn(req.body, req.ip);
    reply.setCookie(SESSION_COOKIE, s.token, { ...cookieOpts, maxAge: s.maxAgeSeconds });
    return reply.code(204).send(null);
  });

  app.get('/api/v1/session', {
    config: { access: 'self' },
    schema: { tags: ['session'], summary: 'Who is calling: user, workspace, role, CSRF token for unsafe requests', response: { 200: ZSession } },
  }, async (req) => access.describe(req.auth));

  app.delete('/api/v1/session', {
    config: { access: 'self' },
    schema: { tags: ['session'], summary: 'Sign out', response: { 204: z.null() } },
  }, async (req, reply) => {
    await access.signOut(req.auth);
    reply.clearCookie(SESSION_COOKIE, cookieOpts);
    return reply.code(204).send(null);
  });

  app.post('/api/v1/session/sign-out-everywhere', {
    config: { access: 'self' },
    schema: { tags: ['session'], summary: 'End every session of the signed-in user', response: { 204: z.null() } },
  }, async (req, reply) => {
    await access.signOutEverywhere(req.auth);
    reply.clearCookie(SESSION_COOKIE, cookieOpts);
    return reply.code(204).send(null);
  });

  app.post('/api/v1/session/workspace', {
    config: { access: 'self' },
    schema: { tags: ['session'], summary: 'Switch the session to another of the user’s workspaces', body: ZSwitchWorkspace, response: { 200: ZSession } },
  }, async (req) => access.switchWorkspace(req.auth, req.body.workspaceId));

  app.post('/api/v1/workspaces', {
    config: { access: 'self' },
    schema: { tags: ['workspace'], summary: 'Create a workspace (instance owners)', body: ZCreateWorkspace, response: { 201: ZWorkspace } },
  }, async (req, reply) => reply.code(201).send(await access.createWorkspace(req.auth, req.body)));

  app.get('/api/v1/users', {
    config: { access: 'users.manage' },
    schema: { tags: ['users'], summary: 'Members of this workspace', querystring: ZPageQuery.strict(), response: { 200: pageOf(ZUser) } },
  }, async (req) => access.listUsers(req.auth, req.query));
  app.post('/api/v1/users', {
    config: { access: 'users.manage' },
    schema: { tags: ['users'], summary: 'Add a user (a generated password is answered once)', body: ZCreateUser, response: { 201: ZCreatedUser } },
  }, async (req, reply) => reply.code(201).send(await access.createUser(req.auth, req.body)));
  app.get('/api/v1/users/:id', {
    config: { access: 'users.manage' },
    schema: { tags: ['users'], params: ZUserIdParam, response: { 200: ZUser } },
  }, async (req) => access.getUser(req.auth, req.params.id));
  app.patch('/api/v1/users/:id', {
    config: { access: 'users.manage' },
    schema: { tags: ['users'], params: ZUserIdParam, body: ZUpdateUser, response: { 200: ZUser } },
  }, async (req) => access.updateUser(req.auth, req.params.id, req.body));
  app.delete('/api/v1/users/:id', {
    config: { access: 'users.manage' },
    schema: { tags: ['users'], summary: 'Remove the user from this workspace', params: ZUserIdParam, response: { 204: z.null() } },
  }, async (req, reply) => {
    await access.removeUser(req.auth, req.params.id);
    return reply.code(204).send(null);
  });

  app.get('/api/v1/api-keys', {
    config: { access: 'keys.manage' },
    schema: { tags: ['api-keys'], querystring: ZPageQuery.strict(), response: { 200: pageOf(ZApiKey) } },
  }, async (req) => access.listKeys(req.auth, req.query));
  app.post('/api/v1/api-keys', {
    config: { access: 'keys.manage' },
    schema: { tags: ['api-keys'], summary: 'Create a key (answered once)', body: ZCreateApiKey, response: { 201: ZCreatedApiKey } },
  }, async (req, reply) => reply.code(201).send(await access.createKey(req.auth, req.body)));
  app.get('/api/v1/api-keys/:id', {
    config: { access: 'keys.manage' },
    schema: { tags: ['api-keys'], params: ZUserIdParam, response: { 200: ZApiKey } },
  }, async (req) => access.getKey(req.auth, req.params.id));
  app.delete('/api/v1/api-keys/:id', {
    config: { access: 'keys.manage' },
    schema: { tags: ['api-keys'], summary: 'Revoke a key', params: ZUserIdParam, response: { 200: ZApiKey } },
  }, async (req) => access.revokeKey(req.auth, req.params.id));
};
