// services/startup/: one running passthru wired together (passthru.ts), and what start
// checks and says: file modes (private-files.ts), a missing boot configuration or
// pci.ids (start-warnings.ts), V8's settings (garbage-collection.ts). May import every
// folder of services/ but http/, xapi/ and cli/, which sit on top of it.
import { existsSync, mkdirSync } from 'node:fs';
import { SERVICE_ACTORS } from '../../domain/actors.ts';
import { notFound } from '../../domain/errors.ts';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { Access } from '../access/access.ts';
import { TokenRegistry, tokensFile } from '../access/token-registry.ts';
import { BootConfigWatcher } from '../watch/boot-config-watcher.ts';
import { Commands } from '../write/commands.ts';
import { Plans } from '../plans/plans.ts';
import type { NextBootPreview } from '../plans/types.ts';
import { nextBootVerdict } from '../read/next-boot.ts';
import { SETTINGS, type Config } from '../settings/config.ts';
import { EventTail } from '../read/event-tail.ts';
import { Host } from '../host/host.ts';
import { loadPciIds } from '../host/pci-ids.ts';
import { prepareSimulatedHost, simulatedHostFiles } from '../host/simulated-host.ts';
import { checkpointFile, Projector } from '../read/projector.ts';
import { Reconciler } from '../watch/reconciler.ts';
import { HolderPoll } from '../watch/holder-poll.ts';
import { Records } from '../read/records.ts';
import { Recorder } from '../write/recorder.ts';
import { Serial } from '../concurrency/serial.ts';
import type { EventStore } from '../store/event-store.ts';
import { openStore } from '../store/open-store.ts';
import { resolveToken } from '../access/admin-token.ts';

/** Everything one running passthru holds, wired once. */
export interface Passthru {
  readonly config: Config;
  readonly log: Logger;
  readonly store: EventStore;
  readonly host: Host;
  readonly projector: Projector;
  readonly records: Records;
  readonly commands: Commands;
  /** Desired-state documents, planned and applied. */
  readonly plans: Plans;
  readonly reconciler: Reconciler;
  readonly access: Access;
  /** The newest events, for whoever watches them. */
  readonly tail: EventTail;
  /** Records changes of the boot configuration made by hand. */
  readonly watcher: BootConfigWatcher;
  close(): Promise<void>;
}

export interface Clock {
  now(): Date;
}

/** The host adapter a configuration names; it creates nothing, so a read never leaves a data dir behind. */
export function openHost(config: Config): Host {
  if (config.hostMode === 'simulated') requireSimulatedHost(config.dataDir);
  return new Host(config.hostMode, config.hostPaths, loadPciIds(config.pciIds), config.xenCmdlineTimeoutMs);
}

/** A simulated host is laid out by the service alone: a CLI run elsewhere must not make a second one. */
export function requireSimulatedHost(dataDir: string): void {
  if (!existsSync(simulatedHostFiles(dataDir).dir)) {
    throw notFound(
      `no simulated host in ${dataDir}: no passthru service has run with this data dir; start "passthru serve", or set ${SETTINGS.dataDir.env} (--${SETTINGS.dataDir.flag}) to the service’s data dir`,
    );
  }
}

export async function openPassthru(
  config: Config,
  log: Logger,
  clock: Clock = { now: () => new Date() },
): Promise<Passthru> {
  mkdirSync(config.dataDir, { recursive: true });
  if (config.hostMode === 'simulated') prepareSimulatedHost(config.dataDir, config.simulatedMachine);
  const host = openHost(config);
  const store = await openStore(config.store, () => clock.now());
  const projector = new Projector(store, config.hostId, checkpointFile(config.dataDir), log);
  await projector.start();
  const tail = await EventTail.open(store, log);
  const following = followStore(store, projector, tail, log);
  const records = new Records(host, projector);
  const recorder = new Recorder(
    store,
    config.hostId,
    () => clock.now(),
    () => void tail.notify(),
  );
  const lane = new Serial();
  const reconciler = new Reconciler(host, recorder, projector, records, lane, log);
  const access = new Access(TokenRegistry.open(tokensFile(config.dataDir)), recorder, () => clock.now());
  await access.ensureAdmin(resolveToken(config.token, config.dataDir));
  const commands = new Commands(host, recorder, projector, records, lane, () => reconciler.lastRun !== null);
  // The next boot's preflight for a plan's would-be list: the seam where the next-boot issue's preflight plugs in.
  const nextBootPreview: NextBootPreview = (list) => nextBootVerdict(host, records, list);
  const plans = new Plans(host, records, recorder, store, commands, lane, nextBootPreview, config.hostId, () =>
    clock.now(),
  );
  const watcher = new BootConfigWatcher(
    config.hostPaths.bootConfig,
    () =>
      commands.recordChangesByHand({
        actor: SERVICE_ACTORS.bootConfigWatcher,
        correlationId: randomUUID(),
        extra: { trigger: 'boot_config_change' },
      }),
    log,
  );
  watcher.start();
  const holderPoll = new HolderPoll(
    () =>
      commands.refreshHolders({
        actor: SERVICE_ACTORS.holderPoll,
        correlationId: randomUUID(),
        extra: { trigger: 'holder_poll' },
      }),
    log,
  );
  if (config.hostPaths.xenstore !== null) holderPoll.start();
  return {
    config,
    log,
    store,
    host,
    projector,
    records,
    commands,
    plans,
    reconciler,
    access,
    tail,
    watcher,
    async close() {
      await watcher.close();
      await holderPoll.close();
      access.close();
      await following?.close();
      await projector.saveCheckpoint();
      await store.close();
    },
  };
}

const FOLLOW_COALESCE_MS = 50;

/** Keeps the projections up with events other hosts' services append to a shared store. */
function followStore(
  store: EventStore,
  projector: Projector,
  tail: EventTail,
  log: Logger,
): { close(): Promise<void> } | undefined {
  if (!store.follow) return undefined;
  let pending: NodeJS.Timeout | undefined;
  // One catch-up per burst: a catch-up reads everything new, however many events woke it.
  const following = store.follow(projector.position, () => {
    void tail.notify();
    pending ??= setTimeout(() => {
      pending = undefined;
      projector.catchUp().catch((err: unknown) => log.warn({ err }, 'catching up with the shared store failed'));
    }, FOLLOW_COALESCE_MS).unref();
  });
  return {
    async close() {
      clearTimeout(pending);
      await following.close();
    },
  };
}
