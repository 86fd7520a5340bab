// Surveys: definitions (questions locked once open), templates, distribution to an audience
// (one single-use link per person, inbox and email through the outbox, reminders) and taking a
// survey by its link, with the privacy modes that decide what a response keeps (issue #7).
export { createSurveysService, type SurveysService } from './surveys.service.js';
export { createTakingService, type TakingService } from './taking.service.js';
export { surveysRoutes, takingRoutes, triggersRoutes } from './surveys.routes.js';
export { createTriggersService, TRIGGER_TOPIC, type TriggersService } from './triggers.service.js';
export { surveysMigrations } from './surveys.migrations.js';
export { createReportsService, type ReportsService } from './reports.service.js';
export { reportsRoutes } from './reports.routes.js';
export { surveySettings, DEFAULT_SURVEY_SETTINGS } from './settings.js';
export { ZCustomerEngagement, type TSurveySettings } from './reports.schema.js';
