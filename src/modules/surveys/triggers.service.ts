import type { AnyDb } from '../../core/db/db.js';
import type { Ids } from '../../core/ids.js';
import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import type { AuthContext } from '../../core/auth.js';
import type { Outbox } from '../../core/outbox.js';
import { AppError, invalid, notFound } from '../../core/errors.js';
import type { AuditService } from '../audit/index.js';
import type { PeopleService } from '../people/index.js';
import { compileEventCondition, type EngineService, type Facts } from '../engine/index.js';
import { engineContextOf, teamPath, type EngineEvent } from '../programs/index.js';
import type { WorkspacesService } from '../workspaces/index.js';
import { createSurveysRepository } from './surveys.repository.js';
import { sha256, tenureBand, type SurveysService } from './surveys.service.js';
import type { SurveyTriggersTable } from './surveys.tables.js';
import type { z } from 'zod';
import type { ZSurveyTriggerInput } from './reports.schema.js';

type TSurveyTriggerInput = z.infer<typeof ZSurveyTriggerInput>;

/** The work item a matching event leaves in the outbox; the worker turns it into an invitation. */
export const TRIGGER_TOPIC = 'comms.survey_trigger';
/** How long a process trusts its copy of a workspace's triggers (another process may change them). */
const CACHE_MS = 10_000;

export interface TriggersDeps {
  db: AnyDb;
  ids: Ids;
  clock: Clock;
  audit: AuditService;
  outbox: Outbox;
  engine: Pick<EngineService, 'vocabulary'>;
  people: Pick<PeopleService, 'eventContext' | 'surveyGrouping'>;
  workspaces: WorkspacesService;
  surveys: SurveysService;
  /** the event's status now ('accepted', 'reversed'), null when there is none */
  eventStatus: (ws: string, eventId: string) => Promise<string | null>;
}

type PersonRef = 'person' | { property: string };
interface TriggerWork {
  triggerId: string;
  event: EngineEvent;
  acceptedAt: number;
}

const toTrigger = (r: SurveyTriggersTable) => ({
  id: r.id,
  surveyId: r.survey_id,
  on: r.on_type,
  if: r.condition ? (JSON.parse(r.condition) as unknown) : null,
  sendTo: JSON.parse(r.send_to) as unknown,
  handledBy: r.handled_by ? (JSON.parse(r.handled_by) as unknown) : null,
  delayMinutes: Number(r.delay_minutes),
  oncePerDays: Number(r.once_per_days),
  sent: Number(r.sent),
  createdAt: toIso(r.created_at)!,
});

/**
 * Event-triggered surveys: "when `ticket.resolved` arrives, send the CSAT survey to the contact
 * two hours later, at most once per contact per 30 days". Ingestion only looks the event type
 * up in a per-workspace cache and, on a match, leaves a work item in the outbox in its own
 * transaction; the worker resolves the contact and writes the invitation, off the hot path.
 */
export function createTriggersService(deps: TriggersDeps) {
  const repo = createSurveysRepository(deps.db);
  const cache = new Map<string, { at: number; byType: Map<string, SurveyTriggersTable[]> }>();

  async function load(ctx: AuthContext, surveyId: string) {
    const s = await repo.survey(ctx.workspaceId, surveyId);
    if (!s) throw notFound('Survey');
    return s;
  }

  /** A property named by `sendTo` or `handledBy` must be one of the event type's. */
  function checkRef(ref: PersonRef | null, schema: Record<string, unknown>, path: string) {
    if (ref && ref !== 'person' && !schema[ref.property]) throw invalid(`${path}.property`, `not a property of this event type (${Object.keys(schema).join(', ') || 'it has none'})`);
  }

  const personOf = (ref: PersonRef | null, e: EngineEvent, byExternalId: Map<string, string>) =>
    !ref ? null : ref === 'person' ? e.personId : (typeof e.properties[ref.property] === 'string' ? (byExternalId.get(e.properties[ref.property] as string) ?? null) : null);

  return {
    async create(ctx: AuthContext, surveyId: string, input: TSurveyTriggerInput) {
      ctx.require('surveys.manage');
      const ws = ctx.workspaceId;
      const s = await load(ctx, surveyId);
      if (s.privacy === 'anonymous') throw invalid('sendTo', 'an anonymous survey cannot be sent per event: the invitation would tie the answer to the event and the person');
      if (s.status === 'closed') throw new AppError('survey_closed', { detail: 'The survey is closed; open a new one for triggered invitations' });
      const schema = (await deps.engine.vocabulary(ws)).get(input.on);
      if (!schema) throw invalid('on', `unknown event type ${input.on}; declare it with POST /api/v1/event-types`);
      if (input.if !== undefined) {
        const { errors } = compileEventCondition(input.if, schema, 'if');
        if (errors.length) throw new AppError('validation_failed', { detail: 'The condition does not fit the event type', errors });
      }
      checkRef(input.sendTo, schema, 'sendTo');
      checkRef(input.handledBy, schema, 'handledBy');
      const row: SurveyTriggersTable = {
        workspace_id: ws,
        id: deps.ids.next('svt'),
        survey_id: surveyId,
        on_type: input.on,
        condition: input.if === undefined ? null : JSON.stringify(input.if),
        send_to: JSON.stringify(input.sendTo),
        handled_by: input.handledBy ? JSON.stringify(input.handledBy) : null,
        delay_minutes: input.delayMinutes,
        once_per_days: input.oncePerDays,
        sent: 0,
        created_at: deps.clock.now(),
      };
      await deps.db.transaction().execute(async (tx) => {
        await repo.insertTrigger(tx, row);
        await deps.audit.record(tx, ctx, { action: 'survey.trigger_created', targetType: 'survey', targetId: surveyId, after: { id: row.id, ...input } });
      });
      cache.delete(ws);
      return toTrigger(row);
    },

    async list(ctx: AuthContext, surveyId: string) {
      ctx.require('surveys.read');
      await load(ctx, surveyId);
      return { data: (await repo.triggers(ctx.workspaceId, surveyId)).map(toTrigger) };
    },

    async remove(ctx: AuthContext, surveyId: string, triggerId: string) {
      ctx.require('surveys.manage');
      await load(ctx, surveyId);
      const t = await repo.trigger(ctx.workspaceId, triggerId);
      if (!t || t.survey_id !== surveyId) throw notFound('Trigger');
      await deps.db.transaction().execute(async (tx) => {
        await repo.deleteTrigger(tx, ctx.workspaceId, triggerId);
        await deps.audit.record(tx, ctx, { action: 'survey.trigger_deleted', targetType: 'survey', targetId: surveyId, after: { id: triggerId } });
      });
      cache.delete(ctx.workspaceId);
    },

    /**
     * Ingestion's hook, in its transaction: the accepted events (reversals and duplicates are
     * not among them) whose type has a trigger leave one work item each. A workspace without
     * triggers costs one read per CACHE_MS, then a map lookup per event.
     */
    async onAccepted(tx: AnyDb, ws: string, events: readonly EngineEvent[]) {
      if (!events.length) return;
      let c = cache.get(ws);
      if (!c || performance.now() - c.at > CACHE_MS) {
        const byType = new Map<string, SurveyTriggersTable[]>();
        for (const t of await repo.workspaceTriggers(ws, tx)) byType.set(t.on_type, [...(byType.get(t.on_type) ?? []), t]);
        cache.set(ws, (c = { at: performance.now(), byType }));
      }
      if (!c.byType.size) return;
      const now = deps.clock.now();
      const work = events.flatMap((event) => (c.byType.get(event.type) ?? []).map((t) => ({ workspaceId: ws, topic: TRIGGER_TOPIC, payload: { triggerId: t.id, event, acceptedAt: now } satisfies TriggerWork })));
      if (work.length) await deps.outbox.enqueueMany(tx, work);
    },

    /**
     * The worker's channel for a work item: checks the trigger, the survey (open), the event
     * (still accepted) and the condition, resolves the contact, and in one transaction claims
     * (trigger, contact) for `oncePerDays`, writes the invitation with the grouping attributes,
     * the event and who handled it, and the `survey.invitation` message due after the delay.
     * Answers null when done (sent or rightly skipped), or an error to retry.
     */
    async handle(row: { workspace_id: string; payload: string }): Promise<string | null> {
      const ws = row.workspace_id;
      const { triggerId, event, acceptedAt } = JSON.parse(row.payload) as TriggerWork;
      const t = await repo.trigger(ws, triggerId);
      if (!t) return null;
      const s = await repo.survey(ws, t.survey_id);
      const now = deps.clock.now();
      if (!s || s.status !== 'open' || (s.closes_at != null && Number(s.closes_at) <= now) || s.privacy === 'anonymous') return null;
      if ((await deps.eventStatus(ws, event.id)) !== 'accepted') return null;
      const sendTo = JSON.parse(t.send_to) as PersonRef;
      const handledBy = t.handled_by ? (JSON.parse(t.handled_by) as PersonRef) : null;
      const externalIds = [sendTo, handledBy].flatMap((r) => (r && r !== 'person' && typeof event.properties[r.property] === 'string' ? [event.properties[r.property] as string] : []));
      const pc = await deps.people.eventContext(undefined, ws, { personIds: [event.personId], personExternalIds: externalIds, accountIds: event.accountId ? [event.accountId] : [], accountExternalIds: [] });
      const active = pc.people.filter((p) => !p.erased && p.status === 'active');
      const byExternalId = new Map(active.map((p) => [p.externalId, p.id]));
      if (t.condition) {
        const workspace = await deps.workspaces.get(ws);
        const ctx = engineContextOf(pc, workspace);
        const person = ctx.people.get(event.personId);
        if (!person) return null;
        const account = event.accountId ? ctx.accounts.get(event.accountId) : undefined;
        const facts: Facts = {
          type: event.type,
          properties: event.properties,
          occurredAt: event.occurredAt,
          person: { id: person.id, kind: person.kind, attributes: person.attributes, teamId: person.teamId, teamPath: teamPath(person.teamId, ctx.teams) },
          account: account ? { id: account.id, tier: account.tier, attributes: account.attributes } : null,
          timezone: workspace.timezone,
        };
        const schema = (await deps.engine.vocabulary(ws)).get(t.on_type);
        if (!compileEventCondition(JSON.parse(t.condition), schema, 'if').matches(facts)) return null;
      }
      const contactId = personOf(sendTo, event, byExternalId);
      if (!contactId || !active.some((p) => p.id === contactId)) return null;
      const handler = personOf(handledBy, event, byExternalId);
      const g = (await deps.people.surveyGrouping(ws, [contactId])).get(contactId);
      const vars = await deps.surveys.messageVars(ws, s);
      const inv = deps.ids.next('svi');
      const token = deps.surveys.tokenOf(ws, inv);
      await deps.db.transaction().execute(async (tx) => {
        if (!(await repo.claimContact(tx, ws, t.id, contactId, acceptedAt, Number(t.once_per_days)))) return;
        const inserted = await repo.insertInvitation(tx, {
          workspace_id: ws, id: inv, survey_id: s.id, person_id: contactId, token_hash: sha256(token), status: 'pending',
          team_id: g?.teamId ?? null, tenure_band: tenureBand(g?.hireDate ?? null, now), person_kind: g?.kind ?? null, account_tier: g?.accountTier ?? null,
          draft: null, draft_saved_at: null, responded_at: null, reminded_at: null, reminders: 0, created_at: now,
          trigger_id: t.id, event_id: event.id, handled_by: handler,
        });
        if (!inserted) return;
        await repo.bumpInvited(tx, ws, s.id);
        await repo.bumpTriggerSent(tx, ws, t.id);
        await deps.outbox.enqueue(tx, { workspaceId: ws, topic: 'survey.invitation', payload: { personId: contactId, surveyId: s.id, vars: { ...vars, surveyUrl: deps.surveys.linkOf(token) } }, availableAt: acceptedAt + Number(t.delay_minutes) * 60_000 });
      });
      return null;
    },
  };
}
export type TriggersService = ReturnType<typeof createTriggersService>;
