import { randomUUID } from 'node:crypto';
import { newEventId } from '../services/write/event-id.ts';
import { join } from 'node:path';
import { SqliteEventStore } from '../services/store/sqlite-store.ts';
import type { Result } from './result.ts';

const MS = 3000;

/** Durable appends per second from `writers` concurrent loops, each on its own stream. */
async function rate(path: string, writers: number): Promise<number> {
  const store = new SqliteEventStore(path);
  let appended = 0;
  const until = performance.now() + MS;
  const writer = async (w: number) => {
    for (let revision = 0; performance.now() < until; revision++) {
      const metadata = { at: new Date().toISOString(), actor: 'bench', correlation_id: randomUUID(), host: 'bench' };
      await store.append(
        `bench-${w}`,
        [{ id: newEventId(new Date()), type: 'Benchmarked', data: { revision }, metadata }],
        revision === 0 ? 'no_stream' : revision - 1,
      );
      appended++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));
  const elapsed = performance.now() - started;
  await store.close();
  return (appended * 1000) / elapsed;
}

export async function groupCommit(dir: string): Promise<Result> {
  const one = await rate(join(dir, 'one.db'), 1);
  const many = await rate(join(dir, 'many.db'), 64);
  return {
    name: '7. durable appends, 64 writers',
    figure: `${Math.round(many)} appends/s`,
    baseline: `${Math.round(one)} appends/s, one writer`,
    value: many / one,
    goal: { op: '>=', target: 5, unit: 'x' },
    note: 'synchronous=FULL: every append answered after its commit is on disk',
  };
}
