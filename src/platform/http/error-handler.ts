import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, STATUS_TITLES, mustBeOneOf } from './errors.ts';

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance?: string;
  [key: string]: unknown;
}

export function toProblem(err: unknown, req?: FastifyRequest): Problem {
  const base = (status: number, code: string, detail: string, extras: Record<string, unknown> = {}): Problem => ({
    type: `https://citydata.example/problems/${code}`,
    title: STATUS_TITLES[status] ?? 'Error',
    status,
    code,
    detail,
    ...(req ? { instance: req.url.split('?')[0] } : {}),
    ...extras,
  });
  if (err instanceof AppError) return base(err.status, err.code, err.message, err.extras);
  const fe = err as FastifyError & {
    validation?: { keyword?: string; instancePath?: string; params?: Record<string, unknown>; message?: string }[];
    validationContext?: string;
  };
  if (fe && Array.isArray(fe.validation)) {
    // A value outside a list of allowed ones fails each `const` of an anyOf, then the anyOf: one error naming the list.
    const allowed = new Map<string, unknown[]>();
    for (const v of fe.validation)
      if (v.keyword === 'const' && v.params && 'allowedValue' in v.params) {
        const at = v.instancePath ?? '';
        allowed.set(at, [...(allowed.get(at) ?? []), v.params.allowedValue]);
      }
    const validation = fe.validation.flatMap((v) => {
      const list = allowed.get(v.instancePath ?? '');
      if (!list || (v.keyword !== 'const' && v.keyword !== 'anyOf')) return [v];
      return v.keyword === 'anyOf' ? [{ ...v, message: mustBeOneOf(list) }] : [];
    });
    const errors = validation.map((v) => {
      const extra =
        v.params && typeof v.params.additionalProperty === 'string'
          ? `/${v.params.additionalProperty}`
          : v.params && typeof v.params.missingProperty === 'string'
            ? `/${v.params.missingProperty}`
            : '';
      const field = `${fe.validationContext ?? 'body'}${v.instancePath ?? ''}${extra}`;
      return { field, message: v.message ?? 'invalid' };
    });
    const first = errors[0];
    return base(400, 'invalid_request', first ? `${first.field}: ${first.message}` : fe.message, {
      field: first?.field,
      errors,
    });
  }
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code =
      fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fe instanceof SyntaxError
        ? 'malformed_json'
        : fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fe.statusCode === 413
          ? 'payload_too_large'
          : fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? 'unsupported_media_type'
            : fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
              ? 'empty_body'
              : fe.statusCode === 429
                ? 'too_many_requests'
                : String(fe.code ?? 'bad_request')
                    .toLowerCase()
                    .replace(/^fst_err_/, '');
    return base(fe.statusCode, code, fe.message);
  }
  return base(500, 'internal_error', 'An unexpected error occurred; it has been logged.');
}

/** The one error handler: typed errors become problem+json; anything else is a logged 500. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply: FastifyReply) => {
    const problem = toProblem(err, req);
    if (problem.status >= 500) req.log.error({ err }, 'unhandled error');
    else req.log.info({ code: problem.code, status: problem.status }, problem.detail);
    if (typeof problem.retryAfter === 'number') void reply.header('retry-after', String(problem.retryAfter));
    return reply.status(problem.status).type('application/problem+json; charset=utf-8').send(problem);
  });
}

/** Unknown API paths are problem+json 404s; other GETs fall back to the portal's index.html when it is built. */
export function registerNotFound(
  app: FastifyInstance,
  spa?: {
    isSpaPath: (req: FastifyRequest) => boolean;
    handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  } | null,
): void {
  app.setNotFoundHandler((req, reply) => {
    if (spa && spa.isSpaPath(req)) return spa.handler(req, reply);
    const problem = toProblem(
      new AppError(404, 'route_not_found', `No route ${req.method} ${req.url.split('?')[0]}`),
      req,
    );
    return reply.status(404).type('application/problem+json; charset=utf-8').send(problem);
  });
}
