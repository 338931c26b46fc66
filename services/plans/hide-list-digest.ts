import { createHash } from 'node:crypto';
import { formatHideList } from '../../domain/hide-list.ts';
import type { PendingHideList } from '../host/host.ts';

/** A digest of the next boot's hide keys as read: any edit of them, by anyone, changes it. */
export function hideListDigest(pending: PendingHideList): string {
  const read = {
    keys: pending.keys,
    list: formatHideList(pending.list),
    unreadable: pending.list.unreadable,
    ignored: pending.ignored,
  };
  return `sha256:${createHash('sha256').update(JSON.stringify(read)).digest('hex')}`;
}
