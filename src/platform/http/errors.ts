/**
 * The error catalogue. Services throw AppError; the one error handler turns it into
 * application/problem+json (RFC 9457) with a stable `code`.
 */
export interface ProblemExtras {
  /** The request field (JSON pointer-ish path or parameter name) at fault. */
  field?: string;
  row?: number;
  column?: string;
  errors?: { field: string; message: string }[];
  [key: string]: unknown;
}

export class AppError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly extras: ProblemExtras = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** A validation message for a value outside a list of allowed ones. */
export const mustBeOneOf = (values: unknown[]) => `must be one of: ${values.map(String).join(', ')}`;

export const badRequest = (code: string, message: string, extras?: ProblemExtras) =>
  new AppError(400, code, message, extras);
export const validationFailed = (message: string, extras?: ProblemExtras) =>
  new AppError(422, 'validation_failed', message, extras);
export const unauthorized = (code: string, message: string) => new AppError(401, code, message);
export const forbidden = (message = 'You are not allowed to do this') => new AppError(403, 'forbidden', message);
export const notFound = (what: string, id?: string) =>
  new AppError(404, 'not_found', id ? `${what} ${id} not found` : `${what} not found`, { resource: what });
export const conflict = (code: string, message: string, extras?: ProblemExtras) =>
  new AppError(409, code, message, extras);
export const tooMany = (message: string, retryAfterSeconds: number) =>
  new AppError(429, 'too_many_requests', message, { retryAfter: retryAfterSeconds });

export const STATUS_TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};
