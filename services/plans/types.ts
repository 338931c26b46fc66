import type { NextBootVerdict } from '../../domain/next-boot.ts';
import type { HideList } from '../../domain/hide-list.ts';

/**
 * The next boot's preflight for a list not yet written: a plan's `next_boot`.
 * The one seam between desired state and the next-boot preflight, wired in services/startup/passthru.ts.
 */
export type NextBootPreview = (wouldBeList: HideList) => Promise<NextBootVerdict>;
