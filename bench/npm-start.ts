import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SERVE } from '../test/support/service-process.ts';
import { makeSysfs, startService, stopService } from './fixtures.ts';
import type { Result } from './result.ts';

const ROUNDS = 5;
const DEVICES = 32;
const NPM_START: readonly string[] = ['npm', 'start', '--silent', '--'];
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * `npm start` with dist/ a build of the sources as they are, against `node
 * bin/passthru.js serve` on the same data: what the README's start command adds.
 */
export async function npmStart(dir: string): Promise<Result> {
  const sysfs = join(dir, 'sysfs');
  mkdirSync(sysfs);
  makeSysfs(sysfs, DEVICES);
  const env = { PASSTHRU_DATA_DIR: join(dir, 'data'), PASSTHRU_SYSFS_PCI: sysfs };
  // A first start of each discovers the devices, so the rounds below differ only in how the service is started.
  await stopService(await startService(env, [], NPM_START));
  await stopService(await startService(env));
  const npm: number[] = [];
  const direct: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = await startService(env, [], NPM_START);
    npm.push(started.startMs);
    await stopService(started);
    const bare = await startService(env, [], SERVE);
    direct.push(bare.startMs);
    await stopService(bare);
  }
  const ratios = npm.map((ms, i) => ms / direct[i]!);
  return {
    name: '13. npm start to healthy, nothing changed since the build',
    figure: `${Math.round(median(npm))} ms`,
    baseline: `${Math.round(median(direct))} ms for node bin/passthru.js serve`,
    value: median(ratios),
    goal: { op: '<=', target: 1.5, unit: 'x' },
    note: `median of ${ROUNDS} rounds, each an npm start then a direct start, process spawn included; ratios ${ratios.map((r) => r.toFixed(2)).join(', ')}`,
  };
}
