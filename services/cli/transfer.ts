import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { Presets, SingleBar } from 'cli-progress';
import { invalidInput, PassthruError } from '../../domain/errors.ts';
import type { Config } from '../settings/config.ts';
import type { EventMetadata, StoredEvent } from '../store/event-store.ts';
import { openExistingStore, openStore } from '../store/open-store.ts';
import type { Flags, Output } from './cli-types.ts';
import { storePosition } from './replay.ts';

const PAGE = 1000;

/** Every stored event after a position, one JSON object a line, in store order. */
export async function exportCommand(config: Config, flags: Flags, out: Output): Promise<number> {
  const start = typeof flags.after === 'string' ? storePosition(flags.after, '--after') : 0;
  const store = await openExistingStore(config.store, () => new Date());
  try {
    for (let after = start; ;) {
      const events = await store.readAll({ after, limit: PAGE });
      for (const e of events) out(JSON.stringify(exported(e)));
      const last = events[events.length - 1];
      if (!last) return 0;
      after = last.position;
    }
  } finally {
    await store.close();
  }
}

/** A fixed key order, so exports of equal stores are equal files. */
const exported = (e: StoredEvent): StoredEvent => ({
  id: e.id,
  stream: e.stream,
  revision: e.revision,
  position: e.position,
  type: e.type,
  data: e.data,
  metadata: e.metadata,
  stored_at: e.stored_at,
});

/**
 * Appends exported events in order, each at its own revision, keeping its id:
 * an event already there answers as a retry, so importing twice changes nothing.
 */
export async function importCommand(config: Config, file: string | undefined, out: Output): Promise<number> {
  const source = !file || file === '-' ? 'standard input' : file;
  const lines = (source === 'standard input' ? await text(process.stdin) : await readInput(file!)).split('\n');
  const store = await openStore(config.store, () => new Date());
  const bar = new SingleBar(
    { format: 'import [{bar}] {percentage}% | {value}/{total} lines', stream: process.stderr },
    Presets.shades_classic,
  );
  bar.start(lines.length, 0);
  let appended = 0;
  let present = 0;
  try {
    const known = new Map<string, number | null>();
    for (const [index, line] of lines.entries()) {
      bar.increment();
      if (line.trim() === '') continue;
      const event = parseLine(line, index + 1);
      const current = known.has(event.stream) ? known.get(event.stream)! : await store.streamRevision(event.stream);
      try {
        await store.append(event.stream, [event], event.revision === 0 ? 'no_stream' : event.revision - 1);
      } catch (error) {
        if (error instanceof PassthruError && error.kind === 'conflict') {
          throw invalidInput(
            `line ${index + 1}: event ${event.id} cannot be revision ${event.revision} of ${event.stream}: ${error.message}`,
          );
        }
        throw error;
      }
      if (current !== null && event.revision <= current) present += 1;
      else appended += 1;
      known.set(event.stream, Math.max(current ?? -1, event.revision));
    }
  } finally {
    bar.stop();
    await store.close();
  }
  out(`imported ${appended} events from ${source} (${present} already in the store)`);
  return 0;
}

interface ImportedEvent {
  readonly id: string;
  readonly stream: string;
  readonly revision: number;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}

function parseLine(line: string, number: number): ImportedEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw invalidInput(`line ${number}: not JSON (${(error as Error).message})`);
  }
  const e = (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}) as Record<
    string,
    unknown
  >;
  const filled = (field: string) => typeof e[field] === 'string' && e[field] !== '';
  const checks: [boolean, string][] = [
    [filled('id'), 'an id'],
    [filled('stream'), 'a stream'],
    [Number.isSafeInteger(e.revision) && (e.revision as number) >= 0, 'a revision (a whole number from 0)'],
    [filled('type'), 'a type'],
    ['data' in e, 'data'],
    [typeof e.metadata === 'object' && e.metadata !== null && !Array.isArray(e.metadata), 'a metadata object'],
  ];
  const missing = checks.filter(([ok]) => !ok).map(([, what]) => what);
  if (missing.length) throw invalidInput(`line ${number}: not an exported event: it needs ${missing.join(', ')}`);
  const { id, stream, revision, type, data, metadata } = e as unknown as ImportedEvent;
  return { id, stream, revision, type, data, metadata };
}

async function readInput(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw invalidInput(`cannot read ${file}: ${(error as Error).message}`);
  }
}
