import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { pageOf } from '../../core/http/pagination.js';
import type { SurveysService } from './surveys.service.js';
import type { TakingService } from './taking.service.js';
import type { TriggersService } from './triggers.service.js';
import { ZPublicLinkStart, ZSurveyTrigger, ZSurveyTriggerInput } from './reports.schema.js';
import { ZAudienceSize, ZCreateSurvey, ZRemindResult, ZReplaceQuestions, ZSaveAnswers, ZSubmitted, ZSurvey, ZSurveyIdParam, ZSurveysQuery, ZSurveyTemplate, ZTaking, ZTokenParam, ZUpdateSurvey } from './surveys.schema.js';

export const surveysRoutes = (surveys: SurveysService): FastifyPluginAsyncZod => async (app) => {
  const tags = ['surveys'];
  const manage = { access: 'surveys.manage' as const };
  const read = { access: 'surveys.read' as const };
  app.get('/api/v1/survey-templates', {
    config: read,
    schema: { tags, summary: 'The survey templates written for Tandem: engagement, eNPS pulse, customer NPS, support CSAT, partner satisfaction', response: { 200: z.object({ data: z.array(ZSurveyTemplate) }) } },
  }, async (req) => surveys.templates(req.auth));
  app.post('/api/v1/surveys', {
    config: manage,
    schema: { tags, summary: 'Create a draft survey, from a template or from scratch', body: ZCreateSurvey, response: { 201: ZSurvey } },
  }, async (req, reply) => reply.code(201).send(await surveys.create(req.auth, req.body)));
  app.get('/api/v1/surveys', {
    config: read,
    schema: { tags, summary: 'Surveys, newest first, with their response counts', querystring: ZSurveysQuery, response: { 200: pageOf(ZSurvey) } },
  }, async (req) => surveys.list(req.auth, req.query));
  app.get('/api/v1/surveys/:id', {
    config: read,
    schema: { tags, params: ZSurveyIdParam, response: { 200: ZSurvey } },
  }, async (req) => surveys.get(req.auth, req.params.id));
  app.patch('/api/v1/surveys/:id', {
    config: manage,
    schema: { tags, summary: 'Change a survey; once open only title, description and closesAt (409 otherwise)', params: ZSurveyIdParam, body: ZUpdateSurvey, response: { 200: ZSurvey } },
  }, async (req) => surveys.update(req.auth, req.params.id, req.body));
  app.put('/api/v1/surveys/:id/questions', {
    config: manage,
    schema: { tags, summary: 'Replace the questions of a draft (locked once open: 409)', params: ZSurveyIdParam, body: ZReplaceQuestions, response: { 200: ZSurvey } },
  }, async (req) => surveys.replaceQuestions(req.auth, req.params.id, req.body.questions));
  app.post('/api/v1/surveys/:id/open', {
    config: manage,
    schema: { tags, summary: 'Open a draft: lock its questions and invite its audience (inbox and email, one single-use link each)', params: ZSurveyIdParam, response: { 200: ZSurvey } },
  }, async (req) => surveys.open(req.auth, req.params.id));
  app.post('/api/v1/surveys/:id/close', {
    config: manage,
    schema: { tags, summary: 'Close an open survey: no more answers', params: ZSurveyIdParam, response: { 200: ZSurvey } },
  }, async (req) => surveys.close(req.auth, req.params.id));
  app.post('/api/v1/surveys/:id/remind', {
    config: manage,
    schema: { tags, summary: 'Remind those invited who have not answered (their own link again)', params: ZSurveyIdParam, response: { 200: ZRemindResult } },
  }, async (req) => surveys.remind(req.auth, req.params.id));
  app.get('/api/v1/surveys/:id/audience', {
    config: manage,
    schema: { tags, summary: 'How many people its audience holds now: whom opening it would invite', params: ZSurveyIdParam, response: { 200: ZAudienceSize } },
  }, async (req) => surveys.audienceSize(req.auth, req.params.id));
};

/** Taking a survey by its link: public (the token is the credential), throttled per address. */
export const takingRoutes = (taking: TakingService): FastifyPluginAsyncZod => async (app) => {
  const tags = ['survey responses'];
  const pub = { access: 'public' as const };
  app.get('/api/v1/survey-responses/:token', {
    config: pub,
    schema: { tags, summary: 'The survey behind a link: its questions, the answers saved so far and the progress (404 unknown, 410 used, 409 closed or not open)', params: ZTokenParam, response: { 200: ZTaking }, security: [] },
  }, async (req, reply) => {
    reply.header('cache-control', 'no-store');
    return taking.get(req.params.token, req.ip);
  });
  app.put('/api/v1/survey-responses/:token', {
    config: pub,
    schema: { tags, summary: 'Save answers so far (merged with what was saved; null clears one): resume later', params: ZTokenParam, body: ZSaveAnswers, response: { 200: ZTaking }, security: [] },
  }, async (req) => taking.save(req.params.token, req.body.answers, req.ip));
  app.post('/api/v1/survey-responses/:token/submit', {
    config: pub,
    schema: { tags, summary: 'Submit: the saved answers with any given here, each checked against its question (400 naming it); the link then answers 410', params: ZTokenParam, body: ZSaveAnswers.partial().nullish(), response: { 200: ZSubmitted }, security: [] },
  }, async (req) => taking.submit(req.params.token, req.body?.answers, req.ip));
  app.post('/api/v1/survey-links/:linkToken/start', {
    config: pub,
    schema: { tags, summary: "Start answering an anonymous survey by its public link: a fresh single-use token for the routes above (404 unknown or switched off, 409 not open or closed, 429 too many starts from one address)", params: ZLinkTokenParam, response: { 200: ZPublicLinkStart }, security: [] },
  }, async (req, reply) => {
    reply.header('cache-control', 'no-store');
    return taking.start(req.params.linkToken, req.ip);
  });
};

const ZLinkTokenParam = z.object({ linkToken: ZTokenParam.shape.token }).strict();
const ZTriggerParams = ZSurveyIdParam.extend({ triggerId: z.string().regex(/^svt_[0-9a-z]{26}$/, 'must be a trigger id (svt_…)') }).strict();

/** Event triggers of a survey: when an event arrives, invite its contact (identified and confidential surveys). */
export const triggersRoutes = (triggers: TriggersService): FastifyPluginAsyncZod => async (app) => {
  const tags = ['surveys'];
  app.post('/api/v1/surveys/:id/triggers', {
    config: { access: 'surveys.manage' },
    schema: { tags, summary: 'Send this survey when an event arrives: to a contact, after a delay, at most once per contact per oncePerDays (400 for anonymous surveys, naming sendTo)', params: ZSurveyIdParam, body: ZSurveyTriggerInput, response: { 201: ZSurveyTrigger } },
  }, async (req, reply) => reply.code(201).send(await triggers.create(req.auth, req.params.id, req.body)));
  app.get('/api/v1/surveys/:id/triggers', {
    config: { access: 'surveys.read' },
    schema: { tags, summary: "The survey's event triggers, with how many invitations each sent", params: ZSurveyIdParam, response: { 200: z.object({ data: z.array(ZSurveyTrigger) }) } },
  }, async (req) => triggers.list(req.auth, req.params.id));
  app.delete('/api/v1/surveys/:id/triggers/:triggerId', {
    config: { access: 'surveys.manage' },
    schema: { tags, summary: 'Stop a trigger (invitations already sent stay)', params: ZTriggerParams, response: { 204: z.null() } },
  }, async (req, reply) => {
    await triggers.remove(req.auth, req.params.id, req.params.triggerId);
    return reply.code(204).send(null);
  });
};
