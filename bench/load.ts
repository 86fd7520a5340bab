import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

// autocannon runs in a child process: in the server's process it would take the event loop the
// server is being measured on (and with 2 cores, the client gets the other one).
const AUTOCANNON_CLI = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

export interface LoadResult {
  /** mean of the per-second request counts */
  reqPerSec: number;
  /** latency percentiles, milliseconds */
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
}

interface AutocannonJson {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** GET `url` with `connections` connections for `seconds` seconds. */
export function load(url: string, opts: { connections: number; seconds: number; headers?: Record<string, string> }): Promise<LoadResult> {
  const args = [AUTOCANNON_CLI, '--json', '--no-progress', '-c', String(opts.connections), '-d', String(opts.seconds)];
  for (const [k, v] of Object.entries(opts.headers ?? {})) args.push('-H', `${k}=${v}`);
  args.push(url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited ${code}: ${err.trim()}`));
      try {
        const r = JSON.parse(out) as AutocannonJson;
        resolve({ reqPerSec: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, requests: r.requests.total, non2xx: r.non2xx, errors: r.errors + r.timeouts });
      } catch (e) {
        reject(new Error(`autocannon printed no JSON (${(e as Error).message}): ${out.slice(0, 200)} ${err.slice(0, 200)}`));
      }
    });
  });
}
