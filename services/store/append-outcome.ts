import { PassthruError, storeFailure } from '../../domain/errors.ts';

/**
 * An append that got no answer (a deadline, a dropped connection) may have
 * been written. The failure says so, so a writer can retry it with the same
 * event ids: the store's dedupe turns a retry of a write that landed into a
 * success that appends nothing.
 */
export const appendOutcomeUnknown = (message: string, details: Record<string, unknown>) =>
  storeFailure(message, { ...details, outcome: 'unknown' });

export const isAppendOutcomeUnknown = (error: unknown): boolean =>
  error instanceof PassthruError && error.kind === 'store_failure' && error.details.outcome === 'unknown';
