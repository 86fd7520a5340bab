import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type SQLite from 'better-sqlite3';
import type { AnyDb } from '../../core/db/db.js';
import { NeedsAsync } from '../../core/db/prepared.js';
import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import type { Outbox } from '../../core/outbox.js';
import type { AuthContext } from '../../core/auth.js';
import { AppError, invalid } from '../../core/errors.js';
import type { AccessService } from '../access/index.js';
import type { PeopleService } from '../people/index.js';
import type { WorkspacesService } from '../workspaces/index.js';
import type { RedemptionsTable } from './rewards.tables.js';
import { createRewardsRepository } from './rewards.repository.js';
import { createFulfilmentRepository } from './fulfilment.repository.js';
import { OPEN_STATUSES, type RedemptionsService, type StepChange } from './redemptions.service.js';
import { ZShip, type TBulkMove, type TBulkResult, type TDeliveryFigures, type TDeliveryReport, type TTrackingImportResult } from './fulfilment.schema.js';
import type { TRedemption } from './redemptions.schema.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Rows one export or import handles; a bigger queue is filtered (status, provider, reward). */
export const MAX_CSV_ROWS = 10_000;
/** How often a worker looks for late orders (by the clock; the alert itself is once per order). */
export const LATE_CHECK_EVERY_MS = 5 * MINUTE;

export const CSV_COLUMNS = [
  'orderId', 'createdAt', 'promisedBy', 'status', 'reward', 'variant', 'quantity',
  'shippingName', 'shippingLine1', 'shippingLine2', 'shippingCity', 'shippingRegion', 'shippingPostalCode', 'shippingCountry',
  'personName', 'personEmail', 'carrier', 'trackingNumber', 'trackingUrl',
] as const;
const TRACKING_REQUIRED = ['orderId', 'carrier', 'trackingNumber'] as const;
const TRACKING_COLUMNS: readonly string[] = [...TRACKING_REQUIRED, 'trackingUrl'];

/**
 * A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return) as a formula:
 * such a cell is written with a leading apostrophe, so a name like "=HYPERLINK(…)" stays text.
 */
export const safeCell = (v: string | number | null | undefined): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
};

/** Nearest-rank percentile of sorted values (p in (0, 1]); null when there are none. */
export function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length))) - 1]!;
}

/** The participant's message for a step, or none (a step nobody needs to hear of). */
function messageTypeOf(from: RedemptionsTable['status'] | null, to: RedemptionsTable['status']) {
  if (from === null) return 'order.placed';
  if (to === 'placed' && from === 'pending_approval') return 'order.approved';
  if (to === 'processing') return 'order.processing';
  if (to === 'shipped') return 'order.shipped';
  if (to === 'delivered') return 'order.delivered';
  if (to === 'cancelled' || to === 'rejected' || to === 'failed') return 'order.cancelled';
  return null;
}

const OUTCOMES: Partial<Record<RedemptionsTable['status'], string>> = { cancelled: 'was cancelled', rejected: 'was not approved', failed: 'could not be fulfilled' };
/** Dates in messages: the day, in UTC (the step's transaction reads no workspace settings). */
const DAY_FORMAT = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' });
const day = (ms: number) => DAY_FORMAT.format(ms);

export interface FulfilmentDeps {
  db: AnyDb;
  clock: Clock;
  outbox: Outbox;
  access: Pick<AccessService, 'personIdsWith'>;
  people: Pick<PeopleService, 'recipients'>;
  workspaces: Pick<WorkspacesService, 'list'>;
  redemptions: RedemptionsService;
  /** TANDEM_PUBLIC_URL: links in messages */
  publicUrl: string;
}

/**
 * After an order is placed: the manual queue in bulk and by CSV, what participants and webhooks
 * hear of each step, the late alert to reward managers, and the delivery report.
 */
export function createFulfilmentService(deps: FulfilmentDeps) {
  const repo = createFulfilmentRepository(deps.db);
  const rewards = createRewardsRepository(deps.db);
  const { redemptions } = deps;

  /** What webhooks hear of a step (`redemption.created` / `redemption.updated`). */
  const dataOf = ({ order, from, step }: StepChange) => ({
    id: order.id,
    personId: order.person_id,
    rewardId: order.reward_id,
    variantId: order.variant_id,
    quantity: order.quantity,
    points: Number(order.points),
    status: order.status,
    previousStatus: from,
    provider: order.provider,
    promisedBy: toIso(order.promised_by),
    carrier: order.carrier ?? null,
    trackingNumber: order.tracking_number ?? null,
    trackingUrl: order.tracking_url ?? null,
    deliveredAt: toIso(order.delivered_at ?? null),
    refundTransferId: order.refund_transfer_id,
    note: step.note,
  });

  /** The participant's message of a step (inbox, email). */
  const messageOf = ({ order, step }: StepChange, type: string, rewardTitle: string) => ({
    workspaceId: order.workspace_id,
    topic: type,
    payload: {
      personId: order.person_id,
      redemptionId: order.id,
      points: Number(order.points),
      vars: {
        rewardTitle,
        quantity: String(order.quantity),
        orderId: order.id,
        status: order.status,
        promisedBy: day(Number(order.promised_by)),
        nextStep: order.status === 'pending_approval' ? 'It waits for approval; you will hear as soon as it is decided.' : 'We will let you know at each step until it is delivered.',
        carrier: order.carrier ?? '',
        trackingNumber: order.tracking_number ?? '',
        trackingUrl: order.tracking_url ?? `${deps.publicUrl}/orders`,
        outcome: OUTCOMES[order.status] ?? '',
        reason: step.note ?? '',
        ordersUrl: `${deps.publicUrl}/orders`,
      },
    },
  });

  /**
   * In the step's transaction: `redemption.created` / `redemption.updated` for webhooks and the
   * participant's message (inbox, email) of that step, so each exists iff the step committed.
   */
  async function announce(tx: AnyDb, change: StepChange) {
    const ws = change.order.workspace_id;
    await deps.outbox.publish(tx, ws, change.from === null ? 'redemption.created' : 'redemption.updated', [dataOf(change)]);
    const type = messageTypeOf(change.from, change.order.status);
    if (!type) return;
    await deps.outbox.enqueue(tx, messageOf(change, type, change.rewardTitle ?? (await repo.rewardTitle(tx, ws, change.order.reward_id))));
  }

  /** announce, synchronously, on a SQLite connection inside its transaction (prepared.ts's runSync); the reward's title must be at hand. */
  function announceSync(sqlite: SQLite.Database, change: StepChange) {
    const type = messageTypeOf(change.from, change.order.status);
    if (type && change.rewardTitle === undefined) throw new NeedsAsync('the reward title is not at hand');
    deps.outbox.publishSync(sqlite, change.order.workspace_id, change.from === null ? 'redemption.created' : 'redemption.updated', [dataOf(change)]);
    if (type) deps.outbox.enqueueSync(sqlite, messageOf(change, type, change.rewardTitle!));
  }

  /** One move of the queue, by name. */
  function moveOne(ctx: AuthContext, id: string, input: Omit<TBulkMove, 'ids'>): Promise<TRedemption> {
    switch (input.action) {
      case 'process':
        return redemptions.process(ctx, id, input.note);
      case 'ship':
        return redemptions.ship(ctx, id, { carrier: input.carrier!, trackingNumber: input.trackingNumber!, trackingUrl: input.trackingUrl });
      case 'deliver':
        return redemptions.deliver(ctx, id, input.note);
      case 'fail':
        return redemptions.fail(ctx, id, input.reason!);
    }
  }

  /** A move's outcome for a per-order report: ok with the status, or the error's code and detail. */
  async function attempt(run: () => Promise<TRedemption>) {
    try {
      const r = await run();
      return { ok: true, status: r.status, code: null, detail: null };
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return { ok: false, status: null, code: err.code, detail: err.message };
    }
  }

  /** The fields a bulk move needs, checked before any order moves (400 naming the field). */
  function checkBulkFields(input: TBulkMove) {
    if (input.action === 'ship') {
      if (!input.carrier) throw invalid('carrier', 'required to ship');
      if (!input.trackingNumber) throw invalid('trackingNumber', 'required to ship');
    }
    if (input.action === 'fail' && !input.reason) throw invalid('reason', 'required to fail an order');
  }

  /** Reads the tracking file's header: 400 naming a missing or unknown column. */
  function trackingHeader(header: string[]) {
    const unknown = header.find((h) => !TRACKING_COLUMNS.includes(h));
    if (unknown !== undefined) throw invalid(`header.${unknown || '(empty)'}`, `unknown column “${unknown}”; the columns are ${TRACKING_COLUMNS.join(', ')}`);
    const missing = TRACKING_REQUIRED.find((c) => !header.includes(c));
    if (missing) throw invalid(`header.${missing}`, `the column ${missing} is required`);
    const twice = header.find((h, i) => header.indexOf(h) !== i);
    if (twice) throw invalid(`header.${twice}`, 'the column appears twice');
  }

  function parseCsv(text: string): { record: string[]; line: number }[] {
    try {
      const parsed = parse(text, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: false, info: true }) as unknown as { record: string[]; info: { lines: number } }[];
      return parsed.map((p) => ({ record: p.record, line: p.info.lines }));
    } catch (err) {
      throw new AppError('validation_failed', { detail: `The file is not valid CSV: ${(err as Error).message}`, path: 'file' });
    }
  }

  /** A group's figures from its orders (times in whole minutes; shares to 4 decimals). */
  function figures(rows: Awaited<ReturnType<typeof repo.reportRows>>, now: number): TDeliveryFigures {
    const delivered = rows.filter((r) => r.status === 'delivered' && r.delivered_at != null);
    const toDelivery = delivered.map((r) => Number(r.delivered_at) - Number(r.created_at)).sort((a, b) => a - b);
    const earnToOrder = rows.filter((r) => r.earned_at != null).map((r) => Number(r.created_at) - Number(r.earned_at)).sort((a, b) => a - b);
    const minutes = (ms: number | null) => (ms === null ? null : Math.round(ms / MINUTE));
    const onTime = delivered.filter((r) => Number(r.delivered_at) <= Number(r.promised_by)).length;
    return {
      orders: rows.length,
      delivered: delivered.length,
      p50Minutes: minutes(percentile(toDelivery, 0.5)),
      p95Minutes: minutes(percentile(toDelivery, 0.95)),
      onTimeShare: delivered.length ? Math.round((onTime / delivered.length) * 10_000) / 10_000 : null,
      lateOpen: rows.filter((r) => OPEN_STATUSES.includes(r.status) && now > Number(r.promised_by)).length,
      earnToOrderP50Minutes: minutes(percentile(earnToOrder, 0.5)),
    };
  }

  /** Alerts a workspace's reward managers of its late orders, once per order; answers how many orders. */
  async function alertLate(ws: string, now: number) {
    const late = await repo.lateUnalerted(ws, now, 500);
    if (!late.length) return 0;
    // Staff linked to a person: only a person has an inbox. With none, the orders wait for one.
    const staff = await deps.access.personIdsWith(ws, 'rewards.manage');
    if (!staff.length) return 0;
    const titles = new Map((await rewards.rewardsByIds(ws, [...new Set(late.map((o) => o.reward_id))])).map((r) => [r.id, r.title]));
    const owners = await deps.people.recipients(ws, late.map((o) => o.person_id));
    let alerted = 0;
    for (const o of late) {
      const vars = {
        rewardTitle: titles.get(o.reward_id) ?? 'a reward',
        orderId: o.id,
        status: o.status,
        participantName: owners.get(o.person_id)?.name ?? 'a participant',
        promisedBy: day(Number(o.promised_by)),
        daysLate: String(Math.max(1, Math.ceil((now - Number(o.promised_by)) / DAY))),
        ordersUrl: `${deps.publicUrl}/fulfilment?order=${o.id}`,
      };
      const sent = await deps.db.transaction().execute(async (tx) => {
        // The conditional update lets one worker through; another sees the alert taken.
        if (!(await repo.claimLateAlert(tx, ws, o.id, now))) return false;
        for (const personId of staff) await deps.outbox.enqueue(tx, { workspaceId: ws, topic: 'order.late', payload: { personId, redemptionId: o.id, vars } });
        return true;
      });
      if (sent) alerted++;
    }
    return alerted;
  }

  let lastLateCheck = -Infinity;
  /** Every workspace's late orders (the worker's scheduler; tests call it directly). */
  async function checkLate() {
    const now = deps.clock.now();
    let alerted = 0;
    for (const w of await deps.workspaces.list()) alerted += await alertLate(w.id, now);
    return alerted;
  }

  return {
    announce,
    announceSync,
    checkLate,
    /** The worker's hook: the late check at most every LATE_CHECK_EVERY_MS per process. */
    async tick() {
      const now = deps.clock.now();
      if (now - lastLateCheck < LATE_CHECK_EVERY_MS) return 0;
      lastLateCheck = now;
      return checkLate();
    },

    /** Moves many orders the same way, each in its own transaction; one result per order, in order. */
    async bulk(ctx: AuthContext, input: TBulkMove): Promise<TBulkResult> {
      ctx.require('rewards.manage');
      checkBulkFields(input);
      const results = [];
      for (const id of input.ids) results.push({ id, ...(await attempt(() => moveOne(ctx, id, input))) });
      return { ok: results.filter((r) => r.ok).length, failed: results.filter((r) => !r.ok).length, results };
    },

    /** The queue as CSV (one line per order, oldest first), for a warehouse or a spreadsheet. */
    async exportCsv(ctx: AuthContext, q: { status?: string; provider?: string; rewardId?: string }): Promise<string> {
      ctx.require('rewards.manage');
      const ws = ctx.workspaceId;
      const rows = await repo.queue(ws, { ...q, limit: MAX_CSV_ROWS });
      const titles = new Map((await rewards.rewardsByIds(ws, [...new Set(rows.map((r) => r.reward_id))])).map((r) => [r.id, r.title]));
      const variants = await rewards.variantNames(ws, [...new Set(rows.flatMap((r) => (r.variant_id ? [r.variant_id] : [])))]);
      const people = await deps.people.recipients(ws, rows.map((r) => r.person_id));
      const lines = rows.map((r) => {
        const a = r.shipping ? (JSON.parse(r.shipping) as Record<string, string | undefined>) : {};
        const p = people.get(r.person_id);
        return [
          r.id, toIso(r.created_at), toIso(r.promised_by), r.status, titles.get(r.reward_id) ?? '', r.variant_id ? (variants.get(r.variant_id) ?? '') : '', r.quantity,
          a.name, a.line1, a.line2, a.city, a.region, a.postalCode, a.country,
          p?.name, p?.email, r.carrier, r.tracking_number, r.tracking_url,
        ].map(safeCell);
      });
      return stringify([[...CSV_COLUMNS], ...lines], { quoted_match: /[",\r\n]/ });
    },

    /**
     * Ships the orders a tracking file lists (orderId, carrier, trackingNumber[, trackingUrl]):
     * each row on its own, reported by its line; a bad header is a 400 and ships nothing.
     */
    async importTracking(ctx: AuthContext, text: string): Promise<TTrackingImportResult> {
      ctx.require('rewards.manage');
      const [head, ...body] = parseCsv(text);
      if (!head) throw invalid('file', 'the file is empty: give a header (orderId, carrier, trackingNumber, trackingUrl) and a line per order');
      trackingHeader(head.record);
      if (body.length > MAX_CSV_ROWS) throw invalid('file', `at most ${MAX_CSV_ROWS} lines per file`);
      const rows: TTrackingImportResult['rows'] = [];
      for (const { record, line } of body) {
        const cell = Object.fromEntries(head.record.map((h, i) => [h, record[i] ?? '']));
        const orderId = cell.orderId ?? '';
        const parsed = ZShip.safeParse({ carrier: cell.carrier, trackingNumber: cell.trackingNumber, ...(cell.trackingUrl ? { trackingUrl: cell.trackingUrl } : {}) });
        if (!/^red_[0-9a-z]{26}$/.test(orderId)) {
          rows.push({ row: line, orderId, ok: false, status: null, code: 'validation_failed', detail: 'orderId: must be a redemption id (red_…)' });
        } else if (!parsed.success) {
          rows.push({ row: line, orderId, ok: false, status: null, code: 'validation_failed', detail: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
        } else {
          rows.push({ row: line, orderId, ...(await attempt(() => redemptions.ship(ctx, orderId, parsed.data))) });
        }
      }
      return { shipped: rows.filter((r) => r.ok).length, failed: rows.filter((r) => !r.ok).length, rows };
    },

    /** Order → delivery per provider and per reward over the orders created in [from, to). */
    async deliveryReport(ctx: AuthContext, q: { from?: string; to?: string }): Promise<TDeliveryReport> {
      ctx.require('rewards.manage');
      const now = deps.clock.now();
      // By default whole UTC days: the 30 days up to the end of today, so the period holds all day.
      const to = q.to ? Date.parse(q.to) : Math.floor(now / DAY) * DAY + DAY;
      const from = q.from ? Date.parse(q.from) : to - 30 * DAY;
      if (from >= to) throw invalid('from', 'must be before to');
      const ws = ctx.workspaceId;
      const rows = await repo.reportRows(ws, from, to);
      const by = <K extends string>(key: (r: (typeof rows)[number]) => K) => {
        const m = new Map<K, typeof rows>();
        for (const r of rows) m.set(key(r), [...(m.get(key(r)) ?? []), r]);
        return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      };
      const titles = new Map((await rewards.rewardsByIds(ws, [...new Set(rows.map((r) => r.reward_id))])).map((r) => [r.id, r.title]));
      return {
        from: toIso(from)!,
        to: toIso(to)!,
        total: figures(rows, now),
        providers: by((r) => r.provider).map(([provider, rs]) => ({ provider, ...figures(rs, now) })),
        rewards: by((r) => r.reward_id)
          .map(([rewardId, rs]) => ({ rewardId, rewardTitle: titles.get(rewardId) ?? '', provider: rs[0]!.provider, ...figures(rs, now) }))
          .sort((a, b) => b.orders - a.orders || a.rewardTitle.localeCompare(b.rewardTitle)),
      };
    },
  };
}
export type FulfilmentService = ReturnType<typeof createFulfilmentService>;
