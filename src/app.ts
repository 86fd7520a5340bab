import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import { z } from 'zod';
import type { Migration } from 'kysely';
import type { Config } from './core/config.js';
import { openDatabase, migrateToLatest, type Database } from './core/db/db.js';
import { coreMigrations } from './core/db/migrations.js';
import { createIds } from './core/ids.js';
import { systemClock, type Clock } from './core/clock.js';
import { createOutbox } from './core/outbox.js';
import { systemContext } from './core/auth.js';
import { purgeExpired } from './core/housekeeping.js';
import { createHttpServer } from './core/http/server.js';
import { createAuditService, auditRoutes, auditMigrations } from './modules/audit/index.js';
import { createWorkspacesService, workspacesRoutes, workspacesMigrations } from './modules/workspaces/index.js';
import { createPeopleService, peopleRoutes, peopleMigrations } from './modules/people/index.js';
import { createAccessService, accessRoutes, accessMigrations } from './modules/access/index.js';
import { createLedgerService, ledgerMigrations, ledgerRoutes } from './modules/ledger/index.js';
import { createEngineService, engineMigrations, engineRoutes } from './modules/engine/index.js';
import { createProgramsService, goalsRoutes, programsMigrations, programsRoutes } from './modules/programs/index.js';
import { createEventsService, eventsMigrations, eventsRoutes } from './modules/events/index.js';
import { commsMigrations, createCommsService, createPlansService, deliveryMigrations, notifyRoutes, plansMigrations, plansRoutes, webhooksRoutes } from './modules/comms/index.js';
import { createRedemptionsService, createRewardsService, redemptionsRoutes, rewardsMigrations, rewardsRoutes } from './modules/rewards/index.js';
import { createMoneyService, moneyMigrations, moneyRoutes } from './modules/rewards/index.js';
import { randomToken } from './core/ids.js';
import { createFulfilmentService, fulfilmentMigrations, fulfilmentRoutes } from './modules/rewards/index.js';
import { codesRoutes, createCodesService, providersMigrations } from './modules/rewards/index.js';
import { createVendorsService, vendorsRoutes, VENDOR_TOPIC } from './modules/rewards/index.js';
import { createSurveysService, createTakingService, surveysMigrations, surveysRoutes, takingRoutes } from './modules/surveys/index.js';
import { createReportsService, reportsRoutes, surveySettings } from './modules/surveys/index.js';
import { createTriggersService, triggersRoutes, TRIGGER_TOPIC } from './modules/surveys/index.js';
import { createEngagementService, engagementRoutes } from './modules/engagement/index.js';

export const DEFAULT_MAIL_FROM = 'Tandem <notifications@tandem.invalid>';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
export const WEB_DIR = path.join(ROOT, 'web', 'dist');

export const ALL_MIGRATIONS: Record<string, Migration> = {
  ...coreMigrations,
  ...workspacesMigrations,
  ...auditMigrations,
  ...accessMigrations,
  ...peopleMigrations,
  ...ledgerMigrations,
  ...engineMigrations,
  ...programsMigrations,
  ...eventsMigrations,
  ...commsMigrations,
  ...deliveryMigrations,
  ...plansMigrations,
  ...rewardsMigrations,
  ...moneyMigrations,
  ...providersMigrations,
  ...fulfilmentMigrations,
  ...surveysMigrations,
};

export function openConfiguredDatabase(config: Pick<Config, 'dialect' | 'dataDir' | 'databaseUrl'>): Database {
  return config.dialect === 'postgres'
    ? openDatabase({ dialect: 'postgres', url: config.databaseUrl })
    : openDatabase({ dialect: 'sqlite', file: path.join(config.dataDir, 'tandem.db') });
}

/** The services, wired by hand: the only place that knows every module. */
export interface ServicesOptions {
  production?: boolean;
  /** TANDEM_SECRET (signs unsubscribe links); a random one per process when absent (tests) */
  secret?: string;
  /** TANDEM_PUBLIC_URL: the base of links in emails */
  publicUrl?: string;
  /** SMTP_URL; without it emails are stored */
  smtpUrl?: string;
  /** MAIL_FROM */
  mailFrom?: string;
}

export function createServices(database: Database, clock: Clock = systemClock, opts: ServicesOptions = {}) {
  const db = database.db;
  const ids = createIds(() => clock.now());
  const outbox = createOutbox(ids, () => clock.now());
  // One secret for every process of an installation: it signs links and seals secrets and codes.
  const secret = opts.secret ?? randomToken(32);
  const publicUrl = opts.publicUrl ?? 'http://127.0.0.1:3000';
  const audit = createAuditService({ db, ids, clock });
  const workspaces = createWorkspacesService({ db, ids, clock, audit });
  const people = createPeopleService({ db, ids, clock, audit });
  const access = createAccessService({ db, ids, clock, audit, workspaces, people });
  const ledger = createLedgerService({ db, dialect: database.dialect, ids, clock, audit, workspaces });
  const engine = createEngineService({ db, clock, audit });
  const programs = createProgramsService({ db, ids, clock, audit, engine, ledger, people, workspaces, outbox });
  const events = createEventsService({ db, ids, clock, audit, workspaces, people, engine, programs, ledger, outbox });
  const comms = createCommsService({
    db,
    dialect: database.dialect,
    ids,
    clock,
    audit,
    outbox,
    production: opts.production ?? false,
    notify: { people, programs, workspaces, secret, publicUrl: opts.publicUrl ?? 'http://127.0.0.1:3000', smtpUrl: opts.smtpUrl, mailFrom: opts.mailFrom ?? DEFAULT_MAIL_FROM },
  });
  people.onErase((tx, ws, personId) => comms.notify.scrubPerson(tx, ws, personId));
  const rewards = createRewardsService({ db, ids, clock, audit, people, ledger, workspaces, programs, vendorExists: (ws, id) => vendors.vendorExists(ws, id) });
  people.onErase((tx, ws, personId) => rewards.scrubPerson(tx, ws, personId));
  const redemptions = createRedemptionsService({ db, ids, clock, audit, people, ledger, workspaces, programs });
  const money = createMoneyService({ db, clock, ledger, people, workspaces, programs });
  const codes = createCodesService({ db, dialect: database.dialect, ids, clock, audit, outbox, access, secret, publicUrl });
  redemptions.useProvider('codes', codes.provider);
  const vendors = createVendorsService({ db, ids, clock, audit, outbox, redemptions, secret, publicUrl, production: opts.production ?? false });
  redemptions.useProvider('webhook', vendors.provider);
  comms.deliverWith(VENDOR_TOPIC, vendors.deliver);
  const plans = createPlansService({ db, ids, clock, audit, programs, people, workspaces, ledger, access, publicUrl: opts.publicUrl ?? 'http://127.0.0.1:3000' });
  // Order steps tell the participant and webhooks in their own transaction; late orders are checked by the worker's scheduler.
  const fulfilment = createFulfilmentService({ db, clock, outbox, access, people, workspaces, redemptions, publicUrl: opts.publicUrl ?? 'http://127.0.0.1:3000' });
  redemptions.onStep(
    (tx, change) => fulfilment.announce(tx, change),
    (sqlite, change) => fulfilment.announceSync(sqlite, change),
  );
  comms.scheduleWith(async () => {
    // Both run though one fails; the worker hears of the first failure.
    const failed = (await Promise.allSettled([plans.tick(), fulfilment.tick(), surveys.tick()])).find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  });
  const surveys = createSurveysService({ db, ids, clock, audit, outbox, people, programs, workspaces, secret, publicUrl });
  const taking = createTakingService({ db, ids, clock, workspaces, surveys });
  const surveyReports = createReportsService({ db, clock, audit, people });
  // Event-triggered surveys: ingestion leaves a work item per matching event; the worker invites.
  const eventStatus = (ws: string, id: string) => events.get(systemContext(ws), id).then((e) => e.status as string, () => null);
  const surveyTriggers = createTriggersService({ db, ids, clock, audit, outbox, engine, people, workspaces, surveys, eventStatus });
  events.onAccepted((tx, ws, list) => surveyTriggers.onAccepted(tx, ws, list));
  comms.deliverWith(TRIGGER_TOPIC, (row) => surveyTriggers.handle(row));
  // The customer engagement score; its weights are the workspace's survey settings.
  const engagement = createEngagementService({ clock, people, events, programs, surveys, settings: async (ws) => (await surveySettings(db, ws)).customerScore });
  /** Periodic clean-up of what is kept only for a while (run at start and hourly by serve). */
  const housekeeping = async () => ({ ...(await purgeExpired(db, clock.now())), sessions: await access.purgeExpiredSessions() });
  return { database, db, ids, clock, outbox, audit, workspaces, people, access, ledger, engine, programs, events, comms, plans, rewards, redemptions, fulfilment, codes, vendors, housekeeping, money, surveys, taking, surveyReports, surveyTriggers, engagement };
}
export type Services = ReturnType<typeof createServices>;

export async function migrate(database: Database) {
  return migrateToLatest(database.db, ALL_MIGRATIONS);
}

const ZHealth = z.object({ status: z.enum(['ok', 'unavailable']), database: z.enum(['sqlite', 'postgres']), version: z.string() });

export async function buildApp(services: Services, config: Pick<Config, 'logLevel' | 'publicUrl'>) {
  const { app, routes } = await createHttpServer({
    logLevel: config.logLevel,
    version: VERSION,
    db: services.db,
    now: () => services.clock.now(),
    authenticate: (req) => services.access.authenticate(req),
    webDir: WEB_DIR,
  });
  app.get('/api/health', {
    config: { access: 'public' },
    schema: { tags: ['health'], summary: 'Liveness and database reachability', response: { 200: ZHealth, 503: ZHealth } },
  }, async (_req, reply) => {
    const ok = await services.database.ping();
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', database: services.database.dialect, version: VERSION });
  });
  await app.register(workspacesRoutes(services.workspaces));
  await app.register(accessRoutes(services.access, { secureCookies: config.publicUrl.startsWith('https:') }));
  await app.register(peopleRoutes(services.people));
  await app.register(auditRoutes(services.audit));
  await app.register(engineRoutes(services.engine));
  await app.register(programsRoutes(services.programs));
  await app.register(goalsRoutes(services.programs.goals));
  await app.register(eventsRoutes(services.events));
  await app.register(ledgerRoutes(services.ledger, services.people));
  await app.register(webhooksRoutes(services.comms));
  await app.register(notifyRoutes(services.comms.notify));
  await app.register(rewardsRoutes(services.rewards));
  await app.register(moneyRoutes(services.money));
  await app.register(redemptionsRoutes(services.redemptions));
  await app.register(fulfilmentRoutes(services.fulfilment));
  await app.register(codesRoutes(services.codes));
  await app.register(vendorsRoutes(services.vendors));
  app.addHook('onClose', async () => services.vendors.close());
  await app.register(plansRoutes(services.plans));
  await app.register(surveysRoutes(services.surveys));
  await app.register(takingRoutes(services.taking));
  await app.register(reportsRoutes(services.surveyReports));
  await app.register(triggersRoutes(services.surveyTriggers));
  await app.register(engagementRoutes(services.engagement));
  await app.ready();
  return { app, routes };
}
