// A real fulfilment vendor, run as its own process by the vendor tests (`node --import tsx
// test/support/vendor-process.ts`): it listens on 127.0.0.1, checks Tandem's signature on each
// order the way docs/webhooks.md tells a vendor to (its own HMAC code, nothing of Tandem's),
// answers 200, then reports the order shipped and delivered to the order's callbackUrl, signed
// with the same secret. Each thing it does is one JSON line on stdout for the test to read.
// Env: VENDOR_SECRET (the secret Tandem showed once).
import http from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';

const secret = process.env.VENDOR_SECRET ?? '';
const say = (x: unknown) => process.stdout.write(`${JSON.stringify(x)}\n`);

function verified(body: string, header: string | undefined): boolean {
  if (!header) return false;
  const parts = header.split(',').map((p) => p.split('=', 2) as [string, string]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return parts.some(([k, v]) => k === 'v1' && /^[0-9a-f]{64}$/.test(v) && timingSafeEqual(Buffer.from(v, 'hex'), expected));
}

function sign(body: string): string {
  const t = Math.floor(Date.now() / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

async function report(callbackUrl: string, orderId: string, status: string, extra: Record<string, string>) {
  const body = JSON.stringify({ id: `cb-${orderId}-${status}`, orderId, status, ...extra });
  const res = await fetch(callbackUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'tandem-signature': sign(body) }, body });
  say({ callback: status, orderId, answer: res.status, text: await res.text() });
}

const seen = new Set<string>();
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    if (!verified(body, req.headers['tandem-signature'] as string | undefined)) {
      say({ refused: req.headers['tandem-delivery-id'] ?? null });
      res.writeHead(401).end();
      return;
    }
    const order = JSON.parse(body) as { id: string; type: string; data: { orderId: string; callbackUrl: string; reward: { title: string }; shipping: unknown } };
    say({ received: order.id, deliveryId: req.headers['tandem-delivery-id'], type: order.type, orderId: order.data.orderId, reward: order.data.reward.title, shipping: order.data.shipping });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    // A vendor dedupes by delivery id: a retry of an order already taken is answered, not shipped twice.
    if (seen.has(order.id)) return;
    seen.add(order.id);
    void (async () => {
      await report(order.data.callbackUrl, order.data.orderId, 'shipped', { carrier: 'UPS', trackingNumber: '1Z999AA10123456784', trackingUrl: 'https://tracking.example/1Z999AA10123456784' });
      await report(order.data.callbackUrl, order.data.orderId, 'delivered', {});
    })().catch((err: unknown) => say({ error: String(err) }));
  });
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  say({ listening: typeof addr === 'object' && addr ? addr.port : 0 });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
