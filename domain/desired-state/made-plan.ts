import type { Apply } from '../apply-mode.ts';
import type { NextBootVerdict } from '../next-boot.ts';
import type { PlannedChange, PlanRefusal } from './plan.ts';

/** A plan as answered and as its `PlanMade` event records it. */
export interface MadePlan {
  readonly id: string;
  readonly made_at: string;
  /** The store position it was computed at: an apply is refused once a device or host event follows it. */
  readonly position: number;
  /** Of the next boot's hide list as read: an apply is refused once it differs. */
  readonly hide_list_digest: string;
  readonly changes: PlannedChange[];
  readonly refusals: PlanRefusal[];
  readonly warnings: string[];
  readonly next_boot: NextBootVerdict;
  readonly reboot_needed: boolean;
}

/** What the event keeps beyond the answer: how the apply carries the plan out. */
export interface PlanMadeData extends MadePlan {
  readonly apply: Apply;
}
