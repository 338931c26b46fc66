import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const test = suite('deploy/passthru.service');
const UNIT = readFileSync(join(process.cwd(), 'deploy', 'passthru.service'), 'utf8');

const hasSystemdAnalyze = (() => {
  try {
    execFileSync('systemd-analyze', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const directives = (name: string) =>
  UNIT.split('\n')
    .filter((line) => line.startsWith(`${name}=`))
    .map((line) => line.slice(name.length + 1));

if (hasSystemdAnalyze) {
  // verify checks that ExecStart's program exists: the copy points it at this checkout and this node.
  test('systemd-analyze verify passes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'passthru-unit-'));
    try {
      const unit = join(dir, 'passthru.service');
      writeFileSync(
        unit,
        UNIT.replaceAll('/opt/node/bin/node', process.execPath).replaceAll('/opt/passthru/', `${process.cwd()}/`),
      );
      const result = await new Promise<{ code: number; output: string }>((resolve) =>
        execFile('systemd-analyze', ['verify', unit], (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code) : 0, output: `${stdout}${stderr}` }),
        ),
      );
      assert.is(result.code, 0, result.output);
      assert.not.match(result.output, /passthru\.service/, `no warning about the unit: ${result.output}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('runs as root, restarts on failure, and leaves /boot writable under ProtectSystem', () => {
  assert.equal(directives('User'), ['root']);
  assert.equal(directives('Restart'), ['on-failure']);
  assert.equal(directives('ProtectSystem'), ['full']);
  // ReadWriteDirectories, not ReadWritePaths: the dom0's systemd 219 knows only the older name.
  assert.equal(directives('ReadWriteDirectories'), ['/boot -/boot/efi']);
  assert.equal(directives('ExecStart'), ['/opt/node/bin/node /opt/passthru/bin/passthru.js serve']);
  assert.ok(directives('Environment').includes('PASSTHRU_DATA_DIR=/var/lib/passthru'));
});

test('starts once xapi has plugged the host’s storage, so the first inventory sees the local SRs', () => {
  assert.ok(directives('After').join(' ').split(' ').includes('xapi-init-complete.target'));
  assert.ok(directives('Wants').join(' ').split(' ').includes('xapi-init-complete.target'));
});

test.run();
