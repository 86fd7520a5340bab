import { toIso } from '../../core/clock.js';
import type { AuthContext } from '../../core/auth.js';
import { invalid } from '../../core/errors.js';
import { decodeCursor, encodeCursor } from '../../core/http/pagination.js';
import type { OutboxTable } from './comms.tables.js';
import type { AnyDb } from '../../core/db/db.js';
import type { Ids } from '../../core/ids.js';
import type { Clock } from '../../core/clock.js';
import type { AuditService } from '../audit/index.js';
import type { AccessService } from '../access/index.js';
import type { PeopleService } from '../people/index.js';
import type { ProgramsService } from '../programs/index.js';
import type { WorkspacesService } from '../workspaces/index.js';
import type { PlansRepository } from './plans.repository.js';
import type { TCadence, TUpdateCadence } from './plans.schema.js';
import type { CadenceSettingsTable } from './plans.tables.js';

const DAY = 24 * 3600_000;
/** Defaults of a program's cadence: look back 14 days (the issue), reach 80% of the audience. */
export const DEFAULT_WINDOW_DAYS = 14;
export const DEFAULT_TARGET = 0.8;

const pct = (share: number) => `${Math.round(share * 100)}%`;

/**
 * The cadence monitor: per program, the share of its audience that got at least one inbox
 * message (every message reaches the inbox) in the last N days, who did not, and an alert to the
 * program's managers when the share is under the target: when it falls under, then at most once
 * per window while it stays there.
 */
export interface CadenceDeps {
  db: AnyDb;
  ids: Ids;
  clock: Clock;
  audit: AuditService;
  programs: ProgramsService;
  people: PeopleService;
  workspaces: WorkspacesService;
  access: AccessService;
  /** TANDEM_PUBLIC_URL: the links in messages */
  publicUrl: string;
}

export function createCadence(deps: CadenceDeps & { repo: PlansRepository }) {
  const { repo } = deps;
  const defaults = (ws: string, programId: string, now: number): CadenceSettingsTable => ({
    workspace_id: ws,
    program_id: programId,
    window_days: DEFAULT_WINDOW_DAYS,
    target_bp: Math.round(DEFAULT_TARGET * 10_000),
    alert_person_ids: '[]',
    below_since: null,
    last_alert_at: null,
    updated_at: now,
  });

  /** The figures over the program's current audience. */
  async function measure(ws: string, programId: string) {
    const now = deps.clock.now();
    const aud = await deps.programs.audienceOf(ws, programId);
    if (!aud) return null;
    const s = (await repo.settings(ws, programId)) ?? defaults(ws, programId, now);
    const since = now - s.window_days * DAY;
    const last = await repo.lastMessageAt(ws, aud.personIds);
    const notReached = aud.personIds.filter((p) => (last.get(p) ?? -Infinity) < since);
    const size = aud.personIds.length;
    const reached = size - notReached.length;
    const share = size ? reached / size : null;
    const target = s.target_bp / 10_000;
    return { aud, s, since, last, notReached, size, reached, share, target, belowTarget: share !== null && share < target };
  }

  /** Alerts the managers of one program if its share is under target and no alert went out this window. */
  async function check(ws: string, programId: string) {
    const now = deps.clock.now();
    const m = await measure(ws, programId);
    if (!m) return false;
    const p = m.aud.program;
    // A program younger than one window cannot have reached everyone yet: no alert before.
    if (now - (p.startsAt ?? p.createdAt) < m.s.window_days * DAY) return false;
    if (!m.belowTarget) {
      if (m.s.below_since !== null) await repo.updateSettings(deps.db, ws, programId, { below_since: null });
      return false;
    }
    const chosen = JSON.parse(m.s.alert_person_ids) as string[];
    const recipients = chosen.length ? chosen : await deps.access.personIdsWith(ws, 'programs.manage');
    const vars = {
      programName: p.name,
      share: pct(m.share!),
      target: pct(m.target),
      windowDays: String(m.s.window_days),
      reached: String(m.reached),
      audienceSize: String(m.size),
      notReached: String(m.notReached.length),
      cadenceUrl: `${deps.publicUrl}/programs/${programId}?tab=communication`,
    };
    return deps.db.transaction().execute(async (tx) => {
      await repo.ensureSettings(tx, defaults(ws, programId, now));
      if (m.s.below_since === null) await repo.updateSettings(tx, ws, programId, { below_since: now });
      if (!recipients.length) return false;
      // One alert per window: the conditional update lets one worker through, the others see it taken.
      if (!(await repo.claimAlert(tx, ws, programId, now, now - m.s.window_days * DAY))) return false;
      const rows: OutboxTable[] = recipients.map((personId) => ({
        workspace_id: ws,
        id: deps.ids.next('msg'),
        topic: 'cadence.below_target',
        payload: JSON.stringify({ personId, programId, vars }),
        status: 'pending',
        attempts: 0,
        available_at: now,
        created_at: now,
        lease_until: null,
        claimed_by: null,
        last_error: null,
        settled_at: null,
        give_up_at: null,
      }));
      await repo.insertOutbox(tx, rows);
      return true;
    });
  }

  async function get(ctx: AuthContext, programId: string, q: { limit: number; cursor?: string }): Promise<TCadence> {
    await deps.programs.get(ctx, programId); // programs.read; 404 for another workspace's program
    const after = decodeCursor(q.cursor);
    const m = (await measure(ctx.workspaceId, programId))!;
    const from = after ? m.notReached.findIndex((id) => id > after) : 0;
    const page = from < 0 ? [] : m.notReached.slice(from, from + q.limit);
    const more = from >= 0 && from + q.limit < m.notReached.length;
    // Names are people data: only for roles that may read people.
    const names = ctx.can('people.read') ? await deps.people.namesOf(ctx.workspaceId, page) : new Map<string, string | null>();
    return {
      programId,
      windowDays: m.s.window_days,
      target: m.target,
      since: toIso(m.since)!,
      audienceSize: m.size,
      reached: m.reached,
      notReachedCount: m.notReached.length,
      share: m.share === null ? null : Math.round(m.share * 10_000) / 10_000,
      belowTarget: m.belowTarget,
      alertPersonIds: JSON.parse(m.s.alert_person_ids) as string[],
      belowSince: toIso(m.s.below_since),
      lastAlertAt: toIso(m.s.last_alert_at),
      notReached: { data: page.map((id) => ({ id, name: names.get(id) ?? null, lastMessageAt: toIso(m.last.get(id)) })), nextCursor: more ? encodeCursor(page[page.length - 1]!) : null },
    };
  }

  return {
    check,
    get,
    /** Every live program of every workspace (the scheduler runs it hourly). */
    async checkAll() {
      let alerts = 0;
      const failures: unknown[] = [];
      for (const w of await deps.workspaces.list())
        for (const p of await deps.programs.activeOf(w.id)) {
          try {
            if (await check(w.id, p.id)) alerts++;
          } catch (err) {
            failures.push(err); // one program's failure does not keep the others unchecked
          }
        }
      if (failures.length) throw new AggregateError(failures, `cadence check: ${failures.length} program(s) failed: ${String((failures[0] as Error)?.message ?? failures[0])}`);
      return alerts;
    },

    async update(ctx: AuthContext, programId: string, patch: TUpdateCadence) {
      ctx.require('programs.manage');
      await deps.programs.get(ctx, programId);
      const ws = ctx.workspaceId;
      if (patch.alertPersonIds) {
        const known = await deps.people.namesOf(ws, patch.alertPersonIds);
        const i = patch.alertPersonIds.findIndex((id) => !known.has(id));
        if (i >= 0) throw invalid(`alertPersonIds.${i}`, 'no such person in this workspace');
      }
      const now = deps.clock.now();
      const before = (await repo.settings(ws, programId)) ?? defaults(ws, programId, now);
      const next: Partial<CadenceSettingsTable> = {
        ...(patch.windowDays !== undefined ? { window_days: patch.windowDays } : {}),
        ...(patch.target !== undefined ? { target_bp: Math.round(patch.target * 10_000) } : {}),
        ...(patch.alertPersonIds !== undefined ? { alert_person_ids: JSON.stringify([...new Set(patch.alertPersonIds)]) } : {}),
        updated_at: now,
      };
      await deps.db.transaction().execute(async (tx) => {
        await repo.ensureSettings(tx, defaults(ws, programId, now));
        await repo.updateSettings(tx, ws, programId, next);
        await deps.audit.record(tx, ctx, {
          action: 'program.cadence_updated',
          targetType: 'program',
          targetId: programId,
          before: { windowDays: before.window_days, target: before.target_bp / 10_000, alertPersonIds: JSON.parse(before.alert_person_ids) as string[] },
          after: { windowDays: next.window_days ?? before.window_days, target: (next.target_bp ?? before.target_bp) / 10_000, alertPersonIds: next.alert_person_ids ? (JSON.parse(next.alert_person_ids) as string[]) : (JSON.parse(before.alert_person_ids) as string[]) },
        });
      });
      return get(ctx, programId, { limit: 50 });
    },
  };
}
export type Cadence = ReturnType<typeof createCadence>;
