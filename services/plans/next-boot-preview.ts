import { formatHideList } from '../../domain/hide-list.ts';
import { HIDE_KEY } from '../../domain/kernel-cmdline.ts';
import { describeProtections } from '../../domain/protection.ts';
import { hideListProblems } from '../../domain/unheeded-hides.ts';
import type { Host } from '../host/host.ts';
import type { Records } from '../read/records.ts';
import type { NextBootPreview } from './types.ts';

/** What xen keeps of the dom0 line, less what it appends (DESIGN.md, "the next boot"). */
const DOM0_LINE_LIMIT = 991;

/**
 * The checks this code can make of a would-be list until the next-boot
 * preflight answers for it: a list xen-pciback would reject, and a device dom0
 * needs in it. The line's length is only that of the hide parameter, the one part of the line read here.
 */
export function hideListPreview(host: Host, records: Records): NextBootPreview {
  return async (list) => {
    const rejected = hideListProblems('pending', { list, ignored: null }).map(({ code, detail }) => ({ code, detail }));
    const guarded = [...host.devicesOf(list)].filter((id) => records.protections(id).length > 0).sort();
    const protectedHidden = guarded.map((id) => ({
      code: 'protected_device_hidden',
      detail: `the next boot's list hides ${id}, which dom0 needs (${describeProtections(records.protections(id))})`,
      ids: [id],
    }));
    const problems = [...rejected, ...protectedHidden];
    return {
      ok: problems.length === 0,
      problems,
      dom0_line_length: `${HIDE_KEY}=${formatHideList(list)}`.length,
      limit: DOM0_LINE_LIMIT,
    };
  };
}
