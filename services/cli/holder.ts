import type { Holder } from '../../domain/xl-lists.ts';

/** A holder as the CLI's tables show it: the guest's name and domain id, or `-`. */
export function holderCell(holder: Holder | null): string {
  return holder ? `${holder.name} (${holder.domid})` : '-';
}
