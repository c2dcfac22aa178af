import { AppError, type ProblemExtras } from '../../platform/http/errors.ts';
import type { Notice, NoticeCode } from './types.ts';

/** Errors about the uploaded file itself: 422, with where it happened in extras. */
export const badFile = (code: string, message: string, extras?: ProblemExtras) =>
  new AppError(422, code, message, extras);

export const cancelled = () => new AppError(409, 'cancelled', 'Ingest was cancelled');

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelled();
}

/** A warning about a load: its code and parameters, and its English wording. */
export const notice = (code: NoticeCode, params: Notice['params'], message: string): Notice => ({
  code,
  params,
  message,
});
