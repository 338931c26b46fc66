import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { simulatedHostFiles } from '../../services/host/simulated-host.ts';
import { NIC, NVME, TOKEN, World } from '../support/world.ts';

const run = promisify(execFile);
const AUTH = { authorization: `Bearer ${TOKEN}` };

const test = suite<{ world: World }>('live status reads');
test.before.each(async (context) => {
  context.world = await World.start();
});
test.after.each(async ({ world }) => {
  delete process.env.PASSTHRU_SIMULATED_FAULT;
  await world.close();
});

test('while the boot configuration is unchanged, reads do not run xen-cmdline again', async ({ world }) => {
  assert.is(await world.status(NIC.id), 'enabled');
  process.env.PASSTHRU_SIMULATED_FAULT = 'fail-get';
  const reads = await Promise.all(Array.from({ length: 20 }, () => world.get(`/v1/pcis/${NIC.id}/dom0-access`)));
  assert.equal(
    reads.map((r) => r.statusCode),
    reads.map(() => 200),
  );
});

test('the first read after a change by hand sees it, while other reads keep the service busy', async ({ world }) => {
  // A real port and a real client: a request is sent only once the change by hand (another process) has finished.
  const url = await world.app.listen({ host: '127.0.0.1', port: 0 });
  const statusOf = async (id: string) =>
    ((await (await fetch(`${url}/v1/pcis/${id}/dom0-access`, { headers: AUTH })).json()) as { status: string }).status;
  let busy = true;
  const others = Array.from({ length: 8 }, async () => {
    while (busy) await statusOf(NIC.id);
  });
  try {
    for (const [list, expected] of [
      [`(${NVME.id})`, 'disabled_on_reboot'],
      [`(${NIC.id})`, 'enabled'],
      [`(${NVME.id})(${NIC.id})`, 'disabled_on_reboot'],
      ['(ff:1f.7)', 'enabled'],
    ] as const) {
      await run(simulatedHostFiles(world.config.dataDir).xenCmdline, ['--set-dom0', `xen-pciback.hide=${list}`]);
      assert.is(await statusOf(NVME.id), expected, list);
    }
  } finally {
    busy = false;
    await Promise.all(others);
  }
});

test('reads that arrive together look at the boot configuration once', async ({ world }) => {
  const [bootConfig] = world.config.hostPaths.bootConfig;
  assert.is(await world.status(NIC.id), 'enabled');
  await new Promise(setImmediate); // a later turn of the event loop, where the reads arrive
  const looks = countCalls('statSync', bootConfig!);
  try {
    const reads = await Promise.all(Array.from({ length: 20 }, () => world.get(`/v1/pcis/${NIC.id}/dom0-access`)));
    assert.equal(
      reads.map((r) => r.json().status),
      reads.map(() => 'enabled'),
    );
    assert.is(looks.count(), 1);
  } finally {
    looks.restore();
  }
});

test('reads that arrive together look at pciback once', async ({ world }) => {
  const pciback = join(dirname(world.config.hostPaths.sysfsPci), 'drivers', 'pciback');
  assert.is(await world.status(NIC.id), 'enabled');
  await new Promise(setImmediate); // a later turn of the event loop, where the reads arrive
  // This host has no pciback loaded: a read looks for its directory, then reads what it holds when there is one.
  const reads = countCalls('existsSync', pciback);
  try {
    const answers = await Promise.all(Array.from({ length: 20 }, () => world.get(`/v1/pcis/${NIC.id}/dom0-access`)));
    assert.equal(
      answers.map((r) => r.json().status),
      answers.map(() => 'enabled'),
    );
    assert.is(reads.count(), 1);
  } finally {
    reads.restore();
  }
});

/** Counts the calls of a node:fs function on one path, through node:fs's own export (which the ESM named import follows once synced). */
function countCalls(name: 'statSync' | 'existsSync', path: string): { count: () => number; restore: () => void } {
  const writable = fs as unknown as Record<typeof name, (...args: unknown[]) => unknown>;
  const original = writable[name];
  let count = 0;
  writable[name] = (...args: unknown[]) => {
    if (args[0] === path) count++;
    return original(...args);
  };
  syncBuiltinESMExports();
  return {
    count: () => count,
    restore: () => {
      writable[name] = original;
      syncBuiltinESMExports();
    },
  };
}

test.run();

const uncached = suite<{ world: World }>('live status reads with caching turned off');
uncached.before(async (context) => {
  context.world = await World.start(undefined, { PASSTHRU_BOOT_CONFIG: 'none' });
});
uncached.after(async ({ world }) => {
  delete process.env.PASSTHRU_SIMULATED_FAULT;
  await world.close();
});

uncached('every read runs xen-cmdline', async ({ world }) => {
  assert.is(await world.status(NIC.id), 'enabled');
  process.env.PASSTHRU_SIMULATED_FAULT = 'fail-get';
  assert.is((await world.get(`/v1/pcis/${NIC.id}/dom0-access`)).statusCode, 502);
});

uncached.run();
