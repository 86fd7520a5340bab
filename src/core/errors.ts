/**
 * The closed list of error codes Tandem answers with. Each is documented in docs/errors.md
 * with its HTTP status and what the caller should do; a test keeps the two in step.
 */
export const ERROR_CODES = {
  invalid_json: { status: 400, title: 'Malformed JSON' },
  validation_failed: { status: 400, title: 'Invalid input' },
  invalid_cursor: { status: 400, title: 'Invalid cursor' },
  unauthenticated: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Not allowed for this role' },
  csrf_failed: { status: 403, title: 'Missing or wrong CSRF token' },
  not_found: { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  idempotency_conflict: { status: 409, title: 'Idempotency key reused with a different request' },
  idempotency_in_progress: { status: 409, title: 'A request with this idempotency key is in progress' },
  insufficient_points: { status: 409, title: 'Not enough points' },
  budget_exhausted: { status: 409, title: 'The program budget is spent' },
  out_of_stock: { status: 409, title: 'Out of stock' },
  limit_reached: { status: 409, title: 'Redemption limit reached' },
  reward_unavailable: { status: 409, title: 'Reward not available' },
  not_eligible: { status: 403, title: 'Not eligible for this reward' },
  survey_not_open: { status: 409, title: 'The survey is not open' },
  survey_closed: { status: 409, title: 'The survey is closed' },
  already_submitted: { status: 410, title: 'This survey link was already used' },
  payload_too_large: { status: 413, title: 'Request body too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported content type' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal error' },
  service_unavailable: { status: 503, title: 'Service unavailable' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface FieldError {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly opts: { detail?: string; errors?: FieldError[]; path?: string; retryAfter?: number } = {},
  ) {
    super(opts.detail ?? ERROR_CODES[code].title);
    this.status = ERROR_CODES[code].status;
  }

  get fieldErrors(): FieldError[] | undefined {
    if (this.opts.errors) return this.opts.errors;
    if (this.opts.path) return [{ path: this.opts.path, message: this.message }];
    return undefined;
  }
}

export const notFound = (what: string, path?: string) =>
  new AppError('not_found', { detail: `${what} not found`, path });

export const invalid = (path: string, message: string) =>
  new AppError('validation_failed', { detail: `${path}: ${message}`, errors: [{ path, message }] });
