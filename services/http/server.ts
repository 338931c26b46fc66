import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SERVICE_ACTORS } from '../../domain/actors.ts';
import closeWithGrace from 'close-with-grace';
import type { Config } from '../settings/config.ts';
import { keepShortLivedObjectsYoung } from '../startup/garbage-collection.ts';
import { keepTickObjectShape } from '../startup/tick-object-shape.ts';
import { createLogger } from '../log/logger.ts';
import { openPassthru } from '../startup/passthru.ts';
import { securePrivateFiles } from '../startup/private-files.ts';
import { sayWithoutPciIds, warnWithoutBootConfig } from '../startup/start-warnings.ts';
import { serverTls } from '../tls/server-tls.ts';
import { tokenFile } from '../access/admin-token.ts';
import { buildApp } from './app.ts';
import { serviceUrl } from './service-url.ts';
import { privateRuntimeDir, removeRuntimeFile, writeRuntimeFile } from '../startup/runtime-file.ts';
import { isPortInUse, portInUse, reservePort } from './port-reservation.ts';

/** Opens everything, reconciles with the live host, then listens until a signal. */
export async function serve(config: Config): Promise<void> {
  keepTickObjectShape();
  keepShortLivedObjectsYoung();
  const log = createLogger(config);
  // Before anything in the data dir is touched: a second copy must leave the first one's store alone.
  const port = await reservePort(config);
  if (config.hostMode === 'simulated') {
    log.warn(
      { data_dir: config.dataDir, host_files: `${config.dataDir}/host` },
      'SIMULATED HOST: no Xen dom0 here, the boot configuration is a file in the data dir',
    );
    process.stderr.write(
      `\n  *** passthru is running against a SIMULATED host ***\n` +
        `  No Xen dom0 was found (${config.hostModeGuessed ? 'PASSTHRU_HOST_MODE=auto' : 'PASSTHRU_HOST_MODE=simulated'}).\n` +
        `  Hide lists live in ${config.dataDir}/host; 'passthru reboot' reboots it.\n` +
        (config.simulatedMachine !== null
          ? `  Its PCI devices are a copy of this machine's in ${config.dataDir}/host/sys: nothing touches the real ones.\n\n`
          : '\n'),
    );
  }
  // Whatever the service makes (store, checkpoint, tokens, keys) is for root's eyes only.
  process.umask(0o077);
  securePrivateFiles(config, log);
  // Refused before anything opens: a runtime dir others could write would let them redirect the CLI's token.
  privateRuntimeDir(config.runtimeDir);
  warnWithoutBootConfig(config, log);
  const tls = serverTls(config, log);
  const passthru = await openPassthru(config, log);
  sayWithoutPciIds(config, passthru.host.ids, log);
  if (!config.token) log.info({ path: tokenFile(config.dataDir) }, 'the admin token');
  // The reconcile mostly waits on xen-cmdline; the app's schemas compile meanwhile. It listens only after both.
  const reconciled = passthru.reconciler
    .run({ actor: SERVICE_ACTORS.reconciler, correlationId: randomUUID(), extra: { trigger: 'start' } })
    .catch((error: unknown) => {
      log.error({ err: error }, 'reconcile at start failed: /healthz answers 503 until POST /v1/reconcile succeeds');
    });
  const app = await buildApp(passthru, log, tls);
  await reconciled;
  const grace = closeWithGrace({ delay: 10_000, logger: log }, async ({ err }) => {
    if (err) log.error({ err }, 'closing after an error');
    removeRuntimeFile(config);
    await app.close();
    await passthru.close();
  });
  await port.release();
  try {
    await app.listen({ port: config.port, host: config.bind });
  } catch (error) {
    grace.uninstall();
    await app.close();
    await passthru.close();
    throw isPortInUse(error) ? portInUse(config.port) : error;
  }
  const { port: listening } = app.server.address() as AddressInfo;
  const url = serviceUrl(config, listening);
  log.info({ url: `${url}/` }, `the operator page: ${url}/`);
  writeRuntimeFile(config, {
    data_dir: config.dataDir,
    url,
    host_id: config.hostId,
    pid: process.pid,
    port: listening,
    bind: config.bind,
  });
}
