import { createHmac, hkdfSync } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import type { AnyDb, Dialect } from '../../core/db/db.js';
import type { Ids } from '../../core/ids.js';
import type { Clock } from '../../core/clock.js';
import type { AuthContext, Permission } from '../../core/auth.js';
import type { Outbox } from '../../core/outbox.js';
import { AppError, notFound } from '../../core/errors.js';
import type { AuditService } from '../audit/index.js';
import { createSecretBox } from '../comms/index.js';
import { createProvidersRepository, type Pool } from './providers.repository.js';
import type { RewardCodesTable } from './providers.tables.js';
import { createRewardsRepository } from './rewards.repository.js';
import type { RedemptionsTable, RewardsTable } from './rewards.tables.js';
import type { FulfilmentProvider } from './redemptions.service.js';
import { DEFAULT_LOW_THRESHOLD, MAX_CODE_LENGTH, MAX_CODES_PER_UPLOAD, type TCodeCounts, type TCodeUpload } from './codes.schema.js';

export interface CodesDeps {
  db: AnyDb;
  dialect: Dialect;
  ids: Ids;
  clock: Clock;
  audit: AuditService;
  outbox: Outbox;
  /** who manages rewards (the low-stock alert's recipients), asked in the caller's transaction */
  access: { personIdsWith(ws: string, permission: Permission, tx?: AnyDb): Promise<string[]> };
  /** TANDEM_SECRET: the codes' encryption key and their keyed hash come from it */
  secret: string;
  /** TANDEM_PUBLIC_URL: the alert links to the reward's fulfilment page */
  publicUrl: string;
}

const COLUMNS = ['code', 'variantId', 'expiresOn'];
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
const isDay = (v: string) => DAY_RE.test(v) && new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) === v;

/** A row of an upload, checked. */
interface CodeRow {
  row: number;
  code: string;
  variantId: string | null;
  expiresOn: string | null;
}

/**
 * The code pool (provider `codes`): uploads of gift-card codes (sealed at rest, each once per
 * workspace), their counts, and the provider that gives one to each placed order at once and
 * delivers it. A code is read back only for its order's owner.
 */
export function createCodesService(deps: CodesDeps) {
  const repo = createProvidersRepository(deps.db);
  const rewards = createRewardsRepository(deps.db);
  const box = createSecretBox(deps.secret, { info: 'reward-codes', label: 'reward_code' });
  // A separate key for the hash: it must find duplicates without being able to open anything.
  const hashKey = Buffer.from(hkdfSync('sha256', deps.secret, 'tandem', 'reward-code-hash', 32));
  const hashOf = (ws: string, code: string) => createHmac('sha256', hashKey).update(`${ws}|${code}`).digest('hex');
  const today = () => new Date(deps.clock.now()).toISOString().slice(0, 10);
  const poolKey = (p: Pool) => p.variantId ?? '';

  async function codesReward(ctx: AuthContext, id: string, tx?: AnyDb) {
    const r = await rewards.reward(ctx.workspaceId, id, tx);
    if (!r) throw notFound('Reward');
    return r;
  }

  /** Parses and checks the whole file: any bad row refuses the upload (nothing stored), naming the column. */
  function readCsv(text: string, variantIds: Set<string>): CodeRow[] {
    let records: string[][];
    try {
      const parsed: unknown = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true });
      records = parsed as string[][];
    } catch (err) {
      throw new AppError('validation_failed', { detail: `The file is not valid CSV: ${(err as Error).message}`, path: 'file' });
    }
    const [header, ...rows] = records;
    if (!header?.length) throw new AppError('validation_failed', { detail: 'The file has no header row: the first line names the columns (code, and optionally variantId, expiresOn)', path: 'file' });
    const unknown = header.filter((h) => !COLUMNS.includes(h));
    if (unknown.length) throw new AppError('validation_failed', { detail: `Unknown column(s): ${unknown.join(', ')}. Known: ${COLUMNS.join(', ')}`, errors: unknown.map((h) => ({ path: `column ${h}`, message: 'unknown column' })) });
    if (!header.includes('code')) throw new AppError('validation_failed', { detail: 'The file has no code column', errors: [{ path: 'column code', message: 'required: one code per row' }] });
    if (variantIds.size && !header.includes('variantId')) throw new AppError('validation_failed', { detail: 'This reward has variants: a variantId column says which one each code is for', errors: [{ path: 'column variantId', message: 'required for a reward with variants' }] });
    if (!rows.length) throw new AppError('validation_failed', { detail: 'The file has no codes', path: 'file' });
    if (rows.length > MAX_CODES_PER_UPLOAD) throw new AppError('payload_too_large', { detail: `At most ${MAX_CODES_PER_UPLOAD} codes per upload` });
    const col = (name: string) => header.indexOf(name);
    const errors: { path: string; message: string }[] = [];
    const day = today();
    const out = rows.map((cells, i) => {
      const row = i + 1;
      const at = (name: string) => (col(name) >= 0 ? (cells[col(name)] ?? '') : '');
      const code = at('code');
      const variantId = at('variantId') || null;
      const expiresOn = at('expiresOn') || null;
      if (!code) errors.push({ path: `rows.${row}.code`, message: 'empty' });
      else if (code.length > MAX_CODE_LENGTH) errors.push({ path: `rows.${row}.code`, message: `longer than ${MAX_CODE_LENGTH} characters` });
      else if (code.includes('\u0000')) errors.push({ path: `rows.${row}.code`, message: 'contains a NUL character (U+0000)' });
      if (variantIds.size && !variantId) errors.push({ path: `rows.${row}.variantId`, message: 'required: this reward has variants' });
      else if (variantId && !variantIds.has(variantId)) errors.push({ path: `rows.${row}.variantId`, message: variantIds.size ? 'not an active variant of this reward' : 'this reward has no variants: leave it empty' });
      if (expiresOn && !isDay(expiresOn)) errors.push({ path: `rows.${row}.expiresOn`, message: 'must be a date YYYY-MM-DD' });
      else if (expiresOn && expiresOn < day) errors.push({ path: `rows.${row}.expiresOn`, message: 'already past' });
      return { row, code, variantId, expiresOn };
    });
    if (errors.length) throw new AppError('validation_failed', { detail: `${errors.length} problem(s) in the file, nothing was stored: ${errors.slice(0, 5).map((e) => `${e.path}: ${e.message}`).join('; ')}`, errors: errors.slice(0, 100) });
    return out;
  }

  async function countsOf(ws: string, r: RewardsTable, tx?: AnyDb): Promise<TCodeCounts> {
    const pools = await repo.counts(ws, r.id, today(), tx);
    const variants = await rewards.variantsOf(ws, [r.id], tx);
    const sum = (k: 'uploaded' | 'available' | 'assigned' | 'expired') => pools.reduce((s, p) => s + p[k], 0);
    const zero = { uploaded: 0, available: 0, assigned: 0, expired: 0 };
    return {
      rewardId: r.id,
      uploaded: sum('uploaded'),
      available: sum('available'),
      assigned: sum('assigned'),
      expired: sum('expired'),
      lowStockThreshold: (await repo.threshold(ws, r.id, tx)) ?? DEFAULT_LOW_THRESHOLD,
      variants: variants.filter((v) => v.active || pools.some((p) => p.variantId === v.id)).map((v) => {
        const p = pools.find((x) => x.variantId === v.id);
        return { variantId: v.id, name: v.name, ...(p ? { uploaded: p.uploaded, available: p.available, assigned: p.assigned, expired: p.expired } : zero) };
      }),
    };
  }

  /** After an order took a code: if the pool fell under the threshold, its managers are told, once per crossing. */
  async function alertIfLow(tx: AnyDb, ws: string, r: RewardsTable, pool: Pool) {
    const threshold = (await repo.threshold(ws, r.id, tx)) ?? DEFAULT_LOW_THRESHOLD;
    const available = await repo.available(tx, ws, pool, today());
    if (available >= threshold) return;
    const now = deps.clock.now();
    if (!(await repo.claimAlert(tx, ws, r.id, poolKey(pool), now))) return;
    const variant = pool.variantId ? (await rewards.variantsOf(ws, [r.id], tx)).find((v) => v.id === pool.variantId) : undefined;
    const vars = { rewardTitle: variant ? `${r.title} (${variant.name})` : r.title, available: String(available), threshold: String(threshold), codesUrl: `${deps.publicUrl}/admin/rewards/${r.id}/fulfilment` };
    for (const personId of await deps.access.personIdsWith(ws, 'rewards.manage', tx))
      await deps.outbox.enqueue(tx, { workspaceId: ws, topic: 'rewards.codes_low', payload: { personId, rewardId: r.id, variantId: pool.variantId, vars } });
  }

  const provider: FulfilmentProvider & { reveal(ws: string, orderIds: string[]): Promise<Map<string, string>> } = {
    /** Gives the order a code and delivers it at once; with no code left (stock set by hand) it waits, placed. */
    async placed(tx: AnyDb, order: RedemptionsTable, r: RewardsTable) {
      const pool = { rewardId: r.id, variantId: order.variant_id };
      if (!(await repo.assignCode(tx, deps.dialect, order.workspace_id, pool, order.id, today(), deps.clock.now()))) return;
      await alertIfLow(tx, order.workspace_id, r, pool);
      return { to: 'delivered' as const, actor: 'system:codes', note: 'code issued' };
    },
    /** The plain codes of orders, by order id: for their owner's eyes only (the caller checks). */
    async reveal(ws: string, orderIds: string[]) {
      const rows = await repo.codesOfOrders(ws, orderIds);
      return new Map(rows.map((c) => [c.redemption_id!, box.open(ws, c.id, c.code_sealed)]));
    },
  };

  return {
    provider,

    /**
     * Adds codes from a CSV file (column `code`, and `variantId`, `expiresOn` when needed), in
     * one transaction: each is sealed and stored once per workspace (a code already there, or
     * twice in the file, is reported as a duplicate), and the stock of its reward or variant
     * grows by the codes added, so redemption can never take more than there are codes.
     */
    async upload(ctx: AuthContext, rewardId: string, text: string): Promise<TCodeUpload> {
      ctx.require('rewards.manage');
      const ws = ctx.workspaceId;
      const r = await codesReward(ctx, rewardId);
      if (r.provider !== 'codes') throw new AppError('conflict', { detail: `This reward is fulfilled by ${r.provider}; codes are for rewards whose provider is codes` });
      const variants = (await rewards.variantsOf(ws, [r.id])).filter((v) => v.active);
      const rows = readCsv(text, new Set(variants.map((v) => v.id)));
      const now = deps.clock.now();
      const actor = `${ctx.actor.type}:${ctx.actor.id}`;
      const seen = new Set<string>();
      const fresh: (RewardCodesTable & { row: number })[] = [];
      const report: TCodeUpload['rows'] = [];
      for (const x of rows) {
        const hash = hashOf(ws, x.code);
        if (seen.has(hash)) {
          report.push({ row: x.row, status: 'duplicate', variantId: x.variantId, message: 'twice in this file' });
          continue;
        }
        seen.add(hash);
        const id = deps.ids.next('rcd');
        fresh.push({ row: x.row, workspace_id: ws, id, reward_id: r.id, variant_id: x.variantId, code_sealed: box.seal(ws, id, x.code), code_hash: hash, expires_on: x.expiresOn, redemption_id: null, assigned_at: null, uploaded_by: actor, uploaded_at: now });
      }
      return deps.db.transaction().execute(async (tx) => {
        const stored = await repo.insertCodes(tx, fresh.map(({ row: _row, ...c }) => c));
        const added = new Map<string, number>();
        for (const c of fresh) {
          if (stored.has(c.code_hash)) {
            report.push({ row: c.row, status: 'added', variantId: c.variant_id, message: null });
            added.set(c.variant_id ?? '', (added.get(c.variant_id ?? '') ?? 0) + 1);
          } else report.push({ row: c.row, status: 'duplicate', variantId: c.variant_id, message: 'already uploaded' });
        }
        for (const [pool, n] of added) {
          await repo.addStock(tx, ws, pool ? 'reward_variants' : 'rewards', pool || r.id, n);
          // Refilled above the threshold: the next fall under it is alerted again.
          const threshold = (await repo.threshold(ws, r.id, tx)) ?? DEFAULT_LOW_THRESHOLD;
          if ((await repo.available(tx, ws, { rewardId: r.id, variantId: pool || null }, today())) >= threshold) await repo.rearmAlert(tx, ws, r.id, pool);
        }
        const count = [...added.values()].reduce((s, n) => s + n, 0);
        report.sort((a, b) => a.row - b.row);
        await deps.audit.record(tx, ctx, { action: 'reward.codes_uploaded', targetType: 'reward', targetId: r.id, after: { added: count, duplicates: report.length - count } });
        return { added: count, duplicates: report.length - count, rows: report, counts: await countsOf(ws, r, tx) };
      });
    },

    async counts(ctx: AuthContext, rewardId: string): Promise<TCodeCounts> {
      ctx.require('rewards.manage');
      return countsOf(ctx.workspaceId, await codesReward(ctx, rewardId));
    },

    async setThreshold(ctx: AuthContext, rewardId: string, lowStockThreshold: number): Promise<TCodeCounts> {
      ctx.require('rewards.manage');
      const r = await codesReward(ctx, rewardId);
      await deps.db.transaction().execute(async (tx) => {
        const before = (await repo.threshold(ctx.workspaceId, r.id, tx)) ?? DEFAULT_LOW_THRESHOLD;
        await repo.setThreshold(tx, ctx.workspaceId, r.id, lowStockThreshold);
        await deps.audit.record(tx, ctx, { action: 'reward.codes_threshold_set', targetType: 'reward', targetId: r.id, before: { lowStockThreshold: before }, after: { lowStockThreshold } });
      });
      return countsOf(ctx.workspaceId, r);
    },
  };
}
export type CodesService = ReturnType<typeof createCodesService>;
