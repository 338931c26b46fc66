import { unreachable, type Dom0AccessStatus } from './dom0-access.ts';

/**
 * The same four states by XAPI's own enum names (`pci_dom0_access`,
 * `pgpu_dom0_access`): XAPI clients only understand these.
 */
export const XAPI_DOM0_ACCESS = ['enabled', 'disable_on_reboot', 'disabled', 'enable_on_reboot'] as const;
export type XapiDom0Access = (typeof XAPI_DOM0_ACCESS)[number];

export function xapiDom0Access(status: Dom0AccessStatus): XapiDom0Access {
  switch (status) {
    case 'enabled':
      return 'enabled';
    case 'disabled':
      return 'disabled';
    case 'disabled_on_reboot':
      return 'disable_on_reboot';
    case 'enabled_on_reboot':
      return 'enable_on_reboot';
    default:
      return unreachable(status);
  }
}
