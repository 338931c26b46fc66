import { invalidInput } from '../../domain/errors.ts';

/**
 * The shape every store asks of an `after` cursor before it reads: 0 (the
 * start) or a whole number a position can be. Whether an event sits there is
 * each store's own check; neither ever reaches a read as a start position.
 */
export function feedCursor(after: number | undefined): number {
  const cursor = after ?? 0;
  if (!Number.isSafeInteger(cursor) || cursor < 0) throw notAnEventPosition(cursor);
  return cursor;
}

export const notAnEventPosition = (after: number) =>
  invalidInput(`after=${after} is not the position of a stored event (positions come from events already read)`, {
    after,
  });
