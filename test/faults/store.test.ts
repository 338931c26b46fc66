import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { exitCode } from '../support/exit-code.ts';
import { BIN } from '../support/service-process.ts';
import { NIC, World } from '../support/world.ts';

// A damaged event store stops the service at start with a clear message; it
// never starts on what is left of it.
const test = suite<{ dir: string }>('a damaged event store');
test.before.each((context) => {
  context.dir = mkdtempSync(join(tmpdir(), 'passthru-damaged-'));
});
test.after.each(({ dir }) => rmSync(dir, { recursive: true, force: true }));

function serve(dataDir: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, 'serve', '--port', '0'],
      {
        env: {
          ...process.env,
          PASSTHRU_DATA_DIR: dataDir,
          PASSTHRU_HOST_MODE: 'simulated',
          PASSTHRU_LOG_LEVEL: 'silent',
        },
        timeout: 20_000,
      },
      (error, _stdout, stderr) => {
        try {
          resolve({ code: exitCode(error, stderr), stderr });
        } catch (failure) {
          reject(failure);
        }
      },
    );
  });
}

async function storeWithEvents(dir: string): Promise<string> {
  const world = await World.start(undefined, { PASSTHRU_DATA_DIR: join(dir, 'var') });
  for (let i = 0; i < 30; i++)
    await world.post(`/v1/pcis/${NIC.id}/${i % 2 ? 'unhide' : 'hide'}`, { reason: 'x'.repeat(400) });
  // close, not stop: the world's own temp dir (its sysfs) goes too; the data dir is the test's.
  await world.close();
  return join(dir, 'var', 'events.db');
}

test('a database truncated to half is refused at start with the path and the reason', async ({ dir }) => {
  const path = await storeWithEvents(dir);
  truncateSync(path, Math.floor(statSync(path).size / 2));
  const run = await serve(join(dir, 'var'));
  assert.is(run.code, 1);
  assert.match(run.stderr, `passthru serve: cannot open the event store at ${path}: database disk image is malformed`);
});

test('a database overwritten with garbage is refused at start', async ({ dir }) => {
  const path = await storeWithEvents(dir);
  const bytes = readFileSync(path);
  bytes.fill(0x5a, 0, 512);
  writeFileSync(path, bytes);
  const run = await serve(join(dir, 'var'));
  assert.is(run.code, 1);
  assert.match(run.stderr, `cannot open the event store at ${path}: file is not a database`);
});

test.run();
