import type { FieldError, Page, Problem } from './types';

/**
 * A thin fetch wrapper: same-origin cookies, the CSRF token on unsafe methods, JSON in and
 * out, and problem+json errors turned into ApiError so forms can show `detail` and the
 * per-field `errors`.
 */

let csrfToken: string | null = null;

/** Set from GET /api/v1/session; sent as X-CSRF-Token on POST, PUT, PATCH and DELETE. */
export function setCsrfToken(token: string | null) {
  csrfToken = token;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
    /** seconds, from Retry-After (429) */
    readonly retryAfter: number | null = null,
  ) {
    super(problem.detail || problem.title);
  }
  get code() {
    return this.problem.code;
  }
  get fieldErrors(): FieldError[] {
    return this.problem.errors ?? [];
  }
}

export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;

type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  query?: Query;
  /** a JSON body */
  json?: unknown;
  /** a raw text body, sent with `contentType` */
  text?: string;
  /** a file, sent as the body with its own type (uploads) */
  file?: Blob;
  /** extra headers (an Idempotency-Key) */
  headers?: Record<string, string>;
  contentType?: string;
  signal?: AbortSignal;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function withQuery(path: string, query?: Query) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...opts.headers };
  let body: string | Blob | undefined;
  if (opts.file !== undefined) {
    headers['content-type'] = opts.file.type || 'application/octet-stream';
    body = opts.file;
  } else if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.text !== undefined) {
    headers['content-type'] = opts.contentType ?? 'text/plain';
    body = opts.text;
  }
  if (UNSAFE.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken;

  let res: Response;
  try {
    res = await fetch(withQuery(path, opts.query), { method, headers, body, credentials: 'same-origin', signal: opts.signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, { type: 'about:blank', title: 'Network error', status: 0, code: 'network', detail: 'Could not reach the Tandem server. Check your connection and try again.' });
  }
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  const text = await res.text();
  let data: unknown = undefined;
  if (text && (type.includes('json') || type.includes('problem'))) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!res.ok) {
    const p = (data && typeof data === 'object' ? data : {}) as Partial<Problem>;
    const problem: Problem = {
      type: p.type ?? 'about:blank',
      title: p.title ?? res.statusText ?? 'Error',
      status: p.status ?? res.status,
      detail: p.detail ?? p.title ?? `The server answered ${res.status}`,
      code: p.code ?? String(res.status),
      errors: Array.isArray(p.errors) ? p.errors : undefined,
    };
    const ra = res.headers.get('retry-after');
    const retryAfter = ra && /^\d+$/.test(ra) ? Number(ra) : ra ? Math.max(0, Math.round((Date.parse(ra) - Date.now()) / 1000)) || null : null;
    throw new ApiError(res.status, problem, retryAfter);
  }
  return data as T;
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>('GET', path, { query, signal }),
  post: <T>(path: string, json?: unknown) => request<T>('POST', path, { json }),
  patch: <T>(path: string, json: unknown) => request<T>('PATCH', path, { json }),
  del: <T>(path: string) => request<T>('DELETE', path),
};

/** Every page of a list (up to `max` rows), following nextCursor. */
export async function listAll<T>(path: string, query: Query = {}, max = 5000): Promise<T[]> {
  const rows: T[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await api.get<Page<T>>(path, { ...query, limit: 500, cursor: cursor ?? undefined });
    rows.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor && rows.length < max);
  return rows;
}
