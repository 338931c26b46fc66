import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { invalidInput } from '../../domain/errors.ts';
import type { EventStore } from './event-store.ts';
import { SqliteEventStore } from './sqlite-store.ts';

/** Opens the store a `PASSTHRU_STORE` value names. */
export async function openStore(setting: string, now: () => Date): Promise<EventStore> {
  if (setting.startsWith('sqlite:')) {
    const path = setting.slice('sqlite:'.length);
    mkdirSync(dirname(path), { recursive: true });
    return new SqliteEventStore(path, now);
  }
  throw invalidInput(`the KurrentDB store is not available in this build (PASSTHRU_STORE=${setting.split('://')[0]}://...)`);
}
