import { storeFailure } from '../../../domain/errors.ts';

/**
 * Port positions are numbers; KurrentDB's are bigint byte offsets in its
 * transaction log. A number holds them exactly below 2^53 (8 PiB of log), far
 * beyond any pool's audit trail, so we convert and refuse anything larger.
 * We use the prepare position, the event's own offset: every event of one
 * multi-event append shares its commit position, so only the prepare position
 * is strictly increasing per event. For a single-event append (all passthru
 * writes) the two are equal.
 */
export function toPosition(offset: bigint): number {
  if (offset > BigInt(Number.MAX_SAFE_INTEGER) || offset < 0n) {
    throw storeFailure(`KurrentDB position ${offset} is outside what passthru can address`);
  }
  return Number(offset);
}
