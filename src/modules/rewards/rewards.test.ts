import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { createTestApp, DIALECTS, type TestApp, type TestWorkspace } from '../../../test/support/app.js';

/** A real 1×1 PNG (signature, IHDR, IDAT, IEND with their CRCs). */
function png(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.from([0, 255, 0, 0]))), chunk('IEND', Buffer.alloc(0))]);
}

for (const dialect of DIALECTS) {
  describe(`rewards: one catalog, audiences, variants, images, wish lists (${dialect})`, () => {
    const clock = { t: Date.parse('2026-12-05T10:00:00Z'), now: () => clock.t };
    let t: TestApp & { url?: string };
    let ws: TestWorkspace;
    let other: TestWorkspace;
    const people: Record<string, { id: string; key: string }> = {};
    const post = (url: string, body: unknown, key = ws.ownerKey) => t.call('POST', url, { key, body });
    const patch = (url: string, body: unknown, key = ws.ownerKey) => t.call('PATCH', url, { key, body });
    const get = (url: string, key = ws.ownerKey) => t.call('GET', url, { key });
    const upload = (url: string, body: Buffer | string, type: string, key = ws.ownerKey) =>
      fetch(`${t.url!}${url}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': type }, body });
    const reward = async (body: Record<string, unknown>) => {
      const r = await post('/api/v1/rewards', body);
      assert.equal(r.status, 201, r.text);
      return r.body as { id: string; [k: string]: unknown };
    };
    const catalog = async (who: string, query = '') => {
      const r = await get(`/api/v1/me/rewards${query}`, people[who]!.key);
      assert.equal(r.status, 200, r.text);
      return r.body as { balance: number; categories: string[]; data: { id: string; title: string; affordable: boolean; pointsNeeded: number; inStock: boolean; inWishlist: boolean }[] };
    };
    const titles = (c: { data: { title: string }[] }) => c.data.map((x) => x.title).sort();

    before(async () => {
      t = await createTestApp(dialect, { clock, listen: true });
      ws = await t.workspace('Acme');
      other = await t.workspace('Other Co');
      const sales = await post('/api/v1/teams', { name: 'Sales', externalId: 'T-SALES' });
      const east = await post('/api/v1/teams', { name: 'Sales East', externalId: 'T-EAST', parentId: sales.body.id });
      const support = await post('/api/v1/teams', { name: 'Support', externalId: 'T-SUP' });
      const gold = await post('/api/v1/accounts', { kind: 'customer', name: 'Gold Corp', externalId: 'A-GOLD', tier: 'gold' });
      const partner = await post('/api/v1/accounts', { kind: 'partner', name: 'Reseller', externalId: 'A-RES', tier: 'silver' });
      const make = async (name: string, body: Record<string, unknown>) => {
        const p = await post('/api/v1/people', { name, externalId: name, ...body });
        assert.equal(p.status, 201, p.text);
        people[name] = { id: p.body.id, key: await ws.key('participant', { personId: p.body.id }) };
      };
      await make('emma', { kind: 'employee', teamId: east.body.id, attributes: { region: 'EU' } });
      await make('sam', { kind: 'employee', teamId: support.body.id, attributes: { region: 'US' } });
      await make('cora', { kind: 'customer', accountId: gold.body.id });
      await make('pete', { kind: 'partner', accountId: partner.body.id });
      const give = await post(`/api/v1/people/${people.emma!.id}/adjustments`, { points: 1200, reason: 'welcome' });
      assert.equal(give.status, 201, give.text);
    });
    after(async () => t.close());

    test("the issue's create shape makes an active reward with sensible defaults", async () => {
      const r = await reward({ title: 'Coffee voucher', kind: 'gift_card', cost: 500, stock: null, audience: { kinds: ['employee', 'customer', 'partner'] }, provider: 'codes' });
      assert.equal(r.status, 'active');
      assert.equal(r.stock, null);
      assert.equal(r.ships, false);
      assert.equal(r.promisedDeliveryMinutes, 5);
      assert.deepEqual(r.variants, []);
      const tee = await reward({ title: 'Team tee', kind: 'merchandise', cost: 900, variants: [{ name: 'M', options: { size: 'M' }, stock: 3 }, { name: 'L', options: { size: 'L' }, stock: 2 }] });
      assert.equal(tee.ships, true, 'merchandise ships');
      assert.equal(tee.provider, 'manual');
      assert.equal(tee.promisedDeliveryMinutes, 10 * 24 * 60);
      assert.equal(tee.stock, 5, 'the sum of its variants');
      assert.deepEqual((await get(`/api/v1/rewards/${r.id}`)).body, r);
    });

    test('bad rewards are 400 naming the field and create nothing', async () => {
      const before = (await get('/api/v1/rewards?limit=200')).body.data.length;
      const cases: [Record<string, unknown>, string][] = [
        [{ title: 'x', kind: 'spaceship', cost: 10 }, 'kind'],
        [{ title: 'x', kind: 'donation', cost: 0 }, 'cost'],
        [{ title: 'x', kind: 'donation', cost: 1.5 }, 'cost'],
        [{ title: 'x', kind: 'donation', cost: 10, stock: -1 }, 'stock'],
        [{ title: '', kind: 'donation', cost: 10 }, 'title'],
        [{ title: 'x', kind: 'donation', cost: 10, availableFrom: '2026-12-10T00:00:00Z', availableUntil: '2026-12-01T00:00:00Z' }, 'availableUntil'],
        [{ title: 'x', kind: 'merchandise', cost: 10, stock: 4, variants: [{ name: 'S', stock: 1 }] }, 'stock'],
        [{ title: 'x', kind: 'merchandise', cost: 10, variants: [{ name: 'S', stock: 1 }, { name: 's', stock: 2 }] }, 'variants'],
        [{ title: 'x', kind: 'donation', cost: 10, audience: { kinds: ['robot'] } }, 'audience.kinds.0'],
        [{ title: 'x', kind: 'donation', cost: 10, limit: { count: 1, per: 'decade' } }, 'limit.per'],
        [{ title: 'x', kind: 'donation', cost: 10, provider: 'carrier-pigeon' }, 'provider'],
        [{ title: 'x', kind: 'donation', cost: 10, colour: 'red' }, 'colour'],
      ];
      for (const [body, path] of cases) {
        const r = await post('/api/v1/rewards', body);
        assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
        assert.ok(r.body.errors.some((e: { path: string }) => e.path === path), `${JSON.stringify(body)} names ${path}: ${JSON.stringify(r.body.errors)}`);
      }
      assert.equal((await get('/api/v1/rewards?limit=200')).body.data.length, before);
    });

    test('variants: keep one by id, add one, and the one left out is retired, never deleted', async () => {
      const r = await reward({ title: 'Hoodie', kind: 'merchandise', cost: 1500, variants: [{ name: 'S', stock: 1 }, { name: 'M', stock: 4 }] });
      const [s, m] = r.variants as { id: string }[];
      const p = await patch(`/api/v1/rewards/${r.id}`, { variants: [{ id: m!.id, name: 'M', stock: 6 }, { name: 'XL', options: { size: 'XL' }, stock: null }] });
      assert.equal(p.status, 200, p.text);
      const byName = Object.fromEntries((p.body.variants as { name: string; id: string; active: boolean; stock: number | null }[]).map((v) => [v.name, v]));
      assert.equal(byName.S!.id, s!.id);
      assert.equal(byName.S!.active, false);
      assert.equal(byName.M!.id, m!.id);
      assert.equal(byName.M!.stock, 6);
      assert.equal(byName.XL!.stock, null);
      assert.equal(p.body.stock, null, 'an unlimited variant makes the reward unlimited');
      const bad = await patch(`/api/v1/rewards/${r.id}`, { variants: [{ id: 'rvr_00000000000000000000000000', name: 'Q', stock: 1 }] });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errors[0].path, 'variants.0.id');
      const audit = await get(`/api/v1/audit-log?targetId=${r.id}`);
      assert.deepEqual(audit.body.data.map((e: { action: string }) => e.action).sort(), ['reward.created', 'reward.updated']);
    });

    test('each participant sees the rewards of their audience: kinds, team subtrees, account tiers, attributes, windows and status', async () => {
      await reward({ title: 'Sales day off', kind: 'time_off', cost: 2000, category: 'Time', audience: { teams: [(await get('/api/v1/teams?externalId=T-SALES')).body.data[0].id] } });
      await reward({ title: 'Gold lounge', kind: 'experience', cost: 800, category: 'Experiences', audience: { accountTiers: ['gold'] } });
      await reward({ title: 'EU donation', kind: 'donation', cost: 100, category: 'Giving', audience: { attributes: { region: ['EU'] } } });
      await reward({ title: 'Partner kit', kind: 'merchandise', cost: 300, audience: { kinds: ['partner'] } });
      await reward({ title: 'Not yet', kind: 'donation', cost: 100, availableFrom: '2026-12-20T00:00:00Z' });
      await reward({ title: 'Over', kind: 'donation', cost: 100, availableUntil: '2026-12-01T00:00:00Z' });
      await reward({ title: 'Draft', kind: 'donation', cost: 100, status: 'draft' });
      const everyone = ['Coffee voucher', 'Hoodie', 'Team tee'];
      assert.deepEqual(titles(await catalog('emma')), [...everyone, 'EU donation', 'Sales day off'].sort(), 'Sales East is under Sales');
      assert.deepEqual(titles(await catalog('sam')), everyone);
      assert.deepEqual(titles(await catalog('cora')), [...everyone, 'Gold lounge'].sort());
      assert.deepEqual(titles(await catalog('pete')), [...everyone, 'Partner kit'].sort());
      const c = await catalog('emma');
      assert.deepEqual(c.categories, ['Giving', 'Time']);
      assert.deepEqual(titles(await catalog('emma', '?category=Time')), ['Sales day off']);
      assert.equal((await get(`/api/v1/me/rewards/${c.data.find((x) => x.title === 'Sales day off')!.id}`, people.sam!.key)).status, 404, "outside sam's audience");
      clock.t = Date.parse('2026-12-21T00:00:00Z');
      assert.ok(titles(await catalog('sam')).includes('Not yet'), 'open once its window starts');
      clock.t = Date.parse('2026-12-05T10:00:00Z');
    });

    test('affordability: the wallet beside each reward, how many points are missing, and the affordable filter', async () => {
      const c = await catalog('emma');
      assert.equal(c.balance, 1200);
      const coffee = c.data.find((x) => x.title === 'Coffee voucher')!;
      const day = c.data.find((x) => x.title === 'Sales day off')!;
      assert.deepEqual([coffee.affordable, coffee.pointsNeeded], [true, 0]);
      assert.deepEqual([day.affordable, day.pointsNeeded], [false, 800]);
      const cheap = await catalog('emma', '?affordable=true');
      assert.ok(cheap.data.every((x) => x.affordable));
      assert.deepEqual(titles(cheap), ['Coffee voucher', 'EU donation', 'Team tee']);
      assert.deepEqual(titles(await catalog('emma', '?affordable=false')), ['Hoodie', 'Sales day off']);
      assert.equal((await get('/api/v1/me/rewards?affordable=maybe', people.emma!.key)).body.errors[0].path, 'querystring.affordable');
    });

    test('a wish list shows how far each wish is; a reward outside the audience cannot be wished for', async () => {
      const c = await catalog('emma');
      const day = c.data.find((x) => x.title === 'Sales day off')!;
      const w = await t.call('PUT', `/api/v1/me/wishlist/${day.id}`, { key: people.emma!.key });
      assert.equal(w.status, 200, w.text);
      assert.equal(w.body.data.length, 1);
      assert.equal(w.body.data[0].progressPercent, 60);
      assert.equal(w.body.data[0].pointsNeeded, 800);
      assert.equal((await catalog('emma')).data.find((x) => x.id === day.id)!.inWishlist, true);
      assert.equal((await t.call('PUT', `/api/v1/me/wishlist/${day.id}`, { key: people.sam!.key })).status, 404);
      assert.equal((await t.call('DELETE', `/api/v1/me/wishlist/${day.id}`, { key: people.emma!.key })).body.data.length, 0);
      assert.equal((await t.call('DELETE', `/api/v1/me/wishlist/${day.id}`, { key: people.emma!.key })).status, 404);
    });

    test('images: checked by their bytes and size, served back as uploaded, to the workspace only', async () => {
      const r = (await get('/api/v1/rewards?q=coffee')).body.data[0];
      const img = png();
      const up = await upload(`/api/v1/rewards/${r.id}/images`, img, 'image/png');
      assert.equal(up.status, 201, await up.clone().text());
      const body = (await up.json()) as { images: { id: string; url: string; contentType: string; bytes: number }[] };
      assert.equal(body.images.length, 1);
      assert.deepEqual([body.images[0]!.contentType, body.images[0]!.bytes], ['image/png', img.length]);
      const served = await fetch(`${t.url!}${body.images[0]!.url}`, { headers: { authorization: `Bearer ${people.sam!.key}` } });
      assert.equal(served.status, 200);
      assert.equal(served.headers.get('content-type'), 'image/png');
      assert.ok(Buffer.from(await served.arrayBuffer()).equals(img));
      const again = await fetch(`${t.url!}${body.images[0]!.url}`, { headers: { authorization: `Bearer ${people.sam!.key}`, 'if-none-match': served.headers.get('etag')! } });
      assert.equal(again.status, 304);
      assert.equal((await fetch(`${t.url!}${body.images[0]!.url}`, { headers: { authorization: `Bearer ${other.ownerKey}` } })).status, 404, 'another workspace');

      const lying = await upload(`/api/v1/rewards/${r.id}/images`, img, 'image/jpeg');
      assert.equal(lying.status, 400);
      assert.equal(((await lying.json()) as { errors: { path: string }[] }).errors[0]!.path, 'body');
      const text = await upload(`/api/v1/rewards/${r.id}/images`, 'not an image at all', 'image/png');
      assert.equal(text.status, 400);
      const big = await upload(`/api/v1/rewards/${r.id}/images`, Buffer.concat([img, Buffer.alloc(2 * 1024 * 1024)]), 'image/png');
      assert.equal(big.status, 413);
      const svg = await upload(`/api/v1/rewards/${r.id}/images`, '<svg xmlns="http://www.w3.org/2000/svg"/>', 'image/svg+xml');
      assert.equal(svg.status, 415);
      const json = await post(`/api/v1/rewards/${r.id}/images`, { url: 'https://example.com/x.png' });
      assert.equal(json.status, 415);
      assert.equal((await upload(`/api/v1/rewards/${r.id}/images`, img, 'image/png', other.ownerKey)).status, 404);
      assert.equal((await get(`/api/v1/rewards/${r.id}`)).body.images.length, 1, 'nothing else was stored');

      const del = await t.call('DELETE', `/api/v1/rewards/${r.id}/images/${body.images[0]!.id}`, { key: ws.ownerKey });
      assert.equal(del.status, 200, del.text);
      assert.deepEqual(del.body.images, []);
    });

    test('roles and workspaces: participants use their catalog, not the admin list; another workspace sees nothing', async () => {
      assert.equal((await get('/api/v1/rewards', people.emma!.key)).status, 403);
      assert.equal((await post('/api/v1/rewards', { title: 'Mine', kind: 'donation', cost: 1 }, people.emma!.key)).status, 403);
      const manager = await ws.key('manager');
      assert.equal((await get('/api/v1/rewards', manager)).status, 200);
      assert.deepEqual((await get('/api/v1/rewards', other.ownerKey)).body.data, []);
      const r = (await get('/api/v1/rewards?q=coffee')).body.data[0];
      assert.equal((await get(`/api/v1/rewards/${r.id}`, other.ownerKey)).status, 404);
      assert.equal((await patch(`/api/v1/rewards/${r.id}`, { cost: 1 }, other.ownerKey)).status, 404);
      assert.equal((await get(`/api/v1/rewards/${r.id}`)).body.cost, 500, 'unchanged');
      const noPerson = await get('/api/v1/me/rewards');
      assert.equal(noPerson.status, 404);
    });
  });
}
