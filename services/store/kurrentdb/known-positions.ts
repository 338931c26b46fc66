import type { Position } from '@kurrent/kurrentdb-client';

const KEPT = 1024;

/**
 * The full positions of the events that ended the pages this store returned,
 * by the number it gave out for them. A reader's next page starts from one of
 * these, so it needs no check that an event sits there.
 */
export class KnownPositions {
  private readonly byNumber = new Map<number, Position>();

  remember(number: number, position: Position): void {
    this.byNumber.delete(number);
    this.byNumber.set(number, position);
    if (this.byNumber.size > KEPT) this.byNumber.delete(this.byNumber.keys().next().value!);
  }

  get(number: number): Position | undefined {
    return this.byNumber.get(number);
  }
}
