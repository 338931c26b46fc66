import { conflict } from '../../domain/errors.ts';
import { HideListMoved } from '../host/host.ts';

/** How many times a command decides again before it gives up on a list that keeps moving. */
const ATTEMPTS = 5;

/**
 * Runs a read-decide-write of the hide list, and runs it again from the read
 * when the list moved before the write: another writer's edit is then read,
 * recorded and kept, never written over.
 */
export async function startingOver<T>(attempt: () => Promise<T>): Promise<T> {
  for (let left = ATTEMPTS; ; left--) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof HideListMoved)) throw error;
      if (left <= 1) {
        throw conflict(
          `nothing changed: the next boot's hide list changed ${ATTEMPTS} times between passthru's read and its write; another program is editing it, retry once it is done`,
          { reason: 'hide_list_busy' },
        );
      }
    }
  }
}
