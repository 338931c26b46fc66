import { askedSetting, loadConfig, SETTINGS, type Config, type Flags, type SettingName } from '../settings/config.ts';
import { forbidden } from '../../domain/errors.ts';
import { runningService, runtimeFile, type RunningService } from '../startup/runtime-file.ts';
import { isLoopback } from '../tls/tls-mode.ts';

/**
 * The configuration a CLI command runs with: a running service's data dir,
 * host id and address, read from its runtime file, unless they are asked for.
 * `note` hears when what is used differs from what the running service uses.
 */
export function locateService(env: NodeJS.ProcessEnv, flags: Flags, note: (line: string) => void): Config {
  const config = loadConfig(env, flags);
  const running = runningService(config.runtimeDir);
  if (!running) return config;
  refuseRemoteBind(running, askedSetting(env, flags, 'bind'), config.runtimeDir);
  const fromService: Partial<Record<SettingName, string>> = {
    dataDir: running.data_dir,
    hostId: running.host_id,
    port: String(running.port),
    bind: running.bind,
  };
  const unasked = Object.entries(fromService).filter(
    ([name]) => askedSetting(env, flags, name as SettingName) === undefined,
  );
  const located = loadConfig(env, {
    ...flags,
    ...Object.fromEntries(unasked.map(([name, value]) => [SETTINGS[name as SettingName].flag, value])),
  });
  if (located.dataDir !== running.data_dir || located.hostId !== running.host_id) {
    note(
      `passthru: using data dir ${located.dataDir} (host ${located.hostId}); the service running at ${running.url} (pid ${running.pid}) uses data dir ${running.data_dir} (host ${running.host_id})`,
    );
  }
  return located;
}

/**
 * The CLI sends its token where the runtime file says, so an address beyond
 * this machine is taken only when the CLI's own settings name it too.
 */
function refuseRemoteBind(running: RunningService, asked: string | undefined, runtimeDir: string): void {
  const bind = running.bind;
  if (isLoopback(bind) || bind === '0.0.0.0' || bind === '::' || bind === asked) return;
  throw forbidden(
    `${runtimeFile(runtimeDir)} names the address ${bind}, beyond loopback, and the CLI sends its token there only when asked: ` +
      `set PASSTHRU_BIND=${bind} (--bind ${bind}) if that is your service`,
  );
}
