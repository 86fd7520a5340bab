// Two tenants with one of each object, and how to tell what kind of object an id names:
// shared by the isolation and bad-input tests.
import assert from 'node:assert/strict';
import type { TestApp, TestWorkspace } from '../support/app.js';

export type Kind = 'workspace' | 'team' | 'person' | 'account' | 'assignment' | 'user' | 'apiKey' | 'reward';

/** What an id names, read from the path segment before it or from the field's name. */
export const KIND_OF_SEGMENT: Record<string, Kind> = { workspaces: 'workspace', teams: 'team', people: 'person', accounts: 'account', assignments: 'assignment', users: 'user', 'api-keys': 'apiKey', rewards: 'reward', wishlist: 'reward' };
export const KIND_OF_FIELD: Record<string, Kind> = { workspace: 'workspace', team: 'team', parent: 'team', person: 'person', manager: 'person', account: 'account', assignment: 'assignment', user: 'user', key: 'apiKey', apiKey: 'apiKey', reward: 'reward' };
export const KIND_OF_PREFIX: Record<string, Kind> = { wsp: 'workspace', tea: 'team', per: 'person', acc: 'account', asg: 'assignment', usr: 'user', key: 'apiKey', rwd: 'reward' };
export const PREFIX_OF_KIND = Object.fromEntries(Object.entries(KIND_OF_PREFIX).map(([p, k]) => [k, p])) as Record<Kind, string>;

/** kind null: a path or field this file does not know (a later module); any id is tried. */
export interface IdRef {
  kind: Kind | null;
  external: boolean;
}

export function idParam(url: string, param: string): IdRef | undefined {
  const segs = url.split('/');
  const i = segs.indexOf(`:${param}`);
  if (param === 'id') return { kind: KIND_OF_SEGMENT[segs[i - 1]!] ?? null, external: false };
  if (param === 'externalId') {
    const seg = segs[i - 1] === 'by-external-id' ? segs[i - 2]! : segs[i - 1]!;
    return { kind: KIND_OF_SEGMENT[seg] ?? null, external: true };
  }
  return idField(param);
}

export function idField(name: string): IdRef | undefined {
  if (name === 'externalId' || name === 'id') return undefined; // the record's own key, not a reference
  const m = /^(.+?)(External)?Id$/.exec(name);
  return m ? { kind: KIND_OF_FIELD[m[1]!] ?? null, external: !!m[2] } : undefined;
}

export interface Tenant {
  label: string;
  ws: TestWorkspace;
  key: string;
  managerKey: string;
  team: { root: string; sub: string; other: string };
  person: { manager: string; member: string; outsider: string; customer: string; partner: string };
  account: { customer: string; partner: string };
  assignment: { member: string; outsider: string };
  user: string;
  apiKey: string;
  ids: Record<Kind, string[]>;
  externalIds: Record<Kind, string[]>;
  /** every id, name and email: none may appear in an answer to another workspace */
  secrets: string[];
}

export const allIds = (x: Tenant) => Object.values(x.ids).flat();
export const idsOf = (x: Tenant, ref: IdRef) => (ref.external ? (ref.kind ? x.externalIds[ref.kind] : Object.values(x.externalIds).flat()) : ref.kind ? x.ids[ref.kind] : allIds(x));
export const ghostId = (kind: Kind | null) => `${kind ? PREFIX_OF_KIND[kind] : 'per'}_${'0'.repeat(26)}`;
export const leaks = (text: string, x: Tenant) => x.secrets.filter((s) => text.includes(s));

/** Workspace `label` with one of each object, made through the API with its owner key. */
export async function populate(t: TestApp, label: string): Promise<Tenant> {
  const ws = await t.workspace(`${label} Co`);
  const key = ws.ownerKey;
  const tag = label[0]!.toLowerCase();
  const names: string[] = [];
  const write = async (method: string, url: string, body: Record<string, unknown>) => {
    const r = await t.call(method, url, { key, body });
    assert.ok(r.status === 200 || r.status === 201, `${method} ${url}: ${r.status} ${r.text}`);
    for (const f of ['name', 'email']) if (typeof body[f] === 'string') names.push(body[f]);
    return r.body as { id: string; key?: string };
  };
  const ext = (what: string) => `ext-${tag}-${what}`;
  const root = await write('POST', '/api/v1/teams', { name: `${label} Root Team`, externalId: ext('team-root') });
  const sub = await write('POST', '/api/v1/teams', { name: `${label} Sub Team`, externalId: ext('team-sub'), parentId: root.id });
  const other = await write('POST', '/api/v1/teams', { name: `${label} Other Team`, externalId: ext('team-other') });
  const custAcc = await write('POST', '/api/v1/accounts', { kind: 'customer', externalId: ext('acc-customer'), name: `${label} Customer Account`, tier: 'gold' });
  const partAcc = await write('POST', '/api/v1/accounts', { kind: 'partner', externalId: ext('acc-partner'), name: `${label} Partner Account` });
  const person = (kind: string, what: string, more: Record<string, unknown>) =>
    write('POST', '/api/v1/people', { kind, externalId: ext(`per-${what}`), name: `${label} ${what} Person`, email: `${what}@${tag}-corp.test`, ...more });
  const manager = await person('employee', 'manager', { teamId: root.id });
  const member = await person('employee', 'member', { teamId: sub.id });
  const outsider = await person('employee', 'outsider', { teamId: other.id });
  const customer = await person('customer', 'customer', { accountId: custAcc.id });
  const partner = await person('partner', 'partner', { accountId: partAcc.id });
  await write('PATCH', `/api/v1/teams/${root.id}`, { managerId: manager.id });
  const asgMember = await write('POST', '/api/v1/assignments', { externalId: ext('asg-member'), personId: member.id, accountId: custAcc.id, role: 'account_manager' });
  const asgOutsider = await write('POST', '/api/v1/assignments', { externalId: ext('asg-outsider'), personId: outsider.id, accountId: partAcc.id, role: 'sales' });
  const user = await write('POST', '/api/v1/users', { email: `user@${tag}-corp.test`, name: `${label} User Person`, role: 'analyst', personId: member.id, password: `${label}-password-123` });
  const apiKey = await write('POST', '/api/v1/api-keys', { name: `${label} Manager Key`, role: 'manager', personId: manager.id });
  const reward = await write('POST', '/api/v1/rewards', { title: `${label} Reward`, kind: 'donation', cost: 100, audience: { kinds: ['employee'] } });
  const ids: Record<Kind, string[]> = {
    workspace: [ws.id],
    team: [root.id, sub.id, other.id],
    person: [manager.id, member.id, outsider.id, customer.id, partner.id],
    account: [custAcc.id, partAcc.id],
    assignment: [asgMember.id, asgOutsider.id],
    user: [user.id],
    apiKey: [apiKey.id],
    reward: [reward.id],
  };
  const externalIds: Record<Kind, string[]> = {
    workspace: [],
    team: [ext('team-root'), ext('team-sub'), ext('team-other')],
    person: ['manager', 'member', 'outsider', 'customer', 'partner'].map((w) => ext(`per-${w}`)),
    account: [ext('acc-customer'), ext('acc-partner')],
    assignment: [ext('asg-member'), ext('asg-outsider')],
    user: [],
    apiKey: [],
    reward: [],
  };
  return {
    label,
    ws,
    key,
    managerKey: apiKey.key!,
    team: { root: root.id, sub: sub.id, other: other.id },
    person: { manager: manager.id, member: member.id, outsider: outsider.id, customer: customer.id, partner: partner.id },
    account: { customer: custAcc.id, partner: partAcc.id },
    assignment: { member: asgMember.id, outsider: asgOutsider.id },
    user: user.id,
    apiKey: apiKey.id,
    ids,
    externalIds,
    secrets: [...Object.values(ids).flat(), ...names, `${label} Co`, `${label} Reward`, ws.slug],
  };
}
