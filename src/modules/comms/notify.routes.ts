import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { pageOf, ZPageQuery } from '../../core/http/pagination.js';
import { AppError } from '../../core/errors.js';
import { escapeHtml } from './messages.templates.js';
import type { NotifyService } from './notify.service.js';
import {
  ZEmailIdParam,
  ZInboxIdParam,
  ZInboxMessage,
  ZInboxPage,
  ZInboxQuery,
  ZLocaleQuery,
  ZMarkedAll,
  ZNotificationPreferences,
  ZPersonIdParam,
  ZPutNotificationPreferences,
  ZPreview,
  ZPreviewTemplate,
  ZPutTemplate,
  ZSentMail,
  ZTemplateView,
  ZTypeParam,
  ZUnread,
  ZUnsubscribed,
  ZUnsubscribeQuery,
} from './notify.schema.js';

/** A small page of its own: the unsubscribe link opens it from a mail client, with no session. */
const page = (title: string, body: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title>
<style>body{font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;background:#f4f5f7;color:#1f2937;display:flex;justify-content:center;padding:48px 16px}main{background:#fff;border-radius:8px;padding:32px;max-width:420px;box-shadow:0 1px 3px rgba(0,0,0,.1)}h1{font-size:20px;margin:0 0 12px}button{background:#1c7ed6;color:#fff;border:0;border-radius:6px;padding:10px 18px;font-size:15px;cursor:pointer}</style>
</head><body><main>${body}</main></body></html>`;

export const notifyRoutes = (notify: NotifyService): FastifyPluginAsyncZod => async (app) => {
  const tags = ['inbox'];
  app.get('/api/v1/me/inbox', {
    config: { access: 'self' },
    schema: { tags, summary: 'The signed-in participant’s messages, newest first, with the unread count', querystring: ZInboxQuery, response: { 200: ZInboxPage } },
  }, async (req) => notify.listInbox(req.auth, req.query));
  app.get('/api/v1/me/inbox/unread-count', {
    config: { access: 'self' },
    schema: { tags, summary: 'How many of the participant’s messages are unread', response: { 200: ZUnread } },
  }, async (req) => notify.unreadCount(req.auth));
  app.post('/api/v1/me/inbox/:id/read', {
    config: { access: 'self' },
    schema: { tags, summary: 'Mark one message read', params: ZInboxIdParam, response: { 200: ZInboxMessage } },
  }, async (req) => notify.markRead(req.auth, req.params.id));
  app.post('/api/v1/me/inbox/read-all', {
    config: { access: 'self' },
    schema: { tags, summary: 'Mark every message read', response: { 200: ZMarkedAll } },
  }, async (req) => notify.markAllRead(req.auth));

  const ptags = ['notification-preferences'];
  app.get('/api/v1/me/notification-preferences', {
    config: { access: 'self' },
    schema: { tags: ptags, summary: 'The signed-in participant’s choices: per message type inbox, email and frequency; quiet hours; digests', response: { 200: ZNotificationPreferences } },
  }, async (req) => notify.getPreferences(req.auth));
  app.put('/api/v1/me/notification-preferences', {
    config: { access: 'self' },
    schema: { tags: ptags, summary: 'Change some of the signed-in participant’s choices (what is not given stays)', body: ZPutNotificationPreferences, response: { 200: ZNotificationPreferences } },
  }, async (req) => notify.putPreferences(req.auth, req.body));
  app.get('/api/v1/people/:id/notification-preferences', {
    config: { access: 'comms.manage' },
    schema: { tags: ptags, summary: 'A participant’s choices, for an admin helping them', params: ZPersonIdParam, response: { 200: ZNotificationPreferences } },
  }, async (req) => notify.getPreferences(req.auth, req.params.id));
  app.put('/api/v1/people/:id/notification-preferences', {
    config: { access: 'comms.manage' },
    schema: { tags: ptags, summary: 'Change a participant’s choices on their behalf (audited)', params: ZPersonIdParam, body: ZPutNotificationPreferences, response: { 200: ZNotificationPreferences } },
  }, async (req) => notify.putPreferences(req.auth, req.body, req.params.id));

  const manage = { access: 'comms.manage' as const };
  app.get('/api/v1/sent-mail', {
    config: manage,
    schema: { tags: ['mail'], summary: 'Emails, newest first: sent by SMTP, or stored when SMTP_URL is not set', querystring: ZPageQuery.strict(), response: { 200: pageOf(ZSentMail) } },
  }, async (req) => notify.listSentMail(req.auth, req.query));
  app.get('/api/v1/sent-mail/:id', {
    config: manage,
    schema: { tags: ['mail'], summary: 'One email with its text and HTML parts', params: ZEmailIdParam, response: { 200: ZSentMail } },
  }, async (req) => notify.getSentMail(req.auth, req.params.id));

  const ttags = ['message-templates'];
  app.get('/api/v1/message-templates', {
    config: manage,
    schema: { tags: ttags, summary: 'Every message type’s template for a locale', querystring: ZLocaleQuery, response: { 200: z.object({ data: z.array(ZTemplateView) }) } },
  }, async (req) => notify.listTemplates(req.auth, req.query.locale));
  app.get('/api/v1/message-templates/:type', {
    config: manage,
    schema: { tags: ttags, summary: 'A message type’s template (the workspace’s override or the default), its variables', params: ZTypeParam, querystring: ZLocaleQuery, response: { 200: ZTemplateView } },
  }, async (req) => notify.getTemplate(req.auth, req.params.type, req.query.locale));
  app.put('/api/v1/message-templates/:type', {
    config: manage,
    schema: { tags: ttags, summary: 'Override the default template for a locale', params: ZTypeParam, body: ZPutTemplate, response: { 200: ZTemplateView } },
  }, async (req) => notify.putTemplate(req.auth, req.params.type, req.body));
  app.delete('/api/v1/message-templates/:type', {
    config: manage,
    schema: { tags: ttags, summary: 'Drop the override: back to the default', params: ZTypeParam, querystring: ZLocaleQuery, response: { 200: ZTemplateView } },
  }, async (req) => notify.resetTemplate(req.auth, req.params.type, req.query.locale));
  app.post('/api/v1/message-templates/:type/preview', {
    config: manage,
    schema: { tags: ttags, summary: 'Render the template (or a draft) with sample data, as the inbox and an email show it', params: ZTypeParam, body: ZPreviewTemplate, response: { 200: ZPreview } },
  }, async (req) => notify.preview(req.auth, req.params.type, req.body));

  await app.register(unsubscribeRoutes(notify));
};

/** Public: the link in every email. Its own scope, so only it parses the one-click form. */
const unsubscribeRoutes = (notify: NotifyService): FastifyPluginAsyncZod => async (app) => {
  // RFC 8058: a mail client posts the form List-Unsubscribe=One-Click (and so does the page
  // below); that form is the only one this route takes, any other body in this type is a 415.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => {
    const form = new URLSearchParams(body as string);
    if (form.get('List-Unsubscribe') !== 'One-Click') return done(new AppError('unsupported_media_type', { detail: 'Send the form List-Unsubscribe=One-Click, or JSON' }), undefined);
    done(null, { 'List-Unsubscribe': 'One-Click' });
  });
  const utags = ['mail'];
  app.get('/api/v1/unsubscribe', {
    config: { access: 'public' },
    schema: { tags: utags, summary: 'The page an unsubscribe link opens (asks to confirm; changes nothing)', querystring: ZUnsubscribeQuery },
  }, async (req, reply) => {
    const what = notify.describeUnsubscribe(req.query.token);
    const form = `<form method="post" action="?token=${escapeHtml(encodeURIComponent(req.query.token))}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`;
    return reply.type('text/html; charset=utf-8').send(page('Unsubscribe', `<h1>Stop ${escapeHtml(what.label)} emails?</h1><p>You will still see these messages in your Tandem inbox.</p>${form}`));
  });
  app.post('/api/v1/unsubscribe', {
    config: { access: 'public' },
    schema: { tags: utags, summary: 'One-click unsubscribe (RFC 8058): turns email of that type off for that person; no session needed', querystring: ZUnsubscribeQuery, response: { 200: ZUnsubscribed } },
  }, async (req, reply) => {
    const done = await notify.unsubscribe(req.query.token);
    if (String(req.headers.accept ?? '').includes('text/html'))
      return reply.type('text/html; charset=utf-8').send(page('Unsubscribed', `<h1>You are unsubscribed</h1><p>${escapeHtml(done.workspaceName)} will no longer email you about ${escapeHtml(done.label)}. You will still see these messages in your inbox.</p>`) as never);
    return done;
  });
};
