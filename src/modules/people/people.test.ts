import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, DIALECTS, type TestApp, type TestWorkspace } from '../../../test/support/app.js';

for (const dialect of DIALECTS) {
  describe(`people, teams, accounts, assignments (${dialect})`, () => {
    let t: TestApp;
    let ws: TestWorkspace;
    let key: string;
    const post = (url: string, body: unknown) => t.call('POST', url, { key, body });
    before(async () => {
      t = await createTestApp(dialect);
      ws = await t.workspace();
      key = ws.ownerKey;
    });
    after(() => t.close());

    test('creates a team tree, a person in it, an account with a contact and an assignment', async () => {
      const root = await post('/api/v1/teams', { name: 'Sales', externalId: 'S' });
      assert.equal(root.status, 201);
      assert.match(root.body.id, /^tea_[0-9a-z]{26}$/);
      const east = await post('/api/v1/teams', { name: 'Sales East', parentId: root.body.id });
      assert.equal(east.body.parentId, root.body.id);
      const emp = await post('/api/v1/people', { kind: 'employee', externalId: 'E1', name: 'Ada Adams', email: 'ada@example.com', teamId: east.body.id, hireDate: '2024-03-01', attributes: { region: 'EMEA' } });
      assert.equal(emp.status, 201);
      assert.equal(emp.body.teamId, east.body.id);
      assert.deepEqual(emp.body.attributes, { region: 'EMEA' });
      assert.match(emp.body.createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      const acc = await post('/api/v1/accounts', { kind: 'customer', externalId: 'C1', name: 'Blue Foods', tier: 'gold' });
      assert.equal(acc.status, 201);
      const contact = await post('/api/v1/people', { kind: 'customer', externalId: 'C1-1', name: 'Carl Contact', accountExternalId: 'C1' });
      assert.equal(contact.status, 201);
      assert.equal(contact.body.accountId, acc.body.id);
      const asg = await post('/api/v1/assignments', { personId: emp.body.id, accountId: acc.body.id, role: 'account_manager' });
      assert.equal(asg.status, 201);
      const served = await t.call('GET', `/api/v1/assignments?accountId=${acc.body.id}`, { key });
      assert.deepEqual(served.body.data.map((a: { personId: string }) => a.personId), [emp.body.id]);
      const contacts = await t.call('GET', `/api/v1/people?accountId=${acc.body.id}`, { key });
      assert.deepEqual(contacts.body.data.map((p: { id: string }) => p.id), [contact.body.id]);
      const team = await t.call('GET', `/api/v1/teams/${east.body.id}`, { key });
      assert.equal(team.body.memberCount, 1);
    });

    test('enforces who belongs where: contacts need an account of their kind, employees no account', async () => {
      await post('/api/v1/accounts', { kind: 'partner', externalId: 'P1', name: 'Nova Partners' });
      const wrongKind = await post('/api/v1/people', { kind: 'customer', externalId: 'X1', name: 'X', accountExternalId: 'P1' });
      assert.equal(wrongKind.status, 400);
      assert.equal(wrongKind.body.errors[0].path, 'accountId');
      const noAccount = await post('/api/v1/people', { kind: 'partner', externalId: 'X2', name: 'X' });
      assert.equal(noAccount.status, 400);
      const empWithAccount = await post('/api/v1/people', { kind: 'employee', externalId: 'X3', name: 'X', accountExternalId: 'P1' });
      assert.equal(empWithAccount.status, 400);
      const contactServes = await post('/api/v1/assignments', { personExternalId: 'C1-1', accountExternalId: 'C1', role: 'sales' });
      assert.equal(contactServes.status, 400);
      assert.equal(contactServes.body.errors[0].path, 'personId');
      const unknownTeam = await post('/api/v1/people', { kind: 'employee', externalId: 'X4', name: 'X', teamExternalId: 'NOPE' });
      assert.equal(unknownTeam.status, 404);
      assert.equal(unknownTeam.body.errors[0].path, 'teamExternalId');
      const people = await t.call('GET', '/api/v1/people?q=X', { key });
      assert.equal(people.body.data.filter((p: { externalId: string }) => p.externalId.startsWith('X')).length, 0);
    });

    test('PATCH merges fields and attributes; an attribute set to null is removed', async () => {
      const p = await post('/api/v1/people', { kind: 'employee', externalId: 'M1', name: 'Mia', attributes: { region: 'APAC', level: 'senior' } });
      const r = await t.call('PATCH', `/api/v1/people/${p.body.id}`, { key, body: { email: 'mia@example.com', attributes: { level: null, shift: 'night' } } });
      assert.equal(r.status, 200);
      assert.equal(r.body.name, 'Mia');
      assert.equal(r.body.email, 'mia@example.com');
      assert.deepEqual(r.body.attributes, { region: 'APAC', shift: 'night' });
    });

    test('PUT by external id creates (201), then replaces (200): omitted fields go back to defaults', async () => {
      const a = await t.call('PUT', '/api/v1/people/by-external-id/R1', { key, body: { kind: 'employee', name: 'Rosa', email: 'rosa@example.com', attributes: { a: 1 } } });
      assert.equal(a.status, 201);
      const b = await t.call('PUT', '/api/v1/people/by-external-id/R1', { key, body: { kind: 'employee', name: 'Rosa R.' } });
      assert.equal(b.status, 200);
      assert.equal(b.body.id, a.body.id);
      assert.equal(b.body.email, null);
      assert.deepEqual(b.body.attributes, {});
    });

    test('batch upsert answers one result per item; a bad item stops none', async () => {
      const items = [
        { externalId: 'B1', kind: 'employee', name: 'One' },
        { externalId: 'B2', kind: 'customer', name: 'No account' },
        { externalId: 'B3', kind: 'employee', name: 'Three', teamExternalId: 'S' },
      ];
      const r = await post('/api/v1/people/batch', { items });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.summary, { created: 2, updated: 0, unchanged: 0, rejected: 1 });
      assert.deepEqual(r.body.results.map((x: { status: string }) => x.status), ['created', 'rejected', 'created']);
      assert.equal(r.body.results[1].errors[0].path, 'accountId');
      const again = await post('/api/v1/people/batch', { items: [items[0], { ...items[2], name: 'Three!' }] });
      assert.deepEqual(again.body.results.map((x: { status: string }) => x.status), ['unchanged', 'updated']);
    });

    test('teams refer to parents in any order in a batch, and refuse a cycle', async () => {
      const r = await post('/api/v1/teams/batch', { items: [
        { externalId: 'Z-LEAF', name: 'Leaf', parentExternalId: 'Z-MID' },
        { externalId: 'Z-MID', name: 'Mid', parentExternalId: 'Z-ROOT' },
        { externalId: 'Z-ROOT', name: 'Root' },
      ] });
      assert.deepEqual(r.body.summary, { created: 3, updated: 0, unchanged: 0, rejected: 0 });
      const cycle = await t.call('PUT', '/api/v1/teams/by-external-id/Z-ROOT', { key, body: { name: 'Root', parentExternalId: 'Z-LEAF' } });
      assert.equal(cycle.status, 400);
      assert.equal(cycle.body.errors[0].path, 'parentId');
    });

    test('a team with members cannot be deleted; an empty one can', async () => {
      const team = await post('/api/v1/teams', { name: 'Temp' });
      await post('/api/v1/people', { kind: 'employee', externalId: 'T-MEM', name: 'Member', teamId: team.body.id });
      const refused = await t.call('DELETE', `/api/v1/teams/${team.body.id}`, { key });
      assert.equal(refused.status, 409);
      await t.call('PUT', '/api/v1/people/by-external-id/T-MEM', { key, body: { kind: 'employee', name: 'Member' } });
      assert.equal((await t.call('DELETE', `/api/v1/teams/${team.body.id}`, { key })).status, 204);
      assert.equal((await t.call('GET', `/api/v1/teams/${team.body.id}`, { key })).status, 404);
    });

    test('deleting a person deactivates them and keeps the record', async () => {
      const p = await post('/api/v1/people', { kind: 'employee', externalId: 'D1', name: 'Dee' });
      const r = await t.call('DELETE', `/api/v1/people/${p.body.id}`, { key });
      assert.equal(r.status, 200);
      assert.equal(r.body.status, 'inactive');
      const active = await t.call('GET', '/api/v1/people?status=active&q=Dee', { key });
      assert.equal(active.body.data.length, 0);
    });

    test('erasure scrubs personal data here and in the audit log, and blocks a re-import', async () => {
      const p = await post('/api/v1/people', { kind: 'employee', externalId: 'GDPR-1', name: 'Erin Erased', email: 'erin@example.com', attributes: { phone: '+1 555 0142' } });
      const r = await t.call('POST', `/api/v1/people/${p.body.id}/erase`, { key });
      assert.equal(r.status, 200);
      assert.equal(r.body.name, null);
      assert.equal(r.body.email, null);
      assert.deepEqual(r.body.attributes, {});
      assert.ok(r.body.erasedAt);
      assert.equal(r.body.id, p.body.id);
      const audit = await t.call('GET', `/api/v1/audit-log?targetId=${p.body.id}`, { key });
      assert.ok(audit.body.data.length >= 2);
      assert.doesNotMatch(JSON.stringify(audit.body), /Erin|erin@example|555 0142/);
      const back = await t.call('PUT', '/api/v1/people/by-external-id/GDPR-1', { key, body: { kind: 'employee', name: 'Erin Erased' } });
      assert.equal(back.status, 409);
      const csv = await t.call('POST', '/api/v1/import/people', { key, payload: 'kind,externalId,name\nemployee,GDPR-1,Erin Erased\n', headers: { 'content-type': 'text/csv' } });
      assert.equal(csv.body.rows[0].status, 'rejected');
    });

    test('a batch is one audit entry listing its records; each record\'s history finds its part, and erasure scrubs it', async () => {
      await post('/api/v1/people', { kind: 'employee', externalId: 'AB-2', name: 'Before Batch' });
      const b = await t.call('POST', '/api/v1/people/batch', { key, body: { items: [
        { externalId: 'AB-1', kind: 'employee', name: 'Ada Batch', email: 'ada@batch.example', attributes: { phone: '+1 555 0177' } },
        { externalId: 'AB-2', kind: 'employee', name: 'Bo Batch' },
        { externalId: 'AB-3', kind: 'employee', name: 'Cy Batch' },
      ] } });
      assert.deepEqual(b.body.summary, { created: 2, updated: 1, unchanged: 0, rejected: 0 });
      const [ada, bo] = b.body.results.map((r: { id: string }) => r.id);
      const log = await t.call('GET', '/api/v1/audit-log?action=person.batch_upserted', { key });
      const entry = log.body.data[0];
      assert.deepEqual(entry.after.summary, { created: 2, updated: 1 });
      assert.equal(entry.after.items.length, 3);
      assert.equal(entry.actor.type, 'key');

      const boHistory = await t.call('GET', `/api/v1/audit-log?targetId=${bo}`, { key });
      assert.deepEqual(boHistory.body.data.map((e: { action: string }) => e.action), ['person.batch_upserted', 'person.created']);
      assert.deepEqual(boHistory.body.data[0].after.items, [{ id: bo, change: 'updated', before: { name: 'Before Batch' }, after: { name: 'Bo Batch' } }]);

      const adaHistory = await t.call('GET', `/api/v1/audit-log?targetId=${ada}`, { key });
      assert.equal(adaHistory.body.data.length, 1);
      assert.deepEqual(adaHistory.body.data[0].after.items[0].after, { kind: 'employee', externalId: 'AB-1', name: 'Ada Batch', email: 'ada@batch.example', status: 'active', attributes: { phone: '+1 555 0177' } });

      assert.equal((await t.call('POST', `/api/v1/people/${ada}/erase`, { key })).status, 200);
      const after = await t.call('GET', '/api/v1/audit-log?action=person.batch_upserted', { key });
      assert.doesNotMatch(JSON.stringify(after.body), /Ada Batch|ada@batch|555 0177/);
      assert.match(JSON.stringify(after.body), /Bo Batch/, 'the other records of the batch keep their history');
    });

    test('a person erased cannot be changed back by PATCH', async () => {
      const p = await post('/api/v1/people', { kind: 'employee', externalId: 'GDPR-2', name: 'Gone Soon', email: 'gone@example.com' });
      await t.call('POST', `/api/v1/people/${p.body.id}/erase`, { key });
      const r = await t.call('PATCH', `/api/v1/people/${p.body.id}`, { key, body: { name: 'Gone Soon' } });
      assert.equal(r.status, 409);
      assert.equal((await t.call('GET', `/api/v1/people/${p.body.id}`, { key })).body.name, null);
    });

    test('an assignment that repeats person, account and role is refused, alone, in a batch', async () => {
      await post('/api/v1/accounts', { kind: 'customer', externalId: 'NK-A', name: 'Natural Key Inc' });
      await post('/api/v1/people', { kind: 'employee', externalId: 'NK-E', name: 'Nat Key' });
      const first = await post('/api/v1/assignments', { personExternalId: 'NK-E', accountExternalId: 'NK-A', role: 'sales' });
      assert.equal(first.status, 201);
      const again = await post('/api/v1/assignments', { personExternalId: 'NK-E', accountExternalId: 'NK-A', role: 'sales' });
      assert.equal(again.status, 409);
      const b = await post('/api/v1/assignments/batch', { items: [
        { externalId: 'NK-1', personExternalId: 'NK-E', accountExternalId: 'NK-A', role: 'sales' },
        { externalId: 'NK-2', personExternalId: 'NK-E', accountExternalId: 'NK-A', role: 'support' },
        { externalId: 'NK-3', personExternalId: 'NK-E', accountExternalId: 'NK-A', role: 'support' },
      ] });
      assert.equal(b.status, 200);
      assert.deepEqual(b.body.results.map((x: { status: string; code?: string }) => [x.status, x.code ?? null]), [['rejected', 'conflict'], ['created', null], ['rejected', 'conflict']]);
    });

    test('every admin change is in the audit log with before and after', async () => {
      const a = await post('/api/v1/accounts', { kind: 'customer', externalId: 'AUD-1', name: 'Before Inc' });
      await t.call('PATCH', `/api/v1/accounts/${a.body.id}`, { key, body: { name: 'After Inc' } });
      const log = await t.call('GET', `/api/v1/audit-log?targetId=${a.body.id}`, { key });
      const [updated, created] = log.body.data;
      assert.equal(created.action, 'account.created');
      assert.equal(updated.action, 'account.updated');
      assert.equal(updated.before.name, 'Before Inc');
      assert.equal(updated.after.name, 'After Inc');
      assert.equal(updated.actor.type, 'key');
    });

    test('ids= fetches several records in one call', async () => {
      const a = await post('/api/v1/accounts', { kind: 'customer', externalId: 'IDS-1', name: 'Ids One' });
      const b = await post('/api/v1/accounts', { kind: 'customer', externalId: 'IDS-2', name: 'Ids Two' });
      const r = await t.call('GET', `/api/v1/accounts?ids=${a.body.id},${b.body.id},acc_nonexistent`, { key });
      assert.deepEqual(r.body.data.map((x: { id: string }) => x.id).sort(), [a.body.id, b.body.id].sort());
    });

    test('search q matches name, email and external id, case-insensitively; % is literal', async () => {
      await post('/api/v1/people', { kind: 'employee', externalId: 'SRCH-1', name: 'Quentin Quill', email: 'qq@quill.example' });
      assert.equal((await t.call('GET', '/api/v1/people?q=QUENTIN', { key })).body.data.length, 1);
      assert.equal((await t.call('GET', '/api/v1/people?q=quill.example', { key })).body.data.length, 1);
      assert.equal((await t.call('GET', '/api/v1/people?q=srch-1', { key })).body.data.length, 1);
      assert.equal((await t.call('GET', `/api/v1/people?q=${encodeURIComponent('%')}`, { key })).body.data.length, 0);
    });
  });

  describe(`CSV import (${dialect})`, () => {
    let t: TestApp;
    let key: string;
    const csv = (kind: string, text: string) => t.call('POST', `/api/v1/import/${kind}`, { key, payload: text, headers: { 'content-type': 'text/csv' } });
    before(async () => {
      t = await createTestApp(dialect);
      key = (await t.workspace()).ownerKey;
    });
    after(() => t.close());

    test('reports each row; one bad row stops none; the same file twice changes nothing', async () => {
      const teams = 'externalId,name,parentExternalId\nT2,Child,T1\nT1,Parent,\n';
      const a = await csv('teams', teams);
      assert.equal(a.status, 200);
      assert.deepEqual(a.body.summary, { created: 2, updated: 0, unchanged: 0, rejected: 0 });
      const people = 'kind,externalId,name,email,teamExternalId,attributes.region\nemployee,E1,Ada,ada@example.com,T1,EMEA\nemployee,E2,Bob,not-an-email,T2,APAC\nemployee,E3,Cy,,T9,\n';
      const b = await csv('people', people);
      assert.deepEqual(b.body.summary, { created: 1, updated: 0, unchanged: 0, rejected: 2 });
      assert.deepEqual(b.body.rows.map((r: { row: number; status: string }) => [r.row, r.status]), [[1, 'created'], [2, 'rejected'], [3, 'rejected']]);
      assert.equal(b.body.rows[1].errors[0].path, 'email');
      assert.equal(b.body.rows[2].errors[0].path, 'teamExternalId');
      const c = await csv('people', people);
      assert.deepEqual(c.body.summary, { created: 0, updated: 0, unchanged: 1, rejected: 2 });
      assert.deepEqual((await csv('teams', teams)).body.summary, { created: 0, updated: 0, unchanged: 2, rejected: 0 });
    });

    test('a missing column keeps the value; an empty cell clears it', async () => {
      await csv('people', 'kind,externalId,name,email\nemployee,K1,Kim,kim@example.com\n');
      const keep = await csv('people', 'externalId,name\nK1,Kim K\n');
      assert.equal(keep.body.rows[0].status, 'updated');
      let p = (await t.call('GET', '/api/v1/people?externalId=K1', { key })).body.data[0];
      assert.equal(p.email, 'kim@example.com');
      assert.equal(p.name, 'Kim K');
      await csv('people', 'externalId,email\nK1,\n');
      p = (await t.call('GET', '/api/v1/people?externalId=K1', { key })).body.data[0];
      assert.equal(p.email, null);
    });

    test('accounts, contacts and assignments import by external id', async () => {
      assert.equal((await csv('accounts', 'kind,externalId,name,tier\ncustomer,A1,Acme,gold\npartner,P1,Pals,silver\n')).body.summary.created, 2);
      assert.equal((await csv('people', 'kind,externalId,name,accountExternalId\ncustomer,A1-1,Cara,A1\npartner,P1-1,Pete,P1\n')).body.summary.created, 2);
      const r = await csv('assignments', 'externalId,personExternalId,accountExternalId,role\nAS1,E1,A1,success\nAS2,A1-1,A1,sales\n');
      assert.deepEqual(r.body.summary, { created: 1, updated: 0, unchanged: 0, rejected: 1 });
    });

    test('an unknown column is refused before anything is written', async () => {
      const r = await csv('people', 'kind,externalId,name,shoeSize\nemployee,U1,Uma,42\n');
      assert.equal(r.status, 400);
      assert.equal(r.body.errors[0].path, 'column shoeSize');
      assert.equal((await t.call('GET', '/api/v1/people?externalId=U1', { key })).body.data.length, 0);
    });

    test('an empty attribute cell stores nothing, so the same file twice changes nothing', async () => {
      const file = 'kind,externalId,name,attributes.region,attributes.shift\nemployee,ATTR-1,Ari,EMEA,\n';
      assert.equal((await csv('people', file)).body.rows[0].status, 'created');
      assert.equal((await csv('people', file)).body.rows[0].status, 'unchanged');
      const p = (await t.call('GET', '/api/v1/people?externalId=ATTR-1', { key })).body.data[0];
      assert.deepEqual(p.attributes, { region: 'EMEA' });
    });

    test('a row without an external id is rejected', async () => {
      const r = await csv('accounts', 'kind,externalId,name\ncustomer,,Nameless\n');
      assert.equal(r.body.rows[0].status, 'rejected');
      assert.equal(r.body.rows[0].errors[0].path, 'externalId');
    });
  });
}
