import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { loadConfig, type Config } from '../../services/settings/config.ts';
import { buildApp } from '../../services/http/app.ts';
import { rebootSimulatedHost, simulatedHostFiles } from '../../services/host/simulated-host.ts';
import { openPassthru, type Passthru } from '../../services/startup/passthru.ts';

export const TOKEN = 'test-token-0123456789';
/** The secret of the read-only token `reader`, once a test gives the world one with `addReader`. */
export const READER_TOKEN = 'test-reader-token-0123456789';
export const HOST_ID = 'test-host';

export interface FakeDevice {
  readonly id: string;
  readonly class: string;
  readonly vendor?: string;
  readonly device?: string;
  readonly subsystem?: { readonly vendor: string; readonly device: string };
}

export const NIC: FakeDevice = { id: '0000:04:00.0', class: '0x020000', vendor: '0x8086', device: '0x1521' };
export const GPU: FakeDevice = { id: '0000:03:00.0', class: '0x030000', vendor: '0x10de', device: '0x1db4' };
export const NVME: FakeDevice = { id: '0000:05:00.0', class: '0x010802', vendor: '0x144d', device: '0xa808' };

const bearer = (token: string | null) => (token === null ? {} : { authorization: `Bearer ${token}` });

/** A simulated host with a fake sysfs, and the real service over it. */
export class World {
  passthru!: Passthru;
  app!: FastifyInstance;
  private readonly plugged: string[] = [];
  readonly config: Config;

  private constructor(
    readonly dir: string,
    env: Record<string, string>,
  ) {
    this.config = loadConfig({
      PASSTHRU_DATA_DIR: join(dir, 'var'),
      PASSTHRU_HOST_MODE: 'simulated',
      PASSTHRU_SYSFS_PCI: join(dir, 'sysfs'),
      // The test machine's own disks, NICs and display are not the simulated host's: none of them is read.
      PASSTHRU_SYSFS: join(dir, 'sys'),
      PASSTHRU_MOUNTINFO: join(dir, 'mountinfo'),
      PASSTHRU_XENSOURCE_INVENTORY: join(dir, 'xensource-inventory'),
      PASSTHRU_NET_ROUTE: join(dir, 'route'),
      PASSTHRU_TOKEN: TOKEN,
      PASSTHRU_HOST_ID: HOST_ID,
      PASSTHRU_LOG_LEVEL: 'silent',
      ...env,
    });
  }

  static async start(
    devices: readonly FakeDevice[] = [GPU, NIC, NVME],
    env: Record<string, string> = {},
  ): Promise<World> {
    const world = new World(mkdtempSync(join(tmpdir(), 'passthru-world-')), env);
    for (const device of devices) world.plug(device);
    await world.boot();
    return world;
  }

  plug(device: FakeDevice): void {
    this.plugged.push(device.id);
    const dir = join(this.dir, 'sysfs', device.id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'class'), `${device.class}\n`);
    writeFileSync(join(dir, 'vendor'), `${device.vendor ?? '0x1234'}\n`);
    writeFileSync(join(dir, 'device'), `${device.device ?? '0x5678'}\n`);
    if (device.subsystem) {
      writeFileSync(join(dir, 'subsystem_vendor'), `${device.subsystem.vendor}\n`);
      writeFileSync(join(dir, 'subsystem_device'), `${device.subsystem.device}\n`);
    }
  }

  /** Starts the service as a host boot does: open, reconcile, serve. */
  async boot(): Promise<void> {
    const log = pino({ level: 'silent' });
    this.passthru = await openPassthru(this.config, log);
    // As `passthru serve` does, a failed reconcile at start leaves the service up, unhealthy.
    await this.passthru.reconciler
      .run({ actor: 'reconciler', correlationId: 'boot', extra: { trigger: 'start' } })
      .catch(() => undefined);
    this.app = await buildApp(this.passthru, log);
  }

  /** A read-only token named `reader` with a known secret, as `passthru token add` makes one with a random one. */
  async addReader(): Promise<void> {
    const issued = await this.passthru.access.issue('reader', 'read-only', { actor: 'admin', correlationId: 'test' });
    this.passthru.access.tokens.put('reader', 'read-only', READER_TOKEN, new Date(issued.token.created_at));
  }

  async stop(): Promise<void> {
    await this.app.close();
    await this.passthru.close();
  }

  /** A real reboot: the service stops, the pending command line becomes the running one, the service starts. */
  /**
   * A real reboot: the service stops, the pending command line becomes the
   * running one, and, as a dom0 kernel with xen-pciback built in does, pciback
   * takes the plugged devices the new boot hides (and lets go of the others).
   */
  async reboot(): Promise<void> {
    await this.stop();
    rebootSimulatedHost(this.config.dataDir);
    const hidden = readFileSync(simulatedHostFiles(this.config.dataDir).procCmdline, 'utf8');
    for (const id of this.plugged) {
      const link = join(this.dir, 'sysfs', id, 'driver');
      rmSync(link, { force: true });
      if (hidden.includes(`(${id})`)) symlinkSync(join(this.dir, 'drivers', 'pciback'), link);
    }
    await this.boot();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.boot();
  }

  /** Someone editing the boot configuration by hand, outside the service. */
  xenCmdlineByHand(...args: string[]): string {
    return execFileSync(simulatedHostFiles(this.config.dataDir).xenCmdline, args, { encoding: 'utf8' });
  }

  /** Waits until the service has handled every change of the boot configuration so far. */
  settled(): Promise<void> {
    return this.passthru.watcher.idle();
  }

  request(options: InjectOptions): Promise<LightMyRequestResponse> {
    return this.app.inject(options);
  }

  get(url: string, token: string | null = TOKEN): Promise<LightMyRequestResponse> {
    return this.app.inject({ method: 'GET', url, headers: bearer(token) });
  }

  post(url: string, body?: unknown, token: string | null = TOKEN): Promise<LightMyRequestResponse> {
    return this.app.inject({
      method: 'POST',
      url,
      headers: bearer(token),
      ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
    });
  }

  async status(id: string): Promise<string> {
    const response = await this.get(`/v1/pcis/${id}/dom0-access`);
    return response.json().status;
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
