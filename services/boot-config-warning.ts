import type { Logger } from 'pino';
import { SETTINGS, type Config } from './config.ts';

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
