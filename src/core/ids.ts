import { randomBytes } from 'node:crypto';

// Random bytes are drawn 4 KiB at a time: one call per id cost more than the rest of the id.
let pool = Buffer.alloc(0);
let offset = 0;
function random16(): Buffer {
  if (offset + 16 > pool.length) {
    pool = randomBytes(4096);
    offset = 0;
  }
  offset += 16;
  return pool.subarray(offset - 16, offset);
}

/** The id prefixes in use (decisions.md keeps the list). */
export type IdPrefix =
  | 'wsp' | 'tea' | 'per' | 'acc' | 'asg' | 'usr' | 'key' | 'ses' | 'aud' | 'msg' | 'msb' | 'imp'
  | 'evt' | 'prg' | 'trf' | 'rul' | 'gol' | 'out'
  | 'srv' | 'svi' | 'rsp'
  | 'whe' | 'whd' | 'wha' | 'inb' | 'eml' | 'dgi' | 'dig' | 'rwd' | 'rvr' | 'rim' | 'red' | 'cpe' | 'cpr'
  // fulfilment: reward codes, vendors
  | 'rcd' | 'fvn'
  // survey triggers (issue #7)
  | 'svt';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

function encodeTime(ms: number): string {
  let out = '';
  let t = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}


export interface Ids {
  next<P extends IdPrefix>(prefix: P): `${P}_${string}`;
}

/**
 * Time-ordered prefixed ids: 10 chars of milliseconds then 16 random chars. Ids made in the
 * same millisecond by one process still sort in creation order (a monotonic counter).
 */
export function createIds(now: () => number = Date.now): Ids {
  let lastMs = -1;
  let timePart = '';
  const rand = new Uint8Array(16);
  // The 16 random chars as text, kept between calls: counting up mostly changes the last one,
  // so an id costs a slice and a few concatenations, not sixteen.
  let tail = '';
  return {
    next(prefix) {
      const ms = now();
      if (ms > lastMs) {
        const bytes = random16();
        for (let i = 0; i < 16; i++) rand[i] = bytes[i]! % 32;
        rand[0] = rand[0]! % 16; // leave room to count up within one millisecond
        lastMs = ms;
        timePart = encodeTime(ms);
        tail = '';
        for (let i = 0; i < 16; i++) tail += ALPHABET[rand[i]!];
      } else {
        // The same millisecond (or a clock that stepped back): count up from the last id.
        let i = 15;
        for (; i >= 0; i--) {
          if (rand[i]! < 31) {
            rand[i]!++;
            break;
          }
          rand[i] = 0;
        }
        tail = i === 15 ? tail.slice(0, 15) + ALPHABET[rand[15]!] : i < 0 ? '0'.repeat(16) : tail.slice(0, i) + ALPHABET[rand[i]!] + '0'.repeat(15 - i);
      }
      return `${prefix}_${timePart}${tail}`;
    },
  };
}

export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');
