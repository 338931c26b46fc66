import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GPU, TOKEN, World } from '../support/world.ts';
import { serve } from './support.ts';

const CLIENTS = fileURLToPath(new URL('./clients/', import.meta.url));

const test = suite<{ world: World; url: string }>('a XenAPI-style event.from loop over Python xmlrpc.client');
test.before(async (context) => {
  context.world = await World.start();
  context.url = await serve(context.world);
});
test.after(async ({ world }) => world.close());

test('it takes every object from the empty token, then sees a hide as a mod of the PCI and its PGPU', async ({
  world,
  url,
}) => {
  const child = spawn('python3', ['-B', 'watch_events.py', `${url}/`, TOKEN, GPU.id, 'disable_on_reboot'], {
    cwd: CLIENTS,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const safety = setTimeout(() => child.kill(), 30_000);
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const ready = JSON.parse((await lines.next()).value);
  assert.equal(ready, { ready: ['add', 'add', 'add', 'add'] });
  await world.post(`/v1/pcis/${GPU.id}/hide`);
  const outcome = JSON.parse((await lines.next()).value);
  const code = await exited;
  clearTimeout(safety);
  assert.is(code, 0);
  assert.equal(outcome, {
    seen: [
      ['pci', 'mod', false],
      ['pgpu', 'mod', true],
    ],
    dom0_access: 'disable_on_reboot',
    counts: { pci: 3, pgpu: 1, host: 1, pool: 1, task: 0 },
  });
});

test.run();
