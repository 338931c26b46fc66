/**
 * Errors that carry what went wrong in the caller's terms; the HTTP layer maps
 * each kind to its status, so no domain code knows about HTTP.
 */
export type ErrorKind =
  | 'invalid_input'
  | 'not_found'
  | 'unauthorized'
  | 'forbidden'
  | 'conflict'
  | 'host_failure'
  | 'store_failure'
  | 'not_ready';

export class PassthruError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'PassthruError';
  }
}

export const invalidInput = (message: string, details?: Record<string, unknown>) =>
  new PassthruError('invalid_input', message, details);
export const notFound = (message: string, details?: Record<string, unknown>) =>
  new PassthruError('not_found', message, details);
export const unauthorized = (message: string) => new PassthruError('unauthorized', message);
export const forbidden = (message: string, details?: Record<string, unknown>) =>
  new PassthruError('forbidden', message, details);
export const conflict = (message: string, details?: Record<string, unknown>) =>
  new PassthruError('conflict', message, details);
export const hostFailure = (message: string, details?: Record<string, unknown>) =>
  new PassthruError('host_failure', message, details);
export const storeFailure = (message: string, details?: Record<string, unknown>) =>
  new PassthruError('store_failure', message, details);
