import { z } from 'zod';
import path from 'node:path';
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const ZEnv = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  TANDEM_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL (leave unset for SQLite)')
    .optional(),
  TANDEM_DEMO: z.enum(['0', '1']).default('1'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  TANDEM_PUBLIC_URL: z.url().optional(),
  TANDEM_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  NODE_ENV: z.string().optional(),
  TANDEM_OUTBOX_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(7),
  TANDEM_WEBHOOK_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  SMTP_URL: z
    .string()
    .refine((v) => {
      try {
        return ['smtp:', 'smtps:'].includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, 'must be an smtp:// or smtps:// URL (leave unset to keep emails in the database)')
    .optional(),
  MAIL_FROM: z
    .string()
    .regex(/^(?:[^<>]*<[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)$/, 'must be an address or "Name <address>"')
    .default('Tandem <notifications@tandem.invalid>'),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  dialect: 'sqlite' | 'postgres';
  demo: boolean;
  logLevel: (typeof LOG_LEVELS)[number];
  publicUrl: string;
  production: boolean;
  /** TANDEM_SECRET; when absent, resolveSecret() generates one into the data folder (SQLite only) */
  secret: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  /** days a delivered or discarded outbox row is kept (TANDEM_OUTBOX_RETENTION_DAYS, default 7) */
  outboxRetentionDays: number;
  /** days a settled webhook delivery and its attempts are kept (TANDEM_WEBHOOK_LOG_RETENTION_DAYS, default 30) */
  webhookLogRetentionDays: number;
}

export class ConfigError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(issues.map((i) => `${i.variable}: ${i.message}`).join('; '));
  }
}

/** Reads the environment once; a wrong value throws ConfigError naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = ZEnv.safeParse(clean);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ variable: String(i.path[0]), message: i.message })),
    );
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.TANDEM_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    dialect: e.DATABASE_URL ? 'postgres' : 'sqlite',
    demo: e.TANDEM_DEMO === '1',
    logLevel: e.LOG_LEVEL,
    publicUrl: (e.TANDEM_PUBLIC_URL ?? `http://${e.HOST}:${e.PORT}`).replace(/\/$/, ''),
    production: e.NODE_ENV === 'production',
    secret: e.TANDEM_SECRET,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    outboxRetentionDays: e.TANDEM_OUTBOX_RETENTION_DAYS,
    webhookLogRetentionDays: e.TANDEM_WEBHOOK_LOG_RETENTION_DAYS,
  };
}

/**
 * The secret that signs links (unsubscribe) and seals webhook secrets: TANDEM_SECRET, or for a single SQLite process one
 * generated once into the data folder. Processes on several machines sharing PostgreSQL must
 * share it, so in production with PostgreSQL it is required; elsewhere (development, one machine)
 * the data folder's file is shared by the processes that use that folder.
 */
export function resolveSecret(c: Pick<Config, 'secret' | 'dialect' | 'dataDir' | 'production'>): string {
  if (c.secret) return c.secret;
  if (c.dialect === 'postgres' && c.production) throw new ConfigError([{ variable: 'TANDEM_SECRET', message: 'required with DATABASE_URL (every process must sign links the same way)' }]);
  const file = path.join(c.dataDir, 'secret');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(c.dataDir, { recursive: true });
    const secret = randomBytes(32).toString('base64url');
    try {
      fs.writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
      return secret;
    } catch {
      return fs.readFileSync(file, 'utf8').trim(); // another process wrote it first
    }
  }
}
