/** The four dom0 access states, by the design document's names. */
export const DOM0_ACCESS_STATUSES = ['enabled', 'disabled', 'enabled_on_reboot', 'disabled_on_reboot'] as const;
export type Dom0AccessStatus = (typeof DOM0_ACCESS_STATUSES)[number];

/** Whether a device is in the running kernel's hide list and in the next boot's. */
export interface HiddenIn {
  readonly current: boolean;
  readonly pending: boolean;
}

/** A hidden device is one dom0 cannot use: hidden means access disabled. */
export function dom0AccessStatus({ current, pending }: HiddenIn): Dom0AccessStatus {
  if (current) return pending ? 'disabled' : 'enabled_on_reboot';
  return pending ? 'disabled_on_reboot' : 'enabled';
}

/** The inverse of the status function: every status names exactly one pair. */
export function hiddenIn(status: Dom0AccessStatus): HiddenIn {
  switch (status) {
    case 'enabled':
      return { current: false, pending: false };
    case 'disabled':
      return { current: true, pending: true };
    case 'disabled_on_reboot':
      return { current: false, pending: true };
    case 'enabled_on_reboot':
      return { current: true, pending: false };
    default:
      return unreachable(status);
  }
}

export function unreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}
