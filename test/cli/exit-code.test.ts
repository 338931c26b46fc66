import { execFile } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { exitCode } from '../support/exit-code.ts';

const test = suite('reading how a child ended');

const run = (script: string) =>
  new Promise<() => number>((resolve) =>
    execFile(process.execPath, ['-e', script], (error, _stdout, stderr) => resolve(() => exitCode(error, stderr))),
  );

test('a clean exit is 0 and an exit code is itself', async () => {
  assert.is((await run(''))(), 0);
  assert.is((await run('process.exit(3)'))(), 3);
});

test('a child killed by a signal is an error, never exit 0', async () => {
  const read = await run("process.kill(process.pid, 'SIGKILL')");
  assert.throws(read, /killed by SIGKILL/);
});

test.run();
