// A real webhook receiver on 127.0.0.1 for the comms tests, the crash test and the benchmark:
// records every request, answers what the test's handler says (200 by default), and counts
// accepted deliveries by Tandem-Delivery-Id the way a careful receiver dedupes them.
import http from 'node:http';

export interface Received {
  deliveryId: string;
  signature: string;
  body: string;
  /** the status answered */
  status: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** delivery id → how many 2xx answers it got (a receiver that dedupes processes it once) */
  answeredOk: Map<string, number>;
  /** the delivery ids processed, each once */
  accepted: Set<string>;
  close(): Promise<void>;
}

/** `handler` picks the status for each request (n counts requests from 0); `delayMs` holds each answer. */
export async function startReceiver(opts: { handler?: (r: Omit<Received, 'status'>, n: number) => number; delayMs?: number } = {}): Promise<Receiver> {
  const received: Received[] = [];
  const answeredOk = new Map<string, number>();
  const accepted = new Set<string>();
  let n = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { deliveryId: String(req.headers['tandem-delivery-id'] ?? ''), signature: String(req.headers['tandem-signature'] ?? ''), body: Buffer.concat(chunks).toString('utf8') };
      const status = opts.handler ? opts.handler(r, n++) : 200;
      const answer = () => {
        received.push({ ...r, status });
        if (status >= 200 && status < 300) {
          answeredOk.set(r.deliveryId, (answeredOk.get(r.deliveryId) ?? 0) + 1);
          accepted.add(r.deliveryId);
        }
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
      };
      if (opts.delayMs) setTimeout(answer, opts.delayMs);
      else answer();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    answeredOk,
    accepted,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
