import { open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { applyToPciView, emptyPciView, type PciView } from '../../projections/pci-view.ts';
import { applyToPgpuView, emptyPgpuView, type PgpuView } from '../../projections/pgpu-view.ts';
import { deviceStreamPrefix } from '../../projections/streams.ts';
import type { EventStore } from '../store/event-store.ts';
import { Serial } from '../concurrency/serial.ts';

// Small enough that a full catch-up of a million events stays far under 200 MB resident.
const BATCH = 2_000;
const CHECKPOINT_VERSION = 2;

interface LastEvent {
  readonly id: string;
  readonly stream: string;
  readonly revision: number;
}

interface Checkpoint {
  readonly version: number;
  readonly host_id: string;
  readonly position: number;
  /**
   * The last event folded in, looked up again by its stream and revision at
   * start, so a checkpoint of another store (or of a store rewound) is never
   * trusted. Positions are not assumed dense: KurrentDB's are not.
   */
  readonly last: LastEvent | null;
  readonly pci: PciView;
  readonly pgpu: PgpuView;
}

export const checkpointFile = (dataDir: string) => join(dataDir, 'projections.checkpoint.json');

/** Keeps this host's views in step with the store, from a checkpoint file. */
export class Projector {
  pci: PciView = emptyPciView();
  pgpu: PgpuView = emptyPgpuView();
  private last: LastEvent | null = null;
  private readonly serial = new Serial();
  private readonly prefix: string;

  constructor(
    private readonly store: EventStore,
    private readonly hostId: string,
    private readonly checkpointPath: string,
    private readonly log: Logger,
  ) {
    this.prefix = deviceStreamPrefix(hostId);
  }

  get position(): number {
    return this.pci.position;
  }

  /** Loads the checkpoint when it matches the store, then reads what came after it. */
  async start(): Promise<void> {
    const checkpoint = await this.loadCheckpoint();
    if (checkpoint) {
      this.pci = checkpoint.pci;
      this.pgpu = checkpoint.pgpu;
      this.last = checkpoint.last;
    }
    const applied = await this.catchUp();
    this.log.info({ from: checkpoint?.position ?? 0, applied, position: this.position }, 'projections caught up');
  }

  catchUp(onProgress?: (position: number) => void): Promise<number> {
    return this.serial.run(async () => {
      let applied = 0;
      for (;;) {
        const events = await this.store.readAll({ after: this.position, limit: BATCH, streamPrefix: this.prefix });
        if (events.length === 0) return applied;
        this.pci = applyToPciView(this.pci, events);
        this.pgpu = applyToPgpuView(this.pgpu, events);
        const { id, stream, revision } = events[events.length - 1]!;
        this.last = { id, stream, revision };
        applied += events.length;
        onProgress?.(this.position);
      }
    });
  }

  /** Forgets every view and folds the store again from its first event. */
  async rebuild(onProgress?: (position: number) => void): Promise<number> {
    await this.serial.run(async () => {
      this.pci = emptyPciView();
      this.pgpu = emptyPgpuView();
      this.last = null;
    });
    const applied = await this.catchUp(onProgress);
    await this.saveCheckpoint();
    return applied;
  }

  saveCheckpoint(): Promise<void> {
    return this.serial.run(async () => {
      const checkpoint: Checkpoint = {
        version: CHECKPOINT_VERSION,
        host_id: this.hostId,
        position: this.position,
        last: this.last,
        pci: this.pci,
        pgpu: this.pgpu,
      };
      const temporary = `${this.checkpointPath}.tmp`;
      const file = await open(temporary, 'w');
      try {
        await file.writeFile(JSON.stringify(checkpoint));
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temporary, this.checkpointPath);
    });
  }

  private async loadCheckpoint(): Promise<Checkpoint | null> {
    let checkpoint: unknown;
    try {
      checkpoint = JSON.parse(await readFile(this.checkpointPath, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.log.warn(
          { err: error, path: this.checkpointPath },
          'checkpoint unreadable, rebuilding from the first event',
        );
      }
      return null;
    }
    if (!isCheckpoint(checkpoint)) {
      this.log.warn(
        { path: this.checkpointPath },
        'checkpoint is not one this passthru wrote, rebuilding from the first event',
      );
      return null;
    }
    const { last } = checkpoint;
    const [found] = last ? await this.store.readStream(last.stream, { from: last.revision, limit: 1 }) : [];
    const matches =
      checkpoint.version === CHECKPOINT_VERSION &&
      checkpoint.host_id === this.hostId &&
      (last === null ? checkpoint.position === 0 : found?.id === last.id && found.position === checkpoint.position);
    if (!matches) {
      this.log.warn(
        { path: this.checkpointPath },
        'checkpoint does not match the store, rebuilding from the first event',
      );
      await rm(this.checkpointPath, { force: true });
      return null;
    }
    return checkpoint;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** The shape this version writes; anything else (another version, a hand edit) is not trusted. */
function isCheckpoint(value: unknown): value is Checkpoint {
  if (!isObject(value) || value.version !== CHECKPOINT_VERSION || typeof value.position !== 'number') return false;
  const { last, pci, pgpu } = value;
  const lastOk =
    last === null ||
    (isObject(last) &&
      typeof last.id === 'string' &&
      typeof last.stream === 'string' &&
      typeof last.revision === 'number');
  return lastOk && isObject(pci) && isObject(pci.devices) && isObject(pgpu) && isObject(pgpu.pgpus);
}
