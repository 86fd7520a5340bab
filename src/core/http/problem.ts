import type { FastifyReply } from 'fastify';
import { AppError, ERROR_CODES, type ErrorCode, type FieldError } from '../errors.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldError[];
}

export function problemOf(err: AppError): Problem {
  const p: Problem = {
    type: `https://tandem.dev/errors/${err.code}`,
    title: ERROR_CODES[err.code].title,
    status: err.status,
    detail: err.message,
    code: err.code,
  };
  const errors = err.fieldErrors;
  if (errors) p.errors = errors;
  return p;
}

export function sendProblem(reply: FastifyReply, err: AppError) {
  if (err.opts.retryAfter) reply.header('retry-after', String(err.opts.retryAfter));
  return reply.code(err.status).type('application/problem+json').send(problemOf(err));
}
