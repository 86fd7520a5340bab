import type { AnyDb } from '../../core/db/db.js';
import type { Ids } from '../../core/ids.js';
import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import { systemContext, type AuthContext } from '../../core/auth.js';
import { AppError, invalid, notFound } from '../../core/errors.js';
import { decodeCursor, toPage } from '../../core/http/pagination.js';
import type { AuditService } from '../audit/index.js';
import type { PeopleService } from '../people/index.js';
import type { ProgramsService } from '../programs/index.js';
import type { WorkspacesService } from '../workspaces/index.js';
import type { DigestItemsTable, EmailsTable, InboxMessagesTable, MessageTemplatesTable, NotificationSettingsTable, OutboxTable } from './comms.tables.js';
import { formatQuietHours, parseQuietHours, type TQuietHours } from '../workspaces/index.js';
import { DIGEST_HOUR, digestDueAt, sendAfter } from './notify.timing.js';
import { createMailer, type Mailer } from './mail.transport.js';
import {
  DEFAULTS,
  MESSAGE_TYPES,
  OWN_TYPES,
  PREFERENCE_TYPES,
  SAMPLES,
  URGENT_TYPES,
  TYPE_LABELS,
  VARIABLES,
  emailHtml,
  emailText,
  escapeHtml,
  fill,
  unknownVariables,
  type Brand,
  type MessageType,
  type Template,
} from './messages.templates.js';
import { createNotifyRepository } from './notify.repository.js';
import type { TNotificationPreferences, TPutNotificationPreferences, TInboxMessage, TPutTemplate, TPreviewTemplate, TSentMail, TTemplateView } from './notify.schema.js';
import { signUnsubscribe, verifyUnsubscribe } from './unsubscribe.signing.js';

export const EMAIL_TOPIC = 'comms.email';
const BRAND_COLOR = '#1c7ed6';

export interface NotifyDeps {
  db: AnyDb;
  ids: Ids;
  clock: Clock;
  audit: AuditService;
  people: PeopleService;
  programs: ProgramsService;
  workspaces: WorkspacesService;
  /** signs unsubscribe links (TANDEM_SECRET) */
  secret: string;
  /** the base of every link in an email (TANDEM_PUBLIC_URL) */
  publicUrl: string;
  /** SMTP_URL; without it, emails are stored and shown on the Sent mail page */
  smtpUrl?: string;
  /** MAIL_FROM */
  mailFrom: string;
}

/** What the channels need of a person. */
interface Recipient {
  name: string | null;
  email: string | null;
  locale: string | null;
  timezone: string | null;
  erasedAt: string | null;
}

const groupByWorkspace = (rows: { workspace_id: string; person_id: string }[]) => {
  const m = new Map<string, string[]>();
  for (const r of rows) {
    const list = m.get(r.workspace_id);
    if (list) list.push(r.person_id);
    else m.set(r.workspace_id, [r.person_id]);
  }
  return m;
};

const isType = (t: string): t is MessageType => (MESSAGE_TYPES as readonly string[]).includes(t);

const toInbox = (r: InboxMessagesTable): TInboxMessage => ({
  id: r.id,
  type: r.type,
  title: r.title,
  body: r.body,
  data: JSON.parse(r.data) as Record<string, unknown>,
  read: r.read_at !== null,
  readAt: toIso(r.read_at),
  createdAt: toIso(r.created_at)!,
});

const toSentMail = (r: EmailsTable, full: boolean): TSentMail => ({
  id: r.id,
  type: r.type,
  personId: r.person_id,
  to: r.to_address,
  subject: r.subject,
  status: r.status,
  attempts: r.attempts,
  lastError: r.last_error,
  createdAt: toIso(r.created_at)!,
  sentAt: toIso(r.sent_at),
  sendAfter: toIso(r.send_after ?? null),
  ...(full ? { text: r.text, html: r.html } : {}),
});

/** The participant channels: the inbox, email (with one-click unsubscribe) and the templates both use. */
export function createNotifyService(deps: NotifyDeps) {
  const repo = createNotifyRepository(deps.db);
  const mailer: Mailer = createMailer({ smtpUrl: deps.smtpUrl, from: deps.mailFrom, publicUrl: deps.publicUrl });

  /** A type's template for a locale: the workspace's override, else the default; then the language, then English. */
  function pick(overrides: MessageTemplatesTable[], type: MessageType, locale: string): Template & { locale: string; overridden: boolean } {
    const lang = locale.split('-')[0]!;
    for (const l of [...new Set([locale, lang, 'en'])]) {
      const o = overrides.find((x) => x.type === type && x.locale === l);
      if (o) return { subject: o.subject, text: o.text, html: o.html, locale: l, overridden: true };
      const d = (DEFAULTS[type] as Record<string, Template | undefined>)[l];
      if (d) return { ...d, locale: l, overridden: false };
    }
    return { ...DEFAULTS[type].en, locale: 'en', overridden: false };
  }

  const unsubscribeUrl = (ws: string, personId: string, type: string) => `${deps.publicUrl}/api/v1/unsubscribe?token=${signUnsubscribe(deps.secret, { workspaceId: ws, personId, type })}`;

  function render(tpl: Template, type: MessageType, vars: Record<string, string>, brand: Brand, unsubscribe: string, markup?: Record<string, string>) {
    const subject = fill(tpl.subject, vars, false);
    const text = fill(tpl.text, vars, false);
    return {
      subject,
      text,
      emailText: emailText(text, brand, unsubscribe, TYPE_LABELS[type]),
      emailHtml: emailHtml(fill(tpl.html, vars, true, markup), brand, unsubscribe, TYPE_LABELS[type]),
    };
  }

  /** The quiet hours that hold a person's email: their own, none ("off"), or the workspace's. */
  function quietHoursOf(setting: NotificationSettingsTable | undefined, workspaceQuiet: TQuietHours | null): TQuietHours | null {
    if (!setting || setting.quiet_hours === null) return workspaceQuiet;
    return setting.quiet_hours === 'off' ? null : parseQuietHours(setting.quiet_hours);
  }
  /** When an email of this type may go out: null now, or the end of the person's quiet hours. */
  function holdUntil(type: MessageType, quiet: TQuietHours | null, timezone: string, now: number): number | null {
    if (URGENT_TYPES.has(type)) return null;
    const at = sendAfter(quiet, timezone, now);
    return at > now ? at : null;
  }

  /**
   * What a batch of domain messages of one workspace tells its participants, as each chose:
   * per type, the inbox on or off, email on or off (for those with an address), and now or in
   * a daily or weekly digest; email waits out quiet hours. Until someone chooses: the inbox
   * and email, at once. Reads everything it needs before the caller's transaction (on SQLite
   * one connection serves both, so nothing may be read outside the transaction while it is open).
   */
  async function prepare(ws: string, msgs: OutboxTable[]) {
    const inbox: InboxMessagesTable[] = [];
    const emails: EmailsTable[] = [];
    const digestItems: DigestItemsTable[] = [];
    const made = { inbox, emails, digestItems };
    const wanted = msgs.filter((m) => isType(m.topic) && !OWN_TYPES.includes(m.topic));
    if (!wanted.length) return made;
    const workspace = await deps.workspaces.get(ws).catch(() => null);
    if (!workspace) return made;
    const sys = systemContext(ws);
    const cache = new Map<string, Promise<unknown>>();
    const once = <T>(key: string, f: () => Promise<T>) => {
      if (!cache.has(key)) cache.set(key, f().catch(() => null));
      return cache.get(key) as Promise<T | null>;
    };
    const overrides = await repo.templates(ws, [...MESSAGE_TYPES]);
    const brand: Brand = { workspaceName: workspace.name, color: workspace.brandColor ?? BRAND_COLOR, logoUrl: workspace.logoUrl };
    const payloads = wanted.map((m) => ({ m, p: JSON.parse(m.payload) as Record<string, unknown> }));
    const personIds = [...new Set(payloads.map(({ p }) => String(p.personId ?? '')).filter(Boolean))];
    const off = new Set((await repo.unsubscribed(ws, personIds)).map((r) => `${r.person_id}|${r.type}`));
    const prefs = new Map((await repo.preferences(ws, personIds)).map((r) => [`${r.person_id}|${r.type}`, r]));
    const settings = new Map((await repo.settings(ws, personIds)).map((r) => [r.person_id, r]));
    const recipients: Map<string, Recipient> = await deps.people.recipients(ws, personIds);
    const now = deps.clock.now();
    for (const { m, p } of payloads) {
      const type = m.topic as MessageType;
      const personId = typeof p.personId === 'string' ? p.personId : null;
      if (!personId) continue;
      // A goal's tier pays through points.awarded too; its own message says more.
      if (type === 'points.awarded' && typeof p.ruleId === 'string' && p.ruleId.startsWith('goal:')) continue;
      const pref = prefs.get(`${personId}|${type}`);
      const person = recipients.get(personId);
      if (!person || person.erasedAt) continue;
      const toInboxToo = pref ? pref.inbox === 1 : true;
      const byEmail = !!person.email && !off.has(`${personId}|${type}`);
      if (!toInboxToo && !byEmail) continue;
      const program = typeof p.programId === 'string' ? await once(`prg:${p.programId}`, () => deps.programs.get(sys, p.programId as string)) : null;
      const vars: Record<string, string> = {
        personName: person.name ?? 'there',
        workspaceName: workspace.name,
        pointsLabel: workspace.pointsLabel,
        programName: program?.name ?? 'your program',
        points: String(p.points ?? ''),
      };
      if (type === 'points.awarded') {
        const rule = program?.rules.find((r) => r.id === p.ruleId);
        vars.ruleName = typeof rule?.name === 'string' ? rule.name : 'an award';
      } else {
        const goal = typeof p.goalId === 'string' ? await once(`gol:${p.goalId}`, () => deps.programs.goals.get(sys, p.goalId as string)) : null;
        vars.goalName = goal?.name ?? 'your goal';
        vars.tierPercent = String(p.tierPercent ?? '');
      }
      // Messages that bring their own values (communication plans, cadence alerts: plans.service.ts).
      if (p.vars && typeof p.vars === 'object') for (const [k, v] of Object.entries(p.vars as Record<string, unknown>)) vars[k] = String(v);
      const tpl = pick(overrides, type, person.locale ?? workspace.locale);
      const unsubscribe = unsubscribeUrl(ws, personId, type);
      const out = render(tpl, type, vars, brand, unsubscribe);
      const sourceKey = `${m.id}|${personId}`;
      const data = JSON.stringify({ ...p, ...vars });
      const timezone = person.timezone ?? workspace.timezone;
      const frequency = pref?.frequency ?? 'immediate';
      if (frequency !== 'immediate') {
        digestItems.push({ workspace_id: ws, id: deps.ids.next('dgi'), person_id: personId, type, frequency, title: out.subject, body: out.text, data, source_key: sourceKey, inbox: toInboxToo ? 1 : 0, email: byEmail ? 1 : 0, due_at: digestDueAt(frequency, timezone, now), digest_id: null, created_at: now });
        continue;
      }
      if (toInboxToo) inbox.push({ workspace_id: ws, id: deps.ids.next('inb'), person_id: personId, type, title: out.subject, body: out.text, data, source_key: sourceKey, read_at: null, created_at: now });
      if (byEmail) {
        const quiet = quietHoursOf(settings.get(personId), workspace.quietHours);
        emails.push({ workspace_id: ws, id: deps.ids.next('eml'), person_id: personId, type, to_address: person.email!, subject: out.subject, text: out.emailText, html: out.emailHtml, unsubscribe_url: unsubscribe, source_key: sourceKey, status: 'pending', attempts: 0, last_error: null, created_at: now, sent_at: null, send_after: holdUntil(type, quiet, timezone, now) });
      }
    }
    return made;
  }

  /** The outbox work item that sends an email: due at once, or when quiet hours end. */
  const emailWork = (ws: string, e: EmailsTable): OutboxTable => ({ workspace_id: ws, id: e.id, topic: EMAIL_TOPIC, payload: '{}', status: 'pending', attempts: 0, available_at: e.send_after ?? e.created_at, created_at: e.created_at, lease_until: null, claimed_by: null, last_error: null, settled_at: null, give_up_at: null });

  /** Writes what prepare() made, in the caller's transaction; answers the email work items for the outbox. */
  async function write(tx: AnyDb, ws: string, made: Awaited<ReturnType<typeof prepare>>): Promise<OutboxTable[]> {
    await repo.insertInbox(tx, made.inbox);
    await repo.insertDigestItems(tx, made.digestItems);
    const inserted = new Set(await repo.insertEmails(tx, made.emails));
    return made.emails.filter((e) => inserted.has(e.id)).map((e) => emailWork(ws, e));
  }

  /** A digest's messages as an HTML list, from escaped lines. */
  const digestList = (lines: string[]) => `<ul>${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`;

  /** One line of a digest per message it gathers. */
  const digestLine = (i: DigestItemsTable) => {
    const d = JSON.parse(i.data) as Record<string, unknown>;
    const about = [d.ruleName, d.programName].filter((x): x is string => typeof x === 'string' && x !== '');
    return about.length ? `${i.title} — ${about.join(', ')}` : i.title;
  };

  /**
   * Sends the digests that are due: each person's waiting items become one inbox message and,
   * if any of them was wanted by email, one email (held by quiet hours like any other). Taking
   * the items and writing the digest are one transaction, so a digest is made once, even with
   * several workers. Answers how many digests were made.
   */
  async function runDigests(limit = 100): Promise<number> {
    const now = deps.clock.now();
    const due = await repo.dueDigests(now, limit);
    let made = 0;
    for (const [ws, owners] of groupByWorkspace(due)) {
      const workspace = await deps.workspaces.get(ws).catch(() => null);
      if (!workspace) continue;
      const overrides = await repo.templates(ws, ['digest']);
      const recipients: Map<string, Recipient> = await deps.people.recipients(ws, owners);
      const off = new Set((await repo.unsubscribed(ws, owners)).filter((r) => r.type === 'digest').map((r) => r.person_id));
      const settings = new Map((await repo.settings(ws, owners)).map((r) => [r.person_id, r]));
      const brand: Brand = { workspaceName: workspace.name, color: workspace.brandColor ?? BRAND_COLOR, logoUrl: workspace.logoUrl };
      for (const personId of owners) {
        const person = recipients.get(personId);
        const ok = await deps.db.transaction().execute(async (tx) => {
          const digestId = deps.ids.next('dig');
          const items = (await repo.takeDigestItems(tx, ws, personId, now, digestId)).sort((a, b) => (a.id < b.id ? -1 : 1));
          // Gone or erased: the items are taken and nothing is sent.
          if (!items.length || !person || person.erasedAt) return false;
          const lines = items.map(digestLine);
          const vars: Record<string, string> = {
            personName: person.name ?? 'there',
            workspaceName: workspace.name,
            pointsLabel: workspace.pointsLabel,
            count: String(items.length),
            period: items.some((i) => i.frequency === 'weekly') ? 'this week' : 'today',
            items: lines.map((l) => `• ${l}`).join('\n'),
          };
          const markup = { items: digestList(lines) };
          const tpl = pick(overrides, 'digest', person.locale ?? workspace.locale);
          const unsubscribe = unsubscribeUrl(ws, personId, 'digest');
          const out = render(tpl, 'digest', vars, brand, unsubscribe, markup);
          const data = JSON.stringify({ count: items.length, period: vars.period, items: items.map((i) => ({ type: i.type, title: i.title, createdAt: toIso(i.created_at) })) });
          const sourceKey = `digest:${digestId}`;
          if (items.some((i) => i.inbox)) await repo.insertInbox(tx, [{ workspace_id: ws, id: deps.ids.next('inb'), person_id: personId, type: 'digest', title: out.subject, body: out.text, data, source_key: sourceKey, read_at: null, created_at: now }]);
          if (person.email && !off.has(personId) && items.some((i) => i.email)) {
            const quiet = quietHoursOf(settings.get(personId), workspace.quietHours);
            const e: EmailsTable = { workspace_id: ws, id: deps.ids.next('eml'), person_id: personId, type: 'digest', to_address: person.email, subject: out.subject, text: out.emailText, html: out.emailHtml, unsubscribe_url: unsubscribe, source_key: sourceKey, status: 'pending', attempts: 0, last_error: null, created_at: now, sent_at: null, send_after: holdUntil('digest', quiet, person.timezone ?? workspace.timezone, now) };
            await repo.insertEmails(tx, [e]);
            await repo.insertOutbox(tx, [emailWork(ws, e)]);
          }
          return true;
        });
        if (ok) made++;
      }
    }
    return made;
  }

  /** Whose preferences: the caller's own person, or one a comms admin may see (404 otherwise). */
  async function preferencesOwner(ctx: AuthContext, personId?: string): Promise<string> {
    if (personId === undefined) {
      if (!ctx.personId) throw new AppError('not_found', { detail: 'This account is not linked to a participant, so it receives no messages' });
      return ctx.personId;
    }
    ctx.require('comms.manage');
    await deps.people.get(ctx, 'people', personId);
    return personId;
  }

  async function preferencesView(ws: string, personId: string): Promise<TNotificationPreferences> {
    const workspace = await deps.workspaces.get(ws);
    const person = (await deps.people.recipients(ws, [personId])).get(personId);
    if (!person) throw notFound('Person');
    const prefs = new Map((await repo.preferences(ws, [personId])).map((r) => [r.type, r]));
    const off = new Set((await repo.unsubscribed(ws, [personId])).map((r) => r.type));
    const [setting] = await repo.settings(ws, [personId]);
    return {
      personId,
      hasEmail: !!person.email,
      timezone: person.timezone ?? workspace.timezone,
      quietHoursSetting: !setting || setting.quiet_hours === null ? 'workspace' : setting.quiet_hours === 'off' ? 'off' : 'custom',
      quietHours: quietHoursOf(setting, workspace.quietHours),
      workspaceQuietHours: workspace.quietHours,
      digestEmail: !off.has('digest'),
      digestHour: DIGEST_HOUR,
      pendingDigestItems: await repo.pendingDigestCount(ws, personId),
      types: PREFERENCE_TYPES.map((type) => {
        const p = prefs.get(type);
        return { type, label: TYPE_LABELS[type], inbox: p ? p.inbox === 1 : true, email: !off.has(type), frequency: p?.frequency ?? 'immediate' };
      }),
    };
  }

  async function templateView(ctx: AuthContext, type: MessageType, locale: string): Promise<TTemplateView> {
    const overrides = (await repo.templates(ctx.workspaceId, [type])).filter((o) => o.locale === locale);
    const current = pick(overrides, type, locale);
    const fallback = pick([], type, locale);
    return {
      type,
      locale,
      subject: current.subject,
      text: current.text,
      html: current.html,
      overridden: current.overridden && current.locale === locale,
      variables: Object.entries(VARIABLES[type]).map(([name, description]) => ({ name, description })),
      defaults: { subject: fallback.subject, text: fallback.text, html: fallback.html },
    };
  }

  function checkVariables(type: MessageType, t: Partial<Template>) {
    const errors = (['subject', 'text', 'html'] as const).flatMap((f) => (t[f] === undefined ? [] : unknownVariables(type, t[f]).map((v) => ({ path: f, message: `unknown variable {{${v}}}; this type offers ${Object.keys(VARIABLES[type]).join(', ')}` }))));
    if (errors.length) throw new AppError('validation_failed', { detail: errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors });
  }

  return {
    prepare,
    write,
    runDigests,
    mailer,
    /** The emails of a batch of work items. */
    emailsByIds: (ws: string, ids: string[]) => repo.emailsByIds(ws, ids),
    /** Sends one email (or keeps it, without SMTP); answers how it went. */
    async send(e: EmailsTable): Promise<{ status: 'sent' | 'stored'; error: null } | { status: 'failed'; error: string }> {
      try {
        return { status: await mailer.send(e), error: null };
      } catch (err) {
        return { status: 'failed', error: String((err as Error)?.message ?? err).slice(0, 500) || 'send failed' };
      }
    },
    markEmail: (tx: AnyDb, ws: string, id: string, patch: Partial<EmailsTable>) => repo.updateEmail(tx, ws, id, patch),

    /** The signed-in participant's inbox, newest first (a caller with no person has none). */
    async listInbox(ctx: AuthContext, q: { limit: number; cursor?: string; unread?: boolean }) {
      if (!ctx.personId) return { data: [], nextCursor: null, unread: 0 };
      const rows = await repo.listInbox(ctx.workspaceId, ctx.personId, decodeCursor(q.cursor), q.limit + 1, !!q.unread);
      return { ...toPage(rows, q.limit, toInbox), unread: await repo.unreadCount(ctx.workspaceId, ctx.personId) };
    },
    async unreadCount(ctx: AuthContext) {
      return { unread: ctx.personId ? await repo.unreadCount(ctx.workspaceId, ctx.personId) : 0 };
    },
    async markRead(ctx: AuthContext, id: string) {
      if (!ctx.personId) throw notFound('Message');
      await repo.markRead(ctx.workspaceId, ctx.personId, id, deps.clock.now());
      const row = await repo.inboxMessage(ctx.workspaceId, ctx.personId, id);
      if (!row) throw notFound('Message');
      return toInbox(row);
    },
    async markAllRead(ctx: AuthContext) {
      if (!ctx.personId) return { marked: 0, unread: 0 };
      return { marked: await repo.markAllRead(ctx.workspaceId, ctx.personId, deps.clock.now()), unread: 0 };
    },

    async listSentMail(ctx: AuthContext, q: { limit: number; cursor?: string }) {
      ctx.require('comms.manage');
      const rows = await repo.listEmails(ctx.workspaceId, decodeCursor(q.cursor), q.limit + 1);
      return toPage(rows, q.limit, (r) => toSentMail(r, false));
    },
    async getSentMail(ctx: AuthContext, id: string) {
      ctx.require('comms.manage');
      const row = await repo.email(ctx.workspaceId, id);
      if (!row) throw notFound('Email');
      return toSentMail(row, true);
    },

    async listTemplates(ctx: AuthContext, locale: string) {
      ctx.require('comms.manage');
      return { data: await Promise.all(MESSAGE_TYPES.map((t) => templateView(ctx, t, locale))) };
    },
    async getTemplate(ctx: AuthContext, type: MessageType, locale: string) {
      ctx.require('comms.manage');
      return templateView(ctx, type, locale);
    },
    async putTemplate(ctx: AuthContext, type: MessageType, input: TPutTemplate) {
      ctx.require('comms.manage');
      checkVariables(type, input);
      const row: MessageTemplatesTable = { workspace_id: ctx.workspaceId, type, locale: input.locale, subject: input.subject, text: input.text, html: input.html, updated_by: `${ctx.actor.type}:${ctx.actor.id}`, updated_at: deps.clock.now() };
      const before = await repo.template(ctx.workspaceId, type, input.locale);
      await deps.db.transaction().execute(async (tx) => {
        await repo.upsertTemplate(tx, row);
        await deps.audit.record(tx, ctx, { action: 'message_template.updated', targetType: 'message_template', targetId: `${type}:${input.locale}`, before: before ? { subject: before.subject, text: before.text, html: before.html } : undefined, after: { subject: row.subject, text: row.text, html: row.html } });
      });
      return templateView(ctx, type, input.locale);
    },
    /** Back to the default for that locale. */
    async resetTemplate(ctx: AuthContext, type: MessageType, locale: string) {
      ctx.require('comms.manage');
      await deps.db.transaction().execute(async (tx) => {
        const r = await repo.deleteTemplate(tx, ctx.workspaceId, type, locale);
        if (Number(r.numDeletedRows) === 0) throw notFound('Template override');
        await deps.audit.record(tx, ctx, { action: 'message_template.reset', targetType: 'message_template', targetId: `${type}:${locale}` });
      });
      return templateView(ctx, type, locale);
    },
    /** The message with sample data: the stored template, or the draft given, as the inbox and an email show it. */
    async preview(ctx: AuthContext, type: MessageType, input: TPreviewTemplate) {
      ctx.require('comms.manage');
      checkVariables(type, input);
      const workspace = await deps.workspaces.get(ctx.workspaceId);
      const current = await templateView(ctx, type, input.locale);
      const tpl: Template = { subject: input.subject ?? current.subject, text: input.text ?? current.text, html: input.html ?? current.html };
      const vars: Record<string, string> = { ...SAMPLES[type], workspaceName: workspace.name, pointsLabel: workspace.pointsLabel };
      const markup = type === 'digest' ? { items: digestList(vars.items!.split('\n').map((l) => l.replace(/^• /, ''))) } : undefined;
      const out = render(tpl, type, vars, { workspaceName: workspace.name, color: workspace.brandColor ?? BRAND_COLOR, logoUrl: workspace.logoUrl }, `${deps.publicUrl}/api/v1/unsubscribe?token=preview`, markup);
      return { type, locale: input.locale, subject: out.subject, inboxTitle: out.subject, inboxBody: out.text, text: out.emailText, html: out.emailHtml, sample: vars };
    },

    /** Erasure (the people module calls it in its transaction): the person's messages and mail keep nothing of them. */
    scrubPerson: (tx: AnyDb, ws: string, personId: string) => repo.scrubPerson(tx, ws, personId),

    /** A participant's choices (the signed-in one's, or, for comms.manage, anyone's they may see). */
    async getPreferences(ctx: AuthContext, personId?: string): Promise<TNotificationPreferences> {
      const id = await preferencesOwner(ctx, personId);
      return preferencesView(ctx.workspaceId, id);
    },
    async putPreferences(ctx: AuthContext, input: TPutNotificationPreferences, personId?: string): Promise<TNotificationPreferences> {
      const id = await preferencesOwner(ctx, personId);
      const ws = ctx.workspaceId;
      const before = await preferencesView(ws, id);
      const [setting] = await repo.settings(ws, [id]);
      if (input.quietHoursSetting === 'custom' && !input.quietHours && !parseQuietHours(setting?.quiet_hours))
        throw invalid('quietHours', 'give the quiet hours (start and end) to use your own');
      const now = deps.clock.now();
      const current = new Map(before.types.map((t) => [t.type, t]));
      await deps.db.transaction().execute(async (tx) => {
        const rows = (input.types ?? []).map((t) => {
          const was = current.get(t.type)!;
          return { workspace_id: ws, person_id: id, type: t.type, inbox: (t.inbox ?? was.inbox) ? 1 : 0, frequency: t.frequency ?? was.frequency, updated_at: now };
        });
        await repo.upsertPreferences(tx, rows);
        const emailOn = (input.types ?? []).filter((t) => t.email === true).map((t) => t.type as string);
        const emailOff = (input.types ?? []).filter((t) => t.email === false).map((t) => t.type as string);
        if (input.digestEmail === true) emailOn.push('digest');
        if (input.digestEmail === false) emailOff.push('digest');
        await repo.resubscribe(tx, ws, id, emailOn);
        await repo.unsubscribeMany(tx, ws, id, emailOff, now);
        const mode = input.quietHoursSetting ?? (input.quietHours ? 'custom' : undefined);
        if (mode) {
          const own = input.quietHours ?? parseQuietHours(setting?.quiet_hours);
          await repo.upsertSettings(tx, { workspace_id: ws, person_id: id, quiet_hours: mode === 'workspace' ? null : mode === 'off' ? 'off' : formatQuietHours(own!), updated_at: now });
        }
        await deps.audit.record(tx, ctx, { action: 'notification_preferences.updated', targetType: 'person', targetId: id, after: input });
      });
      return preferencesView(ws, id);
    },

    /** One-click unsubscribe: email of that type off for that person. Needs no session: the token is signed. */
    async unsubscribe(token: string | undefined) {
      const claim = token ? verifyUnsubscribe(deps.secret, token) : null;
      if (!claim || !isType(claim.type)) throw invalid('token', 'not a valid unsubscribe link');
      await repo.unsubscribe(claim.workspaceId, claim.personId, claim.type, deps.clock.now());
      const workspace = await deps.workspaces.get(claim.workspaceId).catch(() => null);
      return { unsubscribed: true as const, type: claim.type, label: TYPE_LABELS[claim.type], workspaceName: workspace?.name ?? 'Tandem' };
    },
    /** What the unsubscribe page says before the click (the link is checked, nothing changes). */
    describeUnsubscribe(token: string | undefined) {
      const claim = token ? verifyUnsubscribe(deps.secret, token) : null;
      if (!claim || !isType(claim.type)) throw invalid('token', 'not a valid unsubscribe link');
      return { type: claim.type, label: TYPE_LABELS[claim.type] };
    },
  };
}
export type NotifyService = ReturnType<typeof createNotifyService>;
