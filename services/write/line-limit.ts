import { describeRoom, DOM0_LINE_LIMIT, dom0LineRoom } from '../../domain/dom0-line.ts';
import { conflict } from '../../domain/errors.ts';
import type { HideList } from '../../domain/hide-list.ts';
import type { Host, PendingHideList } from '../host/host.ts';

/**
 * Refuses a write of the hide list that would make the next boot's dom0 line
 * longer than passthru allows: Xen would cut it, and a cut in the middle of the
 * hide list makes xen-pciback hide nothing. A write that shortens a line
 * already too long (an unhide) goes through.
 */
export async function refuseTooLongLine(
  host: Host,
  list: HideList,
  was: PendingHideList,
  options: { dropIgnored?: boolean } = {},
): Promise<void> {
  const [before, after] = await Promise.all([host.dom0Line(), host.dom0LineAfterWrite(list, was, options)]);
  if (before === null || after === null || after.length <= DOM0_LINE_LIMIT || after.length <= before.length) return;
  const room = dom0LineRoom(before);
  throw conflict(
    `nothing changed: the next boot's dom0 line would be ${after.length} characters, over the ${DOM0_LINE_LIMIT} passthru allows ` +
      `(Xen keeps 1023 and appends to it; a cut in the hide list makes xen-pciback hide nothing): ${describeRoom(room)}; ` +
      'unhide devices you no longer pass through, or shorten the dom0 line, to make room',
    { reason: 'command_line_too_long', length: after.length, limit: DOM0_LINE_LIMIT, more_devices: room.more_devices },
  );
}
