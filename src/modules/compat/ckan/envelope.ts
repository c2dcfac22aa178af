import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../platform/http/errors.ts';
import { toProblem } from '../../../platform/http/error-handler.ts';

/** CKAN's error types and the status codes CKAN answers them with. */
export type CkanErrorType =
  | 'Validation Error'
  | 'Authorization Error'
  | 'Not Found Error'
  | 'Bad Request'
  | 'Too Many Requests'
  | 'Internal Server Error';

export interface CkanError {
  __type: CkanErrorType;
  message: string;
  [field: string]: unknown;
}

export function helpUrl(publicUrl: string, action: string): string {
  return `${publicUrl}/api/3/action/help_show?name=${encodeURIComponent(action)}`;
}

export function success(publicUrl: string, action: string, result: unknown) {
  return { help: helpUrl(publicUrl, action), success: true as const, result };
}

/**
 * Maps any error to CKAN's `{success: false, error: {__type, message}}`: 401/403 → 403 Authorization Error (CKAN has
 * no 401), 404 → Not Found Error, bad input (400/409/422 and schema failures) → 409 Validation Error with the field
 * named the way CKAN does (`{field: [message]}`). Anything unexpected stays a logged 500.
 */
export function toCkanError(err: unknown): { status: number; error: CkanError } {
  const problem = toProblem(err);
  const extras: Record<string, unknown> = {};
  const field = typeof problem.field === 'string' ? problem.field.replace(/^(querystring|body|params)\//, '') : null;
  if (field) extras[field] = [problem.detail];
  if (err instanceof AppError) extras.code = err.code;
  else if (problem.status < 500) extras.code = problem.code;
  const s = problem.status;
  if (s === 401 || s === 403)
    return { status: 403, error: { __type: 'Authorization Error', message: problem.detail, ...extras } };
  if (s === 404) return { status: 404, error: { __type: 'Not Found Error', message: problem.detail, ...extras } };
  if (s === 429) return { status: 429, error: { __type: 'Too Many Requests', message: problem.detail, ...extras } };
  const fe = err as FastifyError;
  if (err instanceof AppError && err.code === 'unknown_action')
    return { status: 400, error: { __type: 'Bad Request', message: problem.detail, ...extras } };
  // A body that is not JSON at all: CKAN answers 400 Bad Request there, not a validation error.
  if (fe?.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fe?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || s === 413)
    return { status: s === 413 ? 413 : 400, error: { __type: 'Bad Request', message: problem.detail, ...extras } };
  if (s >= 400 && s < 500)
    return { status: 409, error: { __type: 'Validation Error', message: problem.detail, ...extras } };
  return { status: 500, error: { __type: 'Internal Server Error', message: problem.detail } };
}

export function ckanErrorHandler(publicUrl: string) {
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const { status, error } = toCkanError(err);
    if (status >= 500) req.log.error({ err }, 'unhandled error in the CKAN API');
    else req.log.info({ status, type: error.__type }, error.message);
    const action = (req.params as { action?: string } | undefined)?.action ?? 'unknown';
    return reply
      .status(status)
      .type('application/json; charset=utf-8')
      .send({ help: helpUrl(publicUrl, action), success: false, error });
  };
}
