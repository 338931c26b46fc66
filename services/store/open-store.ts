import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { invalidInput, notFound } from '../../domain/errors.ts';
import type { EventStore } from './event-store.ts';
import { KURRENTDB_CONNECTION_STRING } from './kurrentdb/connection-string.ts';
import { SqliteEventStore } from './sqlite-store.ts';

/** Opens the store a `PASSTHRU_STORE` value names, for a reader: an embedded store that is not there is not made. */
export async function openExistingStore(setting: string, now: () => Date): Promise<EventStore> {
  const path = setting.startsWith('sqlite:') ? setting.slice('sqlite:'.length) : null;
  if (path !== null && !existsSync(path)) {
    throw notFound(
      `no event store at ${path}: no passthru service has run with this data dir; start "passthru serve", or set PASSTHRU_DATA_DIR (--data-dir) to the service’s data dir`,
    );
  }
  return openStore(setting, now);
}

/** Opens the store a `PASSTHRU_STORE` value names. */
export async function openStore(setting: string, now: () => Date): Promise<EventStore> {
  if (setting.startsWith('sqlite:')) {
    const path = setting.slice('sqlite:'.length);
    mkdirSync(dirname(path), { recursive: true });
    return new SqliteEventStore(path, now);
  }
  if (KURRENTDB_CONNECTION_STRING.test(setting)) {
    // Loaded only when asked for, so a host on the embedded store never loads the gRPC client.
    const { openKurrentDbStore } = await import('./kurrentdb-store.ts');
    return openKurrentDbStore(setting);
  }
  throw invalidInput(
    `PASSTHRU_STORE must be sqlite:PATH or a KurrentDB connection string (kurrentdb://, kurrent://, kdb:// or esdb://, each also +discover), not ${setting.split(':')[0]}:...`,
  );
}
