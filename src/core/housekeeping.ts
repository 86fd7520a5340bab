import type { AnyDb } from './db/db.js';

const DAY = 24 * 3600 * 1000;

/** Deletes what core keeps only for a while: idempotency keys (24 h) and spent sign-in throttles. */
export async function purgeExpired(db: AnyDb, now: number) {
  const keys = await db.deleteFrom('idempotency_keys').where('created_at', '<', now - DAY).executeTakeFirst();
  const throttles = await db
    .deleteFrom('throttles')
    .where('window_start', '<', now - DAY)
    .where((eb) => eb.or([eb('blocked_until', 'is', null), eb('blocked_until', '<', now)]))
    .executeTakeFirst();
  return { idempotencyKeys: Number(keys.numDeletedRows), throttles: Number(throttles.numDeletedRows) };
}
