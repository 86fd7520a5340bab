import { createHmac, timingSafeEqual } from 'node:crypto';

/** `Tandem-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">[,v1=…]`, one v1 per secret. */
export function signatureHeader(body: string, unixSeconds: number, secrets: readonly string[]): string {
  let out = `t=${unixSeconds}`;
  for (const s of secrets) out += `,v1=${createHmac('sha256', s).update(`${unixSeconds}.${body}`).digest('hex')}`;
  return out;
}

/**
 * What a receiver does (docs/webhooks.md shows it in Node and Python): true when one of the
 * header's v1 values is the HMAC of "<t>.<body>" with the secret and t is within tolerance.
 */
export function verifySignature(body: string, header: string, secret: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  const parts = header.split(',').map((p) => p.split('=', 2) as [string, string]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return parts.some(([k, v]) => k === 'v1' && /^[0-9a-f]{64}$/.test(v) && timingSafeEqual(Buffer.from(v, 'hex'), expected));
}
