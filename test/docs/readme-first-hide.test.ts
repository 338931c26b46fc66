import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelSysfs } from '../support/kernel-sysfs.ts';
import { startService, stopService } from '../support/service-process.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The shell block of a README section, as a newcomer copies it. */
function shellBlock(heading: string): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(`## ${heading}\n`));
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error(`no sh block under "${heading}"`);
  return block[1]!;
}

const test = suite('the README’s commands, run as written');

test('given a machine whose devices are not the README’s, when “Your first hide” runs, then it hides one of them and ends disabled and ready', async () => {
  const block = shellBlock('Your first hide');
  assert.not.match(block, 'npx');
  // The newcomer's project folder: the CLI's entry, and var/ where the service keeps its data.
  const dir = mkdtempSync(join(tmpdir(), 'passthru-readme-'));
  try {
    symlinkSync(join(root, 'bin'), join(dir, 'bin'));
    // The machine, a host without 03:00.0: a host bridge, a PCI bridge... and a NIC free to hide, its driver igb.
    const machine = new KernelSysfs(join(dir, 'machine'));
    for (const [id, cls] of [
      ['0000:00:00.0', '0x060000'],
      ['0000:00:1c.0', '0x060400'],
      ['0000:01:00.0', '0x020000'],
    ] as const) {
      machine.pci({ id, class: cls, vendor: '0x8086', device: '0x1521' });
    }
    machine.bind('0000:01:00.0', 'igb');
    // The newcomer's machine as `npm start` finds it: its sysfs and mounts, nothing of the simulated host named.
    const env = {
      PASSTHRU_HOST_MODE: 'simulated',
      PASSTHRU_SYSFS: machine.root,
      PASSTHRU_MOUNTINFO: machine.mountinfo,
      PASSTHRU_XENSOURCE_INVENTORY: machine.xensourceInventory,
      PASSTHRU_NET_ROUTE: machine.netRoute,
      PASSTHRU_RUNTIME_DIR: join(dir, 'run'),
      PASSTHRU_DATA_DIR: join(dir, 'var'),
    };
    const service = await startService(env);
    try {
      // Only the port differs from the README's: 8080 may be taken on the machine that runs the tests.
      const script = block.replaceAll('localhost:8080', new URL(service.url).host);
      const inherited = Object.fromEntries(
        Object.entries(process.env).filter(([name]) => !name.startsWith('PASSTHRU_')),
      );
      const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(
          'bash',
          ['-c', `set -euo pipefail\n${script}`],
          // The CLI finds the service as from any folder: through the runtime dir, nothing else told.
          { cwd: dir, env: { ...inherited, PASSTHRU_RUNTIME_DIR: env.PASSTHRU_RUNTIME_DIR } },
          (error, out, err) =>
            resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout: out, stderr: err }),
        ),
      );
      assert.is(stderr, '');
      assert.is(code, 0);
      const lines = stdout.split('\n');
      assert.equal(lines.slice(0, 3), [
        '0000:00:00.0\tenabled\tHost bridge\tIntel Corporation\t1521',
        '0000:00:1c.0\tenabled\tPCI bridge\tIntel Corporation\t1521',
        '0000:01:00.0\tenabled\tEthernet controller\tIntel Corporation\t1521',
      ]);
      assert.is(lines[3], '"disabled_on_reboot"');
      assert.match(stdout, /^0000:01:00\.0\s+disabled\s+/m);
      // doctor: the simulated host's pciback took it at the reboot, so it is ready for a guest.
      assert.match(stdout, /^0000:01:00\.0\s+disabled\s+pciback\s+ready\s+/m);
      assert.match(stdout, /Dom0AccessDisabled/);
    } finally {
      await stopService(service);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
