import { systemContext } from '../core/auth.js';
import type { Services } from '../app.js';

export const DEMO = {
  slug: 'demo',
  name: 'Acme Demo',
  password: 'tandem-demo',
  admin: 'admin@demo.tandem.dev',
  manager: 'manager@demo.tandem.dev',
  participant: 'participant@demo.tandem.dev',
};

/** A small seeded generator, so the demo is the same on every machine. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!,
  };
}

const FIRST = ['Ada', 'Ben', 'Chloe', 'Dev', 'Elena', 'Farid', 'Grace', 'Hugo', 'Ines', 'Jonas', 'Kira', 'Liam', 'Maya', 'Noah', 'Olga', 'Priya', 'Quinn', 'Rosa', 'Sami', 'Tara', 'Umar', 'Vera', 'Wen', 'Xavier', 'Yara', 'Zoe', 'Aiko', 'Bruno', 'Carmen', 'Diego'];
const LAST = ['Adams', 'Baker', 'Chen', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Haddad', 'Ivanova', 'Jensen', 'Kowalski', 'Lopez', 'Moreau', 'Nakamura', 'Okafor', 'Patel', 'Rossi', 'Schmidt', 'Tanaka', 'Usman', 'Varga', 'Weber', 'Xu', 'Yilmaz', 'Zhang'];
const COMPANY_A = ['Blue', 'North', 'Bright', 'Silver', 'Green', 'Summit', 'Harbor', 'Pioneer', 'Vertex', 'Cedar', 'Atlas', 'Nova', 'Orbit', 'Crest', 'Maple', 'Iron', 'Golden', 'Lumen', 'Terra', 'Apex'];
const COMPANY_B = ['Logistics', 'Foods', 'Health', 'Retail', 'Energy', 'Systems', 'Labs', 'Motors', 'Finance', 'Media'];
const PARTNER_B = ['Solutions', 'Integrators', 'Consulting', 'Partners', 'Networks', 'IT Services'];
const REGIONS = ['North America', 'EMEA', 'APAC', 'LATAM'];

// [externalId, name, parent]
const TEAMS: [string, string, string | null][] = [
  ['T-HQ', 'Leadership', null],
  ['T-SALES', 'Sales', 'T-HQ'],
  ['T-SALES-EAST', 'Sales East', 'T-SALES'],
  ['T-SALES-WEST', 'Sales West', 'T-SALES'],
  ['T-INSIDE', 'Inside Sales', 'T-SALES'],
  ['T-CS', 'Customer Success', 'T-HQ'],
  ['T-SUPPORT', 'Support', 'T-HQ'],
  ['T-SUPPORT-L1', 'Support Tier 1', 'T-SUPPORT'],
  ['T-SUPPORT-L2', 'Support Tier 2', 'T-SUPPORT'],
  ['T-PARTNERS', 'Partner Management', 'T-HQ'],
  ['T-MARKETING', 'Marketing', 'T-HQ'],
  ['T-OPS', 'Operations', 'T-HQ'],
];
// employees per team, 150 in all
const SIZES: Record<string, number> = { 'T-HQ': 5, 'T-SALES': 4, 'T-SALES-EAST': 18, 'T-SALES-WEST': 18, 'T-INSIDE': 14, 'T-CS': 20, 'T-SUPPORT': 3, 'T-SUPPORT-L1': 22, 'T-SUPPORT-L2': 12, 'T-PARTNERS': 12, 'T-MARKETING': 12, 'T-OPS': 10 };

/** Creates the demo workspace unless it exists; answers what a newcomer needs to sign in. */
export async function seedDemo(s: Services) {
  const existing = (await s.workspaces.list()).find((w) => w.slug === DEMO.slug);
  if (existing) return { workspace: existing, created: false };
  const r = rng(20261123);
  const ws = await s.workspaces.create({ name: DEMO.name, slug: DEMO.slug, timezone: 'Europe/Paris', pointsLabel: 'points' });
  const ctx = systemContext(ws.id);
  const used = new Set<string>();
  const personName = () => {
    for (;;) {
      const n = `${r.pick(FIRST)} ${r.pick(LAST)}`;
      if (!used.has(n)) { used.add(n); return n; }
    }
  };
  const email = (name: string, domain: string) => `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@${domain}`;
  const check = (out: { summary: { rejected: number } }, what: string) => {
    if (out.summary.rejected) throw new Error(`demo seed: ${out.summary.rejected} ${what} rejected`);
  };

  check(await s.people.batch(ctx, 'teams', TEAMS.map(([externalId, name, parent]) => ({ externalId, name, parentExternalId: parent }))), 'teams');

  const employees: { externalId: string; name: string; email: string; teamExternalId: string; hireDate: string; attributes: Record<string, string> }[] = [];
  let n = 0;
  for (const [team] of TEAMS) {
    for (let i = 0; i < SIZES[team]!; i++) {
      const name = personName();
      n++;
      const year = r.int(2015, 2026);
      employees.push({
        externalId: `E${String(n).padStart(4, '0')}`,
        name,
        email: email(name, 'acme.example'),
        teamExternalId: team,
        hireDate: `${year}-${String(r.int(1, year === 2026 ? 10 : 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`,
        attributes: { region: r.pick(REGIONS), level: i === 0 ? 'manager' : r.pick(['associate', 'senior', 'lead']) },
      });
    }
  }
  check(await s.people.batch(ctx, 'people', employees.map((e) => ({ kind: 'employee', ...e }))), 'employees');
  // The first employee of each team manages it.
  check(await s.people.batch(ctx, 'teams', TEAMS.map(([externalId, name, parent]) => ({ externalId, name, parentExternalId: parent, managerExternalId: employees.find((e) => e.teamExternalId === externalId)!.externalId }))), 'team managers');

  const accounts: { kind: 'customer' | 'partner'; externalId: string; name: string; tier: string; region: string }[] = [];
  const names = new Set<string>();
  for (let i = 1; i <= 40; i++) {
    let name = '';
    do name = `${r.pick(COMPANY_A)} ${r.pick(COMPANY_B)}`; while (names.has(name));
    names.add(name);
    accounts.push({ kind: 'customer', externalId: `C${String(i).padStart(3, '0')}`, name, tier: r.pick(['gold', 'silver', 'silver', 'bronze', 'bronze']), region: r.pick(REGIONS) });
  }
  for (let i = 1; i <= 12; i++) {
    let name = '';
    do name = `${r.pick(COMPANY_A)} ${r.pick(PARTNER_B)}`; while (names.has(name));
    names.add(name);
    accounts.push({ kind: 'partner', externalId: `P${String(i).padStart(3, '0')}`, name, tier: r.pick(['platinum', 'gold', 'silver', 'registered']), region: r.pick(REGIONS) });
  }
  check(await s.people.batch(ctx, 'accounts', accounts), 'accounts');

  const contacts: Record<string, unknown>[] = [];
  for (const a of accounts) {
    const count = a.kind === 'customer' ? r.int(2, 5) : r.int(2, 4);
    const domain = `${a.name.toLowerCase().replace(/[^a-z]+/g, '-')}.example`;
    for (let i = 1; i <= count; i++) {
      const name = personName();
      contacts.push({
        kind: a.kind,
        externalId: `${a.externalId}-${i}`,
        name,
        email: email(name, domain),
        accountExternalId: a.externalId,
        attributes: { jobTitle: r.pick(a.kind === 'customer' ? ['Buyer', 'IT Manager', 'Operations Lead', 'CFO'] : ['Sales Rep', 'Pre-sales Engineer', 'Channel Manager']) },
      });
    }
  }
  check(await s.people.batch(ctx, 'people', contacts), 'contacts');

  const inTeam = (...teams: string[]) => employees.filter((e) => teams.includes(e.teamExternalId));
  const sales = inTeam('T-SALES-EAST', 'T-SALES-WEST', 'T-INSIDE');
  const success = inTeam('T-CS');
  const support = inTeam('T-SUPPORT-L1', 'T-SUPPORT-L2');
  const partnerMgrs = inTeam('T-PARTNERS');
  const assignments: Record<string, unknown>[] = [];
  for (const a of accounts) {
    const add = (who: { externalId: string }, role: string) =>
      assignments.push({ externalId: `${a.externalId}-${role}`, personExternalId: who.externalId, accountExternalId: a.externalId, role });
    if (a.kind === 'customer') {
      add(r.pick(sales), 'account_manager');
      add(r.pick(success), 'success');
      add(r.pick(support), 'support');
    } else {
      add(r.pick(partnerMgrs), 'account_manager');
      add(r.pick(sales), 'sales');
    }
  }
  check(await s.people.batch(ctx, 'assignments', assignments), 'assignments');

  await seedPrograms(s, ctx, r, { employees, contacts, accounts });
  const made = await seedRewards(s, ctx);

  const personId = async (externalId: string) => (await s.people.list(ctx, 'people', { limit: 1, externalId })).data[0]!.id as string;
  await s.access.createUser(ctx, { email: DEMO.admin, name: 'Demo Admin', role: 'owner', password: DEMO.password }, { instanceOwner: true });
  await s.access.createUser(ctx, { email: DEMO.manager, name: employees.find((e) => e.teamExternalId === 'T-SALES-EAST')!.name, role: 'manager', personId: await personId(employees.find((e) => e.teamExternalId === 'T-SALES-EAST')!.externalId), password: DEMO.password });
  const participant = await personId(employees[30]!.externalId);
  await s.access.createUser(ctx, { email: DEMO.participant, name: employees[30]!.name, role: 'participant', personId: participant, password: DEMO.password });
  await seedSurveys(s, ctx, r, participant);
  // Enough for the demo participant to have redeemed a gift card and still browse with points in hand.
  await s.ledger.adjust(ctx, participant, 2500, 'Welcome bonus');
  // The demo participant first, so their My orders page shows an order too.
  const staff = (await s.people.list(ctx, 'people', { limit: 200, kind: 'employee' })).data.map((p) => p.id as string);
  await seedOrders(s, ctx, r, made, [participant, ...staff.filter((id) => id !== participant)]);
  return { workspace: ws, created: true };
}

/**
 * Surveys with answers, so the results pages have something to show: last summer's engagement
 * survey (closed, a wave to compare with), this winter's (open, about two thirds answered; the
 * demo participant has not answered yet), an identified customer NPS (open, half answered), and
 * a partner satisfaction draft. Answers come from each team's mood plus noise, with engagement
 * leaning on management and recognition, so the driver analysis has a story to tell.
 */
async function seedSurveys(s: Services, ctx: ReturnType<typeof systemContext>, r: Rng, participant: string) {
  const DAY = 24 * 3600 * 1000;
  const ws = ctx.workspaceId;
  const moodOf = new Map<string, number>();
  const mood = (team: string | null) => {
    const key = team ?? '-';
    if (!moodOf.has(key)) moodOf.set(key, (r.next() - 0.45) * 1.6);
    return moodOf.get(key)!;
  };
  const scale = (x: number, min: number, max: number) => Math.max(min, Math.min(max, Math.round(x)));
  const noise = () => (r.next() + r.next() + r.next() - 1.5) * 1.2;
  const answerAll = async (surveyId: string, share: number, answers: (teamId: string | null) => Record<string, number | string>) => {
    for (const inv of await s.surveys.pendingInvitations(ws, surveyId)) {
      if (inv.personId === participant || r.next() > share) continue;
      await s.taking.submit(s.surveys.tokenOf(ws, inv.id), answers(inv.teamId), 'demo');
    }
  };
  const engagementAnswers = (lift: number) => (teamId: string | null) => {
    const m = mood(teamId) + lift;
    const d = { competence: 3.9, autonomy: 3.5, social_value: 3.8, management: 3.3, recognition: 3.0, growth: 3.2 } as Record<string, number>;
    const out: Record<string, number | string> = {};
    const felt: Record<string, number> = {};
    for (const [driver, base] of Object.entries(d)) felt[driver] = base + m + noise() * 0.7;
    for (const [driver, v] of Object.entries(felt)) for (const n of [1, 2]) out[`q_${driver === 'social_value' ? 'social' : driver}_${n}`] = scale(v + noise() * 0.4, 1, 5);
    const engaged = 0.45 * felt.management! + 0.35 * felt.recognition! + 0.2 * felt.growth! + noise() * 0.5;
    for (const n of [1, 2, 3]) out[`q_engagement_${n}`] = scale(engaged + noise() * 0.4, 1, 5);
    out.q_enps = scale((engaged - 1) * 2.5 + 1.8 + noise(), 0, 10);
    if (r.next() < 0.15) out.q_comment = r.pick(COMMENTS);
    return out;
  };

  const summer = await s.surveys.create(ctx, { template: 'employee-engagement', title: 'Engagement survey, summer', audience: { kinds: ['employee'] } });
  await s.surveys.open(ctx, summer.id);
  await answerAll(summer.id, 0.8, engagementAnswers(-0.25));
  await s.surveys.close(ctx, summer.id);

  const winter = await s.surveys.create(ctx, { template: 'employee-engagement', title: 'Engagement survey, winter', audience: { kinds: ['employee'] }, closesAt: new Date(Date.now() + 21 * DAY).toISOString(), reminderDays: [3, 7] });
  await s.surveys.open(ctx, winter.id);
  await answerAll(winter.id, 0.68, engagementAnswers(0));

  const nps = await s.surveys.create(ctx, { template: 'customer-nps', title: 'Customer NPS, Q4', audience: { kinds: ['customer'] } });
  await s.surveys.open(ctx, nps.id);
  await answerAll(nps.id, 0.5, (): Record<string, number | string> => {
    const score = scale(7.4 + noise() * 2.2, 0, 10);
    return score >= 9 ? { q_nps: score, q_why: r.pick(['Fast, friendly support.', 'The rewards program keeps us coming back.', 'Reliable deliveries.']) } : { q_nps: score };
  });
  await s.surveys.create(ctx, { template: 'partner-satisfaction', audience: { kinds: ['partner'] } });
}

const COMMENTS = [
  'Clearer priorities from leadership would help.',
  'More time for training, please.',
  'I would like to hear more often how my work lands with customers.',
  'Fewer meetings, more focus time.',
  'Recognition feels random; make it fairer.',
  'A clearer path to the next role.',
  'Better tools for the support queue.',
];

/** One catalog for all three kinds of participant, with a few rewards for one kind only. */
async function seedRewards(s: Services, ctx: ReturnType<typeof systemContext>) {
  const everyone = { kinds: ['employee', 'customer', 'partner'] as ('employee' | 'customer' | 'partner')[] };
  const rewards = [
    { title: 'Coffee voucher', kind: 'gift_card', cost: 500, category: 'Gift cards', description: 'A €5 voucher for the coffee chain of your choice, delivered as a code.', audience: everyone, provider: 'codes' },
    { title: 'Bookshop gift card', kind: 'gift_card', cost: 2500, category: 'Gift cards', description: 'A €25 card for books, e-books and audiobooks.', audience: everyone, provider: 'codes' },
    { title: 'Plant a tree', kind: 'donation', cost: 300, category: 'Giving', description: 'We plant a tree in your name with a reforestation partner.', audience: everyone, provider: 'manual' },
    { title: 'Insulated bottle', kind: 'merchandise', cost: 1800, category: 'Merchandise', description: 'Keeps drinks cold for 24 hours, with the Acme logo.', audience: everyone, stock: 40, provider: 'manual' },
    { title: 'Team hoodie', kind: 'merchandise', cost: 4000, category: 'Merchandise', description: 'Organic cotton, in navy.', audience: everyone, provider: 'manual', variants: [{ name: 'S', options: { size: 'S' }, stock: 10 }, { name: 'M', options: { size: 'M' }, stock: 15 }, { name: 'L', options: { size: 'L' }, stock: 12 }] },
    { title: 'Concert tickets for two', kind: 'experience', cost: 12000, category: 'Experiences', description: 'Two tickets for a concert of your choice near you.', audience: everyone, provider: 'manual', requiresApproval: true },
    { title: 'An afternoon off', kind: 'time_off', cost: 6000, category: 'Time', description: 'Half a day off, approved by your manager.', audience: { kinds: ['employee'] as ('employee' | 'customer' | 'partner')[] }, provider: 'manual', requiresApproval: true },
    { title: 'Partner of the quarter trophy', kind: 'recognition_award', cost: 15000, category: 'Recognition', description: 'An engraved trophy for your office, and a mention in our partner newsletter.', audience: { kinds: ['partner'] as ('employee' | 'customer' | 'partner')[] }, provider: 'manual' },
  ] as const;
  const made = [];
  for (const body of rewards) made.push(await s.rewards.create(ctx, body as unknown as Parameters<Services['rewards']['create']>[1]));
  return made;
}

/**
 * Codes for the two gift cards, and a few orders at every step, so the Orders page, the
 * delivery report, the Money page and participants' My orders have something to show.
 */
async function seedOrders(s: Services, ctx: ReturnType<typeof systemContext>, r: Rng, made: { id: string; title: string; cost: number; variants: { id: string }[] }[], people: string[]) {
  const byTitle = (t: string) => made.find((m) => m.title === t)!;
  for (const [title, prefix] of [['Coffee voucher', 'COFFEE'], ['Bookshop gift card', 'BOOKS']] as const) {
    const codes = Array.from({ length: 30 }, (_, i) => `DEMO-${prefix}-${String(1000 + i)}-${r.int(1000, 9999)}`);
    await s.codes.upload(ctx, byTitle(title).id, `code\n${codes.join('\n')}\n`);
  }
  const address = (name: string) => ({ name, line1: `${r.int(1, 90)} Rue de la République`, city: 'Lyon', postalCode: '69002', country: 'FR' });
  const balances = await s.ledger.walletBalances(ctx.workspaceId, people);
  const costOf = new Map(made.map((m) => [m.title, m.cost]));
  const used = new Set<string>();
  /** The first person not yet given an order who can afford this reward. */
  const buyer = (title: string) => people.find((p) => !used.has(p) && (balances.get(p) ?? 0) >= costOf.get(title)!);
  const plan: [string, (id: string) => Promise<unknown>][] = [
    ['Coffee voucher', async () => {}],
    ['Coffee voucher', async () => {}],
    ['Bookshop gift card', async () => {}],
    ['Plant a tree', (id) => s.redemptions.deliver(ctx, id, 'Tree planted in the Landes forest')],
    ['Insulated bottle', (id) => s.redemptions.ship(ctx, id, { carrier: 'Colissimo', trackingNumber: `6A${r.int(10000000, 99999999)}` })],
    ['Insulated bottle', async (id) => { await s.redemptions.ship(ctx, id, { carrier: 'DHL', trackingNumber: `JD01460000${r.int(1000, 9999)}` }); await s.redemptions.deliver(ctx, id); }],
    ['Insulated bottle', async () => {}],
    ['Team hoodie', (id) => s.redemptions.process(ctx, id)],
    ['Concert tickets for two', async () => {}],
    ['An afternoon off', async () => {}],
  ];
  for (const [title, next] of plan) {
    const personId = buyer(title);
    if (!personId) continue;
    used.add(personId);
    const reward = byTitle(title);
    const person = await s.people.get(ctx, 'people', personId);
    const order = await s.redemptions.redeem(ctx, { rewardId: reward.id, quantity: 1, personId, variantId: reward.variants[1]?.id, shipping: ['Insulated bottle', 'Team hoodie'].includes(title) ? address(String(person.name)) : undefined });
    await next(order.id);
  }
}

type Rng = ReturnType<typeof rng>;

/**
 * Four programs over the built-in vocabulary and about four months of events, so that every
 * page has something to show: partner steps to the sale, customer revenue that also rewards
 * the account team, a sales quota with tiers, and employee excellence for support and sales.
 */
async function seedPrograms(
  s: Services,
  ctx: ReturnType<typeof systemContext>,
  r: Rng,
  data: { employees: { externalId: string; teamExternalId: string }[]; contacts: Record<string, unknown>[]; accounts: { kind: string; externalId: string }[] },
) {
  const partner = await s.programs.create(ctx, {
    name: 'Partner steps to the sale',
    description: 'Rewards partner reps for the steps that lead to revenue: training, certification and registered deals.',
    audience: { kinds: ['partner'] },
    budget: 2_000_000,
    pointValueCents: 1,
    rules: [
      { name: 'Certification', on: 'certification.earned', award: { points: 500 }, cap: { times: 3, per: 'year' }, recipient: 'person' },
      { name: 'Training completed', on: 'training.completed', award: { points: 50 }, cap: { points: 200, per: 'month' }, recipient: 'person' },
      { name: 'Deal registered', on: 'deal.registered', award: { pointsPer: { fact: 'event.properties.dealValue', every: 100_000, points: 10, round: 'down' } }, recipient: 'person' },
    ],
  });
  const customer = await s.programs.create(ctx, {
    name: 'Customer revenue rewards',
    description: 'Customers earn on purchases at a healthy margin; the account managers who serve them share in it.',
    audience: { kinds: ['customer'] },
    budget: 5_000_000,
    pointValueCents: 1,
    rules: [
      {
        name: 'Revenue at good margin',
        on: 'sale.closed',
        if: { all: [{ fact: 'event.properties.margin', op: 'gte', value: 0.2 }] },
        award: { pointsPer: { fact: 'event.properties.revenue', every: 1_000, round: 'down' } },
        recipient: ['person', { accountTeam: { roles: ['account_manager'], split: 'equal' } }],
      },
      { name: 'Renewal', on: 'account.renewed', award: { points: 1_000 }, recipient: 'person' },
    ],
  });
  const employee = await s.programs.create(ctx, {
    name: 'Employee excellence',
    description: 'Support and sales employees earn for resolved tickets, referrals and learning.',
    audience: { kinds: ['employee'] },
    budget: 1_500_000,
    pointValueCents: 1,
    rules: [
      { name: 'Ticket resolved', on: 'ticket.resolved', award: { points: 10, multipliers: [{ if: { fact: 'event.properties.priority', op: 'eq', value: 'urgent' }, factor: 3 }] }, cap: { times: 40, per: 'month' }, recipient: 'person' },
      { name: 'Referral', on: 'referral.made', award: { points: 200 }, recipient: ['person', 'manager'] },
      { name: 'Training completed', on: 'training.completed', award: { points: 25 }, cap: { times: 4, per: 'month' }, recipient: 'person' },
    ],
  });
  const salesTeam = (await s.people.list(ctx, 'teams', { limit: 1, externalId: 'T-SALES' })).data[0]!.id as string;
  const quota = await s.programs.create(ctx, {
    name: 'Sales quota with tiers',
    description: 'Sellers earn tier bonuses as they reach 80%, 100% and 120% of their monthly revenue quota.',
    audience: { kinds: ['employee'], teams: [salesTeam] },
    budget: 3_000_000,
    pointValueCents: 1,
    rules: [{ name: 'Deal closed', on: 'sale.closed', award: { points: 20 }, recipient: 'person' }],
  });
  await s.programs.goals.create(ctx, {
    programId: quota.id,
    name: 'Monthly revenue quota',
    metric: { on: 'sale.closed', aggregate: 'sum', fact: 'event.properties.revenue' },
    period: 'month',
    target: 5_000_000,
    tiers: [{ percent: 80, points: 500 }, { percent: 100, points: 1_000 }, { percent: 120, points: 2_500 }],
  });
  // Communication plans (docs/messages.md): what two of the programs tell their audiences.
  await s.plans.create(ctx, employee.id, { kind: 'launch' });
  await s.plans.create(ctx, employee.id, { kind: 'progress', name: 'Monday progress statement', cron: '0 9 * * MON' });
  await s.plans.create(ctx, partner.id, { kind: 'progress', name: 'Monthly partner statement', cron: '0 9 1 * *' });
  await s.plans.create(ctx, partner.id, { kind: 'custom', name: 'Certification push', cron: '0 10 15 * *', subject: '{{programName}}: certify this month', text: 'Hi {{personName}},\n\nA certification earns 500 {{pointsLabel}} in {{programName}}. You have {{programPoints}} {{pointsLabel}} from the program so far.' });
  for (const p of [partner, customer, quota, employee]) await s.programs.activate(ctx, p.id);

  const now = s.clock.now();
  const DAY = 86_400_000;
  const at = () => new Date(now - r.int(1, 120) * DAY + r.int(8, 18) * 3_600_000).toISOString();
  const events: Record<string, unknown>[] = [];
  let n = 0;
  const add = (e: Record<string, unknown>) => events.push({ id: `demo-${++n}`, source: 'demo', occurredAt: at(), ...e });
  const courses = ['Product basics', 'Advanced configuration', 'Security essentials', 'Selling the platform'];
  for (const c of data.contacts) {
    if (c.kind === 'partner') {
      for (let i = r.int(1, 5); i > 0; i--) add({ type: 'training.completed', personExternalId: c.externalId, properties: { course: r.pick(courses), score: r.int(60, 100) } });
      if (r.next() < 0.5) add({ type: 'certification.earned', personExternalId: c.externalId, properties: { certification: r.pick(['Associate', 'Professional']), level: r.pick(['associate', 'professional']) } });
      for (let i = r.int(0, 4); i > 0; i--) add({ type: 'deal.registered', personExternalId: c.externalId, properties: { dealValue: r.int(5, 250) * 100_000, product: r.pick(['Platform', 'Analytics', 'Support plan']) } });
    } else {
      for (let i = r.int(0, 6); i > 0; i--) add({ type: 'sale.closed', personExternalId: c.externalId, properties: { revenue: r.int(20, 2_000) * 10_000, margin: Math.round(r.next() * 45) / 100, sku: r.pick(['SKU-100', 'SKU-200', 'SKU-300']), quantity: r.int(1, 20) } });
      if (r.next() < 0.1) add({ type: 'account.renewed', personExternalId: c.externalId, properties: { contractValue: r.int(50, 500) * 100_000, termMonths: r.pick([12, 24, 36]) } });
    }
  }
  for (const e of data.employees) {
    const support = e.teamExternalId.startsWith('T-SUPPORT');
    if (['T-SALES-EAST', 'T-SALES-WEST', 'T-INSIDE'].includes(e.teamExternalId)) {
      for (let i = r.int(6, 24); i > 0; i--) add({ type: 'sale.closed', personExternalId: e.externalId, properties: { revenue: r.int(5, 25) * 100_000, margin: Math.round(r.next() * 40) / 100, sku: r.pick(['SKU-100', 'SKU-200', 'SKU-300']), quantity: r.int(1, 10) } });
    }
    for (let i = support ? r.int(15, 60) : r.int(0, 3); i > 0; i--) add({ type: 'ticket.resolved', personExternalId: e.externalId, properties: { ticketId: `TCK-${r.int(10_000, 99_999)}`, priority: r.pick(['low', 'normal', 'normal', 'high', 'urgent']) } });
    if (r.next() < 0.15) add({ type: 'referral.made', personExternalId: e.externalId, properties: { referredCompany: `${r.pick(['Blue', 'Nova', 'Atlas'])} Co`, converted: r.next() < 0.5 } });
    for (let i = r.int(0, 3); i > 0; i--) add({ type: 'training.completed', personExternalId: e.externalId, properties: { course: r.pick(courses) } });
  }
  // Sent in the order they happened, as a live integration would: histories then read in time order.
  events.sort((a, b) => String(a.occurredAt).localeCompare(String(b.occurredAt)));
  for (let i = 0; i < events.length; i += 1000) {
    const out = await s.events.ingest(ctx, events.slice(i, i + 1000));
    if (out.summary.rejected) throw new Error(`demo seed: ${out.summary.rejected} events rejected: ${JSON.stringify(out.results.find((x) => x.status === 'rejected'))}`);
  }
}
