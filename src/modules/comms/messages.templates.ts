// The messages participants receive: their types, the variables each offers, the default
// templates (in code, per locale) and the renderer. `{{name}}` inserts a variable; in the HTML
// part it is always HTML-escaped, so a rule named "<b>" shows as text, never as markup.

/** An order's steps (the rewards module, redemptions), and the late alert to reward managers. */
export const ORDER_TYPES = ['order.placed', 'order.approved', 'order.processing', 'order.shipped', 'order.delivered', 'order.cancelled', 'order.late'] as const;

/** A survey's invitation and its reminder (the surveys module; issue #7). */
export const SURVEY_TYPES = ['survey.invitation', 'survey.reminder'] as const;

/** The message types participants are told about (each from the domain message of the same name). */
export const MESSAGE_TYPES = ['points.awarded', 'goal.tier_reached', 'program.launch', 'program.progress', 'program.ending_reminder', 'program.announcement', 'cadence.below_target', 'digest', ...ORDER_TYPES, 'rewards.codes_low', ...SURVEY_TYPES] as const;
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

/** What every order message offers. */
const ORDER_VARIABLES = {
  personName: COMMON.personName,
  workspaceName: COMMON.workspaceName,
  pointsLabel: COMMON.pointsLabel,
  points: 'the points the order cost (refunded, for a cancellation)',
  rewardTitle: 'the reward ordered',
  quantity: 'how many',
  orderId: 'the order’s id (red_…)',
  status: 'the order’s status',
  promisedBy: 'the day delivery is promised by (UTC)',
  ordersUrl: 'the link to the participant’s orders',
} as const;

const ORDER_SAMPLE = {
  personName: 'Dana Example',
  workspaceName: 'Acme',
  pointsLabel: 'points',
  points: '2,500',
  rewardTitle: 'Branded hoodie',
  quantity: '1',
  orderId: 'red_01jd3v2k5x8m4q7r9t1w3y5z7b',
  status: 'shipped',
  promisedBy: '15 December 2026',
  ordersUrl: 'https://tandem.example/orders',
};

/** What a communication plan's messages offer (also inside a custom announcement's own subject and text). */
export const PLAN_VARIABLES = {
  personName: COMMON.personName,
  workspaceName: COMMON.workspaceName,
  pointsLabel: COMMON.pointsLabel,
  programName: COMMON.programName,
  balance: 'the participant’s balance',
  programPoints: 'the points the participant earned in this program',
  goalSummary: 'one line per goal of the program: the participant’s attainment',
  endsOn: 'the program’s last day (or “no end date”)',
  daysLeft: 'the time left, as “7 days”',
  homeUrl: 'the link to the participant’s home page',
} as const;

/** What a survey's invitation and reminder offer. */
const SURVEY_VARIABLES = {
  personName: COMMON.personName,
  workspaceName: COMMON.workspaceName,
  surveyTitle: 'the survey’s title',
  surveyUrl: 'the person’s own link to take the survey (it works once)',
  closesOn: 'the survey’s last day (or “no end date”)',
  privacyNote: 'one sentence on what the survey keeps: anonymous, confidential or identified',
} as const;
const SURVEY_SAMPLE = {
  personName: 'Dana Example',
  workspaceName: 'Acme',
  surveyTitle: 'Employee engagement survey',
  surveyUrl: 'https://tandem.example/s/example-token',
  closesOn: 'Thursday 31 December 2026',
  privacyNote: 'Your answers are anonymous: nothing links them to you.',
};

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
  'program.launch': { ...PLAN_VARIABLES, programDescription: 'the program’s description' },
  'program.progress': PLAN_VARIABLES,
  'program.ending_reminder': PLAN_VARIABLES,
  'program.announcement': { ...PLAN_VARIABLES, subject: 'the announcement’s subject, as written in the plan', message: 'the announcement’s text, as written in the plan' },
  'cadence.below_target': {
    personName: 'the name of the person alerted',
    workspaceName: COMMON.workspaceName,
    programName: COMMON.programName,
    share: 'the share of participants reached, as “62%”',
    target: 'the target share, as “80%”',
    windowDays: 'the days looked back',
    reached: 'how many participants got a message in the window',
    audienceSize: 'how many participants the program has',
    notReached: 'how many participants got no message in the window',
    cadenceUrl: 'the link to the program’s communication page',
  },
  'order.placed': { ...ORDER_VARIABLES, nextStep: 'what happens next (approval, or the steps to delivery)' },
  'order.approved': ORDER_VARIABLES,
  'order.processing': ORDER_VARIABLES,
  'order.shipped': { ...ORDER_VARIABLES, carrier: 'the carrier', trackingNumber: 'the tracking number', trackingUrl: 'the tracking link (the participant’s orders page when the carrier gave none)' },
  'order.delivered': ORDER_VARIABLES,
  'order.cancelled': { ...ORDER_VARIABLES, outcome: '“was cancelled”, “was not approved” or “could not be fulfilled”', reason: 'the reason given' },
  'order.late': {
    personName: 'the name of the reward manager alerted',
    workspaceName: COMMON.workspaceName,
    rewardTitle: 'the reward ordered',
    orderId: 'the order’s id (red_…)',
    status: 'the order’s status',
    participantName: 'who ordered it',
    promisedBy: 'the day delivery was promised by (UTC)',
    daysLate: 'whole days past the promise',
    ordersUrl: 'the link to the order in the fulfilment queue',
  },
  'rewards.codes_low': {
    personName: 'the name of the person alerted',
    workspaceName: COMMON.workspaceName,
    rewardTitle: 'the reward (with its variant, if it has variants)',
    available: 'how many codes are left to give',
    threshold: 'the low-stock threshold',
    codesUrl: 'the link to the reward’s fulfilment page (upload more codes there)',
  },
  'survey.invitation': SURVEY_VARIABLES,
  'survey.reminder': SURVEY_VARIABLES,
};

const PLAN_SAMPLE = {
  personName: 'Dana Example',
  workspaceName: 'Acme',
  pointsLabel: 'points',
  programName: 'Customer Heroes',
  balance: '1,250',
  programPoints: '800',
  goalSummary: '- Quarterly renewals: 84% of 20\n- Five-star reviews: 3 so far',
  endsOn: 'Thursday 31 December 2026',
  daysLeft: '7 days',
  homeUrl: 'https://tandem.example/',
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
  'program.launch': { ...PLAN_SAMPLE, programDescription: 'Resolve tickets, delight customers and earn points you can spend in the catalog.' },
  'program.progress': PLAN_SAMPLE,
  'program.ending_reminder': PLAN_SAMPLE,
  'program.announcement': { ...PLAN_SAMPLE, subject: 'Double points this Friday', message: 'Hi Dana Example,\n\nEvery ticket resolved this Friday earns double points in Customer Heroes.' },
  'order.placed': { ...ORDER_SAMPLE, status: 'placed', nextStep: 'We will let you know at each step until it is delivered.' },
  'order.approved': { ...ORDER_SAMPLE, status: 'placed' },
  'order.processing': { ...ORDER_SAMPLE, status: 'processing' },
  'order.shipped': { ...ORDER_SAMPLE, carrier: 'DHL', trackingNumber: 'JD014600006281230704', trackingUrl: 'https://www.dhl.com/track?id=JD014600006281230704' },
  'order.delivered': { ...ORDER_SAMPLE, status: 'delivered' },
  'order.cancelled': { ...ORDER_SAMPLE, status: 'failed', outcome: 'could not be fulfilled', reason: 'The supplier discontinued this hoodie.' },
  'order.late': { personName: 'Pat Manager', workspaceName: 'Acme', rewardTitle: 'Branded hoodie', orderId: 'red_01jd3v2k5x8m4q7r9t1w3y5z7b', status: 'processing', participantName: 'Dana Example', promisedBy: '15 December 2026', daysLate: '2', ordersUrl: 'https://tandem.example/fulfilment?order=red_01jd3v2k5x8m4q7r9t1w3y5z7b' },
  'survey.invitation': SURVEY_SAMPLE,
  'survey.reminder': SURVEY_SAMPLE,
  'cadence.below_target': { personName: 'Pat Manager', workspaceName: 'Acme', programName: 'Customer Heroes', share: '62%', target: '80%', windowDays: '14', reached: '31', audienceSize: '50', notReached: '19', cadenceUrl: 'https://tandem.example/programs/prg_example' },
  'rewards.codes_low': { personName: 'Pat Manager', workspaceName: 'Acme', rewardTitle: 'Coffee gift card (€10)', available: '9', threshold: '10', codesUrl: 'https://tandem.example/admin/rewards/rwd_example/fulfilment' },
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
  'program.launch': {
    en: {
      subject: '{{programName}} is live',
      text: 'Hi {{personName}},\n\n{{programName}} has started. {{programDescription}}\n\nSee what you can earn: {{homeUrl}}',
      html: '<p>Hi {{personName}},</p>\n<p><strong>{{programName}}</strong> has started. {{programDescription}}</p>\n<p><a href="{{homeUrl}}">See what you can earn</a></p>',
    },
  },
  'program.progress': {
    en: {
      subject: 'Your progress in {{programName}}',
      text: 'Hi {{personName}},\n\nHere is where you stand in {{programName}}:\n\n- Balance: {{balance}} {{pointsLabel}}\n- Earned in this program: {{programPoints}} {{pointsLabel}}\n{{goalSummary}}\n\nSee the details: {{homeUrl}}',
      html: '<p>Hi {{personName}},</p>\n<p>Here is where you stand in <strong>{{programName}}</strong>:</p>\n<p>Balance: <strong>{{balance}} {{pointsLabel}}</strong><br>Earned in this program: <strong>{{programPoints}} {{pointsLabel}}</strong></p>\n<p style="white-space:pre-line">{{goalSummary}}</p>\n<p><a href="{{homeUrl}}">See the details</a></p>',
    },
  },
  'program.ending_reminder': {
    en: {
      subject: '{{programName}} ends in {{daysLeft}}',
      text: 'Hi {{personName}},\n\n{{programName}} ends on {{endsOn}}. You have earned {{programPoints}} {{pointsLabel}} in it so far, and your balance is {{balance}} {{pointsLabel}}.\n{{goalSummary}}\n\nThere is still time: {{homeUrl}}',
      html: '<p>Hi {{personName}},</p>\n<p><strong>{{programName}}</strong> ends on <strong>{{endsOn}}</strong>. You have earned {{programPoints}} {{pointsLabel}} in it so far, and your balance is <strong>{{balance}} {{pointsLabel}}</strong>.</p>\n<p style="white-space:pre-line">{{goalSummary}}</p>\n<p><a href="{{homeUrl}}">There is still time</a></p>',
    },
  },
  'program.announcement': {
    en: {
      subject: '{{subject}}',
      text: '{{message}}',
      html: '<p style="white-space:pre-line">{{message}}</p>',
    },
  },
  'cadence.below_target': {
    en: {
      subject: '{{programName}}: {{share}} of participants heard from it (target {{target}})',
      text: 'Hi {{personName}},\n\nIn the last {{windowDays}} days, {{reached}} of the {{audienceSize}} participants of {{programName}} ({{share}}) received a message; the target is {{target}}. {{notReached}} heard nothing.\n\nSee who, and plan a message: {{cadenceUrl}}',
      html: '<p>Hi {{personName}},</p>\n<p>In the last {{windowDays}} days, {{reached}} of the {{audienceSize}} participants of <strong>{{programName}}</strong> (<strong>{{share}}</strong>) received a message; the target is {{target}}. {{notReached}} heard nothing.</p>\n<p><a href="{{cadenceUrl}}">See who, and plan a message</a></p>',
    },
  },
  'order.placed': {
    en: {
      subject: 'Your order: {{rewardTitle}}',
      text: 'Hi {{personName}},\n\nWe received your order of {{quantity}} × {{rewardTitle}} for {{points}} {{pointsLabel}}. {{nextStep}} Delivery is promised by {{promisedBy}}.\n\nFollow it here: {{ordersUrl}}',
      html: '<p>Hi {{personName}},</p>\n<p>We received your order of {{quantity}} × <strong>{{rewardTitle}}</strong> for <strong>{{points}} {{pointsLabel}}</strong>. {{nextStep}} Delivery is promised by <strong>{{promisedBy}}</strong>.</p>\n<p><a href="{{ordersUrl}}">Follow your order</a></p>',
    },
  },
  'order.approved': {
    en: {
      subject: 'Approved: {{rewardTitle}}',
      text: 'Hi {{personName}},\n\nYour order of {{rewardTitle}} was approved and is on its way to being fulfilled. Delivery is promised by {{promisedBy}}.\n\nFollow it here: {{ordersUrl}}',
      html: '<p>Hi {{personName}},</p>\n<p>Your order of <strong>{{rewardTitle}}</strong> was approved and is on its way to being fulfilled. Delivery is promised by <strong>{{promisedBy}}</strong>.</p>\n<p><a href="{{ordersUrl}}">Follow your order</a></p>',
    },
  },
  'order.processing': {
    en: {
      subject: 'Being prepared: {{rewardTitle}}',
      text: 'Hi {{personName}},\n\nYour order of {{rewardTitle}} is being prepared. Delivery is promised by {{promisedBy}}.\n\nFollow it here: {{ordersUrl}}',
      html: '<p>Hi {{personName}},</p>\n<p>Your order of <strong>{{rewardTitle}}</strong> is being prepared. Delivery is promised by <strong>{{promisedBy}}</strong>.</p>\n<p><a href="{{ordersUrl}}">Follow your order</a></p>',
    },
  },
  'order.shipped': {
    en: {
      subject: 'Shipped: {{rewardTitle}}',
      text: 'Hi {{personName}},\n\nYour {{rewardTitle}} is on its way with {{carrier}}, tracking number {{trackingNumber}}.\n\nTrack it: {{trackingUrl}}',
      html: '<p>Hi {{personName}},</p>\n<p>Your <strong>{{rewardTitle}}</strong> is on its way with <strong>{{carrier}}</strong>, tracking number <strong>{{trackingNumber}}</strong>.</p>\n<p><a href="{{trackingUrl}}">Track the parcel</a> · <a href="{{ordersUrl}}">Your orders</a></p>',
    },
  },
  'order.delivered': {
    en: {
      subject: 'Delivered: {{rewardTitle}}',
      text: 'Hi {{personName}},\n\nYour {{rewardTitle}} was delivered. Enjoy it!\n\nYour orders: {{ordersUrl}}',
      html: '<p>Hi {{personName}},</p>\n<p>Your <strong>{{rewardTitle}}</strong> was delivered. Enjoy it!</p>\n<p><a href="{{ordersUrl}}">Your orders</a></p>',
    },
  },
  'order.cancelled': {
    en: {
      subject: 'Your order of {{rewardTitle}} {{outcome}}',
      text: 'Hi {{personName}},\n\nYour order of {{rewardTitle}} {{outcome}}: {{reason}}\n\nThe {{points}} {{pointsLabel}} it cost are back in your wallet.\n\nYour orders: {{ordersUrl}}',
      html: '<p>Hi {{personName}},</p>\n<p>Your order of <strong>{{rewardTitle}}</strong> {{outcome}}: {{reason}}</p>\n<p>The <strong>{{points}} {{pointsLabel}}</strong> it cost are back in your wallet.</p>\n<p><a href="{{ordersUrl}}">Your orders</a></p>',
    },
  },
  'order.late': {
    en: {
      subject: 'Late order: {{rewardTitle}} for {{participantName}}',
      text: 'Hi {{personName}},\n\nThe order {{orderId}} of {{rewardTitle}} for {{participantName}} was promised by {{promisedBy}} and is still {{status}} ({{daysLate}} day(s) late).\n\nOpen it in the fulfilment queue: {{ordersUrl}}',
      html: '<p>Hi {{personName}},</p>\n<p>The order {{orderId}} of <strong>{{rewardTitle}}</strong> for {{participantName}} was promised by <strong>{{promisedBy}}</strong> and is still <strong>{{status}}</strong> ({{daysLate}} day(s) late).</p>\n<p><a href="{{ordersUrl}}">Open it in the fulfilment queue</a></p>',
    },
  },
  'rewards.codes_low': {
    en: {
      subject: '{{rewardTitle}}: {{available}} codes left',
      text: 'Hi {{personName}},\n\n{{rewardTitle}} has {{available}} codes left to give, below its threshold of {{threshold}}. When none are left, participants cannot redeem it.\n\nUpload more codes: {{codesUrl}}',
      html: '<p>Hi {{personName}},</p>\n<p><strong>{{rewardTitle}}</strong> has <strong>{{available}}</strong> codes left to give, below its threshold of {{threshold}}. When none are left, participants cannot redeem it.</p>\n<p><a href="{{codesUrl}}">Upload more codes</a></p>',
    },
  },
  'survey.invitation': {
    en: {
      subject: 'Your view, please: {{surveyTitle}}',
      text: 'Hi {{personName}},\n\n{{workspaceName}} would like your view in {{surveyTitle}}. It takes a few minutes, and you can stop and come back: your answers are saved as you go.\n\n{{privacyNote}}\n\nOpen the survey: {{surveyUrl}}\n\nIt closes on {{closesOn}}. The link is yours alone and works once.',
      html: '<p>Hi {{personName}},</p>\n<p>{{workspaceName}} would like your view in <strong>{{surveyTitle}}</strong>. It takes a few minutes, and you can stop and come back: your answers are saved as you go.</p>\n<p>{{privacyNote}}</p>\n<p><a href="{{surveyUrl}}">Open the survey</a></p>\n<p>It closes on {{closesOn}}. The link is yours alone and works once.</p>',
    },
  },
  'survey.reminder': {
    en: {
      subject: 'Still time to answer: {{surveyTitle}}',
      text: 'Hi {{personName}},\n\nYou have not answered {{surveyTitle}} yet. If you started, your answers are waiting where you left them.\n\n{{privacyNote}}\n\nOpen the survey: {{surveyUrl}}\n\nIt closes on {{closesOn}}.',
      html: '<p>Hi {{personName}},</p>\n<p>You have not answered <strong>{{surveyTitle}}</strong> yet. If you started, your answers are waiting where you left them.</p>\n<p>{{privacyNote}}</p>\n<p><a href="{{surveyUrl}}">Open the survey</a></p>\n<p>It closes on {{closesOn}}.</p>',
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
  'program.launch': 'program launch',
  'program.progress': 'progress statement',
  'program.ending_reminder': 'program ending reminder',
  'program.announcement': 'program announcement',
  'cadence.below_target': 'communication cadence alert',
  'rewards.codes_low': 'low code stock alert',
  digest: 'daily and weekly summary',
  'order.placed': 'order received',
  'order.approved': 'order approved',
  'order.processing': 'order being prepared',
  'order.shipped': 'order shipped',
  'order.delivered': 'order delivered',
  'order.cancelled': 'order cancelled or refunded',
  'order.late': 'late order alert',
  'survey.invitation': 'survey invitation',
  'survey.reminder': 'survey reminder',
};

export const emailText = (text: string, brand: Brand, unsubscribeUrl: string, typeLabel: string) =>
  `${text}\n\n--\n${brand.workspaceName}\nUnsubscribe from ${typeLabel} emails: ${unsubscribeUrl}\n`;
