import { conflict, type PassthruError } from '../../domain/errors.ts';
import type { ExpectedRevision } from './event-store.ts';

/** The optimistic concurrency rule shared by every adapter that checks it itself. */
export function checkExpectedRevision(stream: string, expected: ExpectedRevision, current: number | null): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && current === null) ||
    (expected === 'stream_exists' && current !== null) ||
    expected === current;
  if (!ok) throw revisionConflict(stream, expected, current);
}

/** The error for a stream that is not where the writer expected it, for adapters whose server checks. */
export function revisionConflict(stream: string, expected: ExpectedRevision, current: number | null): PassthruError {
  return conflict(
    `stream ${stream} is at ${current === null ? 'no revision (it does not exist)' : `revision ${current}`}, expected ${expected}`,
    { stream, expected, actual: current },
  );
}
