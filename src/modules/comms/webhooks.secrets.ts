import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** What a sealed secret starts with; anything else is a plain secret written before encryption. */
const SEALED = 'enc1:';

/**
 * Webhook endpoint secrets at rest: AES-256-GCM under a key derived (HKDF-SHA256) from
 * TANDEM_SECRET, bound to the endpoint (workspace and id as associated data), so a value copied
 * to another row does not open. Stored as `enc1:` + base64url(iv ‖ ciphertext ‖ tag). A value
 * without the prefix is a plain secret from before encryption: it opens as itself until the
 * worker's upkeep seals it.
 */
export function createSecretBox(masterSecret: string, purpose: { info: string; label: string } = { info: 'webhook-endpoint-secrets', label: 'webhook_endpoint' }) {
  // Each use (webhook secrets, vendor secrets, reward codes) gets its own key and its own
  // associated data, so a value sealed for one never opens as another.
  const key = Buffer.from(hkdfSync('sha256', masterSecret, 'tandem', purpose.info, 32));
  const aad = (ws: string, id: string) => Buffer.from(`${purpose.label}|${ws}|${id}`);
  return {
    isSealed: (stored: string) => stored.startsWith(SEALED),
    seal(ws: string, id: string, plain: string): string {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad(ws, id));
      const out = Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return SEALED + out.toString('base64url');
    },
    /** The plain secret; throws when the value was sealed under another TANDEM_SECRET or altered. */
    open(ws: string, id: string, stored: string): string {
      if (!stored.startsWith(SEALED)) return stored;
      const raw = Buffer.from(stored.slice(SEALED.length), 'base64url');
      if (raw.length < 12 + 16) throw new Error('sealed secret too short');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12)).setAAD(aad(ws, id));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
    },
  };
}
export type SecretBox = ReturnType<typeof createSecretBox>;
