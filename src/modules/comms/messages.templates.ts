// The messages participants receive: their types, the variables each offers, the default
// templates (in code, per locale) and the renderer. `{{name}}` inserts a variable; in the HTML
// part it is always HTML-escaped, so a rule named "<b>" shows as text, never as markup.

/** The message types participants are told about (each from the domain message of the same name). */
export const MESSAGE_TYPES = ['points.awarded', 'goal.tier_reached', 'digest'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** Comms' own types, made by comms rather than published by a domain module (no preference of their own). */
export const OWN_TYPES: readonly MessageType[] = ['digest'];
/** The types a participant chooses channels and a frequency for. */
export type PreferenceType = Exclude<MessageType, 'digest'>;
export const PREFERENCE_TYPES = MESSAGE_TYPES.filter((t): t is PreferenceType => !OWN_TYPES.includes(t));
/** Urgent types go out during quiet hours too (none yet: order codes and deliveries will be). */
export const URGENT_TYPES: ReadonlySet<MessageType> = new Set();

/** The locales with defaults in code; an override may be stored for any locale. */
export const DEFAULT_LOCALES = ['en'] as const;

export interface Template {
  subject: string;
  text: string;
  html: string;
}

const COMMON = {
  personName: 'the participant’s name',
  workspaceName: 'the workspace’s name',
  pointsLabel: 'what the workspace calls points',
  programName: 'the program',
  points: 'the points paid',
} as const;

/** Each type's variables, with what they hold (shown to admins beside the editor). */
export const VARIABLES: Record<MessageType, Record<string, string>> = {
  'points.awarded': { ...COMMON, ruleName: 'the rule that paid' },
  'goal.tier_reached': { ...COMMON, goalName: 'the goal', tierPercent: 'the tier reached, in percent of the target' },
  digest: {
    personName: COMMON.personName,
    workspaceName: COMMON.workspaceName,
    pointsLabel: COMMON.pointsLabel,
    count: 'how many messages the digest gathers',
    period: '“today” or “this week”',
    items: 'the messages, one per line (a list in the HTML part)',
  },
};

/** Sample values for the preview. */
export const SAMPLES: Record<MessageType, Record<string, string>> = {
  'points.awarded': { personName: 'Dana Example', workspaceName: 'Acme', pointsLabel: 'points', programName: 'Customer Heroes', points: '50', ruleName: 'Ticket resolved' },
  'goal.tier_reached': { personName: 'Dana Example', workspaceName: 'Acme', pointsLabel: 'points', programName: 'Customer Heroes', points: '500', goalName: 'Quarterly renewals', tierPercent: '100' },
  digest: {
    personName: 'Dana Example',
    workspaceName: 'Acme',
    pointsLabel: 'points',
    count: '3',
    period: 'today',
    items: '• You earned 50 points — Ticket resolved, Customer Heroes\n• You earned 50 points — Ticket resolved, Customer Heroes\n• You reached 100% of Quarterly renewals — Customer Heroes',
  },
};

export const DEFAULTS: Record<MessageType, Record<(typeof DEFAULT_LOCALES)[number], Template>> = {
  'points.awarded': {
    en: {
      subject: 'You earned {{points}} {{pointsLabel}}',
      text: 'Hi {{personName}},\n\nYou earned {{points}} {{pointsLabel}} for {{ruleName}} in {{programName}}. Keep it up!',
      html: '<p>Hi {{personName}},</p>\n<p>You earned <strong>{{points}} {{pointsLabel}}</strong> for {{ruleName}} in <strong>{{programName}}</strong>. Keep it up!</p>',
    },
  },
  'goal.tier_reached': {
    en: {
      subject: 'You reached {{tierPercent}}% of {{goalName}}',
      text: 'Hi {{personName}},\n\nYou reached {{tierPercent}}% of {{goalName}} in {{programName}} and earned {{points}} {{pointsLabel}}. Well done!',
      html: '<p>Hi {{personName}},</p>\n<p>You reached <strong>{{tierPercent}}%</strong> of {{goalName}} in <strong>{{programName}}</strong> and earned <strong>{{points}} {{pointsLabel}}</strong>. Well done!</p>',
    },
  },
  digest: {
    en: {
      subject: 'Your {{workspaceName}} summary: {{count}} updates {{period}}',
      text: 'Hi {{personName}},\n\nHere is what happened {{period}}:\n\n{{items}}',
      html: '<p>Hi {{personName}},</p>\n<p>Here is what happened {{period}}:</p>\n{{items}}',
    },
  },
};

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;

/** The variables a template text names that its type does not offer. */
export function unknownVariables(type: MessageType, text: string): string[] {
  const known = VARIABLES[type];
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((v) => !(v in known));
}

/**
 * Fills `{{name}}`; `html` escapes every value. An unknown name renders empty. `markup` gives,
 * for the HTML part only, values that are already HTML built by Tandem from escaped parts (a
 * digest's list of messages).
 */
export function fill(text: string, vars: Record<string, string>, html: boolean, markup?: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (_m, name: string) => {
    if (html && markup?.[name] !== undefined) return markup[name];
    const v = vars[name] ?? '';
    return html ? escapeHtml(v) : v;
  });
}

export interface Brand {
  workspaceName: string;
  /** a CSS colour for the header bar (#rrggbb) */
  color: string;
  /** a logo beside the name */
  logoUrl?: string | null;
}

/** The email around a rendered HTML body: the workspace's name, the body, the unsubscribe link. */
export function emailHtml(body: string, brand: Brand, unsubscribeUrl: string, typeLabel: string): string {
  const name = escapeHtml(brand.workspaceName);
  const logo = brand.logoUrl ? `<img src="${escapeHtml(brand.logoUrl)}" alt="" height="32" style="height:32px;vertical-align:middle;margin-right:12px;border:0">` : '';
  return `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${name}</title></head>
<body style="margin:0;background:#f4f5f7;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#1f2937">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7;padding:24px 12px"><tr><td align="center">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:8px;overflow:hidden">
<tr><td style="background:${escapeHtml(brand.color)};color:#ffffff;padding:16px 24px;font-size:18px;font-weight:600">${logo}${name}</td></tr>
<tr><td style="padding:24px;font-size:15px;line-height:1.5">${body}</td></tr>
<tr><td style="padding:16px 24px;border-top:1px solid #e5e7eb;font-size:12px;color:#6b7280">You receive this because you take part in a program of ${name}.
<a href="${escapeHtml(unsubscribeUrl)}" style="color:#6b7280">Unsubscribe from ${escapeHtml(typeLabel)} emails</a>.</td></tr>
</table></td></tr></table></body></html>`;
}

export const TYPE_LABELS: Record<MessageType, string> = {
  'points.awarded': 'points earned',
  'goal.tier_reached': 'goal tier reached',
  digest: 'daily and weekly summary',
};

export const emailText = (text: string, brand: Brand, unsubscribeUrl: string, typeLabel: string) =>
  `${text}\n\n--\n${brand.workspaceName}\nUnsubscribe from ${typeLabel} emails: ${unsubscribeUrl}\n`;
