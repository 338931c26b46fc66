import type { Logger } from 'pino';
import { SETTINGS, type Config } from '../settings/config.ts';
import type { PciIds } from '../host/pci-ids.ts';

/**
 * With no boot configuration file to watch, the pending list cannot be kept
 * between reads: every read runs xen-cmdline. An operator must hear that once, at start.
 */
export function warnWithoutBootConfig(config: Config, log: Logger): void {
  if (config.hostPaths.bootConfig.length > 0) return;
  const setting = SETTINGS.bootConfig.env;
  const why =
    config.bootConfigSearched.length > 0
      ? `none of ${config.bootConfigSearched.join(', ')} exists`
      : `${setting}=none asks for it`;
  log.warn(
    { tried: config.bootConfigSearched, setting },
    `no boot configuration file known (${why}): every read runs xen-cmdline; set ${setting} to the files xen-cmdline edits`,
  );
}

/**
 * Without pci.ids, vendors and devices show as their ids: say where it was
 * looked for and how to point at one. Names are cosmetic, so this is info.
 */
export function sayWithoutPciIds(config: Config, ids: PciIds, log: Logger): void {
  if (ids.source !== null) return;
  const setting = SETTINGS.pciIds.env;
  log.info(
    { tried: config.pciIds, setting },
    `no pci.ids database readable at ${config.pciIds.join(', ')}: classes are named from the built-in table, ` +
      `vendors and devices shown as their ids; install hwdata or pci.ids, or set ${setting}`,
  );
}
