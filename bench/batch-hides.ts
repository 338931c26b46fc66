import { join } from 'node:path';
import { makeSysfs, startService, stopService, TOKEN, timed } from './fixtures.ts';
import type { Result } from './result.ts';

const DEVICES = 16;
const ROUNDS = 3;

/**
 * 16 devices hidden by one batch command against the same 16 hidden one
 * command each, over HTTP, in back-to-back rounds on one service.
 */
export async function batchHides(dir: string): Promise<Result> {
  const ids = makeSysfs(join(dir, 'sysfs'), DEVICES * 2).slice(DEVICES);
  const service = await startService({ PASSTHRU_DATA_DIR: join(dir, 'var'), PASSTHRU_SYSFS_PCI: join(dir, 'sysfs') });
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${service.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as { results?: { changed: boolean }[]; changed?: boolean };
  };
  try {
    let singles = 0;
    let batches = 0;
    for (let round = 0; round < ROUNDS; round++) {
      singles += await timed(async () => {
        for (const id of ids) if (!(await post(`/v1/pcis/${id}/hide`, {})).changed) throw new Error(`${id} unchanged`);
      });
      await post('/v1/pcis/unhide', { ids });
      batches += await timed(async () => {
        const { results = [] } = await post('/v1/pcis/hide', { ids });
        if (!results.every((r) => r.changed)) throw new Error('a batch hide changed less than asked');
      });
      await post('/v1/pcis/unhide', { ids });
    }
    const per = (ms: number) => `${(ms / ROUNDS).toFixed(0)} ms`;
    return {
      name: '8. batch of 16 hides vs 16 single hides',
      figure: `${per(batches)} a batch`,
      baseline: `${per(singles)} for 16 single hides over HTTP`,
      value: singles / batches,
      goal: { op: '>=', target: 8, unit: 'x' },
      note: `${ROUNDS} rounds, each device changed by every command`,
    };
  } finally {
    await stopService(service);
  }
}
