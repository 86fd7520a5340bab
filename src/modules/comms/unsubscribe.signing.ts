import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The token of an unsubscribe link: who (workspace, person) and what (message type), signed
 * with HMAC-SHA256 under TANDEM_SECRET, so the link needs no session and cannot be forged.
 */
export interface UnsubscribeClaim {
  workspaceId: string;
  personId: string;
  type: string;
}

const mac = (secret: string, payload: string) => createHmac('sha256', secret).update(`unsubscribe.${payload}`).digest('base64url');

export function signUnsubscribe(secret: string, c: UnsubscribeClaim): string {
  const payload = Buffer.from(`${c.workspaceId}|${c.personId}|${c.type}`).toString('base64url');
  return `${payload}.${mac(secret, payload)}`;
}

/** The claim, or null when the token is malformed or its signature does not match. */
export function verifyUnsubscribe(secret: string, token: string): UnsubscribeClaim | null {
  const [payload, sig, extra] = token.split('.');
  if (!payload || !sig || extra !== undefined) return null;
  const want = Buffer.from(mac(secret, payload));
  const got = Buffer.from(sig);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
  const [workspaceId, personId, type, more] = Buffer.from(payload, 'base64url').toString('utf8').split('|');
  if (!workspaceId || !personId || !type || more !== undefined) return null;
  return { workspaceId, personId, type };
}
