import { join } from 'node:path';
import { makeSysfs, startService, stopService, TOKEN, timed } from './fixtures.ts';
import type { Result } from './result.ts';

const DEVICES = 16;
const ROUNDS = 5;

/**
 * The apply of a plan for a 16-device desired-state document against the
 * batch route hiding the same 16 devices, over HTTP, in back-to-back rounds
 * on one service: what the plan's checks (store and hide list unmoved) add to one batch.
 */
export async function planApply(dir: string): Promise<Result> {
  const ids = makeSysfs(join(dir, 'sysfs'), DEVICES * 2).slice(DEVICES);
  const service = await startService({ PASSTHRU_DATA_DIR: join(dir, 'var'), PASSTHRU_SYSFS_PCI: join(dir, 'sysfs') });
  const post = async (path: string, body?: unknown) => {
    const response = await fetch(`${service.url}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as { id?: string; changes?: unknown[]; results?: { changed: boolean }[] };
  };
  const allChanged = ({ results = [] }: { results?: { changed: boolean }[] }) => {
    if (results.length !== DEVICES || !results.every((r) => r.changed)) throw new Error('changed less than asked');
  };
  const document = { hidden: ids.map((id) => ({ id, reason: 'bench' })) };
  try {
    let batches = 0;
    let applies = 0;
    let plans = 0;
    for (let round = 0; round < ROUNDS; round++) {
      batches += await timed(async () => allChanged(await post('/v1/pcis/hide', { ids })));
      await post('/v1/pcis/unhide', { ids });
      let plan: { id?: string; changes?: unknown[] } = {};
      plans += await timed(async () => {
        plan = await post('/v1/plans', document);
      });
      if (plan.changes?.length !== DEVICES) throw new Error('the plan changes less than the document names');
      applies += await timed(async () => allChanged(await post(`/v1/plans/${plan.id}/apply`)));
      await post('/v1/pcis/unhide', { ids });
    }
    const per = (ms: number) => `${(ms / ROUNDS).toFixed(0)} ms`;
    return {
      name: '15. apply of a 16-device document vs the batch route',
      figure: `${per(applies)} an apply`,
      baseline: `${per(batches)} a batch hide of the same 16`,
      value: applies / batches,
      goal: { op: '<=', target: 1.1, unit: 'x' },
      note: `${ROUNDS} rounds; the plan before each apply took ${per(plans)}`,
    };
  } finally {
    await stopService(service);
  }
}
