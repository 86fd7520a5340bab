import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ReportsService } from './reports.service.js';
import { ZReportQuery, ZSurveyReport, ZSurveySettings } from './reports.schema.js';
import { ZSurveyIdParam } from './surveys.schema.js';

/** The survey report and the workspace survey settings (issue #7). */
export const reportsRoutes = (reports: ReportsService): FastifyPluginAsyncZod => async (app) => {
  const tags = ['surveys'];
  app.get('/api/v1/surveys/:id/report', {
    config: { access: 'surveys.read' },
    schema: {
      tags,
      summary: 'The results of a survey: scores with intervals, engagement split, drivers ranked, distributions, a breakdown, comments and waves; no group below k for anonymous and confidential surveys (a manager sees their own teams only)',
      params: ZSurveyIdParam,
      querystring: ZReportQuery,
      response: { 200: ZSurveyReport },
    },
  }, async (req) => reports.report(req.auth, req.params.id, req.query));
  app.get('/api/v1/survey-settings', {
    config: { access: 'surveys.read' },
    schema: { tags, summary: 'The workspace survey settings: thresholds k and comment k, engagement thresholds, customer engagement score weights', response: { 200: ZSurveySettings } },
  }, async (req) => reports.settings(req.auth));
  app.put('/api/v1/survey-settings', {
    config: { access: 'surveys.manage' },
    schema: { tags, summary: 'Replace the workspace survey settings (weights must sum to 1; activelyDisengagedBelow below engagedAtOrAbove)', body: ZSurveySettings.strict(), response: { 200: ZSurveySettings } },
  }, async (req) => reports.saveSettings(req.auth, req.body));
};
