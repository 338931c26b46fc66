import { randomUUID } from 'node:crypto';
import closeWithGrace from 'close-with-grace';
import type { Config } from '../config.ts';
import { createLogger } from '../log/logger.ts';
import { openPassthru } from '../passthru.ts';
import { sayWithoutPciIds, warnWithoutBootConfig } from '../start-warnings.ts';
import { resolveToken, tokenFile } from '../token.ts';
import { buildApp } from './app.ts';

/** Opens everything, reconciles with the live host, then listens until a signal. */
export async function serve(config: Config): Promise<void> {
  const log = createLogger(config);
  if (config.hostMode === 'simulated') {
    log.warn(
      { data_dir: config.dataDir, host_files: `${config.dataDir}/host` },
      'SIMULATED HOST: no Xen dom0 here, the boot configuration is a file in the data dir',
    );
    process.stderr.write(
      `\n  *** passthru is running against a SIMULATED host ***\n` +
        `  No Xen dom0 was found (${config.hostModeGuessed ? 'PASSTHRU_HOST_MODE=auto' : 'PASSTHRU_HOST_MODE=simulated'}).\n` +
        `  Hide lists live in ${config.dataDir}/host; 'passthru reboot' reboots it.\n\n`,
    );
  }
  warnWithoutBootConfig(config, log);
  const passthru = await openPassthru(config, log);
  sayWithoutPciIds(config, passthru.host.ids, log);
  const token = resolveToken(config.token, config.dataDir);
  if (!config.token) log.info({ path: tokenFile(config.dataDir) }, 'bearer token for changes');
  // The reconcile mostly waits on xen-cmdline; the app's schemas compile meanwhile. It listens only after both.
  const reconciled = passthru.reconciler
    .run({ actor: 'reconciler', correlationId: randomUUID(), extra: { trigger: 'start' } })
    .catch((error: unknown) => {
      log.error({ err: error }, 'reconcile at start failed: /healthz answers 503 until POST /v1/reconcile succeeds');
    });
  const app = await buildApp(passthru, token, log);
  await reconciled;
  closeWithGrace({ delay: 10_000, logger: log }, async ({ err }) => {
    if (err) log.error({ err }, 'closing after an error');
    await app.close();
    await passthru.close();
  });
  await app.listen({ port: config.port, host: config.bind });
}
