// Outbox: how close the delivery worker comes to a bare HTTP client.
//
// deliveries  10,000 domain messages in the outbox (SQLite, as `npm start` runs by default),
//             fanned out to one subscribed webhook endpoint and delivered by the worker
//             (claims with a lease, HMAC signature, the delivery log, settling each batch),
//             against a bare loop posting the same 10,000 bodies with undici at the same
//             concurrency (32 requests in flight), to the same local receiver. The receiver runs
//             in its own process so neither side shares its event loop. Goal: ratio ≥ 0.5.
//
// Peer and subject alternate (ROUNDS each) and medians are taken, so machine noise hits both
// alike. Only the ratio is the contract; the rest is information.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { Agent, request } from 'undici';
import { systemContext } from '../src/core/auth.js';
import { createTestApp } from '../test/support/app.js';
import { info, median, type Figure } from './figures.js';
import type { Benchmark } from './run.js';

const BENCH = 'outbox';
const MESSAGES = 10_000;
const IN_FLIGHT = 32;
/** as `npm start` runs the worker: two lanes (one sends while the other writes), 16 requests each */
const LANES = 2;
const ROUNDS = 3;
const GOAL = 0.5;

/** A receiver in a child process: answers 200 to every POST after reading the body. */
async function startReceiver() {
  const code = `const http = require('node:http');
    let n = 0;
    const s = http.createServer((req, res) => { req.resume(); req.on('end', () => { n++; res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'); }); });
    s.keepAliveTimeout = 30000;
    s.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: s.address().port })));
    process.on('message', () => process.send(n));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => readline.createInterface({ input: child.stdout! }).once('line', (l) => resolve((JSON.parse(l) as { port: number }).port)));
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    requests: () => new Promise<number>((resolve) => { child.once('message', (n) => resolve(n as number)); child.send('count'); }),
    stop: () => child.kill(),
  };
}

type ReceiverProc = Awaited<ReturnType<typeof startReceiver>>;

const payload = (i: number) => ({ eventId: `evt_${String(i).padStart(26, '0')}`, programId: 'prg_00000000000000000000000001', personId: `per_${String(i % 500).padStart(26, '0')}`, points: 10 + (i % 90), transferId: `trf_${String(i).padStart(26, '0')}` });

/** The subject: a fresh database, 10,000 messages in the outbox, the worker until all are delivered. */
async function runWorker(receiver: ReceiverProc) {
  const t = await createTestApp('sqlite');
  try {
    const ws = await t.workspace('Bench Hooks Co');
    await t.services.comms.createEndpoint(systemContext(ws.id), { url: receiver.url, eventTypes: ['points.awarded'], description: '', allowPrivateNetwork: false });
    await t.services.db.transaction().execute(async (tx) => {
      for (let i = 0; i < MESSAGES; i++) await t.services.outbox.enqueue(tx, { workspaceId: ws.id, topic: 'points.awarded', payload: payload(i) });
    });
    const before = await receiver.requests();
    const w = t.services.comms.worker({ concurrency: IN_FLIGHT / LANES });
    const started = performance.now();
    await Promise.all(Array.from({ length: LANES }, () => w.drain()));
    const ms = performance.now() - started;
    await w.close();
    assert.equal((await receiver.requests()) - before, MESSAGES, 'every message delivered once');
    const delivered = await t.services.db.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'delivered').executeTakeFirstOrThrow();
    assert.equal(Number(delivered.n), MESSAGES);
    return ms;
  } finally {
    await t.close();
  }
}

/** The peer: the same bodies, POSTed by a bare loop with undici at the same concurrency. */
async function runBareLoop(receiver: ReceiverProc) {
  const bodies = Array.from({ length: MESSAGES }, (_, i) => JSON.stringify({ id: `msg_${String(i).padStart(26, '0')}`, type: 'points.awarded', createdAt: new Date().toISOString(), data: payload(i) }));
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: IN_FLIGHT });
  const before = await receiver.requests();
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const res = await request(receiver.url, { method: 'POST', body, headers: { 'content-type': 'application/json' }, dispatcher: agent });
        await res.body.dump();
        assert.equal(res.statusCode, 200);
      }
    }),
  );
  const ms = performance.now() - started;
  await agent.close();
  assert.equal((await receiver.requests()) - before, MESSAGES);
  return ms;
}

async function measure(): Promise<Figure> {
  const receiver = await startReceiver();
  try {
    // Warm both sides up once (compiled code, the receiver's connections), outside the figures.
    await runBareLoop(receiver);
    await runWorker(receiver);
    const worker: number[] = [];
    const bare: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      bare.push(await runBareLoop(receiver));
      worker.push(await runWorker(receiver));
    }
    const w = median(worker);
    const b = median(bare);
    info(BENCH, 'worker', { messages: MESSAGES, inFlight: IN_FLIGHT, medianMs: w, perSecond: (MESSAGES * 1000) / w, rounds: worker.map((x) => Math.round(x)).join('/') });
    info(BENCH, 'bare-undici', { messages: MESSAGES, inFlight: IN_FLIGHT, medianMs: b, perSecond: (MESSAGES * 1000) / b, rounds: bare.map((x) => Math.round(x)).join('/') });
    return { bench: BENCH, figure: 'deliveries', ratio: b / w, goal: GOAL };
  } finally {
    receiver.stop();
  }
}

export const outboxBenchmark: Benchmark = {
  figures: ['deliveries'],
  async run() {
    return [await measure()];
  },
};
