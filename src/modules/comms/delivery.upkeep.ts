import type { AnyDb } from '../../core/db/db.js';
import type { Clock } from '../../core/clock.js';
import type { CommsRepository } from './comms.repository.js';
import type { SecretBox } from './webhooks.secrets.js';

const DAY = 24 * 3600_000;

/** How long what the worker settled is kept (days). */
export interface Retention {
  /** delivered and discarded outbox rows, after they settled (default 7); dead letters stay until retried or discarded */
  outboxDays: number;
  /** webhook deliveries delivered or discarded, with their attempts, after their last attempt (default 30) */
  deliveryLogDays: number;
}
export const DEFAULT_RETENTION: Retention = { outboxDays: 7, deliveryLogDays: 30 };

export interface UpkeepStats {
  outboxPurged: number;
  deliveriesPurged: number;
  secretsSealed: number;
}

/** Rows deleted per statement: each delete is short, so on SQLite no request waits long for the writer. */
const CHUNK = 2000;

const BASE32 = '0123456789abcdefghjkmnpqrstvwxyz';
/** The smallest id made at `ms` (ids start with 10 characters of milliseconds, core/ids.ts). */
function idAt(prefix: string, ms: number) {
  let out = '';
  let t = Math.max(0, ms);
  for (let i = 0; i < 10; i++) {
    out = BASE32[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return `${prefix}_${out}`;
}

/**
 * What the delivery worker does besides delivering, now and then (start() runs it at start and
 * then hourly): purges what it settled once the retention has passed, and seals endpoint
 * secrets still stored in plain text (from before encryption; they keep working until then).
 */
export function createUpkeep(deps: { db: AnyDb; repo: CommsRepository; clock: Clock; secrets: SecretBox; retention?: Partial<Retention> }) {
  const retention = { ...DEFAULT_RETENTION, ...deps.retention };
  for (const [k, v] of Object.entries(retention)) if (!(Number.isFinite(v) && v > 0)) throw new Error(`retention ${k} must be a positive number of days`);
  const { repo } = deps;

  async function sealSecrets() {
    let sealed = 0;
    for (;;) {
      const rows = await repo.plainSecrets(200);
      let changed = 0;
      for (const r of rows) {
        const seal = (v: string) => (deps.secrets.isSealed(v) ? v : deps.secrets.seal(r.workspace_id, r.id, v));
        const to = { secret: seal(r.secret), previous_secret: r.previous_secret === null ? null : seal(r.previous_secret) };
        if (await repo.replaceSecrets(r.workspace_id, r.id, r, to)) changed++;
      }
      sealed += changed;
      // A row another process changed meanwhile is sealed by whoever changed it (or the next run).
      if (rows.length < 200 || !changed) return sealed;
    }
  }

  async function purgeOutbox(now: number) {
    let purged = 0;
    for (;;) {
      const n = await repo.purgeSettled(now - retention.outboxDays * DAY, CHUNK);
      purged += n;
      if (n < CHUNK) return purged;
    }
  }

  async function purgeDeliveryLog(now: number) {
    const before = now - retention.deliveryLogDays * DAY;
    let purged = 0;
    for (const ws of await repo.endpointWorkspaces()) {
      for (;;) {
        const ids = await repo.oldDeliveries(ws, idAt('whd', before), before, CHUNK);
        await deps.db.transaction().execute((tx) => repo.deleteDeliveries(tx, ws, ids));
        purged += ids.length;
        if (ids.length < CHUNK) break;
      }
    }
    return purged;
  }

  return {
    retention,
    async run(): Promise<UpkeepStats> {
      const now = deps.clock.now();
      const secretsSealed = await sealSecrets();
      const outboxPurged = await purgeOutbox(now);
      const deliveriesPurged = await purgeDeliveryLog(now);
      return { outboxPurged, deliveriesPurged, secretsSealed };
    },
  };
}
