import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Permission } from '../../core/auth.js';
import { BATCH_BODY_LIMIT, plainJson } from '../../core/http/server.js';
import { pageOf } from '../../core/http/pagination.js';
import type { PeopleService, Resource } from './people.service.js';
import * as S from './people.schema.js';

interface ResourceRoutes {
  resource: Resource;
  tag: string;
  read: Permission;
  item: z.ZodType;
  query: z.ZodType;
  create: z.ZodObject;
  upsert: z.ZodObject;
  patch: z.ZodType;
  idParam: z.ZodType;
  removeSummary: string;
}

const RESOURCES: ResourceRoutes[] = [
  { resource: 'teams', tag: 'teams', read: 'org.read', item: S.ZTeam, query: S.ZTeamQuery, create: S.ZCreateTeam, upsert: S.ZUpsertTeam, patch: S.ZPatchTeam, idParam: S.ZTeamId, removeSummary: 'Delete an empty team (409 while it has members or sub-teams)' },
  { resource: 'people', tag: 'people', read: 'people.read', item: S.ZPerson, query: S.ZPersonQuery, create: S.ZCreatePerson, upsert: S.ZUpsertPerson, patch: S.ZPatchPerson, idParam: S.ZPersonId, removeSummary: 'Deactivate a person (their history stays)' },
  { resource: 'accounts', tag: 'accounts', read: 'org.read', item: S.ZAccount, query: S.ZAccountQuery, create: S.ZCreateAccount, upsert: S.ZUpsertAccount, patch: S.ZPatchAccount, idParam: S.ZAccountId, removeSummary: 'Deactivate an account' },
  { resource: 'assignments', tag: 'assignments', read: 'people.read', item: S.ZAssignment, query: S.ZAssignmentQuery, create: S.ZCreateAssignment, upsert: S.ZUpsertAssignment, patch: S.ZPatchAssignment, idParam: S.ZAssignmentId, removeSummary: 'Delete an assignment' },
];

export const peopleRoutes = (people: PeopleService): FastifyPluginAsyncZod => async (app) => {
  for (const r of RESOURCES) {
    const base = `/api/v1/${r.resource}`;
    const params = z.object({ id: z.string().max(60) }).strict();
    const extParams = z.object({ externalId: S.ZExternalId }).strict();
    const tags = [r.tag];

    app.get(base, {
      config: { access: r.read },
      schema: { tags, summary: `List ${r.resource} (filter, search with q, page with cursor)`, querystring: r.query, response: { 200: pageOf(r.item) } },
    }, async (req) => people.list(req.auth, r.resource, req.query as never));

    app.post(base, {
      config: { access: 'org.write' },
      schema: { tags, summary: `Create one of ${r.resource}`, body: r.create, response: { 201: r.item } },
    }, async (req, reply) => reply.code(201).send(await people.create(req.auth, r.resource, req.body)));

    app.post(`${base}/batch`, {
      bodyLimit: BATCH_BODY_LIMIT,
      serializerCompiler: plainJson,
      config: { access: 'org.write' },
      schema: {
        tags,
        summary: `Upsert up to 1,000 ${r.resource} by external id; one result per item, not atomic`,
        body: z.object({ items: z.array(r.upsert.extend({ externalId: S.ZExternalId })).min(1).max(1000) }).strict(),
        response: { 200: S.ZBatchResult },
      },
    }, async (req) => people.batch(req.auth, r.resource, req.body.items));

    app.put(`${base}/by-external-id/:externalId`, {
      config: { access: 'org.write' },
      schema: { tags, summary: 'Create or replace by external id', params: extParams, body: r.upsert, response: { 200: r.item, 201: r.item } },
    }, async (req, reply) => {
      const out = await people.put(req.auth, r.resource, req.params.externalId, req.body);
      return reply.code(out.created ? 201 : 200).send(out.item);
    });

    app.get(`${base}/:id`, {
      config: { access: r.read },
      schema: { tags, params, response: { 200: r.item } },
    }, async (req) => people.get(req.auth, r.resource, req.params.id));

    app.patch(`${base}/:id`, {
      config: { access: 'org.write' },
      schema: { tags, summary: 'Change some fields (attributes merge; an attribute set to null is removed)', params, body: r.patch, response: { 200: r.item } },
    }, async (req) => people.patch(req.auth, r.resource, req.params.id, req.body as Record<string, unknown>));

    app.delete(`${base}/:id`, {
      config: { access: 'org.write' },
      schema: { tags, summary: r.removeSummary, params, response: { 200: r.item, 204: z.null() } },
    }, async (req, reply) => {
      const out = await people.remove(req.auth, r.resource, req.params.id);
      return out.deleted ? reply.code(204).send(null) : reply.code(200).send(out.item);
    });
  }

  app.post('/api/v1/people/:id/erase', {
    config: { access: 'people.erase' },
    schema: { tags: ['people'], summary: 'Erase a person’s personal data (id and history stay)', params: z.object({ id: z.string().max(60) }).strict(), response: { 200: S.ZPerson } },
  }, async (req) => (await people.erase(req.auth, req.params.id)) as never);

  app.get('/api/v1/me', {
    config: { access: 'self' },
    schema: { tags: ['people'], summary: 'The caller’s own person, team and account', response: { 200: S.ZMe } },
  }, async (req) => (await people.me(req.auth)) as never);

  app.post('/api/v1/import/:kind', {
    bodyLimit: BATCH_BODY_LIMIT,
    config: { access: 'org.write', csv: true },
    schema: {
      tags: ['import'],
      summary: 'Import a CSV file (Content-Type: text/csv); a report per row',
      params: z.object({ kind: S.ZImportKind }).strict(),
      consumes: ['text/csv'],
      body: z.string().max(BATCH_BODY_LIMIT),
      response: { 200: S.ZImportResult },
    },
  }, async (req) => people.importCsv(req.auth, req.params.kind, req.body));
};
