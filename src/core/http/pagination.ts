import { z } from 'zod';
import { AppError } from '../errors.js';

export const ZLimit = z.coerce.number().int().min(1).max(500).default(50);
export const ZCursor = z.string().max(200).optional();
export const ZPageQuery = z.object({ limit: ZLimit, cursor: ZCursor });

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), nextCursor: z.string().nullable() });
}

/** Cursors are opaque: the last id seen, base64url-encoded. Lists are ordered by id. */
export const encodeCursor = (id: string) => Buffer.from(JSON.stringify({ after: id })).toString('base64url');

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof v.after === 'string' && v.after.length < 100) return v.after;
  } catch {
    /* fall through */
  }
  throw new AppError('invalid_cursor', { detail: 'cursor is not one this API gave out', path: 'cursor' });
}

/** Given limit+1 rows, answers the page and the cursor to the next one. */
export function toPage<R extends { id: string }, T>(rows: R[], limit: number, map: (r: R) => T) {
  const more = rows.length > limit;
  const slice = more ? rows.slice(0, limit) : rows;
  return { data: slice.map(map), nextCursor: more ? encodeCursor(slice[slice.length - 1]!.id) : null };
}
