#!/usr/bin/env node
import fs from 'node:fs';
import { Command, Option } from 'commander';
import { loadConfig, resolveSecret, ConfigError, type Config } from '../core/config.js';
import { AppError } from '../core/errors.js';
import { ROLES, systemContext, type Role } from '../core/auth.js';
import { buildApp, createServices, migrate, openConfiguredDatabase, type Services } from '../app.js';
import { seedDemo, DEMO } from '../demo/demo.seed.js';
import { CSV_COLUMNS } from '../modules/people/index.js';

class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

function config(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(`Invalid configuration: ${err.message}`, 2);
    throw err;
  }
}

/** What the services take from the configuration (the secret is generated once when absent). */
function servicesOptions(c: Config) {
  let secret: string;
  try {
    secret = resolveSecret(c);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(`Invalid configuration: ${err.message}`, 2);
    throw err;
  }
  return { production: c.production, secret, publicUrl: c.publicUrl, smtpUrl: c.smtpUrl, mailFrom: c.mailFrom };
}

/** Opens the database, brings it to the latest schema and hands the services to `fn`. */
async function withServices<T>(fn: (s: Services, c: Config) => Promise<T>): Promise<T> {
  const c = config();
  const database = openConfiguredDatabase(c);
  try {
    await migrate(database);
    return await fn(createServices(database), c);
  } finally {
    await database.close();
  }
}

function print(json: boolean, value: unknown, text: string) {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

const program = new Command('tandem').description('Tandem: engagement for employees, customers and partners').showHelpAfterError();
const json = () => new Option('--json', 'machine-readable output');

program
  .command('serve')
  .description('serve the API and the web app (migrates first; seeds the demo on an empty database)')
  .option('--no-worker', 'do not deliver the outbox in this process (run `tandem worker` instead)')
  .action(async (o: { worker: boolean }) => {
    const c = config();
    const database = openConfiguredDatabase(c);
    await migrate(database);
    const services = createServices(database, undefined, servicesOptions(c));
    let demo: Awaited<ReturnType<typeof seedDemo>> | undefined;
    if (c.demo && (await services.workspaces.list()).length === 0) demo = await seedDemo(services);
    const { app } = await buildApp(services, c);
    await app.listen({ port: c.port, host: c.host });
    const tidy = () => services.housekeeping().catch((err: unknown) => app.log.warn({ err }, 'housekeeping failed'));
    void tidy();
    setInterval(() => void tidy(), 3600_000).unref();
    // Points expiry: at start and then daily (a run that finds nothing due posts nothing).
    const expire = async () => {
      for (const w of await services.workspaces.list()) await services.ledger.expire(w.id);
    };
    const expireSafely = () => expire().catch((err: unknown) => app.log.warn({ err }, 'points expiry failed'));
    void expireSafely();
    setInterval(() => void expireSafely(), 24 * 3600_000).unref();
    // Goal periods whose late-event days have passed are closed, at start and then daily.
    const closeGoals = async () => {
      for (const w of await services.workspaces.list()) await services.programs.goals.closeDue(systemContext(w.id));
    };
    const closeGoalsSafely = () => closeGoals().catch((err: unknown) => app.log.warn({ err }, 'closing goal periods failed'));
    void closeGoalsSafely();
    setInterval(() => void closeGoalsSafely(), 24 * 3600_000).unref();
    // The outbox's delivery worker (webhooks), unless it runs as its own process.
    const retention = { outboxDays: c.outboxRetentionDays, deliveryLogDays: c.webhookLogRetentionDays };
    const worker = o.worker ? services.comms.worker({ retention, onError: (err) => app.log.warn({ err }, 'outbox delivery failed') }) : undefined;
    const delivering = worker?.start();
    const url = `http://${c.host}:${c.port}`;
    process.stdout.write(`\nTandem is running at ${url}  (database: ${c.dialect})\n`);
    if (demo?.created) process.stdout.write(`Demo workspace "${DEMO.name}" created. Sign in as ${DEMO.admin} / ${DEMO.password}\n  (also ${DEMO.manager} and ${DEMO.participant}, same password)\n`);
    process.stdout.write(`API docs: ${url}/api/docs\n\n`);
    const stop = async () => {
      await delivering?.stop();
      await worker?.close();
      await app.close();
      await database.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  });

program
  .command('worker')
  .description('deliver the outbox (webhooks) until SIGINT or SIGTERM; several may run on one PostgreSQL')
  .option('--concurrency <n>', 'requests in flight per batch', (v) => Number.parseInt(v, 10), 32)
  .option('--lease-ms <ms>', 'how long a claim holds before another worker may take the message', (v) => Number.parseInt(v, 10), 300_000)
  .addOption(json())
  .action(async (o: { concurrency: number; leaseMs: number; json?: boolean }) => {
    if (!(o.concurrency >= 1 && o.concurrency <= 1000)) throw new CliError('--concurrency must be between 1 and 1000');
    if (!(o.leaseMs >= 1000)) throw new CliError('--lease-ms must be at least 1000');
    const c = config();
    const database = openConfiguredDatabase(c);
    await migrate(database);
    const services = createServices(database, undefined, servicesOptions(c));
    const worker = services.comms.worker({ retention: { outboxDays: c.outboxRetentionDays, deliveryLogDays: c.webhookLogRetentionDays }, concurrency: o.concurrency, leaseMs: o.leaseMs, timeoutMs: Math.min(10_000, Math.floor(o.leaseMs / 2)), onError: (err) => process.stderr.write(`outbox delivery failed: ${err instanceof Error ? err.message : String(err)}\n`) });
    const running = worker.start();
    print(!!o.json, { worker: worker.workerId, database: c.dialect, started: true }, `Worker ${worker.workerId} delivering the outbox (database: ${c.dialect})`);
    const stop = async () => {
      await running.stop();
      await worker.close();
      await database.close();
      print(!!o.json, { worker: worker.workerId, stopped: true, ...running.total }, `Worker ${worker.workerId} stopped: ${running.total.delivered} delivered, ${running.total.failed} failed attempts, ${running.total.dead} dead letters`);
      process.exit(0);
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  });

program
  .command('migrate')
  .description('bring the database schema to the latest version')
  .addOption(json())
  .action(async (o: { json?: boolean }) => {
    const c = config();
    const database = openConfiguredDatabase(c);
    try {
      const applied = await migrate(database);
      print(!!o.json, { applied, database: c.dialect }, applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'The database is up to date');
    } finally {
      await database.close();
    }
  });

const workspace = program.command('workspace').description('workspaces (tenants)');
workspace
  .command('create')
  .requiredOption('--name <name>', 'display name')
  .option('--slug <slug>', 'short name used in URLs and on the CLI')
  .option('--timezone <tz>', 'IANA time zone', 'UTC')
  .addOption(json())
  .action(async (o: { name: string; slug?: string; timezone: string; json?: boolean }) =>
    withServices(async (s) => {
      const ws = await s.workspaces.create({ name: o.name, slug: o.slug, timezone: o.timezone });
      print(!!o.json, ws, `Created workspace ${ws.name} (${ws.slug}) ${ws.id}`);
    }),
  );
workspace
  .command('list')
  .addOption(json())
  .action(async (o: { json?: boolean }) =>
    withServices(async (s) => {
      const list = await s.workspaces.list();
      print(!!o.json, list, list.length ? list.map((w) => `${w.id}  ${w.slug.padEnd(20)}  ${w.name}`).join('\n') : 'No workspaces yet');
    }),
  );

const roleOption = () => new Option('--role <role>', 'role in the workspace').choices(ROLES).makeOptionMandatory();

program
  .command('user')
  .description('users')
  .command('create')
  .requiredOption('--workspace <w>', 'workspace id or slug')
  .requiredOption('--email <email>')
  .addOption(roleOption())
  .option('--name <name>')
  .option('--person <personId>', 'link the user to a person (participants see their own data)')
  .option('--instance-owner', 'may create workspaces')
  .addOption(json())
  .action(async (o: { workspace: string; email: string; role: Role; name?: string; person?: string; instanceOwner?: boolean; json?: boolean }) => {
    if (o.role === 'integration') throw new CliError('integration is a role for API keys: use `key create`');
    const password = (await readStdin()) || undefined;
    await withServices(async (s) => {
      const ws = await s.workspaces.resolve(o.workspace);
      const u = await s.access.createUserFromCli(systemContext(ws.id), { email: o.email.toLowerCase(), name: o.name, role: o.role as Exclude<Role, 'integration'>, personId: o.person ?? null, password, instanceOwner: o.instanceOwner });
      const generated = 'generatedPassword' in u ? u.generatedPassword : undefined;
      print(!!o.json, { ...u, workspaceId: ws.id }, `Created user ${u.email} (${u.role}) in ${ws.slug}${generated ? `\nPassword (shown once): ${generated}` : ''}`);
    });
  });

program
  .command('key')
  .description('API keys')
  .command('create')
  .requiredOption('--workspace <w>', 'workspace id or slug')
  .addOption(roleOption())
  .option('--name <name>', 'what the key is for', 'API key')
  .option('--person <personId>', 'for participant keys: the person')
  .addOption(json())
  .action(async (o: { workspace: string; role: Role; name: string; person?: string; json?: boolean }) =>
    withServices(async (s) => {
      const ws = await s.workspaces.resolve(o.workspace);
      const k = await s.access.createKey(systemContext(ws.id), { name: o.name, role: o.role, personId: o.person ?? null });
      print(!!o.json, { id: k.id, key: k.key, role: k.role, workspaceId: k.workspaceId, name: k.name }, `Created key ${k.id} (${k.role}). Store it now, it is not shown again:\n${k.key}`);
    }),
  );

program
  .command('import')
  .description(`import a CSV file; columns: ${Object.entries(CSV_COLUMNS).map(([k, v]) => `${k}: ${v.join(',')}`).join('; ')}`)
  .argument('<kind>', 'teams, people, accounts or assignments')
  .argument('<file>', 'CSV file with a header row')
  .requiredOption('--workspace <w>', 'workspace id or slug')
  .addOption(json())
  .action(async (kind: string, file: string, o: { workspace: string; json?: boolean }) => {
    if (!['teams', 'people', 'accounts', 'assignments'].includes(kind)) throw new CliError(`Unknown kind ${kind}: teams, people, accounts or assignments`);
    if (!fs.existsSync(file)) throw new CliError(`No such file: ${file}`);
    const text = fs.readFileSync(file, 'utf8');
    await withServices(async (s) => {
      const ws = await s.workspaces.resolve(o.workspace);
      const report = await s.people.importCsv(systemContext(ws.id), kind as 'teams', text);
      const lines = report.rows.filter((r) => r.status === 'rejected').map((r) => `  row ${r.row}${r.externalId ? ` (${r.externalId})` : ''}: ${r.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
      const { created, updated, unchanged, rejected } = report.summary;
      print(!!o.json, report, `${created} created, ${updated} updated, ${unchanged} unchanged, ${rejected} rejected${lines.length ? `\n${lines.join('\n')}` : ''}`);
      if (rejected) process.exitCode = 1;
    });
  });

program
  .command('ledger')
  .description('the points ledger')
  .command('verify')
  .description('rebuild every balance from the transfers and compare; exits non-zero on any difference')
  .requiredOption('--workspace <w>', 'workspace id or slug')
  .addOption(json())
  .action(async (o: { workspace: string; json?: boolean }) =>
    withServices(async (s) => {
      const ws = await s.workspaces.resolve(o.workspace);
      const v = await s.ledger.verify(ws.id);
      print(!!o.json, { workspaceId: ws.id, ...v }, v.ok ? `The ledger of ${ws.slug} verifies: ${v.accounts} accounts, every balance equals its transfers, the sum is 0` : `The ledger of ${ws.slug} does NOT verify:\n${v.problems.map((p) => `  ${p}`).join('\n')}`);
      if (!v.ok) process.exitCode = 1;
    }),
  );

program.commands
  .find((c) => c.name() === 'ledger')!
  .command('expire')
  .description('post expiry transfers for every lot past its date (the server also does this daily)')
  .option('--workspace <w>', 'workspace id or slug (default: all)')
  .addOption(json())
  .action(async (o: { workspace?: string; json?: boolean }) =>
    withServices(async (s) => {
      const list = o.workspace ? [await s.workspaces.resolve(o.workspace)] : await s.workspaces.list();
      const out = [];
      for (const w of list) out.push({ workspaceId: w.id, slug: w.slug, ...(await s.ledger.expire(w.id)) });
      print(!!o.json, out, out.map((x) => `${x.slug}: ${x.points} points expired in ${x.wallets} wallet(s)`).join('\n') || 'No workspaces');
    }),
  );

program
  .command('goals')
  .description('goals and their periods')
  .command('close')
  .description('close the goal periods whose late-event days have passed, recording their final figures (the server also does this daily)')
  .option('--workspace <w>', 'workspace id or slug (default: all)')
  .addOption(json())
  .action(async (o: { workspace?: string; json?: boolean }) =>
    withServices(async (s) => {
      const list = o.workspace ? [await s.workspaces.resolve(o.workspace)] : await s.workspaces.list();
      const out = [];
      for (const w of list) out.push({ workspaceId: w.id, slug: w.slug, ...(await s.programs.goals.closeDue(systemContext(w.id))) });
      print(!!o.json, out, out.map((x) => `${x.slug}: ${x.closed.length} goal period(s) closed${x.closed.map((c) => `\n  ${c.goalId} ${c.periodStart.slice(0, 10)}: ${c.reachedTarget} of ${c.subjects} reached the target`).join('')}`).join('\n') || 'No workspaces');
    }),
  );

program
  .command('demo')
  .description('create the demo workspace (if it is not there yet)')
  .addOption(json())
  .action(async (o: { json?: boolean }) =>
    withServices(async (s) => {
      const r = await seedDemo(s);
      print(!!o.json, { workspace: r.workspace, created: r.created, signIn: { email: DEMO.admin, password: DEMO.password } }, r.created ? `Created demo workspace ${r.workspace.slug}. Sign in as ${DEMO.admin} / ${DEMO.password}` : `The demo workspace exists (${r.workspace.id})`);
    }),
  );

program.parseAsync(process.argv).catch((err: unknown) => {
  const json = process.argv.includes('--json');
  let message: string;
  let code = 1;
  let body: unknown;
  if (err instanceof CliError) {
    message = err.message;
    code = err.exitCode;
  } else if (err instanceof AppError) {
    message = err.fieldErrors ? `${err.message} (${err.fieldErrors.map((e) => `${e.path}: ${e.message}`).join('; ')})` : err.message;
    body = { code: err.code, detail: err.message, errors: err.fieldErrors };
  } else if (err instanceof Error && err.name === 'ZodError') {
    message = `Invalid input: ${err.message}`;
  } else {
    message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  }
  process.stderr.write(json ? `${JSON.stringify(body ?? { error: message })}\n` : `error: ${message}\n`);
  process.exit(code);
});
